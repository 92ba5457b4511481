"""One Locust user class per namespace, built from what the site says about itself, and the exact cost of every request.

    make bench                                 # headless, one namespace after another (benchmarks/run.py)
    make locust HOST=http://127.0.0.1:8000     # the web UI; pick the classes to run (--class-picker)

The benchmark is a client like any other: it imports nothing from the site.
The namespaces, in order, and how to get each one's credential come from
``GET /api/`` (each namespace's ``client`` recipe: kind none, basic, session,
token, jwt, cookie or oauth2), read from the file ``--bench-api-index`` the runner saved, or
fetched from ``--host``. A scheme added to the site appears here without an
edit. The accounts come from ``manage.py seed_bench --json``, saved in
``--bench-accounts-file``. The options (benchmarks/config.py) are Locust's
own command-line options, each with a ``BENCH_*`` variable as fallback.

Each simulated user logs in once as its own account, then mostly reads
``me/`` (``--bench-tasks me``: only ``me/``, with no think time, for the
capacity run). With ``--bench-credentials``, a user keeps its credential in
that folder and a later Locust process reuses it: the runner starts one
process per measured window, and a login hashes a password. Every response
is checked: a wrong status, or a ``me/`` that names someone else, is a
failure.

Locust's own statistics round response times to two significant digits, so
every response is also kept here exactly (its start, its round trip, and the
server's ``X-DB-Queries`` and ``Server-Timing`` figures). Worker processes
send theirs to the master with ``report_to_master`` / ``worker_report``. With
``--bench-steps`` set, the ``Steps`` shape (benchmarks/steps.py) runs the
users in steps and measures each once all its users have logged in.
"""

import base64
import itertools
import json
import logging
import os
import re
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import configargparse
import gevent
import locust.runners
from flask import request as web_request
from locust import FastHttpUser, LoadTestShape, between, constant, events
from locust.exception import StopUser
from locust.runners import MasterRunner, WorkerRunner

# Locust puts this file's folder on sys.path; the benchmark's other modules are imported as benchmarks.*.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import recipes  # standard library only: no Django, no settings
from benchmarks.config import add_locust_arguments
from benchmarks.steps import Records, Stepper, user_class_name

SERVER_TIMING = re.compile(r"(\w+);dur=([0-9.]+)")

# Worker processes send their figures (and the exact records) every REPORT_SECONDS, not Locust's 3 s: at the end of a
# step the master waits for their last report (SETTLE_SECONDS), and that wait is most of a light-load run's overhead.
# Locust reads the module's value at each report; a report is one small message.
REPORT_SECONDS = 0.5
locust.runners.WORKER_REPORT_INTERVAL = REPORT_SECONDS
SETTLE_SECONDS = REPORT_SECONDS + 0.4  # its last report and its way to the master: the next tick (each second)


@events.init_command_line_parser.add_listener
def bench_options(parser):
    add_locust_arguments(parser)


def early_options():
    """The options the classes below need before Locust parses its command line: the same definitions, read early.

    Locust imports this file to find its user classes and shape, then parses
    the command line (with the options added above); the classes are made
    from GET /api/, so its file (or the host) is read here, from the same
    flags and variables.
    """
    parser = configargparse.ArgumentParser(add_help=False)
    add_locust_arguments(parser)
    parser.add_argument("-H", "--host", env_var="LOCUST_HOST", default="")
    return parser.parse_known_args()[0]


EARLY = early_options()


def read_cost(headers):
    """(X-DB-Queries, {"db": ms, "auth": ms, "total": ms}) from a response's headers; None without them."""
    queries, timing = headers.get("X-DB-Queries"), headers.get("Server-Timing")
    if queries is None or timing is None:
        return None
    return int(queries), {name: float(ms) for name, ms in SERVER_TIMING.findall(timing)}


def api_index():
    """GET /api/'s namespaces, as the runner saved them or as the server at --host answers now."""
    if EARLY.bench_api_index:
        return json.loads(Path(EARLY.bench_api_index).read_text())["namespaces"]
    if not EARLY.host:
        sys.exit("locustfile: give --host (the server, e.g. http://127.0.0.1:8000) or --bench-api-index")
    with urllib.request.urlopen(f"{EARLY.host.rstrip('/')}/api/", timeout=10) as response:
        return json.load(response)["namespaces"]


def accounts(options):
    """{"password": ..., "usernames": [...]} from `manage.py seed_bench --json`."""
    if not options.bench_accounts_file:
        sys.exit("locustfile: --bench-accounts-file must name the output of `manage.py seed_bench --users N --json`")
    return json.loads(Path(options.bench_accounts_file).read_text())


records = Records()  # every response, exactly, per request name


