"""The server browser_lab measures: gunicorn on two free loopback ports (the API's, and the same-site front
end's next to it), DEBUG on, a throwaway SQLite database seeded with the demo users; always stopped."""

import os
import secrets
import socket
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

from benchmarks.processes import stop_group, wait_until_up

ROOT = Path(__file__).resolve().parent.parent


def port_is_free(port):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port_pair():
    """A free port whose next port is free too (the front end is the API's port + 1)."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port < 65535 and port_is_free(port + 1):
            return port
    raise RuntimeError("no two free ports side by side on 127.0.0.1")


@contextmanager
def lab_server():
    """Yields the API's base URL (http://127.0.0.1:PORT); the lab's other origins hang off its port."""
    with tempfile.TemporaryDirectory(prefix="browser-lab-") as home:
        port = free_port_pair()
        env = {
            **os.environ,
            "DJANGO_DEBUG": "1",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DATABASE_URL": f"sqlite:///{Path(home) / 'lab.sqlite3'}",
            "REDIS_URL": "",  # one process: its local-memory cache holds what the attacker's server collects
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        }
        for args in (["migrate", "--noinput"], ["seed_demo", "--base-url", f"http://127.0.0.1:{port}"]):
            subprocess.run(
                [sys.executable, "manage.py", *args],
                cwd=ROOT,
                env=env,
                check=True,
                stdout=subprocess.DEVNULL,
                timeout=300,
            )
        command = [
            sys.executable, "-m", "gunicorn", "config.wsgi",
            "--bind", f"127.0.0.1:{port}", "--bind", f"127.0.0.1:{port + 1}",
            "--workers", "1", "--worker-class", "gthread", "--threads", "6",
            "--timeout", "60", "--no-control-socket",
        ]  # fmt: skip
        with open(Path(home) / "gunicorn.log", "w") as log:
            process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
            try:
                wait_until_up(f"http://127.0.0.1:{port}/api/", process)
                yield f"http://127.0.0.1:{port}"
            finally:
                stop_group(process)
