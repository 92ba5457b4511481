"""How the site describes the token and token-cached namespaces: one kind of key, two ways to look it up."""

from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from rest_framework.authtoken.models import Token

from registry import Credential, Recipe, Scheme, Table

from . import leak
from .authentication import CachedTokenAuthentication


class TokenTable(Table):
    """authtoken_token: one key per user, so its filler needs a user per row (inactive, with an unusable password)."""

    def fill(self, cursor, rows):
        users = "auth_user"  # Django's user table, as the token's foreign key names it
        missing = rows - self.count(cursor)
        if missing > 0:
            cursor.execute(f"SELECT COUNT(*) FROM {users} WHERE username LIKE 'filler-%'")  # noqa: S608
            fillers = cursor.fetchone()[0]
            cursor.execute(
                f"INSERT INTO {users} (password, is_superuser, username, first_name, last_name, email, "  # noqa: S608
                "is_staff, is_active, date_joined) "
                + self.NUMBERS
                + "SELECT '!', FALSE, 'filler-' || (i + %s), '', '', '', FALSE, FALSE, CURRENT_TIMESTAMP FROM n",
                [missing, fillers],
            )
            cursor.execute(
                f'INSERT INTO {self.db_table} ("key", user_id, created) '  # noqa: S608
                f"SELECT 'filler' || id, id, CURRENT_TIMESTAMP FROM {users} WHERE username LIKE 'filler-%' "
                f"AND id NOT IN (SELECT user_id FROM {self.db_table})"
            )
        return True


class TokenKey(Credential):
    """DRF's token: one random key per user, stored as it is."""

    holds = "Token key"

    def log_in(self, client, user, password):
        key = Token.objects.get_or_create(user=user)[0].key  # the key /api/token/login/ would hand out
        client.defaults["HTTP_AUTHORIZATION"] = f"Token {key}"
        return key

    def log_out(self, client, credential):
        return client.post(reverse("token:logout"))

    def seed(self, user):
        Token.objects.get_or_create(user=user)  # a demo account has its key before its first login

    def database_leak(self, copy, victim, attacker):
        return leak.stored_key(self.scheme, copy, victim, attacker)


class CachedTokenKey(TokenKey):
    """The same key, remembered in Django's cache for TOKEN_CACHE_SECONDS."""

    expires = "the cache entry expires"

    def expire_soon(self, client, credential, seconds):
        cache.touch(CachedTokenAuthentication.cache_key(credential), seconds)  # as if TOKEN_CACHE_SECONDS ran out
        return credential

    def lifetime(self):
        return settings.TOKEN_CACHE_SECONDS

    def forget(self, users):
        for key in Token.objects.filter(user__in=users).values_list("key", flat=True):
            cache.delete(CachedTokenAuthentication.cache_key(key))


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
    reading = "One query: the token row joined to its user."
    recipe = Recipe("token", login="token:login", keyword="Token", field="token")
    credential_classes = [TokenKey]
    me_queries = 1  # the token row joined to its user
    sql_steps = [
        ("rest_framework.authentication.TokenAuthentication.", "token lookup"),
        ("rest_framework.authtoken.", "token lookup"),
    ]
    tables = [
        TokenTable(
            "authtoken.Token",
            "nothing: a DRF token never expires (the same user's next login reuses it); "
            "only logout or deleting the user deletes it",
        )
    ]


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
    reading = (
        "No query once the cache holds the token: the first request of each user on each server process "
        "(each keeps its own local-memory cache; Redis is shared) misses and makes one."
    )
    credential_classes = [CachedTokenKey]
    me_queries = 0  # once its cache holds the token
    crypto_steps = [("auth_token.authentication.CachedTokenAuthentication", "cache_key")]  # the key's SHA-256


SCHEMES = [TokenScheme(), CachedTokenScheme()]
