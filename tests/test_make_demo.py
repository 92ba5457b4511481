"""`make demo` from the checkout really serves the site: under gunicorn, with no stall for keep-alive clients.

One `make demo` serves the module's first tests (DJANGO_DEBUG=1, as a student
runs it); the last test starts it twice more, to stop it with Ctrl-C and start
it again.
"""

import http.client
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import time
from pathlib import Path

import psutil
import pytest

import recipes

from .conftest import basic_header
from .servers import ROOT, free_port, get, post_json, running, wait_until_up

pytestmark = pytest.mark.slow


def make_demo_env(tmp_path, port):
    # DJANGO_DEBUG unset: make demo's own default (1) applies.
    env = {"PORT": str(port), "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}", "REDIS_URL": ""}
    return {k: v for k, v in {**os.environ, **env}.items() if k != "DJANGO_DEBUG"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """(base URL, path of its log) of one `make demo`, stopped at the end of the module."""
    home = tmp_path_factory.mktemp("make-demo")
    port = free_port()
    log_path = home / "demo.log"
    with open(log_path, "w") as log, running(["make", "demo"], port, make_demo_env(home, port), log):
        yield f"http://127.0.0.1:{port}", log_path


def keep_alive_round_trips(base, path, requests=200, headers=None):
    """(median round trip, median Server-Timing total), in ms, of `requests` GETs on ONE kept-alive connection.

    http.client keeps the connection open between requests, and this machine's
    TCP stack delays its acknowledgements as a browser's does: what a server that
    writes its answer in small pieces with Nagle's algorithm on makes wait.
    """
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    round_trips, server, first_socket = [], [], None
    try:
        for _ in range(requests):
            started = time.perf_counter()
            connection.request("GET", path, headers={"Accept": "application/json", **(headers or {})})
            response = connection.getresponse()
            response.read()
            round_trips.append((time.perf_counter() - started) * 1000)
            assert response.status == 200, response.status
            assert not response.will_close, "the server closed the connection"
            server.append(float(re.search(r"total;dur=([0-9.]+)", response.headers["Server-Timing"])[1]))
            first_socket = first_socket or connection.sock
            assert connection.sock is first_socket, "a new connection was opened"
    finally:
        connection.close()
    return statistics.median(round_trips), statistics.median(server)


def test_make_demo_serves_the_site(demo):
    base, log = demo
    status, headers, body = get(f"{base}/", timeout=60)
    assert status == 200
    assert headers["Server"] == "gunicorn"
    assert b"alice-demo-pass" in body
    assert b'<td class="queries">2</td>' in body  # session, measured by the server itself

    status, headers, body = get(f"{base}/api/public/me/", headers={"Accept": "application/json"})
    assert status == 200
    assert json.loads(body) == {"username": None, "scheme": "public"}
    assert headers["X-DB-Queries"] == "0"

    # gunicorn writes the access-log line after the response has gone out: give it a moment.
    logged = '"GET /api/public/me/ HTTP/1.1" 200'
    deadline = time.monotonic() + 10
    while logged not in (printed := log.read_text()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert "alice / alice-demo-pass" in printed
    assert f"{base}/api/jwt/" in printed
    assert logged in printed  # each request on the terminal, as runserver did


def test_oauth2_introspect_asks_the_authorization_server_beside_it(demo):
    base, log = demo
    recipe = recipes.index(base)["oauth2-introspect"]["client"]
    credential = recipes.login(base, recipe, "alice", "alice-demo-pass")  # the flow, at /o/ of the site itself
    answers = [credential.get("/api/oauth2-introspect/me/") for _ in range(2)]
    assert [answer.status for answer in answers] == [200, 200]
    assert answers[1].json() == {"username": "alice", "scheme": "oauth2-introspect"}
    assert answers[1].headers["X-Outgoing-Calls"] == "1"  # the second: the resource server has its own token by then
    assert answers[1].headers["X-DB-Queries"] == "1"
    port = int(base.rsplit(":", 1)[1])
    assert (
        f"The authorization server that oauth2-introspect asks about each token: http://127.0.0.1:{port + 2}/o/introspect/"
        in log.read_text()
    )
    deadline = time.monotonic() + 10  # the other gunicorn's access log: the introspection crossed to it
    while 'authorization server: "POST /o/introspect/ HTTP/1.1" 200' not in log.read_text():
        assert time.monotonic() < deadline, "no introspection in the authorization server's log"
        time.sleep(0.1)


@pytest.mark.parametrize("ns", ["public", "jwt"])
def test_keep_alive_answers_come_as_fast_as_the_server_makes_them(demo, ns):
    # Against `manage.py runserver` this median is ~44 ms for a server time under 1 ms (docs/serving.md, "Serving the demo").
    base, _ = demo
    headers = {}
    if ns == "jwt":
        _, _, body = post_json(f"{base}/api/jwt/login/", {"username": "alice", "password": "alice-demo-pass"})
        headers["Authorization"] = f"Bearer {json.loads(body)['access']}"

    round_trip, server = keep_alive_round_trips(base, f"/api/{ns}/me/", headers=headers)

    assert round_trip < server + 5, f"median round trip {round_trip:.2f} ms, the server's own time {server:.2f} ms"


def test_it_binds_to_127_0_0_1_only(demo):
    base, _ = demo
    port = int(base.rsplit(":", 1)[1])
    with pytest.raises(ConnectionRefusedError):  # another loopback address: answered only by a server bound to all
        socket.create_connection(("127.0.0.2", port), timeout=5).close()


def test_debug_shows_the_sql_panel_the_browsable_api_and_the_panels_js(demo):
    base, _ = demo
    status, _, body = get(f"{base}/api/jwt/", headers={"Accept": "text/html"})
    assert status == 200
    assert b"/static/pages/authorize.js" in body  # the authorization panel of the browsable API

    status, headers, body = get(f"{base}/static/pages/authorize.js")
    assert status == 200
    assert body == (ROOT / "pages/static/pages/authorize.js").read_bytes()  # from the app, no collectstatic

    auth = basic_header("alice", "alice-demo-pass")
    status, _, body = get(f"{base}/api/basic/me/", headers={"Accept": "text/html", "Authorization": auth})
    assert status == 200
    assert b'<tr class="sql-statement" data-step="user lookup">' in body  # DEBUG: the recorder keeps the SQL

    status, _, body = get(f"{base}/no-such-page/", headers={"Accept": "text/html"})
    assert status == 404
    assert b"Using the URLconf defined in" in body  # Django's DEBUG page


CURL = {"capture_output": True, "text": True, "check": True, "timeout": 30}


def test_a_login_without_its_slash_is_a_308_that_curl_follows(demo):
    base, _ = demo
    login = ["curl", "-s", "-X", "POST", "-H", "Content-Type: application/json"]
    credentials = ["-d", '{"username": "alice", "password": "alice-demo-pass"}']

    said = subprocess.run([*login, *credentials, "-w", "\n%{http_code}", f"{base}/api/token/login"], **CURL)
    body, status = said.stdout.rsplit("\n", 1)
    assert status == "308"
    assert json.loads(body)["detail"].startswith("This URL ends with a slash: /api/token/login/")

    followed = subprocess.run([*login, "-L", *credentials, f"{base}/api/token/login"], **CURL)
    assert set(json.loads(followed.stdout)) == {"token"}


def gunicorn_workers(port):
    """The pids of the worker processes of the gunicorn bound to `port` (their master's children)."""
    servers = [p for p in psutil.process_iter(["cmdline"]) if f"127.0.0.1:{port}" in (p.info["cmdline"] or [])]
    masters = {p.pid for p in servers}
    return sorted(p.pid for p in servers if p.ppid() in masters)


def test_a_worker_leaves_ctrl_c_to_the_master(demo):
    # Ctrl-C reaches the whole foreground group; the master stops the workers with one SIGQUIT each.
    # A worker that acted on its own SIGINT too could deadlock on the two (config's post_worker_init says how).
    base, _ = demo
    port = int(base.rsplit(":", 1)[1])
    workers = gunicorn_workers(port)
    assert len(workers) == 1, workers

    os.kill(workers[0], signal.SIGINT)

    assert get(f"{base}/api/public/me/", headers={"Accept": "application/json"})[0] == 200  # served after the signal
    assert gunicorn_workers(port) == workers  # by the same worker: it ignored SIGINT, none was booted in its place


def test_a_template_change_reloads_the_worker(demo):
    base, log = demo
    template = ROOT / "pages/templates/pages/race.html"
    saved = template.stat()
    # What an editor's save looks like to the reloader, which compares modification times: a newer one. Not a
    # byte of the tracked file is written, and its time is put back afterwards.
    os.utime(template, ns=(saved.st_atime_ns, saved.st_mtime_ns + 2_000_000_000))
    try:
        deadline = time.monotonic() + 30
        while "Worker reloading: pages/templates/pages/race.html modified" not in log.read_text():
            assert time.monotonic() < deadline, "no reload within 30 s"
            time.sleep(0.5)
    finally:
        os.utime(template, ns=(saved.st_atime_ns, saved.st_mtime_ns))
    assert get(f"{base}/race/", timeout=60)[0] == 200


def process_group_is_gone(pgid, seconds=20):
    """Whether every process of group `pgid` has exited, waiting up to `seconds` for them to."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.2)


def test_ctrl_c_stops_it_cleanly_and_it_starts_again(tmp_path):
    port = free_port()
    env = make_demo_env(tmp_path, port)
    for run in ("first", "second"):  # the second run finds the database migrated and the users seeded
        log_path = Path(tmp_path / f"{run}.log")
        with open(log_path, "w") as log:
            make = subprocess.Popen(
                ["make", "demo"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        try:
            assert wait_until_up(f"http://127.0.0.1:{port}/api/", make)[0] == 200, run
            # The authorization server beside it (oauth2-introspect's), a gunicorn of its own on PORT+2.
            assert wait_until_up(f"http://127.0.0.1:{port + 2}/api/", make)[0] == 200, run
            assert len(gunicorn_workers(port + 2)) == 1
            os.killpg(make.pid, signal.SIGINT)  # what a terminal sends the foreground process group on Ctrl-C

            make.wait(timeout=20)
            assert process_group_is_gone(make.pid), f"{run}: processes left after Ctrl-C"
        finally:
            if not process_group_is_gone(make.pid, seconds=0):  # a failed test leaves nothing running either
                os.killpg(make.pid, signal.SIGKILL)
                make.wait()
        for stopped in (port, port + 2):  # the site and its authorization server
            with pytest.raises(ConnectionRefusedError):
                socket.create_connection(("127.0.0.1", stopped), timeout=5).close()
        printed = log_path.read_text()
        assert printed.count("Shutting down: Master") == 2, printed
        assert "Traceback" not in printed, printed
