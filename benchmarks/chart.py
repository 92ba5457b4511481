"""latency.png (p50/p95 latency and DB queries per namespace) and capacity.png (req/s and p50 against users), large enough for a slide."""

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt
from matplotlib.ticker import FuncFormatter, NullFormatter

P50, P95, QUERIES = "#4c72b0", "#a1c4e8", "#dd8452"


def draw(summary, path):
    meta, schemes = summary["meta"], summary["schemes"]
    names = list(schemes)[::-1]  # top to bottom in the table's order
    rows = range(len(names))
    plt.rcParams.update({"font.size": 15})
    figure, (latency, queries) = plt.subplots(
        1, 2, figsize=(15, 1.1 * len(names) + 2.6), gridspec_kw={"width_ratios": [2.2, 1]}, sharey=True
    )

    p50 = [schemes[ns]["p50_ms"] or 0 for ns in names]
    p95 = [schemes[ns]["p95_ms"] or 0 for ns in names]
    height = 0.38
    latency.barh([r + height / 2 for r in rows], p50, height, color=P50, label="p50")
    latency.barh([r - height / 2 for r in rows], p95, height, color=P95, label="p95")
    latency.set_xscale("log")  # Basic's hashing is a thousand times the rest: a linear axis would hide them
    latency.set_xlim(min(v for v in p50 + p95 if v > 0) / 2, max(p95) * 8)
    for r, a, b in zip(rows, p50, p95, strict=True):
        latency.text(a * 1.1, r + height / 2, f"{a:g}", va="center", fontsize=12)
        latency.text(b * 1.1, r - height / 2, f"{b:g}", va="center", fontsize=12, color="#555555")
    latency.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))  # 1000, not 10^3
    latency.xaxis.set_minor_formatter(NullFormatter())
    latency.set_yticks(list(rows), names)
    latency.set_xlabel("GET me/ latency, ms (log scale)")
    latency.legend(loc="lower right")
    latency.grid(axis="x", which="major", alpha=0.3)

    counts = [schemes[ns]["db_queries_per_request"] or 0 for ns in names]
    queries.barh(list(rows), counts, 0.6, color=QUERIES)
    declared = {ns: entry.get("me_queries") for ns, entry in meta.get("namespaces", {}).items()}
    for r, ns, count in zip(rows, names, counts, strict=True):
        # More than GET /api/ declares: a cache's first misses (one per user and server process).
        label = f"{count:.2g}" + (
            f" ({declared[ns]} once cached)" if declared.get(ns) is not None and count > declared[ns] else ""
        )
        queries.text(count + 0.05, r, label, va="center", fontsize=13)
    queries.set_xlim(0, max(2.6, max(counts) + 0.6))
    queries.set_xlabel("DB queries per GET me/")
    queries.grid(axis="x", alpha=0.3)

    database, cache = meta["database"], meta["cache"]
    figure.suptitle(
        f"Light load: {meta['users']} user{'s' if meta['users'] != 1 else ''} with think time, {meta['seconds']} s per namespace, gunicorn {meta['server']['workers']}x"
        f"{meta['server']['threads']} gthread, {database['engine']} + {cache['backend']} cache, "
        f"server on CPU {meta['cores']['server']}",
    )
    save(figure, path)


def draw_capacity(summary, path):
    """Every namespace on one plot: req/s against users (the knee), and p50 against users."""
    schemes = {ns: row for ns, row in summary["schemes"].items() if row["capacity_steps"]}
    plt.rcParams.update({"font.size": 14})
    figure, (throughput, latency) = plt.subplots(1, 2, figsize=(16, 6.5), sharex=True)
    for ns, row in schemes.items():
        users = [step["users"] for step in row["capacity_steps"]]
        line = throughput.plot(users, [step["rps"] for step in row["capacity_steps"]], marker="o", label=ns)[0]
        latency.plot(users, [step["p50_ms"] or 0 for step in row["capacity_steps"]], marker="o", color=line.get_color())
        throughput.plot(
            [row["capacity_users"]], [row["capacity_rps"]], marker="*", markersize=16, color=line.get_color()
        )
    every = sorted({step["users"] for row in schemes.values() for step in row["capacity_steps"]})
    for axis in (throughput, latency):
        axis.set_xscale("log", base=2)
        axis.set_xticks(every, [str(n) for n in every])
        axis.xaxis.set_minor_formatter(NullFormatter())
        axis.set_xlabel("simulated users, no think time")
        axis.grid(alpha=0.3)
    throughput.set_ylabel("GET me/ req/s (the star: capacity)")
    throughput.set_ylim(bottom=0)
    latency.set_ylabel("GET me/ p50 ms (exact, log scale)")
    latency.set_yscale("log")
    latency.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    throughput.legend(loc="upper left", fontsize=11, ncol=2)
    meta = summary["meta"]
    figure.suptitle(
        f"Capacity: gunicorn {meta['server']['workers']} worker(s) on CPU {meta['cores']['server']}, Locust on CPU "
        f"{meta['cores']['locust']}, {meta['database']['engine']} + {meta['cache']['backend']} cache",
    )
    save(figure, path)


def save(figure, path):
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
