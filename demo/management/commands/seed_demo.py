"""Create or reset the demo users, their DRF tokens and a few notes each. Safe to run any number of times."""

from django.contrib.auth import get_user_model
from django.db import transaction
from rest_framework.authtoken.models import Token

from demo import registry
from demo.management.migrated import MigratedDatabaseCommand
from demo.models import Note

# Demo accounts, documented in the README: a student types them in. They are
# not secrets, and they are not the site's keys (those come from the environment).
DEMO_USERS = {"alice": "alice-demo-pass", "bob": "bob-demo-pass"}

DEMO_NOTES = [
    ("Basic", "The password travels with every request and is hashed every time."),
    ("Session", "A cookie names a row in the session table; CSRF guards unsafe methods."),
    ("Token", "A random key, looked up in the database on every request."),
    ("JWT", "A signed token: the server checks the signature and, unless stateless, loads the user."),
]


def seed_user(username, password, notes=DEMO_NOTES):
    """Create or reset one user: active, with this password, one DRF token, and exactly these notes."""
    User = get_user_model()
    user, _ = User.objects.get_or_create(username=username)
    user.is_active = True
    user.set_password(password)
    user.save()
    Token.objects.get_or_create(user=user)
    user.notes.all().delete()
    Note.objects.bulk_create(Note(owner=user, title=f"{title} ({username})", body=body) for title, body in notes)
    return user


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
        for scheme in registry.schemes():
            for line in scheme.seed(base):
                self.stdout.write(line)
        self.stdout.write("Open:")
        self.stdout.write(f"  {base}/            the comparison, with a curl example per scheme")
        self.stdout.write(f"  {base}/api/        every namespace")
        for ns in registry.namespaces():
            self.stdout.write(f"  {base}/api/{ns}/")
