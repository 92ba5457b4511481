"""How the site describes oauth2-introspect and its cached variant: oauth2's tokens, checked by asking the authorization server."""

from dataclasses import replace

from django.conf import settings
from django.core.cache import cache
from oauth2_provider.models import get_access_token_model

from auth_oauth2.clients import RESOURCE_SERVER
from auth_oauth2.scheme import AccessTokenCredential, OAuth2Scheme, checksum
from registry import Recipe

from . import in_process
from .authentication import CachedIntrospectionAuthentication


class IntrospectedAccessToken(AccessTokenCredential):
    """oauth2's access token, the same flow and the same issuer: only the resource server that checks it differs."""

    def database_leak(self, copy, victim, attacker):
        # The resource server has no table; the authorization server's, in the same database here, are oauth2's.
        leak = super().database_leak(copy, victim, attacker)
        return replace(
            leak, holds="nothing at the resource server (no table); the authorization server's " + leak.holds
        )

    def log_in(self, client, user, password):
        RESOURCE_SERVER.application()  # the client the resource server introspects as (seed_demo registers it)
        return super().log_in(client, user, password)


class CachedIntrospectedAccessToken(IntrospectedAccessToken):
    """The same token, its introspection answer remembered in Django's cache."""

    expires = "the cached introspection answer expires"

    def expire_soon(self, client, credential, seconds):
        """The cached answer run out; and, if the authorization server still holds the token, the token too.

        A revoked token lives on only in the cache; one that was not revoked
        (a password change) lives as long as the token itself, once the cache asks again.
        """
        cache.touch(CachedIntrospectionAuthentication.cache_key(credential[0]), seconds)  # as if the cache time ran out
        token = get_access_token_model().objects.filter(token_checksum=checksum(credential[0])).first()
        if token is None or not token.is_valid():
            return credential
        return (*super().expire_soon(client, credential, seconds), "the access token")

    def lifetime(self):
        return settings.OAUTH2_INTROSPECT_CACHE_SECONDS

    def expiry(self, short_lived):
        if short_lived and len(short_lived) == 3:  # the token itself ran out too: it had not been revoked
            return "the access token expires", super().lifetime()
        return self.expires, self.lifetime()

    def forget(self, users):
        # The cache key is the token's SHA-256, which is also what the authorization server keeps of it.
        checksums = get_access_token_model().objects.filter(user__in=users).values_list("token_checksum", flat=True)
        for stored in checksums:
            cache.delete(CachedIntrospectionAuthentication.key_of_checksum(stored))


class IntrospectScheme(OAuth2Scheme):
    ns = "oauth2-introspect"
    title = "OAuth 2.0 access tokens, introspected (RFC 7662, over HTTP)"
    how = (
        "The same flow and tokens as /api/oauth2/ (authorization code + PKCE at /o/); send "
        "'Authorization: Bearer <access_token>'. This resource server asks the authorization server about each token."
    )
    credential_lives = (
        "as oauth2: the client keeps the token, the authorization server its SHA-256; the resource server keeps nothing"
    )
    server_looks_up = (
        "the authorization server, over HTTP: POST /o/introspect/ (RFC 7662) for every request; then the local "
        "user by the answer's username (one query)"
    )
    logout_revokes = "yes, at once: the next introspection of a revoked token answers active: false"
    choose_when = (
        "a resource server that does not share the authorization server's database (another service, another team): "
        "each request pays a round trip to it"
    )
    curl = ['curl -i -H "Authorization: Bearer $ACCESS" {base}/api/oauth2-introspect/me/']
    recipe = Recipe(
        "oauth2",
        authorize="oauth2_provider:authorize",
        token="oauth2_provider:token",
        client_id=OAuth2Scheme.recipe.client_id,
        redirect_uri="/api/oauth2-introspect/",
        issuer=OAuth2Scheme.recipe.issuer,
        keyword="Bearer",
    )
    reading = (
        "One query here (the user by the introspection answer's username), plus one HTTP round trip to the "
        "authorization server, whose own request costs it three queries in its own process (DOT looks for a client in "
        "the request, then loads the resource server's token and the token asked about). The Server-Timing entry "
        "introspect is that round trip, the time this namespace spends beyond oauth2's."
    )
    credential_classes = [IntrospectedAccessToken]
    me_queries = 1  # the user, by the introspection answer's username; the authorization server's queries are its own
    sql_steps = []  # the user lookup is Django's ("user lookup")
    tables = []  # the resource server has no token table: the authorization server's are oauth2's
    call_steps = [("auth_oauth2_introspect.introspection.IntrospectionClient", "post")]  # the RFC 7662 round trip
    login_flows = ()  # the flows are the authorization server's, measured once under oauth2

    def in_process(self):
        # A test client's request: the authorization server in a thread, on this thread's database connection.
        return in_process.authorization_server()


class CachedIntrospectScheme(IntrospectScheme):
    ns = "oauth2-introspect-cached"
    title = "OAuth 2.0 access tokens, introspected and cached (Django's cache)"
    how = (
        "The same tokens as /api/oauth2/; the resource server remembers each active introspection answer for "
        "OAUTH2_INTROSPECT_CACHE_SECONDS (never past the token's exp)."
    )
    server_looks_up = (
        "the cache (key: the token's SHA-256); the authorization server only on a miss; then the local user by "
        "username (one query)"
    )
    logout_revokes = (
        "not at once: a revoked token works here until its cached answer expires (OAUTH2_INTROSPECT_CACHE_SECONDS, "
        "60 s by default)"
    )
    choose_when = (
        "as oauth2-introspect, read-heavy, when a revocation may take OAUTH2_INTROSPECT_CACHE_SECONDS to reach "
        "this resource server"
    )
    curl = ['curl -i -H "Authorization: Bearer $ACCESS" {base}/api/oauth2-introspect-cached/me/']
    recipe = Recipe(**{**IntrospectScheme.recipe.__dict__, "redirect_uri": "/api/oauth2-introspect-cached/"})
    reading = (
        "One query (the user by username) and no round trip once the cache holds the answer: the first request "
        "with each token on each server process (local-memory cache; Redis is shared) misses and makes one."
    )
    credential_classes = [CachedIntrospectedAccessToken]


SCHEMES = [IntrospectScheme(), CachedIntrospectScheme()]
