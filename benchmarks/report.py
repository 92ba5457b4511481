"""Turn the figures of one `make bench` run into summary.json, report.md and latency.png.

Per namespace, latency, queries and auth time are those of ``GET me/`` (the
request the contract's table is about); requests, failures and rps count
everything the namespace's users sent, logins included.
"""

import json
import os

# The contract's DB queries for GET me/ (token-cached: once its cache holds the token).
CONTRACT_QUERIES = {
    "public": 0,
    "basic": 1,
    "session": 2,
    "token": 1,
    "token-cached": 0,
    "jwt": 1,
    "jwt-stateless": 0,
    "jwt-rsa": 1,
    "knox": 2,  # as measured: the token and its user, then the user's tokens (knox deletes the expired ones)
}

# What a student should read in each row.
READING = {
    "public": "The baseline: Django and DRF with no authentication at all.",
    "basic": (
        "Every request carries the password, so every request hashes it: PBKDF2 with Django's default "
        "iterations (about a million) costs a quarter of a second of CPU. Two cores do a handful of those "
        "per second, so under load the requests queue and latency is counted in seconds. Fast hashing "
        "would defeat the hash's purpose; a scheme that checks a password once and then hands out a "
        "token or a session avoids the cost."
    ),
    "session": "Two queries: the session row, then the user. Cheap per request, and logout revokes at once.",
    "token": "One query: the token row joined to its user.",
    "token-cached": (
        "No query once the cache holds the token: the first request of each user on each server process "
        "(each keeps its own local-memory cache; Redis is shared) misses and makes one."
    ),
    "jwt": "One query: the signature is checked without the database, then the user is loaded by id.",
    "jwt-stateless": "No query: only the signature and expiry are checked, and the user is never loaded.",
    "jwt-rsa": (
        "One query, as jwt: the RSA signature is checked with the public key (a little more CPU than HMAC), "
        "then the user is loaded by id."
    ),
    "knox": (
        "Two queries: the token row (found by the token's first characters, checked by its SHA-512 digest) "
        "joined to its user, then every token of that user, read to delete the expired ones."
    ),
}


ME = ": GET me/"


def me(ns, figures):
    return figures["exact"].get(f"{ns}{ME}")


def best_step(figures):
    steps = figures.get("steps") or []
    return max(steps, key=lambda step: step["rps"]) if steps else None


def limited_by(step, meta):
    """What stopped this step going faster, from the CPU each side used."""
    server_cores = len(meta["cores"]["server"])
    if step.get("locust_cores") is not None and step["locust_cores"] >= LOCUST_CPU_LIMIT:
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


def scheme_summary(ns, results, meta):
    """The contract's keys for one namespace: latency from the latency run (or the capacity step), capacity from the steps."""
    latency, capacity = results.get("latency", {}).get(ns), results.get("capacity", {}).get(ns)
    counted = latency or capacity
    total = counted["requests"]["Aggregated"]
    best = best_step(capacity) if capacity else None
    request = me(ns, latency) if latency else best
    return {
        "requests": total["requests"],
        "failures": sum(
            run[ns]["requests"]["Aggregated"]["failures"]
            for run in results.values()
            if ns in run and "requests" in run[ns]
        ),
        "rps": round(total["rps"], 2),
        "p50_ms": request and request["p50_ms"],
        "p95_ms": request and request["p95_ms"],
        "p99_ms": request and request["p99_ms"],
        "server_ms_p50": request and request["server_ms_p50"],
        "db_queries_per_request": request and request["db_queries"],
        "auth_ms": request and request["auth_ms"],
        "capacity_rps": float(best["rps"]) if best else None,
        "capacity_x_public": None,  # below, once public's is known
        "capacity_users": best["users"] if best else None,
        "capacity_p50_ms": best and best["p50_ms"],
        "capacity_server_ms_p50": best and best["server_ms_p50"],
        "capacity_db_queries_per_second": best and best["db_queries_per_second"],
        "capacity_limited_by": best and limited_by(best, meta),
        "capacity_steps": [{key: step.get(key) for key in STEP_KEYS} for step in (capacity or {}).get("steps", [])],
    }


