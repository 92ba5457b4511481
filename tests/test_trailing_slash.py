"""URLs typed without their trailing slash (api/trailing_slash.py): a 308 naming the URL with it, never a 5xx.

Every route of the site is read from the URL conf, so a namespace added later
is covered without touching this file; CONTRACT_ROUTES makes sure the reading
cannot silently come back short.
"""

import json

import pytest
from django.apps import apps
from django.db import transaction
from django.urls import URLResolver, get_resolver
from rest_framework_simplejwt.tokens import RefreshToken

from api.models import Note

from .conftest import NAMESPACES, PASSWORDS, log_in

pytestmark = pytest.mark.django_db

METHODS = ["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"]
DEBUG = pytest.mark.parametrize("debug", [False, True], ids=["DEBUG off", "DEBUG on"])


def site_routes():
    """Every route of the site that ends with a slash, as written in the URL conf (``api/jwt/notes/<int:pk>/``).

    The admin's are left out: it has a catch-all of its own, which answers its
    URLs without the slash itself.
    """

    def walk(patterns, prefix):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, route)
            elif route.endswith("/"):
                yield route

    return [route for route in walk(get_resolver().url_patterns, "") if not route.startswith("admin/")]


ROUTES = site_routes()
CONTRACT_ROUTES = [
    *(f"api/{ns}/{end}" for ns in NAMESPACES for end in ("", "me/", "notes/", "notes/<int:pk>/")),
    *(f"api/session/{end}/" for end in ("login", "logout")),
    *(f"api/token/{end}/" for end in ("login", "logout")),
    *(f"api/jwt/{end}/" for end in ("login", "refresh", "verify", "logout")),
    *("api-auth/login/", "api-auth/logout/"),
    *("jwt-auth/", "auth-jwt/", "auth-jwt-refresh/", "auth-jwt-verify/", "api/protected/"),
]


def test_every_route_of_the_contract_is_tested():
    assert set(CONTRACT_ROUTES) <= set(ROUTES), set(CONTRACT_ROUTES) - set(ROUTES)


class Caller:
    """A client holding alice's credential for the route's namespace, and a body that each endpoint would act on.

    The body has what every endpoint takes (credentials for a login, a fresh
    refresh token for a refresh or a JWT logout, an access token to verify, a
    note's fields), so that a request without the slash would change something
    if anything but the redirect ran.
    """

    def __init__(self, route, alice):
        parts = route.split("/")
        if parts[0] == "api" and parts[1] in NAMESPACES:
            ns = parts[1]
        else:  # the browsable API's login is the session's; the tutorial's URLs and the rest, jwt's
            ns = "session" if parts[0] == "api-auth" else "jwt"
        self.client = log_in(ns, "alice")
        refresh = RefreshToken.for_user(alice)  # what /api/jwt/login/ would issue, without the request
        self.body = json.dumps(
            {
                "username": "alice",
                "password": PASSWORDS["alice"],
                "refresh": str(refresh),
                "token": str(refresh.access_token),
                "title": "sent without the slash",
                "body": "it must not be saved",
            }
        )
        note = Note.objects.filter(owner=alice).first()
        self.path = "/" + route.replace("<int:pk>", str(note.pk))

    def send(self, method, path):
        return self.client.generic(method, path, self.body, content_type="application/json")


def database_rows():
    """Every row of every table, so that a test can tell whether a request changed anything at all."""
    return {model._meta.label: {repr(row) for row in model.objects.values_list()} for model in apps.get_models()}


def change(before, after):
    """Per table, how many rows a request added and removed (a changed row counts as both)."""
    return {
        label: (len(after[label] - rows), len(rows - after[label]))
        for label, rows in before.items()
        if after[label] != rows
    }


@DEBUG
@pytest.mark.parametrize("route", ROUTES)
def test_without_its_slash_a_url_answers_308_naming_it_and_changes_nothing(route, debug, settings, alice):
    settings.DEBUG = debug
    caller = Caller(route, alice)
    without = caller.path.removesuffix("/")
    before = database_rows()

    for method in METHODS:  # one login for all seven: logins are what this test spends its time on
        response = caller.send(method, f"{without}?page=2")

        assert response.status_code == 308, (method, response.content[:300])
        assert response["Location"] == f"{caller.path}?page=2", method
        if method != "HEAD":  # a HEAD answer has no body
            assert response["Content-Type"] == "application/json", method
            assert response["Content-Length"] == str(len(response.content)), method
            assert f"This URL ends with a slash: {caller.path}?page=2" in response.json()["detail"], method
        assert response["X-DB-Queries"] == "0", method
        assert "total;dur=" in response["Server-Timing"], method
        assert database_rows() == before, method


def shape(value):
    """A response body with the values that differ from one request to the next (tokens, ids, times) as their type."""
    if isinstance(value, dict):
        volatile = {"token", "access", "refresh", "id", "created", "expiry"}
        return {k: type(v).__name__ if k in volatile else shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(v) for v in value]
    return value


def outcome(route, alice, request):
    """(status, body's shape, rows changed) of `request`(caller), run on a fresh login and then rolled back."""
    with transaction.atomic():
        caller = Caller(route, alice)
        before = database_rows()
        response = request(caller)
        json_body = response.get("Content-Type") == "application/json" and response.content
        body = shape(response.json()) if json_body else response.get("Content-Type")
        result = response.status_code, body, change(before, database_rows())
        transaction.set_rollback(True)
    return result


# The requests that do something, for every namespace: what a client following the 308 must see done once.
ACTING = [
    *(("GET", f"api/{ns}/me/") for ns in NAMESPACES),
    *(("POST", f"api/{ns}/notes/") for ns in NAMESPACES),
    *((method, f"api/{ns}/notes/<int:pk>/") for ns in NAMESPACES for method in ("PUT", "PATCH", "DELETE")),
    *(("POST", route) for route in ROUTES if route.rsplit("/", 2)[-2] in {"login", "logout", "refresh", "verify"}),
    *(("POST", route) for route in ("jwt-auth/", "auth-jwt/", "auth-jwt-refresh/", "auth-jwt-verify/")),
    ("GET", "api/protected/"),
]


@DEBUG
@pytest.mark.parametrize(("method", "route"), ACTING)
def test_following_the_308_does_what_the_request_with_the_slash_does(method, route, debug, settings, alice):
    settings.DEBUG = debug

    def followed(caller):
        redirect = caller.send(method, caller.path.removesuffix("/"))
        assert redirect.status_code == 308
        return caller.send(method, redirect["Location"])  # what browsers, fetch(), curl -L and requests do

    with_slash = outcome(route, alice, lambda caller: caller.send(method, caller.path))
    without = outcome(route, alice, followed)

    assert without == with_slash
    assert with_slash[0] < 500


def test_a_url_without_its_slash_costs_no_login_attempt(alice, settings):
    # The throttle counts attempts at the login view; a redirect never reaches it.
    settings.LOGIN_THROTTLE = "10/minute"
    caller = Caller("api/token/login/", alice)
    for _ in range(30):
        assert caller.send("POST", "/api/token/login").status_code == 308

    assert caller.send("POST", "/api/token/login/").status_code == 200


@pytest.mark.parametrize("path", ["/api/nowhere", "/api/jwt/notes/abc", "/api/jwt/me/extra"])
def test_a_url_that_is_not_there_with_the_slash_either_is_404(path, client):
    assert client.post(path, "{}", content_type="application/json").status_code == 404
