"""The site's URLconf plus one line: the step README's "Add a scheme" asks of config/urls.py."""

from django.urls import path

from auth_token.views import LoginView
from config.urls import namespace, urlpatterns

from .library import VisitLoggingTokenAuthentication

urlpatterns = [
    *urlpatterns,
    namespace("token-again", [VisitLoggingTokenAuthentication], [path("login/", LoginView.as_view(), name="login")]),
]
