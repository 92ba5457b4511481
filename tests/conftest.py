import base64
import os
import re
import subprocess
from urllib.parse import urlsplit

import matplotlib.font_manager  # noqa: F401 (its first import runs fc-list, once: before the fast tier refuses processes)
import pytest
from _pytest.nodeid import coerce_node_id
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.test import Client, RequestFactory
from django.test.client import MULTIPART_CONTENT

import recipes
import registry
from api.models import Note

PASSWORDS = {"alice": "alice-test-pass", "bob": "bob-test-pass"}

# The namespaces, and the header a client sends without credentials of the namespace's scheme.
CHALLENGES = {
    "basic": 'Basic realm="api"',
    "session": None,  # 403, no challenge: DRF's rule for a scheme without one
    "token": "Token",
    "token-cached": "Token",
    "jwt": 'Bearer realm="api"',
    "jwt-stateless": 'Bearer realm="api"',
    "jwt-rsa": 'Bearer realm="api"',
    "knox": "Token",
    "jwt-cookie": None,  # 403 too: a cookie has no challenge either
    "oauth2": 'Bearer realm="api"',
    "oauth2-introspect": 'Bearer realm="api"',
    "oauth2-introspect-cached": 'Bearer realm="api"',
}
PROTECTED = list(CHALLENGES)
# The namespaces whose requests call another service over HTTP (X-Outgoing-Calls, Server-Timing introspect).
INTROSPECTED = ["oauth2-introspect", "oauth2-introspect-cached"]
NAMESPACES = ["public", *PROTECTED]


# Under pytest-xdist (make check: -n 2) each worker is a process of its own: gw0, gw1, ...
WORKER = os.environ.get("PYTEST_XDIST_WORKER")


def pytest_configure(config):
    if WORKER and django_settings.REDIS_URL:
        # The workers share one Redis database (CI gives the suite one): each keeps its keys under its own prefix,
        # and fresh_cache() deletes only those. Set before the first use of the cache, which reads it then.
        django_settings.CACHES["default"]["KEY_PREFIX"] = WORKER


def fresh_cache(servers_too=False):
    """Empty the cache: throttle counts and token-cached entries don't leak between tests.

    `servers_too`: the keys of the servers a slow test starts as well, which
    have no prefix (":1:<key>"). Under pytest-xdist with Redis, every slow
    test runs on one worker (see pytest_itemcollected), so no other test's
    server is using them.
    """
    if WORKER and isinstance(caches["default"], RedisCache):  # a test may have swapped in the local-memory cache
        redis = cache._cache.get_client(write=True)  # Django's own client; clear() would flush the other workers' keys
        for pattern in [f"{WORKER}:*", *([":*"] if servers_too else [])]:
            for key in redis.scan_iter(pattern):
                redis.delete(key)
    else:
        cache.clear()


@pytest.fixture(autouse=True)
def fast_hasher_and_fresh_cache(request, settings):
    # Test settings only: the site itself keeps Django's PBKDF2 (Basic's cost is part of the lesson).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    servers_too = request.node.get_closest_marker("slow") is not None
    fresh_cache(servers_too)
    yield
    fresh_cache(servers_too)


# The fixtures that start a server or a browser: a test that asks for one is marked slow.
SLOW_FIXTURES = {"site", "browser", "page", "open_page"}


def pytest_itemcollected(item):
    """make test runs the suite on two pytest-xdist workers (--dist loadgroup): which slow tests share a worker.

    A slow module's tests stay together, so that its module-scoped server
    starts once. With Redis, every slow test goes to one worker: the servers
    they start share the suite's Redis db, where their keys have no worker's
    prefix (and fresh_cache clears them between tests). Tests marked `alone`
    measure the machine: make test runs them afterwards, with nothing beside them.
    """
    if item.get_closest_marker("slow") and not item.get_closest_marker("xdist_group"):
        group = "slow-on-redis" if django_settings.REDIS_URL else item.nodeid.split("::")[0]
        item.add_marker(pytest.mark.xdist_group(group))


@pytest.hookimpl(trylast=True)  # after pytest-xdist's own, whose group names it makes count
def pytest_collection_modifyitems(config, items):
    if getattr(config.option, "loadgroup", False):  # set on a worker of --dist loadgroup only
        # pytest-xdist 3.8 puts an item's group in its id by setting item._nodeid, which pytest 9.2 no longer reads
        # (it keeps the id in item._id): without this, --dist loadgroup silently hands out tests one by one.
        for item in items:
            if "@" in getattr(item, "_nodeid", ""):
                item._id = coerce_node_id(item._nodeid)
    unmarked = [
        item.nodeid for item in items if SLOW_FIXTURES & set(item.fixturenames) and not item.get_closest_marker("slow")
    ]
    if unmarked:
        raise pytest.UsageError(f"these tests start a server or a browser but are not marked slow: {unmarked}")
    beside = [
        item.nodeid for item in items if "bench_run" in item.fixturenames and not item.get_closest_marker("alone")
    ]
    if beside:
        raise pytest.UsageError(
            f"these tests read the benchmark's run, which must run alone: mark them alone: {beside}"
        )


