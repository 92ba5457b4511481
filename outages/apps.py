from django.apps import AppConfig


class OutagesConfig(AppConfig):
    name = "outages"

    def ready(self):
        from . import signals  # noqa: F401  connects the receivers that notice a service going down and back
