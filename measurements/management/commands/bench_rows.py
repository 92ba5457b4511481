"""Fill the credential tables to --rows rows each, fast, for the benchmark's data-growth run: a benchmark database only.

Each scheme's app says which of its tables grow with the users and how to fill
them (``registry.Table.fill``: the token table, the session table, the JWT
outstanding tokens), in one INSERT ... SELECT per table: a million rows in
seconds, where the ORM would take minutes. The filler never logs in and
never expires before 2100, so no cleaner (clearsessions, flushexpiredtokens)
removes it: the tables stay that large for the run.
"""

from django.core.management.base import CommandError
from django.db import connection, transaction

import registry
from api.management.migrated import MigratedDatabaseCommand


class Command(MigratedDatabaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, required=True, help="rows each table holds afterwards (at least)")

    @transaction.atomic
    def handle(self, *args, rows, **options):
        if rows < 0:
            raise CommandError("--rows must be 0 or more")
        with connection.cursor() as cursor:
            filled = [table for table in registry.tables() if table.fill(cursor, rows)]
            cursor.execute("ANALYZE")  # fresh statistics for the query planner, as a database of that size would have
            self.stdout.write(", ".join(f"{table.db_table} {table.count(cursor)} rows" for table in filled))