LOCUST_CPU_LIMIT = float(os.environ.get("BENCH_LOCUST_CPU_LIMIT") or 0.9)  # of its core; lower only to test the check
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
)


def check(ns, run_kind, figures, row):
    """What makes this namespace's run a failure: failed requests, Locust as the bottleneck, no measured me/, or queries the contract does not allow."""
    problems = []
    failures = figures["requests"]["Aggregated"]["failures"]
    if failures:
        problems.append(
            f"{ns} ({run_kind}): {failures} failed requests (see locust-{run_kind}-{ns}.log and the HTML report)"
        )
    if figures["exit_code"] not in (0, 1):  # Locust exits 1 for failed requests, counted above
        problems.append(f"{ns} ({run_kind}): Locust exited {figures['exit_code']} (see locust-{run_kind}-{ns}.log)")
    if not figures["final"]:
        problems.append(f"{ns} ({run_kind}): Locust stopped before it wrote its final figures")
    reason = figures.get("stop_reason") or ""
    if reason.startswith(("only", "no successful")):
        problems.append(f"{ns} ({run_kind}): {reason}")
    for step in figures.get("steps", []):
        if step.get("locust_cores") is not None and step["locust_cores"] > LOCUST_CPU_LIMIT:
            problems.append(
                f"{ns} ({run_kind}): Locust used {step['locust_cores']:.0%} of its core at {step['users']} users, "
                f"more than {LOCUST_CPU_LIMIT:.0%}: that step measured Locust, not the server (give Locust a core "
                "of its own: BENCH_LOCUST_CORES, or a quieter machine)"
            )
    request = me(ns, figures) if run_kind == "latency" else None
    if run_kind == "latency" and request is None:
        problems.append(f"{ns} ({run_kind}): no GET me/ measured")
        return problems
    seen = {int(n) for n in (request or best_step(figures) or {}).get("queries_seen", {})}
    expected = CONTRACT_QUERIES.get(ns)
    if expected is None or not seen:
        return problems
    if ns == "token-cached":
        if seen - {0, 1}:
            problems.append(f"{ns}: GET me/ made {sorted(seen)} queries; the contract says 0 once cached, 1 on a miss")
    elif seen != {expected}:
        problems.append(f"{ns}: GET me/ made {sorted(seen)} queries; the contract says {expected}")
    return problems


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


def write(out, meta, results, logins):
    """summary.json (the contract's shape), requests.json (every run's figures), report.md, latency.png and capacity.png."""
    namespaces = list(next(iter(results.values())))
    schemes = {ns: scheme_summary(ns, results, meta) for ns in namespaces}
    public = (schemes.get("public") or {}).get("capacity_rps")
    for row in schemes.values():
        if row["capacity_rps"] is not None and public:
            row["capacity_x_public"] = float(f"{row['capacity_rps'] / public:.3g}")  # basic's 0.00232, not 0.002
    problems = [
        problem
        for run_kind, run in results.items()
        if run_kind != "wrk"
        for ns, figures in run.items()
        for problem in check(ns, run_kind, figures, schemes[ns])
    ]
    runs = {k: v for k, v in results.items() if k != "wrk"}
    meta = {
        **meta,
        "load_generator": {f"{k}-{ns}": f["load_generator"] for k, run in runs.items() for ns, f in run.items()},
        "warnings": warnings(meta, runs),
    }
    summary = {
        "meta": meta,
        "cores": meta["cores"],
        "logins": {
            flow: {key: f[key] for key in ("queries", "rows_written", "ms")} for flow, f in logins["flows"].items()
        },
        "growth": {flow: f["rows_kept"] for flow, f in logins["flows"].items()},
        "cleaners": logins["tables"],
        "schemes": schemes,
    }
    if "wrk" in results:
        summary["wrk"] = results["wrk"]
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    (out / "requests.json").write_text(json.dumps(runs, indent=1) + "\n")
    (out / "report.md").write_text(markdown(summary, runs, problems))
    from .chart import draw, draw_capacity

    if "latency" in runs:
        draw(summary, out / "latency.png")
    if any(row["capacity_steps"] for row in schemes.values()):
        draw_capacity(summary, out / "capacity.png")
    return summary, problems


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


