"""Where the server's time for one GET me/ goes, per namespace: a tracing of the steps, not a sampling profiler.

A few library functions are wrapped, for the run only, with a timer that
charges each call's time to one part, minus the time of the wrapped calls
inside it (so the parts add up to the whole request). cProfile would time
every Python call, and inflate the Python-heavy parts (the ORM, DRF) against the
C ones (the signature check); a dozen timers per request cost a few
microseconds. What is not inside any wrapped step is "framework and middleware":
Django's handler, the middleware, URL routing, DRF's dispatch, content
negotiation and permissions.
"""

import inspect
import statistics
from contextlib import ExitStack, contextmanager
from importlib import import_module
from time import perf_counter

from django.contrib.auth.hashers import get_hasher
from django.core.cache import caches

import registry
from measurements.measure import client_for, get_me, leave_no_session, throwaway_user

FRAMEWORK = "framework and middleware"
AUTH = "authentication (the rest)"
CRYPTO = "authentication: crypto"
DATABASE = "authentication: database"
CACHE = "authentication: cache"
CALL = "authentication: another service"  # the round trip, less what is timed inside it (its queries, in-process)
VIEW = "view"
SERIALIZATION = "serialization"
PARTS = (FRAMEWORK, AUTH, CRYPTO, DATABASE, CACHE, CALL, VIEW, SERIALIZATION)
# Charged only while DRF authenticates; else to what encloses them.
INSIDE_AUTHENTICATION = (CRYPTO, DATABASE, CACHE, CALL)

# Each profile gets at least this many requests per namespace, and more until it has spent its time
# budget: Basic hashes a password on every request (a quarter of a second), public takes a millisecond.
MIN_REQUESTS = 20
BUDGET_SECONDS = 8


def steps():
    """(owner, attribute, part) for every wrapped step: where each part's time is spent, by the code that spends it."""
    hasher = type(get_hasher())
    return [
        (
            "django.test.client.ClientHandler",
            "__call__",
            FRAMEWORK,
        ),  # the whole request, as a WSGI server hands it over
        ("instrumentation.views.InstrumentedView", "perform_authentication", AUTH),
        ("jwt.api_jws.PyJWS", "_verify_signature", CRYPTO),  # HMAC, RSA, ECDSA or Ed25519
        (f"{hasher.__module__}.{hasher.__qualname__}", "verify", CRYPTO),  # basic: the password hash
        # Each scheme's own hashing (a token's digest, a cache key), as its app declares it.
        *((owner, attribute, CRYPTO) for owner, attribute in registry.declared_steps("crypto_steps")),
        # The database: the ORM's whole round trip (the query built and compiled, the SQL run, the rows made into
        # models), not only the SQL: on SQLite the SQL itself is a few microseconds of it.
        ("django.db.models.query.QuerySet", "get", DATABASE),
        ("django.db.models.query.QuerySet", "_fetch_all", DATABASE),
        ("django.db.models.sql.compiler.SQLCompiler", "execute_sql", DATABASE),
        ("django.db.backends.utils.CursorWrapper", "execute", DATABASE),
        *((cache_class(), method, CACHE) for method in ("get", "set", "add", "get_many", "delete")),
        # Another service asked over HTTP (an introspecting resource server's authorization server). In-process it
        # is this site in a thread: its queries are timed as the database's, the rest (HTTP, its framework) here.
        *((owner, attribute, CALL) for owner, attribute in registry.declared_steps("call_steps")),
        ("api.views.MeView", "get", VIEW),
        ("rest_framework.renderers.JSONRenderer", "render", SERIALIZATION),
    ]


def cache_class():
    backend = type(caches["default"])
    return f"{backend.__module__}.{backend.__qualname__}"


def resolve(dotted):
    """The module or class a dotted name names."""
    parts = dotted.split(".")
    for split in range(len(parts), 0, -1):
        try:
            found = import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for name in parts[split:]:
            found = getattr(found, name)
        return found
    raise ImportError(dotted)


class Tracer:
    """Charges time to parts: each wrapped call's own time, without the wrapped calls inside it."""

    def __init__(self):
        self.stack = []  # [part, seconds of wrapped calls inside]
        self.seconds = dict.fromkeys(PARTS, 0.0)

    def reset(self):
        self.seconds = dict.fromkeys(PARTS, 0.0)

    def call(self, part, function, args, kwargs):
        if part in INSIDE_AUTHENTICATION and not any(frame[0] == AUTH for frame in self.stack):
            return function(*args, **kwargs)
        frame = [part, 0.0]
        self.stack.append(frame)
        started = perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            elapsed = perf_counter() - started
            self.stack.pop()
            self.seconds[part] += elapsed - frame[1]
            if self.stack:
                self.stack[-1][1] += elapsed

    def wrap(self, function, part):
        def timed(*args, **kwargs):
            return self.call(part, function, args, kwargs)

        timed.__wrapped__ = function
        return timed


@contextmanager
def traced(tracer):
    """Every step of steps() wrapped by `tracer` while the block runs; put back as it was afterwards."""
    with ExitStack() as undo:
        for owner_name, attribute, part in steps():
            owner = resolve(owner_name)
            original = inspect.getattr_static(owner, attribute)
            if isinstance(original, staticmethod):
                replacement = staticmethod(tracer.wrap(original.__func__, part))
            else:
                replacement = tracer.wrap(original, part)
            if attribute in vars(owner):
                undo.callback(setattr, owner, attribute, original)
            else:  # inherited: set on the owner for the run, then the inherited one shows through again
                undo.callback(delattr, owner, attribute)
            setattr(owner, attribute, replacement)
        yield tracer


def profile_namespaces(requests, namespaces=None):
    """Per namespace: the median milliseconds of each part of GET me/, over up to `requests` requests, round by round."""
    namespaces = namespaces or registry.namespaces()
    tracer = Tracer()
    samples = {ns: [] for ns in namespaces}
    spent = dict.fromkeys(namespaces, 0.0)
    with throwaway_user() as (user, password):
        clients = {ns: client_for(ns, user, password) for ns in namespaces}
        for ns in namespaces:
            get_me(clients[ns], ns)  # the cold request (token-cached fills its cache): not profiled
        with traced(tracer):
            for i in range(requests):
                for ns in namespaces:
                    if i >= MIN_REQUESTS and spent[ns] > BUDGET_SECONDS:
                        continue
                    tracer.reset()
                    started = perf_counter()
                    response = get_me(clients[ns], ns)
                    spent[ns] += perf_counter() - started
                    if response.status_code != 200:
                        raise RuntimeError(f"GET /api/{ns}/me/ answered {response.status_code}")
                    samples[ns].append(dict(tracer.seconds))
        for client in clients.values():
            leave_no_session(client)
    return {ns: summary(ns_samples) for ns, ns_samples in samples.items()}


def summary(ns_samples):
    parts = {part: statistics.median(s[part] for s in ns_samples) * 1000 for part in PARTS}
    return {
        "requests": len(ns_samples),
        "parts_ms": parts,
        "total_ms": statistics.median(sum(s.values()) for s in ns_samples) * 1000,
    }
