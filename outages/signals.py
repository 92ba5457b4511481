"""Noticing that the database is back: Django says so when it opens a new connection."""

from django.core.signals import got_request_exception
from django.db.backends.signals import connection_created
from django.dispatch import receiver

from . import state
from .errors import DATABASE, service_down


@receiver(connection_created)
def database_answered(sender, connection, **kwargs):
    state.came_back(DATABASE)


@receiver(got_request_exception)
def remember_outage(sender, request=None, **kwargs):
    """An outage raised where no view catches it (another middleware): OutageMiddleware turns the 500 into a 503."""
    import sys

    service = service_down(sys.exc_info()[1])
    if request is not None and service:
        request.outage = (service, sys.exc_info()[1])
