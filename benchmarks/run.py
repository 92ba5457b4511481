"""make bench: the Locust comparison, headless, against a production-like server that this script starts and always stops.

    make bench                                    # every namespace, the defaults below
    BENCH_SCHEMES=public,jwt BENCH_SECONDS=10 make bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/3 make bench

Steps: a fresh benchmark database (a SQLite file, or a database of its own on
DATABASE_URL's PostgreSQL server), the benchmark accounts, gunicorn on a free
port of 127.0.0.1, then Locust once per namespace with the same users, spawn
rate and duration, each in its own process (Locust patches the process it
runs in with gevent). Results go to benchmarks/results/<time>/, copied to
benchmarks/results/latest/. Exits 1 if any request failed.
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
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: the project's modules are one folder up
from benchmarks import report  # noqa: E402
from benchmarks.processes import free_port, stop_group, wait_until_up  # noqa: E402
from demo.schemes import NAMESPACES  # noqa: E402

RESULTS = Path(os.environ.get("BENCH_RESULTS") or ROOT / "benchmarks" / "results")  # the tests write elsewhere
BIN = Path(sys.executable).parent  # the venv's gunicorn and locust

# The server. Two worker processes for two cores: Python runs one thread at a
# time per process, so one process per core. gthread rather than sync workers:
# sync workers close the connection after every response, so each request would
# also pay for a new TCP connection, while Locust (like a browser) keeps its
# connection alive. Four threads per worker, so that a request waiting for the
# database, or for a Basic password hash (hashlib releases the GIL while it
# hashes), does not hold up the others.
WORKERS, THREADS, KEEP_ALIVE_SECONDS = 2, 4, 5
SERVER_WHY = (
    f"{WORKERS} worker processes (one per core: Python runs one thread at a time per process), "
    f"gthread with {THREADS} threads each and keep-alive {KEEP_ALIVE_SECONDS} s: sync workers close every "
    "connection, which would add a TCP connect to every request that Locust, like a browser, does not make"
)
LOGIN_THROTTLE = "100000/minute"  # for the benchmark's server only: every user logs in at once
WAIT_TIME = "0.05-0.15 s"  # between tasks: benchmarks/locustfile.py SchemeUser.wait_time
TASK_MIX = "8 GET me/ : 1 GET notes/ : 1 POST notes/ then DELETE notes/<id>/, per user, after one login"
USER_CLASSES = {
    "public": "PublicUser",
    "basic": "BasicUser",
    "session": "SessionUser",
    "token": "TokenUser",
    "token-cached": "TokenCachedUser",
    "jwt": "JwtUser",
    "jwt-stateless": "JwtStatelessUser",
    "jwt-rsa": "JwtRsaUser",
    "knox": "KnoxUser",
}


def env_int(name, default):
    value = os.environ.get(name) or str(default)
    if not value.isdigit():
        sys.exit(f"{name} must be a whole number, not {value!r}")
    return int(value)


def read_config():
    schemes = [s.strip() for s in os.environ.get("BENCH_SCHEMES", ",".join(NAMESPACES)).split(",") if s.strip()]
    unknown = [s for s in schemes if s not in NAMESPACES]
    if unknown or not schemes:
        sys.exit(f"BENCH_SCHEMES: unknown namespace(s) {unknown}; choose from {','.join(NAMESPACES)}")
    config = {
        "users": env_int("BENCH_USERS", 10),
        "seconds": env_int("BENCH_SECONDS", 20),
        "processes": env_int("BENCH_PROCESSES", 0),
        "schemes": schemes,
    }
    if config["users"] < 1 or config["seconds"] < 1:
        sys.exit("BENCH_USERS and BENCH_SECONDS must be at least 1")
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


def cache_meta(redis_url):
    if not redis_url:
        return {"backend": "local memory", "shared": False, "where": f"one per gunicorn worker process ({WORKERS})"}
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
def process_group(command, env, log_path):
    """Run `command` in a process group of its own, logging to `log_path`; stop the whole group afterwards, whatever happens."""
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


def run(command, env, what):
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


# --- One namespace under load.
def run_namespace(ns, position, config, base_url, out, server_cpu):
    """Locust against one namespace; returns Locust's figures, and the CPU the load generator and the server used."""
    figures_path = out / f"locust-{ns}.json"
    command = [
        str(BIN / "locust"),
        "-f",
        str(ROOT / "benchmarks" / "locustfile.py"),
        "--headless",
        "--users",
        str(config["users"]),
        "--spawn-rate",
        str(config["users"]),
        "--run-time",
        f"{config['seconds']}s",
        "--stop-timeout",
        "5",
        "--host",
        base_url,
        "--only-summary",
        "--html",
        str(out / f"locust-{ns}.html"),
    ]
    if config["processes"]:
        command += ["--processes", str(config["processes"])]
    command.append(USER_CLASSES[ns])
    env = {**os.environ, "BENCH_FIGURES": str(figures_path), "BENCH_ACCOUNTS": str(config["users"])}
    env.pop("BENCH_WORKERS", None)  # workers are --processes here, on this host

    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_cpu.sample()
    server_before = server_cpu.total()
    started = time.monotonic()
    last_print = 0.0
    with process_group(command, env, out / f"locust-{ns}.log") as locust:
        meter = CpuMeter(locust.pid)
        deadline = started + config["seconds"] + 120
        while locust.poll() is None:
            if time.monotonic() > deadline:
                raise RuntimeError(f"Locust did not finish {ns} in time: see locust-{ns}.log")
            meter.sample()
            now = time.monotonic()
            if now - last_print >= 5:
                last_print = now
                print(progress_line(ns, position, config, now - started, figures_path), flush=True)
            time.sleep(1)
    wall = time.monotonic() - started
    server_cpu.sample()
    children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # Locust's own CPU: what the kernel counted for it once it exited (exact, when it
    # waited for its worker processes), or the sampled figure, whichever saw more.
    reaped = (children_after.ru_utime - children_before.ru_utime) + (children_after.ru_stime - children_before.ru_stime)
    locust_cpu = max(reaped, meter.total())
    if not figures_path.exists():
        raise RuntimeError(f"Locust wrote no figures for {ns} (exit {locust.returncode}): see locust-{ns}.log")
    figures = json.loads(figures_path.read_text())
    figures["exit_code"] = locust.returncode
    figures["load_generator"] = {
        "cpu_seconds": round(locust_cpu, 2),
        "cores": round(locust_cpu / wall, 2),
        "busiest_process_cores": round(meter.busiest() / wall, 2),
        "processes": max(1, config["processes"]),
    }
    figures["server_cores"] = round((server_cpu.total() - server_before) / wall, 2)
    figures["wall_seconds"] = round(wall, 1)
    return figures


