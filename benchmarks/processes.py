"""Servers started from the checkout, for `make bench` and for the tests: free ports, waiting for them, stopping them.

Each server runs in a process group of its own (start_new_session=True), so
that stopping it stops its workers too, and nothing else on the machine.
"""

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url, timeout=10, headers=None, body=None):
    """(status, headers, body) of a GET (a POST if there is a body), without raising on 4xx/5xx."""
    request = urllib.request.Request(url, data=body, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def wait_until_up(url, process, seconds=120):
    """The first answer of `url`, as get() gives it; an error if `process` exits or `seconds` pass first."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            return get(url, timeout=5)
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer in {seconds}s")


def stop_group(process):
    """Stop `process` and its whole process group: politely, then by force."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
