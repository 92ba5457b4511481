"""Turn the figures of one `make bench` run into summary.json, report.md (from templates/report.md.j2) and the charts.

Per namespace, latency, queries and auth time are those of ``GET me/`` (the
request the contract's table is about); requests, failures and rps count
everything the namespace's users sent, logins included. The capacity figures
are the rounds' (benchmarks/rounds.py): median and spread of each ratio.

The report knows no namespace by name: what each one's ``GET me/`` should
cost and what a student should read in its row come from the site's
``GET /api/`` (``me_queries``, ``reading``), saved in the run's meta.
"""

import json
from pathlib import Path

import jinja2

from benchmarks import rounds
from benchmarks.stats import best_step, times

ME = ": GET me/"
AGREE = 0.15  # Locust's and wrk's median ratios further apart than this: the figure is the tools', not the server's
TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
    undefined=jinja2.StrictUndefined,
    autoescape=False,  # Markdown, not HTML  # noqa: S701
)


def number(value, digits=1):
    return "-" if value is None else f"{value:.{digits}f}"


def spread(pair):
    return "-" if not pair else f"{times(pair[0])}-{times(pair[1])}"


def percent(value):
    return "-" if value is None else f"{value:+.0%}"


def ranked(schemes):
    """(ns, row) with a capacity, most req/s first."""
    found = [(ns, row) for ns, row in schemes.items() if row.get("capacity_rps") is not None]
    # By the figure the ratios are of: requests per server CPU-second where measured, else req/s.
    return sorted(found, key=lambda item: -(item[1].get("capacity_rps_per_cpu_second") or item[1]["capacity_rps"]))


def marked_namespaces(summary):
    return {m["namespace"] for m in summary.get("marked", []) if m["namespace"]}


TEMPLATES.filters.update(
    times=times, number=number, spread=spread, percent=percent, percent0=lambda v: f"{v:.0%}", ranked=ranked
)
TEMPLATES.globals["marked_namespaces"] = marked_namespaces


def me(ns, figures):
    return figures["exact"].get(f"{ns}{ME}")


def limited_by(step, meta):
    """What stopped this step going faster, from the CPU each side used."""
    server_cores = len(meta["cores"]["server"])
    if step.get("locust_cores") is not None and step["locust_cores"] >= meta["locust_cpu_limit"]:
        return f"Locust's CPU ({step['locust_cores']:.0%} of its core): the figure is Locust's, not the server's"
    server = step.get("server_cores")
    busy = step.get("server_core_cores")
    if server is not None and server >= 0.85 * server_cores:
        return f"the server's CPU ({server / server_cores:.0%} of {server_cores} core(s))"
    if server is not None and busy is not None and busy >= 0.85 * server_cores:
        return (
            f"the server's core, shared: the server used {server / server_cores:.0%} of it, other processes "
            f"{max(0.0, busy - server) / server_cores:.0%}"
        )
    shown = "-" if server is None else f"{server:.0%}"
    return f"neither CPU was full (server {shown}, Locust {step.get('locust_cores') or 0:.0%}): the server waited"


STEP_KEYS = (
    "users",
    "seconds",
    "responses",
    "failures",
    "rps",
    "p50_ms",
    "p95_ms",
    "p99_ms",
    "server_ms_p50",
    "db_queries_per_second",
    "locust_cores",
    "server_cores",
    "server_core_cores",
)


