"""What each login, refresh and logout costs the server: SQL queries, rows written, time, and the rows it leaves behind.

Each flow is a real request to the site's own endpoint (Django's test client,
CSRF checks on, the real password hasher), made for a throwaway user that is
deleted afterwards. The flows come from the registry's client recipes (the
same ones ``GET /api/`` serves): every distinct login URL gives ``<ns>-login``
and ``<ns>-logout``, a JWT recipe (and jwt-cookie's) also ``<ns>-refresh``. ``make bench`` runs
``manage.py login_costs --json`` and puts the figures in summary.json.
"""

import json
import secrets
from time import perf_counter

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import recipes
import registry
from api.management.migrated import MigratedDatabaseCommand
from measurements.measure import SiteClient, delete_user, new_throwaway_user


def tables():
    """{table: what removes its rows once they are of no use}: the tables a login can grow, as each scheme names them."""
    return {table.db_table: table.cleaned_by for table in registry.tables()}


WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")
# Not counted as queries: how a backend opens and closes a transaction differs (SQLite logs BEGIN IMMEDIATE and
# COMMIT, PostgreSQL neither), while the statements that read and write the tables are the same on both.
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


def statements(captured):
    """The SQL a request sent, less transaction control: the queries of the flow."""
    return [q["sql"] for q in captured if not q["sql"].lstrip().upper().startswith(TRANSACTION_CONTROL)]


def flows():
    """[(flow name, namespace, recipe)] in the schemes' order: one login/logout per distinct login URL, and JWT refresh."""
    found, logins = [], set()
    for scheme in registry.schemes():
        recipe = scheme.recipe.as_json()
        if recipe["kind"] not in ("session", "token", "jwt", "cookie") or recipe["login"] in logins:
            continue  # token-cached and jwt-stateless share token's and jwt's endpoints
        logins.add(recipe["login"])
        found.append((f"{scheme.ns}-login", scheme.ns, recipe))
        if recipe["kind"] in ("jwt", "cookie"):
            found.append((f"{scheme.ns}-refresh", scheme.ns, recipe))
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
    """One throwaway user's credential for one namespace, taken through login, refresh and logout by its recipe.

    The recipe client is the one every client of GET /api/ uses (``recipes``),
    here through the site's own test client: CSRF checks on, as a browser meets them.
    """

    def __init__(self, ns, recipe):
        self.ns, self.recipe = ns, recipe
        self.password = secrets.token_urlsafe(16)
        self.user = new_throwaway_user("login-costs", make_password(self.password))
        self.recipes = recipes.RecipeClient(
            recipes.TestClientTransport(SiteClient(enforce_csrf_checks=True), secure=settings.HTTPS)
        )
        self.credential = None

    def login(self):
        self.credential = self.recipes.login(self.recipe, self.user.get_username(), self.password)
        return self.credential.answer

    def refresh(self):
        return succeeded(self.credential.refresh())

    def logout(self):
        tokens = self.credential.tokens
        return succeeded(
            self.credential.post(reverse(f"{self.ns}:logout"), {"refresh": tokens["refresh"]} if tokens else {})
        )

    def before(self, step):
        """Get the user to where `step` starts: logged in for refresh and logout."""
        if step != "login":
            self.login()

    def delete(self):
        delete_user(self.user)  # its session rows are not tied to it: logout and clearsessions handle those


def succeeded(answer):
    if answer.status not in (200, 204, 205):
        raise RuntimeError(f"answered {answer.status}: {answer.body[:200]!r}")
    return answer


def table_rows():
    with connection.cursor() as cursor:
        return {table.db_table: table.count(cursor) for table in registry.tables()}


def measure(name, ns, recipe):
    """One flow's {"queries", "rows_written", "ms", "rows_kept"}, with Django's own query capture (as django_assert_num_queries)."""
    step = name.rsplit("-", 1)[1]
    flow = Flow(ns, recipe)
    try:
        flow.before(step)
        counter, before = WriteCounter(), table_rows()
        with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(counter):
            started = perf_counter()
            getattr(flow, step)()
            ms = (perf_counter() - started) * 1000
        after = table_rows()
    finally:
        flow.delete()
    return {
        "queries": len(statements(captured)),
        "rows_written": counter.rows,
        "ms": round(ms, 3),
        "rows_kept": {table: after[table] - before[table] for table in after if after[table] != before[table]},
    }


class Command(MigratedDatabaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print machine-readable JSON")

    def handle(self, *args, **options):
        figures = {name: measure(name, ns, recipe) for name, ns, recipe in flows()}
        if options["json"]:
            self.stdout.write(json.dumps({"flows": figures, "tables": tables()}))
            return
        self.stdout.write(f"{'flow':<19} {'queries':>7} {'rows written':>12} {'ms':>8}  rows left behind")
        for name, f in figures.items():
            kept = ", ".join(f"{table} {n:+d}" for table, n in f["rows_kept"].items()) or "none"
            self.stdout.write(f"{name:<19} {f['queries']:>7} {f['rows_written']:>12} {f['ms']:>8.1f}  {kept}")
        self.stdout.write("\nWhat removes the rows:")
        for table, cleaner in tables().items():
            self.stdout.write(f"  {table}: {cleaner}")
