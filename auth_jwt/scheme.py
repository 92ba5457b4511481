"""How the site describes the jwt and jwt-stateless namespaces, and the refresh token that keeps a JWT session going."""

from datetime import timedelta

from django.urls import reverse
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from registry import Credential, Recipe, Scheme, Table

from . import leak
from .serializers import LoginSerializer


class OutstandingTable(Table):
    """simplejwt's outstanding tokens: every refresh token it issued, whole, until flushexpiredtokens."""

    def fill(self, cursor, rows):
        have = self.count(cursor)
        if rows > have:
            cursor.execute(
                f"INSERT INTO {self.db_table} (jti, token, created_at, expires_at) "  # noqa: S608 (no input)
                + self.NUMBERS
                + "SELECT 'filler' || (i + %s), 'filler', CURRENT_TIMESTAMP, '2100-01-01 00:00:00' FROM n",
                [rows - have, have],
            )
        return True


class AccessCredential(Credential):
    """The access token: signed, sent as 'Authorization: Bearer <access>', good until it expires.

    What differs at jwt-rsa is its scheme's ``login_serializer`` (so its
    tokens) and ``endpoints`` (the namespace of its login, refresh, logout).
    """

    holds = "access token"
    expires = "the access token expires"

    def log_in(self, client, user, password):
        refresh = self.scheme.login_serializer.get_token(user)  # the pair the login endpoint would hand out
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {refresh.access_token}"
        return str(refresh)  # what logout needs

    def log_out(self, client, credential):
        return client.post(
            reverse(f"{self.scheme.endpoints}:logout"), {"refresh": credential}, content_type="application/json"
        )

    def expire_soon(self, client, credential, seconds):
        # The same access token (same claims, same jti), signed again to run out in `seconds`.
        access_token_class = self.scheme.login_serializer.token_class.access_token_class
        access = access_token_class(client.defaults["HTTP_AUTHORIZATION"].split()[1], verify=False)
        access.set_exp(lifetime=timedelta(seconds=seconds))
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {access}"
        return credential

    def lifetime(self):
        return AccessToken.lifetime.total_seconds()

    def reuse_after_rotation(self, client, credential):
        """The client refreshes its refresh token; then a thief replays the used one. Returns the client's new one.

        The replay ends the login's chain (auth_jwt.serializers.RefreshSerializer): the account-events
        table shows what is left of it, the new refresh token and the access token already issued.
        """
        refresh = reverse(f"{self.scheme.endpoints}:refresh")
        rotated = client.post(refresh, {"refresh": credential}, content_type="application/json")
        assert rotated.status_code == 200, rotated.content
        replay = client.post(refresh, {"refresh": credential}, content_type="application/json")
        assert replay.status_code == 401, replay.content
        return rotated.json()["refresh"]

    def forget(self, users):
        OutstandingToken.objects.filter(user__in=users).delete()  # simplejwt keeps these rows when a user goes

    def database_leak(self, copy, victim, attacker):
        return leak.stored_refresh_token(self.scheme, copy, victim, attacker)


class RefreshCredential(AccessCredential):
    """The refresh token: not a namespace's credential, but one more row of the account-events table."""

    row = "refresh"
    holds = "refresh token"
    expires = "the refresh token expires"

    @property
    def used_at(self):
        return f"{self.holds} at {reverse(f'{self.scheme.endpoints}:refresh')}"

    def log_in(self, client, user, password):
        return str(self.scheme.login_serializer.get_token(user))

    def attempt(self, client, credential):
        return client.post(
            reverse(f"{self.scheme.endpoints}:refresh"), {"refresh": credential}, content_type="application/json"
        )

    def still_valid(self, client, credential):
        """Checked without using it up: a successful refresh rotates it."""
        response = client.post(
            reverse(f"{self.scheme.endpoints}:verify"), {"token": credential}, content_type="application/json"
        )
        return response.status_code == 200

    def expire_soon(self, client, credential, seconds):
        # A twin of the token: a new jti, since the try after the event used the original up.
        refresh = self.scheme.login_serializer.token_class(credential, verify=False)
        refresh.set_jti()
        refresh.set_exp(lifetime=timedelta(seconds=seconds))
        return str(refresh)

    def lifetime(self):
        return RefreshToken.lifetime.total_seconds()


class JWTScheme(Scheme):
    ns = "jwt"
    title = "JSON Web Tokens (simplejwt JWTAuthentication)"
    how = (
        "POST username and password to /api/jwt/login/, then send 'Authorization: Bearer <access>' (or 'JWT <access>')."
    )
    credential_lives = "a signed token the client keeps; the server keeps only refresh tokens' blacklist"
    server_looks_up = "checks the signature, then loads the user by id"
    logout_revokes = "the refresh token only; an access token works until it expires (JWT_ACCESS_SECONDS)"
    choose_when = "several servers or services check the same token, and access tokens are short-lived"
    csrf = "not needed"
    browser_native = "no: a script must add the header"
    curl = [
        "ACCESS=$(curl -s -H 'Content-Type: application/json' "
        '-d \'{{"username": "alice", "password": "alice-demo-pass"}}\' '
        "{base}/api/jwt/login/ | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"access\"])')",
        'curl -i -H "Authorization: Bearer $ACCESS" {base}/api/jwt/me/',
    ]
    reading = "One query: the signature is checked without the database, then the user is loaded by id."
    recipe = Recipe("jwt", login="jwt:login", refresh="jwt:refresh", keyword="Bearer")
    credential_classes = [AccessCredential, RefreshCredential]
    me_queries = 1  # the user by id
    sql_steps = [
        ("rest_framework_simplejwt.tokens.", "refresh-token bookkeeping"),
        ("rest_framework_simplejwt.authentication.", "user lookup"),
    ]
    tables = [
        OutstandingTable(
            "token_blacklist.OutstandingToken", "manage.py flushexpiredtokens (expired refresh tokens); logout keeps it"
        ),
        Table(
            "token_blacklist.BlacklistedToken",
            "manage.py flushexpiredtokens, with its outstanding token",
            "token__user",
        ),
    ]
    # What jwt-rsa changes (auth_jwt_rsa/scheme.py): the login's serializer, so its tokens, and the endpoints' namespace.
    login_serializer = LoginSerializer
    endpoints = "jwt"


class StatelessJWTScheme(JWTScheme):
    ns = "jwt-stateless"
    title = "JSON Web Tokens, stateless (simplejwt JWTStatelessUserAuthentication)"
    how = "The same access tokens as /api/jwt/; the server trusts the token's claims and never loads the user."
    credential_lives = "as jwt; the username travels in the token"
    server_looks_up = "nothing: only the signature and expiry are checked"
    logout_revokes = "no: not even a deactivated or deleted account stops it before it expires"
    choose_when = "a resource server that must not read the user table, accepting that only expiry ends a token"
    curl = ['curl -i -H "Authorization: Bearer $ACCESS" {base}/api/jwt-stateless/me/']
    reading = "No query: only the signature and expiry are checked, and the user is never loaded."
    credential_classes = [AccessCredential]  # its refresh token is jwt's
    me_queries = 0


SCHEMES = [JWTScheme(), StatelessJWTScheme()]
