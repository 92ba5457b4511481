"""jwt's login, refresh, verify and logout, with tokens signed by the site's key pair; and the JWKS, the public key that checks them."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from auth_jwt import views as jwt
from instrumentation.views import InstrumentedView

from .keys import site_keys
from .serializers import LoginSerializer, LogoutSerializer, RefreshSerializer, VerifySerializer


class LoginView(jwt.LoginView):
    """POST username and password; the answer is {"access": ..., "refresh": ...}, both signed with the site's private key."""

    scheme = "jwt-rsa"
    serializer_class = LoginSerializer


class RefreshView(jwt.RefreshView):
    """POST {"refresh": ...}; the answer is a new access token and a new refresh token. The old one is blacklisted."""

    scheme = "jwt-rsa"
    serializer_class = RefreshSerializer


class VerifyView(jwt.VerifyView):
    """POST {"token": ...}: 200 if it is valid, 401 if not."""

    scheme = "jwt-rsa"
    serializer_class = VerifySerializer


class LogoutView(jwt.LogoutView):
    """POST {"refresh": ...}: that refresh token is blacklisted. Access tokens already issued work until they expire."""

    scheme = "jwt-rsa"
    serializer_class = LogoutSerializer


# Every key names kid, kty, use and alg; the rest depends on its type: n and e (RSA), crv, x and y (EC), crv and x (OKP).
JWK = inline_serializer(
    "JWK",
    {
        **{name: serializers.CharField() for name in ("kid", "kty", "use", "alg")},
        **{name: serializers.CharField(required=False) for name in ("n", "e", "crv", "x", "y")},
    },
    many=True,
)


class JWKSView(InstrumentedView, APIView):
    """The public key that checks this namespace's tokens, as a JSON Web Key Set (RFC 7517). Nothing in it is secret."""

    scheme = "jwt-rsa"
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(responses=inline_serializer("JWKS", {"keys": JWK}))
    def get(self, request):
        return Response(site_keys()[1])
