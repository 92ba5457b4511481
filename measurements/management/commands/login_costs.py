"""What each login, refresh and logout costs the server: SQL queries, rows written, time, and the rows it leaves behind.

Each flow is a real request to the site's own endpoint (Django's test client,
CSRF checks on, the real password hasher), made for a throwaway user that is
deleted afterwards. The flows come from the registry's client recipes (the
same ones ``GET /api/`` serves): every distinct login URL gives ``<ns>-login``
and ``<ns>-logout``, a JWT recipe (and jwt-cookie's) also ``<ns>-refresh``; then
each scheme's own (``login_flows`` in its scheme.py: measurements.login_flows),
such as oauth2's code exchange. ``make bench`` runs ``manage.py login_costs
--json`` and puts the figures in summary.json.
"""

import json
import secrets
from functools import partial
from time import perf_counter

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import recipes
import registry
from api.management.migrated import MigratedDatabaseCommand
from measurements.measure import SiteClient, delete_user, leave_no_session, new_throwaway_user


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
    """[(flow name, namespace, make)] in the schemes' order: one login/logout per distinct login URL, and JWT refresh;
    then each scheme's own flows. ``make()`` gives the flow for one throwaway user (``before``, ``run``, ``delete``)."""
    found, logouts, logins = [], [], set()
    for scheme in registry.schemes():
        recipe = scheme.recipe.as_json()
        if recipe["kind"] not in ("session", "token", "jwt", "cookie") or recipe["login"] in logins:
            continue  # token-cached and jwt-stateless share token's and jwt's endpoints
        logins.add(recipe["login"])
        steps = ["login", "refresh"] if recipe["kind"] in ("jwt", "cookie") else ["login"]
        found += [(f"{scheme.ns}-{step}", scheme.ns, partial(Flow, scheme.ns, recipe, step)) for step in steps]
        logouts.append((f"{scheme.ns}-logout", scheme.ns, partial(Flow, scheme.ns, recipe, "logout")))
    found += logouts
    found += [
        (f"{scheme.ns}-{flow_class.name}", scheme.ns, partial(SchemeFlow, scheme, flow_class))
        for scheme in registry.schemes()
        for flow_class in scheme.login_flows  # measurements.login_flows.LoginFlow subclasses
    ]
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

    def __init__(self, ns, recipe, step):
        self.ns, self.recipe, self.step = ns, recipe, step
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

    def before(self):
        """Get the user to where the step starts: logged in for refresh and logout."""
        if self.step != "login":
            self.login()

    def run(self):
        """The step's one request: its status."""
        return getattr(self, self.step)().status

    def delete(self):
        delete_user(self.user)  # its session rows are not tied to it: logout and clearsessions handle those


class SchemeFlow:
    """A scheme's own flow (a LoginFlow class of its scheme.py), for one throwaway user, with the same three steps."""

    def __init__(self, scheme, flow_class):
        password = secrets.token_urlsafe(16)
        self.user = new_throwaway_user("login-costs", make_password(password))
        self.client = SiteClient(enforce_csrf_checks=True)
        self.flow = flow_class(scheme, self.client, self.user, password)

    def before(self):
        self.flow.prepare()

    def run(self):
        response = self.flow.run()
        if response.status_code not in (200, 204, 205):
            raise RuntimeError(f"{self.flow!r} answered {response.status_code}: {response.content[:200]!r}")
        return response.status_code

    def delete(self):
        try:
            self.flow.clean_up()
        finally:
            leave_no_session(self.client)  # an authorization server's login page leaves a session
            delete_user(self.user)


def succeeded(answer):
    if answer.status not in (200, 204, 205):
        raise RuntimeError(f"answered {answer.status}: {answer.body[:200]!r}")
    return answer


def table_rows():
    with connection.cursor() as cursor:
        return {table.db_table: table.count(cursor) for table in registry.tables()}


def measure(make):
    """One flow's {"queries", "rows_written", "ms", "rows_kept"}, with Django's own query capture (as django_assert_num_queries)."""
    flow = make()
    try:
        flow.before()
        counter, before = WriteCounter(), table_rows()
        with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(counter):
            started = perf_counter()
            flow.run()
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
        figures = {name: measure(make) for name, ns, make in flows()}
        if options["json"]:
            self.stdout.write(json.dumps({"flows": figures, "tables": tables()}))
            return
        self.stdout.write(f"{'flow':<26} {'queries':>7} {'rows written':>12} {'ms':>8}  rows left behind")
        for name, f in figures.items():
            kept = ", ".join(f"{table} {n:+d}" for table, n in f["rows_kept"].items()) or "none"
            self.stdout.write(f"{name:<26} {f['queries']:>7} {f['rows_written']:>12} {f['ms']:>8.1f}  {kept}")
        self.stdout.write("\nWhat removes the rows:")
        for table, cleaner in tables().items():
            self.stdout.write(f"  {table}: {cleaner}")
