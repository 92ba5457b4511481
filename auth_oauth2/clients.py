"""The demo's OAuth 2.0 clients, registered with the authorization server by `manage.py seed_demo`.

A client_id is no secret (the browser client's is in every page that starts
the flow); a client secret is. The confidential clients' secrets are made once
per checkout and kept in untracked files, like the site's secret key
(config.checkout); DOT stores only their hash (Django's password hasher).
"""

import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from oauth2_provider.models import get_application_model

from config.checkout import checkout_secret

# Where the flow sends the browser back to: the namespace's own page, whose panel (pages/static/pages/authorize.js)
# then swaps the code for a token.
# Swagger UI's "Authorize" comes back to its own page (SPECTACULAR_SETTINGS' oauth2RedirectUrl).
CALLBACK_PATHS = (
    "/api/oauth2/",
    "/api/oauth2-introspect/",
    "/api/oauth2-introspect-cached/",
    "/static/drf_spectacular_sidecar/swagger-ui-dist/oauth2-redirect.html",
)


@dataclass(frozen=True)
class Client:
    client_id: str
    name: str
    client_type: str
    grant_type: str  # DOT keeps one allowed grant per application: nothing else is accepted for it
    secret_file: str = ""  # confidential clients only
    service_account: str = ""  # the user a client-credentials token acts as (the Application's owner), if any

    def secret(self):
        """This checkout's secret for the client, made on first use; "" for a public client (it can keep none)."""
        if not self.secret_file:
            return ""
        path = Path(settings.BASE_DIR) / self.secret_file
        return checkout_secret(path, lambda: secrets.token_urlsafe(48).encode()).decode().strip()

    def application(self, base_url="http://127.0.0.1:8000"):
        """The client's Application row, registered now if it is not yet (a test database has none)."""
        application = Application.objects.filter(client_id=self.client_id).first()
        return application or self.register(base_url)

    def register(self, base_url):
        """Create or update the client's Application: its type, its one grant, its redirect URIs and secret."""
        application, _ = Application.objects.get_or_create(client_id=self.client_id)
        application.name = self.name
        application.client_type = self.client_type
        application.authorization_grant_type = self.grant_type
        application.redirect_uris = " ".join(redirect_uris(base_url)) if self.grant_type == "authorization-code" else ""
        application.skip_authorization = False  # the consent page, every time: part of the lesson
        # Hashed when saved (DOT's hash_client_secret). A public client gets a random secret that nobody keeps: with
        # the hash of "" stored, DOT would take `Basic drf-demo-browser:` as that client's credentials (at
        # /o/introspect/, for one), since its Basic check never asks whether the client is public.
        application.client_secret = self.secret() or secrets.token_urlsafe(48)
        if self.service_account:
            application.user = service_account(self.service_account)
        application.save()
        return application


Application = get_application_model()

# A single-page app in the browser: public (it can keep no secret), authorization code + PKCE only.
BROWSER = Client(
    "drf-demo-browser", "The browsable API", Application.CLIENT_PUBLIC, Application.GRANT_AUTHORIZATION_CODE
)
# A program calling the API as itself, no user (machine to machine): client credentials.
MACHINE = Client(
    "drf-demo-machine",
    "A nightly job (machine to machine)",
    Application.CLIENT_CONFIDENTIAL,
    Application.GRANT_CLIENT_CREDENTIALS,
    ".oauth2_machine_secret",
    service_account="nightly-job",
)
# The oauth2-introspect resource server: it authenticates its introspection requests (RFC 7662 §2.1) as this client.
RESOURCE_SERVER = Client(
    "drf-demo-resource-server",
    "The oauth2-introspect resource server",
    Application.CLIENT_CONFIDENTIAL,
    Application.GRANT_CLIENT_CREDENTIALS,
    ".oauth2_resource_server_secret",
)
CLIENTS = (BROWSER, MACHINE, RESOURCE_SERVER)


def service_account(username):
    """A user nobody logs in as (no usable password): what a machine client's tokens act as."""
    user, created = get_user_model().objects.get_or_create(username=username)
    if created:
        user.set_unusable_password()
        user.save()
    return user


def redirect_uris(base_url):
    """The browser client's registered redirect URIs for a site at `base_url`: matched exactly (DOT compares each part).

    DOT lets a loopback address (http://127.0.0.1, and http://localhost with
    ALLOW_LOCALHOST_LOOPBACK) come back on any port (RFC 8252 §7.3), so one
    registration serves `make demo` on any PORT and the tests' servers.
    """
    base = base_url.rstrip("/")
    bases = [base]
    if "//127.0.0.1" in base:
        bases.append(base.replace("//127.0.0.1", "//localhost"))
    return [f"{b}{path}" for b in bases for path in CALLBACK_PATHS]


def register(base_url="http://127.0.0.1:8000"):
    """Create or update the demo's clients (idempotent): {client_id: secret}, the secret "" for the public client."""
    return {client.client_id: client.secret() for client in CLIENTS if client.register(base_url)}
