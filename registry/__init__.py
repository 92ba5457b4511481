"""The namespaces: each described by its own app, mounted by one line of ``config/urls.py``.

Every app may have a ``scheme.py`` whose ``SCHEMES`` lists a ``Scheme`` per
namespace it describes (the token app's describes ``token`` and
``token-cached``). A namespace exists once ``config/urls.py`` mounts it with
``namespace("<ns>", ...)``; everything else (the landing page, the race, GET
/api/, the SQL panel, the measurements, the benchmark's report) reads it from
here, in the URLconf's order, and knows no scheme by name.

Three jobs, three names:

- ``Scheme``: what a student reads about a namespace (its title, how it works,
  when to choose it, its reading in the benchmark's report) and the facts the
  shared code needs (the queries of ``GET me/``, the SQL steps of its library,
  the tables it stores credentials in).
- ``Credential``: how a Django test client gets and uses one credential a
  client of the namespace holds (log in, log out, use it, make it expire): a
  row of the account-events table. jwt's refresh token is a second one.
- ``Recipe``: how any HTTP client gets and sends the credential; ``GET /api/``
  publishes it, and ``recipes/`` (the dependency-free client) follows it.

In each: ``namespace`` (``ns``) is the string ``/api/<ns>/``, ``scheme`` the
object, ``title`` the words.
"""

from contextlib import ExitStack, contextmanager, nullcontext
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

    kind: "none", "basic", "session", "token", "jwt", "cookie" or "oauth2" (docs/namespaces.md describes each);
    ``recipes.RecipeClient`` has one method per kind. "cookie" (jwt-cookie): GET `login` for the
    `csrf_cookie`, POST the credentials there with its value in `csrf_header`; then keep the cookie jar,
    and send `csrf_header` on every unsafe method. "oauth2": the authorization-code flow with PKCE (S256) at
    `authorize` and `token` as the public client `client_id`, coming back to `redirect_uri` (made absolute for
    the request that asks); the redirect carries the authorization server's `iss` (RFC 9207), which must
    equal `issuer`; then send "Authorization: <keyword> <access_token>".
    """

    kind: str
    login: str = ""  # URL name of the login endpoint ("token:login")
    refresh: str = ""  # URL name of the refresh endpoint (jwt)
    keyword: str = ""  # the header is "Authorization: <keyword> <credential>"
    field: str = ""  # the login answer's field that holds the credential (token)
    logout: str = ""  # URL name of the logout endpoint (cookie: a client can't delete an HttpOnly cookie itself)
    csrf_cookie: str = ""  # the cookie whose value unsafe methods echo in csrf_header (cookie)
    csrf_header: str = ""
    authorize: str = ""  # URL name of the authorization endpoint (oauth2)
    token: str = ""  # URL name of the token endpoint (oauth2)
    client_id: str = ""  # the public client to run the flow as (oauth2)
    redirect_uri: str = ""  # a registered redirect URI's path on this site, made absolute for the request (oauth2)
    issuer: object = None  # oauth2: request -> the authorization server's issuer identifier, the `iss` it answers with

    def as_json(self, request=None):
        urls = {"login": self.login, "refresh": self.refresh, "logout": self.logout}
        urls |= {"authorize": self.authorize, "token": self.token}
        redirect = self.redirect_uri and (
            request.build_absolute_uri(self.redirect_uri) if request else self.redirect_uri
        )
        words = {
            "client_id": self.client_id,
            "issuer": self.issuer(request) if self.issuer and request else "",
            "redirect_uri": redirect,
            "keyword": self.keyword,
            "field": self.field,
            "csrf_cookie": self.csrf_cookie,
            "csrf_header": self.csrf_header,
        }
        return {
            "kind": self.kind,
            **{name: reverse(url_name) for name, url_name in urls.items() if url_name},
            **{name: value for name, value in words.items() if value},
        }


class Credential:
    """One credential a client of a namespace holds, as a Django test client gets and uses it: a row of the account-events table.

    Made by its scheme (``Scheme.get_credentials``), so ``self.scheme`` says
    which namespace it is used at. Configuration as class attributes,
    behaviour in hooks; ``credential`` below is what ``log_in`` returned
    (what logout and expiry need of it), if anything.
    """

    row = ""  # "": the namespace's own credential, named by the namespace; else the row is "<ns> <row>" ("jwt refresh")
    holds = ""  # what the client holds, e.g. "Token key"
    expires = ""  # what runs out when an account event leaves the credential working ("" if nothing does)

    def __init__(self, scheme):
        self.scheme = scheme

    @property
    def ns(self):
        """The namespace it is used at."""
        return self.scheme.ns

    @property
    def name(self):
        return f"{self.ns} {self.row}" if self.row else self.ns

    @property
    def used_at(self):
        """Where the client uses it: "<what it holds> at /api/<ns>/"."""
        return f"{self.holds} at /api/{self.scheme.ns}/"

    def log_in(self, client, user, password):
        """Give a Django test client `user`'s credential, without the throttled login endpoint.

        Returns what the hooks below need of it (its logout, its expiry), if anything.
        """

    def log_out(self, client, credential):
        """The scheme's own logout, through `client`: its response, or None for a scheme without one."""

    def attempt(self, client, credential):
        """A client's use of the credential: GET /api/<ns>/me/."""
        return client.get(reverse(f"{self.scheme.ns}:me"), secure=settings.HTTPS)

    def still_valid(self, client, credential):
        return self.attempt(client, credential).status_code == 200

    def expire_soon(self, client, credential, seconds):
        """The credential, made to run out in `seconds` the way it runs out by itself; None if nothing of it does."""

    def lifetime(self):
        """Seconds until what `expires` names runs out, read from the settings."""

    def expiry(self, short_lived):
        """(what ran out, its lifetime in seconds) for what ``expire_soon`` returned: `expires` and ``lifetime()``.

        A credential kept alive by one thing or another, depending on the event
        (a cached answer for a revoked token, the token itself otherwise), says which.
        """
        return self.expires, self.lifetime()

    def seed(self, user):
        """What a demo account needs for this credential besides its password (api.seeding): token, its DRF token."""

    def seed_site(self):
        """What the site needs for this credential whoever the accounts are (oauth2: its registered clients).

        seed_demo's accounts get it with ``seed``; seed_bench, whose accounts
        are made in bulk, asks for it once.
        """

    def forget(self, users):
        """Drop what the scheme keeps about `users` outside their own rows (a cache, JWT rows), before they are deleted."""

    def database_leak(self, copy, victim, attacker):
        """What a stolen copy of the database gives at this namespace (measurements.database_leak): a Leak.

        `copy` holds the rows of every scheme's ``tables``, `victim` the
        throwaway user who holds a live credential here, `attacker` a fresh
        client to try the copy with.
        """

    def __repr__(self):
        return f"<{type(self).__name__} {self.name}>"


