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

- capacity: ``GET me/`` only, no think time, users in steps (BENCH_STEPS,
  default 1,2,4,8; BENCH_SECONDS measured per step once the step's users
  have logged in), stopping at the knee. A namespace's capacity is its best
  step's req/s. Fails if Locust used more than 90% of its core in a step.
- latency: BENCH_USERS users with think time and a mixed task list: the
  light-load picture.

Results go to benchmarks/results/<time>/, copied to benchmarks/results/latest/.
Exits 1 if any request failed.
"""

import json
import os
import platform
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager, suppress
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: the project's modules are one folder up
from benchmarks import report, wrk  # noqa: E402
from benchmarks.processes import free_port, stop_group, wait_until_up  # noqa: E402
from benchmarks.steps import user_class_name  # noqa: E402

RESULTS = Path(os.environ.get("BENCH_RESULTS") or ROOT / "benchmarks" / "results")  # the tests write elsewhere
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
MODES = ("all", "capacity", "latency", "growth")


def env_int(name, default):
    value = os.environ.get(name) or str(default)
    if not value.isdigit():
        sys.exit(f"{name} must be a whole number, not {value!r}")
    return int(value)


def cores(name, default):
    value = os.environ.get(name) or default
    try:
        found = sorted({int(core) for core in value.split(",") if core.strip()})
    except ValueError:
        sys.exit(f"{name} must be a comma list of CPU numbers, not {value!r}")
    unknown = set(found) - os.sched_getaffinity(0)
    if not found or unknown:
        sys.exit(
            f"{name}: CPU(s) {sorted(unknown) or value} not available; this machine has {sorted(os.sched_getaffinity(0))}"
        )
    return found


def read_config():
    mode = os.environ.get("BENCH_MODE") or "all"
    if mode not in MODES:
        sys.exit(f"BENCH_MODE must be one of {', '.join(MODES)}, not {mode!r}")
    try:
        steps = [int(n) for n in (os.environ.get("BENCH_STEPS") or "1,2,4,8").split(",")]
    except ValueError:
        sys.exit("BENCH_STEPS must be a comma list of user counts, e.g. 1,2,4,8,16")
    available = sorted(os.sched_getaffinity(0))
    server = cores("BENCH_SERVER_CORES", str(available[0]))
    locust = cores("BENCH_LOCUST_CORES", ",".join(str(c) for c in available if c not in server) or str(available[-1]))
    config = {
        "mode": mode,
        "users": env_int("BENCH_USERS", 10),
        "seconds": env_int("BENCH_SECONDS", 5),
        "steps": steps,
        "processes": env_int("BENCH_PROCESSES", 0),
        "schemes": [s.strip() for s in os.environ.get("BENCH_SCHEMES", "").split(",") if s.strip()],
        "cores": {"server": server, "locust": locust},
        "wrk": os.environ.get("BENCH_WRK", "") not in ("", "0"),
        "growth_rows": [int(n) for n in (os.environ.get("BENCH_GROWTH_ROWS") or "1000,1000000").split(",")],
        "growth_schemes": (os.environ.get("BENCH_GROWTH_SCHEMES") or "token,session,jwt").split(","),
    }
    if config["users"] < 1 or config["seconds"] < 1 or min(steps) < 1 or steps != sorted(set(steps)):
        sys.exit("BENCH_USERS and BENCH_SECONDS must be at least 1, BENCH_STEPS rising counts of at least 1")
    return config


# --- The benchmark's own database and the cache.
class BenchDatabase:
    """A fresh database for one run: a SQLite file in a temporary folder, or a database of its own on DATABASE_URL's PostgreSQL."""

    def __init__(self, given_url, scratch):
        self.given_url = given_url
        self.scratch = scratch
        self.name = os.environ.get("BENCH_DATABASE", "authdemo_bench")
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
@contextmanager
def process_group(command, env, log_path, cpus=None):
    """Run `command` in a process group of its own, on `cpus` only (its children inherit them), logging to `log_path`;
    stop the whole group afterwards, whatever happens."""
    pin = (lambda: os.sched_setaffinity(0, cpus)) if cpus else None
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, preexec_fn=pin
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


