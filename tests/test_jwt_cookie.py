"""jwt-cookie: simplejwt's tokens in HttpOnly cookies, never in a body; CSRF on every POST; rotation and logout.

What the browser is told is read from the Set-Cookie headers themselves: Django's
test client keeps one cookie jar for the whole site, whatever each cookie's Path.
"""

import pytest
from django.urls import reverse
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from api.models import Note
from auth_jwt_cookie.tokens import RefreshToken

from .conftest import PASSWORDS, ApiClient, log_in

pytestmark = pytest.mark.django_db

LOGIN, REFRESH, LOGOUT = "/api/jwt-cookie/login/", "/api/jwt-cookie/refresh/", "/api/jwt-cookie/logout/"
# Each cookie and the only path it is sent to.
PATHS = {"jwt_access": "/api/jwt-cookie/", "jwt_refresh": REFRESH, "jwt_refresh_logout": LOGOUT}


def csrf_of(client, **extra):
    client.get(LOGIN, **extra)
    return client.cookies["csrftoken"].value


def login(client, username="alice", **extra):
    csrf = csrf_of(client, **extra)
    response = client.post(
        LOGIN, {"username": username, "password": PASSWORDS[username]}, HTTP_X_CSRFTOKEN=csrf, **extra
    )
    assert response.status_code == 200, response.content
    return response, csrf


def set_cookies(response):
    """{name: the morsel's attributes and value}, as Set-Cookie says them."""
    return {
        name: {
            "value": morsel.value,
            "path": morsel["path"],
            "httponly": morsel["httponly"],
            "secure": morsel["secure"],
            "samesite": morsel["samesite"],
            "max-age": morsel["max-age"],
        }
        for name, morsel in response.cookies.items()
    }


def tokens_in(response):
    return {name: morsel.value for name, morsel in response.cookies.items() if name != "csrftoken"}


def test_login_sets_three_httponly_strict_cookies_each_on_its_own_path(alice, client):
    response, _ = login(client)

    assert response.json() == {"username": "alice"}
    cookies = set_cookies(response)
    assert set(cookies) == set(PATHS)
    for name, cookie in cookies.items():
        assert cookie["path"] == PATHS[name]
        assert cookie["httponly"] is True
        assert cookie["samesite"] == "Strict"
        assert cookie["secure"] == ""  # plain HTTP: DJANGO_HTTPS is off
    assert cookies["jwt_access"]["max-age"] == 300  # JWT_ACCESS_SECONDS
    assert cookies["jwt_refresh"]["max-age"] == cookies["jwt_refresh_logout"]["max-age"] == 86400
    assert cookies["jwt_refresh"]["value"] == cookies["jwt_refresh_logout"]["value"] != cookies["jwt_access"]["value"]


def test_over_https_the_cookies_are_secure_and_prefixed(alice, settings):
    settings.HTTPS = True
    client = ApiClient()
    https = {"secure": True, "HTTP_REFERER": "https://testserver/"}  # Django's CSRF check wants a same-origin Referer

    response, csrf = login(client, **https)

    cookies = set_cookies(response)
    assert set(cookies) == {f"__Secure-{name}" for name in PATHS}
    for name, path in PATHS.items():
        cookie = cookies[f"__Secure-{name}"]
        assert (cookie["path"], cookie["secure"], cookie["httponly"], cookie["samesite"]) == (
            path,
            True,
            True,
            "Strict",
        )
    assert client.get("/api/jwt-cookie/me/", **https).json() == {"username": "alice", "scheme": "jwt-cookie"}
    refreshed = client.post(REFRESH, HTTP_X_CSRFTOKEN=csrf, **https)
    assert refreshed.status_code == 200
    assert set(tokens_in(refreshed)) == set(cookies)
    # The unprefixed name is not read over HTTPS: a cookie planted over plain HTTP is not the site's.
    planted = ApiClient()
    planted.cookies["jwt_access"] = client.cookies["__Secure-jwt_access"].value
    assert planted.get("/api/jwt-cookie/me/", **https).status_code == 403


def test_no_token_in_any_body(alice, client):
    bodies = [client.get(LOGIN).content]
    response, csrf = login(client)
    seen = set(tokens_in(response).values())
    bodies += [response.content, client.get("/api/jwt-cookie/me/").content, client.get("/api/jwt-cookie/").content]
    refreshed = client.post(REFRESH, HTTP_X_CSRFTOKEN=csrf)
    seen |= set(tokens_in(refreshed).values())
    bodies += [refreshed.content, client.post(LOGOUT, HTTP_X_CSRFTOKEN=csrf).content]

    assert refreshed.json() == {}
    assert len(seen) == 4  # two access tokens, two refresh tokens
    for body in bodies:
        for token in seen:
            assert token.encode() not in body
            assert token.split(".")[2].encode() not in body  # nor its signature alone


@pytest.mark.parametrize("csrf", [None, "wrong", "0" * 32])
def test_login_without_a_valid_csrf_token_is_refused_and_sets_nothing(csrf, alice, client):
    csrf_of(client)
    extra = {} if csrf is None else {"HTTP_X_CSRFTOKEN": csrf}

    response = client.post(LOGIN, {"username": "alice", "password": PASSWORDS["alice"]}, **extra)

    assert response.status_code == 403
    assert response.json()["detail"].startswith("CSRF Failed")
    assert tokens_in(response) == {}
    assert OutstandingToken.objects.count() == 0


