"""Under concurrency, on gunicorn with two workers and one SQLite file: logins race, writers collide, nothing is lost.

The real server, the real PBKDF2 hasher: 20 clients log in as the same user at
each login endpoint at once (the first token login of a user creates its DRF
token, so those 20 race to create it), and 20 users write notes at once.
"""

import json
import os
import subprocess
import sys
import textwrap
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.cookiejar import CookieJar

import pytest

from .servers import ROOT, free_port, running

pytestmark = pytest.mark.slow

CLIENTS = 20
NOTES_EACH = 3

SEED = textwrap.dedent(
    """
    import json
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from rest_framework.authtoken.models import Token

    call_command("migrate", verbosity=0)
    User = get_user_model()
    User.objects.create_user("racer", password="racer-pass")  # no DRF token yet: the logins race to create it
    hashed = make_password("writer-pass")  # the site's hasher, once for all the writers
    writers = [User.objects.create(username=f"writer-{i}", password=hashed) for i in range(CLIENTS)]
    print(json.dumps({w.username: Token.objects.create(user=w).key for w in writers}))
    """.replace("CLIENTS", str(CLIENTS))
)


class Browser:
    """One HTTP client with its own cookie jar, like one browser tab."""

    def __init__(self, base):
        self.base = base
        self.cookies = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def cookie(self, name):
        return next(c.value for c in self.cookies if c.name == name)

    def call(self, method, path, body=None, **headers):
        """(status, parsed JSON body) of one request, without raising on 4xx/5xx."""
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Accept": "application/json", "Content-Type": "application/json", **headers}
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
        try:
            with self.opener.open(request, timeout=120) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        return status, json.loads(raw) if raw else None


def session_login(base):
    browser = Browser(base)
    browser.call("GET", "/api/session/login/")
    status, body = browser.call(
        "POST",
        "/api/session/login/",
        {"username": "racer", "password": "racer-pass"},
        **{"X-CSRFToken": browser.cookie("csrftoken")},
    )
    me = browser.call("GET", "/api/session/me/")
    return status, body, me


def token_login(base):
    status, body = Browser(base).call("POST", "/api/token/login/", {"username": "racer", "password": "racer-pass"})
    me = Browser(base).call("GET", "/api/token/me/", Authorization=f"Token {body['token']}") if status == 200 else None
    return status, body, me


def jwt_login(base):
    status, body = Browser(base).call("POST", "/api/jwt/login/", {"username": "racer", "password": "racer-pass"})
    me = Browser(base).call("GET", "/api/jwt/me/", Authorization=f"Bearer {body['access']}") if status == 200 else None
    return status, body, me


def write_notes(base, username, key):
    browser = Browser(base)
    return [
        browser.call(
            "POST", "/api/token/notes/", {"title": f"{username} {i}", "body": ""}, Authorization=f"Token {key}"
        )[0]
        for i in range(NOTES_EACH)
    ]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """gunicorn, two workers, a fresh SQLite file: (base URL, the writers' token keys, the server's log file)."""
    tmp = tmp_path_factory.mktemp("concurrency")
    env = {
        "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}",
        "DJANGO_DEBUG": "0",
        "LOGIN_THROTTLE": "1000/minute",  # 20 logins of one user from one address are the point here
        "REDIS_URL": "",  # each worker's own local-memory cache
    }
    seeded = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", SEED],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert seeded.returncode == 0, seeded.stderr
    keys = json.loads(seeded.stdout.strip().splitlines()[-1])
    port = free_port()
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "config.wsgi:application",
        "--workers",
        "2",
        "--bind",
        f"127.0.0.1:{port}",
        "--timeout",
        "120",
    ]
    log_path = tmp / "gunicorn.log"
    with open(log_path, "w") as log, running(command, port, env, log):
        yield f"http://127.0.0.1:{port}", keys, log_path


def at_once(function, *argument_lists):
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        return list(pool.map(function, *argument_lists))


def test_twenty_logins_of_one_user_at_each_endpoint(server):
    base, _, log_path = server

    sessions = at_once(session_login, [base] * CLIENTS)
    tokens = at_once(token_login, [base] * CLIENTS)
    jwts = at_once(jwt_login, [base] * CLIENTS)

    for results in (sessions, tokens, jwts):
        assert [status for status, _, _ in results] == [200] * CLIENTS, results
        assert [me[0] for _, _, me in results] == [200] * CLIENTS
        assert {me[1]["username"] for _, _, me in results} == {"racer"}
    assert len({body["token"] for _, body, _ in tokens}) == 1  # the same DRF token for all twenty
    assert len({body["refresh"] for _, body, _ in jwts}) == CLIENTS  # a refresh token each
    assert "database is locked" not in log_path.read_text()


def test_twenty_users_write_notes_at_once(server):
    base, keys, log_path = server

    statuses = at_once(write_notes, [base] * CLIENTS, list(keys), list(keys.values()))

    assert statuses == [[201] * NOTES_EACH] * CLIENTS
    for username, key in keys.items():
        status, notes = Browser(base).call("GET", "/api/token/notes/", Authorization=f"Token {key}")
        assert status == 200
        assert sorted(note["title"] for note in notes) == [f"{username} {i}" for i in range(NOTES_EACH)]
    log = log_path.read_text()
    assert "database is locked" not in log
    assert "Traceback" not in log
