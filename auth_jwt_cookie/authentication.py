"""JSON Web Tokens in an HttpOnly cookie: simplejwt's JWTAuthentication, reading the cookie instead of the header.

Only where the raw token comes from changes (get_header, get_raw_token). What
the cookie brings with it comes from sessions: a browser sends a cookie by
itself, with requests another site makes too, so every unsafe method needs
Django's CSRF token, checked exactly as DRF's SessionAuthentication checks it
(its enforce_csrf, reused). And, as for sessions, there is no challenge to send
(no WWW-Authenticate scheme means "log in for a cookie"): DRF answers 403, not 401.
"""

from rest_framework.authentication import SessionAuthentication
from rest_framework_simplejwt import authentication as simplejwt

from auth_jwt.authentication import OwnTokenClass

from . import cookies
from .tokens import AccessToken


class JWTCookieAuthentication(OwnTokenClass, simplejwt.JWTAuthentication):
    """simplejwt's JWTAuthentication, taking this namespace's access token from its HttpOnly cookie."""

    token_class = AccessToken
    enforce_csrf = SessionAuthentication.enforce_csrf  # CSRF on unsafe methods, as for sessions

    def authenticate(self, request):
        authenticated = super().authenticate(request)  # the signature, the expiry, then the user (1 query)
        if authenticated is not None:
            self.enforce_csrf(request)
        return authenticated

    def authenticate_header(self, request):
        return None  # no challenge: DRF answers 403, as for sessions

    def get_header(self, request):
        return cookies.read(request, cookies.ACCESS)  # no cookie: None, "not my scheme"

    def get_raw_token(self, header):
        return header  # the cookie's value is the token itself, with no keyword
