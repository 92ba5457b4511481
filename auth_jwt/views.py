"""JWT login, refresh, verify and logout: simplejwt's views, throttled and instrumented.

The Tutorial* views answer at the URLs of the JWT tutorial (docs/jwt-tutorial.md), in
its shape ({"token": ...}), so that its curl commands work as written.
"""

from collections.abc import Mapping

from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import serializers
from rest_framework_simplejwt import views as simplejwt

from api.throttling import LoginRateThrottle
from instrumentation.views import InstrumentedView

from .serializers import LoginSerializer, RefreshSerializer, VerifySerializer


class LoginView(InstrumentedView, simplejwt.TokenObtainPairView):
    """POST username and password; the answer is {"access": ..., "refresh": ...}."""

    scheme = "jwt"
    serializer_class = LoginSerializer
    throttle_classes = [LoginRateThrottle]


class RefreshView(InstrumentedView, simplejwt.TokenRefreshView):
    """POST {"refresh": ...}; the answer is a new access token and a new refresh token. The old one is blacklisted."""

    scheme = "jwt"
    serializer_class = RefreshSerializer


# What verify and logout answer: simplejwt's `{}` (without this, the schema would say "no body").
ANSWERS_EMPTY_OBJECT = extend_schema_view(post=extend_schema(responses={200: {"type": "object", "maxProperties": 0}}))


@ANSWERS_EMPTY_OBJECT
class VerifyView(InstrumentedView, simplejwt.TokenVerifyView):
    """POST {"token": ...}: 200 if it is valid, 401 if not."""

    scheme = "jwt"
    serializer_class = VerifySerializer


@ANSWERS_EMPTY_OBJECT
class LogoutView(InstrumentedView, simplejwt.TokenBlacklistView):
    """POST {"refresh": ...}: that refresh token is blacklisted. Access tokens already issued work until they expire."""

    scheme = "jwt"


# The tutorial's answer, for the OpenAPI schema.
TUTORIAL_TOKENS = inline_serializer(
    "TutorialTokens", {"token": serializers.CharField(), "refresh": serializers.CharField()}
)


class TutorialLoginView(LoginView):
    """The tutorial's /jwt-auth/ and /auth-jwt/: {"token": <access>, "refresh": <refresh>}."""

    @extend_schema(tags=["tutorial"], responses=TUTORIAL_TOKENS)
    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        response.data = {"token": response.data["access"], "refresh": response.data["refresh"]}
        return response


class TutorialRefreshView(RefreshView):
    """The tutorial's /auth-jwt-refresh/: takes {"refresh"} or {"token": <refresh>}, answers {"token": <access>, "refresh"}."""

    def get_serializer(self, *args, data=None, **kwargs):
        if isinstance(data, Mapping) and "refresh" not in data and "token" in data:
            data = {"refresh": data["token"]}
        return super().get_serializer(*args, data=data, **kwargs)

    @extend_schema(tags=["tutorial"], responses=TUTORIAL_TOKENS)
    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        response.data = {"token": response.data["access"], "refresh": response.data["refresh"]}
        return response
