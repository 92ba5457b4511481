"""The three cookies of jwt-cookie: their names, their paths and their attributes, in one place.

- the access token, sent to /api/jwt-cookie/ (me/, notes/, and refresh/ and logout/ too);
- the refresh token, twice: once for refresh/ and once for logout/, the only two
  URLs that need it. A cookie has one Path, and the two URLs share no prefix
  narrower than /api/jwt-cookie/: a single refresh cookie there would travel with
  every me/ and notes/ request, which need only the short-lived access token.

All HttpOnly: no script on the page can read them (document.cookie does not show
them). SameSite=Strict (settings.JWT_COOKIE_SAMESITE): a browser sends them only with
requests that another site did not start, not even a link followed from another site.
Lax would do against forged POSTs (it holds cookies back from cross-site POSTs and
fetches, and only GETs are safe here); Strict costs this API nothing, since no one
arrives at /api/jwt-cookie/ by a link from elsewhere expecting to be logged in. The CSRF
token is required all the same: SameSite does not tell apart two origins of one site
(127.0.0.1:8000 and 127.0.0.1:8001, or a.example.com and b.example.com).

Over HTTPS (DJANGO_HTTPS=1) they are Secure and named `__Secure-...`: a browser accepts
a cookie of that name only from an HTTPS response, with Secure set, so a page served over
plain HTTP (or a network attacker's injected response) cannot plant one. The stronger
`__Host-` prefix also forbids a Domain attribute, so that no sibling subdomain can set it;
but it demands Path=/, which would send the tokens with every request to the site:
these keep their narrow paths and the `__Secure-` prefix.
"""

from django.conf import settings
from django.urls import reverse
from rest_framework_simplejwt.settings import api_settings

ACCESS = "jwt_access"
REFRESH = "jwt_refresh"  # the refresh token, for refresh/
LOGOUT = "jwt_refresh_logout"  # the same refresh token, for logout/


def name(base):
    """The cookie's name as the site sets it: with the `__Secure-` prefix over HTTPS."""
    return f"__Secure-{base}" if settings.HTTPS else base


def paths():
    """{cookie: the Path it is sent to}."""
    root = reverse("jwt-cookie:root")
    return {ACCESS: root, REFRESH: reverse("jwt-cookie:refresh"), LOGOUT: reverse("jwt-cookie:logout")}


def attributes(base):
    return {
        "path": paths()[base],
        "secure": settings.HTTPS,
        "httponly": True,
        "samesite": settings.JWT_COOKIE_SAMESITE,
    }


def read(request, base):
    """The raw token in the request's cookie, or None (an empty cookie, as a deleted one, counts as none)."""
    return request.COOKIES.get(name(base)) or None


def set_tokens(response, tokens):
    """Move the tokens of simplejwt's answer ({"access", "refresh"}) into cookies; the answer's body keeps neither."""
    lifetimes = {ACCESS: api_settings.ACCESS_TOKEN_LIFETIME, REFRESH: api_settings.REFRESH_TOKEN_LIFETIME}
    lifetimes[LOGOUT] = lifetimes[REFRESH]
    values = {ACCESS: tokens["access"], REFRESH: tokens["refresh"], LOGOUT: tokens["refresh"]}
    for base, value in values.items():
        response.set_cookie(name(base), value, max_age=int(lifetimes[base].total_seconds()), **attributes(base))


def delete_tokens(response):
    """Set-Cookie with Max-Age=0 for each cookie, on its own Path: a browser drops a cookie only if both match."""
    for base in (ACCESS, REFRESH, LOGOUT):
        attrs = attributes(base)
        # Django's delete_cookie takes no httponly; Max-Age=0 and an expiry in 1970 all the same.
        response.set_cookie(name(base), "", max_age=0, expires="Thu, 01 Jan 1970 00:00:00 GMT", **attrs)
