"""Fill the credential tables to --rows rows each, fast, for the benchmark's data-growth run: a benchmark database only.

authtoken_token (with one inactive, unusable-password user per filler token),
django_session and token_blacklist_outstandingtoken each get filler rows
until they hold --rows, in one INSERT ... SELECT per table: a million rows in
seconds, where the ORM would take minutes. The filler never logs in and
never expires before 2100, so neither clearsessions nor flushexpiredtokens
removes it: the tables stay that large for the run.
"""

from django.core.management.base import CommandError
from django.db import connection, transaction

from api.management.migrated import MigratedDatabaseCommand

# N rows numbered 1..N, on SQLite and PostgreSQL alike.
NUMBERS = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %s) "
FILL = {
    "auth_user": (
        "INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email, is_staff, is_active, date_joined) "
        + NUMBERS
        + "SELECT '!', FALSE, 'filler-' || (i + %s), '', '', '', FALSE, FALSE, CURRENT_TIMESTAMP FROM n"
    ),
    "authtoken_token": (
        'INSERT INTO authtoken_token ("key", user_id, created) '
        "SELECT 'filler' || id, id, CURRENT_TIMESTAMP FROM auth_user WHERE username LIKE 'filler-%' "
        "AND id NOT IN (SELECT user_id FROM authtoken_token)"
    ),
    "django_session": (
        "INSERT INTO django_session (session_key, session_data, expire_date) "
        + NUMBERS
        + "SELECT 'filler' || (i + %s), '', '2100-01-01 00:00:00' FROM n"
    ),
    "token_blacklist_outstandingtoken": (
        "INSERT INTO token_blacklist_outstandingtoken (jti, token, created_at, expires_at) "
        + NUMBERS
        + "SELECT 'filler' || (i + %s), 'filler', CURRENT_TIMESTAMP, '2100-01-01 00:00:00' FROM n"
    ),
}
FILLED = ("authtoken_token", "django_session", "token_blacklist_outstandingtoken")


def count(cursor, table, where=""):
    cursor.execute(f"SELECT COUNT(*) FROM {table} {where}")  # noqa: S608 (table names from FILL, not input)
    return cursor.fetchone()[0]


class Command(MigratedDatabaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, required=True, help="rows each table holds afterwards (at least)")

    @transaction.atomic
    def handle(self, *args, rows, **options):
        if rows < 0:
            raise CommandError("--rows must be 0 or more")
        with connection.cursor() as cursor:
            fillers = count(cursor, "auth_user", "WHERE username LIKE 'filler-%'")
            missing = rows - count(cursor, "authtoken_token")
            if missing > 0:
                cursor.execute(FILL["auth_user"], [missing, fillers])
                cursor.execute(FILL["authtoken_token"])
            for table in ("django_session", "token_blacklist_outstandingtoken"):
                have = count(cursor, table)
                if rows > have:
                    cursor.execute(FILL[table], [rows - have, have])
            cursor.execute("ANALYZE")  # fresh statistics for the query planner, as a database of that size would have
            self.stdout.write(", ".join(f"{table} {count(cursor, table)} rows" for table in FILLED))
