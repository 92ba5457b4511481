from django.apps import AppConfig


class AuthJwtCookieConfig(AppConfig):
    name = "auth_jwt_cookie"

    def ready(self):
        from . import openapi  # noqa: F401  registers the scheme's OpenAPI description
