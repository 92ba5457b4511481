from django.apps import AppConfig


class MeasurementsConfig(AppConfig):
    name = "measurements"
    verbose_name = "The measurements: compare_auth, account events, the stolen database, login costs"
