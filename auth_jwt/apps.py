from django.apps import AppConfig


class AuthJwtConfig(AppConfig):
    name = "auth_jwt"

    def ready(self):
        from . import openapi  # noqa: F401  registers the scheme's OpenAPI description
