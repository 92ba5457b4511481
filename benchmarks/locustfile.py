"""The same work in every namespace, one Locust user class per scheme, and what each request cost the server.

    make bench                                 # headless, one namespace after another (benchmarks/run.py)
    make locust HOST=http://127.0.0.1:8000     # the web UI; pick the classes to run (--class-picker)

Each simulated user logs in once as its own account (``manage.py seed_bench``
makes them), then mostly reads ``me/``, now and then lists its notes, or
writes one and deletes it again. Every response is checked: a wrong status, or a ``me/`` that
names someone else, is a failure.

The server's own figures, ``X-DB-Queries`` and the ``auth`` part of
``Server-Timing``, are collected per request name: printed at the end of a
headless run, shown in the web UI's "Server cost" tab, and written to the file
named by ``$BENCH_FIGURES`` for the runner. Worker processes send theirs to the
master with Locust's ``report_to_master`` / ``worker_report`` events, so
``--processes N`` (or workers on several hosts) report the same figures.
"""

import base64
import itertools
import json
import os
import sys
import time
from pathlib import Path

import gevent
from flask import request as web_request
from locust import HttpUser, between, events, task
from locust.runners import WorkerRunner

# Locust puts this file's folder on sys.path; the project's own modules are one up.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.accounts import PASSWORD, username  # noqa: E402
from demo.cost_headers import read_cost  # noqa: E402

PERCENTILES = {"p50_ms": 0.50, "p95_ms": 0.95, "p99_ms": 0.99}


class ServerCosts:
    """Per request name: how many responses carried the headers, their X-DB-Queries, and their auth time."""

    def __init__(self):
        self.by_name = {}

    def add(self, name, queries, auth_ms):
        entry = self.by_name.setdefault(name, {"responses": 0, "queries": {}, "auth_ms": 0.0})
        entry["responses"] += 1
        seen = str(queries)  # string keys: the dict travels to the master as msgpack
        entry["queries"][seen] = entry["queries"].get(seen, 0) + 1
        entry["auth_ms"] += auth_ms

    def merge(self, by_name):
        for name, theirs in by_name.items():
            entry = self.by_name.setdefault(name, {"responses": 0, "queries": {}, "auth_ms": 0.0})
            entry["responses"] += theirs["responses"]
            entry["auth_ms"] += theirs["auth_ms"]
            for seen, count in theirs["queries"].items():
                entry["queries"][seen] = entry["queries"].get(seen, 0) + count

    def take(self):
        """Everything since the last take (what a worker sends the master), and start again."""
        taken, self.by_name = self.by_name, {}
        return taken

    def rows(self):
        """One row per request name, for the web UI's tab and the printed summary."""
        return [
            {
                "name": name,
                "responses": entry["responses"],
                "db_queries": round(mean_queries(entry), 3),
                "queries_seen": ", ".join(f"{n} x{count}" for n, count in sorted(entry["queries"].items())),
                "auth_ms": round(entry["auth_ms"] / entry["responses"], 3),
            }
            for name, entry in sorted(self.by_name.items())
        ]


def mean_queries(entry):
    return sum(int(n) * count for n, count in entry["queries"].items()) / entry["responses"]


costs = ServerCosts()


@events.request.add_listener
def record_server_cost(name, response=None, **kwargs):
    cost = read_cost(response.headers) if response is not None and response.headers else None
    if cost is not None:
        queries, timings = cost
        costs.add(name, queries, timings.get("auth", 0.0))


@events.report_to_master.add_listener
def send_costs_to_master(client_id, data, **kwargs):
    data["server_costs"] = costs.take()


@events.worker_report.add_listener
def receive_costs_from_worker(client_id, data, **kwargs):
    costs.merge(data.get("server_costs", {}))


@events.reset_stats.add_listener
def reset_costs(**kwargs):
    costs.take()


# --- Accounts: one per simulated user, distinct across worker processes too.
_users_started_here = itertools.count()


def next_account(environment):
    """This simulated user's own account name.

    Worker w of n takes accounts w, w+n, w+2n, ...; n is --processes, or
    BENCH_WORKERS for workers started on several hosts. Past BENCH_ACCOUNTS
    (how many were seeded) the names wrap around.
    """
    options = environment.parsed_options
    workers = int(os.environ.get("BENCH_WORKERS") or getattr(options, "processes", 0) or 1)
    index = next(_users_started_here) * workers + max(environment.runner.worker_index, 0)
    return username(index % int(os.environ.get("BENCH_ACCOUNTS", 100)))


def json_or_none(response):
    try:
        return response.json()
    except ValueError:
        return None


