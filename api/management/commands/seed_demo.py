"""Create or reset the demo users, their DRF tokens and a few notes each. Safe to run any number of times."""

from django.db import transaction

import registry
from api.management.migrated import MigratedDatabaseCommand
from api.seeding import DEMO_USERS, seed_user


class Command(MigratedDatabaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--base-url", default="http://127.0.0.1:8000", help="the URL printed for students")

    @transaction.atomic
    def handle(self, *args, base_url, **options):
        for username, password in DEMO_USERS.items():
            seed_user(username, password)
        base = base_url.rstrip("/")
        self.stdout.write(self.style.SUCCESS("Demo users ready:"))
        for username, password in DEMO_USERS.items():
            self.stdout.write(f"  {username} / {password}")
        self.stdout.write("Open:")
        self.stdout.write(f"  {base}/            the comparison, with a curl example per scheme")
        self.stdout.write(f"  {base}/api/        every namespace")
        for ns in registry.namespaces():
            self.stdout.write(f"  {base}/api/{ns}/")
