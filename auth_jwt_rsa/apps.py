from django.apps import AppConfig


class AuthJwtRsaConfig(AppConfig):
    name = "auth_jwt_rsa"

    def ready(self):
        from . import openapi  # noqa: F401  registers the scheme's OpenAPI description
        from .keys import site_keys

        site_keys()  # at start-up: a missing or unreadable key stops the server, not its first login
