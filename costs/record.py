"""The last measurement of each kind, kept in COSTS_DIR (untracked) for the /costs/ page: the page never measures, nor types a figure."""

import json
from datetime import UTC, datetime

from django.conf import settings

KINDS = ("algorithms", "profile")
CHART = "profile.svg"


def save(kind, result):
    """Keep `result` as the last `kind` measurement, with the time it was taken; for a profile, its chart too."""
    directory = settings.COSTS_DIR
    directory.mkdir(parents=True, exist_ok=True)
    recorded = {"measured_at": datetime.now(UTC).isoformat(timespec="seconds"), **result}
    path = directory / f"{kind}.json"
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(recorded, indent=2))
    temporary.replace(path)  # a reader sees the old record or the new one, never half of one
    if kind == "profile":
        from .chart import where_the_time_goes  # matplotlib: installed for the measuring commands, not the site

        where_the_time_goes(result, directory / CHART)
    return path


def load(kind):
    """The last `kind` measurement, or None if none was recorded (or it cannot be read)."""
    try:
        return json.loads((settings.COSTS_DIR / f"{kind}.json").read_text())
    except (OSError, ValueError):
        return None


def chart_path():
    path = settings.COSTS_DIR / CHART
    return path if path.is_file() else None
