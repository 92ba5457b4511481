"""Whether this process last found each service up or down: one log line when that changes, not one per request.

Each gunicorn worker keeps its own state, so an outage logs one line per worker
when it starts and one when it ends (with how long it lasted).
"""

import logging
import threading
import time

logger = logging.getLogger("outages")

_lock = threading.Lock()
_down_since = {}  # service -> time.monotonic() when this process first found it down


def went_down(service, exc):
    """Note that `service` failed with `exc`; log it if this process thought it was up."""
    with _lock:
        if service in _down_since:
            return
        _down_since[service] = time.monotonic()
    # The exception's class and first line: psycopg's names host and port, never the password.
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    logger.error("%s unavailable (%s: %s); answering 503 while it is down", service, type(exc).__name__, reason)


def came_back(service):
    """Note that `service` answered; log it if this process thought it was down."""
    with _lock:
        since = _down_since.pop(service, None)
    if since is not None:
        logger.warning("%s available again after %.1f s", service, time.monotonic() - since)


def is_down(service):
    return service in _down_since


def down_services():
    return sorted(_down_since)