def scheme_summary(ns, results, meta, paired=None):
    """The contract's keys for one namespace: latency from the latency run (or the capacity step), capacity from the rounds."""
    latency, capacity = results.get("latency", {}).get(ns), results.get("capacity", {}).get(ns)
    counted = latency or capacity
    total = counted["requests"]["Aggregated"]
    best = best_step(capacity["steps"]) if capacity else None
    request = me(ns, latency) if latency else best
    paired = paired or {}
    return {
        "requests": total["requests"],
        "failures": sum(
            figures["requests"]["Aggregated"]["failures"]
            for run in results.values()
            if isinstance(run, dict)
            for key, figures in run.items()
            if isinstance(figures, dict) and "requests" in figures and (key == ns or key.startswith(f"{ns} (round"))
        ),
        "rps": round(total["rps"], 2),
        "p50_ms": request and request.get("p50_ms"),
        "p95_ms": request and request.get("p95_ms"),
        "p99_ms": request and request.get("p99_ms"),
        "server_ms_p50": request and request.get("server_ms_p50"),
        "db_queries_per_request": request and request.get("db_queries"),
        "auth_ms": request and request.get("auth_ms"),
        # The rounds' medians when there are rounds; a growth run has one window: its best step.
        "capacity_rps": paired.get("rps", float(best["rps"]) if best else None),
        # The capacity: requests per second of the server's CPU time (benchmarks/rounds.py says why); its ratio
        # to public's is the contract's capacity_x_public. The raw req/s ratio is kept beside it.
        "capacity_rps_per_cpu_second": paired.get("rps_per_cpu_second"),
        "capacity_basis": paired.get("basis", "req/s"),
        "capacity_x_public": paired.get("x_public"),
        "capacity_x_public_spread": paired.get("x_public_spread"),
        "capacity_rps_x_public": paired.get("raw_x_public"),
        "capacity_rps_x_public_spread": paired.get("raw_x_public_spread"),
        "rounds": paired.get("rounds", 0),
        "capacity_users": best["users"] if best else None,
        "capacity_p50_ms": best and best.get("p50_ms"),  # a step with no response has none
        "capacity_server_ms_p50": best and best.get("server_ms_p50"),
        "capacity_db_queries_per_second": best and best["db_queries_per_second"],
        "capacity_limited_by": best and limited_by(best, meta),
        "capacity_steps": [{key: step.get(key) for key in STEP_KEYS} for step in (capacity or {}).get("steps", [])],
        "capacity_windows": paired.get("windows", []),
    }


def check(label, run_kind, figures, meta, ns=None):
    """What makes a Locust run a failure: failed requests, Locust as the bottleneck, no measured me/, or GET me/
    queries other than the ones GET /api/ says the namespace makes (`me_queries`; null: as measured)."""
    ns = ns or label
    problems = []
    failures = figures["requests"]["Aggregated"]["failures"]
    if failures:
        problems.append(f"{label} ({run_kind}): {failures} failed requests (see its Locust log and HTML report)")
    if figures["exit_code"] not in (0, 1):  # Locust exits 1 for failed requests, counted above
        problems.append(f"{label} ({run_kind}): Locust exited {figures['exit_code']} (see its Locust log)")
    if not figures["final"]:
        problems.append(f"{label} ({run_kind}): Locust stopped before it wrote its final figures")
    reason = figures.get("stop_reason") or ""
    if reason.startswith(("only", "no successful")):
        problems.append(f"{label} ({run_kind}): {reason}")
    limit = meta["locust_cpu_limit"]
    for step in figures.get("steps", []):
        if step.get("locust_cores") is not None and step["locust_cores"] > limit:
            problems.append(
                f"{label} ({run_kind}): Locust used {step['locust_cores']:.0%} of its core at {step['users']} users, "
                f"more than {limit:.0%}: that step measured Locust, not the server (give Locust a core "
                "of its own: BENCH_LOCUST_CORES, or a quieter machine)"
            )
    request = me(ns, figures) if run_kind == "latency" else best_step(figures.get("steps"))
    if run_kind == "latency" and request is None:
        problems.append(f"{label} ({run_kind}): no GET me/ measured")
        return problems
    return problems + query_problems(ns, request, figures, meta)


