from django.apps import AppConfig


class AuthSessionConfig(AppConfig):
    name = "auth_session"
