"""The site's own commands read and write its tables: on a database that is not migrated, one clear line, not a traceback."""

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor


class MigratedDatabaseCommand(BaseCommand):
    """A command that needs every migration applied (Django's own check only warns, after the command has failed)."""

    def execute(self, *args, **options):
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if pending:
            raise CommandError(
                f"the database has {len(pending)} unapplied migration(s): "
                "run `make demo` or `.venv/bin/python manage.py migrate` first"
            )
        return super().execute(*args, **options)
