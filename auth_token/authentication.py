"""DRF tokens: a random key in the Authorization header, looked up in the database on every request."""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db.models.base import ModelState
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from outages import state
from outages.errors import CACHE, CACHE_ERRORS

__all__ = ["TokenAuthentication", "CachedTokenAuthentication"]


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's TokenAuthentication; a key with a NUL character is a wrong key, not a server error."""

    model = Token  # DRF's own; left None, DRF's get_model() runs its import statement on every request

    def authenticate_credentials(self, key):
        # DRF hands the key straight to the token lookup, and PostgreSQL refuses
        # NUL in a query (a DataError, so a 500). No key holds one.
        if "\x00" in key:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        return super().authenticate_credentials(key)


def loaded_instance(model, db, fields):
    """An instance of `model` as `model.objects.using(db).only(*fields)` would load it, built without a query.

    What unpickling a model does (``Model.__reduce__``: ``__new__``, then the
    instance's ``__dict__`` back), from plain values: neither pickle nor
    ``Model.__init__``, which together cost more than the rest of a cached
    request's authentication. A field not given is deferred, as with .only():
    reading it loads it from the database.
    """
    instance = model.__new__(model)
    instance.__dict__.update(fields)
    instance._state = loaded = ModelState()
    loaded.db, loaded.adding = db, False  # a saved row, as Model.from_db marks it
    return instance


class CachedTokenAuthentication(TokenAuthentication):
    """TokenAuthentication that keeps key -> user in Django's cache for TOKEN_CACHE_SECONDS.

    Saves the token-and-user query on every request after the first one.
    Costs: a deleted key (logout) or a deactivated user keeps working here
    until the cache entry expires; that is the price of not asking the database.

    The entry is a tuple of plain values (the database alias, then the user's
    ``FIELDS``), not the pickled ``(User, Token)`` that DRF's lookup returns:
    the cache pickles on every set and unpickles on every get (local memory and
    Redis alike), and unpickling two model instances was most of this class's
    cost (``manage.py compare_auth --profile``, "cache"). The entry holds no
    key either: ``cache_key`` keeps the key out of the names, this out of the values.

    While the cache is down it is TokenAuthentication: the database has every
    token, the cache only copies (logged once by outages.state).
    """

    # What the user is rebuilt with: its id, its username, and the flags that
    # DRF's and Django's permission checks read (IsAdminUser, has_perm). Any
    # other field is deferred: reading one costs a query.
    FIELDS = ("id", "username", "is_active", "is_staff", "is_superuser")

    @staticmethod
    def cache_key(key):
        # Hashed, so that the cache never holds a usable key in its key names.
        # "user:": entries of this shape (a shared Redis may still hold the
        # pickled (User, Token) entries of the version before, under "token-cached:").
        return "token-cached:user:" + hashlib.sha256(key.encode()).hexdigest()

    def authenticate_credentials(self, key):
        cache_key = self.cache_key(key)
        try:
            entry = cache.get(cache_key)
        except CACHE_ERRORS as down:
            state.went_down(CACHE, down)
            return super().authenticate_credentials(key)
        if entry is not None:
            return self.rebuild(key, entry)
        user, token = super().authenticate_credentials(key)  # refuses a wrong key and an inactive user
        try:
            cache.set(
                cache_key, (token._state.db, *(getattr(user, f) for f in self.FIELDS)), settings.TOKEN_CACHE_SECONDS
            )
        except CACHE_ERRORS as down:  # gone between the get and the set: the answer stands
            state.went_down(CACHE, down)
        return user, token

    def rebuild(self, key, entry):
        """The (user, token) of a cache entry, linked both ways as DRF's select_related('user') links them."""
        db, *values = entry
        # The model the token's user field names (AUTH_USER_MODEL, as get_user_model() would find it
        # by asking Django's app registry on every request).
        user = loaded_instance(self.get_model().user.field.related_model, db, zip(self.FIELDS, values, strict=True))
        token = loaded_instance(self.get_model(), db, {"key": key, "user_id": user.pk})
        token._state.fields_cache["user"] = user
        user._state.fields_cache["auth_token"] = token
        return user, token
