"""What a copy of the database lets an attacker do at each namespace: measured with throwaway users, deleted afterwards.

Each scheme's stored rows are copied, then each namespace is tried with
nothing but what the copy holds (see measurements.database_leak).
"""

from api.management.measurement import MeasurementCommand
from api.management.migrated import MigratedDatabaseCommand
from measurements.database_leak import as_json, as_markdown, guessing_line, guessing_markdown, measure, statuses


class Command(MeasurementCommand, MigratedDatabaseCommand):
    help = __doc__
    json_help = "machine-readable output, with the statuses seen"
    markdown_help = "the table as it appears in docs/security.md"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--guess-seconds",
            type=float,
            default=1.0,
            help="how long to time each hash an attacker would have to guess against (default 1)",
        )

    def measure(self, guess_seconds=1.0, **options):
        return measure(guess_seconds)

    def as_json(self, table):
        return as_json(table)

    def as_markdown(self, table):
        return as_markdown(table) + "\n\nGuessing, where the copy holds only a hash:\n\n" + guessing_markdown(table)

    def as_text(self, table):
        return as_text(table)


def as_text(table):
    """One block per namespace, for a terminal."""
    blocks = []
    for leak in table.values():
        lines = [
            f"{leak.ns}: {'WORKS' if leak.works else 'refused'} ({statuses(leak)})",
            f"  the copy holds: {leak.holds}",
            f"  the attacker sends: {leak.sent}",
            f"  it yields: {leak.yields}",
        ]
        if leak.guessing:
            lines.append(f"  guessing: {guessing_line(leak).split(': ', 1)[1]}")
        blocks.append("\n".join(line.replace("`", "") for line in lines))
    return "\n\n".join(blocks)
