from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "The shared resource: me/ and notes/, served under every namespace"
