"""What a credential issued before an account change is still worth after it: measured, not written down.

For each event (logout, password change, account deactivated, account
deleted), a throwaway user holds a credential of every kind; the event
happens; every credential is tried again at once and, if it still works, again
once whatever keeps it alive has expired: a one-second twin of each JWT, issued
beside the real one, and the token-cached entry, given a one-second lease.

Everything happens in one database transaction that is rolled back, and the
cache entries are deleted: the demo users' data is never touched. Used by
``manage.py account_events``, the landing page and the README's table.
"""

import logging
import secrets
import threading
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from knox.models import AuthToken
from rest_framework.authtoken.models import Token
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from auth_token.authentication import CachedTokenAuthentication

from .measure import client_for, host

EVENTS = ["logout", "password change", "account deactivated", "account deleted"]

# How long the stand-ins for "until it expires" live: a JWT twin and the token-cached entry.
SHORT = timedelta(seconds=1)


@dataclass(frozen=True)
class Credential:
    """One row of the table: a credential, where it is used, and what ends it when the event does not."""

    name: str
    used_at: str
    expires: str = ""  # what runs out, when the event leaves the credential working

    def lifetime(self):
        """Seconds the thing that runs out lives, read from the settings (None: nothing runs out)."""
        return {
            "token-cached": settings.TOKEN_CACHE_SECONDS,
            "jwt": AccessToken.lifetime.total_seconds(),
            "jwt-stateless": AccessToken.lifetime.total_seconds(),
            "jwt refresh": RefreshToken.lifetime.total_seconds(),
            "knox": settings.REST_KNOX["TOKEN_TTL"].total_seconds(),
        }.get(self.name)


CREDENTIALS = [
    Credential("basic", "user name and password at /api/basic/"),
    Credential("session", "sessionid cookie at /api/session/"),
    Credential("token", "Token key at /api/token/"),
    Credential("token-cached", "Token key at /api/token-cached/", "the cache entry expires"),
    Credential("jwt", "access token at /api/jwt/", "the access token expires"),
    Credential("jwt-stateless", "access token at /api/jwt-stateless/", "the access token expires"),
    Credential("jwt refresh", "refresh token at /api/jwt/refresh/", "the refresh token expires"),
    Credential("knox", "knox token at /api/knox/", "the knox token expires"),
]


@dataclass(frozen=True)
class Cell:
    """What one credential did after one event: the statuses seen, and what they mean."""

    after_event: int  # status right after the event
    after_expiry: int | None  # status once what keeps it alive has expired (None: it had stopped already)
    still_works: str  # "no", "yes, no time limit" or "until <what> expires (<n> s)"


def verdict(credential, after_event, after_expiry):
    if after_event != 200:
        return "no"
    if after_expiry == 200:
        return "yes, no time limit"
    return f"until {credential.expires or 'it expires'} ({credential.lifetime():g} s)"


