import hashlib
from collections.abc import Mapping

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle


class LoginRateThrottle(SimpleRateThrottle):
    """At most LOGIN_THROTTLE login attempts per (client IP, username) at each login endpoint.

    DRF's own throttles key on the client or on the authenticated user; a login
    attempt has no user yet, so the key adds the username it tries. The client
    is REMOTE_ADDR: settings.NUM_PROXIES = 0, so X-Forwarded-For can't reset it.
    """

    scope = "login"

    def get_rate(self):
        return settings.LOGIN_THROTTLE  # read per request, so tests and the benchmark can change it

    def allow_request(self, request, view):
        if request.method != "POST":  # fetching the login page (and its CSRF cookie) is not an attempt
            return True
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        data = request.data if isinstance(request.data, Mapping) else {}
        attempt = f"{view.scheme}\0{self.get_ident(request)}\0{data.get('username', '')}"
        return self.cache_format % {
            "scope": self.scope,
            "ident": hashlib.sha256(attempt.encode("utf-8", "surrogatepass")).hexdigest(),
        }
