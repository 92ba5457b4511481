import hashlib
import math
from collections.abc import Mapping
from functools import wraps
from types import SimpleNamespace

from django.conf import settings
from django.core.cache.backends.locmem import LocMemCache
from django.http import HttpResponse
from rest_framework.throttling import SimpleRateThrottle

from outages import state
from outages.errors import CACHE, CACHE_ERRORS

# Where logins are counted while the shared cache is down: this process's memory (docs/outages.md says why).
COUNTS_WHILE_CACHE_DOWN = LocMemCache("login-throttle-while-cache-down", {})


class LoginRateThrottle(SimpleRateThrottle):
    """At most LOGIN_THROTTLE login attempts per (client IP, username) at each login endpoint.

    DRF's own throttles key on the client or on the authenticated user; a login
    attempt has no user yet, so the key adds the username it tries. The client
    is REMOTE_ADDR: settings.NUM_PROXIES = 0, so X-Forwarded-For can't reset it.

    With the cache down, the attempts are counted in each process's own memory
    (COUNTS_WHILE_CACHE_DOWN): logins go on, still throttled, at most
    LOGIN_THROTTLE per worker instead of per site (docs/outages.md).
    """

    scope = "login"
    methods = ("POST",)  # fetching the login page (and its CSRF cookie) is not an attempt; the schema reads this too

    def get_rate(self):
        return settings.LOGIN_THROTTLE  # read per request, so tests and the benchmark can change it

    def allow_request(self, request, view):
        if request.method not in self.methods:
            return True
        try:
            return super().allow_request(request, view)
        except CACHE_ERRORS as down:
            state.went_down(CACHE, down)
            self.cache = COUNTS_WHILE_CACHE_DOWN
            return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        data = request.data if hasattr(request, "data") else request.POST  # DRF's request, or a Django form's
        data = data if isinstance(data, Mapping) else {}
        attempt = f"{view.scheme}\0{self.get_ident(request)}\0{data.get('username', '')}"
        return self.cache_format % {
            "scope": self.scope,
            "ident": hashlib.sha256(attempt.encode("utf-8", "surrogatepass")).hexdigest(),
        }


def login_throttled(view, scheme="session"):
    """Django's login forms (the browsable API's, the admin's) under LOGIN_THROTTLE, counted with the session login's.

    Without this they would be a way round the API's throttle: the same passwords,
    guessed as fast as the server answers. Django has no throttle of its own.
    """

    @wraps(view)
    def throttled(request, *args, **kwargs):
        throttle = LoginRateThrottle()
        if not throttle.allow_request(request, SimpleNamespace(scheme=scheme)):
            wait = math.ceil(throttle.wait() or 1)
            message = f"Too many login attempts for this user name: try again in {wait} seconds."
            return HttpResponse(message, status=429, content_type="text/plain", headers={"Retry-After": str(wait)})
        return view(request, *args, **kwargs)

    return throttled
