"""Logging in and out with each scheme, the JWT token life cycle, the login throttle and the tutorial's walkthrough."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.test.client import MULTIPART_CONTENT
from rest_framework.authtoken.models import Token

from .conftest import PASSWORDS, ApiClient, session_login

pytestmark = pytest.mark.django_db

LOGIN_URLS = [
    "/api/session/login/",
    "/api/token/login/",
    "/api/jwt/login/",
    "/jwt-auth/",
    "/auth-jwt/",
    "/api/jwt-rsa/login/",
    "/api/knox/login/",
    "/api/jwt-cookie/login/",
]
CSRF_LOGINS = ["/api/session/login/", "/api/jwt-cookie/login/"]  # the logins that set cookies need the CSRF token


def attempt(url, username, password, **extra):
    """One login attempt as a fresh client would make it (with the CSRF token where the endpoint wants one)."""
    client = ApiClient()
    if url in CSRF_LOGINS:
        client.get(url)
        extra.setdefault("HTTP_X_CSRFTOKEN", client.cookies["csrftoken"].value)
    return client.post(url, {"username": username, "password": password}, **extra)


# --- Session


def test_session_login_page_sets_csrf_cookie(client):
    response = client.get("/api/session/login/")

    assert response.status_code == 200
    assert response.cookies["csrftoken"].value


def test_session_login_without_csrf_is_403(alice, client):
    client.get("/api/session/login/")
    response = client.post("/api/session/login/", {"username": "alice", "password": PASSWORDS["alice"]})

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert "sessionid" not in response.cookies


def test_session_login_sets_httponly_cookie_and_rotates_it(alice, client):
    # An attacker plants a session key in the victim's browser before login (session fixation).
    planted = SessionStore()
    planted["cart"] = "anything"
    planted.save()
    client.cookies["sessionid"] = planted.session_key

    response = session_login(client, "alice", PASSWORDS["alice"])

    assert response.json() == {"username": "alice"}
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert cookie.value != planted.session_key
    attacker = ApiClient()
    attacker.cookies["sessionid"] = planted.session_key
    assert attacker.get("/api/session/me/").status_code == 403
    assert client.get("/api/session/me/").json()["username"] == "alice"


def test_session_logout_ends_the_session(alice, client):
    session_login(client, "alice", PASSWORDS["alice"])
    old = client.cookies["sessionid"].value
    csrf = client.cookies["csrftoken"].value

    assert client.post("/api/session/logout/", HTTP_X_CSRFTOKEN=csrf).status_code == 204

    replay = ApiClient()
    replay.cookies["sessionid"] = old
    assert replay.get("/api/session/me/").status_code == 403


def test_session_logout_without_csrf_is_403(alice, client):
    session_login(client, "alice", PASSWORDS["alice"])

    assert client.post("/api/session/logout/").status_code == 403
    assert client.get("/api/session/me/").status_code == 200


def test_browsable_api_login_works_for_the_session_namespace(alice, client):
    page = client.get("/api-auth/login/")
    response = client.post(
        "/api-auth/login/?next=/api/session/me/",
        {"username": "alice", "password": PASSWORDS["alice"], "csrfmiddlewaretoken": page.cookies["csrftoken"].value},
        content_type=MULTIPART_CONTENT,
    )
    assert response.status_code == 302

    assert client.get("/api/session/me/").json()["username"] == "alice"


# --- Token


def test_token_login_returns_the_users_key(alice, client):
    response = client.post("/api/token/login/", {"username": "alice", "password": PASSWORDS["alice"]})

    assert response.status_code == 200
    assert response.json() == {"token": Token.objects.get(user=alice).key}


def test_token_works_in_token_cached_too(alice, client):
    key = client.post("/api/token/login/", {"username": "alice", "password": PASSWORDS["alice"]}).json()["token"]

    assert client.get("/api/token-cached/me/", HTTP_AUTHORIZATION=f"Token {key}").json()["username"] == "alice"


def test_token_logout_deletes_the_key(alice, client):
    key = client.post("/api/token/login/", {"username": "alice", "password": PASSWORDS["alice"]}).json()["token"]

    assert client.post("/api/token/logout/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 204

    assert not Token.objects.filter(key=key).exists()
    after = client.get("/api/token/me/", HTTP_AUTHORIZATION=f"Token {key}")
    assert after.status_code == 401
    assert after.json()["detail"] == "Invalid token."


def test_token_logout_without_token_is_401(client):
    assert client.post("/api/token/logout/").status_code == 401


# --- JWT


def jwt_login(client, url="/api/jwt/login/"):
    response = client.post(url, {"username": "alice", "password": PASSWORDS["alice"]})
    assert response.status_code == 200, response.content
    return response.json()


def test_jwt_login_gives_access_and_refresh(alice, client):
    tokens = jwt_login(client)

    assert set(tokens) == {"access", "refresh"}
    for prefix in ("Bearer", "JWT"):
        me = client.get("/api/jwt/me/", HTTP_AUTHORIZATION=f"{prefix} {tokens['access']}")
        assert me.json() == {"username": "alice", "scheme": "jwt"}
    stateless = client.get("/api/jwt-stateless/me/", HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    assert stateless.json() == {"username": "alice", "scheme": "jwt-stateless"}


def test_jwt_refresh_rotates_and_refuses_a_used_token(alice, client):
    tokens = jwt_login(client)

    refreshed = client.post("/api/jwt/refresh/", {"refresh": tokens["refresh"]})
    assert refreshed.status_code == 200
    assert set(refreshed.json()) == {"access", "refresh"}
    assert refreshed.json()["refresh"] != tokens["refresh"]
    assert client.get("/api/jwt/me/", HTTP_AUTHORIZATION=f"Bearer {refreshed.json()['access']}").status_code == 200

    reused = client.post("/api/jwt/refresh/", {"refresh": tokens["refresh"]})
    assert reused.status_code == 401
    assert reused.json()["detail"]


def test_jwt_access_token_cannot_refresh(alice, client):
    tokens = jwt_login(client)

    assert client.post("/api/jwt/refresh/", {"refresh": tokens["access"]}).status_code == 401


def test_jwt_verify(alice, client):
    tokens = jwt_login(client)

    assert client.post("/api/jwt/verify/", {"token": tokens["access"]}).status_code == 200
    assert client.post("/api/jwt/verify/", {"token": tokens["access"][:-2]}).status_code == 401
    assert client.post("/api/jwt/verify/", {"token": "nonsense"}).status_code == 401


def test_jwt_logout_blacklists_the_refresh_token(alice, client):
    tokens = jwt_login(client)

    assert client.post("/api/jwt/logout/", {"refresh": tokens["refresh"]}).status_code == 200

    assert client.post("/api/jwt/refresh/", {"refresh": tokens["refresh"]}).status_code == 401
    assert client.post("/api/jwt/verify/", {"token": tokens["refresh"]}).status_code == 401
    # The access token is self-contained: it still works until it expires. That is the lesson.
    assert client.get("/api/jwt/me/", HTTP_AUTHORIZATION=f"Bearer {tokens['access']}").status_code == 200


def test_jwt_refresh_of_a_deleted_user_is_401(alice, client):
    tokens = jwt_login(client)
    alice.delete()

    response = client.post("/api/jwt/refresh/", {"refresh": tokens["refresh"]})

    assert response.status_code == 401


# --- The same answer for every kind of failure (no account enumeration)


@pytest.mark.parametrize("url", LOGIN_URLS)
def test_login_failures_are_indistinguishable(url, alice, make_user):
    make_user("bob", is_active=False)
    wrong_password = attempt(url, "alice", "wrong")
    unknown_user = attempt(url, "nobody", PASSWORDS["alice"])
    inactive_user = attempt(url, "bob", PASSWORDS["bob"])

    assert wrong_password.status_code in (400, 401)
    for other in (unknown_user, inactive_user):
        assert other.status_code == wrong_password.status_code
        assert other.json() == wrong_password.json()


@pytest.mark.parametrize("url", LOGIN_URLS)
@pytest.mark.parametrize("body", [{}, {"username": "alice"}, [], "x", {"username": ["a"], "password": {"b": 1}}])
def test_login_bad_bodies_are_400(url, body, alice):
    client = ApiClient()
    extra = {}
    if url in CSRF_LOGINS:
        client.get(url)
        extra["HTTP_X_CSRFTOKEN"] = client.cookies["csrftoken"].value

    response = client.post(url, body, **extra)

    assert response.status_code == 400


# --- The login throttle


@pytest.mark.parametrize("url", LOGIN_URLS)
def test_login_is_throttled_per_ip_and_username(url, alice, settings):
    settings.LOGIN_THROTTLE = "3/minute"
    for _ in range(3):
        assert attempt(url, "alice", "wrong").status_code in (400, 401)

    throttled = attempt(url, "alice", PASSWORDS["alice"])
    assert throttled.status_code == 429
    assert int(throttled["Retry-After"]) > 0
    assert throttled.json()["detail"]

    # Another username from the same address is counted apart...
    assert attempt(url, "bob", "wrong").status_code in (400, 401)
    # ...and a forged X-Forwarded-For does not reset the count.
    assert attempt(url, "alice", PASSWORDS["alice"], HTTP_X_FORWARDED_FOR="10.9.8.7").status_code == 429
    # Another client address is counted apart.
    assert attempt(url, "alice", PASSWORDS["alice"], REMOTE_ADDR="127.0.0.2").status_code == 200


# --- The tutorial (docs/jwt-tutorial.md), its URLs as written


@pytest.mark.parametrize("url", ["/jwt-auth/", "/auth-jwt/"])
@pytest.mark.parametrize("prefix", ["Bearer", "JWT"])
def test_tutorial_walkthrough(url, prefix, alice, client):
    obtained = jwt_login(client, url)
    assert set(obtained) == {"token", "refresh"}

    protected = client.get("/api/protected/", HTTP_AUTHORIZATION=f"{prefix} {obtained['token']}")
    assert protected.status_code == 200
    assert protected.json() == {"username": "alice", "scheme": "jwt"}
    assert protected["X-DB-Queries"] == "1"

    assert client.post("/auth-jwt-verify/", {"token": obtained["token"]}).status_code == 200


@pytest.mark.parametrize("field", ["refresh", "token"])
def test_tutorial_refresh(field, alice, client):
    obtained = jwt_login(client, "/jwt-auth/")

    refreshed = client.post("/auth-jwt-refresh/", {field: obtained["refresh"]})

    assert refreshed.status_code == 200
    assert set(refreshed.json()) == {"token", "refresh"}
    assert client.get("/api/protected/", HTTP_AUTHORIZATION=f"JWT {refreshed.json()['token']}").status_code == 200
    assert client.post("/auth-jwt-refresh/", {field: obtained["refresh"]}).status_code == 401


def test_tutorial_urls_are_instrumented(alice, client):
    response = client.post("/jwt-auth/", {"username": "alice", "password": PASSWORDS["alice"]})

    assert response["X-DB-Queries"].isdigit()
    assert "auth;dur=" in response["Server-Timing"]


def test_protected_without_token_is_401(client):
    response = client.get("/api/protected/")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_inactive_user_is_refused_by_stateful_schemes(alice, client):
    key = client.post("/api/token/login/", {"username": "alice", "password": PASSWORDS["alice"]}).json()["token"]
    get_user_model().objects.filter(pk=alice.pk).update(is_active=False)

    assert client.get("/api/token/me/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 401
