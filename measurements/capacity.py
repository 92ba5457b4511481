"""The landing page's "requests per second, one core (x public)" column: measured, never typed in.

From the latest ``make bench`` (benchmarks/results/latest/summary.json) when
there is one, saying when and where it ran; otherwise the in-process ratio
that ``manage.py compare_auth`` measures (public's median ``GET me/`` time
over the namespace's), measured once per process and labelled as such.
"""

import json
from pathlib import Path

from django.conf import settings

from .measure import compare_namespaces, kept

SUMMARY = Path(settings.BASE_DIR) / "benchmarks" / "results" / "latest" / "summary.json"
IN_PROCESS_REQUESTS = 5  # per namespace: Basic hashes the password on every one

_in_process = {}  # measure.kept's store: the ratios, once per process


def ratio(value):
    return f"{value:.2f}" if value >= 0.1 else f"{value:.2g}"  # Basic's 0.0023, not 0.00


def bar(x, spread=None):
    """One bar of the landing page's chart: the ratio to public, with its spread over the rounds when measured."""
    low, high = spread if spread else (None, None)
    return {"x": x, "low": low, "high": high, "label": f"x{ratio(x)}"}


def from_bench(path):
    """{"source", "measured", "cells"} from a make bench summary with a capacity run; None without one."""
    try:
        summary = json.loads(path.read_text())
        meta, schemes = summary["meta"], summary["schemes"]
        cores = len(summary["cores"]["server"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    cells = {
        ns: f"{row['capacity_rps'] / cores:.0f} (x{ratio(row['capacity_x_public'])})"
        for ns, row in schemes.items()
        if row.get("capacity_rps") and row.get("capacity_x_public") is not None
    }
    if not cells:
        return None
    bars = {
        ns: bar(row["capacity_x_public"], row.get("capacity_x_public_spread"))
        for ns, row in schemes.items()
        if ns in cells
    }
    database, cache = meta["database"], meta["cache"]
    return {
        "source": "make bench",
        "bars": bars,
        "measured": (
            f"measured by make bench on {meta['finished']} (UTC) on {meta['cpu_model']}: gunicorn on CPU "
            f"{summary['cores']['server']}, Locust on CPU {summary['cores']['locust']}, {database['engine']} + "
            f"{cache['backend']} cache, load average {meta['load_average_before']} when it began"
        ),
        "cells": cells,
    }


def in_process():
    """compare_auth's ratio, inverted to read as throughput (x public): measured once per process."""

    def measure():
        figures = compare_namespaces(IN_PROCESS_REQUESTS)
        return {ns: 1 / f.ratio_to_public for ns, f in figures.items() if f.ratio_to_public}

    ratios = kept(_in_process, measure)
    return {
        "source": "compare_auth",
        "bars": {ns: bar(x) for ns, x in ratios.items()},
        "measured": (
            "no make bench results here yet (benchmarks/results/latest/summary.json): this is the in-process ratio "
            f"of manage.py compare_auth instead, public's median GET me/ time over each namespace's, "
            f"{IN_PROCESS_REQUESTS} requests each, measured by this server when it first showed this page; run "
            "make bench for requests per second"
        ),
        "cells": {ns: f"x{ratio(x)} in-process" for ns, x in ratios.items()},
    }


def capacity_column(path=None):
    return from_bench(path or SUMMARY) or in_process()
