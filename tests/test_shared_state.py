"""Several server processes over one database and one cache: what each scheme needs to run on more than one worker.

Each test starts real gunicorn processes over a database of their own (a
PostgreSQL database beside the test database, or an SQLite file) and the
cache the suite was given (REDIS_URL, or each process's local memory). Tests
that need Redis or PostgreSQL skip, saying so, when the suite runs without.
"""

import json
import os
import subprocess
import sys
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from api.seeding import DEMO_USERS

from .servers import ROOT, free_port, get, gunicorn, post_json, running

pytestmark = pytest.mark.slow

REDIS_URL = os.environ.get("REDIS_URL", "")
DATABASE = settings.DATABASES["default"]
ON_POSTGRES = DATABASE["ENGINE"] == "django.db.backends.postgresql"
SERVERS_DATABASE = f"test_{DATABASE['NAME']}_servers"  # on PostgreSQL, beside pytest-django's test_<name>
needs_redis = pytest.mark.skipif(not REDIS_URL, reason="needs REDIS_URL: the local-memory cache is one per process")
needs_postgres = pytest.mark.skipif(not ON_POSTGRES, reason="needs a postgres:// DATABASE_URL: reads pg_stat_activity")


def per_cache(with_redis, with_local_memory):
    """Rows for parametrize: REDIS_URL for the servers and what to expect with it, for both kinds of cache.

    The servers get the suite's own Redis db, which tests/conftest.py clears around every test.
    """
    return [
        pytest.param(REDIS_URL, with_redis, id="redis", marks=needs_redis),
        pytest.param("", with_local_memory, id="locmem"),
    ]


def postgres(dbname):
    """A psycopg connection (autocommit) to `dbname` on the suite's PostgreSQL server, as the suite's own user."""
    import psycopg

    return psycopg.connect(
        host=DATABASE["HOST"], port=DATABASE["PORT"] or None, user=DATABASE["USER"],
        password=DATABASE["PASSWORD"], dbname=dbname, autocommit=True,
    )  # fmt: skip


def manage(*args, env):
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**os.environ, **env}, check=True, capture_output=True
    )


@pytest.fixture(scope="module")
def server_database(tmp_path_factory):
    """DATABASE_URL of a database for the servers, migrated and seeded with the demo users (real PBKDF2 passwords)."""
    if ON_POSTGRES:
        from psycopg import sql

        name = sql.Identifier(SERVERS_DATABASE)
        url = urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{SERVERS_DATABASE}").geturl()
        with postgres("postgres") as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))  # left by a killed run
            admin.execute(sql.SQL("CREATE DATABASE {}").format(name))
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('servers') / 'db.sqlite3'}"
    manage("migrate", env={"DATABASE_URL": url})
    manage("seed_demo", env={"DATABASE_URL": url})
    yield url
    if ON_POSTGRES:
        with postgres("postgres") as admin:
            admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(name))


def token_of(base, username="alice"):
    status, _, body = post_json(f"{base}/api/token/login/", {"username": username, "password": DEMO_USERS[username]})
    assert status == 200, body
    return {"Authorization": f"Token {json.loads(body)['token']}", "Accept": "application/json"}


@pytest.mark.parametrize(("cache_url", "queries_at_second_server"), per_cache(0, 1))
def test_token_cached_at_a_second_server_process(server_database, cache_url, queries_at_second_server):
    # Two gunicorns, as on two hosts behind a load balancer: same database, same cache.
    env = {"DATABASE_URL": server_database, "REDIS_URL": cache_url}
    first, second = free_port(), free_port()
    with running(gunicorn(first), first, env), running(gunicorn(second), second, env):
        credentials = token_of(f"http://127.0.0.1:{first}")
        status, headers, _ = get(f"http://127.0.0.1:{first}/api/token-cached/me/", headers=credentials)
        assert (status, headers["X-DB-Queries"]) == (200, "1")  # the first request fills the cache

        status, headers, body = get(f"http://127.0.0.1:{second}/api/token-cached/me/", headers=credentials)

    assert status == 200
    assert json.loads(body) == {"username": "alice", "scheme": "token-cached"}
    # Redis: the second process finds the first one's entry. Local memory: it asks the database again.
    assert headers["X-DB-Queries"] == str(queries_at_second_server)


@pytest.mark.parametrize(("cache_url", "throttled"), per_cache(True, False))
def test_login_throttle_across_gunicorn_workers(server_database, cache_url, throttled):
    env = {"DATABASE_URL": server_database, "REDIS_URL": cache_url, "LOGIN_THROTTLE": "3/minute"}
    port = free_port()
    # --max-requests 1: a worker exits after one request and gunicorn boots a fresh one,
    # so no two attempts are answered by the same process.
    with running(gunicorn(port, "--workers", "2", "--max-requests", "1", "--preload"), port, env):
        attempts = [
            post_json(f"http://127.0.0.1:{port}/api/token/login/", {"username": "alice", "password": "wrong"})[0]
            for _ in range(4)
        ]

    # Redis: the workers share one count, and the fourth attempt is refused.
    # Local memory: every worker counts from zero, and the limit never bites.
    assert attempts == [400, 400, 400, 429 if throttled else 400]


@needs_postgres
def test_a_worker_keeps_its_database_connection_across_requests(server_database):
    # application_name tells the server's connections apart from any other in pg_stat_activity.
    app = "authdemo-persistent-connection-test"
    env = {"DATABASE_URL": f"{server_database}?application_name={app}", "REDIS_URL": REDIS_URL}
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with postgres(SERVERS_DATABASE) as observer, running(gunicorn(port), port, env):

        def backends():
            """The PostgreSQL server processes serving the gunicorn worker's connections."""
            query = "SELECT pid FROM pg_stat_activity WHERE application_name = %s"
            return [pid for (pid,) in observer.execute(query, [app])]

        credentials = token_of(base)
        kept = backends()
        for _ in range(3):
            assert get(f"{base}/api/token/me/", headers=credentials)[0] == 200
            # CONN_MAX_AGE: the same connection, not a new one per request.
            assert backends() == kept
        assert len(kept) == 1

        # The connection dies under the worker (a database restart, a proxy's idle timeout)...
        observer.execute("SELECT pg_terminate_backend(%s)", kept)
        status, _, body = get(f"{base}/api/token/me/", headers=credentials)

        # ...and CONN_HEALTH_CHECKS replaces it before the request uses it: no 500.
        assert status == 200, body
        assert len(backends()) == 1
        assert backends() != kept
