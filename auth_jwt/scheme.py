"""How the site describes the jwt and jwt-stateless namespaces, and the refresh token that keeps a JWT session going."""

from datetime import timedelta

from django.urls import reverse
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from registry import Recipe, Scheme

from . import leak
from .serializers import LoginSerializer


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
    client = Recipe("jwt", login="jwt:login", refresh="jwt:refresh", keyword="Bearer")
    used_at = "access token at /api/jwt/"
    expires = "the access token expires"
    # What jwt-rsa changes (auth_jwt_rsa/scheme.py): the login's serializer, so its tokens, and the endpoints' namespace.
    login_serializer = LoginSerializer
    endpoints = "jwt"

    def log_in(self, client, user, password):
        refresh = self.login_serializer.get_token(user)  # the pair the login endpoint would hand out
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {refresh.access_token}"
        return str(refresh)  # what logout needs

    def forget(self, users):
        OutstandingToken.objects.filter(user__in=users).delete()  # simplejwt keeps these rows when a user goes

    def log_out(self, client, credential):
        return client.post(
            reverse(f"{self.endpoints}:logout"), {"refresh": credential}, content_type="application/json"
        )

    def expire_soon(self, client, credential, seconds):
        # The same access token (same claims, same jti), signed again to run out in `seconds`.
        access_token_class = self.login_serializer.token_class.access_token_class
        access = access_token_class(client.defaults["HTTP_AUTHORIZATION"].split()[1], verify=False)
        access.set_exp(lifetime=timedelta(seconds=seconds))
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {access}"
        return credential

    def lifetime(self):
        return AccessToken.lifetime.total_seconds()

    def account_credentials(self):
        return [self, RefreshCredential()]

    def database_leak(self, copy, victim, attacker):
        return leak.stored_refresh_token(self, copy, victim, attacker)


class StatelessJWTScheme(JWTScheme):
    ns = "jwt-stateless"
    title = "JSON Web Tokens, stateless (simplejwt JWTStatelessUserAuthentication)"
    how = "The same access tokens as /api/jwt/; the server trusts the token's claims and never loads the user."
    credential_lives = "as jwt; the username travels in the token"
    server_looks_up = "nothing: only the signature and expiry are checked"
    logout_revokes = "no: not even a deactivated or deleted account stops it before it expires"
    choose_when = "a resource server that must not read the user table, accepting that only expiry ends a token"
    curl = ['curl -i -H "Authorization: Bearer $ACCESS" {base}/api/jwt-stateless/me/']
    used_at = "access token at /api/jwt-stateless/"

    def account_credentials(self):
        return [self]  # its refresh token is jwt's


class RefreshCredential(JWTScheme):
    """The refresh token: not a namespace's credential, but one more row of the account-events table."""

    name = "jwt refresh"  # the row's name: not a namespace
    used_at = "refresh token at /api/jwt/refresh/"
    expires = "the refresh token expires"

    def log_in(self, client, user, password):
        return str(self.login_serializer.get_token(user))

    def attempt(self, client, credential):
        return client.post(
            reverse(f"{self.endpoints}:refresh"), {"refresh": credential}, content_type="application/json"
        )

    def still_valid(self, client, credential):
        """Checked without using it up: a successful refresh rotates it."""
        response = client.post(
            reverse(f"{self.endpoints}:verify"), {"token": credential}, content_type="application/json"
        )
        return response.status_code == 200

    def expire_soon(self, client, credential, seconds):
        # A twin of the token: a new jti, since the try after the event used the original up.
        refresh = self.login_serializer.token_class(credential, verify=False)
        refresh.set_jti()
        refresh.set_exp(lifetime=timedelta(seconds=seconds))
        return str(refresh)

    def lifetime(self):
        return RefreshToken.lifetime.total_seconds()


SCHEMES = [JWTScheme(), StatelessJWTScheme()]