@dataclass(frozen=True)
class Table:
    """A table a scheme stores its side of credentials in: what a stolen copy of the database holds, what login_costs counts.

    model: "app_label.ModelName"; cleaned_by: what removes its rows once they are of no use;
    owner: the lookup from a row to its user (the stolen copy takes only the victims' rows).
    """

    model: str
    cleaned_by: str
    owner: str = "user"

    # For fill(): N rows numbered 1..N, on SQLite and PostgreSQL alike (not a field: no annotation).
    NUMBERS = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %s) "

    def get_model(self):
        return apps.get_model(self.model)

    @property
    def db_table(self):
        return self.get_model()._meta.db_table

    def rows_of(self, victims):
        """The victims' rows, as a queryset: `victims` has ``user_ids`` and ``session_keys``."""
        return self.get_model()._base_manager.filter(**{f"{self.owner}__in": victims.user_ids})

    def count(self, cursor, where=""):
        cursor.execute(f"SELECT COUNT(*) FROM {self.db_table} {where}")  # noqa: S608 (the model's table name)
        return cursor.fetchone()[0]

    def fill(self, cursor, rows):
        """Make the table hold `rows` rows at least, in plain SQL, for the benchmark's data-growth run (bench_rows).

        The filler never logs in and never expires before 2100, so no clean-up
        removes it. Returns False for a table the run leaves as it is.
        """
        return False


class Scheme:
    """One namespace, as a student reads it and as the shared code needs to know it.

    Configuration as class attributes, behaviour in hooks: a variant
    (token-cached, jwt-stateless) subclasses its scheme and changes what differs.
    How a test client gets its credential is in ``credential_classes``; how an
    HTTP client does, in ``recipe``.
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
    reading = ""  # what a student should read in the benchmark report's row: one paragraph

    recipe = Recipe("none")  # GET /api/'s "client"
    credential_classes = ()  # Credential classes: the namespace's own first, then the others a client holds

    # Facts the shared code reads instead of naming the scheme:
    me_queries = None  # SQL queries of a steady-state GET me/ (the contract's); None: "as measured"
    sql_steps = ()  # ("module.Class.method" prefix, step name): the SQL panel's steps for this library's queries
    tables = ()  # Table: where the scheme stores its side of a credential
    crypto_steps = ()  # ("module.Class" or "module", function): where its library hashes (costs/profile.py times them)
    call_steps = ()  # ("module.Class" or "module", function): where it calls another service (costs/profile.py times them)
    login_flows = ()  # measurements.login_flows.LoginFlow subclasses: flows of its own login_costs measures (oauth2's)

    def in_process(self):
        """What an in-process request to this namespace needs running beside it (a context manager): most, nothing.

        The measurements (compare_auth, the account-events and stolen-database
        tables, the landing page's figures) and the tests send requests through
        Django's test client, with no server listening: a namespace that calls
        another service over HTTP (oauth2-introspect) starts it here.
        """
        return nullcontext()

    def get_credentials(self):
        """The account-events table's rows for this namespace, its own credential first (as DRF's get_authenticators)."""
        return [credential_class(self) for credential_class in self.credential_classes]

    @property
    def credential(self):
        """The namespace's own credential (a Credential), or None for a namespace without one (public)."""
        credentials = self.get_credentials()
        return credentials[0] if credentials else None

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
        sql_steps.cache_clear()


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


@contextmanager
def in_process():
    """Every mounted namespace's ``Scheme.in_process()``, for the in-process requests made inside the block."""
    with ExitStack() as stack:
        for s in schemes():
            stack.enter_context(s.in_process())
        yield


def protected():
    """The mounted Schemes that have a credential (all but public), in the URLconf's order."""
    return [s for s in schemes() if s.credential_classes]


@cache
def sql_steps():
    """Every described scheme's SQL steps, once each, in the apps' order (instrumentation.middleware adds Django's)."""
    return tuple(dict.fromkeys(step for s in described().values() for step in s.sql_steps))


def declared_steps(kind):
    """Every described scheme's `kind` ("crypto_steps", "call_steps"), once each: costs/profile.py times them."""
    return list(dict.fromkeys(step for s in described().values() for step in getattr(s, kind)))


def tables():
    """The mounted schemes' credential tables, once each (token-cached shares token's), in the URLconf's order."""
    return list(dict.fromkeys(table for s in schemes() for table in s.tables))
