"""The whole architecture on one screen.

One protected resource (``api.views``), mounted once per namespace; the only
difference between two namespaces is the authentication class they name, plus
the login endpoints that scheme needs. Adding a namespace: an app with its
``scheme.py``, and one ``namespace(...)`` line here.
"""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.permissions import AllowAny

import auth_basic.urls
import auth_jwt.urls
import auth_jwt_cookie.urls
import auth_jwt_rsa.urls
import auth_knox.urls
import auth_session.urls
import auth_token.urls
import registry
from api import views
from api.resolvers import mount
from api.throttling import login_throttled
from auth_basic.authentication import BasicAuthentication
from auth_jwt import views as jwt_views
from auth_jwt.authentication import JWTAuthentication, JWTStatelessUserAuthentication
from auth_jwt_cookie.authentication import JWTCookieAuthentication
from auth_jwt_rsa.authentication import JWTAuthentication as JWTRSAAuthentication
from auth_knox.authentication import KnoxTokenAuthentication
from auth_oauth2.authentication import OAuth2Authentication
from auth_oauth2_introspect.authentication import CachedIntrospectionAuthentication, IntrospectionAuthentication
from auth_session.authentication import SessionAuthentication
from auth_token.authentication import CachedTokenAuthentication, TokenAuthentication
from costs import views as costs_views
from outages.views import OutagesView
from pages import views as pages


def namespace(ns, authentication_classes, extra_urls=(), permission_classes=None):
    """/api/<ns>/: the shared resource behind exactly one scheme, and the scheme's own endpoints.

    The namespace's words, client recipe and test-client login are its app's
    scheme.py (see registry/); each line below mounts one, in this order everywhere.
    """
    registry.describe(ns)  # fails at startup if no app's scheme.py describes it
    scheme = {"scheme": ns, "authentication_classes": authentication_classes}
    if permission_classes is not None:
        scheme["permission_classes"] = permission_classes
    urls = [
        path("", views.NamespaceRootView.as_view(**scheme), name="root"),
        path("me/", views.MeView.as_view(**scheme), name="me"),
        path("notes/", views.NoteListView.as_view(**scheme), name="notes-list"),
        path("notes/<int:pk>/", views.NoteDetailView.as_view(**scheme), name="notes-detail"),
        *extra_urls,
    ]
    return mount(f"api/{ns}/", urls, ns)  # path(f"api/{ns}/", include((urls, ns))), resolved faster: api/resolvers.py


# The browser lab: mounted only with DEBUG, and its views answer only requests from loopback (lab/access.py).
LAB = [path("lab/", include("lab.urls"))]

urlpatterns = [
    path("", pages.LandingView.as_view(), name="landing"),
    path("api/", views.ApiIndexView.as_view(), name="api-index"),
    path("race/", pages.RaceView.as_view(), name="race"),  # the same GET me/ to each namespace, from the browser
    *(LAB if settings.DEBUG else []),
    path("step-by-step/", pages.StepByStepView.as_view(), name="step-by-step"),
    path("account-events/", pages.AccountEventsView.as_view(), name="account-events"),
    path("stolen-database/", pages.StolenDatabaseView.as_view(), name="stolen-database"),
    path("choose/", pages.ChooseView.as_view(), name="choose"),
    path("costs/", costs_views.CostsView.as_view(), name="costs"),  # JWT algorithms; where each namespace's time goes
    path("costs/profile.svg", costs_views.ProfileChartView.as_view(), name="costs-profile-chart"),
    path("outages/", OutagesView.as_view(), name="outages"),  # what keeps working while a service is down
    # OpenAPI: every namespace's operations, each with its own security scheme.
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", views.SwaggerUIView.as_view(url_name="schema"), name="swagger-ui"),
    namespace("public", [], permission_classes=[AllowAny]),
    namespace("basic", [BasicAuthentication], auth_basic.urls.urlpatterns),
    namespace("session", [SessionAuthentication], auth_session.urls.urlpatterns),
    namespace("token", [TokenAuthentication], auth_token.urls.urlpatterns),
    namespace("token-cached", [CachedTokenAuthentication]),  # tokens from /api/token/login/
    namespace("jwt", [JWTAuthentication], auth_jwt.urls.urlpatterns),
    namespace("jwt-stateless", [JWTStatelessUserAuthentication]),  # tokens from /api/jwt/login/
    namespace("jwt-rsa", [JWTRSAAuthentication], auth_jwt_rsa.urls.urlpatterns),  # RS256; the public key at jwks.json
    namespace("knox", [KnoxTokenAuthentication], auth_knox.urls.urlpatterns),
    namespace("jwt-cookie", [JWTCookieAuthentication], auth_jwt_cookie.urls.urlpatterns),  # HttpOnly cookies, CSRF
    namespace("oauth2", [OAuth2Authentication]),  # tokens from the authorization server at /o/
    namespace("oauth2-introspect", [IntrospectionAuthentication]),  # oauth2's tokens, asked about over HTTP (RFC 7662)
    namespace("oauth2-introspect-cached", [CachedIntrospectionAuthentication]),  # the answers kept in the cache
    # The OAuth 2.0 authorization server (django-oauth-toolkit): authorize/, token/, revoke_token/, introspect/.
    path("o/", include("auth_oauth2.authorization_server_urls")),
    # The JWT tutorial's walkthrough (docs/jwt-tutorial.md), as written.
    path("jwt-auth/", jwt_views.TutorialLoginView.as_view(), name="tutorial-jwt-auth"),
    path("auth-jwt/", jwt_views.TutorialLoginView.as_view(), name="tutorial-auth-jwt"),
    path("auth-jwt-refresh/", jwt_views.TutorialRefreshView.as_view(), name="tutorial-refresh"),
    path("auth-jwt-verify/", jwt_views.VerifyView.as_view(), name="tutorial-verify"),
    path("api/protected/", views.MeView.as_view(scheme="jwt", authentication_classes=[JWTAuthentication])),
    # DRF's browsable-API login, for the session namespace, and the admin's: throttled like the API's logins.
    path("api-auth/", include("auth_session.browsable_api_urls")),
    path("admin/login/", login_throttled(admin.site.login)),
    path("admin/", admin.site.urls),
]