def query_problems(ns, request, figures, meta):
    """GET me/ must make the namespace's `me_queries`; more only on a cache's first miss: at most one request per
    user and server process (each gunicorn worker keeps its own local-memory cache)."""
    expected = meta.get("namespaces", {}).get(ns, {}).get("me_queries")
    seen = {int(n): count for n, count in ((request or {}).get("queries_seen") or {}).items()}
    if expected is None or not seen:
        return []
    users = max([step["users"] for step in figures.get("steps", [])] or [figures.get("users") or 1])
    first_misses = users * max(1, meta["server"]["workers"])
    other = {n: count for n, count in seen.items() if n != expected}
    if not other:
        return []
    if set(other) == {expected + 1} and other[expected + 1] <= first_misses and seen.get(expected):
        return []
    return [f"{ns}: GET me/ made {sorted(seen)} queries; GET /api/ says {expected} (one more on a cache's first miss)"]


def one_line(ns, run_kind, figures):
    load = figures["load_generator"]
    if run_kind == "capacity":
        steps = ", ".join(f"{s['users']}u {s['rps']:.0f}/s p50 {s.get('p50_ms')} ms" for s in figures["steps"])
        return f"    {ns} capacity: {steps}; stopped at {figures.get('stop_reason')}"
    request = me(ns, figures) or {}
    return (
        f"    {ns} latency: me/ p50 {request.get('p50_ms')} ms (server {request.get('server_ms_p50')} ms), "
        f"{request.get('db_queries')} queries; Locust {load['cores']} cores"
    )


def round_line(windows, round_number):
    """One round's ratios, as the runner prints them."""
    found = rounds.ratios(
        [w for w in windows if w["round"] == round_number], "locust", sorted({w["ns"] for w in windows})
    )
    return ", ".join(f"{ns} x{times(by_round.get(round_number))}" for ns, by_round in found.items() if by_round)


def paired_summary(results, namespaces, meta):
    """({ns: Locust's rounds}, {ns: wrk's rounds} or None, marks) from the run's windows."""
    windows = results.get("windows", [])
    server_cores, limit = len(meta["cores"]["server"]), meta["shared_limit"]
    locust, marked = rounds.summarize(windows, namespaces, "locust", server_cores, limit)
    wrk = None
    if any(w["tool"] == "wrk" for w in windows):
        wrk, wrk_marked = rounds.summarize(windows, namespaces, "wrk", server_cores, limit)
        marked += wrk_marked
        for ns, row in wrk.items():
            ours = locust[ns]["x_public"]
            row["connections"] = row["windows"][0]["users"] if row["windows"] else None
            row["differs"] = round(ours / row["x_public"] - 1, 3) if ours and row["x_public"] else None
            if ns != rounds.BASELINE and row["differs"] is not None and abs(row["differs"]) > AGREE:
                marked.append(
                    {
                        "namespace": ns,
                        "round": None,
                        "tool": "wrk",
                        "why": f"Locust's x public ({times(ours)}) and wrk's ({times(row['x_public'])}) differ by "
                        f"{row['differs']:+.0%}, more than {AGREE:.0%}",
                    }
                )
    return locust, wrk, marked


