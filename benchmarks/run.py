"""make bench: the capacity run and the latency run, headless, against a production-like server that this script starts and always stops.

    make bench                                    # BENCH_MODE=all: capacity, then latency, every namespace
    BENCH_MODE=capacity BENCH_SCHEMES=public,jwt BENCH_SECONDS=3 make bench
    BENCH_WRK=1 make bench                        # and wrk against the same server, for a second opinion
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/3 make bench

Steps: a fresh benchmark database (a SQLite file, or a database of its own on
DATABASE_URL's PostgreSQL server), the benchmark accounts (``manage.py
seed_bench --json``), the cost of each login (``manage.py login_costs
--json``), gunicorn on a free port of 127.0.0.1 pinned to the server's cores
(one worker process per core), then Locust, pinned to the other cores, once
per namespace and run: the namespaces and how to log in to each come from
the server's ``GET /api/``. The benchmark imports nothing from the site.

- capacity: ``GET me/`` only, no think time. First each namespace's knee,
  in steps of users (BENCH_STEPS, default 1,2,4,8; BENCH_SECONDS measured
  per step once the step's users have logged in). Then BENCH_ROUNDS rounds
  measure every namespace at its knee, in an order turned by one each round
  (benchmarks/rounds.py), reusing each user's credential. A namespace's
  ratio to public is the median of its rounds' ratios, each against that
  round's public, with their spread; a window whose server core other
  processes shared is measured again once, then marked. Fails if Locust
  used more than BENCH_LOCUST_CPU_LIMIT of its core in a step.
- latency: BENCH_USERS users with think time and a mixed task list: the
  light-load picture.

Every option, its variable and its default: ``benchmarks/run.py --help``
(benchmarks/config.py). Results go to benchmarks/results/<time>/, copied to
benchmarks/results/latest/. Exits 1 if any request failed.
"""

import json
import os
import platform
import re
import resource
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import tomllib
from contextlib import ExitStack, contextmanager, suppress
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: the project's modules are one folder up
from benchmarks import report, rounds, wrk  # noqa: E402
from benchmarks.config import BenchConfig  # noqa: E402
from benchmarks.processes import free_port, stop_group, wait_until_up  # noqa: E402
from benchmarks.stats import best_step  # noqa: E402
from benchmarks.steps import user_class_name  # noqa: E402

BIN = Path(sys.executable).parent  # the venv's gunicorn and locust

# The server: one gunicorn worker process per server core (Python runs one
# thread at a time per process), pinned to those cores. gthread rather than
# sync workers: sync workers close the connection after every response, so
# each request would also pay for a new TCP connection, while Locust (like a
# browser) keeps its connection alive. Four threads per worker, so that a
# request waiting for the database, or for a Basic password hash (hashlib
# releases the GIL while it hashes), does not hold up the others.
THREADS, KEEP_ALIVE_SECONDS = 4, 5
SERVER_WHY = (
    f"one worker process per server core (Python runs one thread at a time per process), gthread with {THREADS} "
    f"threads each and keep-alive {KEEP_ALIVE_SECONDS} s: sync workers close every connection, which would add a "
    "TCP connect to every request that Locust, like a browser, does not make"
)
LOGIN_THROTTLE = "100000/minute"  # for the benchmark's server only: every user logs in at once
WAIT_TIME = "0.05-0.15 s"  # between tasks in the latency run: benchmarks/locustfile.py SchemeUser.wait_time
TASK_MIX = "8 GET me/ : 1 GET notes/ : 1 POST notes/ then DELETE notes/<id>/, per user, after one login"


