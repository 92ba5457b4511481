"""DRF tokens: a random key in the Authorization header, looked up in the database on every request."""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from outages import state
from outages.errors import CACHE, CACHE_ERRORS

__all__ = ["TokenAuthentication", "CachedTokenAuthentication"]


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's TokenAuthentication; a key with a NUL character is a wrong key, not a server error."""

    def authenticate_credentials(self, key):
        # DRF hands the key straight to the token lookup, and PostgreSQL refuses
        # NUL in a query (a DataError, so a 500). No key holds one.
        if "\x00" in key:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        return super().authenticate_credentials(key)


class CachedTokenAuthentication(TokenAuthentication):
    """TokenAuthentication that keeps key -> user in Django's cache for TOKEN_CACHE_SECONDS.

    Saves the token-and-user query on every request after the first one.
    Costs: a deleted key (logout) or a deactivated user keeps working here
    until the cache entry expires; that is the price of not asking the database.
    While the cache is down it is TokenAuthentication: the database has every
    token, the cache only copies (logged once by outages.state).
    """

    @staticmethod
    def cache_key(key):
        # Hashed, so that the cache never holds a usable key in its key names.
        return "token-cached:" + hashlib.sha256(key.encode()).hexdigest()

    def authenticate_credentials(self, key):
        cache_key = self.cache_key(key)
        try:
            user_and_token = cache.get(cache_key)
        except CACHE_ERRORS as down:
            state.went_down(CACHE, down)
            return super().authenticate_credentials(key)
        if user_and_token is None:
            user_and_token = super().authenticate_credentials(key)
            try:
                cache.set(cache_key, user_and_token, settings.TOKEN_CACHE_SECONDS)
            except CACHE_ERRORS as down:  # gone between the get and the set: the answer stands
                state.went_down(CACHE, down)
        return user_and_token
