"""Session login and logout as JSON endpoints, with Django's CSRF rules."""

from django.contrib.auth import login, logout
from django.middleware.csrf import get_token
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from api.openapi import ErrorSerializer
from api.throttling import LoginRateThrottle
from instrumentation.views import InstrumentedView

from .authentication import SessionAuthentication


class LoginView(InstrumentedView, APIView):
    """GET sets the csrftoken cookie; POST username and password with its value in X-CSRFToken."""

    scheme = "session"
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [LoginRateThrottle]

    @extend_schema(responses=inline_serializer("SessionLoginHelp", {"detail": serializers.CharField()}))
    def get(self, request):
        get_token(request)  # sets the csrftoken cookie
        return Response(
            {"detail": "POST username and password here, with the csrftoken cookie's value in X-CSRFToken."}
        )

    @extend_schema(
        request=AuthTokenSerializer,
        responses={
            200: inline_serializer("SessionLogin", {"username": serializers.CharField()}),
            403: OpenApiResponse(
                ErrorSerializer, "No valid CSRF token: the `csrftoken` cookie's value in `X-CSRFToken`."
            ),
        },
    )
    def post(self, request):
        # APIView is csrf_exempt, and DRF checks CSRF only for a logged-in user;
        # a login form must check it too (as Django's LoginView does), or another
        # site could log the browser in to an account of its choosing.
        SessionAuthentication().enforce_csrf(request)
        serializer = AuthTokenSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        login(request._request, user)  # a new session key: no session fixation
        return Response({"username": user.get_username()})


class LogoutView(InstrumentedView, APIView):
    """POST (with X-CSRFToken) to end the session: its row is deleted, the old cookie no longer works."""

    scheme = "session"
    authentication_classes = [SessionAuthentication]

    @extend_schema(request=None, responses={204: OpenApiResponse(description="The session is over.")})
    def post(self, request):
        logout(request._request)
        return Response(status=204)
