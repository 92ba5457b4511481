from drf_spectacular.drainage import set_override
from rest_framework_simplejwt.serializers import TokenBlacklistSerializer

from auth_jwt import serializers as jwt

from .tokens import RefreshToken, UntypedToken


class LoginSerializer(jwt.LoginSerializer):
    """jwt's login (with the `username` claim), issuing RS256 tokens."""

    token_class = RefreshToken


class RefreshSerializer(jwt.RefreshSerializer):
    """jwt's refresh, for RS256 refresh tokens: they rotate, and the used one is blacklisted."""

    token_class = RefreshToken


class VerifySerializer(jwt.VerifySerializer):
    """jwt's verify, for RS256 tokens."""

    token_class = UntypedToken


class LogoutSerializer(TokenBlacklistSerializer):
    """simplejwt's logout (blacklist), for RS256 refresh tokens."""

    token_class = RefreshToken


# The same request and answer as jwt's: one OpenAPI component each, on purpose.
for serializer in (LoginSerializer, RefreshSerializer, VerifySerializer):
    set_override(serializer, "suppress_collision_warning", True)
