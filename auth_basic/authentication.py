"""HTTP Basic (RFC 7617): the user name and password travel with every request.

Nothing to add to DRF's class: the cost is in what it does on every request, a
user lookup and a full password hash (see the README's benchmark).
"""
from rest_framework.authentication import BasicAuthentication

__all__ = ["BasicAuthentication"]
