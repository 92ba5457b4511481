"""The services cut for real: a throwaway PostgreSQL cluster and Redis of this module's own, gunicorn on them.

Each service is stopped under concurrent clients and started again: every API
URL answers during the outage without a 500 or an HTML page (503s with JSON
and Retry-After), everything answers again within seconds, and every note
write the server acknowledged is still there. The outage table of
docs/outages.md is what manage.py outages measures. And the same refresh token
sent by many clients at once to a multi-threaded gunicorn is accepted exactly
once, on PostgreSQL and on SQLite, after which its whole chain is refused.
"""

import json
import re
import threading
from pathlib import Path

import pytest

from outages import measure, services
from outages.client import Client, namespaces
from outages.responses import RETRY_AFTER

pytestmark = [pytest.mark.slow, pytest.mark.skipif(bool(services.missing()), reason=services.missing() or "")]

ROOT = Path(__file__).resolve().parent.parent
SITE_ENV = {"LOGIN_THROTTLE": "1000/minute"}  # the throttle is not what these tests measure

# The outage table, cell by cell: (GET me/, login, logout) with the database down, then with the cache down.
ALL_WORK = {"me": 200, "login": 200, "logout": None}
EXPECTED = {
    "public": ({"me": 200, "login": None, "logout": None}, {"me": 200, "login": None, "logout": None}),
    "basic": ({"me": 503, "login": None, "logout": None}, {"me": 200, "login": None, "logout": None}),
    "session": ({"me": 503, "login": 503, "logout": 503}, {"me": 200, "login": 200, "logout": 204}),
    "token": ({"me": 503, "login": 503, "logout": 503}, {"me": 200, "login": 200, "logout": 204}),
    "token-cached": ({"me": 200, "login": 503, "logout": None}, {"me": 200, "login": 200, "logout": None}),
    "jwt": ({"me": 503, "login": 503, "logout": 503}, {"me": 200, "login": 200, "logout": 200}),
    "jwt-stateless": ({"me": 200, "login": 503, "logout": None}, {"me": 200, "login": 200, "logout": None}),
    "jwt-rsa": ({"me": 503, "login": 503, "logout": 503}, {"me": 200, "login": 200, "logout": 200}),
    "knox": ({"me": 503, "login": 503, "logout": 503}, {"me": 200, "login": 200, "logout": 204}),
}


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """(servers, site, usernames, password): one throwaway cluster, Redis and gunicorn for the whole module."""
    with services.throwaway_services(tmp_path_factory.mktemp("outages"), SITE_ENV) as (postgres, redis, site):
        users, password = measure.add_users(site)
        yield {"database": postgres, "cache": redis}, site, users, password


@pytest.fixture(scope="module")
def measured(stack):
    """What manage.py outages measures, on this module's services (the command starts the same ones of its own)."""
    servers, site, users, password = stack
    return measure.measure(site, servers, users, password)


@pytest.mark.parametrize("ns", list(EXPECTED))
@pytest.mark.parametrize("service", measure.SERVICES)
def test_every_cell_of_the_outage_table(service, ns, measured):
    expected = EXPECTED[ns][measure.SERVICES.index(service)]
    assert measured["services"][service]["namespaces"][ns] == expected
    assert measured["services"][service]["recovered_seconds"] < 10


