"""What each login, refresh and logout costs the server: SQL queries, rows written, time, and the rows it leaves behind.

Each flow is a real request to the site's own endpoint (Django's test client,
CSRF checks on, the real password hasher), made for a throwaway user that is
deleted afterwards. The flows come from the registry's client recipes (the
same ones ``GET /api/`` serves): every distinct login URL gives ``<ns>-login``
and ``<ns>-logout``, a JWT recipe also ``<ns>-refresh``. ``make bench`` runs
``manage.py login_costs --json`` and puts the figures in summary.json.
"""

import base64
import json
import secrets
from time import perf_counter
from urllib.parse import parse_qs, urlencode, urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from oauth2_provider.models import get_application_model

import registry
from api.management.migrated import MigratedDatabaseCommand
from measurements.measure import SiteClient, delete_user, host
from registry import pkce

# The tables a login can grow, and what (if anything) removes their rows once they are of no use.
TABLES = {
    "django_session": "manage.py clearsessions (expired sessions); logout deletes its own row",
    "authtoken_token": "nothing: a DRF token never expires (the same user's next login reuses it); only logout or deleting the user deletes it",
    "token_blacklist_outstandingtoken": "manage.py flushexpiredtokens (expired refresh tokens); logout keeps it",
    "token_blacklist_blacklistedtoken": "manage.py flushexpiredtokens, with its outstanding token",
    "knox_authtoken": "knox itself: a user's expired tokens go when that user next authenticates; logout deletes one, logoutall all",
    "oauth2_provider_grant": "the code exchange deletes its code; manage.py cleartokens the expired ones",
    "oauth2_provider_accesstoken": "manage.py cleartokens (DOT: expired access tokens); revocation deletes one",
    "oauth2_provider_refreshtoken": "manage.py cleartokens (revoked and expired refresh tokens); rotation keeps the old one, revoked",
}
WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")
# Not counted as queries: how a backend opens and closes a transaction differs (SQLite logs BEGIN IMMEDIATE and
# COMMIT, PostgreSQL neither), while the statements that read and write the tables are the same on both.
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


def statements(captured):
    """The SQL a request sent, less transaction control: the queries of the flow."""
    return [q["sql"] for q in captured if not q["sql"].lstrip().upper().startswith(TRANSACTION_CONTROL)]


def flows():
    """[(flow name, namespace, recipe)] in the schemes' order: one login/logout per distinct login URL, and JWT refresh.

    OAuth 2.0 (one flow set per token endpoint): the login is the authorization-code exchange, logout the
    revocation, and `-machine` the client-credentials grant of a confidential client.
    """
    found, logins = [], set()
    for scheme in registry.schemes():
        recipe = scheme.client.as_json()
        login = recipe.get("login") or recipe.get("token")
        if recipe["kind"] not in ("session", "token", "jwt", "oauth2") or login in logins:
            continue  # token-cached and jwt-stateless share token's and jwt's endpoints
        logins.add(login)
        found.append((f"{scheme.ns}-login", scheme.ns, recipe))
        if recipe["kind"] in ("jwt", "oauth2"):
            found.append((f"{scheme.ns}-refresh", scheme.ns, recipe))
        if recipe["kind"] == "oauth2":
            found.append((f"{scheme.ns}-machine", scheme.ns, recipe))
    found += [(f"{ns}-logout", ns, recipe) for name, ns, recipe in list(found) if name.endswith("-login")]
    return found


