"""JSON Web Tokens: a signed token in the Authorization header ('Bearer <access>' or 'JWT <access>').

JWTAuthentication checks the signature, then loads the user by the token's id.
JWTStatelessUserAuthentication overrides only that last step: it trusts the
token's claims (user id, username) and never asks the database.
"""

from functools import cache

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import BaseAuthentication
from rest_framework_simplejwt import authentication as simplejwt
from rest_framework_simplejwt import tokens
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.utils import format_lazy

from .backends import site_backend

__all__ = ["JWTAuthentication", "JWTStatelessUserAuthentication"]


@cache
def backend():
    return site_backend()


class AccessToken(tokens.AccessToken):
    """simplejwt's AccessToken, the same HS256 key and checks, decoded by a backend that checks its key once."""

    def __init__(self, token=None, verify=True):
        self.exp_checked = token is not None and verify  # by PyJWT, in decode (below)
        super().__init__(token, verify)

    def get_token_backend(self):
        return backend()

    def check_exp(self, claim="exp", current_time=None):
        """simplejwt's check of "exp", less what PyJWT has just checked: the claim's presence is left.

        simplejwt's verify() checks "exp" against the time the token was read,
        with the backend's leeway; PyJWT's decode has checked the same, with the
        same leeway, a moment later. Asking again cost about a tenth of
        jwt-stateless's authentication (datetimes from the epoch, the leeway).
        """
        if claim == "exp" and current_time is None and self.exp_checked:
            if claim not in self.payload:  # PyJWT checks "exp" only if present: simplejwt requires it
                raise TokenError(format_lazy(_("Token has no '{}' claim"), claim))
            return
        super().check_exp(claim, current_time)


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

    def __init__(self, *args, **kwargs):
        # Not simplejwt's JWTAuthentication.__init__: all it adds is self.user_model = get_user_model(), a
        # lookup in Django's app registry on every request (DRF makes a request's authenticators anew) for
        # a model that this class never loads. Asked for, it is there (below).
        BaseAuthentication.__init__(self, *args, **kwargs)

    @property
    def user_model(self):
        return get_user_model()
