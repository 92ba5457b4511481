"""JSON Web Tokens: a signed token in the Authorization header ('Bearer <access>' or 'JWT <access>').

JWTAuthentication checks the signature, then loads the user by the token's id.
JWTStatelessUserAuthentication overrides only that last step: it trusts the
token's claims (user id, username) and never asks the database.
"""

from functools import cache

from rest_framework_simplejwt import authentication as simplejwt
from rest_framework_simplejwt import tokens
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError

from .backends import site_backend

__all__ = ["JWTAuthentication", "JWTStatelessUserAuthentication"]


@cache
def backend():
    return site_backend()


class AccessToken(tokens.AccessToken):
    """simplejwt's AccessToken, the same HS256 key and checks, decoded by a backend that checks its key once."""

    def get_token_backend(self):
        return backend()


class OwnTokenClass:
    """simplejwt's get_validated_token for a namespace whose access tokens are of one class of its own: `token_class`.

    simplejwt's tries SIMPLE_JWT's AUTH_TOKEN_CLASSES (jwt's AccessToken); a
    namespace with tokens of its own (jwt-rsa's key, jwt-cookie's type) tries
    its own only, and refuses in simplejwt's own words.
    """

    token_class = None

    def get_validated_token(self, raw_token):
        try:
            return self.token_class(raw_token)
        except TokenError as e:
            message = {"token_class": self.token_class.__name__, "token_type": self.token_class.token_type}
            raise InvalidToken(
                {"detail": "Given token not valid for any token type", "messages": [{**message, "message": e.args[0]}]}
            ) from e


class JWTStatelessUserAuthentication(OwnTokenClass, simplejwt.JWTStatelessUserAuthentication):
    """simplejwt's JWTStatelessUserAuthentication, with jwt's tokens checked by KeyCheckedOnceBackend (auth_jwt/backends.py)."""

    token_class = AccessToken
