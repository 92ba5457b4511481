"""latency.png: p50/p95 latency and DB queries per namespace side by side, large enough to read on a slide."""

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FuncFormatter, NullFormatter  # noqa: E402

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
    for r, ns, count in zip(rows, names, counts, strict=True):
        label = f"{count:.2g}" + (" (0 once cached)" if ns == "token-cached" and count else "")
        queries.text(count + 0.05, r, label, va="center", fontsize=13)
    queries.set_xlim(0, max(2.6, max(counts) + 0.6))
    queries.set_xlabel("DB queries per GET me/")
    queries.grid(axis="x", alpha=0.3)

    database, cache = meta["database"], meta["cache"]
    figure.suptitle(
        f"{meta['users']} user{'s' if meta['users'] != 1 else ''} for {meta['seconds']} s per namespace, gunicorn {meta['server']['workers']}x"
        f"{meta['server']['threads']} gthread, {database['engine']} + {cache['backend']} cache, "
        f"{meta['cpu_count']} shared cores",
        fontsize=15,
    )
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
