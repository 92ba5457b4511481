"""An unreachable database or cache, in-process: 503 with a reason and Retry-After, never a 500; what can go on, goes on.

The cache is cut for real (a Redis URL where nothing listens); the database by
making the test's connection refuse to connect, as psycopg does when PostgreSQL
is stopped. tests/test_outages.py stops real servers.
"""

import logging
import re
from contextlib import contextmanager

import django.db
import pytest
from django.db import connection
from django.db.backends.signals import connection_created

from api.throttling import COUNTS_WHILE_CACHE_DOWN
from outages import measure, state
from outages.responses import RETRY_AFTER
from tests.servers import free_port

from .conftest import PASSWORDS, log_in

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}
BROWSER = {"HTTP_ACCEPT": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


@pytest.fixture(autouse=True)
def fresh_state():
    state._down_since.clear()
    COUNTS_WHILE_CACHE_DOWN.clear()
    yield
    state._down_since.clear()
    COUNTS_WHILE_CACHE_DOWN.clear()


@contextmanager
def database_down():
    """Every query refused at connect time, with the error Django raises when PostgreSQL is stopped."""

    def refuse():
        raise django.db.OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')

    original = connection.ensure_connection
    connection.ensure_connection = refuse
    try:
        yield
    finally:
        connection.ensure_connection = original


@pytest.fixture
def cache_down(settings):
    port = free_port()  # nothing listens there
    working = settings.CACHES
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    yield
    settings.CACHES = working  # back before conftest clears the cache


def assert_refusal(response, code):
    assert response.status_code == 503, response.content
    assert response["Content-Type"] == "application/json"
    assert response["Retry-After"] == str(RETRY_AFTER)
    body = response.json()
    assert body["code"] == code
    assert "cannot be reached" in body["detail"]
    assert "5432" not in body["detail"]
    assert "127.0.0.1" not in body["detail"]


NEEDS_THE_DATABASE = ["basic", "session", "token", "jwt", "jwt-rsa", "knox"]


@pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
@pytest.mark.parametrize("ns", NEEDS_THE_DATABASE)
def test_database_down_is_a_503_with_a_reason(ns, debug, settings, alice):
    settings.DEBUG = debug
    client = log_in(ns, "alice")

    with database_down():
        me = client.get(f"/api/{ns}/me/", **JSON)
        notes = client.post(f"/api/{ns}/notes/", {"title": "t", "body": "b"}, **JSON)

    assert_refusal(me, "database_unavailable")
    assert_refusal(notes, "database_unavailable")


@pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
@pytest.mark.parametrize("login", ["/api/token/login/", "/api/jwt/login/", "/auth-jwt/", "/api/knox/login/"])
def test_a_login_while_the_database_is_down(login, debug, settings, alice):
    settings.DEBUG = debug
    with database_down():
        response = log_in("public", "alice").post(login, {"username": "alice", "password": PASSWORDS["alice"]})

    assert_refusal(response, "database_unavailable")


@pytest.mark.parametrize("ns", ["public", "jwt-stateless", "token-cached"])
def test_what_works_without_the_database(ns, alice):
    client = log_in(ns, "alice")
    assert client.get(f"/api/{ns}/me/").status_code == 200  # token-cached: now in the cache

    with database_down():
        response = client.get(f"/api/{ns}/me/", **JSON)

    assert response.status_code == 200
    assert response.json()["username"] == (None if ns == "public" else "alice")


@pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
@pytest.mark.parametrize("url", ["/", "/race/", "/api/session/", "/api/token/me/"])
def test_a_browser_gets_a_short_page_not_a_traceback(url, debug, settings, alice):
    settings.DEBUG = debug
    client = log_in("token", "alice")

    with database_down():
        response = client.get(url, **BROWSER)

    if response.status_code == 200:  # a page that does not need the database
        assert url in ("/race/", "/api/session/")
        return
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    assert response["Retry-After"] == str(RETRY_AFTER)
    html = response.content.decode()
    assert "<h1>The database cannot be reached</h1>" in html
    assert "Traceback" not in html
    assert "OperationalError" not in html
    assert "5432" not in html


def test_one_log_line_per_outage_and_one_when_it_ends(caplog, alice):
    client = log_in("token", "alice")
    with caplog.at_level(logging.INFO):
        with database_down():
            for _ in range(5):
                assert client.get("/api/token/me/").status_code == 503
        # What Django signals when it opens a new connection (the test's own stays open, in its transaction).
        connection_created.send(sender=type(connection), connection=connection)
        assert client.get("/api/token/me/").status_code == 200

    lines = [(r.name, r.getMessage()) for r in caplog.records if r.name in ("outages", "django.request")]
    assert len(lines) == 2, lines
    assert lines[0][0] == "outages"
    assert lines[0][1].startswith("database unavailable (OperationalError")
    assert lines[1][0] == "outages"
    assert lines[1][1].startswith("database available again after")


# --- The cache down


def test_token_cached_falls_back_to_the_database(cache_down, alice, caplog):
    client = log_in("token", "alice")

    with caplog.at_level(logging.INFO, logger="outages"):
        responses = [client.get("/api/token-cached/me/") for _ in range(3)]
        wrong_key = client.get("/api/token-cached/me/", HTTP_AUTHORIZATION="Token wrong")

    assert [r.status_code for r in responses] == [200, 200, 200]
    assert all(r.json()["username"] == "alice" for r in responses)
    assert all(r["X-DB-Queries"] == "1" for r in responses)  # the token and its user: TokenAuthentication's query
    assert wrong_key.status_code == 401
    assert [r.getMessage().split(" (")[0] for r in caplog.records if r.name == "outages"] == ["cache unavailable"]


@pytest.mark.parametrize("ns", ["basic", "session", "token", "jwt", "jwt-stateless", "jwt-rsa", "knox", "public"])
def test_everything_else_works_without_the_cache(ns, cache_down, alice):
    client = log_in(ns, "alice")  # through the login endpoints: their throttle counts in this process

    assert client.get(f"/api/{ns}/me/").status_code == 200
    assert client.post(f"/api/{ns}/notes/", {"title": "t", "body": "b"}).status_code == (403 if ns == "public" else 201)


def test_the_login_throttle_fails_open_to_a_count_of_its_own(cache_down, settings, alice):
    """The decision (docs/outages.md): logins go on while the cache is down, still throttled, per process."""
    settings.LOGIN_THROTTLE = "3/minute"
    client = log_in("public", "alice")
    attempt = {"username": "alice", "password": "wrong"}

    statuses = [client.post("/api/jwt/login/", attempt).status_code for _ in range(4)]
    right = client.post("/api/jwt/login/", {"username": "alice", "password": PASSWORDS["alice"]})

    assert statuses == [401, 401, 401, 429]
    assert right.status_code == 429  # the same (client, user name): still refused until the minute is over
    assert right.json()["detail"].startswith("Request was throttled")


# --- The /outages/ page


def test_the_page_shows_the_recorded_measurement_with_its_date(client, settings):
    recorded = measure.read(settings.OUTAGES_FILE)  # docs/outages.json, written by manage.py outages
    html = client.get("/outages/").content.decode()

    assert f'<time datetime="{recorded["measured_at"]}">' in html
    for ns, cells in recorded["services"]["database"]["namespaces"].items():
        row = re.search(rf'<tr id="outage-{re.escape(ns)}">(.*?)</tr>', html, re.S)
        statuses = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1))
        cache = recorded["services"]["cache"]["namespaces"][ns]
        expected = [cells[c] for c in measure.CELLS] + [cache[c] for c in measure.CELLS]
        assert statuses == ["-" if s is None else str(s) for s in expected]


def test_without_a_measurement_the_page_names_the_command(client, settings, tmp_path):
    settings.OUTAGES_FILE = tmp_path / "none.json"
    html = client.get("/outages/").content.decode()

    assert "Not measured yet" in html
    assert "manage.py outages" in html
    assert '<table id="outages">' not in html


def test_the_landing_page_links_to_it(client):
    assert 'href="/outages/"' in client.get("/").content.decode()
