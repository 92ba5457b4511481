import base64
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client
from django.test.client import MULTIPART_CONTENT

import registry
from api.models import Note

PASSWORDS = {"alice": "alice-test-pass", "bob": "bob-test-pass"}

# The namespaces, and the header a client sends without credentials of the namespace's scheme.
CHALLENGES = {
    "basic": 'Basic realm="api"',
    "session": None,  # 403, no challenge: DRF's rule for a scheme without one
    "token": "Token",
    "token-cached": "Token",
    "jwt": 'Bearer realm="api"',
    "jwt-stateless": 'Bearer realm="api"',
    "jwt-rsa": 'Bearer realm="api"',
    "knox": "Token",
    "oauth2": 'Bearer realm="api"',
}
PROTECTED = list(CHALLENGES)
NAMESPACES = ["public", *PROTECTED]


@pytest.fixture(autouse=True)
def fast_hasher_and_fresh_cache(settings):
    # Test settings only: the site itself keeps Django's PBKDF2 (Basic's cost is part of the lesson).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()  # throttle counts and token-cached entries don't leak between tests
    yield
    cache.clear()


@pytest.fixture
def make_user(django_user_model):
    def make(username, password=None, **fields):
        user = django_user_model.objects.create_user(username, password=password or PASSWORDS[username], **fields)
        Note.objects.create(owner=user, title=f"{username}'s note", body="private")
        return user

    return make


@pytest.fixture
def alice(make_user):
    return make_user("alice")


@pytest.fixture
def bob(make_user):
    return make_user("bob")


def basic_header(username, password):
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


class ApiClient(Client):
    """Django's test client with CSRF checks on, as a browser meets them, and JSON bodies by default."""

    def __init__(self, **defaults):
        super().__init__(enforce_csrf_checks=True, **defaults)

    def post(self, path, data=None, content_type="application/json", **extra):
        return super().post(path, data, content_type=content_type, **extra)

    def put(self, path, data=None, content_type="application/json", **extra):
        return super().put(path, data, content_type=content_type, **extra)

    def patch(self, path, data=None, content_type="application/json", **extra):
        return super().patch(path, data, content_type=content_type, **extra)


def press_measure(client, url):
    """Press a page's "Measure it now" button: a form POST with the page's CSRF token, as the browser sends it."""
    form = client.get(url).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    return client.post(url, {"csrfmiddlewaretoken": token}, content_type=MULTIPART_CONTENT)


def session_login(client, username, password):
    client.get("/api/session/login/")
    response = client.post(
        "/api/session/login/",
        {"username": username, "password": password},
        HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value,
    )
    assert response.status_code == 200, response.content
    return response


def log_in(ns, username, password=None):
    """A client holding `username`'s credential for `ns`, obtained the way a real client would (the login endpoints)."""
    password = password or PASSWORDS[username]
    client = ApiClient()
    if ns == "basic":
        client.defaults["HTTP_AUTHORIZATION"] = basic_header(username, password)
    elif ns == "session":
        session_login(client, username, password)
        client.defaults["HTTP_X_CSRFTOKEN"] = client.cookies["csrftoken"].value
    elif ns in ("token", "token-cached"):
        response = client.post("/api/token/login/", {"username": username, "password": password})
        assert response.status_code == 200, response.content
        client.defaults["HTTP_AUTHORIZATION"] = f"Token {response.json()['token']}"
    elif ns in ("jwt", "jwt-stateless", "jwt-rsa"):
        login = "/api/jwt-rsa/login/" if ns == "jwt-rsa" else "/api/jwt/login/"
        response = client.post(login, {"username": username, "password": password})
        assert response.status_code == 200, response.content
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {response.json()['access']}"
    elif ns == "knox":
        response = client.post("/api/knox/login/", {"username": username, "password": password})
        assert response.status_code == 200, response.content
        client.defaults["HTTP_AUTHORIZATION"] = f"Token {response.json()['token']}"
    elif ns == "oauth2":
        # A token as the authorization server's code exchange issues it (tests/test_oauth2.py runs the real flow).
        user = get_user_model().objects.get(username=username)
        registry.describe(ns).log_in(client, user, password)
    return client


@pytest.fixture
def oauth2_clients(db):
    """The demo's OAuth 2.0 clients registered in the test database, as seed_demo registers them (for 127.0.0.1)."""
    registry.describe("oauth2").seed("http://127.0.0.1:8000")


@pytest.fixture
def client():
    return ApiClient()


# The browser tests' fixtures, defined once for the whole suite: a session-scoped
# browser imported into two test modules would be two browsers, two Playwrights.
from .browser import browser, open_page, page, site  # noqa: E402, F401
