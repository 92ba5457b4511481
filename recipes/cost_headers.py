"""Read the instrumentation headers back: what one request cost, as the server itself measured it.

No Django imports on purpose: the site's measurements (measurements.measure)
and any client of the recipes (the benchmark's Locust process among them)
read the headers with this one function, without setting Django up.
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
