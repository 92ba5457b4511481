"""The authorization server, at /o/: django-oauth-toolkit's four endpoints that the demo uses, and no others.

DOT's own oauth2_provider.urls also mounts application management, device
authorization and discovery; a reader of this project needs these four.
"""

from django.urls import path
from oauth2_provider import views

from .views import AuthorizationView

app_name = "oauth2_provider"  # the name DOT's own templates and views reverse

urlpatterns = [
    path("authorize/", AuthorizationView.as_view(), name="authorize"),  # login, consent, then ?code=
    path("token/", views.TokenView.as_view(), name="token"),  # code + verifier, refresh token or client secret -> token
    path("revoke_token/", views.RevokeTokenView.as_view(), name="revoke-token"),  # RFC 7009: logout
    path("introspect/", views.IntrospectTokenView.as_view(), name="introspect"),  # RFC 7662: for resource servers
]