@events.request.add_listener
def record(name, response_time, start_time, response=None, exception=None, **kwargs):
    cost = read_cost(response.headers) if response is not None and response.headers else None
    records.add(name, start_time, response_time, cost, failed=exception is not None)


@events.report_to_master.add_listener
def send_records_to_master(client_id, data, **kwargs):
    data["exact"] = records.take()


@events.worker_report.add_listener
def receive_records_from_worker(client_id, data, **kwargs):
    records.merge(data.get("exact", {}))


# --- Accounts: one per simulated user, distinct across worker processes too.
_users_started_here = itertools.count()


def next_account(environment, usernames):
    """Worker w of n takes accounts w, w+n, w+2n, ... (n: --processes, or BENCH_WORKERS for workers on several hosts)."""
    options = environment.parsed_options
    workers = options.bench_workers or getattr(options, "processes", 0) or 1
    index = next(_users_started_here) * workers + max(environment.runner.worker_index, 0)
    return usernames[index % len(usernames)]


def json_or_none(response):
    try:
        return response.json()
    except ValueError:
        return None


class LocustTransport:
    """recipes' transport over a Locust user's own client: the login's requests are Locust's, named and counted.

    The recipe client (recipes/) follows the recipe, as it does for the tests
    and the commands; each step it asks for goes through the user's
    FastHttpSession, named "<ns>: <METHOD> <path in the namespace>" (or the
    last part of the path elsewhere: "authorize/", "token/"), and is a failure
    in Locust's figures if it answers 4xx or 5xx.
    """

    def __init__(self, user):
        self.user = user
        self.base_url = user.host.rstrip("/")  # the Referer of a submitted form (recipes.RecipeClient.submit)
        self.cookies = user.client.cookiejar

    def request(self, method, path, body=None, headers=None, form=None, follow=True):
        headers = {"Accept": "application/json", **(headers or {})}
        content = {"json": body} if body is not None else {}
        if form is not None:
            content, headers["Content-Type"] = {"data": urlencode(form)}, recipes.FORM
        with self.user.client.request(
            method,
            path,
            name=self.user.label(method, path),
            catch_response=True,
            headers=headers,
            allow_redirects=follow,
            **content,
        ) as response:
            if response.status_code >= 400:
                response.failure(f"{response.status_code}: {(response.text or '')[:120]}")
            else:
                response.success()
            return recipes.Answer(response.status_code, dict((response.headers or {}).items()), response.content or b"")

    def cookie(self, name):
        return next((cookie.value for cookie in self.cookies if cookie.name == name), None)


