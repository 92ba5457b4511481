"""Start real servers from the checkout for the tests that need one, and always stop them."""
import os
import subprocess
from contextlib import contextmanager
from pathlib import Path

from benchmarks.processes import free_port, get, stop_group, wait_until_up  # noqa: F401 (the tests import them from here)

ROOT = Path(__file__).resolve().parent.parent


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
