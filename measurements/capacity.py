"""The landing page's "requests per second, one core (x public)" column: measured, never typed in.

From the latest ``make bench`` (benchmarks/results/latest/summary.json) when
it is a clean run of every namespace this site mounts, saying when and where
it ran, with each ratio's median and spread over the rounds. A run that is
partial, or whose summary marks a window (a shared server core, a round out
of line, Locust and wrk apart) or predates those checks, is not shown as if
it were clean: the column takes the last clean full run among
benchmarks/results/<time>/ instead, with its date, and says why the latest
was refused. Without one, the in-process ratio that ``manage.py
compare_auth`` measures (public's median ``GET me/`` time over the
namespace's), measured once per process and labelled as such, and the
command that would give the real figure.
"""

import json
from pathlib import Path

from django.conf import settings

import registry

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


def read(path):
    try:
        summary = json.loads(path.read_text())
        summary["meta"], summary["schemes"], summary["cores"]["server"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return summary


def refusal(summary):
    """Why this run's capacity figures are not fit for the page (None if they are)."""
    if not any(row.get("capacity_rps") for row in summary["schemes"].values()):
        return "it has no capacity run"
    if "clean" not in summary:
        return "it was made before make bench measured in rounds and checked its windows"
    missing = [ns for ns in registry.namespaces() if ns not in summary["schemes"]]
    if missing:
        return f"a partial run: it did not measure {', '.join(missing)}"
    if not summary["clean"]:
        reasons = [m["why"] if not m.get("namespace") else f"{m['namespace']}: {m['why']}" for m in summary["marked"]]
        more = f" and {len(reasons) - 2} more" if len(reasons) > 2 else ""
        return "a marked run: " + "; ".join(reasons[:2]) + more
    return None


def from_bench(summary, note=""):
    """{"source", "measured", "cells"} from a clean make bench summary."""
    meta, schemes = summary["meta"], summary["schemes"]
    cores = len(summary["cores"]["server"])
    cells = {}
    for ns, row in schemes.items():
        if row.get("capacity_rps") and row.get("capacity_x_public") is not None:
            low, high = row.get("capacity_x_public_spread") or (row["capacity_x_public"],) * 2
            spread = "" if ns == "public" else f", {ratio(low)}-{ratio(high)}"
            cells[ns] = f"{row['capacity_rps'] / cores:.0f} (x{ratio(row['capacity_x_public'])}{spread})"
    bars = {ns: bar(schemes[ns]["capacity_x_public"], schemes[ns].get("capacity_x_public_spread")) for ns in cells}
    database, cache = meta["database"], meta["cache"]
    rounds = max((row.get("rounds") or 0 for row in schemes.values()), default=0)
    return {
        "source": "make bench",
        "bars": bars,
        "measured": (
            f"{note}measured by make bench on {meta['finished']} (UTC) on {meta['cpu_model']}: gunicorn on CPU "
            f"{summary['cores']['server']}, Locust on CPU {summary['cores']['locust']}, {database['engine']} + "
            f"{cache['backend']} cache, load average {meta['load_average_before']} when it began; x public is the "
            f"median of {rounds} rounds, then the lowest-highest"
        ),
        "cells": cells,
    }


def last_clean(latest):
    """The newest clean full run kept beside latest/ (benchmarks/results/<time>/summary.json), if any."""
    for path in sorted(latest.parent.parent.glob("*/summary.json"), reverse=True):
        if path.parent.name == "latest":
            continue
        summary = read(path)
        if summary is not None and refusal(summary) is None:
            return summary
    return None


def in_process(refused=""):
    """compare_auth's ratio, inverted to read as throughput (x public): measured once per process."""

    def measure():
        figures = compare_namespaces(IN_PROCESS_REQUESTS)
        return {ns: 1 / f.ratio_to_public for ns, f in figures.items() if f.ratio_to_public}

    ratios = kept(_in_process, measure)
    if refused:
        why = f"{refused}No clean full run is kept beside it either (benchmarks/results/)"
        command = "run make bench again on a quiet machine (other programs closed) for requests per second"
    else:
        why = "no make bench results here yet (benchmarks/results/latest/summary.json)"
        command = "run make bench for requests per second"
    return {
        "source": "compare_auth",
        "bars": {ns: bar(x) for ns, x in ratios.items()},
        "measured": (
            f"{why}: this is the in-process ratio of manage.py compare_auth instead, public's median GET me/ time "
            f"over each namespace's, {IN_PROCESS_REQUESTS} requests each, measured by this server when it first "
            f"showed this page; {command}"
        ),
        "cells": {ns: f"x{ratio(x)} in-process" for ns, x in ratios.items()},
    }


def capacity_column(path=None):
    latest = path or SUMMARY
    summary = read(latest)
    if summary is None:
        return in_process()
    why = refusal(summary)
    if why is None:
        return from_bench(summary)
    refused = f"the latest make bench ({summary['meta'].get('finished', 'undated')}) is not shown: {why}. "
    earlier = last_clean(latest)
    if earlier is not None:
        return from_bench(earlier, note=f"{refused}This is the last clean full run, ")
    return in_process(refused)
