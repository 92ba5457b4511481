"""oauth2-introspect and oauth2-introspect-cached: a resource server that asks the authorization server about each token.

The live tests run what `make demo` runs: the authorization server as one
gunicorn, the resource server as another (the same code, the same database)
whose OAUTH2_INTROSPECT_URL points at the first, so that every introspection
crosses a socket. The in-process tests need no authorization server: what the
resource server answers before it asks one, and when it cannot reach one.
"""

import json
import secrets
import urllib.request
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse

import recipes
from auth_oauth2.clients import BROWSER, RESOURCE_SERVER

from .browser import run_manage
from .conftest import INTROSPECTED
from .servers import free_port, get, gunicorn, running

CHALLENGE = 'Bearer realm="api"'


# --- Two processes: the authorization server, and the resource server that asks it


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    """{"auth": URL, "api": URL}: the authorization server and the resource server, two gunicorns on one database."""
    home = tmp_path_factory.mktemp("introspect")
    auth_port, api_port = free_port(), free_port()
    env = {
        "DJANGO_DEBUG": "0",
        "DEMO_SHOW_SQL": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": f"sqlite:///{home / 'site.sqlite3'}",
        "REDIS_URL": "",  # local-memory caches: each server process its own
        "LOGIN_THROTTLE": "1000/minute",
    }
    run_manage(env, "migrate", "--noinput")
    run_manage(env, "seed_demo", "--base-url", f"http://127.0.0.1:{auth_port}")
    api_env = {**env, "OAUTH2_INTROSPECT_URL": f"http://127.0.0.1:{auth_port}/o/introspect/"}
    # One worker for the resource server: its local-memory cache is then the one every request meets.
    with (
        open(home / "auth.log", "w") as auth_log,
        open(home / "api.log", "w") as api_log,
        running(gunicorn(auth_port, "--workers", "2", "--timeout", "30"), auth_port, env, auth_log) as auth,
        running(gunicorn(api_port, "--workers", "1", "--threads", "4", "--timeout", "30"), api_port, api_env, api_log),
    ):
        yield {"auth": f"http://127.0.0.1:{auth_port}", "api": f"http://127.0.0.1:{api_port}", "auth_process": auth}


def tokens_from_the_authorization_server(servers, ns="oauth2-introspect"):
    """{"access_token", "refresh_token", ...}: the namespace's recipe (from GET /api/) followed at the authorization server."""
    recipe = recipes.index(servers["auth"])[ns]["client"]
    assert recipe["redirect_uri"] == f"{servers['auth']}/api/{ns}/"
    return recipes.login(servers["auth"], recipe, "alice", "alice-demo-pass").tokens


def me(servers, ns, token):
    return get(
        f"{servers['api']}/api/{ns}/me/", headers={"Authorization": f"Bearer {token}", "Accept": "application/json"}
    )


def revoke(servers, refresh_token):
    """Logout: RFC 7009 revocation of the refresh token (its access token goes with it), as the public client."""
    fields = {"token": refresh_token, "token_type_hint": "refresh_token", "client_id": BROWSER.client_id}
    status, _, _ = get(f"{servers['auth']}/o/revoke_token/", body=urlencode(fields).encode())
    assert status == 200


def timing(headers, name):
    entries = dict(entry.strip().split(";", 1) for entry in headers["Server-Timing"].split(","))
    return float(entries[name].split(";")[0].removeprefix("dur="))


@pytest.mark.slow
@pytest.mark.parametrize("ns", INTROSPECTED)
def test_me_with_a_token_of_the_flow(servers, ns):
    access = tokens_from_the_authorization_server(servers, ns)["access_token"]
    me(servers, ns, access)  # the resource server's first request also gets its own token (a second call)
    status, headers, body = me(servers, ns, access)
    assert status == 200
    assert json.loads(body) == {"username": "alice", "scheme": ns}
    assert headers["X-DB-Queries"] == "1"  # the local user, by the answer's username: the only query here
    if ns == "oauth2-introspect":
        assert headers["X-Outgoing-Calls"] == "1"  # one introspection per request
        assert timing(headers, "introspect") > 0
    else:
        assert headers["X-Outgoing-Calls"] == "0"  # a cache hit: no call
        assert timing(headers, "introspect") == 0


@pytest.mark.slow
def test_the_resource_server_keeps_its_own_token_then_one_call_per_request(servers):
    access = tokens_from_the_authorization_server(servers)["access_token"]
    fresh = tokens_from_the_authorization_server(servers, "oauth2-introspect-cached")["access_token"]
    first = me(servers, "oauth2-introspect", access)  # the process's first asks for its own token too, unless kept
    assert first[1]["X-Outgoing-Calls"] in ("1", "2")
    missed = me(servers, "oauth2-introspect-cached", fresh)  # a miss: one introspection (the own token is kept)
    assert missed[1]["X-Outgoing-Calls"] == "1"
    assert [me(servers, "oauth2-introspect", access)[1]["X-Outgoing-Calls"] for _ in range(3)] == ["1", "1", "1"]