# --- One namespace under load.
def run_locust(ns, run_kind, config, context):
    """Locust against one namespace, in steps (benchmarks/steps.py); its figures, the CPU it used, where it ran."""
    out = context["out"]
    name = f"{run_kind}-{ns}"
    figures_path = out / f"locust-{name}.json"
    capacity = run_kind != "latency"  # capacity, and the growth run's capacity at each table size
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
        "--html",
        str(
            out
            / (f"locust-{ns}.html" if run_kind == "latency" or config["mode"] == "capacity" else f"locust-{name}.html")
        ),
    ]
    if config["processes"] and not capacity:  # capacity: one Locust process on its core, measured as one
        command += ["--processes", str(config["processes"])]
    command.append(user_class_name(ns))
    env = {
        **os.environ,
        "BENCH_FIGURES": str(figures_path),
        "BENCH_API_INDEX": str(context["api_index"]),
        "BENCH_ACCOUNTS_FILE": str(context["accounts"]),
        "BENCH_STEPS": ",".join(str(n) for n in config["steps"]) if capacity else str(config["users"]),
        "BENCH_SECONDS": str(config["seconds"]),
        "BENCH_SERVER_PID": str(context["server"].pid),
        "BENCH_SERVER_CORES": ",".join(map(str, config["cores"]["server"])),
    }
    env.pop("BENCH_WORKERS", None)  # workers are --processes here, on this host
    env.pop("LOCUST_HOST", None)
    if capacity:
        env.update(BENCH_TASKS="me", BENCH_KNEE="1")
    else:
        env.pop("BENCH_TASKS", None)
        env.pop("BENCH_KNEE", None)
    steps = config["steps"] if capacity else [config["users"]]
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    last_print = 0.0
    affinity = {}
    with process_group(command, env, out / f"locust-{name}.log", cpus=config["cores"]["locust"]) as locust:
        meter = CpuMeter(locust.pid)
        deadline = started + len(steps) * (config["seconds"] + 70) + 60  # 60 s for a step's logins, see steps.py
        while locust.poll() is None:
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
    figures["exit_code"] = locust.returncode
    figures["load_generator"] = {
        "cpu_seconds": round(max(reaped, meter.total()), 2),
        "cores": round(max(reaped, meter.total()) / wall, 2),
        "busiest_process_cores": round(meter.busiest() / wall, 2),
        "processes": 1 if capacity else max(1, config["processes"]),
        "affinity": sorted({tuple(cpus) for cpus in affinity.values()}),
    }
    figures["wall_seconds"] = round(wall, 1)
    return figures


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
    names = ["Django", "djangorestframework", "djangorestframework-simplejwt", "locust", "gunicorn", "psycopg", "redis"]
    return {"python": platform.python_version(), **{name: metadata.version(name) for name in names}}