class WriteCounter:
    """A database execute wrapper that adds up the rows each INSERT, UPDATE and DELETE changed."""

    def __init__(self):
        self.rows = 0

    def __call__(self, execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        statement = sql.lstrip().upper()
        if statement.startswith(WRITES):
            rowcount = context["cursor"].cursor.rowcount
            if statement.startswith("INSERT") and " RETURNING " in statement:
                # INSERT ... RETURNING reports no (or a zero) rowcount before its rows are read: count the VALUES groups.
                rowcount = (len(params) if many else 1) * (statement.split(" VALUES ", 1)[-1].count("), (") + 1)
            self.rows += max(rowcount, 0)
        return result


class Flow:
    """One throwaway user's credential for one namespace, taken through login, refresh and logout."""

    def __init__(self, ns, recipe):
        self.ns, self.recipe = ns, recipe
        self.password = secrets.token_urlsafe(16)
        self.user = get_user_model().objects.create_user(f"login-costs-{secrets.token_hex(4)}", password=self.password)
        self.client = SiteClient(enforce_csrf_checks=True)
        self.headers, self.tokens = {}, {}

    def post(self, url, body=None):
        headers = {**self.headers}
        if "csrftoken" in self.client.cookies:
            headers["X-CSRFToken"] = self.client.cookies["csrftoken"].value
        response = self.client.post(url, body or {}, content_type="application/json", headers=headers)
        if response.status_code not in (200, 204, 205):
            raise RuntimeError(f"POST {url} answered {response.status_code}: {response.content[:200]!r}")
        return response

    def login(self):
        if self.recipe["kind"] == "session":
            self.client.get(self.recipe["login"])  # the csrftoken cookie, as a browser gets it first
        response = self.post(self.recipe["login"], {"username": self.user.get_username(), "password": self.password})
        if self.recipe["kind"] == "token":
            self.headers["Authorization"] = f"{self.recipe['keyword']} {response.json()[self.recipe['field']]}"
        if self.recipe["kind"] == "jwt":
            self.tokens = response.json()
        return response

    def refresh(self):
        response = self.post(self.recipe["refresh"], {"refresh": self.tokens["refresh"]})
        self.tokens = response.json()
        return response

    def logout(self):
        return self.post(reverse(f"{self.ns}:logout"), {"refresh": self.tokens.get("refresh")} if self.tokens else None)

    def before(self, step):
        """Get the user to where `step` starts: logged in for refresh and logout."""
        if step != "login":
            self.login()

    def delete(self):
        delete_user(self.user)  # its session rows are not tied to it: logout and clearsessions handle those


class OAuth2Flow(Flow):
    """The authorization-code flow, by the recipe: what is timed is the request to the token (or revocation) endpoint.

    The session login and the consent page come first, untimed: what a user's
    browser does at the authorization server before the client swaps the code.
    """

    form = "application/x-www-form-urlencoded"

    def __init__(self, ns, recipe):
        super().__init__(ns, recipe)
        self.redirect_uri = f"{'https' if settings.HTTPS else 'http'}://{host()}{recipe['redirect_uri']}"
        self.machine = None
        if not get_application_model().objects.filter(client_id=recipe["client_id"]).exists():
            registry.scheme(ns).seed(f"http://{host()}")  # a database seed_demo never ran on: its clients

    def form_post(self, url, fields, **headers):
        response = self.client.post(url, urlencode(fields), content_type=self.form, headers=headers)
        if response.status_code != 200:
            raise RuntimeError(f"POST {url} answered {response.status_code}: {response.content[:200]!r}")
        return response

    def authorization_code(self):
        """Log in on the login page, approve on the consent page: the code the browser brings back, and its verifier."""
        verifier = pkce.verifier()
        query = {
            "response_type": "code",
            "client_id": self.recipe["client_id"],
            "redirect_uri": self.redirect_uri,
            "scope": "read write",
            "state": secrets.token_urlsafe(8),
            "code_challenge": pkce.challenge(verifier),
            "code_challenge_method": "S256",
        }
        self.client.force_login(self.user)  # the login page's outcome: its cost is session-login's
        page = self.client.get(self.recipe["authorize"], query)
        fields = {**pkce.hidden_fields(page.content.decode()), "allow": "Authorize"}
        approved = self.client.post(self.recipe["authorize"], urlencode(fields), content_type=self.form)
        self.client.logout()  # from here on, the client: it holds no session
        return parse_qs(urlsplit(approved["Location"]).query)["code"][0], verifier

    def before(self, step):
        self.code = self.authorization_code() if step != "machine" else None
        if step in ("refresh", "logout"):
            self.login()
        if step == "machine":
            self.machine = get_application_model().objects.create(
                name="login_costs",
                client_type="confidential",
                authorization_grant_type="client-credentials",
                client_secret=(machine_secret := secrets.token_urlsafe(32)),
                user=self.user,
            )  # hashed when saved, as DOT keeps every client secret
            self.machine_secret = machine_secret

    def login(self):
        code, verifier = self.code
        fields = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": self.redirect_uri,
            "client_id": self.recipe["client_id"],
            "code_verifier": verifier,
        }
        response = self.form_post(self.recipe["token"], fields)
        self.tokens = response.json()
        return response

    def refresh(self):
        fields = {"grant_type": "refresh_token", "refresh_token": self.tokens["refresh_token"]}
        response = self.form_post(self.recipe["token"], {**fields, "client_id": self.recipe["client_id"]})
        self.tokens = response.json()
        return response

    def machine_(self):
        basic = base64.b64encode(f"{self.machine.client_id}:{self.machine_secret}".encode()).decode()
        fields = {"grant_type": "client_credentials", "scope": "read"}
        return self.form_post(self.recipe["token"], fields, Authorization=f"Basic {basic}")

    def logout(self):
        # The refresh token (RFC 7009 §2.1: revoking it revokes the access tokens it gave too): the whole login.
        fields = {"token": self.tokens["refresh_token"], "token_type_hint": "refresh_token"}
        return self.form_post(
            reverse("oauth2_provider:revoke-token"), {**fields, "client_id": self.recipe["client_id"]}
        )

    def delete(self):
        if self.machine is not None:
            self.machine.delete()  # and the tokens it was given
        super().delete()


