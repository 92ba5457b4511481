"""Start real servers from the checkout for the tests that need one, and always stop them."""

import json
import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

from benchmarks.processes import free_port, get, stop_group, wait_until_up  # noqa: F401 (the tests import them from here)

ROOT = Path(__file__).resolve().parent.parent


def gunicorn(port, *options):
    """The command line of a gunicorn serving the site on 127.0.0.1:`port`, as a deployment would run it."""
    # No control socket: its default path is one per user, and several gunicorns run side by side here.
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--no-control-socket",
        *options,
    ]


def post_json(url, data, timeout=10, headers=None):
    """(status, headers, body) of a POST of `data` as JSON, without raising on 4xx/5xx."""
    headers = {"Content-Type": "application/json", "Accept": "application/json", **(headers or {})}
    return get(url, timeout, headers, body=json.dumps(data).encode())


@contextmanager
def running(command, port, env=None, log=None):
    """Run `command` (a server on `port`) in its own process group; stop the whole group afterwards."""
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=log or subprocess.DEVNULL,
        stderr=subprocess.STDOUT if log else subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_until_up(f"http://127.0.0.1:{port}/api/", process)
        yield process
    finally:
        stop_group(process)