def ratio(value, base):
    return f"{value / base:.2f}" if value is not None and base else "-"


def times(value):
    """A ratio to public: two decimals, or two significant digits below 0.1 (basic's 0.0023, not 0.00)."""
    return "-" if value is None else f"{value:.2f}" if value >= 0.1 else f"{value:.2g}"


def number(value, digits=1):
    return "-" if value is None else f"{value:.{digits}f}"


def capacity_table(summary):
    """Req/s per server core at each namespace's best step, and its ratio to public: the figure that tells the schemes apart."""
    cores = len(summary["cores"]["server"])
    lines = [
        "| namespace | req/s per server core | x public | at users | p50 ms there | server ms p50 | DB queries/s | what limited it |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    ranked = sorted(summary["schemes"].items(), key=lambda item: -(item[1]["capacity_rps"] or 0))
    for ns, row in ranked:
        if row["capacity_rps"] is None:
            continue
        lines.append(
            f"| `{ns}` | {row['capacity_rps'] / cores:.0f} | {times(row['capacity_x_public'])} | {row['capacity_users']} "
            f"| {number(row['capacity_p50_ms'], 2)} | {number(row['capacity_server_ms_p50'], 2)} "
            f"| {row['capacity_db_queries_per_second']:.0f} | {row['capacity_limited_by']} |"
        )
    return "\n".join(lines)


def table(summary):
    """The light-load (latency) figures as a Markdown table; with the capacity table first when there is one."""
    schemes = summary["schemes"]
    base = (schemes.get("public") or {}).get("p50_ms")
    lines = [
        "| namespace | requests | failures | `me/` p50 ms | p95 ms | p99 ms | p50 x public | server ms p50 | DB queries per `me/` (contract) | auth ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for ns, row in schemes.items():
        queries = "-" if row["db_queries_per_request"] is None else f"{row['db_queries_per_request']:.3g}"
        lines.append(
            f"| `{ns}` | {row['requests']} | {row['failures']} | {number(row['p50_ms'], 2)} | {number(row['p95_ms'], 2)} "
            f"| {number(row['p99_ms'], 2)} | {ratio(row['p50_ms'], base)} | {number(row['server_ms_p50'], 2)} "
            f"| {queries} ({CONTRACT_QUERIES.get(ns, 'as measured')}) | {number(row['auth_ms'], 3)} |"
        )
    latency = "\n".join(lines)
    if any(row["capacity_rps"] is not None for row in schemes.values()):
        return capacity_table(summary) + "\n\n" + latency
    return latency


NOISE = 0.15  # two figures of one run closer than this are the same, on a machine shared with other work


def verdict(summary):
    """The tutorial's claim, "JWT ... is more efficient and scales better than DRF's built-in token system", measured."""
    rows = summary["schemes"]
    if not all(rows.get(ns, {}).get("capacity_rps") for ns in ("token", "jwt")):
        return None
    token, jwt = rows["token"]["capacity_rps"], rows["jwt"]["capacity_rps"]
    if jwt > token * (1 + NOISE):
        found = "more efficient here"
    elif jwt < token * (1 - NOISE):
        found = "less efficient here"
    else:
        found = f"the same, within the {NOISE:.0%} this run can tell apart: both make one query per request"
    line = (
        "**The tutorial's claim** (\"JWT ... is more efficient and scales better than DRF's built-in token system\"), "
        f"measured: simplejwt's default `jwt` sustained {jwt / token:.2f}x the requests per core of DRF's `token` "
        f"({jwt:.0f} vs {token:.0f} req/s): {found}"
    )
    stateless = rows.get("jwt-stateless", {}).get("capacity_rps")
    if stateless:
        line += (
            f". `jwt-stateless`, which never loads the user (and so cannot notice a deactivated account), "
            f"sustained {stateless / token:.2f}x `token`"
        )
    cached = rows.get("token-cached", {}).get("capacity_rps")
    if cached:
        line += f", and a DRF token cached the same way (`token-cached`) {cached / token:.2f}x"
    return line + (
        ". The difference is the query per request, not the token format. Scaling out is alike: every scheme that "
        "queries sends each request's query to the one database, and the stateless ones need only the key."
    )


def logins_table(summary):
    lines = [
        "| flow | SQL queries | rows written | ms | rows it leaves behind |",
        "|---|---:|---:|---:|---|",
    ]
    for flow, f in summary["logins"].items():
        kept = ", ".join(f"`{t}` {n:+d}" for t, n in summary["growth"][flow].items()) or "none"
        lines.append(f"| `{flow}` | {f['queries']} | {f['rows_written']} | {f['ms']:.1f} | {kept} |")
    lines += ["", "Per 1,000 logins (or refreshes) each table gains 1,000 times the rows above. What removes them:", ""]
    lines += [f"- `{table}`: {cleaner}" for table, cleaner in summary["cleaners"].items()]
    return "\n".join(lines)


def wrk_table(summary):
    rows, wrk = summary["schemes"], summary["wrk"]
    base_locust = (rows.get("public") or {}).get("capacity_rps")
    base_wrk = (wrk.get("public") or {}).get("rps")
    lines = [
        "| namespace | Locust req/s | wrk req/s | Locust x public | wrk x public | ratios differ by |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for ns, w in wrk.items():
        locust = rows[ns]["capacity_rps"]
        ours = locust / base_locust if locust and base_locust else None
        theirs = w["rps"] / base_wrk if base_wrk else None
        differ = f"{(ours / theirs - 1):+.0%}" if ours and theirs else "-"
        lines.append(f"| `{ns}` | {number(locust, 0)} | {w['rps']:.0f} | {times(ours)} | {times(theirs)} | {differ} |")
    return "\n".join(lines)


def light_load(summary, meta):
    return [
        "## Light load: latency with think time",
        "",
        f"{meta['users']} simulated users per namespace, {meta['wait_time']} between tasks, {meta['task_mix']}; "
        f"measured for {meta['seconds']} s once all had logged in. Latency, queries and auth time are those of "
        "`GET /api/<ns>/me/` (exact; auth ms is the mean of `Server-Timing` auth). Requests and failures count "
        "everything the users sent, logins included.",
        "",
        table({**summary, "schemes": {ns: {**row, "capacity_rps": None} for ns, row in summary["schemes"].items()}}),
        "",
        "![p50/p95 latency and DB queries per namespace](latency.png)",
        "",
    ]


def markdown(summary, runs, problems):
    meta = summary["meta"]
    server, database, cache = meta["server"], meta["database"], meta["cache"]
    v = meta["versions"]
    lines = [
        "# Authentication schemes under load",
        "",
        f"Run {meta['started']} to {meta['finished']} (UTC) by `make bench` (BENCH_MODE={meta['mode']}).",
        "",
        f"- **Machine:** {meta['cpu_count']} CPU cores ({meta['cpu_model']}), {meta['machine']}, load average "
        f"{meta['load_average_before']} when the run began.",
        f"- **Cores:** the server on CPU {meta['cores']['server']} (seen by the kernel: {meta['server']['affinity']}), "
        f"Locust on CPU {meta['cores']['locust']}.",
        f"- **Server:** {server['software']}, {server['workers']} worker(s), {server['why']}. DEBUG off, static files by "
        f"{server['static_files']}, password hasher {server['password_hasher']}, login throttle raised to "
        f"{server['login_throttle']} for this server only.",
        f"- **Database:** {database['engine']} {database['version']}, {database['where']}.",
        f"- **Cache** (token-cached, the login throttle): {cache['backend']}{' ' + cache['version'] if cache.get('version') else ''}, "
        f"{cache['where']}.",
        f"- **Versions:** Python {v['python']}, Django {v['Django']}, DRF {v['djangorestframework']}, "
        f"simplejwt {v['djangorestframework-simplejwt']}, Locust {v['locust']}, gunicorn {v['gunicorn']}, "
        f"psycopg {v['psycopg']}, redis-py {v['redis']}.",
        "",
    ]
    if meta["warnings"]:
        lines += ["**Warnings:**", "", *[f"- {w}" for w in meta["warnings"]], ""]
    if problems:
        lines += ["**This run failed:**", "", *[f"- {p}" for p in problems], ""]
    if "capacity" in runs:
        lines += [
            "## Capacity: the most `GET me/` one server core sustains",
            "",
            f"Each namespace alone, `GET me/` only, no think time, Locust's FastHttpUser; users in steps of {meta['steps']}, "
            f"each step measured for {meta['seconds']} s once its users had logged in, stopping at the knee (req/s no "
            "longer rising while p50 climbs). A namespace's capacity is its best step. Latencies are exact (every "
            "response's own round trip, nearest-rank percentiles); server ms is the `Server-Timing` total; DB queries/s "
            "is the sum of `X-DB-Queries` per second.",
            "",
            capacity_table(summary),
            "",
        ]
        if verdict(summary):
            lines += [verdict(summary), ""]
        slow = [
            f"`{ns}` {row['capacity_x_public']:.2f}x"
            for ns, row in summary["schemes"].items()
            if ns in ("token-cached", "jwt-stateless") and (row["capacity_x_public"] or 1) < 0.8
        ]
        if slow:
            lines += [
                f"Below 0.8x `public` although they make no query: {', '.join(slow)}. A profile of one request "
                '(docs/benchmarks.md, "Where the time goes") shows why: PyJWT checks every character of the token\'s base64 in '
                "Python, and `token-cached` "
                + (
                    "asks Redis over a socket, and unpickles the user, on every hit"
                    if meta["cache"]["backend"] == "redis"
                    else "unpickles the user from the local-memory cache on every hit"
                )
                + "; next to `public`'s fraction of a millisecond a request, that is a large part of the budget.",
                "",
            ]
        lines += ["![req/s and p50 against users, every namespace](capacity.png)", ""]
        if "wrk" in summary:
            lines += [
                "### A second opinion: wrk",
                "",
                "wrk (a C load generator), against the same server in the same run, on the same cores as Locust, "
                "with as many connections as Locust's best step had users:",
                "",
                wrk_table(summary),
                "",
            ]
    if "latency" in runs:
        lines += light_load(summary, meta)
    lines += [
        "## What each login, refresh and logout costs",
        "",
        "Measured by `manage.py login_costs` (one request each, the real password hasher, Django's query capture; "
        "queries less BEGIN/COMMIT):",
        "",
        logins_table(summary),
        "",
        "## Reading it",
        "",
    ]
    for ns in summary["schemes"]:
        if ns in READING:
            lines.append(f"- **`{ns}`**: {READING[ns]}")
    lines += [
        "",
        "Each database query is a round trip: to a file on the same disk for SQLite, over a socket for PostgreSQL. "
        "The schemes that make none (`public`, `token-cached` once warm, `jwt-stateless`) pay nothing for it; "
        "they pay in what they cannot do instead (see the landing page's table: revocation, logout).",
        "",
        "Locust's own report for each namespace: "
        + ", ".join(f"[{ns}](locust-{ns}.html)" for ns in summary["schemes"])
        + ".",
    ]
    return "\n".join(lines) + "\n"


def write_growth(out, meta, results, logins):
    """BENCH_MODE=growth: summary.json and report.md of the capacity at each table size."""
    growth = results["growth"]
    rows = {
        size: {ns: scheme_summary(ns, {"capacity": {ns: run}}, meta) for ns, run in by_ns.items()}
        for size, by_ns in growth.items()
    }
    problems = [
        p for size, by_ns in growth.items() for ns, f in by_ns.items() for p in check(ns, f"{size} rows", f, None)
    ]
    summary = {
        "meta": {**meta, "warnings": warnings(meta, {})},
        "cores": meta["cores"],
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
    (out / "report.md").write_text(growth_markdown(summary, problems))
    return summary, problems


GROWTH_KEYS = ("capacity_rps", "capacity_users", "capacity_p50_ms", "capacity_server_ms_p50", "capacity_limited_by")


def growth_table(summary):
    sizes = list(summary["rows"])
    namespaces = list(summary["rows"][sizes[0]])
    lines = [
        "| namespace | "
        + " | ".join(f"{int(size):,} rows: req/s | server ms p50" for size in sizes)
        + f" | {int(sizes[-1]):,} / {int(sizes[0]):,} |",
        "|---|" + "---:|---:|" * len(sizes) + "---:|",
    ]
    for ns in namespaces:
        cells = [summary["rows"][size][ns] for size in sizes]
        first, last = cells[0]["capacity_rps"], cells[-1]["capacity_rps"]
        lines.append(
            f"| `{ns}` | "
            + " | ".join(f"{c['capacity_rps']:.0f} | {number(c['capacity_server_ms_p50'], 2)}" for c in cells)
            + f" | {ratio(last, first)} |"
        )
    return "\n".join(lines)


def growth_markdown(summary, problems):
    meta = summary["meta"]
    lines = [
        "# Does a bigger credential table cost more per request?",
        "",
        f"Run {meta['started']} to {meta['finished']} (UTC) by `BENCH_MODE=growth make bench`: the capacity run "
        f"(`GET me/`, users in steps of {meta['steps']}, {meta['seconds']} s each) for each namespace, with "
        "`authtoken_token`, `django_session` and `token_blacklist_outstandingtoken` filled to each size "
        f"(`manage.py bench_rows`); {meta['database']['engine']} {meta['database']['version']}, server on CPU "
        f"{meta['cores']['server']}, Locust on CPU {meta['cores']['locust']}, load average {meta['load_average_before']} "
        "when it began.",
        "",
    ]
    if meta["warnings"]:
        lines += ["**Warnings:**", "", *[f"- {w}" for w in meta["warnings"]], ""]
    if problems:
        lines += ["**This run failed:**", "", *[f"- {p}" for p in problems], ""]
    lines += [
        growth_table(summary),
        "",
        "Each lookup is by an indexed key (the token's key, the session's key, the user's id): a B-tree finds one "
        "row among a million in a few more page reads than among a thousand. What grows is the disk and the "
        "cache the database needs, and the time the cleaners take.",
        "",
        "## How the tables grow, and what cleans them",
        "",
        logins_table(summary),
        "",
    ]
    return "\n".join(lines)


def side_by_side(summaries):
    """One Markdown table of several runs (e.g. SQLite, then PostgreSQL + Redis), for docs/benchmarks.md."""
    labels = [f"{s['meta']['database']['engine']} + {s['meta']['cache']['backend']}" for s in summaries]
    head = (
        "| namespace | DB queries per `me/` | "
        + " | ".join(f"{label}: p50 ms | p95 ms | x public | req/s" for label in labels)
        + " |"
    )
    lines = [head, "|---|---:|" + "---:|---:|---:|---:|" * len(summaries)]
    for ns in summaries[0]["schemes"]:
        cells = []
        for summary in summaries:
            row = summary["schemes"].get(ns)
            base = summary["schemes"].get("public", {}).get("p50_ms")
            cells += (
                [f"{row['p50_ms']:g}", f"{row['p95_ms']:g}", ratio(row["p50_ms"], base), f"{row['rps']:.1f}"]
                if row
                else ["-"] * 4
            )
        queries = " / ".join(
            f"{s['schemes'][ns]['db_queries_per_request']:.3g}" for s in summaries if ns in s["schemes"]
        )
        lines.append(f"| `{ns}` | {queries} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    # python -m benchmarks.report RUN_A/summary.json RUN_B/summary.json: docs/benchmarks.md's table.
    import sys
    from pathlib import Path

    print(side_by_side([json.loads(Path(path).read_text()) for path in sys.argv[1:]]))
