from django.apps import AppConfig


class AuthOAuth2Config(AppConfig):
    name = "auth_oauth2"

    def ready(self):
        from . import openapi  # noqa: F401  registers the scheme's OpenAPI description
