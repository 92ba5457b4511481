"""After a logout, a password change, a deactivated or a deleted account: which credentials issued before still work, and for how long.

Measured in-process with throwaway users (see measurements.account_events); the
database is left as it was.
"""

from api.management.measurement import MeasurementCommand
from api.management.migrated import MigratedDatabaseCommand
from measurements.account_events import EVENTS, as_json, as_markdown, credentials, measure


class Command(MeasurementCommand, MigratedDatabaseCommand):
    help = __doc__
    json_help = "machine-readable output, with the statuses seen"
    markdown_help = "the table as it appears in docs/security.md"

    def measure(self, **options):
        return measure()

    def as_json(self, table):
        return as_json(table)

    def as_markdown(self, table):
        return as_markdown(table)

    def as_text(self, table):
        return as_text(table)


def as_text(table):
    """Fixed-width columns for a terminal."""
    rows = [["credential", *EVENTS]] + [
        [c.name, *(table[c.name][e].still_works for e in EVENTS)] for c in credentials()
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(text.ljust(width) for text, width in zip(row, widths, strict=False)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)
