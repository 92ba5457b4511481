"""Read the instrumentation headers back: what one request cost, as the server itself measured it.

No Django imports on purpose: the Locust process (benchmarks/locustfile.py)
reads the same headers with the same code, without setting Django up.
"""

import re

SERVER_TIMING = re.compile(r"(\w+);dur=([0-9.]+)")


def read_cost(headers):
    """(SQL queries, {"db": ms, "auth": ms, "total": ms}) from a response's headers; None without them."""
    queries = headers.get("X-DB-Queries")
    timing = headers.get("Server-Timing")
    if queries is None or timing is None:
        return None
    return int(queries), {name: float(ms) for name, ms in SERVER_TIMING.findall(timing)}
