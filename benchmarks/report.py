"""Turn the figures of one `make bench` run into summary.json, report.md and latency.png.

Per namespace, latency, queries and auth time are those of ``GET me/`` (the
request the contract's table is about); requests, failures and rps count
everything the namespace's users sent, logins included.
"""

import json

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


def me(ns, figures):
    return figures["requests"].get(f"{ns}: GET me/")


def mean_queries(server):
    return sum(int(n) * count for n, count in server["queries"].items()) / server["responses"]


def scheme_summary(ns, figures):
    """The contract's keys for one namespace."""
    total = figures["requests"]["Aggregated"]
    request = me(ns, figures)
    server = request and request["server"]
    return {
        "requests": total["requests"],
        "failures": total["failures"],
        "rps": round(total["rps"], 2),
        "p50_ms": float(request["p50_ms"]) if request else None,
        "p95_ms": float(request["p95_ms"]) if request else None,
        "p99_ms": float(request["p99_ms"]) if request else None,
        "db_queries_per_request": round(mean_queries(server), 4) if server else None,
        "auth_ms": round(server["auth_ms"] / server["responses"], 3) if server else None,
    }


def check(ns, figures, row):
    """What makes this namespace's run a failure: failed requests, no measured me/, or queries the contract does not allow."""
    problems = []
    if row["failures"]:
        problems.append(f"{ns}: {row['failures']} failed requests (see locust-{ns}.html)")
    if figures["exit_code"] not in (0, 1):  # Locust exits 1 for failed requests, counted above
        problems.append(f"{ns}: Locust exited {figures['exit_code']} (see locust-{ns}.log)")
    if not figures["final"]:
        problems.append(f"{ns}: Locust stopped before it wrote its final figures (see locust-{ns}.log)")
    if row["db_queries_per_request"] is None:
        problems.append(f"{ns}: no GET me/ answered with X-DB-Queries")
        return problems
    seen = {int(n): count for n, count in me(ns, figures)["server"]["queries"].items()}
    expected = CONTRACT_QUERIES[ns]
    if ns == "token-cached":
        if set(seen) - {0, 1}:
            problems.append(f"{ns}: GET me/ made {sorted(seen)} queries; the contract says 0 once cached, 1 on a miss")
    elif set(seen) != {expected}:
        problems.append(f"{ns}: GET me/ made {sorted(seen)} queries; the contract says {expected}")
    return problems


def one_line(ns, figures):
    row = scheme_summary(ns, figures)
    queries = "-" if row["db_queries_per_request"] is None else f"{row['db_queries_per_request']:g}"
    return (
        f"    {ns}: {row['requests']} requests, {row['failures']} failures, {row['rps']} req/s, "
        f"me/ p50 {row['p50_ms']} ms, {queries} queries; Locust {figures['load_generator']['cores']} cores, "
        f"server {figures['server_cores']} cores"
    )


def write(out, meta, results):
    """summary.json (the contract's shape), requests.json (every request name), report.md and latency.png."""
    schemes = {ns: scheme_summary(ns, figures) for ns, figures in results.items()}
    problems = [problem for ns, figures in results.items() for problem in check(ns, figures, schemes[ns])]
    meta = {
        **meta,
        "load_generator": {ns: figures["load_generator"] for ns, figures in results.items()},
        "server_cores": {ns: figures["server_cores"] for ns, figures in results.items()},
        "warnings": warnings(meta, results),
    }
    summary = {"meta": meta, "schemes": schemes}
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    (out / "requests.json").write_text(json.dumps(results, indent=1) + "\n")
    (out / "report.md").write_text(markdown(summary, results, problems))
    from .chart import draw

    draw(summary, out / "latency.png")
    return summary, problems


def warnings(meta, results):
    found = []
    if meta["load_average_before"] > meta["cpu_count"] / 2:
        found.append(
            f"the machine was busy before the run began (load average {meta['load_average_before']} on "
            f"{meta['cpu_count']} cores): other work shared the cores with the server and Locust, so every "
            "latency here is longer, and noisier, than on a quiet machine."
        )
    for ns, figures in results.items():
        busiest = figures["load_generator"]["busiest_process_cores"]
        if busiest >= 0.8:
            found.append(
                f"{ns}: a Locust process used {busiest:.0%} of a core, near all it can use: these figures may "
                "measure Locust rather than the server. Use fewer users, or BENCH_PROCESSES=2."
            )
    return found


def ratio(value, base):
    return f"{value / base:.2f}" if value is not None and base else "-"


def queries_cell(ns, row, figures):
    if row["db_queries_per_request"] is None:
        return "-"
    cell = f"{row['db_queries_per_request']:.3g}"
    seen = me(ns, figures)["server"]["queries"]
    if len(seen) > 1:
        cell += " (" + ", ".join(f"{n} x{count}" for n, count in sorted(seen.items())) + ")"
    return cell


