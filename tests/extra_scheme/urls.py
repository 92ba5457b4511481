"""The site's URLconf plus one line: the step README's "Add a scheme" asks of config/urls.py."""

from django.urls import path

from auth_token.authentication import TokenAuthentication
from auth_token.views import LoginView
from config.urls import namespace, urlpatterns

urlpatterns = [
    *urlpatterns,
    namespace("token-again", [TokenAuthentication], [path("login/", LoginView.as_view(), name="login")]),
]