def write(out, meta, results, logins, config=None):
    """summary.json (the contract's shape), requests.json (every run's figures), report.md, latency.png and capacity.png."""
    runs = {k: v for k, v in results.items() if k in ("capacity", "latency")}
    namespaces = list(next(iter(runs.values())))
    locust, wrk, marked = paired_summary(results, namespaces, meta) if "capacity" in runs else ({}, None, [])
    schemes = {ns: scheme_summary(ns, results, meta, locust.get(ns)) for ns in namespaces}
    marked += rounds.partial(namespaces, meta.get("mounted", namespaces))
    problems = [
        problem
        for run_kind, run in runs.items()
        for ns, figures in run.items()
        for problem in check(ns, run_kind, figures, meta)
    ] + [
        problem
        for label, figures in results.get("round_figures", {}).items()
        for problem in check(label, "capacity", figures, meta, ns=label.split(" (")[0])
    ]
    meta = {
        **meta,
        "load_generator": {f"{k}-{ns}": f["load_generator"] for k, run in runs.items() for ns, f in run.items()},
        "warnings": warnings(meta, runs),
    }
    summary = {
        "meta": meta,
        "cores": meta["cores"],
        "clean": not marked and not problems,
        "marked": marked + [{"namespace": None, "round": None, "tool": None, "why": p} for p in problems],
        "logins": {
            flow: {key: f[key] for key in ("queries", "rows_written", "ms")} for flow, f in logins["flows"].items()
        },
        "growth": {flow: f["rows_kept"] for flow, f in logins["flows"].items()},
        "cleaners": logins["tables"],
        "schemes": schemes,
    }
    if wrk is not None:
        summary["wrk"] = wrk
    if results.get("profile"):
        summary["profile"] = results["profile"]
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    recorded = {**runs, "windows": results.get("windows", []), "round_figures": results.get("round_figures", {})}
    if results.get("profile"):
        recorded["profile"] = results["profile"]
    (out / "requests.json").write_text(json.dumps(recorded, indent=1) + "\n")
    (out / "report.md").write_text(markdown(summary, runs, problems))
    from .chart import draw, draw_capacity

    if "latency" in runs:
        draw(summary, out / "latency.png")
    if any(row["capacity_steps"] for row in schemes.values()):
        draw_capacity(summary, out / "capacity.png")
    if "profile" in summary:
        from costs.chart import where_the_time_goes  # matplotlib only, no Django: the /costs/ page's chart

        where_the_time_goes(summary["profile"], out / "profile.png")
    return summary, problems


def write_again(folder):
    """summary.json and report.md of a recorded run again, from its requests.json and summary.json (e.g. after an
    edit of the template or of the rounds' rules): ``python -m benchmarks.report --again benchmarks/results/latest``."""
    folder = Path(folder)
    summary = json.loads((folder / "summary.json").read_text())
    results = json.loads((folder / "requests.json").read_text())
    meta = {k: v for k, v in summary["meta"].items() if k not in ("load_generator", "warnings")}
    logins = {
        "flows": {flow: {**f, "rows_kept": summary["growth"][flow]} for flow, f in summary["logins"].items()},
        "tables": summary["cleaners"],
    }
    return write(folder, meta, results, logins)


def warnings(meta, runs):
    found = []
    if meta["load_average_before"] > meta["cpu_count"] / 2:
        found.append(
            f"the machine was busy before the run began (load average {meta['load_average_before']} on "
            f"{meta['cpu_count']} cores): other work shared the cores with the server and Locust, so every "
            "figure here is lower, and noisier, than on a quiet machine."
        )
    for ns, figures in runs.get("latency", {}).items():
        busiest = figures["load_generator"]["busiest_process_cores"]
        if busiest >= 0.8:
            found.append(
                f"{ns} (latency): a Locust process used {busiest:.0%} of a core, near all it can use: these figures "
                "may measure Locust rather than the server. Use fewer users, or BENCH_PROCESSES=2."
            )
    return found


def table(summary):
    """The capacity table (when there is one) and the light-load table, as report.md has them: for the terminal."""
    macros = TEMPLATES.get_template("tables.md.j2").module
    parts = []
    if any(row.get("capacity_rps") is not None for row in summary["schemes"].values()):
        parts.append(str(macros.capacity_table(summary)))
    if any(row.get("p50_ms") is not None for row in summary["schemes"].values()):
        parts.append(str(macros.latency_table(summary)))
    return "\n".join(parts)


NOISE = 0.15  # two figures of one run closer than this are the same, on a machine shared with other work


