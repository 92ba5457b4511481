from django.apps import AppConfig


class AuthBasicConfig(AppConfig):
    name = "auth_basic"
