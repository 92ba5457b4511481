"""How the OpenAPI schema (drf-spectacular) describes DRF tokens: `tokenAuth`, one scheme for token and token-cached.

OpenAPI's `http` schemes know only `Basic` and `Bearer`, so a `Token <key>`
header is an `apiKey` in the `Authorization` header, and the description says
what to paste in Swagger UI's "Authorize" dialog.
"""
from drf_spectacular.drainage import set_override
from drf_spectacular.extensions import OpenApiAuthenticationExtension

from .authentication import CachedTokenAuthentication


class TokenScheme(OpenApiAuthenticationExtension):
    """tokenAuth: `Authorization: Token <key>`, for TokenAuthentication and its cached subclass."""

    target_class = "rest_framework.authentication.TokenAuthentication"
    match_subclasses = True
    priority = 1  # over drf-spectacular's own, which does not say where the key comes from
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "Paste `Token <key>`: the word `Token`, a space, then the key from `POST /api/token/login/`. "
                "The same key works at `/api/token/` and `/api/token-cached/`."
            ),
        }


# token-cached shares tokenAuth on purpose (the same keys work there): not a name collision.
set_override(CachedTokenAuthentication, "suppress_collision_warning", True)
