"""Token login and logout: DRF's ObtainAuthToken, throttled, and a logout that deletes the key."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response
from rest_framework.views import APIView

from api.throttling import LoginRateThrottle
from instrumentation.views import InstrumentedView

from .authentication import TokenAuthentication


class LoginView(InstrumentedView, ObtainAuthToken):
    """POST username and password; the answer is {"token": key}, the same key until logout."""

    scheme = "token"
    throttle_classes = [LoginRateThrottle]
    parser_classes = APIView.parser_classes  # the project's parsers: ObtainAuthToken names DRF's own


class LogoutView(InstrumentedView, APIView):
    """POST with 'Authorization: Token <key>': the key is deleted and no longer works."""

    scheme = "token"
    authentication_classes = [TokenAuthentication]

    @extend_schema(request=None, responses={204: OpenApiResponse(description="The key is deleted.")})
    def post(self, request):
        request.auth.delete()
        return Response(status=204)
