"""How the OpenAPI schema describes knox: `knoxAuth`, an `Authorization: Token <token>` header like DRF's tokens.

Its own scheme, not tokenAuth: the same header, but a DRF key is refused here
and a knox token at /api/token/, so Swagger UI keeps one "Authorize" for each.
"""

from api.openapi import SharedSecurityScheme


class KnoxScheme(SharedSecurityScheme):
    """knoxAuth: `Authorization: Token <token>`, for our KnoxTokenAuthentication subclass too."""

    target_class = "knox.auth.TokenAuthentication"
    name = "knoxAuth"
    definition = {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": (
            "Paste `Token <token>`: the word `Token`, a space, then the token from `POST /api/knox/login/`. "
            "It expires after KNOX_TOKEN_SECONDS; the database keeps only its digest."
        ),
    }
