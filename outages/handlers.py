"""DRF's exception handler, with an unreachable service answered as outages.responses.refusal."""

from rest_framework.views import exception_handler as drf_exception_handler

from .errors import service_down
from .responses import refusal


def exception_handler(exc, context):
    service = service_down(exc)
    if service:
        # A plain response, not rendered by the browsable API: its page would ask the same service again.
        return refusal(context["request"]._request, service, exc)
    return drf_exception_handler(exc, context)