class Holder:
    """A throwaway user holding a credential of every kind, as clients keep them, each tried as a client would."""

    def __init__(self, encoded_password, password):
        from auth_jwt.serializers import LoginSerializer

        self.user = get_user_model().objects.create(
            username=f"account-events-{secrets.token_hex(8)}", password=encoded_password
        )
        self.basic = client_for("basic", self.user, password)
        self.session = client_for("session", self.user, password)  # a real session row and cookie
        self.key = Token.objects.create(user=self.user).key
        self.anonymous = Client(HTTP_HOST=host())
        refresh = LoginSerializer.get_token(self.user)
        self.refresh, self.access = str(refresh), str(refresh.access_token)
        # The twins: the same tokens, made to expire in SHORT, to see what expiry alone does.
        short = LoginSerializer.get_token(self.user)
        short.set_exp(lifetime=SHORT)
        short_access = short.access_token
        short_access.set_exp(lifetime=SHORT)
        self.short_refresh, self.short_access = str(short), str(short_access)
        self.knox, self.short_knox = (
            AuthToken.objects.create(self.user)[1],
            AuthToken.objects.create(self.user, SHORT)[1],
        )
        self.twins_expire = time.monotonic() + SHORT.total_seconds()

    def request(self, method, url, client=None, **extra):
        if method == "post":
            extra["content_type"] = "application/json"
        return getattr(client or self.anonymous, method)(url, secure=settings.HTTPS, **extra)

    def attempt(self, name, twin=False):
        """The status a client gets using credential `name` (its short-lived twin if `twin`)."""
        access = self.short_access if twin else self.access
        if name == "basic":
            return self.request("get", "/api/basic/me/", self.basic).status_code
        if name == "session":
            return self.request("get", "/api/session/me/", self.session).status_code
        if name in ("token", "token-cached"):
            return self.request("get", f"/api/{name}/me/", HTTP_AUTHORIZATION=f"Token {self.key}").status_code
        if name in ("jwt", "jwt-stateless"):
            return self.request("get", f"/api/{name}/me/", HTTP_AUTHORIZATION=f"Bearer {access}").status_code
        if name == "knox":
            token = self.short_knox if twin else self.knox
            return self.request("get", "/api/knox/me/", HTTP_AUTHORIZATION=f"Token {token}").status_code
        if name == "jwt refresh":  # a successful refresh uses the token up (rotation): try it once
            refresh = self.short_refresh if twin else self.refresh
            return self.request("post", "/api/jwt/refresh/", data={"refresh": refresh}).status_code
        raise ValueError(name)

    def still_valid(self, name):
        """Before the event: does the credential work? (The refresh token is checked without using it up.)"""
        if name == "jwt refresh":
            return self.request("post", "/api/jwt/verify/", data={"token": self.refresh}).status_code == 200
        return self.attempt(name) == 200

    def expire_cache_entry(self):
        """Give token-cached's entry for this key a one-second lease, as if TOKEN_CACHE_SECONDS were running out."""
        cache.touch(CachedTokenAuthentication.cache_key(self.key), int(SHORT.total_seconds()))
        self.twins_expire = max(self.twins_expire, time.monotonic() + SHORT.total_seconds())

    def forget_cache_entry(self):
        cache.delete(CachedTokenAuthentication.cache_key(self.key))

    # --- The events

    def log_out(self):
        """Each scheme's own logout endpoint (Basic has none)."""
        logouts = [
            self.request("post", "/api/session/logout/", self.session),
            self.request("post", "/api/token/logout/", HTTP_AUTHORIZATION=f"Token {self.key}"),
            self.request("post", "/api/jwt/logout/", data={"refresh": self.refresh}),
            self.request("post", "/api/knox/logout/", HTTP_AUTHORIZATION=f"Token {self.knox}"),
        ]
        assert all(r.status_code < 300 for r in logouts), [r.content for r in logouts]

    def change_password(self):
        self.user.set_password(secrets.token_urlsafe())
        self.user.save()

    def deactivate(self):
        self.user.is_active = False
        self.user.save()

    def delete(self):
        self.user.delete()

    def undergo(self, event):
        {
            "logout": self.log_out,
            "password change": self.change_password,
            "account deactivated": self.deactivate,
            "account deleted": self.delete,
        }[event]()


@contextmanager
def refusals_not_logged():
    """The refusals are the measurement, not incidents: keep them out of the server's log (5xx still show)."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def measure():
    """{credential name: {event: Cell}}, measured in a transaction that is rolled back."""
    password = secrets.token_urlsafe()
    encoded = make_password(password)  # hashed once, with the site's own hasher, for every throwaway user
    holders, after_event = {}, {}
    try:
        with refusals_not_logged(), transaction.atomic():
            for event in EVENTS:
                holders[event] = holder = Holder(encoded, password)
                broken = [c.name for c in CREDENTIALS if not holder.still_valid(c.name)]
                if broken:
                    raise RuntimeError(f"credentials that did not work before the event: {broken}")
                holder.undergo(event)
                after_event[event] = {c.name: holder.attempt(c.name) for c in CREDENTIALS}
                holder.expire_cache_entry()
            time.sleep(max(0.0, max(h.twins_expire for h in holders.values()) - time.monotonic()) + 0.2)
            table = {
                c.name: {event: cell(c, holders[event], after_event[event][c.name]) for event in EVENTS}
                for c in CREDENTIALS
            }
            transaction.set_rollback(True)
    finally:
        for holder in holders.values():
            holder.forget_cache_entry()
    return table


def cell(credential, holder, status):
    after_expiry = holder.attempt(credential.name, twin=True) if status == 200 else None
    return Cell(status, after_expiry, verdict(credential, status, after_expiry))


def as_json(table):
    return {
        "events": EVENTS,
        "credentials": {
            c.name: {"used_at": c.used_at, "events": {e: asdict(table[c.name][e]) for e in EVENTS}} for c in CREDENTIALS
        },
    }


def as_rows(table):
    """[(credential, [cell per event])], in the table's order, for the landing page."""
    return [(c, [table[c.name][e] for e in EVENTS]) for c in CREDENTIALS]


def as_markdown(table):
    lines = [
        "| credential | " + " | ".join(EVENTS) + " |",
        "|---" * (len(EVENTS) + 1) + "|",
    ]
    for c, cells in as_rows(table):
        lines.append(f"| `{c.name}`: {c.used_at} | " + " | ".join(cell.still_works for cell in cells) + " |")
    return "\n".join(lines)


_measured = {}
_measured_lock = threading.Lock()


def measured_once():
    """The table, measured the first time this process is asked for it, then kept."""
    with _measured_lock:
        if "table" not in _measured:
            _measured["table"] = measure()
        return _measured["table"]


def measured_so_far():
    """The table if this process has measured it already, else None (the landing page then offers to measure it)."""
    return _measured.get("table")
