"""The race at /race/ in Debian's chromium, against the real site (gunicorn, DEBUG off), and the recorder off there.

And once against Django's runserver, whose keep-alive answers stall: the page must say so.
"""

import re
import secrets
import sys
from contextlib import contextmanager

import pytest

import registry

from .browser import needs_chromium, run_manage
from .conftest import NAMESPACES, basic_header
from .servers import free_port, get, running

pytestmark = pytest.mark.slow

# X-DB-Queries of GET me/ as each scheme declares them (Scheme.me_queries), as the race shows them; but token-cached:
QUERIES = {s.ns: str(s.me_queries) for s in registry.schemes() if s.ns != "token-cached"}
# token-cached: 0 once each server process has cached the key (a first request per gunicorn worker may ask).
TOKEN_CACHED = re.compile(r"0|0\.\d+ \(0–1\)")


def start_race(page, site, namespaces=None, username="alice", password="alice-demo-pass", requests=4, concurrency=2):
    page.goto(f"{site}/race/")
    if namespaces is not None:
        for box in page.locator("input[name=ns]").all():
            box.set_checked(box.get_attribute("value") in namespaces)
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.fill("input[name=requests]", str(requests))
    page.fill("input[name=concurrency]", str(concurrency))
    page.click("#start")
    page.wait_for_selector("#race-status[data-state=done]", timeout=120_000)


def figure(page, ns, name):
    return page.locator(f".lane[data-ns='{ns}'] .figure-{name} .value").inner_text()


@needs_chromium
def test_race_runs_every_namespace_to_the_end(site, page):
    start_race(page, site)

    assert page.inner_text("#race-status") == f"Finished: {len(NAMESPACES)} namespaces, no failures."
    for ns in [*QUERIES, "token-cached"]:
        lane = page.locator(f".lane[data-ns='{ns}']")
        assert lane.locator(".lane-state").inner_text() == "finished: 4 / 4", ns
        # The round trip in the browser, and beside it the server's own time (Server-Timing total).
        for name in ("median", "p95", "transfer", "server-median", "server-p95", "overhead"):
            assert re.fullmatch(r"[0-9.]+ ms", figure(page, ns, name)), (ns, name)
        for name in ("ratio", "server-ratio"):  # each as a multiple of public's
            assert re.fullmatch(r"[0-9.]+", figure(page, ns, name)), (ns, name)
        assert float(figure(page, ns, "server-median")[:-3]) < float(figure(page, ns, "median")[:-3]), ns
        assert re.fullmatch(r"[0-9.]+", figure(page, ns, "rps")), ns
        assert figure(page, ns, "failures") == "0", ns
        assert lane.locator(".histogram rect.bin").count() == 20, ns
        queries = figure(page, ns, "queries")
        assert queries == QUERIES[ns] if ns in QUERIES else TOKEN_CACHED.fullmatch(queries), (ns, queries)
    assert figure(page, "public", "ratio") == figure(page, "public", "server-ratio") == "1.00"
    # basic hashes the password on every request: by the server's own time, far slower than public.
    assert float(figure(page, "basic", "server-ratio")) > 50
    assert page.locator("#race-bars rect.bar.median").count() == len(NAMESPACES)
    assert page.locator("#race-bars rect.bar.server").count() == len(NAMESPACES)
    reading = page.inner_text("#reading")
    # The schemes compared by the server's time, slowest (basic) last; then how much was the browser and the network.
    by_server = re.search(r"By the server's own time per request \(Server-Timing total, median\): ([^\n]*)\.", reading)
    assert by_server, reading
    assert by_server[1].endswith("× public)")
    assert re.search(r"basic [0-9.]+ ms \([0-9.]+× public\)$", by_server[1])
    assert re.search(
        r"the browser and the network \(and the web server around Django\) took a median [0-9.]+ to", reading
    )
    assert "stalls" not in reading  # gunicorn: no stall
    assert page.locator("#reading .stall").count() == 0
    assert re.search(r"No database query at all: [^.]*public", reading)
    assert re.search(r"No database query at all: [^.]*jwt-stateless", reading)
    assert "session (2 queries)" in reading
    assert "knox (2 queries)" in reading
    assert re.search(r"basic spent a median [0-9.]+ ms of its [0-9.]+ ms on the server authenticating", reading)
    assert "pbkdf2_sha256" in reading  # the real hasher: the site's, not the tests'
    assert "No request failed." in reading


