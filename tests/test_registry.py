"""The scheme registry: GET /api/ tells a generic client how to log in to each namespace, and one more app adds one.

The client is ``recipes``: it knows the recipe kinds and nothing about the site
(the benchmark's Locust users use it over HTTP; here it drives Django's test
client, and once a live server over HTTP).
"""

import json
import os
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection

import measurements.capacity
import recipes
import registry
from measurements import account_events, database_leak
from measurements.measure import client_for, recorded_me

from .conftest import NAMESPACES, PASSWORDS, follow

pytestmark = pytest.mark.django_db

# The outside of the project (CONTRACT.md; INTERFACES.md item 1): what GET /api/ publishes for each namespace.
RECIPES = {
    "public": {"kind": "none"},
    "basic": {"kind": "basic"},
    "session": {"kind": "session", "login": "/api/session/login/"},
    "token": {"kind": "token", "login": "/api/token/login/", "keyword": "Token", "field": "token"},
    "token-cached": {"kind": "token", "login": "/api/token/login/", "keyword": "Token", "field": "token"},
    "jwt": {"kind": "jwt", "login": "/api/jwt/login/", "refresh": "/api/jwt/refresh/", "keyword": "Bearer"},
    "jwt-stateless": {"kind": "jwt", "login": "/api/jwt/login/", "refresh": "/api/jwt/refresh/", "keyword": "Bearer"},
    "jwt-rsa": {"kind": "jwt", "login": "/api/jwt-rsa/login/", "refresh": "/api/jwt-rsa/refresh/", "keyword": "Bearer"},
    "knox": {"kind": "token", "login": "/api/knox/login/", "keyword": "Token", "field": "token"},
    "jwt-cookie": {
        "kind": "cookie",
        "login": "/api/jwt-cookie/login/",
        "refresh": "/api/jwt-cookie/refresh/",
        "logout": "/api/jwt-cookie/logout/",
        "csrf_cookie": "csrftoken",
        "csrf_header": "X-CSRFToken",
    },
    "oauth2": {
        "kind": "oauth2",
        "authorize": "/o/authorize/",
        "token": "/o/token/",
        "client_id": "drf-demo-browser",
        "redirect_uri": "http://127.0.0.1/api/oauth2/",
        "issuer": "http://127.0.0.1",  # RFC 9207: the `iss` the authorization response carries
        "keyword": "Bearer",
    },
}
# The introspection namespaces: oauth2's flow (the same client, the same issuer), coming back to their own page.
for _ns in ["oauth2-introspect", "oauth2-introspect-cached"]:
    RECIPES[_ns] = {**RECIPES["oauth2"], "redirect_uri": f"http://127.0.0.1/api/{_ns}/"}
# The contract's queries of a steady-state GET me/ (token-cached: once its cache holds the token; knox: as measured).
ME_QUERIES = {
    "public": 0,
    "basic": 1,
    "session": 2,
    "token": 1,
    "token-cached": 0,
    "jwt": 1,
    "jwt-stateless": 0,
    "jwt-rsa": 1,
    "knox": 2,
    "jwt-cookie": 1,
    "oauth2": 1,
    "oauth2-introspect": 1,  # the user by the introspection answer's username (plus one HTTP call, not a query)
    "oauth2-introspect-cached": 1,  # the same: the cache saves the call, not the user lookup
}


def index(client):
    # A loopback host, as make demo serves: the oauth2 recipe's redirect URI is registered for it.
    response = client.get("/api/", HTTP_ACCEPT="application/json", HTTP_HOST="127.0.0.1")
    assert response.status_code == 200
    return response.json()["namespaces"]


def test_api_index_gives_every_namespace_its_recipe_queries_and_reading(client):
    namespaces = index(client)

    assert list(namespaces) == NAMESPACES
    assert {ns: entry["client"] for ns, entry in namespaces.items()} == RECIPES
    assert {ns: entry["me_queries"] for ns, entry in namespaces.items()} == ME_QUERIES
    assert all(set(entry) == {"url", "scheme", "client", "me_queries", "reading"} for entry in namespaces.values())
    assert all(len(entry["reading"]) > 40 for entry in namespaces.values())  # a sentence at least, for the report


def test_a_generic_client_following_each_recipe_is_who_it_logged_in_as(client, alice, oauth2_clients):
    for ns, entry in index(client).items():
        user, _ = follow(entry["client"], "alice", PASSWORDS["alice"])
        me = user.get(entry["url"] + "me/")
        assert me.status_code == 200, (ns, me.content)
        assert me.json() == {"username": None if ns == "public" else "alice", "scheme": ns}
        if ns != "public":  # an unsafe method too: session's needs the X-CSRFToken the recipe says to send
            created = user.post(entry["url"] + "notes/", {"title": "by recipe", "body": ""})
            assert created.status_code == 201, (ns, created.content)


