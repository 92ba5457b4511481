"""Django sessions: a cookie names a row in the session table, which names the user.

DRF's class reads the user Django's middleware loaded from the session, and
enforces CSRF on unsafe methods, since the browser sends the cookie by itself.
"""

from rest_framework.authentication import SessionAuthentication

__all__ = ["SessionAuthentication"]
