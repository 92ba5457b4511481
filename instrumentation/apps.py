from django.apps import AppConfig


class InstrumentationConfig(AppConfig):
    name = "instrumentation"
    verbose_name = "What each request cost: X-DB-Queries, Server-Timing and the SQL panel"
