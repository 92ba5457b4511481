"""Measure each namespace in-process: Django's test client, real credentials, the real middleware.

Used by the landing page (queries per request, measured once per process) and
by ``manage.py compare_auth``. Nothing here is typed in: every figure is read
from the ``X-DB-Queries`` and ``Server-Timing`` headers of a real request, or
timed around a real request.
"""

import inspect
import secrets
import statistics
import threading
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from time import perf_counter

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.test import Client, override_settings

import registry
from api.seeding import DEMO_USERS
from instrumentation.middleware import SQLRecorder, counting
from recipes.cost_headers import read_cost


@dataclass
class Sample:
    status: int
    queries: int
    db_ms: float
    auth_ms: float
    total_ms: float


def read_sample(response):
    queries, timings = read_cost(response.headers)
    return Sample(
        status=response.status_code,
        queries=queries,
        db_ms=timings["db"],
        auth_ms=timings["auth"],
        total_ms=timings["total"],
    )


def host():
    allowed = [h for h in settings.ALLOWED_HOSTS if h not in ("*",) and not h.startswith(".")]
    return allowed[0] if allowed else "localhost"


class SiteClient(Client):
    """Django's test client, sent to the site's own host name, over HTTPS where the site redirects plain HTTP."""

    def __init__(self, **defaults):
        super().__init__(HTTP_HOST=host(), **defaults)

    def request(self, **request):
        with registry.in_process():  # what a namespace needs beside it with no server listening (Scheme.in_process)
            return super().request(**request)

    def get(self, *args, **kwargs):
        return super().get(*args, **{"secure": settings.HTTPS, **kwargs})

    def post(self, *args, **kwargs):
        return super().post(*args, **{"secure": settings.HTTPS, **kwargs})


def client_for(ns, user, password):
    """A test client that carries `user`'s credential for namespace `ns`, obtained without the login endpoints' throttle."""
    client = SiteClient()
    credential = registry.scheme(ns).credential
    if credential is not None:
        credential.log_in(client, user, password)  # the namespace's own scheme.py says how
    return client


def leave_no_session(client):
    """Log a client out of its Django session, if it has one, so that no session row is left behind."""
    if settings.SESSION_COOKIE_NAME in client.cookies:
        client.logout()


def get_me(client, ns):
    return client.get(f"/api/{ns}/me/", secure=settings.HTTPS)


def sample_me(client, ns, requests):
    """`requests` GETs of /api/<ns>/me/, each read from its own headers."""
    return [read_sample(get_me(client, ns)) for _ in range(requests)]


def timed_me(client, ns):
    """(Sample, milliseconds) of one GET me/, timed from outside: what the caller waits, middleware and all."""
    started = perf_counter()
    response = get_me(client, ns)
    elapsed_ms = (perf_counter() - started) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"GET /api/{ns}/me/ answered {response.status_code}: {response.content[:200]!r}")
    return read_sample(response), elapsed_ms


def p95(values):
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def new_throwaway_user(purpose, encoded_password):
    """A user made for one measurement, named "<purpose>-<random>", its password already hashed by the site's hasher.

    Hashing is left to the caller (``make_password``): a measurement that makes
    many users hashes once for all of them (Basic's hasher costs a quarter of a second).
    """
    return get_user_model().objects.create(username=f"{purpose}-{secrets.token_hex(8)}", password=encoded_password)


@contextmanager
def throwaway_user(purpose="compare-auth"):
    """(user, password): a throwaway user with a random password, deleted afterwards with what the schemes keep of it."""
    password = secrets.token_urlsafe(16)
    user = new_throwaway_user(purpose, make_password(password))
    try:
        yield user, password
    finally:
        delete_user(user)


def delete_user(user):
    """Delete a measurement's user, and what the schemes keep about it that deleting it leaves (JWT rows, cache entries)."""
    for scheme in registry.protected():
        scheme.credential.forget([user])
    user.delete()  # the rows that point at it (its tokens, its notes) go with it


@dataclass
class NamespaceFigures:
    """One namespace's GET me/, measured in-process."""

    queries_first_request: int
    queries_per_request: float  # the mean of the timed requests
    queries_seen: dict  # X-DB-Queries value -> how many timed requests gave it
    median_ms: float
    p95_ms: float
    auth_median_ms: float
    ratio_to_public: float = None


def compare_namespaces(requests, namespaces=None):
    """Each namespace's GET me/, `requests` times, round by round.

    Interleaved (one request per namespace per round) rather than one
    namespace after another, so that whatever else this machine is doing
    falls on every namespace alike. The first request of each namespace is
    not timed: it is the cold one (token-cached fills its cache then).
    """
    namespaces = namespaces or registry.namespaces()
    with throwaway_user() as (user, password):
        clients = {ns: client_for(ns, user, password) for ns in namespaces}
        first = {ns: timed_me(clients[ns], ns)[0] for ns in namespaces}
        timed = {ns: [] for ns in namespaces}
        for _ in range(requests):
            for ns in namespaces:
                timed[ns].append(timed_me(clients[ns], ns))
        for client in clients.values():
            leave_no_session(client)
    figures = {}
    for ns, pairs in timed.items():
        samples = [sample for sample, _ in pairs]
        times = [ms for _, ms in pairs]
        figures[ns] = NamespaceFigures(
            queries_first_request=first[ns].queries,
            queries_per_request=statistics.mean(sample.queries for sample in samples),
            queries_seen={str(n): count for n, count in sorted(Counter(sample.queries for sample in samples).items())},
            median_ms=statistics.median(times),
            p95_ms=p95(times),
            auth_median_ms=statistics.median(sample.auth_ms for sample in samples),
        )
    if "public" in figures:
        for ns_figures in figures.values():
            ns_figures.ratio_to_public = ns_figures.median_ms / figures["public"].median_ms
    return figures


