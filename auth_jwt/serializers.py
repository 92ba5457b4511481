from django.contrib.auth import get_user_model
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken
from rest_framework_simplejwt.serializers import (
    TokenObtainPairSerializer,
    TokenRefreshSerializer,
    TokenVerifySerializer,
)
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken
from rest_framework_simplejwt.tokens import UntypedToken


class LoginSerializer(TokenObtainPairSerializer):
    """simplejwt's login, plus a `username` claim, so that jwt-stateless can answer me/ without loading the user."""

    @classmethod
    def get_token(cls, user):
        token = super().get_token(user)
        token["username"] = user.get_username()
        return token


class RefreshSerializer(TokenRefreshSerializer):
    """simplejwt's refresh; the token of a deleted user is a 401 (simplejwt 5.5 lets DoesNotExist become a 500)."""

    def validate(self, attrs):
        try:
            return super().validate(attrs)
        except get_user_model().DoesNotExist:
            raise AuthenticationFailed(self.error_messages["no_active_account"], "no_active_account") from None


class VerifySerializer(TokenVerifySerializer):
    """simplejwt's verify; a blacklisted token is invalid like any other: 401 (simplejwt answers 400).

    The token class is a hook, as in simplejwt's other serializers (its own
    verify names UntypedToken): jwt-rsa's verify names its RS256 one.
    """

    token_class = UntypedToken

    def validate(self, attrs):
        token = self.token_class(attrs["token"])  # the signature and expiry, whatever the token's type
        if BlacklistedToken.objects.filter(token__jti=token.get(api_settings.JTI_CLAIM)).exists():
            raise InvalidToken("Token is blacklisted")
        return {}