def progress_line(ns, position, config, elapsed, figures_path):
    so_far = "starting"
    try:
        total = json.loads(figures_path.read_text())["requests"]["Aggregated"]
        so_far = f"{total['requests']} requests, {total['failures']} failures"
    except (OSError, ValueError, KeyError):
        pass
    left = max(0, config["seconds"] - elapsed)
    return f"[{position}/{len(config['schemes'])}] {ns:<14} {left:4.0f} s left  {so_far}"


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


def main():
    config = read_config()
    # SIGTERM (a CI timeout, `kill`) ends the run like Ctrl-C does: through the finally blocks that stop the server.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    started = datetime.now(UTC)
    out = RESULTS / started.strftime("%Y%m%d-%H%M%S")
    print(
        f"make bench: {len(config['schemes'])} namespaces x {config['seconds']} s, {config['users']} users; results in {out}"
    )
    results = {}
    with ExitStack() as cleanup:
        scratch = Path(cleanup.enter_context(tempfile.TemporaryDirectory(prefix="authdemo-bench-")))
        database = BenchDatabase(os.environ.get("DATABASE_URL"), scratch)
        database.create()
        cleanup.callback(database.drop)
        redis_url = os.environ.get("REDIS_URL")
        cache = cache_meta(redis_url)
        out.mkdir(parents=True)  # once the database and the cache answered: a failed start leaves no empty folder
        meta = {
            "started": started.isoformat(timespec="seconds"),
            "users": config["users"],
            "seconds": config["seconds"],
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
                "workers": WORKERS,
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
        print(
            run([sys.executable, "manage.py", "seed_bench", "--users", str(config["users"])], env, "seed_bench").strip()
        )
        port = free_port()
        base_url = f"http://127.0.0.1:{port}"
        server_command = [
            str(BIN / "gunicorn"),
            "demo.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WORKERS),
            "--worker-class",
            "gthread",
            "--threads",
            str(THREADS),
            "--keep-alive",
            str(KEEP_ALIVE_SECONDS),
            "--no-control-socket",  # its default socket path is one per machine: other servers use it too
        ]
        meta["server"]["url"] = base_url
        server = cleanup.enter_context(process_group(server_command, env, out / "server.log"))
        status = wait_until_up(f"{base_url}/api/", server, seconds=60)[0]
        if status != 200:
            raise RuntimeError(f"the server answered {status} at /api/: see server.log")
        print(f"server: gunicorn on {base_url}, {WORKERS} gthread workers x {THREADS} threads")
        server_cpu = CpuMeter(server.pid)
        for position, ns in enumerate(config["schemes"], 1):
            results[ns] = run_namespace(ns, position, config, base_url, out, server_cpu)
            print(report.one_line(ns, results[ns]), flush=True)
            if server.poll() is not None:
                raise RuntimeError(f"the server exited with {server.returncode} during {ns}: see server.log")
    meta["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    summary, problems = report.write(out, meta, results)
    latest = RESULTS / "latest"
    shutil.rmtree(latest, ignore_errors=True)
    shutil.copytree(out, latest)
    print(report.table(summary))
    print(f"\nWritten: {latest}/ (summary.json, report.md, latency.png, locust-<ns>.html); this run also in {out}/")
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
