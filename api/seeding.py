"""The demo's accounts and notes: what `manage.py seed_demo` creates, and what the measurements log in as."""

from django.contrib.auth import get_user_model

import registry

from .models import Note

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
    """Create or reset one user: active, with this password, what each scheme seeds (token: a DRF token), these notes."""
    User = get_user_model()
    user, _ = User.objects.get_or_create(username=username)
    user.is_active = True
    user.set_password(password)
    user.save()
    for scheme in registry.protected():
        scheme.credential.seed(user)
    user.notes.all().delete()
    Note.objects.bulk_create(Note(owner=user, title=f"{title} ({username})", body=body) for title, body in notes)
    return user
