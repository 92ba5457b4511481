"""Property-based fuzzing (hypothesis): whatever arrives in the Authorization header or the JSON body,
the answer is never a 5xx, and a refused request changes nothing in the database."""

import base64
import json

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from knox.models import AuthToken
from rest_framework.authtoken.models import Token
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from api.models import Note

from .conftest import NAMESPACES, PASSWORDS, ApiClient, fresh_cache, log_in

pytestmark = pytest.mark.django_db

# Bounded: the whole file runs in seconds. Each run draws new examples.
fuzz = settings(
    max_examples=30,
    deadline=None,
    database=None,  # nothing written into the checkout
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

TABLES = [get_user_model(), Note, Token, AuthToken, Session, OutstandingToken, BlacklistedToken]


def snapshot():
    """Every row of every table a request could change."""
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in TABLES}


def refused(response):
    """A clear 4xx: never a 5xx, and a body that says why."""
    assert 400 <= response.status_code < 500, (response.status_code, response.content)
    if response.get("Content-Type", "").startswith("application/json"):
        assert response.json(), "a refusal says why"
    return True


# --- Authorization headers

# What a WSGI server can hand Django: a header value is a latin-1 string.
latin1 = st.text(st.characters(min_codepoint=0, max_codepoint=255), max_size=120)
b64 = st.binary(max_size=90).map(lambda raw: base64.b64encode(raw).decode())
b64url = st.binary(max_size=60).map(lambda raw: base64.urlsafe_b64encode(raw).rstrip(b"=").decode())
user_colon_password = st.tuples(latin1, latin1).map(
    lambda pair: base64.b64encode(f"{pair[0]}:{pair[1]}".encode("latin-1")).decode()
)
jwt_like = st.lists(b64url | latin1, min_size=1, max_size=4).map(".".join)
keywords = st.sampled_from(["Basic", "Token", "Bearer", "JWT", "basic", "token", "bearer", "jwt", "", "Digest"])
separators = st.sampled_from([" ", "  ", "\t", "", " \x00 "])
authorization = latin1 | st.tuples(keywords, separators, b64 | user_colon_password | jwt_like | latin1).map("".join)


@fuzz
@given(header=authorization, cookie=latin1)
# Found by this test on PostgreSQL, which refuses NUL in a query: kept as fixed examples.
@example(header="Token 0123456789\x00abcdef", cookie="")
@example(header="Basic " + base64.b64encode(b"al\x00ice:pw").decode(), cookie="")
@example(header="", cookie="abcdefgh\x00ijklmnop")
@example(header="Token \xff\xfe", cookie="")  # knox decodes the token as UTF-8 itself
def test_any_authorization_header_or_session_cookie(header, cookie, alice):
    before = snapshot()
    client = ApiClient()
    extra = {"HTTP_AUTHORIZATION": header, "HTTP_COOKIE": f"sessionid={cookie}"}
    for ns in NAMESPACES:
        me = client.get(f"/api/{ns}/me/", **extra)
        assert me.status_code == 200 if ns == "public" else refused(me)  # nothing random is a credential
        refused(client.post(f"/api/{ns}/notes/", {"title": "t", "body": "b"}, **extra))
    refused(client.get("/api/protected/", **extra))
    refused(client.post("/api/token/logout/", **extra))
    refused(client.post("/api/knox/logout/", **extra))
    refused(client.post("/api/knox/logoutall/", **extra))
    assert snapshot() == before


# --- JSON bodies

FIELDS = ["username", "password", "refresh", "token", "access", "title", "body"]
scalars = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=40)
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
json_bodies = st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=8), json_values, max_size=4) | json_values
raw_bodies = st.binary(max_size=200)

UNAUTHENTICATED_ENDPOINTS = [
    "/api/token/login/",
    "/api/jwt/login/",
    "/jwt-auth/",
    "/auth-jwt/",
    "/api/jwt/refresh/",
    "/auth-jwt-refresh/",
    "/api/jwt/verify/",
    "/auth-jwt-verify/",
    "/api/jwt/logout/",
    "/api/jwt-rsa/login/",
    "/api/jwt-rsa/refresh/",
    "/api/jwt-rsa/verify/",
    "/api/jwt-rsa/logout/",
    "/api/knox/login/",
]


def post_raw(client, url, body, **extra):
    data = body if isinstance(body, bytes) else json.dumps(body)
    return client.post(url, data, content_type="application/json", **extra)


@fuzz
@given(body=json_bodies | raw_bodies)
def test_any_body_at_the_login_refresh_verify_and_logout_endpoints(body, alice):
    fresh_cache()  # the login throttle would otherwise answer 429 after a few examples
    before = snapshot()
    client = ApiClient()  # one per example: each new client loads the middleware again, which is slow
    for url in UNAUTHENTICATED_ENDPOINTS:
        refused(post_raw(client, url, body))  # no random body is alice's password or a valid token
    client.get("/api/session/login/")
    refused(post_raw(client, "/api/session/login/", body, HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value))
    assert snapshot() == before


@pytest.fixture
def logged_in(alice):
    """A logged-in client per protected namespace, and one of alice's notes."""
    return {ns: log_in(ns, "alice") for ns in NAMESPACES}, alice.notes.get().pk


@fuzz
@given(body=json_bodies | raw_bodies, ns=st.sampled_from(NAMESPACES))
def test_any_body_at_the_notes_endpoints(body, ns, logged_in):
    clients, note = logged_in
    client = clients[ns]
    before = snapshot()
    created = post_raw(client, f"/api/{ns}/notes/", body)
    if created.status_code == 201:  # a well-formed note, created for alice
        assert Note.objects.get(pk=created.json()["id"]).owner.username == "alice"
        return
    refused(created)
    for method in ("put", "patch"):
        data = body if isinstance(body, bytes) else json.dumps(body)
        response = getattr(client, method)(f"/api/{ns}/notes/{note}/", data, content_type="application/json")
        if response.status_code == 200:  # a well-formed change to alice's own note
            return
        refused(response)
    assert snapshot() == before


def test_the_fuzzed_login_endpoints_still_log_in(alice):
    # The fuzzing above proves nothing if the endpoints refuse everything: the real password works.
    for url in ("/api/token/login/", "/api/jwt/login/", "/jwt-auth/", "/api/jwt-rsa/login/"):
        assert ApiClient().post(url, {"username": "alice", "password": PASSWORDS["alice"]}).status_code == 200
