"""jwt's login, refresh and logout, with the tokens in HttpOnly cookies and Django's CSRF check on each POST.

simplejwt's views do the work; each one here reads the refresh token from its
cookie instead of the body, and moves the tokens of the answer into cookies.
No response body ever holds a token (OWASP ASVS 5.0, 3.3.4): a script injected
into the page can't read what it is never given.
"""

from django.middleware.csrf import get_token
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import AuthenticationFailed, NotAuthenticated, ValidationError
from rest_framework.response import Response

from api.openapi import ErrorSerializer
from auth_jwt import views as jwt

from . import cookies
from .authentication import JWTCookieAuthentication
from .serializers import LoginSerializer, LogoutSerializer, RefreshSerializer

USERNAME = inline_serializer("CookieLogin", {"username": serializers.CharField()})
NO_CSRF = OpenApiResponse(ErrorSerializer, "No valid CSRF token (the `csrftoken` cookie's value in `X-CSRFToken`).")
REFUSED = OpenApiResponse(
    ErrorSerializer,
    "No valid CSRF token, or no refresh cookie, or one that is expired, blacklisted or not this namespace's.",
)


class CookieTokenView:
    """What the three views share: Django's CSRF check on POST, and no challenge."""

    scheme = "jwt-cookie"
    csrf_passed = False

    def get_authenticate_header(self, request):
        # simplejwt's views answer 401 with `Bearer realm="api"`; no Bearer header is asked for here: 403, as for sessions.
        return None

    def post(self, request, *args, **kwargs):
        # simplejwt's views have no authentication class, so DRF checks no CSRF token: a forged login would log
        # the browser in to the attacker's account, a forged refresh or logout spend the user's refresh token.
        JWTCookieAuthentication().enforce_csrf(request)
        self.csrf_passed = True
        return super().post(request, *args, **kwargs)


class ReadsRefreshCookie:
    """simplejwt's serializers take {"refresh": ...} from the body: give them the cookie's."""

    refresh_cookie = cookies.REFRESH

    def get_serializer(self, *args, **kwargs):
        if "data" not in kwargs:  # the browsable API's form: a POST button, no field (the token is in the cookie)
            return serializers.Serializer()
        raw = cookies.read(self.request, self.refresh_cookie)
        if raw is None:
            raise NotAuthenticated("No refresh cookie: log in at /api/jwt-cookie/login/.")
        return super().get_serializer(*args, **{**kwargs, "data": {"refresh": raw}})

    def post(self, request, *args, **kwargs):
        try:
            return super().post(request, *args, **kwargs)
        except ValidationError as refused:  # {"refresh": [...]} would name a body field the client never sent
            messages = refused.detail.get("refresh", []) if isinstance(refused.detail, dict) else refused.detail
            raise AuthenticationFailed(
                " ".join(["The refresh cookie is not a token:", *map(str, messages)])
            ) from refused


class LoginView(CookieTokenView, jwt.LoginView):
    """GET sets the csrftoken cookie; POST username and password with its value in X-CSRFToken: the tokens come as cookies."""

    serializer_class = LoginSerializer
    http_method_names = ["get", "post", "options"]

    @extend_schema(responses=inline_serializer("CookieLoginHelp", {"detail": serializers.CharField()}))
    def get(self, request):
        get_token(request)  # sets the csrftoken cookie
        return Response(
            {"detail": "POST username and password here, with the csrftoken cookie's value in X-CSRFToken."}
        )

    @extend_schema(request=LoginSerializer, responses={200: USERNAME, 403: NO_CSRF})
    def post(self, request, *args, **kwargs):
        try:
            response = super().post(request, *args, **kwargs)
        except AuthenticationFailed as refused:
            # simplejwt's 401 needs a challenge this login hasn't got (DRF would make it a 403, the CSRF refusal's
            # status): a wrong password is a 400 here, as at session's login, in simplejwt's words.
            raise ValidationError({"detail": refused.detail}) from refused
        cookies.set_tokens(response, response.data)
        response.data = {"username": self.login.user.get_username()}
        return response

    def get_serializer(self, *args, **kwargs):
        self.login = super().get_serializer(*args, **kwargs)  # post() needs its user
        return self.login


@jwt.ANSWERS_EMPTY_OBJECT
class RefreshView(CookieTokenView, ReadsRefreshCookie, jwt.RefreshView):
    """POST (with X-CSRFToken) and the refresh cookie: both tokens are set anew as cookies. The old refresh token is blacklisted."""

    serializer_class = RefreshSerializer

    @extend_schema(request=None, responses={403: REFUSED})
    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        cookies.set_tokens(response, response.data)
        response.data = {}
        return response


@jwt.ANSWERS_EMPTY_OBJECT
class LogoutView(CookieTokenView, ReadsRefreshCookie, jwt.LogoutView):
    """POST (with X-CSRFToken): the refresh token is blacklisted, and the browser told to drop all three cookies.

    The access token is not: like jwt's, a copy of it works until it expires (JWT_ACCESS_SECONDS).
    """

    serializer_class = LogoutSerializer
    refresh_cookie = cookies.LOGOUT

    @extend_schema(request=None, responses={403: REFUSED})
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        # Refused or not (an expired refresh token can't be blacklisted), the browser forgets the tokens.
        # A refused CSRF token keeps them: another site must not be able to log the user out.
        if self.csrf_passed:
            cookies.delete_tokens(response)
        return super().finalize_response(request, response, *args, **kwargs)