def table(summary):
    """The summary as a Markdown table (also printed at the end of a run)."""
    schemes = summary["schemes"]
    base = (schemes.get("public") or {}).get("p50_ms")
    lines = [
        "| namespace | requests | failures | req/s | `me/` p50 ms | p95 ms | p99 ms | p50 x public | DB queries per `me/` (contract) | auth ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for ns, row in schemes.items():
        queries = "-" if row["db_queries_per_request"] is None else f"{row['db_queries_per_request']:.3g}"
        lines.append(
            f"| `{ns}` | {row['requests']} | {row['failures']} | {row['rps']:.1f} | {row['p50_ms']} | {row['p95_ms']} "
            f"| {row['p99_ms']} | {ratio(row['p50_ms'], base)} | {queries} ({CONTRACT_QUERIES[ns]}) | {row['auth_ms']} |"
        )
    return "\n".join(lines)


def markdown(summary, results, problems):
    meta = summary["meta"]
    server, database, cache = meta["server"], meta["database"], meta["cache"]
    v = meta["versions"]
    lines = [
        "# Authentication schemes under load",
        "",
        f"Run {meta['started']} to {meta['finished']} (UTC) by `make bench`.",
        "",
        f"- **Machine:** {meta['cpu_count']} CPU cores ({meta['cpu_model']}), {meta['machine']}, load average "
        f"{meta['load_average_before']} when the run began. "
        "The load generator and the server share these cores, so compare namespaces within one run, not across machines.",
        f"- **Load:** {meta['users']} simulated users per namespace, all started within a second, for {meta['seconds']} s "
        f"each, one namespace after another; {meta['task_mix']}, {meta['wait_time']} between tasks"
        + (f"; Locust with --processes {meta['processes']}" if meta["processes"] else "; Locust in one process")
        + ".",
        f"- **Server:** {server['software']}, {server['why']}. DEBUG off, static files by {server['static_files']}, "
        f"password hasher {server['password_hasher']}, login throttle raised to {server['login_throttle']} for this server only.",
        f"- **Database:** {database['engine']} {database['version']}, {database['where']}.",
        f"- **Cache** (token-cached, the login throttle): {cache['backend']}{' ' + cache['version'] if cache.get('version') else ''}, "
        f"{cache['where']}.",
        f"- **Versions:** Python {v['python']}, Django {v['Django']}, DRF {v['djangorestframework']}, "
        f"simplejwt {v['djangorestframework-simplejwt']}, Locust {v['locust']}, gunicorn {v['gunicorn']}, "
        f"psycopg {v['psycopg']}, redis-py {v['redis']}.",
        "",
        "## Results",
        "",
        "Latency, DB queries and auth time are for `GET /api/<ns>/me/`, measured as Locust saw it (latency) and as the "
        "server reported it in `X-DB-Queries` and `Server-Timing` (queries, auth: the mean). Requests, failures and req/s "
        "count everything the namespace's users sent, logins included. Each user logs in once, at the start of its "
        "namespace's window, and a login hashes the password (PBKDF2): on a busy machine the first seconds of `session`, "
        "`token` and `jwt` runs go to logging in, so compare the namespaces by latency rather than by req/s.",
        "",
        table(summary),
        "",
        "![p50/p95 latency and DB queries per namespace](latency.png)",
        "",
        "CPU used beside the server: "
        + "; ".join(
            f"`{ns}` Locust {meta['load_generator'][ns]['cores']} cores, server {meta['server_cores'][ns]} cores"
            for ns in summary["schemes"]
        )
        + ".",
        "",
    ]
    if meta["warnings"]:
        lines += ["**Warnings:**", "", *[f"- {w}" for w in meta["warnings"]], ""]
    if problems:
        lines += ["**This run failed:**", "", *[f"- {p}" for p in problems], ""]
    lines += ["## Reading it", ""]
    for ns, row in summary["schemes"].items():
        lines.append(f"- **`{ns}`**, {queries_cell(ns, row, results[ns])} queries per `me/`: {READING[ns]}")
    lines += [
        "",
        "Each database query is a round trip: to a file on the same disk for SQLite, over a socket for PostgreSQL. "
        "The schemes that make none (`public`, `token-cached` once warm, `jwt-stateless`) pay nothing for it; "
        "they pay in what they cannot do instead (see the landing page's table: revocation, logout).",
        "",
        "## Every request",
        "",
        "| request | requests | failures | p50 ms | p95 ms | X-DB-Queries seen | auth ms (mean) |",
        "|---|---:|---:|---:|---:|---|---:|",
    ]
    for figures in results.values():
        for name, entry in figures["requests"].items():
            if name == "Aggregated":
                continue
            server = entry["server"]
            seen = ", ".join(f"{n} x{count}" for n, count in sorted(server["queries"].items())) if server else "-"
            auth = f"{server['auth_ms'] / server['responses']:.2f}" if server else "-"
            lines.append(
                f"| `{name}` | {entry['requests']} | {entry['failures']} | {entry['p50_ms']} "
                f"| {entry['p95_ms']} | {seen} | {auth} |"
            )
    errors = [(ns, e) for ns, figures in results.items() for e in figures["errors"]]
    if errors:
        lines += ["", "## Failures", "", *[f"- `{e['name']}` x{e['occurrences']}: {e['error']}" for ns, e in errors]]
    lines += [
        "",
        "Locust's own report for each namespace: " + ", ".join(f"[{ns}](locust-{ns}.html)" for ns in results) + ".",
    ]
    return "\n".join(lines) + "\n"


def side_by_side(summaries):
    """One Markdown table of several runs (e.g. SQLite, then PostgreSQL + Redis), for the README."""
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
    # python -m benchmarks.report RUN_A/summary.json RUN_B/summary.json: the README's table.
    import sys
    from pathlib import Path

    print(side_by_side([json.loads(Path(path).read_text()) for path in sys.argv[1:]]))
