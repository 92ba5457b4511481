"""Start real servers from the checkout for the tests that need one, and always stop them."""
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def gunicorn(port, *options):
    """The command line of a gunicorn serving the site on 127.0.0.1:`port`, as a deployment would run it."""
    # No control socket: its default path is one per user, and several gunicorns run side by side here.
    return [sys.executable, "-m", "gunicorn", "demo.wsgi", "--bind", f"127.0.0.1:{port}", "--no-control-socket", *options]


def get(url, timeout=10, headers=None, body=None):
    """(status, headers, body) of a GET (a POST if there is a body), without raising on 4xx/5xx."""
    request = urllib.request.Request(url, data=body, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def post_json(url, data, timeout=10, headers=None):
    """(status, headers, body) of a POST of `data` as JSON, without raising on 4xx/5xx."""
    headers = {"Content-Type": "application/json", "Accept": "application/json", **(headers or {})}
    return get(url, timeout, headers, body=json.dumps(data).encode())


def wait_until_up(url, process, seconds=120):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            return get(url, timeout=5)
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer in {seconds}s")


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
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
