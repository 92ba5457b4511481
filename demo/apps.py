from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "demo"
    verbose_name = "The shared resource and instrumentation"