@pytest.mark.parametrize("csrf", [None, "wrong", "0" * 32])
def test_writes_refresh_and_logout_without_a_valid_csrf_token_change_nothing(csrf, alice, client):
    _, good = login(client)
    note = Note.objects.get(owner=alice)
    extra = {} if csrf is None else {"HTTP_X_CSRFTOKEN": csrf}
    outstanding, blacklisted = OutstandingToken.objects.count(), BlacklistedToken.objects.count()

    answers = [
        client.post(reverse("jwt-cookie:notes-list"), {"title": "forged", "body": ""}, **extra),
        client.patch(reverse("jwt-cookie:notes-detail", args=[note.pk]), {"title": "forged"}, **extra),
        client.delete(reverse("jwt-cookie:notes-detail", args=[note.pk]), **extra),
        client.post(REFRESH, **extra),
        client.post(LOGOUT, **extra),
    ]

    for response in answers:
        assert response.status_code == 403, response.content
        assert response.json()["detail"].startswith("CSRF Failed")
        assert "WWW-Authenticate" not in response
        assert tokens_in(response) == {}  # logout refused: the browser keeps its cookies
    assert list(Note.objects.values_list("title", flat=True)) == ["alice's note"]
    assert (OutstandingToken.objects.count(), BlacklistedToken.objects.count()) == (outstanding, blacklisted)
    # With the token, the same requests work: it was the CSRF check that refused them.
    assert (
        client.post(reverse("jwt-cookie:notes-list"), {"title": "mine", "body": ""}, HTTP_X_CSRFTOKEN=good).status_code
        == 201
    )


def test_refresh_rotates_both_cookies_and_refuses_the_used_one(alice, client):
    response, csrf = login(client)
    first = tokens_in(response)

    refreshed = client.post(REFRESH, HTTP_X_CSRFTOKEN=csrf)

    assert refreshed.status_code == 200
    second = tokens_in(refreshed)
    assert set(second) == set(PATHS)
    assert all(second[name] != first[name] for name in PATHS)
    assert client.get("/api/jwt-cookie/me/").json()["username"] == "alice"
    used = RefreshToken(first["jwt_refresh"], verify=False)["jti"]
    assert BlacklistedToken.objects.filter(token__jti=used).exists()
    replay = ApiClient()
    replay.cookies["jwt_refresh"] = first["jwt_refresh"]
    reused = replay.post(REFRESH, HTTP_X_CSRFTOKEN=csrf_of(replay))
    assert reused.status_code == 403
    assert reused.json()["detail"] == "Token is blacklisted"
    assert tokens_in(reused) == {}
    # The replay is taken as theft (RFC 9700, 4.14.2): the login's whole chain ends, the browser's new one too.
    assert client.post(REFRESH, HTTP_X_CSRFTOKEN=csrf).status_code == 403


def test_refresh_and_logout_without_the_refresh_cookie_are_403(alice, client):
    for url in (REFRESH, LOGOUT):
        response = client.post(url, HTTP_X_CSRFTOKEN=csrf_of(client))
        assert response.status_code == 403
        assert response.json()["detail"] == "No refresh cookie: log in at /api/jwt-cookie/login/."


def test_logout_blacklists_the_refresh_token_and_deletes_the_three_cookies(alice, client):
    response, csrf = login(client)
    held = tokens_in(response)

    out = client.post(LOGOUT, HTTP_X_CSRFTOKEN=csrf)

    assert out.status_code == 200
    assert out.json() == {}
    cookies = set_cookies(out)
    assert set(cookies) == set(PATHS)
    for name, cookie in cookies.items():
        assert (cookie["value"], cookie["max-age"], cookie["path"]) == ("", 0, PATHS[name])
        assert (cookie["httponly"], cookie["samesite"]) == (True, "Strict")
    assert client.get("/api/jwt-cookie/me/").status_code == 403  # the client dropped its cookies
    thief = ApiClient()
    csrf = csrf_of(thief)
    for name in ("jwt_refresh", "jwt_refresh_logout"):
        thief.cookies[name] = held[name]
    for url in (REFRESH, LOGOUT):
        refused = thief.post(url, HTTP_X_CSRFTOKEN=csrf)
        assert refused.status_code == 403
        assert refused.json()["detail"] == "Token is blacklisted"
    # A copy of the access cookie is as good as jwt's access token: it works until it expires.
    thief.cookies["jwt_access"] = held["jwt_access"]
    assert thief.get("/api/jwt-cookie/me/").json()["username"] == "alice"


def test_me_costs_one_query_the_user(alice, django_assert_num_queries):
    client = log_in("jwt-cookie", "alice")

    with django_assert_num_queries(1) as captured:
        response = client.get("/api/jwt-cookie/me/")

    assert response.json() == {"username": "alice", "scheme": "jwt-cookie"}
    assert 'FROM "auth_user"' in captured.captured_queries[0]["sql"]


def test_without_the_cookie_it_is_403_without_a_challenge(client):
    response = client.get("/api/jwt-cookie/me/")

    assert response.status_code == 403
    assert "WWW-Authenticate" not in response
    assert response.json() == {"detail": "Authentication credentials were not provided."}
