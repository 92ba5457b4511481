"""knox login, logout and logout-all: knox's views, with the user name and password in the body.

knox's own LoginView expects a user whom another scheme has authenticated
already (it is meant to sit behind Basic). Here, as at /api/token/login/, the
credentials are POSTed as JSON and checked by DRF's AuthTokenSerializer: wrong
password, unknown and inactive user get the same 400.
"""

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from knox import views as knox
from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.permissions import AllowAny

from api.throttling import LoginRateThrottle
from instrumentation.views import InstrumentedView

from .authentication import KnoxTokenAuthentication

KNOX_TOKEN = inline_serializer("KnoxToken", {"token": serializers.CharField(), "expiry": serializers.DateTimeField()})


class LoginView(InstrumentedView, knox.LoginView):
    """POST username and password; the answer is {"token": ..., "expiry": ...}, a new token on every login."""

    scheme = "knox"
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [LoginRateThrottle]

    @extend_schema(request=AuthTokenSerializer, responses=KNOX_TOKEN)
    def post(self, request, format=None):
        serializer = AuthTokenSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        request.user = serializer.validated_data["user"]  # who knox issues the token to
        return super().post(request, format)


class LogoutView(InstrumentedView, knox.LogoutView):
    """POST with 'Authorization: Token <token>': that token is deleted; the user's other tokens still work."""

    scheme = "knox"
    authentication_classes = [KnoxTokenAuthentication]

    @extend_schema(request=None, responses={204: OpenApiResponse(description="The token is deleted.")})
    def post(self, request, format=None):
        return super().post(request, format)


class LogoutAllView(InstrumentedView, knox.LogoutAllView):
    """POST with 'Authorization: Token <token>': every token of the user is deleted (every device logged out)."""

    scheme = "knox"
    authentication_classes = [KnoxTokenAuthentication]

    @extend_schema(request=None, responses={204: OpenApiResponse(description="Every token of the user is deleted.")})
    def post(self, request, format=None):
        return super().post(request, format)