# --- The benchmark's own database and the cache.
class BenchDatabase:
    """A fresh database for one run: a SQLite file in a temporary folder, or a database of its own on DATABASE_URL's PostgreSQL."""

    def __init__(self, given_url, scratch, name):
        self.given_url = given_url
        self.scratch = scratch
        self.name = name
        self.url = None
        self.meta = None

    def create(self):
        if not self.given_url:
            self.url = f"sqlite:///{self.scratch / 'bench.sqlite3'}"
            import sqlite3

            self.meta = {"engine": "sqlite", "version": sqlite3.sqlite_version, "where": "a fresh file on local disk"}
            return
        parts = urlsplit(self.given_url)
        if parts.scheme not in ("postgres", "postgresql", "pgsql"):
            sys.exit(f"DATABASE_URL: the benchmark runs on SQLite or PostgreSQL, not {parts.scheme!r}")
        import psycopg

        try:
            with psycopg.connect(self.given_url, autocommit=True, connect_timeout=10) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
                admin.execute(f'CREATE DATABASE "{self.name}"')
                version = admin.execute("SHOW server_version").fetchone()[0]
        except psycopg.Error as error:
            raise RuntimeError(f"DATABASE_URL: cannot make the benchmark database: {error}".strip()) from error
        self.url = urlunsplit(parts._replace(path=f"/{self.name}"))
        self.meta = {
            "engine": "postgresql",
            "version": version,
            "where": f"{parts.hostname}:{parts.port or 5432}/{self.name}",
        }

    def drop(self):
        if self.given_url and self.url:
            import psycopg

            with psycopg.connect(self.given_url, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def cache_meta(redis_url, workers):
    if not redis_url:
        return {"backend": "local memory", "shared": False, "where": f"one per gunicorn worker process ({workers})"}
    import redis

    parts = urlsplit(redis_url)
    try:
        version = redis.Redis.from_url(redis_url, socket_connect_timeout=10).info("server")["redis_version"]
    except (redis.RedisError, ValueError) as error:
        raise RuntimeError(f"REDIS_URL: {error}") from error
    return {
        "backend": "redis",
        "version": version,
        "shared": True,
        "where": f"{parts.hostname}:{parts.port or 6379}{parts.path or '/0'}",
    }


# --- Processes: each in its own process group, always stopped.
# A child pins itself, then becomes the command (same pid): not Popen's preexec_fn, whose fork runs the at-fork hooks
# of this process's Python (logging's, once psycopg has imported it). A Ctrl-C that lands in a hook is printed as
# "Exception ignored in: <function _releaseLock>" and lost, and the run went on for minutes (on PostgreSQL only:
# test_bench.py's test_ctrl_c_stops_the_server). Without a preexec_fn, Python forks without running any of its code.
PIN = "import os, sys; os.sched_setaffinity(0, map(int, sys.argv[1].split(','))); os.execvp(sys.argv[2], sys.argv[2:])"


# Ctrl-C: the handler raises KeyboardInterrupt as Python's own does, and also keeps a note of it. Where Python
# ignores an exception (an at-fork hook, a finalizer run by the garbage collector) it prints "Exception ignored"
# and the run goes on; every loop that waits checks the note, so such a Ctrl-C still stops the run within a second.
INTERRUPTED = []


def on_ctrl_c(signum, frame):
    INTERRUPTED.append(signum)
    raise KeyboardInterrupt


def stop_if_interrupted():
    if INTERRUPTED:
        raise KeyboardInterrupt


def pinned(command, cpus):
    """`command`, run on `cpus` only: a Python that pins itself and then execs it."""
    return [sys.executable, "-c", PIN, ",".join(map(str, cpus)), *command]


@contextmanager
def process_group(command, env, log_path, cpus=None):
    """Run `command` in a process group of its own, on `cpus` only (its children inherit them), logging to `log_path`;
    stop the whole group afterwards, whatever happens."""
    if cpus:
        command = pinned(command, cpus)
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            yield process
        finally:
            stop_group(process)


class CpuMeter:
    """CPU seconds used by a process and its children, sampled; a child that exits keeps its last sample."""

    def __init__(self, pid):
        self.root = psutil.Process(pid)
        self.seen = {}  # pid -> cpu seconds at its last sample

    def sample(self):
        try:
            processes = [self.root, *self.root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return
        for process in processes:
            try:
                times = process.cpu_times()
            except psutil.NoSuchProcess:
                continue
            self.seen[process.pid] = times.user + times.system

    def total(self):
        return sum(self.seen.values())

    def busiest(self):
        return max(self.seen.values(), default=0.0)

    def affinities(self):
        """{pid: [cpus]} of the process and its children now, as the kernel has them."""
        found = {}
        try:
            for process in [self.root, *self.root.children(recursive=True)]:
                with suppress(psutil.NoSuchProcess):
                    found[process.pid] = sorted(process.cpu_affinity())
        except psutil.NoSuchProcess:
            pass
        return found


def run(command, env, what):
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def where_the_time_goes(config, env, namespaces, scratch):
    """compare_auth --profile's figures for `namespaces`, on the benchmark's database, after the load runs.

    In-process (Django's test client, the instrumented steps timed), so it
    measures the server's own code, not the socket or gunicorn; on the
    Locust cores, with the server idle. Its record goes to the run's scratch
    folder, not the checkout's .costs/ (the /costs/ page's).
    """
    started = time.monotonic()
    command = [sys.executable, "manage.py", "compare_auth", "--profile", "--json"]
    command += ["--requests", str(max(2, config.profile_requests)), "--namespaces", ",".join(namespaces)]
    profiled = json.loads(
        run(
            ["taskset", "-c", ",".join(map(str, config.cores["locust"])), *command],
            {**env, "COSTS_DIR": str(scratch / "costs")},
            "compare_auth --profile",
        )
    )["profile"]
    print(
        f"where the time goes: {config.profile_requests} GET me/ per namespace in-process, {time.monotonic() - started:.0f} s"
    )
    return profiled


# --- One namespace under load.
def run_locust(ns, run_kind, config, context, steps=None, knee=True, html=True):
    """Locust against one namespace, in `steps` (benchmarks/steps.py); its figures, the CPU it used, where it ran.

    run_kind "latency": the light-load run (config.users, the task mix);
    otherwise GET me/ only, in `steps` (default config.steps), stopping at the
    knee when `knee`. Every option goes on Locust's command line
    (benchmarks/config.py): nothing reaches the locustfile through the environment.
    """
    out = context["out"]
    name = f"{run_kind}-{ns}"
    figures_path = out / f"locust-{name}.json"
    capacity = run_kind != "latency"  # capacity, its rounds, and the growth run's capacity at each table size
    steps = steps or (config.steps if capacity else [config.users])
    command = [
        str(BIN / "locust"),
        "-f",
        str(ROOT / "benchmarks" / "locustfile.py"),
        "--headless",
        "--host",
        context["base_url"],
        "--stop-timeout",
        "5",
        "--only-summary",
        "--bench-figures",
        str(figures_path),
        "--bench-api-index",
        str(context["api_index"]),
        "--bench-accounts-file",
        str(context["accounts"]),
        "--bench-credentials",
        str(context["credentials"]),
        "--bench-steps",
        ",".join(map(str, steps)),
        "--bench-seconds",
        str(config.seconds),
        "--bench-server-pid",
        str(context["server"].pid),
        "--bench-server-cores",
        ",".join(map(str, config.cores["server"])),
        "--bench-knee",
        "1" if capacity and knee else "0",
        "--bench-tasks",
        "me" if capacity else "",
    ]
    if html:
        page = f"locust-{ns}.html" if run_kind == "latency" or config.mode == "capacity" else f"locust-{name}.html"
        command += ["--html", str(out / page)]
    if config.processes and not capacity:  # capacity: one Locust process on its core, measured as one
        command += ["--processes", str(config.processes)]
    command.append(user_class_name(ns))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BENCH_", "LOCUST_"))}
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    last_print = 0.0
    affinity = {}
    with process_group(command, env, out / f"locust-{name}.log", cpus=config.cores["locust"]) as locust:
        meter = CpuMeter(locust.pid)
        deadline = started + len(steps) * (config.seconds + 70) + 60  # 60 s for a step's logins, see steps.py
        while locust.poll() is None:
            stop_if_interrupted()
            if time.monotonic() > deadline:
                raise RuntimeError(f"Locust did not finish {name} in time: see locust-{name}.log")
            meter.sample()
            affinity.update(meter.affinities())
            now = time.monotonic()
            if now - last_print >= 5:
                last_print = now
                print(progress_line(ns, run_kind, context, now - started, figures_path), flush=True)
            time.sleep(0.5)
    wall = time.monotonic() - started
    children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    reaped = (children_after.ru_utime - children_before.ru_utime) + (children_after.ru_stime - children_before.ru_stime)
    if not figures_path.exists():
        raise RuntimeError(f"Locust wrote no figures for {name} (exit {locust.returncode}): see locust-{name}.log")
    figures = json.loads(figures_path.read_text())
    Path(f"{figures_path}.progress").unlink(missing_ok=True)  # the progress line's, not a result
    figures["exit_code"] = locust.returncode
    figures["load_generator"] = {
        "cpu_seconds": round(max(reaped, meter.total()), 2),
        "cores": round(max(reaped, meter.total()) / wall, 2),
        "busiest_process_cores": round(meter.busiest() / wall, 2),
        "processes": 1 if capacity else max(1, config.processes),
        "affinity": sorted({tuple(cpus) for cpus in affinity.values()}),
    }
    figures["wall_seconds"] = round(wall, 1)
    return figures


def locust_window(ns, round_number, attempt, step):
    """One round's window of Locust from a measured step."""
    keys = ("users", "rps", "p50_ms", "server_ms_p50", "server_cores", "server_core_cores", "locust_cores")
    return {"round": round_number, "ns": ns, "tool": "locust", "attempt": attempt, **{k: step.get(k) for k in keys}}


def cores_busy_seconds(cores):
    per_cpu = psutil.cpu_times(percpu=True)
    return sum(
        sum(getattr(per_cpu[c], part, 0.0) for part in ("user", "nice", "system", "irq", "softirq", "steal"))
        for c in cores
    )


def measure_window(ns, round_number, config, context, users, attempt=1):
    """Locust's window of `ns` in a round, at `users`, measured again once if its core was shared;
    then wrk's, with as many connections, when BENCH_WRK is on. Every window goes to context["windows"].

    Measuring again costs a window: a run measures again at most as many
    windows as it has namespaces (a round's worth). On a machine busy all
    along, the rest are marked instead, and the run says it is not clean.
    """
    limit, server_cores = config.shared_limit, len(config.cores["server"])
    while True:
        figures = run_locust(ns, f"round{round_number}.{attempt}", config, context, steps=[users], html=False)
        context["round_figures"][f"{ns} (round {round_number}, attempt {attempt})"] = figures
        step = best_step(figures["steps"])
        if step is None:  # the check of its figures says why
            return
        window = locust_window(ns, round_number, attempt, step)
        context["windows"].append(window)
        if attempt >= 2 or not rounds.shared(window, server_cores, limit) or context["again_left"] <= 0:
            break
        context["again_left"] -= 1
        print(
            f"    {ns}: other processes took {rounds.others_share(window, server_cores):.0%} of the server's core in "
            f"round {round_number}: measuring it again",
            flush=True,
        )
        attempt += 1
    if config.wrk:
        context["windows"].append(wrk_window(ns, round_number, config, context, step["users"]))


def wrk_window(ns, round_number, config, context, users):
    server = CpuMeter(context["server"].pid)
    server.sample()
    before, busy_before, started = server.total(), cores_busy_seconds(config.cores["server"]), time.monotonic()
    found = wrk.run_one_namespace(
        ns, context["index"], context["accounts"], context["base_url"], config, users, context["out"], round_number
    )
    wall = time.monotonic() - started
    server.sample()
    return {
        "round": round_number,
        "ns": ns,
        "tool": "wrk",
        "attempt": 1,
        "users": users,
        "rps": found["rps"],
        "server_cores": round((server.total() - before) / wall, 3),
        "server_core_cores": round((cores_busy_seconds(config.cores["server"]) - busy_before) / wall, 3),
    }


def run_capacity(namespaces, config, context, results):
    """The steps (each namespace's knee), then the rounds: every namespace again at its knee, the order turned each round.

    The steps' best window is not a round's: the most req/s of four noisy
    windows is a lucky one more often than not (a maximum's bias), and the
    namespace that drew it would look faster than one measured once.
    """
    knee = {}
    for position, ns in enumerate(namespaces, 1):
        context["position"] = f"steps {position}/{len(namespaces)}"
        figures = results["capacity"][ns] = run_locust(ns, "capacity", config, context)
        print(report.one_line(ns, "capacity", figures), flush=True)
        best = best_step(figures["steps"])
        if best:
            knee[ns] = best["users"]
        check_server(context, ns)
    for round_number in range(1, config.rounds + 1):
        chosen = [ns for ns in rounds.order(namespaces, round_number) if ns in knee]
        for position, ns in enumerate(chosen, 1):
            context["position"] = f"round {round_number}/{config.rounds}, {position}/{len(chosen)}"
            measure_window(ns, round_number, config, context, knee[ns])
            check_server(context, ns)
        print(f"    round {round_number}: " + report.round_line(context["windows"], round_number), flush=True)


def check_server(context, ns):
    stop_if_interrupted()
    if context["server"].poll() is not None:
        raise RuntimeError(f"the server exited with {context['server'].returncode} during {ns}: see server.log")


def progress_line(ns, run_kind, context, elapsed, figures_path):
    so_far = "starting"
    with suppress(OSError, ValueError, KeyError):
        progress = json.loads(Path(f"{figures_path}.progress").read_text())
        so_far = f"{progress['users']} users" + "".join(
            f"; {step['users']} users: {step['rps']:.0f} req/s" for step in progress["steps"]
        )
    return f"[{run_kind} {context['position']}] {ns:<14} {elapsed:4.0f} s  {so_far}"


def observed_server_affinity(server):
    return sorted({tuple(cpus) for cpus in CpuMeter(server.pid).affinities().values()})


def versions():
    """Python's, and each installed version of the project's dependencies (pyproject.toml's list), then Locust's."""
    listed = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    names = [re.split(r"[\[=<>~!; ]", requirement, maxsplit=1)[0] for requirement in listed] + ["locust"]
    return {"python": platform.python_version(), **{name: metadata.version(name) for name in names}}


def cpu_model():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def gunicorn_command(port, workers):
    return [
        str(BIN / "gunicorn"),
        "config.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "gthread",
        "--threads",
        str(THREADS),
        "--keep-alive",
        str(KEEP_ALIVE_SECONDS),
        "--no-control-socket",  # its default socket path is one per machine: other servers use it too
    ]


# The authorization server that the introspecting namespaces ask about each token, over HTTP: a second gunicorn
# (the same code, the same database), one worker. Started by the server's own shell, which then becomes the server
# (exec): it is the server's child, in its process group, on its cores. So the server's CPU figures
# (--bench-server-pid, the rounds' check of other work on its cores) count both halves of a round trip, and
# stopping the server's group stops it too.
AUTHORIZATION_SERVER_WORKERS = 1


def start_server(config, env, out, cleanup):
    port, authorization_port = free_port(), free_port()
    base_url = f"http://127.0.0.1:{port}"
    authorization_url = f"http://127.0.0.1:{authorization_port}"
    workers = len(config.cores["server"])
    authorization = shlex.join(gunicorn_command(authorization_port, AUTHORIZATION_SERVER_WORKERS))
    site = shlex.join(gunicorn_command(port, workers))
    script = f'{authorization} > "$1" 2>&1 & OAUTH2_INTROSPECT_URL={authorization_url}/o/introspect/ exec {site}'
    command = ["sh", "-c", script, "sh", str(out / "authorization-server.log")]
    server = cleanup.enter_context(process_group(command, env, out / "server.log", cpus=config.cores["server"]))
    for url, log in ((authorization_url, "authorization-server.log"), (base_url, "server.log")):
        status, _, body = wait_until_up(f"{url}/api/", server, seconds=60)
        if status != 200:
            raise RuntimeError(f"{url} answered {status} at /api/: see {log}")
    # Its workers, forked once the master is up, and the authorization server's master and workers.
    for _ in range(100):
        if len(CpuMeter(server.pid).affinities()) > workers + 1 + AUTHORIZATION_SERVER_WORKERS:
            break
        time.sleep(0.1)
    return server, base_url, json.loads(body)


def run_growth(config, env, namespaces, context):
    """BENCH_MODE=growth: the same capacity run with the credential tables filled to each size (manage.py bench_rows)."""
    chosen = [ns for ns in config.growth_schemes if ns in namespaces]
    found = {}
    for rows in config.growth_rows:
        started = time.monotonic()
        print(run([sys.executable, "manage.py", "bench_rows", "--rows", str(rows)], env, "bench_rows").strip(), end="")
        print(f" ({time.monotonic() - started:.0f} s)")
        found[rows] = {}
        for position, ns in enumerate(chosen, 1):
            context["position"] = f"{position}/{len(chosen)}, {rows} rows"
            context["credentials"] = context["out"].parent / f".credentials-{rows}"  # bench_rows rewrote the tables
            found[rows][ns] = run_locust(ns, f"growth{rows}", config, context)
            print(report.one_line(ns, "capacity", found[rows][ns]), flush=True)
    return found


def hasher():
    """The site's own settings keep Django's PBKDF2; a test may serve other settings (a fast hasher): say which."""
    settings = os.environ.get("DJANGO_SETTINGS_MODULE") or "config.settings"
    return "PBKDF2 (Django's default)" if settings == "config.settings" else f"the one {settings} sets"


def namespaces_to_run(config, index):
    known = list(index["namespaces"])
    chosen = list(config.schemes or known)
    unknown = [ns for ns in chosen if ns not in known]
    if unknown:
        raise RuntimeError(f"BENCH_SCHEMES: unknown namespace(s) {unknown}; the server has {','.join(known)}")
    return chosen


def main():
    config = BenchConfig.parse()
    # SIGTERM (a CI timeout, `kill`) ends the run like Ctrl-C does: through the finally blocks that stop the server.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:  # a shell starts a background job with Ctrl-C ignored
        signal.signal(signal.SIGINT, on_ctrl_c)
    started = datetime.now(UTC)
    results_folder = Path(config.results or ROOT / "benchmarks" / "results")  # the tests write elsewhere
    out = results_folder / started.strftime("%Y%m%d-%H%M%S")
    runs = {"all": ["capacity", "latency"], "growth": []}.get(config.mode, [config.mode])
    print(
        f"make bench ({config.mode}): capacity steps {list(config.steps)} then {config.rounds} round(s) x "
        f"{config.seconds} s, latency "
        f"{config.users} users x {config.seconds} s; server on CPU {config.cores['server']}, Locust on CPU "
        f"{config.cores['locust']}; results in {out}"
    )
    os.sched_setaffinity(0, config.cores["locust"])  # this script waits beside Locust, off the server's cores
    results = {run_kind: {} for run_kind in runs}
    with ExitStack() as cleanup:
        scratch = Path(cleanup.enter_context(tempfile.TemporaryDirectory(prefix="authdemo-bench-")))
        database = BenchDatabase(os.environ.get("DATABASE_URL"), scratch, config.database)
        database.create()
        cleanup.callback(database.drop)
        redis_url = os.environ.get("REDIS_URL")
        cache = cache_meta(redis_url, len(config.cores["server"]))
        out.mkdir(parents=True)  # once the database and the cache answered: a failed start leaves no empty folder
        meta = {
            "started": started.isoformat(timespec="seconds"),
            "mode": config.mode,
            "users": config.users,
            "seconds": config.seconds,
            "steps": list(config.steps),
            "rounds": config.rounds if "capacity" in runs else 0,
            "shared_limit": config.shared_limit,
            "locust_cpu_limit": config.locust_cpu_limit,
            "spawn_rate": config.users,
            "processes": config.processes,
            "wait_time": WAIT_TIME,
            "task_mix": TASK_MIX,
            "versions": versions(),
            "cpu_count": os.cpu_count(),
            # Other work on the machine takes cores from both Locust and the server: say how much there was.
            "load_average_before": round(os.getloadavg()[0], 2),
            "cpu_model": cpu_model(),
            "machine": platform.platform(),
            "server": {
                "software": f"gunicorn {metadata.version('gunicorn')}",
                "workers": len(config.cores["server"]),
                "authorization_server": (
                    f"a second gunicorn, {AUTHORIZATION_SERVER_WORKERS} worker x {THREADS} threads, the server's child "
                    "on its cores (OAUTH2_INTROSPECT_URL): its CPU counts as the server's"
                ),
                "worker_class": "gthread",
                "threads": THREADS,
                "keep_alive_seconds": KEEP_ALIVE_SECONDS,
                "why": SERVER_WHY,
                "debug": False,
                "static_files": "whitenoise",
                "login_throttle": LOGIN_THROTTLE,
                "password_hasher": hasher(),
            },
            "database": database.meta,
            "cache": cache,
        }
        env = {
            **os.environ,
            "DATABASE_URL": database.url,
            "DJANGO_DEBUG": "0",
            "LOGIN_THROTTLE": LOGIN_THROTTLE,
            # Django logs every 4xx as a warning; public's refused POSTs (by design) would cost a log line each.
            "DJANGO_LOG_LEVEL": "ERROR",
        }
        print(
            f"database: {database.meta['engine']} {database.meta['where']}; cache: {meta['cache']['backend']} {meta['cache']['where']}"
        )
        run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], env, "migrate")
        accounts = scratch / "accounts.json"
        seeded = max(config.users, config.steps[-1]) * max(1, config.processes)
        accounts.write_text(
            run([sys.executable, "manage.py", "seed_bench", "--users", str(seeded), "--json"], env, "seed_bench")
        )
        logins = json.loads(run([sys.executable, "manage.py", "login_costs", "--json"], env, "login_costs"))
        print(
            "logins: "
            + ", ".join(f"{flow} {f['queries']} queries {f['ms']:.0f} ms" for flow, f in logins["flows"].items())
        )
        server, base_url, index = start_server(config, env, out, cleanup)
        meta["server"]["url"] = base_url
        meta["server"]["affinity"] = observed_server_affinity(server)
        api_index = scratch / "api.json"
        api_index.write_text(json.dumps(index))
        namespaces = namespaces_to_run(config, index)
        meta["namespaces"] = {ns: index["namespaces"][ns] for ns in namespaces}
        print(
            f"server: gunicorn on {base_url}, {meta['server']['workers']} gthread worker(s) x {THREADS} threads, CPU {config.cores['server']}"
        )
        context = {
            "out": out,
            "base_url": base_url,
            "api_index": api_index,
            "index": index,
            "accounts": accounts,
            "credentials": scratch / "credentials",
            "server": server,
            "windows": [],
            "round_figures": {},
            "again_left": len(namespaces),
        }
        context["credentials"].mkdir()
        for run_kind in runs:
            if run_kind == "capacity":
                run_capacity(namespaces, config, context, results)
                results["windows"], results["round_figures"] = context["windows"], context["round_figures"]
                continue
            for position, ns in enumerate(namespaces, 1):
                context["position"] = f"{position}/{len(namespaces)}"
                results[run_kind][ns] = run_locust(ns, run_kind, config, context)
                print(report.one_line(ns, run_kind, results[run_kind][ns]), flush=True)
                check_server(context, ns)
        if config.mode == "growth":
            results = {"growth": run_growth(config, env, namespaces, context)}
        elif config.profile_requests:
            results["profile"] = where_the_time_goes(config, env, namespaces, scratch)
    meta["mounted"] = list(index["namespaces"])
    meta["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    meta["cores"] = config.cores
    write = report.write_growth if config.mode == "growth" else report.write
    summary, problems = write(out, meta, results, logins, config)
    latest = results_folder / "latest"
    shutil.rmtree(latest, ignore_errors=True)
    shutil.copytree(out, latest)
    print(report.growth_table(summary) if config.mode == "growth" else report.table(summary))
    print(
        f"\nWritten: {latest}/ (summary.json, report.md, latency.png, capacity.png, locust-<ns>.html); this run also in {out}/"
    )
    for problem in problems:
        print(f"FAILED: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (RuntimeError, TimeoutError) as error:
        sys.exit(f"make bench: {error}")
    except KeyboardInterrupt:
        sys.exit("make bench: interrupted; the server is stopped, no results written to latest/")
