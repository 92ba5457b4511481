from django.apps import AppConfig


class AuthKnoxConfig(AppConfig):
    name = "auth_knox"

    def ready(self):
        from . import openapi  # noqa: F401  registers the scheme's OpenAPI description