@pytest.fixture(autouse=True)
def fast_tier_starts_no_process(request, monkeypatch):
    """`make check` runs the tests not marked slow; none of them may start a process (a server, a browser, a command).

    A test that does is marked slow, so the fast tier stays fast: starting one
    here fails the test and says so, rather than making the tier slow unseen.
    """
    if request.node.get_closest_marker("slow"):
        return

    def refuse(self, args, *rest, **options):
        raise AssertionError(f"this test starts {args!r}: mark it @pytest.mark.slow (make check leaves those out)")

    monkeypatch.setattr(subprocess.Popen, "__init__", refuse)


@pytest.fixture
def make_user(django_user_model):
    def make(username, password=None, **fields):
        user = django_user_model.objects.create_user(username, password=password or PASSWORDS[username], **fields)
        Note.objects.create(owner=user, title=f"{username}'s note", body="private")
        return user

    return make


@pytest.fixture
def alice(make_user):
    return make_user("alice")


@pytest.fixture
def bob(make_user):
    return make_user("bob")


def basic_header(username, password):
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


class ApiClient(Client):
    """Django's test client with CSRF checks on, as a browser meets them, and JSON bodies by default."""

    def __init__(self, **defaults):
        super().__init__(enforce_csrf_checks=True, **defaults)

    def request(self, **request):
        # No server listens for the test client: what a namespace needs beside it (oauth2-introspect's authorization
        # server, in a thread on this test's database connection) runs for the request (Scheme.in_process).
        with registry.in_process():
            return super().request(**request)

    def post(self, path, data=None, content_type="application/json", **extra):
        return super().post(path, data, content_type=content_type, **extra)

    def put(self, path, data=None, content_type="application/json", **extra):
        return super().put(path, data, content_type=content_type, **extra)

    def patch(self, path, data=None, content_type="application/json", **extra):
        return super().patch(path, data, content_type=content_type, **extra)


def press_measure(client, url):
    """Press a page's "Measure it now" button: a form POST with the page's CSRF token, as the browser sends it."""
    form = client.get(url).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    return client.post(url, {"csrfmiddlewaretoken": token}, content_type=MULTIPART_CONTENT)


def session_login(client, username, password, url="/api/session/login/"):
    """Log in at a cookie login (session's, or jwt-cookie's): GET it for the csrftoken cookie, POST with its value."""
    client.get(url)
    response = client.post(
        url,
        {"username": username, "password": password},
        HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value,
    )
    assert response.status_code == 200, response.content
    return response


def follow(recipe, username, password, client=None):
    """(client, recipes.Credential): a test client holding `username`'s credential, got by following `recipe` to the letter.

    The recipe client is the one every client of GET /api/ uses (``recipes``),
    through this test client; every request the client sends afterwards
    carries the credential's headers (a session's CSRF header too), and its
    cookie jar holds the cookies.
    """
    # A recipe with a redirect URI (oauth2's) was published for a host that URI is registered at (a loopback one, as
    # make demo serves): the client runs the flow at that host, so the authorization server names it as the issuer
    # (`iss`) the recipe says.
    host = urlsplit(recipe.get("redirect_uri", "")).netloc
    client = client or (ApiClient(HTTP_HOST=host) if host else ApiClient())
    credential = recipes.RecipeClient(recipes.TestClientTransport(client)).login(recipe, username, password)
    hold(client, credential)
    return client, credential


def hold(client, credential):
    """Make every request of `client` carry `credential`'s headers, unsafe methods' included."""
    for name, value in credential.headers("POST").items():
        client.defaults["HTTP_" + name.upper().replace("-", "_")] = value


def log_in(ns, username, password=None):
    """A client holding `username`'s credential for `ns`, obtained the way a real client would: by its recipe.

    First what a demo account has besides its password (each credential's
    ``seed``: token's key, oauth2's registered clients). The recipe as GET
    /api/ gives it at a loopback host, as make demo serves: oauth2's redirect
    URI is registered for that host.
    """
    scheme = registry.scheme(ns)
    for credential in scheme.get_credentials():  # none for public: no query (a test may have cut the database)
        credential.seed(get_user_model().objects.get(username=username))
    recipe = scheme.recipe.as_json(RequestFactory(HTTP_HOST="127.0.0.1").get("/api/"))
    return follow(recipe, username, password or PASSWORDS[username])[0]


@pytest.fixture
def oauth2_clients(db):
    """The demo's OAuth 2.0 clients registered in the test database, as seed_demo registers them (for 127.0.0.1)."""
    from auth_oauth2 import clients

    clients.register()


@pytest.fixture(autouse=True)
def resource_server_registered(request):
    """A test of an introspection namespace: its resource server's client registered, as seed_demo registers it.

    Without it the resource server cannot ask the authorization server at all,
    and every request would be the 503 of a misconfigured one.
    """
    callspec = getattr(request.node, "callspec", None)
    uses_db = request.node.get_closest_marker("django_db") is not None or "db" in request.fixturenames
    if callspec is not None and callspec.params.get("ns") in INTROSPECTED and uses_db:
        request.getfixturevalue("oauth2_clients")


@pytest.fixture
def client():
    return ApiClient()


# The browser tests' fixtures, defined once for the whole suite: a session-scoped
# browser imported into two test modules would be two browsers, two Playwrights.
from .browser import browser, open_page, page, site  # noqa: E402, F401