@pytest.mark.slow
def test_a_revoked_token_is_refused_at_once_uncached_and_accepted_until_the_cache_expires(servers):
    tokens = tokens_from_the_authorization_server(servers)
    access = tokens["access_token"]
    assert me(servers, "oauth2-introspect", access)[0] == 200
    assert me(servers, "oauth2-introspect-cached", access)[0] == 200  # now in the cache
    revoke(servers, tokens["refresh_token"])
    status, headers, body = me(servers, "oauth2-introspect", access)
    assert status == 401
    assert headers["WWW-Authenticate"] == CHALLENGE
    assert json.loads(body) == {"detail": "The authorization server says this token is not active."}
    status, headers, _ = me(servers, "oauth2-introspect-cached", access)
    assert status == 200  # the cached answer: until OAUTH2_INTROSPECT_CACHE_SECONDS runs out
    assert headers["X-Outgoing-Calls"] == "0"


@pytest.mark.slow
@pytest.mark.parametrize("ns", INTROSPECTED)
def test_a_token_of_another_namespace_is_refused(servers, ns):
    status, _, body = get(
        f"{servers['auth']}/api/token/login/",
        headers={"Content-Type": "application/json"},
        body=json.dumps({"username": "alice", "password": "alice-demo-pass"}).encode(),
    )
    key = json.loads(body)["token"]
    status, headers, body = me(servers, ns, key)  # a DRF token sent as a bearer token: the server knows no such token
    assert status == 401
    assert headers["WWW-Authenticate"] == CHALLENGE
    assert headers["X-Outgoing-Calls"] == "1"  # asked, and told "active": false (inactive answers are not cached)
    status, headers, _ = get(f"{servers['api']}/api/{ns}/me/", headers={"Authorization": f"Token {key}"})
    assert status == 401  # not this scheme's header at all: no call
    assert headers["X-Outgoing-Calls"] == "0"


@pytest.mark.slow
def test_the_resource_servers_own_token_is_no_users_token(servers):
    answer = urllib.request.urlopen(  # noqa: S310 (the test's own server)
        urllib.request.Request(
            f"{servers['auth']}/o/token/",
            data=urlencode({"grant_type": "client_credentials", "scope": "introspection"}).encode(),
            headers={"Authorization": "Basic " + _basic(RESOURCE_SERVER.client_id, RESOURCE_SERVER.secret())},
        ),
        timeout=10,
    )
    own = json.loads(answer.read())["access_token"]
    status, _, body = me(servers, "oauth2-introspect", own)
    assert status == 401
    assert json.loads(body) == {"detail": "This token acts for no user."}


def _basic(user, password):
    import base64

    return base64.b64encode(f"{user}:{password}".encode()).decode()


# --- In-process: before any call, and with the authorization server out of reach


@pytest.mark.parametrize("ns", INTROSPECTED)
def test_without_a_bearer_token_401_and_no_call(client, ns):
    response = client.get(reverse(f"{ns}:me"))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == CHALLENGE
    assert response["X-Outgoing-Calls"] == "0"
    assert "introspect;dur=0.000" in response["Server-Timing"]


@pytest.mark.parametrize("ns", INTROSPECTED)
@pytest.mark.parametrize("header", ["Bearer", "Bearer a b", "Bearer t\u00e9"])
def test_a_malformed_bearer_header_is_a_401_before_any_call(client, ns, header):
    response = client.get(reverse(f"{ns}:me"), HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response["X-Outgoing-Calls"] == "0"


@pytest.mark.parametrize("ns", INTROSPECTED)
def test_an_unreachable_authorization_server_is_a_503_with_retry_after(settings, ns):
    settings.OAUTH2_INTROSPECT_URL = f"http://127.0.0.1:{free_port()}/o/introspect/"  # nothing listens there
    # Django's own test client: not the suite's ApiClient, which runs an authorization server beside each request.
    response = Client().get(reverse(f"{ns}:me"), HTTP_AUTHORIZATION="Bearer some-token", HTTP_ACCEPT="application/json")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json() == {
        "detail": "The authorization server cannot be reached right now, so no token can be checked. "
        "Nothing was changed; try again in a few seconds.",
        "code": "authorization_server_unavailable",
    }
    assert response["X-Outgoing-Calls"] == "1"  # it tried: the resource server's own token, refused at the socket
