"""DRF tokens: a random key in the Authorization header, looked up in the database on every request."""
import hashlib

from django.conf import settings
from django.core.cache import cache
from rest_framework.authentication import TokenAuthentication

__all__ = ["TokenAuthentication", "CachedTokenAuthentication"]


class CachedTokenAuthentication(TokenAuthentication):
    """TokenAuthentication that keeps key -> user in Django's cache for TOKEN_CACHE_SECONDS.

    Saves the token-and-user query on every request after the first one.
    Costs: a deleted key (logout) or a deactivated user keeps working here
    until the cache entry expires; that is the price of not asking the database.
    """

    def authenticate_credentials(self, key):
        # Hashed, so that the cache never holds a usable key in its key names.
        cache_key = "token-cached:" + hashlib.sha256(key.encode()).hexdigest()
        user_and_token = cache.get(cache_key)
        if user_and_token is None:
            user_and_token = super().authenticate_credentials(key)
            cache.set(cache_key, user_and_token, settings.TOKEN_CACHE_SECONDS)
        return user_and_token