# --- The users.
class SchemeUser(FastHttpUser):
    """What every simulated user does, whatever its scheme: log in once as in the recipe, then mostly read me/."""

    abstract = True
    ns, recipe, account = None, None, None
    wait_time = between(0.05, 0.15)  # the capacity run: none, set by use_options
    credential, refresh_at = None, None

    def on_start(self):
        options = self.environment.parsed_options
        self.account = self.account or accounts(options)
        self.username = next_account(self.environment, self.account["usernames"])
        transport = LocustTransport(self)
        # Kept between processes, but not a cookie recipe's: its refresh answers new cookies, which a kept
        # Cookie header would shadow; such a user logs in again in each process.
        keeps = options.bench_credentials and self.recipe["kind"] != "cookie"
        kept = Path(options.bench_credentials) / f"{self.ns}--{self.username}.json" if keeps else None
        self.kept = kept
        if kept and kept.exists():
            stored = json.loads(kept.read_text())
            self.headers, self.refresh_at = stored["headers"], stored["refresh_at"]
            authorization = self.headers.get("Authorization", "")
            self.credential = recipes.Credential(
                self.recipe, transport, authorization=authorization, tokens=stored["tokens"]
            )
        else:
            try:
                self.credential = recipes.RecipeClient(transport).login(
                    self.recipe, self.username, self.account["password"]
                )
            except recipes.RecipeError as refused:  # a refused step is already a failure; say why, and stop the user
                logging.error("%s: %s could not log in: %s", self.ns, self.username, refused)
                raise StopUser from refused
            if self.credential.authorization and not self.credential.csrf_cookie:
                self.client.cookiejar.clear()  # oauth2's authorization-server session: the API takes only the header
            self.headers = self.credential.headers("POST")  # the Authorization header, a CSRF header where one is due
            self.schedule_refresh()
            self.keep_credential()
        self.environment.runner.send_message("logged_in")  # the Steps shape measures once every user is in

    def keep_credential(self):
        """For the next Locust process of the run: the headers this user sends, its cookies as one of them."""
        if self.kept is None:
            return
        cookies = "; ".join(f"{cookie.name}={cookie.value}" for cookie in self.client.cookiejar)
        headers = {**self.headers, **({"Cookie": cookies} if cookies else {})}
        stored = {"headers": headers, "tokens": self.credential.tokens, "refresh_at": self.refresh_at}
        self.kept.write_text(json.dumps(stored))

    def label(self, method, path):
        """ "<ns>: GET me/": the path inside the namespace, else its last part ("/o/token/" -> "token/")."""
        path = urlsplit(path).path
        inside = path[len(self.url) :] if path.startswith(self.url) else path.rstrip("/").rsplit("/", 1)[-1] + "/"
        return f"{self.ns}: {method} {inside}"

    def call(self, method, path, label, expect, wrong_body=None, **kwargs):
        """One request to `path`, named "<ns>: <METHOD> <label>"; a failure unless it answers `expect` with no `wrong_body`."""
        with self.client.request(
            method, path, name=f"{self.ns}: {method} {label}", catch_response=True, headers=self.headers, **kwargs
        ) as response:
            if response.status_code != expect:
                response.failure(f"{response.status_code} instead of {expect}: {(response.text or '')[:120]}")
            elif wrong_body and (problem := wrong_body(json_or_none(response))):
                response.failure(problem)
            else:
                response.success()  # also for an expected 4xx, which Locust would count as failed
            return response

    def schedule_refresh(self):
        """When to renew a credential the recipe can refresh: a little before the access token or cookie runs out."""
        if "refresh" not in self.recipe:
            return
        started = time.time()
        access = self.credential.tokens.get("access")
        if access:  # the client reads the claims only to know when, so it does not check the signature
            payload = access.split(".")[1]
            claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
            lifetime = claims["exp"] - claims["iat"]
        else:  # the tokens are cookies: the server says when the access cookie runs out (its Max-Age)
            expiries = [c.expires for c in self.client.cookiejar if c.path == self.url and c.expires]
            lifetime = (min(expiries) - started) if expiries else 60
        self.refresh_at = started + lifetime - min(30, lifetime / 3)

    def keep_credential_fresh(self):
        """Before every task: renew the credential by the recipe's refresh before it expires (refresh tokens rotate)."""
        due = self.refresh_at is not None and time.time() >= self.refresh_at
        if due and self.credential.refresh().status == 200:
            self.headers = {**self.headers, **self.credential.headers("POST")}
            self.schedule_refresh()
            self.keep_credential()  # the old refresh token is spent: the next process needs the new one

    # The tasks.
    def me(self):
        self.keep_credential_fresh()
        expected = {"username": None if self.recipe["kind"] == "none" else self.username, "scheme": self.ns}
        self.call("GET", self.url + "me/", "me/", 200, lambda body: body != expected and f"me/ said {body}")

    def list_notes(self):
        self.keep_credential_fresh()
        self.call("GET", self.url + "notes/", "notes/", 200, lambda body: not isinstance(body, list) and "not a list")

    def write_note(self):
        """Write a note, then delete it: every user keeps the notes it was seeded with, so that
        listing them costs the same in the last namespace of a run as in the first."""
        self.keep_credential_fresh()
        read_only = self.recipe["kind"] == "none"  # public: the same request, refused
        note = {"title": "load test", "body": f"written by {self.username}"}
        response = self.call("POST", self.url + "notes/", "notes/", 403 if read_only else 201, json=note)
        if response.status_code == 201:
            self.call("DELETE", f"{self.url}notes/{response.json()['id']}/", "notes/<id>/", 204)

    tasks = {me: 8, list_notes: 1, write_note: 1}  # the capacity run: me only, set by use_options


for _ns, _entry in api_index().items():
    if "client" not in _entry:
        sys.exit(f"locustfile: GET /api/ gives no client recipe for {_ns}: the server is older than this benchmark")
    _path = "/" + _entry["url"].split("://", 1)[-1].split("/", 1)[1]  # the namespace's root, without the host
    globals()[user_class_name(_ns)] = type(
        user_class_name(_ns),
        (SchemeUser,),
        {"ns": _ns, "recipe": _entry["client"], "url": _path, "__doc__": _entry["scheme"]},
    )