def cpu_model():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def start_server(config, env, out, cleanup):
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    workers = len(config["cores"]["server"])
    command = [
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
    server = cleanup.enter_context(process_group(command, env, out / "server.log", cpus=config["cores"]["server"]))
    status, _, body = wait_until_up(f"{base_url}/api/", server, seconds=60)
    if status != 200:
        raise RuntimeError(f"the server answered {status} at /api/: see server.log")
    for _ in range(100):  # its workers: forked once the master is up
        if len(CpuMeter(server.pid).affinities()) > workers:
            break
        time.sleep(0.1)
    return server, base_url, json.loads(body)


def run_growth(config, env, namespaces, context):
    """BENCH_MODE=growth: the same capacity run with the credential tables filled to each size (manage.py bench_rows)."""
    chosen = [ns for ns in config["growth_schemes"] if ns in namespaces]
    found = {}
    for rows in config["growth_rows"]:
        started = time.monotonic()
        print(run([sys.executable, "manage.py", "bench_rows", "--rows", str(rows)], env, "bench_rows").strip(), end="")
        print(f" ({time.monotonic() - started:.0f} s)")
        found[rows] = {}
        for position, ns in enumerate(chosen, 1):
            context["position"] = f"{position}/{len(chosen)}, {rows} rows"
            found[rows][ns] = run_locust(ns, f"growth{rows}", config, context)
            print(report.one_line(ns, "capacity", found[rows][ns]), flush=True)
    return found


def namespaces_to_run(config, index):
    known = list(index["namespaces"])
    chosen = config["schemes"] or known
    unknown = [ns for ns in chosen if ns not in known]
    if unknown:
        raise RuntimeError(f"BENCH_SCHEMES: unknown namespace(s) {unknown}; the server has {','.join(known)}")
    return chosen


def main():
    config = read_config()
    # SIGTERM (a CI timeout, `kill`) ends the run like Ctrl-C does: through the finally blocks that stop the server.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    started = datetime.now(UTC)
    out = RESULTS / started.strftime("%Y%m%d-%H%M%S")
    runs = {"all": ["capacity", "latency"], "growth": []}.get(config["mode"], [config["mode"]])
    print(
        f"make bench ({config['mode']}): capacity steps {config['steps']} x {config['seconds']} s, latency "
        f"{config['users']} users x {config['seconds']} s; server on CPU {config['cores']['server']}, Locust on CPU "
        f"{config['cores']['locust']}; results in {out}"
    )
    os.sched_setaffinity(0, config["cores"]["locust"])  # this script waits beside Locust, off the server's cores
    results = {run_kind: {} for run_kind in runs}
    with ExitStack() as cleanup:
        scratch = Path(cleanup.enter_context(tempfile.TemporaryDirectory(prefix="authdemo-bench-")))
        database = BenchDatabase(os.environ.get("DATABASE_URL"), scratch)
        database.create()
        cleanup.callback(database.drop)
        redis_url = os.environ.get("REDIS_URL")
        cache = cache_meta(redis_url, len(config["cores"]["server"]))
        out.mkdir(parents=True)  # once the database and the cache answered: a failed start leaves no empty folder
        meta = {
            "started": started.isoformat(timespec="seconds"),
            "mode": config["mode"],
            "users": config["users"],
            "seconds": config["seconds"],
            "steps": config["steps"],
            "spawn_rate": config["users"],
            "processes": config["processes"],
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
                "workers": len(config["cores"]["server"]),
                "worker_class": "gthread",
                "threads": THREADS,
                "keep_alive_seconds": KEEP_ALIVE_SECONDS,
                "why": SERVER_WHY,
                "debug": False,
                "static_files": "whitenoise",
                "login_throttle": LOGIN_THROTTLE,
                "password_hasher": "PBKDF2 (Django's default)",
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
        seeded = max(config["users"], config["steps"][-1]) * max(1, config["processes"])
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
            f"server: gunicorn on {base_url}, {meta['server']['workers']} gthread worker(s) x {THREADS} threads, CPU {config['cores']['server']}"
        )
        context = {"out": out, "base_url": base_url, "api_index": api_index, "accounts": accounts, "server": server}
        for run_kind in runs:
            for position, ns in enumerate(namespaces, 1):
                context["position"] = f"{position}/{len(namespaces)}"
                results[run_kind][ns] = run_locust(ns, run_kind, config, context)
                print(report.one_line(ns, run_kind, results[run_kind][ns]), flush=True)
                if config["wrk"] and run_kind == "capacity":  # seconds after Locust: the same load around it
                    results.setdefault("wrk", {})[ns] = wrk.run_one_namespace(
                        ns, index, accounts, base_url, config, results[run_kind][ns], out
                    )
                if server.poll() is not None:
                    raise RuntimeError(f"the server exited with {server.returncode} during {ns}: see server.log")
        if config["mode"] == "growth":
            results = {"growth": run_growth(config, env, namespaces, context)}
        if config["wrk"] and config["mode"] == "latency":
            for ns in namespaces:
                results.setdefault("wrk", {})[ns] = wrk.run_one_namespace(
                    ns, index, accounts, base_url, config, None, out
                )
    meta["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    meta["cores"] = config["cores"]
    write = report.write_growth if config["mode"] == "growth" else report.write
    summary, problems = write(out, meta, results, logins)
    latest = RESULTS / "latest"
    shutil.rmtree(latest, ignore_errors=True)
    shutil.copytree(out, latest)
    print(report.growth_table(summary) if config["mode"] == "growth" else report.table(summary))
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
