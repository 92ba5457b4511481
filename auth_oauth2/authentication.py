"""OAuth 2.0 access tokens (RFC 6749, RFC 6750): `Authorization: Bearer <token>`, issued by the authorization server at /o/.

Compare auth_token: there the API checks the password and hands out the key;
here django-oauth-toolkit (DOT), the authorization server, does: the user logs
in on its page, approves the client on its consent page, and the client swaps
the code it gets for a token (with PKCE, RFC 7636). This namespace, the
resource server, only checks the token: one row of DOT's table, found by the
token's SHA-256, joined to its application and user.
"""

from oauth2_provider.contrib.rest_framework import OAuth2Authentication as DOTAuthentication
from rest_framework.authentication import get_authorization_header

__all__ = ["OAuth2Authentication"]


class OAuth2Authentication(DOTAuthentication):
    """DOT's DRF class (it hands the request to oauthlib's verify_request), taking the token from the header only.

    oauthlib also reads an `access_token` form field (RFC 6750 §2.2) or query
    parameter (§2.3; refused by DOT's COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT):
    both put the token where logs, caches and Referer headers keep it (RFC 9700
    §4.3.2). Without `Authorization: Bearer`, this class says "not my scheme".
    """

    keyword = "Bearer"

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        authenticated = super().authenticate(request)
        if authenticated is None or authenticated[0] is not None:
            return authenticated
        # A token a client got for itself (client credentials) names no user: it acts as the user who owns
        # the client, a service account (auth_oauth2/clients.py), or as nobody.
        token = authenticated[1]
        owner = token.application and token.application.user
        return (owner, token) if owner is not None else None

    def authenticate_header(self, request):
        # The challenge jwt's namespaces give, `Bearer realm="api"`, whatever was wrong: DOT would add RFC 6750's
        # error="invalid_token" and its description, which the 401's `detail` already says.
        return f'{self.keyword} realm="{self.www_authenticate_realm}"'