INSTRUMENTATION = "instrumentation.middleware.QueryCountMiddleware"


def instrumentation_overhead(pairs):
    """public's GET me/ with QueryCountMiddleware and without it, `pairs` times each, alternating.

    What the instrumentation itself costs a request. The views' own timing
    of authentication (two perf_counter calls) stays in both.
    """
    instrumented = Client(HTTP_HOST=host())
    with override_settings(MIDDLEWARE=[m for m in settings.MIDDLEWARE if m != INSTRUMENTATION]):
        bare = Client(HTTP_HOST=host())
        # A test client builds its middleware chain once, at its first request, from
        # the settings of that moment: from here on `bare` runs without the middleware.
        if "X-DB-Queries" in get_me(bare, "public"):
            raise RuntimeError("the middleware is still in the chain: the overhead would read as zero")
    get_me(instrumented, "public")
    with_ms, without_ms = [], []
    for i in range(pairs):
        order = [(instrumented, with_ms), (bare, without_ms)]
        for client, times in order if i % 2 else reversed(order):  # alternate which goes first
            started = perf_counter()
            get_me(client, "public")
            times.append((perf_counter() - started) * 1000)
    with_median = statistics.median(with_ms)
    # The median of the pairs' differences: each pair ran back to back, so a
    # burst of load from elsewhere on the machine falls on both of its halves.
    overhead = statistics.median(w - wo for w, wo in zip(with_ms, without_ms, strict=True))
    return {
        "pairs": pairs,
        "public_median_ms_with": with_median,
        "public_median_ms_without": statistics.median(without_ms),
        "overhead_ms": overhead,
        "overhead_percent": overhead / with_median * 100,
    }


@dataclass
class Walkthrough:
    """One authenticated GET me/ as it happened: what the client sent, what the server checked, what the database read."""

    sends: list
    checks: list
    first: Sample  # read from the response's own headers, as everywhere else
    warm: Sample
    reads: list  # instrumentation.middleware.Statement, each with its step
    warm_reads: list  # the next request's, when it read something else (token-cached once its cache is warm)


def recorded_me(client, ns):
    """One GET /api/<ns>/me/ with its statements recorded, whatever DEMO_SHOW_SQL says: this is a measurement."""
    with counting(SQLRecorder()) as recorder:
        response = client.get(f"/api/{ns}/me/", secure=settings.HTTPS)
    return response, recorder.statements


def what_was_sent(request):
    """The credential the server received, by name and length only: never its value."""
    sent = []
    authorization = request.META.get("HTTP_AUTHORIZATION")
    if authorization:
        keyword, _, credential = authorization.partition(" ")
        sent.append(f"Authorization: {keyword} ‹{len(credential)} characters›")
    sent.extend(f"Cookie: {name}=‹{len(value)} characters›" for name, value in request.COOKIES.items())
    return sent or ["no credential"]


def what_was_checked(response):
    """The authentication class that accepted the request (from the request DRF itself handled), with its docstring's summary."""
    drf_request = response.renderer_context["request"]
    authenticator = drf_request.successful_authenticator
    if authenticator is None:
        return ["no authentication class: every request is anonymous (AllowAny)"]
    cls = type(authenticator)
    summary = " ".join((inspect.getdoc(cls) or "").split("\n\n")[0].split())  # its first paragraph, on one line
    return [f"{cls.__module__}.{cls.__qualname__}", summary]


def walkthrough(client, ns):
    """Two GET me/ in `ns`, told as steps; the figures come from the recorder, the words from the code that ran."""
    response, reads = recorded_me(client, ns)
    warm_response, warm_reads = recorded_me(client, ns)
    if response.status_code != 200 or warm_response.status_code != 200:
        return None
    return Walkthrough(
        sends=what_was_sent(response.wsgi_request),
        checks=what_was_checked(response),
        first=read_sample(response),
        warm=read_sample(warm_response),
        reads=reads,
        warm_reads=warm_reads if [s.sql for s in warm_reads] != [s.sql for s in reads] else None,
    )


_kept_lock = threading.Lock()


def kept(store, measure):
    """store["table"], measured by `measure()` the first time this process asks, then kept (the landing page's tables)."""
    with _kept_lock:  # one at a time: two measurements at once would only slow each other
        if "table" not in store:
            store["table"] = measure()
        return store["table"]


_landing = {}
_landing_lock = threading.Lock()


def landing_figures(username="alice"):
    """Queries per `GET me/` in each namespace, cold and warm, measured once per process with the demo user."""

    with _landing_lock:
        if not _landing:
            user = get_user_model().objects.filter(username=username, is_active=True).first()
            if user is None:
                return {}  # not seeded yet: the page says so
            for ns in registry.namespaces():
                client = client_for(ns, user, DEMO_USERS[username])
                steps = walkthrough(client, ns)
                if steps is not None:
                    _landing[ns] = {"first": steps.first.queries, "warm": steps.warm.queries, "walkthrough": steps}
                leave_no_session(client)
        return dict(_landing)
