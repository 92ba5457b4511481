"""knox: a new token per login, stored as a digest, expiring after KNOX_TOKEN_SECONDS, ended one by one or all at once."""

from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from knox.models import AuthToken

from .conftest import PASSWORDS, ApiClient

pytestmark = pytest.mark.django_db


def knox_login(username="alice", **extra):
    response = ApiClient().post("/api/knox/login/", {"username": username, "password": PASSWORDS[username]}, **extra)
    assert response.status_code == 200, response.content
    return response.json()


def me(token):
    return ApiClient().get(reverse("knox:me"), HTTP_AUTHORIZATION=f"Token {token}")


def test_login_gives_a_token_and_its_expiry(alice, settings):
    before = timezone.now()
    body = knox_login()

    assert set(body) == {"token", "expiry"}
    expiry = parse_datetime(body["expiry"])
    ttl = settings.REST_KNOX["TOKEN_TTL"]
    assert ttl == timedelta(hours=10)  # KNOX_TOKEN_SECONDS' default
    assert before + ttl <= expiry <= timezone.now() + ttl
    assert me(body["token"]).json() == {"username": "alice", "scheme": "knox"}


def test_each_login_is_a_token_of_its_own(alice):
    first, second = knox_login()["token"], knox_login()["token"]

    assert first != second
    assert AuthToken.objects.filter(user=alice).count() == 2
    assert me(first).status_code == me(second).status_code == 200


def test_the_database_holds_a_digest_never_the_token(alice):
    token = knox_login()["token"]

    with connection.cursor() as cursor:
        cursor.execute("SELECT digest, token_key FROM knox_authtoken")
        rows = cursor.fetchall()
    assert len(rows) == 1
    digest, token_key = rows[0]
    assert token not in digest
    assert len(digest) == 128  # SHA-512, hex
    assert token_key == token[:15]  # the lookup prefix: a quarter of the token, not enough to use it
    assert me(token_key).status_code == me(digest).status_code == 401
    dump = "\n".join(connection.connection.iterdump()) if connection.vendor == "sqlite" else None
    if dump is not None:  # every table of the test database, as text
        assert token not in dump


def test_logout_ends_that_token_only(alice):
    this, other = knox_login()["token"], knox_login()["token"]

    response = ApiClient().post(reverse("knox:logout"), HTTP_AUTHORIZATION=f"Token {this}")

    assert response.status_code == 204
    assert me(this).status_code == 401
    assert me(this).json()["detail"] == "Invalid token."
    assert me(other).status_code == 200


def test_logoutall_ends_every_token_of_the_user(alice, bob):
    tokens, bobs = [knox_login()["token"] for _ in range(3)], knox_login("bob")["token"]

    response = ApiClient().post(reverse("knox:logoutall"), HTTP_AUTHORIZATION=f"Token {tokens[0]}")

    assert response.status_code == 204
    assert [me(token).status_code for token in tokens] == [401, 401, 401]
    assert not AuthToken.objects.filter(user=alice).exists()
    assert me(bobs).status_code == 200  # another user's tokens are untouched


@pytest.mark.parametrize("url", ["/api/knox/logout/", "/api/knox/logoutall/"])
def test_logout_without_token_is_401(url, alice, client):
    knox_login()

    response = client.post(url)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert AuthToken.objects.count() == 1


def test_a_drf_key_is_refused_and_a_knox_token_at_token_too(alice, client):
    knox = knox_login()["token"]
    drf = client.post("/api/token/login/", {"username": "alice", "password": PASSWORDS["alice"]}).json()["token"]

    assert me(drf).status_code == 401
    assert client.get(reverse("token:me"), HTTP_AUTHORIZATION=f"Token {knox}").status_code == 401


def test_an_expired_token_is_refused_and_deleted(alice, django_assert_num_queries):
    expired, live = knox_login()["token"], knox_login()["token"]
    AuthToken.objects.filter(token_key=expired[:15]).update(expiry=timezone.now() - timedelta(seconds=1))

    assert me(expired).status_code == 401
    assert AuthToken.objects.filter(user=alice).count() == 1

    # Another expired token of the same user is deleted by the next request of any of its tokens:
    # knox reads them all (the second query of every request), and deletes the expired ones.
    stale = knox_login()["token"]
    AuthToken.objects.filter(token_key=stale[:15]).update(expiry=timezone.now() - timedelta(seconds=1))
    with django_assert_num_queries(3):  # the token and user, the user's tokens, one DELETE
        assert me(live).status_code == 200
    assert AuthToken.objects.filter(user=alice).count() == 1


def test_an_inactive_users_token_is_refused(alice):
    token = knox_login()["token"]
    alice.is_active = False
    alice.save()

    response = me(token)

    assert response.status_code == 401
    assert response.json()["detail"] == "User inactive or deleted."


def test_token_lifetime_comes_from_knox_token_seconds(monkeypatch):
    import importlib

    import config.settings

    monkeypatch.setenv("KNOX_TOKEN_SECONDS", "90")
    try:
        assert importlib.reload(config.settings).REST_KNOX["TOKEN_TTL"] == timedelta(seconds=90)
    finally:
        monkeypatch.delenv("KNOX_TOKEN_SECONDS")
        importlib.reload(config.settings)


def test_login_costs_three_queries(alice, django_assert_num_queries):
    # The user, the new token (an INSERT), and last_login (knox sends user_logged_in, which updates it).
    with django_assert_num_queries(3):
        knox_login()
