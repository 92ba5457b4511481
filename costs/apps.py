from django.apps import AppConfig


class CostsConfig(AppConfig):
    """What a request costs and where its time goes: the JWT algorithms table and the per-namespace profile (/costs/)."""

    name = "costs"
