from django.apps import AppConfig


class AuthOAuth2IntrospectConfig(AppConfig):
    name = "auth_oauth2_introspect"
    verbose_name = "oauth2-introspect: a resource server that asks the authorization server about each token"

    def ready(self):
        from . import openapi  # noqa: F401  registers the scheme's OpenAPI description
