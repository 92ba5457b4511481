"""Read the instrumentation headers back: what one request cost, as the server itself measured it.

No Django imports: only the two headers' text. The in-process measurements
(measurements/measure.py) use it; benchmarks/locustfile.py, which imports
nothing from the site, reads the same headers with a copy of its own.
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
