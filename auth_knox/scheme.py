"""How the site describes the knox namespace: DRF's token recipe with knox's login URL, and a token that runs out."""

from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken
from knox.settings import CONSTANTS

from registry import Credential, Recipe, Scheme, Table

from . import leak


class KnoxToken(Credential):
    """A knox token: a new row per login, stored as a digest, that runs out after KNOX_TOKEN_SECONDS."""

    holds = "knox token"
    expires = "the knox token expires"

    def log_in(self, client, user, password):
        # A new row, as every knox login makes (the database can't give an old token back: it has only
        # digests). It runs out after KNOX_TOKEN_SECONDS, and knox deletes it at the user's next request then.
        token = AuthToken.objects.create(user=user)[1]
        client.defaults["HTTP_AUTHORIZATION"] = f"Token {token}"
        return token

    def log_out(self, client, credential):
        return client.post(reverse("knox:logout"))

    def expire_soon(self, client, credential, seconds):
        # The token's own expiry, moved to `seconds` from now: knox then refuses it (and deletes it) by itself.
        soon = timezone.now() + timedelta(seconds=seconds)
        AuthToken.objects.filter(token_key=credential[: CONSTANTS.TOKEN_KEY_LENGTH]).update(expiry=soon)
        return credential

    def lifetime(self):
        return settings.REST_KNOX["TOKEN_TTL"].total_seconds()

    def database_leak(self, copy, victim, attacker):
        return leak.digest(self.scheme, copy, victim, attacker)


class KnoxScheme(Scheme):
    ns = "knox"
    title = "Hashed, expiring tokens (django-rest-knox TokenAuthentication)"
    how = (
        "POST username and password to /api/knox/login/, then send 'Authorization: Token <token>'; "
        "it expires after KNOX_TOKEN_SECONDS."
    )
    credential_lives = (
        "a random token the client keeps; the server keeps only its SHA-512 digest, one row per login (device)"
    )
    server_looks_up = (
        "the token row by its first 15 characters, joined to its user; then the user's other tokens, "
        "to delete the expired ones"
    )
    logout_revokes = "yes, at once: logout/ ends this token, logoutall/ every token of the user"
    choose_when = (
        "token clients, with tokens that expire, one per device, ended one by one or all at once, "
        "and that a copy of the database doesn't give away"
    )
    csrf = "not needed: the browser never sends the header by itself"
    browser_native = "no: a script must add the header"
    curl = [
        "KNOX=$(curl -s -H 'Content-Type: application/json' "
        '-d \'{{"username": "alice", "password": "alice-demo-pass"}}\' '
        "{base}/api/knox/login/ | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"token\"])')",
        'curl -i -H "Authorization: Token $KNOX" {base}/api/knox/me/',
        'curl -i -X POST -H "Authorization: Token $KNOX" {base}/api/knox/logout/',
    ]
    reading = (
        "Two queries: the token row (found by the token's first characters, checked by its SHA-512 digest) "
        "joined to its user, then every token of that user, read to delete the expired ones."
    )
    # knox's own header keyword, the same as DRF's: a client of /api/token/ needs only this login URL.
    recipe = Recipe("token", login="knox:login", keyword="Token", field="token")
    credential_classes = [KnoxToken]
    me_queries = 2  # as measured: the token and its user, then the user's tokens (knox deletes the expired ones)
    sql_steps = [
        ("knox.auth.TokenAuthentication._cleanup_token", "expired-token cleanup"),  # knox reads the user's tokens
        ("knox.auth.", "token lookup"),
    ]
    crypto_steps = [("knox.auth", "hash_token")]  # the token's digest, on every request
    tables = [
        Table(
            "knox.AuthToken",
            "knox itself: a user's expired tokens go when that user next authenticates; "
            "logout deletes one, logoutall all",
        )
    ]


SCHEMES = [KnoxScheme()]
