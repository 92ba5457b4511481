"""HTTP Basic (RFC 7617): the user name and password travel with every request.

DRF's class as it is, except for one kind of bad input: the cost is in what it
does on every request, a user lookup and a full password hash (docs/benchmarks.md
measures it).
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

__all__ = ["BasicAuthentication"]


class BasicAuthentication(authentication.BasicAuthentication):
    """DRF's BasicAuthentication; a user name with a NUL character is a wrong user name, not a server error."""

    def authenticate_credentials(self, userid, password, request=None):
        # DRF hands the user name straight to the user lookup, and PostgreSQL
        # refuses NUL in a query (a DataError, so a 500). No user name holds one.
        if "\x00" in userid:
            raise exceptions.AuthenticationFailed(_("Invalid username/password."))
        return super().authenticate_credentials(userid, password, request)