# --- The runner's steps: users in steps, each measured once all its users have logged in.
if EARLY.bench_steps:

    class Steps(LoadTestShape):
        """--bench-steps users (e.g. 1,2,4,8,16), --bench-seconds measured each; with --bench-knee, stop at the knee."""

        stepper = None

        def make_stepper(self, options):
            # This process's CPU (a master's workers do the work, see Locust's own warning), the server's, its cores'.
            cpu = {"locust": time.process_time}
            if options.bench_server_pid:
                cpu["server"] = lambda: server_cpu_seconds(options.bench_server_pid)
            if options.bench_server_cores:
                cpu["server_core"] = lambda: cores_busy_seconds(options.bench_server_cores)
            steps = [int(n) for n in options.bench_steps.split(",")]
            return Stepper(steps, float(options.bench_seconds), knee=options.bench_knee, cpu=cpu)

        def tick(self):
            # The options are parsed once Locust has made its runner: the stepper is made at the first tick.
            self.stepper = self.stepper or self.make_stepper(self.runner.environment.parsed_options)
            settle = SETTLE_SECONDS if isinstance(self.runner, MasterRunner) else 0  # the workers' last report
            return self.stepper.tick(time.time(), records, settle)


def cores_busy_seconds(cores):
    """CPU seconds `cores` have been busy so far, whoever kept them busy (the server, or other work)."""
    import psutil

    per_cpu = psutil.cpu_times(percpu=True)
    return sum(
        per_cpu[core].user
        + per_cpu[core].nice
        + per_cpu[core].system
        + per_cpu[core].irq
        + per_cpu[core].softirq
        + per_cpu[core].steal
        for core in cores
    )


def server_cpu_seconds(pid):
    """CPU seconds the server (gunicorn and its workers, `pid`'s group on this host) has used so far."""
    import psutil

    try:
        root = psutil.Process(pid)
        return sum(sum(p.cpu_times()[:2]) for p in [root, *root.children(recursive=True)])
    except psutil.Error:
        return None


@events.init.add_listener
def use_options(environment, **kwargs):
    """--bench-tasks me: the capacity run, GET me/ only and no think time."""
    if environment.parsed_options and environment.parsed_options.bench_tasks == "me":
        for user_class in environment.user_classes:
            user_class.tasks = [SchemeUser.me]
            user_class.wait_time = constant(0)


@events.init.add_listener
def count_logged_in_users(environment, **kwargs):
    if not isinstance(environment.runner, WorkerRunner):
        environment.runner.register_message("logged_in", lambda environment, msg, **kw: records.logged_in())


# --- Reporting: the web UI's extra tab, the runner's file.
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
                {"key": "p50_ms", "title": "p50 ms (exact)"},
                {"key": "server_ms_p50", "title": "Server p50 ms (Server-Timing total)"},
                {"key": "db_queries", "title": "DB queries per request (X-DB-Queries)"},
                {"key": "auth_ms", "title": "Auth ms, mean (Server-Timing)"},
            ],
        }
    ]

    @environment.web_ui.app.after_request
    def add_costs_to_stats(response):
        if web_request.path.endswith("/stats/requests") and response.is_json:
            rows = [{"name": name, **row} for name, row in records.summary().items()]
            response.set_data(json.dumps({**response.json, "extended_stats": [{"key": "server-cost", "data": rows}]}))
        return response


def figures(environment, final):
    """Locust's own counts per request name, the exact figures of the measured window(s), and the steps."""
    stats = environment.runner.stats
    shape = environment.shape_class
    stepper = getattr(shape, "stepper", None)
    return {
        "final": final,
        "users": environment.runner.user_count,
        "requests": {
            entry.name: {
                "method": entry.method,
                "requests": entry.num_requests,
                "failures": entry.num_failures,
                "rps": entry.total_rps,
            }
            for entry in [*stats.entries.values(), stats.total]
        },
        "exact": records.summary(windows=stepper.windows() if stepper else None),
        "recorded": {name: len(rows) for name, rows in records.by_name.items()},  # every response, measured or not
        "steps": stepper.steps_done if stepper else [],
        "stop_reason": stepper.stop_reason if stepper else None,
        "errors": [
            {"name": error.name, "error": str(error.error), "occurrences": error.occurrences}
            for error in stats.errors.values()
        ],
    }


def write_figures(environment, final=False):
    path = environment.parsed_options.bench_figures
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
    """Every two seconds, the steps so far, for the runner's progress line."""
    global _progress
    path = Path(environment.parsed_options.bench_figures + ".progress")
    if (
        isinstance(environment.runner, WorkerRunner)
        or _progress is not None
        or not environment.parsed_options.bench_figures
    ):
        return

    def loop():
        while True:
            stepper = getattr(environment.shape_class, "stepper", None)
            path.write_text(
                json.dumps({"steps": stepper.steps_done if stepper else [], "users": environment.runner.user_count})
            )
            gevent.sleep(2)

    _progress = gevent.spawn(loop)


@events.quit.add_listener
def write_final_figures(**kwargs):
    """After Locust stopped every user and every worker reported: the final figures, written for the runner."""
    if _environment is None or isinstance(_environment.runner, WorkerRunner):
        return
    if _progress is not None:
        _progress.kill()
    write_figures(_environment, final=True)
