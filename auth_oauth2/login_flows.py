"""What ``manage.py login_costs`` measures at the authorization server: its four requests, each one alone.

The recipe's login is a whole flow (the login page, the consent page, the
redirect back, the token endpoint): what it costs the server is the one
request that makes the tokens, the code exchange. Then the machine client's
client-credentials grant (one PBKDF2 check of its secret), a refresh (which
rotates the refresh token) and a revocation (logout). Each ``prepare`` walks
the pages a browser walks, with the recipe client's own steps
(``recipes.RecipeClient``), through Django's test client.
"""

import base64
from urllib.parse import urlencode

from django.conf import settings
from django.test import RequestFactory
from django.urls import reverse
from oauth2_provider.models import get_access_token_model

import recipes
from measurements.login_flows import LoginFlow
from measurements.measure import host

from .clients import BROWSER, MACHINE

FORM = "application/x-www-form-urlencoded"


class AuthorizationServerFlow(LoginFlow):
    """A request to /o/ as the browser client; ``authorization_code`` and ``tokens`` get it to where the request starts."""

    def published_recipe(self):
        """The recipe as GET /api/ gives it at the site's host: its redirect URI absolute, its issuer named."""
        request = RequestFactory(HTTP_HOST=host()).get("/api/", secure=settings.HTTPS)
        return self.scheme.recipe.as_json(request)

    def post(self, url_name, fields, **extra):
        return self.client.post(reverse(url_name), urlencode(fields), content_type=FORM, **extra)

    def authorization_code(self):
        """(code, verifier): the authorization server's login page, its consent page, the redirect back with ?code=."""
        self.scheme.credential.seed_site()  # the demo's clients registered (seed_demo does it; a fresh database has none)
        recipe = self.published_recipe()
        steps = recipes.RecipeClient(recipes.TestClientTransport(self.client, secure=settings.HTTPS))
        account = {"username": self.user.get_username(), "password": self.password}
        code, verifier = steps.authorization_code(recipe, account)
        self.redirect_uri = recipe["redirect_uri"]
        return code, verifier

    def exchange(self, code, verifier):
        fields = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": self.redirect_uri,
            "client_id": BROWSER.client_id,
            "code_verifier": verifier,
        }
        return self.post("oauth2_provider:token", fields)

    def tokens(self):
        """{"access_token", "refresh_token", ...}: the whole flow, as the browser client ends it."""
        answer = self.exchange(*self.authorization_code())
        if answer.status_code != 200:
            raise RuntimeError(f"the code exchange answered {answer.status_code}: {answer.content[:200]!r}")
        return answer.json()


class CodeExchange(AuthorizationServerFlow):
    """POST /o/token/ with the code and the PKCE verifier: the code's row goes, an access and a refresh token come."""

    name = "code-exchange"

    def prepare(self):
        self.code, self.verifier = self.authorization_code()

    def run(self):
        return self.exchange(self.code, self.verifier)


class Refresh(AuthorizationServerFlow):
    """POST /o/token/ with the refresh token: a new pair; the old refresh token is kept, revoked (ROTATE_REFRESH_TOKEN)."""

    name = "refresh"

    def prepare(self):
        self.held = self.tokens()

    def run(self):
        fields = {"grant_type": "refresh_token", "refresh_token": self.held["refresh_token"]}
        return self.post("oauth2_provider:token", {**fields, "client_id": BROWSER.client_id})


class Revoke(AuthorizationServerFlow):
    """POST /o/revoke_token/ with the refresh token (RFC 7009), as logout does: it and its access token end."""

    name = "revoke"

    def prepare(self):
        self.held = self.tokens()

    def run(self):
        fields = {"token": self.held["refresh_token"], "token_type_hint": "refresh_token"}
        return self.post("oauth2_provider:revoke-token", {**fields, "client_id": BROWSER.client_id})


class ClientCredentials(LoginFlow):
    """POST /o/token/ as the machine client (its id and secret, Basic): a token for its service account, no user."""

    name = "client-credentials"

    def prepare(self):
        self.scheme.credential.seed_site()  # the demo's clients registered, as seed_demo registers them
        self.secret = MACHINE.secret()
        self.answer = None

    def run(self):
        basic = base64.b64encode(f"{MACHINE.client_id}:{self.secret}".encode()).decode()
        self.answer = self.client.post(
            reverse("oauth2_provider:token"),
            urlencode({"grant_type": "client_credentials", "scope": "read"}),
            content_type=FORM,
            HTTP_AUTHORIZATION=f"Basic {basic}",
        )
        return self.answer

    def clean_up(self):
        from .scheme import checksum  # scheme.py imports this module

        # The token is the service account's, not the throwaway user's: deleting the user leaves it.
        if self.answer is not None and self.answer.status_code == 200:
            issued = checksum(self.answer.json()["access_token"])
            get_access_token_model().objects.filter(token_checksum=issued).delete()


LOGIN_FLOWS = [CodeExchange, ClientCredentials, Refresh, Revoke]
