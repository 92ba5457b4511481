"""The instrumentation: what each request cost, in headers a student can read in the browser."""
from time import perf_counter

from django.db import connections


class RequestCost:
    """What one request spent: SQL queries and their time, and time in authentication."""

    def __init__(self):
        self.queries = 0
        self.db_seconds = 0.0
        self.auth_seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        # A database execute wrapper: Django calls it around every query.
        started = perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.db_seconds += perf_counter() - started
            self.queries += 1


def ms(seconds):
    return f"{seconds * 1000:.3f}"


class QueryCountMiddleware:
    """Counts every SQL query a request causes and reports it with the time spent.

    First in MIDDLEWARE, so the count includes the queries of every other
    middleware (the session lookup, for example). Adds:

    - ``X-DB-Queries: <n>``
    - ``Server-Timing: db;dur=..., auth;dur=..., total;dur=...`` (browser dev tools show it)

    ``auth`` is filled in by the views (see ``demo.views.InstrumentedView``),
    which time DRF's authentication step itself.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.cost = cost = RequestCost()
        started = perf_counter()
        # What Django's connection.execute_wrapper() context manager does (append,
        # then remove), done by hand: an ExitStack of those context managers cost
        # about as much as all the rest of this middleware (compare_auth measures it).
        wrapped = connections.all()
        for connection in wrapped:
            connection.execute_wrappers.append(cost)
        try:
            response = self.get_response(request)
        finally:
            for connection in wrapped:
                connection.execute_wrappers.remove(cost)
        total = perf_counter() - started
        response["X-DB-Queries"] = str(cost.queries)
        response["Server-Timing"] = (
            f'db;dur={ms(cost.db_seconds)};desc="{cost.queries} SQL queries", '
            f'auth;dur={ms(cost.auth_seconds)};desc="authentication", '
            f'total;dur={ms(total)};desc="whole request"'
        )
        return response
