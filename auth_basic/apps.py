from django.apps import AppConfig


class AuthBasicConfig(AppConfig):
    name = "auth_basic"

    def ready(self):
        from . import openapi  # noqa: F401  registers the scheme's OpenAPI description
