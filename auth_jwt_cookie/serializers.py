from drf_spectacular.drainage import set_override
from rest_framework_simplejwt.serializers import TokenBlacklistSerializer

from auth_jwt import serializers as jwt

from .tokens import RefreshToken


class LoginSerializer(jwt.LoginSerializer):
    """jwt's login (with the `username` claim), issuing this namespace's tokens."""

    token_class = RefreshToken


class RefreshSerializer(jwt.RefreshSerializer):
    """jwt's refresh, for this namespace's refresh tokens: they rotate, and the used one is blacklisted."""

    token_class = RefreshToken


class LogoutSerializer(TokenBlacklistSerializer):
    """simplejwt's logout (blacklist), for this namespace's refresh tokens."""

    token_class = RefreshToken


for serializer in (LoginSerializer, RefreshSerializer, LogoutSerializer):
    set_override(serializer, "suppress_collision_warning", True)
