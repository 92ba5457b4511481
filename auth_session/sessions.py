"""Django's database sessions, refusing session keys that Django itself never makes."""

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import VALID_KEY_CHARS


class SessionStore(db.SessionStore):
    """A sessionid cookie outside Django's key alphabet names no session: the visitor is anonymous.

    Django only checks that a key from the cookie is at least 8 characters long
    before it asks the database, and PostgreSQL refuses a NUL character in a
    query (a DataError, so a 500 for a forged cookie). Django makes its keys from
    VALID_KEY_CHARS (lower-case letters and digits), so any other key is forged.
    """

    def _validate_session_key(self, key):
        return bool(super()._validate_session_key(key)) and set(key) <= set(VALID_KEY_CHARS)
