"""Stop the database, then the cache, under a real site, and record what each namespace still does (docs/outages.md).

Starts its own throwaway PostgreSQL, Redis and gunicorn (DEBUG off) on free
loopback ports; never touches the site's own database or cache. Takes about
a minute. Writes the measurement to OUTAGES_FILE (the /outages/ page reads it).
"""

import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError

from api.management.measurement import MeasurementCommand
from outages import measure, services


class Command(MeasurementCommand):
    help = __doc__
    json_help = "print the measurement as JSON"
    markdown_help = "print the table as Markdown (docs/outages.md)"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--output", type=Path, default=settings.OUTAGES_FILE, help="where to write it")

    def measure(self, *, output, **options):
        why_not = services.missing()
        if why_not:
            raise CommandError(f"cannot start throwaway servers: {why_not}")
        self.stderr.write("starting a throwaway PostgreSQL, Redis and gunicorn (and migrating)")
        # Logins as fast as the measurement asks: the throttle is not what is measured here.
        site_env = {"LOGIN_THROTTLE": "1000/minute"}
        with (
            tempfile.TemporaryDirectory(prefix="outages-") as directory,
            services.throwaway_services(directory, site_env) as (postgres, redis, site),
        ):
            users = measure.add_users(site)
            servers = {"database": postgres, "cache": redis}
            measured = measure.measure(site, servers, *users, progress=self.stderr.write)
        measure.write(measured, output)
        self.output = output
        return measured

    def as_markdown(self, measured):
        return measure.as_markdown(measured)

    def as_text(self, measured):
        return f"{measure.as_markdown(measured)}\n\nMeasured {measured['measured_at']}; written to {self.output}"
