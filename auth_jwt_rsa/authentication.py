"""JSON Web Tokens signed with RSA (RS256): 'Bearer <access>' or 'JWT <access>', as at /api/jwt/.

The same simplejwt JWTAuthentication: check the signature, then load the user
by the token's id (1 query). Only the token class differs: its signature is
checked with the public key that /api/jwt-rsa/jwks.json publishes, so any
server holding that JWKS can check it, and none can make one.
"""

from rest_framework_simplejwt import authentication as simplejwt
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError

from .tokens import AccessToken


class JWTAuthentication(simplejwt.JWTAuthentication):
    """simplejwt's JWTAuthentication, taking this namespace's RS256 access tokens only."""

    token_class = AccessToken

    def get_validated_token(self, raw_token):
        # simplejwt's tries SIMPLE_JWT's AUTH_TOKEN_CLASSES, which are jwt's (HS256): try this one, in the same words.
        try:
            return self.token_class(raw_token)
        except TokenError as e:
            message = {"token_class": self.token_class.__name__, "token_type": self.token_class.token_type}
            raise InvalidToken(
                {"detail": "Given token not valid for any token type", "messages": [{**message, "message": e.args[0]}]}
            ) from e
