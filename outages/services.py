"""Throwaway PostgreSQL and Redis servers on free loopback ports, and gunicorn serving the site on them.

For ``manage.py outages`` and tests/test_outages.py, which stop and start them
under load. Nothing here touches a server it did not start: each lives in a
temporary directory of its own and is stopped (and removed) at the end.
"""

import glob
import os
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

from benchmarks.processes import free_port, stop_group, wait_until_up

ROOT = Path(__file__).resolve().parent.parent


def postgres_bin():
    """The newest /usr/lib/postgresql/<version>/bin holding initdb and pg_ctl, or None."""
    found = [Path(d) for d in glob.glob("/usr/lib/postgresql/*/bin") if (Path(d) / "initdb").exists()]
    return max(found, key=lambda d: int(d.parent.name), default=None) if found else None


def missing():
    """Why throwaway servers cannot be started on this machine, or None when they can."""
    if postgres_bin() is None:
        return "PostgreSQL's initdb and pg_ctl are not installed (/usr/lib/postgresql/*/bin)"
    if shutil.which("redis-server") is None:
        return "redis-server is not installed"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "running as root, and without runuser initdb refuses to run"
    return None


class Postgres:
    """A PostgreSQL cluster in a temporary directory of its own, trust authentication, listening on 127.0.0.1 only."""

    user = "postgres"  # the system user to run as when we are root (initdb refuses root)

    def __init__(self):
        # Straight under the temporary directory: when we are root, the postgres user must reach it.
        self.directory = Path(tempfile.mkdtemp(prefix="outages-postgres-"))
        self.data = self.directory / "data"
        self.port = free_port()
        self.bin = postgres_bin()
        self.running = False

    @property
    def url(self):
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def run(self, *command):
        prefix = ["runuser", "-u", self.user, "--"] if os.geteuid() == 0 else []
        subprocess.run([*prefix, *command], check=True, capture_output=True, timeout=120)

    def init(self):
        if os.geteuid() == 0:
            shutil.chown(self.directory, self.user)
        self.run(
            str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"
        )
        return self

    def start(self):
        # fsync off: a throwaway cluster; a fast shutdown (stop) still writes every committed row.
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        log = self.directory / "postgres.log"
        self.run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(log), "-w", "-t", "60", "start"
        )
        self.running = True

    def stop(self):
        if self.running:
            self.run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")
            self.running = False

    def remove(self):
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)


class Redis:
    """A redis-server on 127.0.0.1 that keeps nothing on disk."""

    def __init__(self, directory):
        self.directory = Path(directory)
        self.port = free_port()
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def running(self):
        return self.process is not None

    def start(self):
        self.directory.mkdir(parents=True, exist_ok=True)
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(
            [*command, "--dir", str(self.directory)], stdout=subprocess.DEVNULL, start_new_session=True
        )
        import redis

        deadline = time.monotonic() + 30
        while True:
            try:
                redis.Redis.from_url(self.url, socket_timeout=1).ping()
                return
            except redis.exceptions.ConnectionError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise
                time.sleep(0.05)

    def stop(self):
        if self.process is not None:
            stop_group(self.process)
            self.process = None


class Site:
    """gunicorn serving this checkout on `env` (DATABASE_URL, REDIS_URL...), as a deployment runs it: DEBUG off."""

    def __init__(self, env, log_path, workers=2, threads=8):
        self.port = free_port()
        self.env = {**os.environ, "DJANGO_DEBUG": "0", **env}
        self.log_path = Path(log_path)
        self.workers, self.threads = workers, threads
        self.process = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def manage(self, *args, **env):
        """Run a manage.py command against the site's services (migrate, a user)."""
        command = [sys.executable, "manage.py", *args]
        subprocess.run(command, cwd=ROOT, env={**self.env, **env}, check=True, capture_output=True, timeout=300)

    def start(self):
        command = [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{self.port}"]
        command += ["--no-control-socket", "--workers", str(self.workers), "--worker-class", "gthread"]
        command += ["--threads", str(self.threads), "--timeout", "60", "--graceful-timeout", "5"]
        with open(self.log_path, "ab") as log:  # the child keeps its own copy of the descriptor
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        wait_until_up(f"{self.url}/api/", self.process)

    def stop(self):
        if self.process is not None:
            stop_group(self.process)
            self.process = None

    def log_text(self):
        return self.log_path.read_text(errors="replace")


@contextmanager
def throwaway_services(directory, site_env=None, workers=2, threads=8):
    """(postgres, redis, site): started in `directory`, migrated; all stopped afterwards, whatever happens."""
    directory = Path(directory)
    with ExitStack() as stack:
        postgres = Postgres()
        stack.callback(postgres.remove)
        postgres.init().start()
        redis = Redis(directory / "redis")
        redis.start()
        stack.callback(redis.stop)
        env = {"DATABASE_URL": postgres.url, "REDIS_URL": redis.url, **(site_env or {})}
        site = Site(env, directory / "gunicorn.log", workers, threads)
        site.manage("migrate", "--noinput", "-v0")
        site.start()
        stack.callback(site.stop)
        yield postgres, redis, site
