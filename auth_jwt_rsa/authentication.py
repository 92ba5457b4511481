"""JSON Web Tokens signed with RSA (RS256): 'Bearer <access>' or 'JWT <access>', as at /api/jwt/.

The same simplejwt JWTAuthentication: check the signature, then load the user
by the token's id (1 query). Only the token class differs: its signature is
checked with the public key that /api/jwt-rsa/jwks.json publishes, so any
server holding that JWKS can check it, and none can make one.
"""

from rest_framework_simplejwt import authentication as simplejwt

from auth_jwt.authentication import OwnTokenClass

from .tokens import AccessToken


class JWTAuthentication(OwnTokenClass, simplejwt.JWTAuthentication):
    """simplejwt's JWTAuthentication, taking this namespace's RS256 access tokens only."""

    token_class = AccessToken