@needs_chromium
def test_race_shows_failures(site, page):
    start_race(
        page,
        site,
        namespaces=["basic", "token"],
        username="bob",
        password="not-bobs-password",
        requests=2,
        concurrency=1,
    )

    assert page.inner_text("#race-status") == "Finished: 2 namespaces, 3 failures."
    basic = page.locator(".lane[data-ns='basic']")
    assert figure(page, "basic", "failures") == "2"
    assert "HTTP 401" in basic.locator(".lane-error").inner_text()
    token = page.locator(".lane[data-ns='token']")
    assert token.locator(".lane-state").inner_text().startswith("could not log in")
    assert "token login: HTTP 400" in token.locator(".lane-error").inner_text()
    assert "Failures: basic 2" in page.inner_text("#reading")


def test_recorder_is_off_without_debug_or_demo_show_sql(site):
    status, headers, body = get(
        f"{site}/api/basic/me/",
        headers={"Accept": "text/html", "Authorization": basic_header("alice", "alice-demo-pass")},
    )
    html = body.decode()

    assert status == 200
    assert headers["X-DB-Queries"] == "1"
    assert 'This request ran <b class="sql-queries">1</b> query' in html
    assert 'class="sql-off"' in html
    assert "SELECT" not in html
    assert "auth_user" not in html


@contextmanager
def runserver(home):
    """The site under Django's own development server (what make demo ran before gunicorn), on a seeded SQLite file."""
    port = free_port()
    env = {
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": f"sqlite:///{home / 'runserver.sqlite3'}",
        "REDIS_URL": "",
    }
    run_manage(env, "migrate", "--noinput")
    run_manage(env, "seed_demo", "--base-url", f"http://127.0.0.1:{port}")
    command = [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"]
    with open(home / "runserver.log", "w") as log, running(command, port, env, log):
        yield f"http://127.0.0.1:{port}"


@needs_chromium
def test_race_says_when_the_server_stalls(tmp_path, page):
    # runserver writes each answer in small pieces with Nagle on: every keep-alive answer waits ~40 ms for the ACK.
    with runserver(tmp_path) as site:
        start_race(page, site, namespaces=["public", "jwt-stateless"], requests=20, concurrency=2)

        stall = page.locator("#reading .stall")
        assert stall.count() == 1
        assert re.match(
            r"The server or the connection stalls: the median round trip of public, jwt-stateless", stall.inner_text()
        )
        assert "Nagle" in stall.inner_text()
        for ns in ("public", "jwt-stateless"):
            assert float(figure(page, ns, "overhead")[:-3]) > 25, ns
            # The stall itself: a 50-byte answer that takes tens of ms from its first byte to its last.
            assert float(figure(page, ns, "transfer")[:-3]) > 20, ns


@needs_chromium
def test_race_logs_in_to_oauth2_through_the_login_and_consent_pages(site, page):
    # Alone, so no session lane has logged the browser in before: the flow meets the authorization server's login
    # page, then its consent page, and the lane gets only the token (Authorization: Bearer, no cookie).
    start_race(page, site, namespaces=["oauth2"], requests=3, concurrency=1)

    assert page.inner_text("#race-status") == "Finished: 1 namespace, no failures."
    assert page.locator(".lane[data-ns='oauth2'] .lane-state").inner_text() == "finished: 3 / 3"
    assert figure(page, "oauth2", "queries") == "1"
    visited = [url.split("?")[0] for url in page.requested]
    for step in ("/o/authorize/", "/api-auth/login/", "/api/oauth2/", "/o/token/"):
        assert f"{site}{step}" in visited, (step, visited)


@needs_chromium
def test_race_refuses_oauth2_with_a_wrong_password(site, page):
    start_race(page, site, namespaces=["oauth2"], password="not-alices-password", requests=2, concurrency=1)

    lane = page.locator(".lane[data-ns='oauth2']")
    assert lane.locator(".lane-state").inner_text().startswith("could not log in")
    assert "no consent page" in lane.locator(".lane-error").inner_text()  # the login page again, not the consent
