"""simplejwt's tokens with a token type of their own, so that each JWT namespace refuses the other's.

jwt-cookie is signed with the same key as jwt (SIMPLE_JWT's SIGNING_KEY): the
signature alone would let a token from /api/jwt/login/ pass as a cookie here,
and the reverse. simplejwt checks the `token_type` claim of every token it
reads (Token.verify_token_type): a type of their own is all it takes. jwt's
AccessToken wants "access", its RefreshToken "refresh"; these carry neither.
"""

from rest_framework_simplejwt import tokens as simplejwt


class AccessToken(simplejwt.AccessToken):
    token_type = "cookie-access"


class RefreshToken(simplejwt.RefreshToken):
    token_type = "cookie-refresh"
    access_token_class = AccessToken
