"""How the OpenAPI schema describes DRF tokens: `tokenAuth`, one scheme for token and token-cached.

OpenAPI's `http` schemes know only `Basic` and `Bearer`, so a `Token <key>`
header is an `apiKey` in the `Authorization` header, and the description says
what to paste in Swagger UI's "Authorize" dialog.
"""

from api.openapi import SharedSecurityScheme

from .authentication import CachedTokenAuthentication


class TokenScheme(SharedSecurityScheme):
    """tokenAuth: `Authorization: Token <key>`."""

    target_class = "rest_framework.authentication.TokenAuthentication"
    variants = [CachedTokenAuthentication]
    name = "tokenAuth"
    definition = {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": (
            "Paste `Token <key>`: the word `Token`, a space, then the key from `POST /api/token/login/`. "
            "The same key works at `/api/token/` and `/api/token-cached/`."
        ),
    }
