"""OutageMiddleware: the site's pages and API answer 503 with a reason, not a 500, while the database or the cache is down."""

import threading
import time

from django.core.cache import cache

from . import state
from .errors import CACHE, CACHE_ERRORS, service_down
from .responses import refusal


class OutageMiddleware:
    """Turns an unreachable database or cache into outages.responses.refusal, in DEBUG and not.

    Right after the instrumentation (which only counts and times), before
    everything that may ask a service: the session, the views. A view's outage
    arrives in process_exception (before Django would render its 500 or debug
    page); DRF views reach the same refusal through outages.handlers. An outage
    raised by a middleware further in has already become a 500 when it comes
    back here: outages.signals marked the request, and it becomes the 503.
    """

    probe_every = 1.0  # seconds between checks, per process, that a cache found down is back

    def __init__(self, get_response):
        self.get_response = get_response
        self.probed = 0.0
        self.lock = threading.Lock()

    def __call__(self, request):
        response = self.get_response(request)
        outage = getattr(request, "outage", None)
        if outage and response.status_code == 500:
            response = refusal(request, *outage)
        elif outage is None and state.is_down(CACHE):
            self.probe_cache()
        return response

    def process_exception(self, request, exception):
        service = service_down(exception)
        return refusal(request, service, exception) if service else None

    def probe_cache(self):
        """Is the cache back? (The database says so itself: outages.signals.) Once a second at most, while it is down."""
        with self.lock:
            now = time.monotonic()
            if now - self.probed < self.probe_every:
                return
            self.probed = now
        try:
            cache.get("outages:probe")
        except CACHE_ERRORS:
            return
        state.came_back(CACHE)
