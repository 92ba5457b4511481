from django.apps import AppConfig


class AuthTokenConfig(AppConfig):
    name = "auth_token"

    def ready(self):
        from . import openapi  # noqa: F401  registers the scheme's OpenAPI description