def verdict(summary):
    """The tutorial's claim, "JWT ... is more efficient and scales better than DRF's built-in token system", measured."""
    rows = summary["schemes"]
    if not all(rows.get(ns, {}).get("capacity_x_public") for ns in ("token", "jwt")):
        return None
    token, jwt = rows["token"]["capacity_x_public"], rows["jwt"]["capacity_x_public"]
    if jwt > token * (1 + NOISE):
        found = "more efficient here"
    elif jwt < token * (1 - NOISE):
        found = "less efficient here"
    else:
        found = f"the same, within the {NOISE:.0%} this run can tell apart: both make one query per request"
    return (
        "**The tutorial's claim** (\"JWT ... is more efficient and scales better than DRF's built-in token system\"), "
        f"measured: the default `jwt` sustained {jwt / token:.2f}x the requests per core of DRF's `token` "
        f"(x{times(jwt)} vs x{times(token)} public, medians over the rounds): {found}. Scaling out is alike: every "
        "scheme that queries sends each request's query to the one database, and the stateless ones need only the key."
    )


def markdown(summary, runs, problems):
    meta = summary["meta"]
    query_free = [ns for ns, row in summary["schemes"].items() if row["db_queries_per_request"] == 0]
    return TEMPLATES.get_template("report.md.j2").render(
        summary=summary,
        meta=meta,
        v=meta["versions"],
        runs=runs,
        problems=problems,
        verdict=verdict(summary),
        query_free=query_free,
    )


def write_growth(out, meta, results, logins, config=None):
    """BENCH_MODE=growth: summary.json and report.md of the capacity at each table size."""
    growth = results["growth"]
    rows = {
        size: {ns: scheme_summary(ns, {"capacity": {ns: run}}, meta) for ns, run in by_ns.items()}
        for size, by_ns in growth.items()
    }
    problems = [
        p for size, by_ns in growth.items() for ns, f in by_ns.items() for p in check(ns, f"{size} rows", f, meta)
    ]
    summary = {
        "meta": {**meta, "warnings": warnings(meta, {})},
        "cores": meta["cores"],
        "clean": not problems,
        "marked": [{"namespace": None, "round": None, "tool": None, "why": p} for p in problems],
        "logins": {
            flow: {key: f[key] for key in ("queries", "rows_written", "ms")} for flow, f in logins["flows"].items()
        },
        "growth": {flow: f["rows_kept"] for flow, f in logins["flows"].items()},
        "cleaners": logins["tables"],
        "rows": {
            str(size): {ns: {k: row[k] for k in GROWTH_KEYS} for ns, row in by_ns.items()}
            for size, by_ns in rows.items()
        },
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    (out / "requests.json").write_text(json.dumps({str(k): v for k, v in growth.items()}, indent=1) + "\n")
    (out / "report.md").write_text(
        TEMPLATES.get_template("growth.md.j2").render(summary=summary, meta=summary["meta"], problems=problems)
    )
    return summary, problems


GROWTH_KEYS = ("capacity_rps", "capacity_users", "capacity_p50_ms", "capacity_server_ms_p50", "capacity_limited_by")


def readme_table(summary):
    """The README's capacity table of a recorded run (docs/bench-summary.json): python -m benchmarks.report --readme."""
    return str(TEMPLATES.get_template("tables.md.j2").module.readme_table(summary))


def growth_table(summary):
    return str(TEMPLATES.get_template("tables.md.j2").module.growth_table(summary))


def side_by_side(summaries):
    """One Markdown table of several runs (e.g. SQLite, then PostgreSQL + Redis), for the docs."""
    return TEMPLATES.get_template("side_by_side.md.j2").render(summaries=summaries)


def _ratio(value, base):
    return times(value / base) if value is not None and base else "-"


TEMPLATES.filters["ratio"] = _ratio


if __name__ == "__main__":
    # python -m benchmarks.report RUN_A/summary.json RUN_B/summary.json: the docs' table.
    # python -m benchmarks.report --again RUN/: that run's summary.json and report.md written again.
    import sys

    # python -m benchmarks.report --readme RUN/summary.json: the README's capacity table of that run.
    if sys.argv[1:2] == ["--again"]:
        write_again(sys.argv[2])
    elif sys.argv[1:2] == ["--readme"]:
        print(readme_table(json.loads(Path(sys.argv[2]).read_text())), end="")
    else:
        print(side_by_side([json.loads(Path(path).read_text()) for path in sys.argv[1:]]))
