"""django-rest-knox: a random token in the Authorization header, of which the database keeps only a digest.

Compare auth_token: DRF's table holds the key itself, so a copy of it is a
copy of every key; knox's holds the SHA-512 of each token and the token's
first 15 characters (to find the row), so a copy lets nobody in. Each token
expires (KNOX_TOKEN_SECONDS) and a user can hold several (one per device),
ended one at a time (logout/) or all at once (logoutall/).
"""

from django.utils.translation import gettext_lazy as _
from knox import auth
from rest_framework import exceptions

__all__ = ["KnoxTokenAuthentication"]


class KnoxTokenAuthentication(auth.TokenAuthentication):
    """knox's TokenAuthentication; a token that is not UTF-8 or holds a NUL is a wrong token, not a server error.

    Notice what each request costs (GET me/: 2 queries, see docs/namespaces.md): the
    token row joined to its user, then every token of that user, which knox
    reads to delete the expired ones (`_cleanup_token`), one DELETE each.
    """

    def authenticate_credentials(self, token):
        # knox decodes the raw header bytes as UTF-8 (a UnicodeDecodeError, so a
        # 500, for anything else), and PostgreSQL refuses NUL in a query (a
        # DataError). No token knox issues holds either: they are hex digits.
        try:
            text = token.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        if text is None or "\x00" in text:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        return super().authenticate_credentials(token)
