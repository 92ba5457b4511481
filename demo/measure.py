"""Measure each namespace in-process: Django's test client, real credentials, the real middleware.

Used by the landing page (queries per request, measured once per process) and
by ``manage.py compare_auth``. Nothing here is typed in: every figure is read
from the ``X-DB-Queries`` and ``Server-Timing`` headers of a real request.
"""
import base64
import inspect
import re
import threading
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from rest_framework.authtoken.models import Token

from .middleware import SQLRecorder, counting
from .schemes import NAMESPACES

SERVER_TIMING = re.compile(r"(\w+);dur=([0-9.]+)")


@dataclass
class Sample:
    status: int
    queries: int
    db_ms: float
    auth_ms: float
    total_ms: float


def read_sample(response):
    timings = dict(SERVER_TIMING.findall(response["Server-Timing"]))
    return Sample(
        status=response.status_code,
        queries=int(response["X-DB-Queries"]),
        db_ms=float(timings["db"]),
        auth_ms=float(timings["auth"]),
        total_ms=float(timings["total"]),
    )


def host():
    allowed = [h for h in settings.ALLOWED_HOSTS if h not in ("*",) and not h.startswith(".")]
    return allowed[0] if allowed else "localhost"


def client_for(ns, user, password):
    """A test client that carries `user`'s credential for namespace `ns`, obtained without the login endpoints' throttle."""
    from auth_jwt.serializers import LoginSerializer

    client = Client(HTTP_HOST=host())
    if ns == "basic":
        raw = base64.b64encode(f"{user.get_username()}:{password}".encode()).decode()
        client.defaults["HTTP_AUTHORIZATION"] = f"Basic {raw}"
    elif ns == "session":
        client.force_login(user)  # a real session row and cookie
    elif ns in ("token", "token-cached"):
        key = Token.objects.get_or_create(user=user)[0].key
        client.defaults["HTTP_AUTHORIZATION"] = f"Token {key}"
    elif ns in ("jwt", "jwt-stateless"):
        access = LoginSerializer.get_token(user).access_token
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {access}"
    return client


def sample_me(client, ns, requests):
    """`requests` GETs of /api/<ns>/me/, each read from its own headers."""
    return [read_sample(client.get(f"/api/{ns}/me/", secure=settings.HTTPS)) for _ in range(requests)]


@dataclass
class Walkthrough:
    """One authenticated GET me/ as it happened: what the client sent, what the server checked, what the database read."""

    sends: list
    checks: list
    first: Sample  # read from the response's own headers, as everywhere else
    warm: Sample
    reads: list  # demo.middleware.Statement, each with its step
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


_landing = {}
_landing_lock = threading.Lock()


def landing_figures(username="alice"):
    """Queries per `GET me/` in each namespace, cold and warm, measured once per process with the demo user."""
    from .management.commands.seed_demo import DEMO_USERS

    with _landing_lock:
        if not _landing:
            user = get_user_model().objects.filter(username=username, is_active=True).first()
            if user is None:
                return {}  # not seeded yet: the page says so
            for ns in NAMESPACES:
                client = client_for(ns, user, DEMO_USERS[username])
                steps = walkthrough(client, ns)
                if steps is not None:
                    _landing[ns] = {"first": steps.first.queries, "warm": steps.warm.queries, "walkthrough": steps}
                if ns == "session":
                    client.logout()  # leave no session behind
        return dict(_landing)
