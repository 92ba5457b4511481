"""How the site describes the jwt-cookie namespace: jwt's scheme, with the tokens kept by the browser in HttpOnly cookies."""

from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from rest_framework_simplejwt.exceptions import TokenError

from auth_jwt.scheme import AccessCredential, JWTScheme, RefreshCredential
from registry import Recipe

from . import cookies, leak
from .serializers import LoginSerializer
from .tokens import RefreshToken


class CookieAccessCredential(AccessCredential):
    """A copy of the access-token cookie: as good as jwt's access token until it expires."""

    holds = "a copy of the access-token cookie"

    def log_in(self, client, user, password):
        refresh = self.scheme.login_serializer.get_token(user)  # the pair the login endpoint would set as cookies
        client.cookies[cookies.name(cookies.ACCESS)] = str(refresh.access_token)
        for base in (cookies.REFRESH, cookies.LOGOUT):
            client.cookies[cookies.name(base)] = str(refresh)
        client.get(reverse("jwt-cookie:login"), secure=settings.HTTPS)  # the csrftoken cookie
        client.defaults["HTTP_X_CSRFTOKEN"] = client.cookies[settings.CSRF_COOKIE_NAME].value
        return str(refresh)

    def log_out(self, client, credential):
        # The row is about a copy of the cookie (stolen, or kept by a client that ignores Max-Age=0): the
        # browser drops its own at logout, a copy made before works until it expires, like jwt's access token.
        name = cookies.name(cookies.ACCESS)
        copy = client.cookies[name].value
        response = client.post(reverse("jwt-cookie:logout"), secure=settings.HTTPS)
        client.cookies[name] = copy
        return response

    def expire_soon(self, client, credential, seconds):
        # The same access token (same claims, same jti), signed again to run out in `seconds`.
        name = cookies.name(cookies.ACCESS)
        access = self.scheme.login_serializer.token_class.access_token_class(client.cookies[name].value, verify=False)
        access.set_exp(lifetime=timedelta(seconds=seconds))
        client.cookies[name] = str(access)
        return credential

    def reuse_after_rotation(self, client, credential):
        """The browser refreshes (its cookies rotate); a thief replays the old refresh cookie. Returns the new one."""
        url = reverse("jwt-cookie:refresh")
        name = cookies.name(cookies.REFRESH)
        client.cookies[name] = credential
        rotated = client.post(url, secure=settings.HTTPS)
        assert rotated.status_code == 200, rotated.content
        new = client.cookies[name].value
        client.cookies[name] = credential  # the thief's copy
        replay = client.post(url, secure=settings.HTTPS)
        assert replay.status_code == 403, replay.content
        client.cookies[name] = new  # back to what the browser holds
        return new

    def database_leak(self, copy, victim, attacker):
        return leak.stored_refresh_token(self.scheme, copy, victim, attacker)


class CookieRefreshCredential(RefreshCredential):
    """jwt-cookie's refresh token, in its cookie: one more row of the account-events table."""

    holds = "refresh-token cookie"
    log_in = CookieAccessCredential.log_in
    reuse_after_rotation = CookieAccessCredential.reuse_after_rotation

    def attempt(self, client, credential):
        client.cookies[cookies.name(cookies.REFRESH)] = credential
        return client.post(reverse("jwt-cookie:refresh"), secure=settings.HTTPS)

    def still_valid(self, client, credential):
        """Checked without using it up (a refresh rotates it), by the checks refresh/ makes: signature, expiry, blacklist.

        jwt-cookie has no verify/ endpoint: a client never holds a token it could send there.
        """
        try:
            RefreshToken(credential)
        except TokenError:
            return False
        return True


class JWTCookieScheme(JWTScheme):
    ns = "jwt-cookie"
    title = "JSON Web Tokens in HttpOnly cookies (simplejwt, CSRF as for sessions)"
    how = (
        "GET /api/jwt-cookie/login/ for the csrftoken cookie, then POST username and password there with its value "
        "in X-CSRFToken; the browser then sends the access-token cookie, and every unsafe method needs X-CSRFToken."
    )
    credential_lives = "jwt's signed tokens, in HttpOnly cookies no script can read; the server keeps the blacklist"
    server_looks_up = "checks the signature, then loads the user by id (as jwt), and the CSRF token on unsafe methods"
    logout_revokes = (
        "the refresh token, and the browser drops both cookies; a copied access token works until it expires"
    )
    choose_when = (
        "a browser front end on this same site that wants JWTs: no token in any script's reach, CSRF as for sessions"
    )
    csrf = "yes: unsafe methods need the X-CSRFToken header"
    browser_native = "yes: cookies"
    curl = [
        "curl -s -c jar -b jar {base}/api/jwt-cookie/login/ >/dev/null",
        "curl -s -c jar -b jar -H \"X-CSRFToken: $(awk '/csrftoken/ {{print $7}}' jar)\" "
        "-H 'Content-Type: application/json' "
        '-d \'{{"username": "alice", "password": "alice-demo-pass"}}\' {base}/api/jwt-cookie/login/',
        "curl -i -b jar {base}/api/jwt-cookie/me/",
    ]
    recipe = Recipe(
        "cookie",
        login="jwt-cookie:login",
        refresh="jwt-cookie:refresh",
        logout="jwt-cookie:logout",
        csrf_cookie="csrftoken",
        csrf_header="X-CSRFToken",
    )
    reading = (
        "One query, as jwt: the signature is checked without the database, then the user is loaded by id; "
        "the token comes from a cookie, and unsafe methods check Django's CSRF token too."
    )
    credential_classes = [CookieAccessCredential, CookieRefreshCredential]
    me_queries = 1  # the user by id, as jwt
    login_serializer = LoginSerializer
    endpoints = "jwt-cookie"


SCHEMES = [JWTCookieScheme()]
