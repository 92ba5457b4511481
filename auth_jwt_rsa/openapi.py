"""How the OpenAPI schema describes RS256 JWTs: `jwtRsaAuth`, a bearer scheme of its own (jwt's tokens don't work here)."""

from api.openapi import SharedSecurityScheme


class JWTRSAScheme(SharedSecurityScheme):
    """jwtRsaAuth: `Authorization: Bearer <access>`."""

    target_class = "auth_jwt_rsa.authentication.JWTAuthentication"
    priority = 2  # over jwtAuth, which matches simplejwt's JWTAuthentication and its subclasses
    name = "jwtRsaAuth"
    definition = {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": (
            "Paste the `access` token from `POST /api/jwt-rsa/login/`; Swagger UI sends `Authorization: Bearer <access>` "
            "(the server also accepts `JWT <access>`). Signed with RS256: `/api/jwt-rsa/jwks.json` holds the public key."
        ),
    }