# --- The users.
class SchemeUser(HttpUser):
    """What every simulated user does, whatever its scheme: log in once, then mostly read me/."""

    abstract = True
    ns = None
    wait_time = between(0.05, 0.15)
    note_created = 201

    def on_start(self):
        self.username = next_account(self.environment)
        self.log_in()

    def log_in(self):
        """Get this scheme's credential and set the client up to send it."""

    def keep_credential_fresh(self):
        """Called before every task; JWT users refresh here."""

    def call(self, method, path, label, expect, wrong_body=None, **kwargs):
        """One request to /api/<path>, named "<ns>: <METHOD> <label>".

        A failure unless it answers `expect`, and unless ``wrong_body(json)``
        (when given) finds nothing wrong with the body.
        """
        with self.client.request(
            method, f"/api/{path}", name=f"{self.ns}: {method} {label}", catch_response=True, **kwargs
        ) as response:
            if response.status_code != expect:
                response.failure(f"{response.status_code} instead of {expect}: {response.text[:120]}")
            elif wrong_body and (problem := wrong_body(json_or_none(response))):
                response.failure(problem)
            else:
                response.success()  # also for an expected 4xx, which Locust would count as failed
            return response

    def credentials(self):
        return {"username": self.username, "password": PASSWORD}

    @task(8)
    def me(self):
        self.keep_credential_fresh()
        expected = {"username": self.username if self.ns != "public" else None, "scheme": self.ns}
        self.call(
            "GET", f"{self.ns}/me/", "me/", 200, lambda body: body != expected and f"me/ said {body}, not {expected}"
        )

    @task(1)
    def list_notes(self):
        self.keep_credential_fresh()
        self.call("GET", f"{self.ns}/notes/", "notes/", 200, lambda body: not isinstance(body, list) and "not a list")

    @task(1)
    def write_note(self):
        """Write a note, then delete it: every user keeps the notes it was seeded with, so that
        listing them costs the same in the last namespace of a run as in the first."""
        self.keep_credential_fresh()
        note = {"title": "load test", "body": f"written by {self.username}"}
        response = self.call("POST", f"{self.ns}/notes/", "notes/", self.note_created, json=note)
        if response.status_code == 201:
            self.call("DELETE", f"{self.ns}/notes/{response.json()['id']}/", "notes/<id>/", 204)


class PublicUser(SchemeUser):
    """No credential at all: the framework's own cost, the baseline."""

    ns = "public"
    note_created = 403  # public is read-only: the same request, refused


class BasicUser(SchemeUser):
    """Sends username and password with every request: the server hashes the password every time."""

    ns = "basic"

    def log_in(self):
        self.client.auth = (self.username, PASSWORD)


class SessionUser(SchemeUser):
    """The browser's way: fetch the CSRF cookie, log in with it, then send the session cookie and the CSRF token."""

    ns = "session"

    def log_in(self):
        self.call("GET", "session/login/", "login/", 200)
        self.call(
            "POST",
            "session/login/",
            "login/",
            200,
            json=self.credentials(),
            headers={"X-CSRFToken": self.client.cookies.get("csrftoken", "")},
        )
        self.client.headers["X-CSRFToken"] = self.client.cookies.get("csrftoken", "")  # login rotates it


class TokenUser(SchemeUser):
    """Logs in at /api/token/login/ once, then sends 'Authorization: Token <key>'."""

    ns = "token"

    def log_in(self):
        response = self.call("POST", "token/login/", "token/login/", 200, json=self.credentials())
        if response.ok:
            self.client.headers["Authorization"] = f"Token {response.json()['token']}"


class TokenCachedUser(TokenUser):
    """The same tokens; the server keeps key -> user in its cache."""

    ns = "token-cached"


class KnoxUser(SchemeUser):
    """Logs in at /api/knox/login/ once, then sends 'Authorization: Token <token>' (knox keeps only its digest)."""

    ns = "knox"

    def log_in(self):
        response = self.call("POST", "knox/login/", "knox/login/", 200, json=self.credentials())
        if response.ok:
            self.client.headers["Authorization"] = f"Token {response.json()['token']}"


