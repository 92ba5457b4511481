"""How the OpenAPI schema describes JWTs: `jwtAuth`, one bearer scheme for jwt and jwt-stateless.

drf-spectacular's own description warns that simplejwt also accepts `JWT
<access>` (OpenAPI has room for one prefix only); this one says so instead.
"""

from drf_spectacular.contrib.rest_framework_simplejwt import TokenObtainPairSerializerExtension

from api.openapi import SharedSecurityScheme

from .authentication import JWTStatelessUserAuthentication
from .serializers import LoginSerializer


class JWTScheme(SharedSecurityScheme):
    """jwtAuth: `Authorization: Bearer <access>`."""

    target_class = "rest_framework_simplejwt.authentication.JWTAuthentication"
    variants = [JWTStatelessUserAuthentication]
    name = "jwtAuth"
    definition = {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": (
            "Paste the `access` token from `POST /api/jwt/login/`; Swagger UI sends `Authorization: Bearer <access>` "
            "(the server also accepts `JWT <access>`). The same token works at `/api/jwt/` and `/api/jwt-stateless/`."
        ),
    }


class LoginSerializerScheme(TokenObtainPairSerializerExtension):
    """Our LoginSerializer (and jwt-rsa's) answers what simplejwt's does ({"access", "refresh"}): drf-spectacular's own description."""

    target_class = LoginSerializer
    match_subclasses = True