def test_the_docs_and_the_page_show_what_the_command_measures(measured):
    docs = (ROOT / "docs" / "outages.md").read_text()
    assert measure.as_markdown(measured) in docs
    recorded = json.loads((ROOT / "docs" / "outages.json").read_text())
    for service in measure.SERVICES:
        assert recorded["services"][service]["namespaces"] == measured["services"][service]["namespaces"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", recorded["measured_at"])


# --- Under load


def api_urls(site, found):
    """Every API URL of the site, each with the request that exercises it: (method, url, body)."""
    urls = [("GET", f"{site.url}/api/", None)]
    for ns, (_, endpoints) in found.items():
        urls.append(("GET", f"{site.url}/api/{ns}/", None))
        for name, url in endpoints.items():
            if name in ("login", "refresh", "verify", "logout"):
                # No password: a login refused before the hasher, or a load of PBKDF2 would starve the server.
                urls.append(("POST", url, {"username": "nobody", "refresh": "x", "token": "x"}))
            else:
                urls.append(("GET", url, None))
    for path in ("/jwt-auth/", "/auth-jwt/", "/auth-jwt-refresh/", "/auth-jwt-verify/"):
        urls.append(("POST", site.url + path, {"username": "nobody", "token": "x"}))
    urls.append(("GET", f"{site.url}/api/protected/", None))
    return urls


class Load:
    """Clients sending requests in threads until stopped, each answer recorded with the phase it was sent in."""

    def __init__(self):
        self.phase = "up"
        self.records = []
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.threads = []
        self.answered_while_down = set()
        self.answered = threading.Condition(self.lock)

    def run(self, client, requests):
        def loop():
            i = 0
            while not self.stop.is_set():
                phase = self.phase
                method, url, body = requests[i % len(requests)]
                i += 1
                try:
                    answer = client.request(method, url, body)
                except OSError as error:  # the server itself never goes: a refused connection would be a failure
                    answer = (f"no answer: {error}", {}, b"")
                with self.answered:
                    self.records.append((phase, method, url, *answer))
                    if phase == "down":
                        self.answered_while_down.add((method, url))
                        self.answered.notify_all()

        self.threads.append(threading.Thread(target=loop, daemon=True))
        self.threads[-1].start()

    def wait_until_answered_while_down(self, requests):
        wanted = {(method, url) for method, url, _ in requests}
        with self.answered:
            assert self.answered.wait_for(lambda: wanted <= self.answered_while_down, timeout=90)

    def finish(self):
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=60)


class NoteWriter:
    """A client writing notes one after another, keeping the ids of those the server acknowledged (201)."""

    def __init__(self, client):
        self.client, self.acknowledged = client, []

    def requests(self):
        return [("POST", f"/api/{self.client.ns}/notes/", {"title": "written under outage", "body": "x"})]

    def ids_found(self):
        status, _, body = self.client.request("GET", f"/api/{self.client.ns}/notes/")
        assert status == 200
        return {note["id"] for note in json.loads(body)}


@pytest.mark.parametrize("service", measure.SERVICES)
def test_a_service_stopped_and_started_under_load(service, stack):
    servers, site, (stays, _), password = stack
    found = namespaces(site.url)
    clients = {
        ns: Client(site.url, ns, recipe, endpoints, stays, password) for ns, (recipe, endpoints) in found.items()
    }
    for client in clients.values():
        client.log_in()
    load = Load()
    urls = api_urls(site, found)
    for ns, client in clients.items():
        if client.recipe["kind"] == "basic":
            continue  # PBKDF2 on every request, back to back, would hold every server thread (urls has basic's URLs)
        load.run(client, [("GET", f"/api/{ns}/me/", None), ("GET", f"/api/{ns}/notes/", None)])
    for share in (urls[0::3], urls[1::3], urls[2::3]):
        load.run(Client(site.url, "", {"kind": "none"}, {}, "", ""), share)
    writers = [NoteWriter(clients[ns]) for ns in ("session", "token", "jwt", "knox")]
    for writer in writers:
        load.run(_Acknowledging(writer), writer.requests())

    try:
        servers[service].stop()
        load.phase = "down"
        load.wait_until_answered_while_down(urls)
        servers[service].start()
        load.phase = "back"
        # Not basic: on this load each of its requests waits seconds for a core to hash the password on.
        recovered = measure.wait_for_recovery({ns: c for ns, c in clients.items() if ns != "basic"}, seconds=10)
    finally:
        load.finish()
        if not servers[service].running:
            servers[service].start()
    assert clients["basic"].me()[0] == 200

    during = [r for r in load.records if r[0] == "down"]
    for _, method, url, status, headers, body in during:
        assert isinstance(status, int), (url, status)
        assert status < 500 or status == 503, (method, url, status, body[:200])
        assert not headers.get("Content-Type", "").startswith("text/html"), (method, url, status)
        if status == 503:
            assert headers["Retry-After"] == str(RETRY_AFTER)
            codes = {f"{service}_unavailable"}
            if service == "database" and url.startswith("/api/oauth2-introspect"):
                # The authorization server it asks needs the database too: its 503 is, to this resource server,
                # an authorization server that cannot answer (unless a cached answer got it as far as the user).
                codes.add("authorization_server_unavailable")
            assert json.loads(body)["code"] in codes, (url, body[:200])
    statuses = {status for *_, status, _, _ in during}
    if service == "database":
        assert 503 in statuses
        stateless = [r for r in during if r[2] in ("/api/public/me/", "/api/jwt-stateless/me/")]  # with credentials
        assert stateless
        assert {r[3] for r in stateless} == {200}
    else:
        assert all(status < 500 for status in statuses)  # nothing needs the cache alone
    assert recovered < 10
    for writer in writers:
        assert writer.acknowledged, writer.client.ns
        assert set(writer.acknowledged) <= writer.ids_found()


