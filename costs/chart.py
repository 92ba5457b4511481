"""The stacked bar chart of where GET me/'s time goes, per namespace, drawn from `compare_auth --profile --json`'s output.

No Django here: the benchmark report (benchmarks/, a process without Django
set up) draws it from the command's JSON too.
"""

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt

COLOURS = {  # colour-blind-safe (Okabe-Ito), authentication's parts in neighbouring hues
    "framework and middleware": "#999999",
    "authentication (the rest)": "#E69F00",
    "authentication: crypto": "#D55E00",
    "authentication: database": "#0072B2",
    "authentication: cache": "#56B4E9",
    "authentication: another service": "#F0E442",
    "view": "#009E73",
    "serialization": "#CC79A7",
}
# A namespace more than this many times public's total (basic: a password hash per request) is cut off
# at the edge with its total written beside it, so that the others' parts stay readable.
CLIP_X_PUBLIC = 20


def where_the_time_goes(profile, path, title="Where the server's time for one GET me/ goes (median ms per part)"):
    """Write the stacked chart of `profile` (compare_auth --profile --json's "profile") to `path` (.svg or .png)."""
    namespaces = list(profile["namespaces"])
    totals = {ns: sum(profile["namespaces"][ns]["parts_ms"].values()) for ns in namespaces}
    limit = max(t for t in totals.values() if t <= totals.get("public", min(totals.values())) * CLIP_X_PUBLIC) * 1.15
    figure, axes = plt.subplots(figsize=(9, 0.45 * len(namespaces) + 1.8))
    rows = range(len(namespaces))
    left = [0.0] * len(namespaces)
    for part, colour in COLOURS.items():
        widths = [profile["namespaces"][ns]["parts_ms"].get(part, 0.0) for ns in namespaces]
        axes.barh(rows, widths, left=left, color=colour, label=part, height=0.7)
        left = [a + b for a, b in zip(left, widths, strict=True)]
    for row, ns in zip(rows, namespaces, strict=True):
        if totals[ns] > limit:
            axes.text(limit, row, f" {totals[ns]:.0f} ms →", va="center", ha="right", color="white", fontsize=8)
    axes.set_xlim(0, limit)
    axes.set_yticks(list(rows), namespaces)
    axes.invert_yaxis()
    axes.set_xlabel("milliseconds (median of each part over the profiled requests)")
    axes.set_title(title, fontsize=10)
    axes.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncols=4, frameon=False)
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
    return path
