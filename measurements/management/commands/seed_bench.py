"""Create or reset the benchmark's accounts (bench0000, bench0001, ...): active, password bench-demo-pass, the demo's notes.

Also what the site needs besides accounts, each credential's ``seed_site``
(oauth2's registered clients: without them its users could not log in).

The benchmark is a client of the site: it learns the accounts from this
command (``--json``), not by importing the site.
"""

from json import dumps

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import CommandError
from django.db import transaction

import registry
from api.management.migrated import MigratedDatabaseCommand
from api.models import Note
from api.seeding import DEMO_NOTES

# Documented accounts for a local load test, like the demo users: not secrets.
PASSWORD = "bench-demo-pass"


def username(index):
    return f"bench{index:04d}"


class Command(MigratedDatabaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--users", type=int, default=100, help="how many accounts (default 100)")
        parser.add_argument(
            "--json", action="store_true", help='print one JSON line: {"password": ..., "usernames": [...]}'
        )

    @transaction.atomic
    def handle(self, *args, users, json=False, **options):
        if users < 1:
            raise CommandError("--users must be at least 1")
        # One hash for every account: the site's PBKDF2 takes ~0.3 s per hash here,
        # so hashing per account would make seeding 100 users take half a minute.
        # Equal hashes give away equal passwords: fine for these throwaway
        # load-test accounts that share one documented password, never for real ones.
        password_hash = make_password(PASSWORD)
        User = get_user_model()
        names = [username(i) for i in range(users)]
        User.objects.bulk_create([User(username=name, password=password_hash) for name in names], ignore_conflicts=True)
        accounts = User.objects.filter(username__in=names)
        accounts.update(password=password_hash, is_active=True)
        Note.objects.filter(owner__in=accounts).delete()
        Note.objects.bulk_create(
            Note(owner=user, title=title, body=body) for user in accounts for title, body in DEMO_NOTES
        )
        for scheme in registry.protected():  # what the site needs besides accounts: oauth2's registered clients
            for credential in scheme.get_credentials():
                credential.seed_site()
        if json:
            self.stdout.write(dumps({"password": PASSWORD, "usernames": names}))
        else:
            self.stdout.write(f"{users} benchmark accounts ready: {names[0]} .. {names[-1]} / {PASSWORD}")