@pytest.mark.parametrize("ns", [ns for ns, recipe in RECIPES.items() if recipe["kind"] == "jwt"])
def test_a_jwt_recipe_s_refresh_url_renews_the_access_token(alice, ns):
    user, credential = follow(RECIPES[ns], "alice", PASSWORDS["alice"])
    used = credential.tokens["refresh"]

    assert credential.refresh().status == 200
    assert credential.get(f"/api/{ns}/me/").json()["username"] == "alice"  # the new access token
    assert user.post(RECIPES[ns]["refresh"], {"refresh": used}).status_code == 401  # rotated: used up


def test_a_recipe_of_a_kind_the_client_does_not_know_is_refused_by_name():
    with pytest.raises(recipes.RecipeError, match="no client for a 'carrier-pigeon' recipe"):
        recipes.RecipeClient(transport=None).login({"kind": "carrier-pigeon"}, "alice", "x")


@pytest.mark.django_db(transaction=True)  # the live server's thread sees the users
def test_over_http_the_recipe_client_logs_in_everywhere(live_server, alice, oauth2_clients):
    """What the benchmark does: GET /api/, then each recipe over real HTTP (urllib), the credential's headers sent."""
    for ns, entry in recipes.index(live_server.url).items():
        credential = recipes.login(live_server.url, entry["client"], "alice", PASSWORDS["alice"])
        assert credential.get(f"/api/{ns}/me/").json()["username"] == (None if ns == "public" else "alice"), ns
        if ns != "public":
            assert credential.post(f"/api/{ns}/notes/", {"title": "over HTTP", "body": ""}).status == 201, ns


# --- One more scheme, with a library of its own: one app (tests/extra_scheme/) and one URLconf line


@pytest.fixture
def one_more_namespace(settings):
    """The site as it is, plus a test-only app with its scheme.py and one more namespace(...) line.

    The app's table is made here as its migration would make it (the test database was built without the app).
    """
    settings.INSTALLED_APPS = [*settings.INSTALLED_APPS, "tests.extra_scheme"]
    settings.ROOT_URLCONF = "tests.extra_scheme.urls"
    # Django repopulates the app registry without expiring the models' cached relations (populate() clears them
    # before it is ready): without this, a user's delete would not know of the visits that point at it.
    apps.clear_cache()
    visit = apps.get_model("extra_scheme", "Visit")
    with connection.schema_editor() as editor:
        editor.create_model(visit)
    yield "token-again"
    with connection.schema_editor() as editor:
        editor.delete_model(visit)


# A schema change is refused inside SQLite's test transaction: these tests run outside one.
@pytest.mark.django_db(transaction=True)
def test_one_app_and_one_url_line_add_a_namespace_everywhere(one_more_namespace, client, alice, capsys, monkeypatch):
    ns = one_more_namespace
    monkeypatch.setattr(measurements.capacity, "_in_process", {})  # the chart's ratios, measured with it mounted

    # GET /api/: its recipe, its queries, its reading; and the recipe works.
    assert registry.namespaces() == [*NAMESPACES, ns]
    entry = index(client)[ns]
    assert entry["client"] == {"kind": "token", "login": f"/api/{ns}/login/", "keyword": "Token", "field": "token"}
    assert entry["me_queries"] == 2
    assert entry["reading"].startswith("DRF's token, looked up by a library of its own")
    user, _ = follow(entry["client"], "alice", PASSWORDS["alice"])
    me = user.get(f"/api/{ns}/me/")
    assert me.json()["username"] == "alice"
    assert me["X-DB-Queries"] == "2"
    root = client.get(f"/api/{ns}/", HTTP_ACCEPT="application/json").json()
    assert root["scheme"] == "DRF tokens again (a namespace only the tests mount)"
    assert root["endpoints"]["login"].endswith(f"/api/{ns}/login/")

    # The landing page (its row and its bar of the chart), the step-by-step page and the race.
    landing = client.get("/").content.decode()
    assert f'<tr id="row-{ns}">' in landing
    assert f'<g class="bar" id="bar-{ns}"' in landing
    assert f'<section class="curl" id="curl-{ns}">' in client.get("/step-by-step/").content.decode()
    assert f'name="ns" value="{ns}"' in client.get("/race/").content.decode()

    # The SQL panel's steps: its library's query named by the step its app declares.
    _, statements = recorded_me(client_for(ns, alice, PASSWORDS["alice"]), ns)
    assert [s.step for s in statements] == ["token lookup", "visit log"]

    # The account events: its credential is a row, and its logout ends it.
    assert ns in [c.name for c in account_events.credentials()]
    holder = account_events.Holder(registry.scheme(ns).credential, alice.password, PASSWORDS["alice"])
    assert holder.still_valid()
    holder.undergo("logout")
    assert holder.attempt() == 401

    # The stolen database: its table is copied with the victims' rows, and its row of the table is measured.
    victim = database_leak.Victim(ns, alice.pk, "alice", alice.notes.get().title)
    assert database_leak.steal([victim], set()).rows("extra_scheme_visit", user_id=alice.pk)
    assert database_leak.measure(guess_seconds=0.01)[ns].works  # DRF's key is stored as it is

    # The measuring commands.
    call_command("compare_auth", "--requests", "2", "--json")
    assert json.loads(capsys.readouterr().out)["namespaces"][ns]["queries_per_request"] == 2
    call_command("login_costs", "--json")
    costs = json.loads(capsys.readouterr().out)
    assert {f"{ns}-login", f"{ns}-logout"} <= set(costs["flows"])
    # And the flow its scheme.py declares of its own (login_flows): measured as the recipe's are.
    first_visit = costs["flows"][f"{ns}-first-visit"]
    assert first_visit["queries"] == 2  # the token joined to its user; the visit inserted
    assert first_visit["rows_kept"] == {"extra_scheme_visit": 1}
    assert costs["tables"]["extra_scheme_visit"] == "nothing: a visit is kept until its user is deleted"


