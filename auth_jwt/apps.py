from django.apps import AppConfig


class AuthJwtConfig(AppConfig):
    name = "auth_jwt"
