"""The site's URLconf plus one line: the step README's "Add a scheme" asks of config/urls.py."""

from django.urls import path

from auth_token.views import LoginView, LogoutView
from config.urls import namespace, urlpatterns

from .library import VisitLoggingTokenAuthentication

ENDPOINTS = [path("login/", LoginView.as_view(), name="login"), path("logout/", LogoutView.as_view(), name="logout")]

urlpatterns = [
    *urlpatterns,
    namespace("token-again", [VisitLoggingTokenAuthentication], ENDPOINTS),
]
