"""The one answer to "a service is down": 503, what is down, when to try again; JSON for clients, a line of HTML for people."""

from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string

from . import state
from .errors import CACHE, DATABASE

RETRY_AFTER = 5  # seconds: a restarted PostgreSQL or Redis is usually back by then

DETAILS = {
    DATABASE: "The database cannot be reached right now. Nothing was changed; try again in a few seconds.",
    CACHE: "The cache cannot be reached right now. Nothing was changed; try again in a few seconds.",
}


def wants_html(request):
    """A browser asking for a page (text/html before anything else), not an API client (JSON, */* or nothing)."""
    if request.GET.get("format") == "json":
        return False
    return request.get_preferred_type(["application/json", "text/html"]) == "text/html"


def refusal(request, service, exc):
    """The 503 for `request`, which failed because `service` is down; notes the outage (logged once, not per request)."""
    state.went_down(service, exc)
    detail = DETAILS.get(service) or getattr(exc, "detail", "")
    body = {"detail": detail, "code": f"{service.replace(' ', '_')}_unavailable"}
    if wants_html(request):
        # No request context: its processors would ask for request.user, perhaps of the database that is down.
        html = render_to_string("outages/unavailable.html", {**body, "service": service, "retry_after": RETRY_AFTER})
        response = HttpResponse(html, status=503)
    else:
        response = JsonResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    response._has_been_logged = (
        True  # Django would log "Service Unavailable: <path>" for each one; state logged it once
    )
    request.outage = (service, exc)
    return response
