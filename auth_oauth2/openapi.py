"""How the OpenAPI schema describes oauth2: `oauth2`, the authorization-code flow, so that Swagger UI's "Authorize" runs it.

Swagger UI sends the user to /o/authorize/ (the login and consent pages), takes
the code at its own oauth2-redirect.html and swaps it at /o/token/ with a PKCE
verifier (`usePkceWithAuthorizationCodeGrant`, set in settings), as the public
client drf-demo-browser.
"""

from oauth2_provider.settings import oauth2_settings

from api.openapi import SharedSecurityScheme

from .authentication import OAuth2Authentication


class OAuth2Scheme(SharedSecurityScheme):
    """oauth2: `Authorization: Bearer <access_token>`, from the authorization-code flow with PKCE."""

    target_class = "oauth2_provider.contrib.rest_framework.OAuth2Authentication"
    variants = [OAuth2Authentication]
    name = "oauth2"

    def get_security_definition(self, auto_schema):
        scopes = {name: text for name, text in oauth2_settings.SCOPES.items() if name != "introspection"}
        return {
            "type": "oauth2",
            "description": (
                "The authorization-code flow with PKCE (S256), as the public client `drf-demo-browser` (no secret): "
                '"Authorize" opens the login and consent pages of the authorization server at `/o/`.'
            ),
            "flows": {
                "authorizationCode": {
                    "authorizationUrl": "/o/authorize/",
                    "tokenUrl": "/o/token/",
                    "refreshUrl": "/o/token/",
                    "scopes": scopes,
                }
            },
        }
