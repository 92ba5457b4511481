"""The namespaces: each described by its own app, mounted by one line of ``config/urls.py``.

Every app may have a ``scheme.py`` whose ``SCHEMES`` lists a ``Scheme`` per
namespace it describes (the token app's describes ``token`` and
``token-cached``). A namespace exists once ``config/urls.py`` mounts it with
``namespace("<ns>", ...)``; everything else (the landing page, the race, GET
/api/, the measurements) reads the list from here, in the URLconf's order.
"""

from dataclasses import dataclass
from functools import cache
from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import URLResolver, get_resolver, reverse
from django.utils.module_loading import module_has_submodule


@dataclass(frozen=True)
class Recipe:
    """How a generic HTTP client gets and sends a namespace's credential; GET /api/ publishes it as JSON.

    kind: "none", "basic", "session", "token", "jwt" or "oauth2" (see the README's "Add a scheme").
    """

    kind: str
    login: str = ""  # URL name of the login endpoint ("token:login")
    refresh: str = ""  # URL name of the refresh endpoint (jwt)
    authorize: str = ""  # URL name of the authorization endpoint (oauth2)
    token: str = ""  # URL name of the token endpoint (oauth2)
    client_id: str = ""  # the public client to run the flow as (oauth2)
    redirect_uri: str = ""  # a registered redirect URI's path on this site, made absolute for the request (oauth2)
    keyword: str = ""  # the header is "Authorization: <keyword> <credential>"
    field: str = ""  # the login answer's field that holds the credential (token)

    def as_json(self, request=None):
        urls = {"login": self.login, "refresh": self.refresh, "authorize": self.authorize, "token": self.token}
        redirect = self.redirect_uri and (
            request.build_absolute_uri(self.redirect_uri) if request else self.redirect_uri
        )
        words = {"client_id": self.client_id, "redirect_uri": redirect, "keyword": self.keyword, "field": self.field}
        return {
            "kind": self.kind,
            **{name: reverse(url_name) for name, url_name in urls.items() if url_name},
            **{name: value for name, value in words.items() if value},
        }


class Scheme:
    """One namespace, as a student should know it: the landing page's words, its client recipe, its test-client login.

    Configuration as class attributes, behaviour in hooks: a variant
    (token-cached, jwt-stateless) subclasses its scheme and changes what differs.
    """

    ns = ""  # the namespace: /api/<ns>/
    title = ""
    how = ""  # how to authenticate, one sentence
    credential_lives = ""
    server_looks_up = ""
    logout_revokes = ""
    csrf = ""
    browser_native = ""
    choose_when = ""  # the landing page's "When to choose which scheme": one sentence
    curl = []  # shell lines for the landing page; {base} is the site's URL
    client = Recipe("none")

    # The account-events table (measurements.account_events): one row per credential a client of the namespace holds.
    used_at = ""  # "<what the client holds> at /api/<ns>/"
    expires = ""  # what runs out when an account event leaves the credential working ("" if nothing does)

    @property
    def name(self):
        return self.ns

    def log_in(self, client, user, password):
        """Give a Django test client `user`'s credential, without the throttled login endpoint.

        Returns what the hooks below need of it (its logout, its expiry), if anything.
        """

    def log_out(self, client, credential):
        """The scheme's own logout, through `client`: its response, or None for a scheme without one."""

    def attempt(self, client, credential):
        """A client's use of the credential: GET /api/<ns>/me/."""
        return client.get(reverse(f"{self.ns}:me"), secure=settings.HTTPS)

    def still_valid(self, client, credential):
        return self.attempt(client, credential).status_code == 200

    def expire_soon(self, client, credential, seconds):
        """The credential, made to run out in `seconds` the way it runs out by itself; None if nothing of it does."""

    def lifetime(self):
        """Seconds until what `expires` names runs out, read from the settings."""

    def account_credentials(self):
        """The rows this namespace adds to the account-events table (jwt adds its refresh token)."""
        return [self] if self.client.kind != "none" else []

    def database_leak(self, copy, victim, attacker):
        """What a stolen copy of the database gives at this namespace (measurements.database_leak): a Leak.

        `copy` holds the rows the schemes store, `victim` the throwaway user who
        holds a live credential here, `attacker` a fresh client to try the copy
        with. None: the namespace stores no credential (public).
        """

    def seed(self, base_url):
        """Register what the namespace needs besides the demo users (seed_demo; idempotent): lines to print, if any."""
        return []

    def forget(self, users):
        """Drop what the scheme keeps about `users` outside their own rows (a cache), before they are deleted."""

    def __repr__(self):
        return f"<Scheme {self.ns}>"


@cache
def described():
    """{ns: Scheme} from every installed app's scheme.py."""
    found = {}
    for app in apps.get_app_configs():
        if not module_has_submodule(app.module, "scheme"):
            continue
        for scheme in import_module(f"{app.name}.scheme").SCHEMES:
            if scheme.ns in found:
                raise ImproperlyConfigured(
                    f"namespace {scheme.ns!r} is described twice: {app.name}/scheme.py and another"
                )
            found[scheme.ns] = scheme
    return found


@receiver(setting_changed)
def forget_descriptions(*, setting, **kwargs):
    if setting == "INSTALLED_APPS":  # a test that installs one more app
        described.cache_clear()


def describe(ns):
    """The Scheme of namespace `ns`; config/urls.py's namespace() asks, so an undescribed namespace fails at startup."""
    try:
        return described()[ns]
    except KeyError:
        raise ImproperlyConfigured(
            f"no installed app describes namespace {ns!r}: add a Scheme to its scheme.py"
        ) from None


def schemes():
    """The mounted namespaces' Schemes, in the URLconf's order."""
    return [
        described()[pattern.namespace]
        for pattern in get_resolver().url_patterns
        if isinstance(pattern, URLResolver) and pattern.namespace in described()
    ]


def namespaces():
    return [scheme.ns for scheme in schemes()]


def scheme(ns):
    """The Scheme of a mounted namespace, or None."""
    return next((s for s in schemes() if s.ns == ns), None)
