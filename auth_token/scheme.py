"""How the site describes the token and token-cached namespaces: one kind of key, two ways to look it up."""

from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from rest_framework.authtoken.models import Token

from registry import Recipe, Scheme

from . import leak
from .authentication import CachedTokenAuthentication


class TokenScheme(Scheme):
    ns = "token"
    title = "DRF tokens (TokenAuthentication)"
    how = "POST username and password to /api/token/login/, then send 'Authorization: Token <key>'."
    credential_lives = "a random key the client keeps; the server keeps it in a database table"
    server_looks_up = "the token row joined to its user"
    logout_revokes = "yes, at once (the key is deleted)"
    choose_when = "a script or an app that keeps a secret, when revoking at once matters more than expiry"
    csrf = "not needed: the browser never sends the header by itself"
    browser_native = "no: a script must add the header"
    curl = [
        "TOKEN=$(curl -s -H 'Content-Type: application/json' "
        '-d \'{{"username": "alice", "password": "alice-demo-pass"}}\' '
        "{base}/api/token/login/ | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"token\"])')",
        'curl -i -H "Authorization: Token $TOKEN" {base}/api/token/me/',
    ]
    client = Recipe("token", login="token:login", keyword="Token", field="token")
    used_at = "Token key at /api/token/"

    def log_in(self, client, user, password):
        key = Token.objects.get_or_create(user=user)[0].key  # the key /api/token/login/ would hand out
        client.defaults["HTTP_AUTHORIZATION"] = f"Token {key}"
        return key

    def log_out(self, client, credential):
        return client.post(reverse("token:logout"))

    def database_leak(self, copy, victim, attacker):
        return leak.stored_key(self, copy, victim, attacker)


class CachedTokenScheme(TokenScheme):
    ns = "token-cached"
    title = "DRF tokens, cached (TokenAuthentication + Django's cache)"
    how = "The same tokens as /api/token/; the server remembers key -> user in its cache for TOKEN_CACHE_SECONDS."
    credential_lives = "as token; plus a copy of key -> user in the cache"
    server_looks_up = "the cache; the database only on a miss"
    logout_revokes = "not at once: a deleted key works until its cache entry expires"
    choose_when = "as token, read-heavy, when a logout may take TOKEN_CACHE_SECONDS to reach every server"
    csrf = "not needed"
    curl = ['curl -i -H "Authorization: Token $TOKEN" {base}/api/token-cached/me/']
    used_at = "Token key at /api/token-cached/"
    expires = "the cache entry expires"

    def expire_soon(self, client, credential, seconds):
        cache.touch(CachedTokenAuthentication.cache_key(credential), seconds)  # as if TOKEN_CACHE_SECONDS ran out
        return credential

    def lifetime(self):
        return settings.TOKEN_CACHE_SECONDS

    def forget(self, users):
        for key in Token.objects.filter(user__in=users).values_list("key", flat=True):
            cache.delete(CachedTokenAuthentication.cache_key(key))


SCHEMES = [TokenScheme(), CachedTokenScheme()]
