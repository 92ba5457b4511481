"""How the OpenAPI schema describes jwt-cookie: `jwtCookieAuth`, an API key in a cookie (OpenAPI's `in: cookie`).

A browser sends it by itself (Swagger UI can't set an HttpOnly cookie, and
needn't: log in at /api/jwt-cookie/login/ in the same browser). Its unsafe
methods also need the CSRF header, which no security scheme describes: the
403 answers say so.
"""

from api.openapi import SharedSecurityScheme

from . import cookies


class JWTCookieScheme(SharedSecurityScheme):
    """jwtCookieAuth: the access-token cookie."""

    target_class = "auth_jwt_cookie.authentication.JWTCookieAuthentication"
    priority = 2  # over jwtAuth, which matches simplejwt's JWTAuthentication and its subclasses
    name = "jwtCookieAuth"

    def get_security_definition(self, auto_schema):
        return {  # made when the schema is: the cookie's name depends on DJANGO_HTTPS
            "type": "apiKey",
            "in": "cookie",
            "name": cookies.name(cookies.ACCESS),
            "description": (
                "The HttpOnly cookie `POST /api/jwt-cookie/login/` sets (GET it first for the `csrftoken` cookie, "
                "and send that cookie's value in `X-CSRFToken`). Unsafe methods need `X-CSRFToken` too. "
                "Works only at `/api/jwt-cookie/`: its tokens are refused at `/api/jwt/` and the reverse."
            ),
        }
