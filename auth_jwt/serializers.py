from django.contrib.auth import get_user_model
from rest_framework import serializers
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken
from rest_framework_simplejwt.serializers import (
    TokenObtainPairSerializer,
    TokenRefreshSerializer,
    TokenVerifySerializer,
)


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
    """simplejwt's verify; a blacklisted token is invalid like any other: 401 (simplejwt answers 400)."""

    def validate(self, attrs):
        try:
            return super().validate(attrs)
        except serializers.ValidationError:
            raise InvalidToken("Token is blacklisted") from None