def flow_for(ns, recipe):
    return OAuth2Flow(ns, recipe) if recipe["kind"] == "oauth2" else Flow(ns, recipe)


def run(flow, step):
    return flow.machine_() if step == "machine" else getattr(flow, step)()


def table_rows():
    with connection.cursor() as cursor:
        return {table: cursor.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] for table in TABLES}  # noqa: S608


def measure(name, ns, recipe):
    """One flow's {"queries", "rows_written", "ms", "rows_kept"}, with Django's own query capture (as django_assert_num_queries)."""
    step = name.rsplit("-", 1)[1]
    flow = flow_for(ns, recipe)
    try:
        flow.before(step)
        counter, before = WriteCounter(), table_rows()
        with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(counter):
            started = perf_counter()
            run(flow, step)
            ms = (perf_counter() - started) * 1000
        after = table_rows()
    finally:
        flow.delete()
    return {
        "queries": len(statements(captured)),
        "rows_written": counter.rows,
        "ms": round(ms, 3),
        "rows_kept": {table: after[table] - before[table] for table in TABLES if after[table] != before[table]},
    }


class Command(MigratedDatabaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print machine-readable JSON")

    def handle(self, *args, **options):
        figures = {name: measure(name, ns, recipe) for name, ns, recipe in flows()}
        if options["json"]:
            self.stdout.write(json.dumps({"flows": figures, "tables": TABLES}))
            return
        self.stdout.write(f"{'flow':<16} {'queries':>7} {'rows written':>12} {'ms':>8}  rows left behind")
        for name, f in figures.items():
            kept = ", ".join(f"{table} {n:+d}" for table, n in f["rows_kept"].items()) or "none"
            self.stdout.write(f"{name:<16} {f['queries']:>7} {f['rows_written']:>12} {f['ms']:>8.1f}  {kept}")
        self.stdout.write("\nWhat removes the rows:")
        for table, cleaner in TABLES.items():
            self.stdout.write(f"  {table}: {cleaner}")
