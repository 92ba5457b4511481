"""The benchmark's few definitions, one copy each: a percentile, the best step, a ratio as printed, the rounds' median and spread.

Dependency-free (the locustfile, the runner, the report and wrk import it; the
site does not: its in-process figures keep their own, see measurements).
"""

import math
import statistics


def percentile(sorted_values, fraction):
    """Nearest rank: the smallest value with at least `fraction` of the values at or below it.

    The p95 of 1,000 responses is the 950th fastest: a time one real response
    took, not one interpolated between two.
    """
    if not sorted_values:
        return None
    return sorted_values[max(0, math.ceil(fraction * len(sorted_values)) - 1)]


def best_step(steps):
    """The step with the most req/s: where a namespace's stepping found its knee (None without steps)."""
    return max(steps, key=lambda step: step["rps"]) if steps else None


def times(value):
    """A ratio to public as printed: two decimals, or two significant digits below 0.1 (basic's 0.0023, not 0.00)."""
    return "-" if value is None else f"{value:.2f}" if value >= 0.1 else f"{value:.2g}"


def significant(value):
    """A ratio as stored in summary.json: three significant digits (basic's 0.00232, not 0.002)."""
    return float(f"{value:.3g}")


def median_spread(values):
    """(median, [low, high]) of the rounds' values; (None, None) without any."""
    values = [v for v in values if v is not None]
    if not values:
        return None, None
    return significant(statistics.median(values)), [significant(min(values)), significant(max(values))]
