"""Which exceptions mean "a service this site needs cannot be reached", and which service.

Django wraps the database driver's errors (psycopg's, sqlite3's) in
``django.db.OperationalError`` and ``InterfaceError``; Django's Redis cache
lets redis-py's own exceptions through. Both lists are here, once.
"""

import django.db

DATABASE_ERRORS = (django.db.OperationalError, django.db.InterfaceError)
try:
    import psycopg
except ImportError:  # SQLite only: psycopg is in pyproject.toml's dependencies, but nothing else needs it
    pass
else:
    DATABASE_ERRORS += (psycopg.OperationalError, psycopg.InterfaceError)

try:
    import redis.exceptions
except ImportError:
    CACHE_ERRORS = ()
else:
    # redis-py's ConnectionError and TimeoutError are its own classes, not the builtins of the same names.
    CACHE_ERRORS = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)

DATABASE, CACHE = "database", "cache"


class ServiceUnavailable(Exception):
    """Another service this request needed, beside the database and the cache, could not be reached: answered 503 too.

    An app that calls one (an introspecting resource server calls its authorization server)
    raises a subclass naming it, with the words a client gets.
    """

    service = "service"  # the response's `code` is "<service>_unavailable", spaces as underscores
    detail = "A service this site needs cannot be reached right now. Nothing was changed; try again in a few seconds."


# SQLite reports a missing table or column as an OperationalError too: that is a database not migrated (a
# programming error, ProgrammingError on PostgreSQL), not one that is down.
NOT_AN_OUTAGE = ("no such table", "no such column")


def service_down(exc):
    """DATABASE, CACHE or a ServiceUnavailable's service if `exc` (or one it was raised from) says it is unreachable, else None.

    Only `raise ... from` (__cause__) is followed, not the exception being handled when this one was raised
    (__context__): a wrong token looked up in the database after the cache failed is a 401, not an outage.
    """
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, ServiceUnavailable):
            return exc.service
        if isinstance(exc, DATABASE_ERRORS):
            return None if str(exc).startswith(NOT_AN_OUTAGE) else DATABASE
        if CACHE_ERRORS and isinstance(exc, CACHE_ERRORS):
            return CACHE
        exc = exc.__cause__
    return None
