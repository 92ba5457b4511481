"""oauth2-introspect: `Authorization: Bearer <token>`, checked by asking the authorization server (RFC 7662).

Compare auth_oauth2: there the resource server reads DOT's token table itself
(one query). Here it holds no token table at all: for every request it POSTs
the token to the authorization server's /o/introspect/ over HTTP and believes
the answer (`active`, `username`, `exp`), then finds the local user by that
username (one query). The round trip is the price of not sharing a database
with the authorization server; the cached variant saves it, and pays in
revocation delay.
"""

import hashlib
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from instrumentation.middleware import expect_calls
from outages import state
from outages.errors import CACHE, CACHE_ERRORS

from .introspection import CALL, client

__all__ = ["IntrospectionAuthentication", "CachedIntrospectionAuthentication"]


class IntrospectionAuthentication(BaseAuthentication):
    """Each bearer token introspected at the authorization server; the user found by the answer's `username`."""

    keyword = "Bearer"
    www_authenticate_realm = "api"

    def authenticate(self, request):
        expect_calls(request._request, CALL)  # the response says how many calls it made, none included
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None  # not my scheme
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid Bearer header: send 'Bearer <access token>'."))
        try:
            token = header[1].decode("ascii")
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("Invalid Bearer header: the token is not ASCII.")) from None
        answer = self.introspect(request._request, token)
        if not answer["active"]:
            raise exceptions.AuthenticationFailed(_("The authorization server says this token is not active."))
        return self.get_user(answer), answer

    def introspect(self, request, token):
        """The authorization server's answer about `token`: one HTTP call."""
        return client.introspect(request, token)

    def get_user(self, answer):
        """The local user the answer names (`username`): one query. A token without one (client credentials) is refused."""
        username = answer.get("username")
        if not isinstance(username, str):
            raise exceptions.AuthenticationFailed(_("This token acts for no user."))
        try:
            user = get_user_model()._default_manager.get_by_natural_key(username)
        except get_user_model().DoesNotExist:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted.")) from None
        if not user.is_active:  # as DRF's TokenAuthentication: the resource server's rule, not DOT's
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return user

    def authenticate_header(self, request):
        return f'{self.keyword} realm="{self.www_authenticate_realm}"'


class CachedIntrospectionAuthentication(IntrospectionAuthentication):
    """IntrospectionAuthentication that keeps each active answer in Django's cache, for at most OAUTH2_INTROSPECT_CACHE_SECONDS.

    Saves the round trip on every request after the first one with a token.
    Costs: a token revoked at the authorization server (logout) keeps working
    here until its cache entry expires; the resource server cannot know sooner,
    since it no longer asks. An entry never outlives the token's own `exp`.
    Inactive answers are not cached: a wrong token costs a call every time.
    While the cache is down it is IntrospectionAuthentication.
    """

    @classmethod
    def cache_key(cls, token):
        # Hashed, so that the cache never holds a usable token in its key names.
        return cls.key_of_checksum(hashlib.sha256(token.encode()).hexdigest())

    @staticmethod
    def key_of_checksum(checksum):
        return "oauth2-introspect:" + checksum

    def introspect(self, request, token):
        key = self.cache_key(token)
        try:
            answer = cache.get(key)
        except CACHE_ERRORS as down:
            state.went_down(CACHE, down)
            return super().introspect(request, token)
        if answer is not None:
            return answer
        answer = super().introspect(request, token)
        seconds = self.seconds_to_keep(answer)
        if seconds > 0:
            try:
                cache.set(key, {"active": True, "username": answer.get("username"), "exp": answer["exp"]}, seconds)
            except CACHE_ERRORS as down:  # gone between the get and the set: the answer stands
                state.went_down(CACHE, down)
        return answer

    @staticmethod
    def seconds_to_keep(answer):
        """min(OAUTH2_INTROSPECT_CACHE_SECONDS, seconds until the token's exp); 0 for an inactive answer."""
        if not answer["active"] or not isinstance(answer.get("exp"), int):
            return 0
        return min(settings.OAUTH2_INTROSPECT_CACHE_SECONDS, answer["exp"] - int(time.time()))
