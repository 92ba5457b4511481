"""After a logout, a password change, a deactivated or a deleted account: which credentials issued before still work, and for how long.

Measured in-process with throwaway users (see measurements.account_events); the
database is left as it was.
"""

import json as json_module

from api.management.migrated import MigratedDatabaseCommand
from measurements.account_events import EVENTS, as_json, as_markdown, credentials, measure


class Command(MigratedDatabaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        output = parser.add_mutually_exclusive_group()
        output.add_argument("--json", action="store_true", help="machine-readable output, with the statuses seen")
        output.add_argument("--markdown", action="store_true", help="the table as it appears in docs/security.md")

    def handle(self, *args, json=False, markdown=False, **options):
        table = measure()
        if json:
            self.stdout.write(dumps(as_json(table)))
        elif markdown:
            self.stdout.write(as_markdown(table))
        else:
            self.stdout.write(as_text(table))


def dumps(data):
    return json_module.dumps(data, indent=2)


def as_text(table):
    """Fixed-width columns for a terminal."""
    rows = [["credential", *EVENTS]] + [
        [c.name, *(table[c.name][e].still_works for e in EVENTS)] for c in credentials()
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(text.ljust(width) for text, width in zip(row, widths, strict=False)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)
