"""Measure each namespace in-process: Django's test client, real credentials, the real middleware.

Used by the landing page (queries per request, measured once per process) and
by ``manage.py compare_auth``. Nothing here is typed in: every figure is read
from the ``X-DB-Queries`` and ``Server-Timing`` headers of a real request.
"""
import base64
import re
import threading
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from rest_framework.authtoken.models import Token

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
                first, second = sample_me(client, ns, 2)
                if first.status == 200 and second.status == 200:
                    _landing[ns] = {"first": first.queries, "warm": second.queries}
                if ns == "session":
                    client.logout()  # leave no session behind
        return dict(_landing)