def recorded_summary(namespaces):
    """A `make bench` summary as report.py renders it, its namespaces (and their queries and readings) from GET /api/."""
    row = {
        "requests": 100,
        "failures": 0,
        "rps": 10.0,
        "p50_ms": 5.0,
        "p95_ms": 9.0,
        "p99_ms": 12.0,
        "server_ms_p50": 3.0,
        "auth_ms": 0.5,
        "capacity_rps": None,
        "capacity_x_public": None,
    }
    meta = {
        "started": "2025-01-01T00:00:00",
        "finished": "2025-01-01T00:01:00",
        "mode": "latency",
        "cpu_count": 2,
        "cpu_model": "recorded",
        "machine": "x86_64",
        "load_average_before": 0.1,
        "cores": {"server": [0], "locust": [1]},
        "server": {
            "software": "gunicorn",
            "workers": 1,
            "why": "one core",
            "static_files": "WhiteNoise",
            "password_hasher": "pbkdf2_sha256",
            "login_throttle": "1000/min",
            "affinity": [[0]],
        },
        "database": {"engine": "sqlite", "version": "3", "where": "a file"},
        "cache": {"backend": "locmem", "where": "in each process"},
        "versions": dict.fromkeys(
            ["python", "Django", "djangorestframework", "djangorestframework-simplejwt"]
            + ["locust", "gunicorn", "psycopg", "redis"],
            "1",
        ),
        "warnings": [],
        "users": 2,
        "wait_time": "0.1 s",
        "task_mix": "GET me/ only",
        "seconds": 10,
        "namespaces": namespaces,
    }
    schemes = {ns: {**row, "db_queries_per_request": entry["me_queries"], **entry} for ns, entry in namespaces.items()}
    return {"meta": meta, "schemes": schemes, "logins": {}, "growth": {}, "cleaners": {}, "clean": True, "marked": []}


@pytest.mark.django_db(transaction=True)
def test_the_benchmark_report_reads_a_new_namespace_from_get_api(one_more_namespace, client):
    from benchmarks import report

    ns = one_more_namespace
    namespaces = index(client)
    text = report.markdown(recorded_summary(namespaces), runs={"latency": {}}, problems=[])

    (row,) = [line for line in text.splitlines() if line.startswith(f"| `{ns}` |")]
    assert "| 2 (2) |" in row  # measured queries, then the scheme's own me_queries as the contract
    assert f"- **`{ns}`**: {namespaces[ns]['reading']}" in text


# --- Only the URLconf and the settings name a scheme outside the scheme apps

NAMES_A_SCHEME = re.compile(
    r"knox|simplejwt|authtoken|oauth2_provider|auth_(basic|session|token|jwt|jwt_rsa|knox|jwt_cookie|oauth2)"
)
ALLOWED_LINES = {}  # path -> lines that may name a scheme's library (none left: the run reads pyproject's list)
NOT_SHARED_CODE = {".git", ".venv", "tests", "docs", "staticfiles", "node_modules", "__pycache__"}


def python_files(root):
    for folder, subfolders, files in os.walk(root):
        here = Path(folder).relative_to(root)
        subfolders[:] = [
            name
            for name in subfolders
            if name not in NOT_SHARED_CODE and not (here == Path() and name.startswith("auth_"))
        ]
        yield from (here / name for name in files if name.endswith(".py"))


def test_outside_the_scheme_apps_only_the_urlconf_and_the_settings_name_a_scheme():
    root = Path(django_settings.BASE_DIR)
    naming = {}
    for path in python_files(root):
        text = (root / path).read_text()
        allowed = ALLOWED_LINES.get(path.as_posix(), ())
        for wanted in allowed:
            assert wanted in text, f"{path} no longer has {wanted!r}: take it out of ALLOWED_LINES"
        lines = [
            line for line in text.splitlines() if NAMES_A_SCHEME.search(line) and not any(a in line for a in allowed)
        ]
        if lines:
            naming[path.as_posix()] = lines

    assert sorted(naming) == ["config/settings.py", "config/urls.py"], naming
