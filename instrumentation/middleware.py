"""The instrumentation: what each request cost, in headers a student can read in the browser.

With ``DJANGO_DEBUG=1`` or ``DEMO_SHOW_SQL=1`` it also keeps the SQL of each
request, for the panel under every browsable-API page (``instrumentation/_sql_panel.html``).
"""

import re
import sys
import threading
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from time import perf_counter

from django.conf import settings
from django.db import connections

import registry

# Which phase of the request the code is in. The middleware and the views set
# it as a request goes through them (see QueryCountMiddleware and
# instrumentation.views.InstrumentedView); a recorder reads it for queries that no
# library step below claims. A ContextVar, not an attribute of the request, so
# that any recorder sees it, and each thread (each gunicorn worker thread, each
# nested in-process request) has its own.
current_step = ContextVar("current_step", default="outside any request")

# The steps the libraries perform, named by where their code lives
# ("module.Class.method" prefixes), innermost caller first. Matching the caller,
# not the table name in the SQL, means a renamed table or a custom user model
# still gets the right step, and the list says which code asks the database.
# Each scheme's app names its library's steps (``Scheme.sql_steps``); Django's
# own come last, so a library's more particular prefix wins within one frame.
DJANGO_STEPS = (
    ("django.contrib.sessions.", "session lookup"),  # SessionMiddleware: in every namespace that gets the cookie
    ("django.contrib.auth.", "user lookup"),
)


def library_steps():
    return (*registry.sql_steps(), *DJANGO_STEPS)


def step_of_caller(frame):
    """The step that issued the query running under `frame`: the innermost library step, else the request's phase."""
    steps = library_steps()
    while frame is not None:
        code = frame.f_code
        where = f"{frame.f_globals.get('__name__', '')}.{code.co_qualname}"
        for prefix, step in steps:
            if where.startswith(prefix):
                return step
        frame = frame.f_back
    return current_step.get()


@dataclass(frozen=True)
class Statement:
    """One SQL statement as the panel shows it: placeholders (%s), never the parameters' values."""

    sql: str
    ms: float
    step: str

    @property
    def short_sql(self):
        """The statement without its column list: what it reads, and by what."""
        return re.sub(r"^SELECT .*? FROM ", "SELECT … FROM ", self.sql, count=1, flags=re.S)


class RequestCost:
    """What one request spent: SQL queries and their time, and time in authentication."""

    recorded = False  # see SQLRecorder

    def __init__(self):
        self.thread = threading.get_ident()
        self.queries = 0
        self.db_seconds = 0.0
        self.auth_seconds = 0.0
        self.calls = None  # {name: [calls, seconds]}: HTTP calls to other services, where a namespace makes them

    def __call__(self, execute, sql, params, many, context):
        # A database execute wrapper: Django calls it around every query. A connection shared with another thread (a
        # scheme's in-process server, as Django's live-server tests share one: registry.in_process) carries that
        # thread's request's wrapper too: each request counts its own thread's queries only.
        if threading.get_ident() != self.thread:
            return execute(sql, params, many, context)
        started = perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.count(sql, perf_counter() - started)

    def count(self, sql, seconds):
        self.db_seconds += seconds
        self.queries += 1


class SQLRecorder(RequestCost):
    """A RequestCost that also keeps each statement: its SQL with placeholders, its time, and its step.

    Only the SQL text is kept, exactly as Django sends it with ``%s`` where
    each value goes; the values (``params``: session keys, token keys,
    password hashes) are never stored. Walking the caller's frames costs a few
    microseconds per query, which is why this is off unless asked for.
    """

    recorded = True

    def __init__(self):
        super().__init__()
        self.statements = []

    def count(self, sql, seconds):
        super().count(sql, seconds)
        self.statements.append(Statement(sql=sql, ms=seconds * 1000, step=step_of_caller(sys._getframe(1))))


@contextmanager
def counting(cost):
    """Route every query on every database connection of this thread through `cost` while the block runs."""
    # What Django's connection.execute_wrapper() context manager does (append,
    # then remove), done by hand: an ExitStack of those context managers cost
    # about as much as all the rest of this middleware (compare_auth measures it).
    wrapped = connections.all()
    for connection in wrapped:
        connection.execute_wrappers.append(cost)
    try:
        yield cost
    finally:
        for connection in wrapped:
            connection.execute_wrappers.remove(cost)


def expect_calls(request, name):
    """Say that `request` may call the service `name` over HTTP: its response reports the calls, even none.

    An authentication class that asks another service (an introspecting resource server asks
    the authorization server) says so first, so that a cache hit reads
    ``X-Outgoing-Calls: 0`` rather than nothing.
    """
    cost = getattr(request, "cost", None)
    if cost is not None:
        if cost.calls is None:
            cost.calls = {}
        cost.calls.setdefault(name, [0, 0.0])


@contextmanager
def outgoing_call(request, name):
    """Count and time one HTTP call to the service `name` made for `request`, failed or not."""
    expect_calls(request, name)
    started = perf_counter()
    try:
        yield
    finally:
        cost = getattr(request, "cost", None)
        if cost is not None:
            cost.calls[name][0] += 1
            cost.calls[name][1] += perf_counter() - started


def ms(seconds):
    return f"{seconds * 1000:.3f}"


class QueryCountMiddleware:
    """Counts every SQL query a request causes and reports it with the time spent.

    First in MIDDLEWARE, so the count includes the queries of every other
    middleware (the session lookup, for example). Adds:

    - ``X-DB-Queries: <n>``
    - ``Server-Timing: db;dur=..., auth;dur=..., total;dur=...`` (browser dev tools show it)
    - where the request's namespace calls another service over HTTP (``expect_calls``):
      ``X-Outgoing-Calls: <n>`` and a ``Server-Timing`` entry per service (``introspect;dur=...``)

    ``auth`` is filled in by the views (see ``instrumentation.views.InstrumentedView``),
    which time DRF's authentication step itself.

    With ``DEBUG`` or ``DEMO_SHOW_SQL`` on, ``request.cost`` is an
    ``SQLRecorder`` that also keeps the statements, each with its step: the
    library step that issued it (``library_steps()``), or else the phase the
    request was in (``current_step``: before the view, authentication, the
    resource itself, rendering). The setting is read once, when the server
    starts; off, a request pays only for the counter (and for naming its
    phase four times, a context-variable assignment each: a couple of microseconds).
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.cost_class = SQLRecorder if settings.DEBUG or settings.DEMO_SHOW_SQL else RequestCost

    def __call__(self, request):
        request.cost = cost = self.cost_class()
        step = current_step.set("middleware, before the view")
        started = perf_counter()
        try:
            with counting(cost):
                response = self.get_response(request)
        finally:
            current_step.reset(step)
        total = perf_counter() - started
        response["X-DB-Queries"] = str(cost.queries)
        timing = (
            f'db;dur={ms(cost.db_seconds)};desc="{cost.queries} SQL queries", '
            f'auth;dur={ms(cost.auth_seconds)};desc="authentication", '
        )
        if cost.calls is not None:
            response["X-Outgoing-Calls"] = str(sum(calls for calls, _ in cost.calls.values()))
            for name, (calls, seconds) in cost.calls.items():
                timing += f'{name};dur={ms(seconds)};desc="{calls} HTTP calls", '
        response["Server-Timing"] = timing + f'total;dur={ms(total)};desc="whole request"'
        return response
