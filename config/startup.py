"""The start-up check: a wrong DATABASE_URL or REDIS_URL stops the site with one clear line.

Without it, a mistyped URL surfaces as a traceback from deep inside
dj-database-url, and an unreachable server only on the first request that
needs it, as a 500. manage.py and config/wsgi.py (gunicorn) call
``exit_unless_services_answer()`` before Django starts; the test suite
(pytest-django imports the settings, not these files) pays nothing for it.
"""

import os
import sys
from functools import cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import dj_database_url

# Seconds to wait for a server: an unreachable host should stop start-up, not hang it.
CONNECT_TIMEOUT = 5

# manage.py commands that touch neither the database nor the cache, so a
# missing server must not stop them (`test` makes its own test database).
COMMANDS_WITHOUT_SERVICES = {"help", "--help", "-h", "version", "--version", "collectstatic", "makemigrations", "test"}


class ServiceUnavailable(Exception):
    """A service URL that cannot be read or connected to; its message is the one line a person sees."""

    def __init__(self, variable, doing, url, error):
        # Drivers' messages may run over several lines (libpq adds a hint): the first says what failed.
        reason = " ".join(str(error).partition("\n")[0].split()) or type(error).__name__
        super().__init__(f"{variable}: cannot {doing} {without_password(str(url))}: {reason}")


def without_password(url):
    """The URL with any password replaced by ***, fit to print: `postgres://alice:***@db:5432/demo`."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "(a URL that cannot be parsed)"
    userinfo, at, hostport = parts.netloc.rpartition("@")
    if ":" in userinfo:
        parts = parts._replace(netloc=f"{userinfo.split(':', 1)[0]}:***{at}{hostport}")
    if "password" in parts.query:  # libpq also takes ?password=...
        query = [(name, "***" if "password" in name else value) for name, value in parse_qsl(parts.query)]
        parts = parts._replace(query=urlencode(query, safe="*"))
    return urlunsplit(parts)


def check_database(url):
    """Read DATABASE_URL as the settings will, then open one connection with the site's own backend."""
    if url:  # unset or empty: the embedded SQLite file, which the settings name themselves
        try:
            dj_database_url.parse(url)
        except ValueError as error:
            raise ServiceUnavailable("DATABASE_URL", "read", url, error) from error
    from django.core.exceptions import ImproperlyConfigured
    from django.db import connections

    connection = connections["default"]
    try:
        params = connection.get_connection_params()
    except ImproperlyConfigured as error:  # a URL without a database name, for example
        raise ServiceUnavailable("DATABASE_URL", "read", url, error) from error
    if connection.vendor == "postgresql":
        params.setdefault("connect_timeout", CONNECT_TIMEOUT)
    try:
        connection.get_new_connection(params).close()
    except connection.Database.Error as error:
        raise ServiceUnavailable(
            "DATABASE_URL", "connect to", url or connection.settings_dict["NAME"], error
        ) from error


def check_cache(url):
    """Read REDIS_URL as Django's Redis cache backend will (redis-py's from_url), and PING the server."""
    if not url:  # unset or empty: the local-memory cache, which has nothing to reach
        return
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=CONNECT_TIMEOUT, socket_timeout=CONNECT_TIMEOUT)
    except ValueError as error:
        raise ServiceUnavailable("REDIS_URL", "read", url, error) from error
    try:
        client.ping()
    except (redis.RedisError, ValueError) as error:
        raise ServiceUnavailable("REDIS_URL", "connect to", url, error) from error
    finally:
        client.close()


def needs_services(argv):
    """Whether this manage.py command line needs the database and the cache."""
    return len(argv) > 1 and argv[1] not in COMMANDS_WITHOUT_SERVICES


@cache  # once per process: runserver imports config.wsgi after manage.py has checked
def services_problem():
    """The one line that says what is wrong with DATABASE_URL or REDIS_URL, or None if both answer."""
    try:
        check_database(os.environ.get("DATABASE_URL"))
        check_cache(os.environ.get("REDIS_URL"))
    except ServiceUnavailable as problem:
        return str(problem)
    return None


def exit_unless_services_answer(exit_status=1):
    """Print the problem, if there is one, to stderr and exit with `exit_status`."""
    problem = services_problem()
    if problem:
        print(problem, file=sys.stderr)
        raise SystemExit(exit_status)