class JwtUser(SchemeUser):
    """Logs in at /api/jwt/login/, sends 'Authorization: Bearer <access>', and refreshes before the access token expires."""

    ns = "jwt"
    endpoints = "jwt"  # the namespace whose login/ and refresh/ hand out the tokens
    refresh_token = None
    refresh_at = float("inf")

    def log_in(self):
        login = f"{self.endpoints}/login/"
        self.use_tokens(self.call("POST", login, login, 200, json=self.credentials()))

    def keep_credential_fresh(self):
        if time.time() >= self.refresh_at:
            refresh = f"{self.endpoints}/refresh/"
            self.use_tokens(self.call("POST", refresh, refresh, 200, json={"refresh": self.refresh_token}))

    def use_tokens(self, response):
        if not response.ok:
            return
        tokens = response.json()
        self.refresh_token = tokens["refresh"]
        self.client.headers["Authorization"] = f"Bearer {tokens['access']}"
        # The client only needs to know when to refresh, so it reads the claims without checking the signature.
        payload = tokens["access"].split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        lifetime = claims["exp"] - claims["iat"]
        self.refresh_at = time.time() + lifetime - min(30, lifetime / 3)


class JwtStatelessUser(JwtUser):
    """The same tokens; the server trusts their claims and never loads the user."""

    ns = "jwt-stateless"


class JwtRsaUser(JwtUser):
    """The same client, at /api/jwt-rsa/: RS256 tokens from its own login and refresh."""

    ns = "jwt-rsa"
    endpoints = "jwt-rsa"


# --- Reporting: the web UI's extra tab, the printed summary, the runner's file.
@events.init.add_listener
def show_costs_in_web_ui(environment, **kwargs):
    """A "Server cost" tab beside Locust's own (the pattern of Locust's examples/extend_web_ui.py)."""
    if environment.web_ui is None:
        return
    environment.web_ui.template_args["extended_tabs"] = [{"title": "Server cost", "key": "server-cost"}]
    environment.web_ui.template_args["extended_tables"] = [
        {
            "key": "server-cost",
            "structure": [
                {"key": "name", "title": "Name"},
                {"key": "responses", "title": "Responses"},
                {"key": "db_queries", "title": "DB queries per request (X-DB-Queries)"},
                {"key": "queries_seen", "title": "X-DB-Queries seen"},
                {"key": "auth_ms", "title": "Auth ms, mean (Server-Timing)"},
            ],
        }
    ]

    @environment.web_ui.app.after_request
    def add_costs_to_stats(response):
        if web_request.path.endswith("/stats/requests") and response.is_json:
            response.set_data(
                json.dumps({**response.json, "extended_stats": [{"key": "server-cost", "data": costs.rows()}]})
            )
        return response


def figures(environment, final):
    """Locust's own stats per request name (from its stats object), with the server's costs beside them."""
    stats = environment.runner.stats
    by_name = {}
    for entry in [*stats.entries.values(), stats.total]:
        by_name[entry.name] = {
            "method": entry.method,
            "requests": entry.num_requests,
            "failures": entry.num_failures,
            "rps": entry.total_rps,
            **{
                key: entry.get_response_time_percentile(p) if entry.num_requests else 0.0
                for key, p in PERCENTILES.items()
            },
            "server": costs.by_name.get(entry.name),
        }
    return {
        "final": final,
        "users": environment.runner.user_count,
        "requests": by_name,
        "errors": [
            {"name": error.name, "error": str(error.error), "occurrences": error.occurrences}
            for error in stats.errors.values()
        ],
    }


def write_figures(environment, final=False):
    path = os.environ.get("BENCH_FIGURES")
    if path:
        Path(path + ".tmp").write_text(json.dumps(figures(environment, final), indent=1))
        os.replace(path + ".tmp", path)  # the runner never reads half a file


_environment = None
_progress = None


@events.init.add_listener
def remember_environment(environment, **kwargs):
    global _environment
    _environment = environment


@events.test_start.add_listener
def write_progress(environment, **kwargs):
    """Every two seconds, the figures so far, for the runner's progress line."""
    global _progress
    if isinstance(environment.runner, WorkerRunner) or _progress is not None:
        return

    def loop():
        while True:
            write_figures(environment)
            gevent.sleep(2)

    _progress = gevent.spawn(loop)


@events.quit.add_listener
def write_final_figures(**kwargs):
    """After Locust stopped every user and every worker reported: the final figures, printed and written."""
    if _environment is None or isinstance(_environment.runner, WorkerRunner):
        return
    if _progress is not None:
        _progress.kill()
    write_figures(_environment, final=True)
    rows = costs.rows()
    if rows:
        print("\nServer cost per request (from X-DB-Queries and Server-Timing):")
        print(f"{'Name':<32} {'responses':>9} {'queries':>8} {'auth ms':>8}  X-DB-Queries seen")
        for row in rows:
            print(
                f"{row['name']:<32} {row['responses']:>9} {row['db_queries']:>8g} {row['auth_ms']:>8.2f}  {row['queries_seen']}"
            )
