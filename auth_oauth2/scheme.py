"""How the site describes the oauth2 namespace: tokens from an authorization server, got by the authorization-code flow with PKCE."""

import hashlib
import uuid
from datetime import timedelta
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from oauth2_provider.models import get_access_token_model, get_refresh_token_model, set_token_value
from oauth2_provider.settings import oauth2_settings
from oauthlib.common import generate_token

from registry import Credential, Recipe, Scheme, Table

from . import clients, leak
from .clients import BROWSER
from .login_flows import LOGIN_FLOWS

FORM = "application/x-www-form-urlencoded"


def checksum(token):
    """What DOT's tables keep of a token (COMPLIANT_BCP_RFC9700_TOKEN_STORAGE): its SHA-256, in hex."""
    return hashlib.sha256(token.encode()).hexdigest()


def issue_tokens(user, application=None, scope="read write"):
    """(access, refresh): a pair as DOT's token endpoint would issue it to the browser client, without the flow.

    Through DOT's set_token_value, as its validator does: with
    COMPLIANT_BCP_RFC9700_TOKEN_STORAGE the `token` column is left blank and only
    the checksum is saved (a plain objects.create(token=...) would store the token).
    """
    application = application or BROWSER.application()
    access, refresh = generate_token(), generate_token()
    expires = timezone.now() + timedelta(seconds=oauth2_settings.ACCESS_TOKEN_EXPIRE_SECONDS)
    access_row = get_access_token_model()(user=user, application=application, expires=expires, scope=scope)
    set_token_value(access_row, access)
    access_row.save()
    refresh_row = get_refresh_token_model()(
        user=user,
        application=application,
        access_token=access_row,
        token_family=uuid.uuid4(),  # as DOT's own
    )
    set_token_value(refresh_row, refresh)
    refresh_row.save()
    return access, refresh


class AccessTokenCredential(Credential):
    """The access token (and the refresh token the client keeps with it): a random string DOT stores as its SHA-256."""

    holds = "access token"
    expires = "the access token expires"

    def log_in(self, client, user, password):
        access, refresh = issue_tokens(user)
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {access}"
        return access, refresh

    def log_out(self, client, credential):
        # RFC 7009 revocation of the refresh token, as the public client (its client_id, no secret): DOT revokes
        # the access token it gave with it. Revoking only the access token would leave the refresh token working.
        access, refresh = credential
        body = urlencode({"token": refresh, "token_type_hint": "refresh_token", "client_id": BROWSER.client_id})
        return client.post(reverse("oauth2_provider:revoke-token"), body, content_type=FORM)

    def expire_soon(self, client, credential, seconds):
        soon = timezone.now() + timedelta(seconds=seconds)
        get_access_token_model().objects.filter(token_checksum=checksum(credential[0])).update(expires=soon)
        return credential

    def lifetime(self):
        return oauth2_settings.ACCESS_TOKEN_EXPIRE_SECONDS

    def reuse_after_rotation(self, client, credential):
        """The client refreshes (ROTATE_REFRESH_TOKEN: a new pair); a thief replays the used refresh token.

        REFRESH_TOKEN_REUSE_PROTECTION: DOT refuses the replay and revokes the
        whole family, the pair the client just got included. Returns that pair.
        """
        url = reverse("oauth2_provider:token")
        fields = {"grant_type": "refresh_token", "refresh_token": credential[1], "client_id": BROWSER.client_id}
        rotated = client.post(url, urlencode(fields), content_type=FORM)
        assert rotated.status_code == 200, rotated.content
        replay = client.post(url, urlencode(fields), content_type=FORM)
        assert replay.status_code == 400, replay.content
        new = rotated.json()
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {new['access_token']}"
        return new["access_token"], new["refresh_token"]

    def seed(self, user):
        self.seed_site()

    def seed_site(self):
        for client in clients.CLIENTS:  # the clients every account logs in through; registered once
            client.application()

    def database_leak(self, copy, victim, attacker):
        return leak.checksums(self.scheme, copy, victim, attacker)


class OAuth2Scheme(Scheme):
    ns = "oauth2"
    title = "OAuth 2.0 access tokens (django-oauth-toolkit OAuth2Authentication)"
    how = (
        "Run the authorization-code flow with PKCE (S256) as the public client drf-demo-browser: /o/authorize/ "
        "(log in, consent), then /o/token/; send 'Authorization: Bearer <access_token>'."
    )
    credential_lives = (
        "a random access token (and a refresh token) the client keeps; the authorization server keeps only their "
        "SHA-256"
    )
    server_looks_up = "the access-token row by its SHA-256, joined to its client (application) and user"
    logout_revokes = (
        "yes, at once: POST /o/revoke_token/ with the refresh token revokes it and deletes its access token (RFC 7009)"
    )
    choose_when = (
        "several clients or third parties, single sign-on, users who must never type their password into a client: "
        "the standard every library speaks"
    )
    csrf = "not needed at the API (a header); the login and consent pages are Django forms with CSRF"
    browser_native = "no: a script must add the header (the login and consent pages are plain pages)"
    # The machine-to-machine call: client credentials, the client's own secret, no user in the loop.
    curl = [
        "SECRET=$(cat .oauth2_machine_secret)  # in the checkout: made by manage.py seed_demo, never in the code",
        'M2M=$(curl -s -u "drf-demo-machine:$SECRET" -d grant_type=client_credentials -d scope=read '
        "{base}/o/token/ | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"access_token\"])')",
        'curl -i -H "Authorization: Bearer $M2M" {base}/api/oauth2/me/',
        'curl -i -u "drf-demo-machine:$SECRET" -d "token=$M2M" {base}/o/revoke_token/',
    ]
    recipe = Recipe(
        "oauth2",
        authorize="oauth2_provider:authorize",
        token="oauth2_provider:token",
        client_id=BROWSER.client_id,
        redirect_uri="/api/oauth2/",
        issuer=oauth2_settings.oauth2_authorization_server_issuer,  # what DOT puts in the redirect's `iss`
        keyword="Bearer",
    )
    reading = "One query: the access-token row by its SHA-256, joined to its client (application) and user."
    credential_classes = [AccessTokenCredential]
    # login_costs: the token endpoint's three grants and revocation, each one request (its recipe's login is a flow).
    login_flows = LOGIN_FLOWS
    me_queries = 1  # the access-token row by its SHA-256, joined to its application and user
    sql_steps = [("oauth2_provider.oauth2_validators.OAuth2Validator._load_access_token", "token lookup")]
    tables = [
        Table("oauth2_provider.Grant", "the code exchange deletes its code; manage.py cleartokens the expired ones"),
        Table("oauth2_provider.AccessToken", "manage.py cleartokens (expired access tokens); revocation deletes one"),
        Table(
            "oauth2_provider.RefreshToken",
            "manage.py cleartokens (revoked and expired refresh tokens); rotation keeps the old one, revoked",
        ),
    ]


SCHEMES = [OAuth2Scheme()]