class _Acknowledging:
    """A NoteWriter's client, recording the ids of the notes the server acknowledged."""

    def __init__(self, writer):
        self.writer = writer

    def request(self, method, url, body):
        status, headers, answer = self.writer.client.request(method, url, body)
        if status == 201:
            self.writer.acknowledged.append(json.loads(answer)["id"])
        return status, headers, answer


# --- One refresh token, many clients at once


def rotating(site):
    """The namespaces whose recipe refreshes (GET /api/), with their recipes and endpoints."""
    return {ns: found for ns, found in namespaces(site.url).items() if found[0].get("refresh")}


def race(site, ns, recipe, endpoints, username, password, clients=12):
    """Log in once, send the refresh token from `clients` threads at once: (statuses, the winners' clients)."""
    holder = Client(site.url, ns, recipe, endpoints, username, password)
    assert holder.log_in() == 200
    barrier = threading.Barrier(clients)
    answers = []

    def send():
        client = Client(site.url, ns, recipe, endpoints, username, password, timeout=30)
        client.hold_the_credential_of(holder)  # the same refresh token, in the body or in its cookie
        barrier.wait()
        answers.append((client, client.refresh()))

    threads = [threading.Thread(target=send) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted(status for _, (status, _, _) in answers)
    winners = [client for client, (status, _, body) in answers if status == 200]
    for client, (status, _, body) in answers:
        if status == 200 and recipe["kind"] == "jwt":
            client.credential.tokens = json.loads(body)  # the new pair (a cookie recipe's is in the client's jar)
    return statuses, winners


def assert_one_winner_and_the_chain_ended(site, users, password):
    found = rotating(site)
    assert {"jwt", "jwt-rsa"} <= set(found)
    for ns, (recipe, endpoints) in found.items():
        statuses, winners = race(site, ns, recipe, endpoints, users[0], password)
        refused = 403 if recipe["kind"] == "cookie" else 401  # a cookie has no challenge to send: 403, as for sessions
        assert statuses == [200] + [refused] * 11, ns
        # The losers presented a used token: the winner's new one belongs to the same ended chain.
        assert winners[0].refresh()[0] == refused, ns


def test_one_refresh_token_one_winner_on_postgresql(stack):
    _, site, users, password = stack
    assert_one_winner_and_the_chain_ended(site, users, password)


@pytest.fixture(scope="module")
def sqlite_site(tmp_path_factory):
    directory = tmp_path_factory.mktemp("sqlite")
    site = services.Site(
        {"DATABASE_URL": f"sqlite:///{directory / 'db.sqlite3'}", "REDIS_URL": "", **SITE_ENV},
        directory / "gunicorn.log",
    )
    site.manage("migrate", "--noinput", "-v0")
    users, password = measure.add_users(site)
    site.start()
    try:
        yield site, users, password
    finally:
        site.stop()


def test_one_refresh_token_one_winner_on_sqlite(sqlite_site):
    assert_one_winner_and_the_chain_ended(*sqlite_site)


def test_one_log_line_per_outage_not_a_traceback(stack, measured):
    _, site, _, _ = stack
    log = site.log_text()
    assert "Traceback" not in log
    assert "database unavailable" in log
    assert "cache unavailable" in log
    # A line per transition, per worker: 2 workers, 2 database outages (the measurement's, the load test's), and
    # a thread that connected just before the stop may mark one "back" once more. Not one per 503 (hundreds).
    assert 2 <= log.count("database unavailable") <= 2 * 2 * 2
    assert log.count("database unavailable") - log.count("database available again") <= 2
