"""What a credential issued before an account change is still worth after it: measured, not written down.

For each event (logout, password change, account deactivated, account
deleted) and each credential a client of some namespace holds, a throwaway
user holds that credential; the event happens; the credential is tried again
at once and, if it still works, again once whatever keeps it alive has run
out: each scheme's scheme.py makes it have run out a second ago (a JWT signed
again with an expiry a second past, the token-cached entry's lease ended), so
the same checks that refuse an expired credential refuse it, with no waiting.

Everything happens in one database transaction that is rolled back: the demo
users' data is never touched. Used by ``manage.py account_events``, the
/account-events/ page and docs/security.md's table.
"""

import logging
import secrets
from contextlib import contextmanager
from dataclasses import asdict, dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction

import registry

from .measure import SiteClient, kept, new_throwaway_user

EVENTS = ["logout", "password change", "account deactivated", "account deleted", "refresh token reused after rotation"]
# The last one happens only to a credential that comes with a rotating refresh token (a scheme with the
# reuse_after_rotation hook): the client refreshes, then a thief replays the refresh token it used (RFC 9700).
DOES_NOT_APPLY = "does not apply"

# The stand-ins for "until it expires" ran out this many seconds ago (expire_soon's `seconds`, negative): checked
# by the very code that checks a real expiry, and nobody waits for them.
RUN_OUT_SECONDS = -1


def credentials():
    """The table's rows: each namespace's credential (public has none), then the others (jwt's refresh token)."""
    rows = [credential for scheme in registry.schemes() for credential in scheme.get_credentials()]
    return sorted(rows, key=lambda c: bool(c.row))  # stable: each group keeps the URLconf's order


@dataclass(frozen=True)
class Cell:
    """What one credential did after one event: the statuses seen, and what they mean."""

    after_event: int  # status right after the event
    after_expiry: int | None  # status once what keeps it alive has expired (None: it had stopped already)
    still_works: str  # "no", "yes, no time limit" or "until <what> expires (<n> s)"


def verdict(credential, after_event, after_expiry, short_lived=None):
    if after_event is None:
        return DOES_NOT_APPLY
    if after_event != 200:
        return "no"
    if after_expiry == 200:
        return "yes, no time limit"
    what, seconds = credential.expiry(short_lived)
    return f"until {what or 'it expires'} ({seconds:g} s)"


class Holder:
    """A throwaway user holding one credential (a row of the table), as a client keeps it, tried as a client would."""

    def __init__(self, credential, encoded_password, password):
        self.credential = credential  # a registry.Credential: a namespace's own, or another its client holds
        self.user = new_throwaway_user("account-events", encoded_password)
        self.client = SiteClient()
        self.held = credential.log_in(self.client, self.user, password)  # what its logout needs, if anything
        self.short_lived = None  # the credential made to have run out, once the event left it working

    def attempt(self):
        """The status a client gets using the credential (its short-lived self once that is made); None: no event."""
        if self.held is DOES_NOT_APPLY:
            return None
        held = self.held if self.short_lived is None else self.short_lived
        return self.credential.attempt(self.client, held).status_code

    def still_valid(self):
        """Before the event: does the credential work? (Without using it up, where a use would.)"""
        return self.credential.still_valid(self.client, self.held)

    def expire_soon(self):
        """Make whatever keeps the credential alive have run out (RUN_OUT_SECONDS), where something does."""
        self.short_lived = self.credential.expire_soon(self.client, self.held, RUN_OUT_SECONDS)

    # --- The events

    def log_out(self):
        """The scheme's own logout endpoint (Basic has none)."""
        response = self.credential.log_out(self.client, self.held)
        assert response is None or response.status_code < 300, response.content

    def change_password(self):
        self.user.set_password(secrets.token_urlsafe())
        self.user.save()

    def deactivate(self):
        self.user.is_active = False
        self.user.save()

    def delete(self):
        self.user.delete()

    def reuse_after_rotation(self):
        """The client refreshes; the old refresh token is replayed. Afterwards the client holds what it got back."""
        hook = getattr(self.credential, "reuse_after_rotation", None)  # a scheme without rotation has none
        self.held = DOES_NOT_APPLY if hook is None else hook(self.client, self.held)

    def undergo(self, event):
        {
            "logout": self.log_out,
            "password change": self.change_password,
            "account deactivated": self.deactivate,
            "account deleted": self.delete,
            "refresh token reused after rotation": self.reuse_after_rotation,
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
    rows = credentials()
    with refusals_not_logged(), transaction.atomic():
        holders = {(c.name, event): Holder(c, encoded, password) for event in EVENTS for c in rows}
        broken = sorted({name for (name, _), holder in holders.items() if not holder.still_valid()})
        if broken:
            raise RuntimeError(f"credentials that did not work before the event: {broken}")
        after_event = {}
        for (name, event), holder in holders.items():
            holder.undergo(event)
            after_event[name, event] = holder.attempt()
            if after_event[name, event] == 200:
                holder.expire_soon()
        table = {
            c.name: {event: cell(c, holders[c.name, event], after_event[c.name, event]) for event in EVENTS}
            for c in rows
        }
        transaction.set_rollback(True)
    return table


def cell(credential, holder, status):
    after_expiry = holder.attempt() if status == 200 else None  # (None too where the event does not apply)
    return Cell(status, after_expiry, verdict(credential, status, after_expiry, holder.short_lived))


def as_json(table):
    return {
        "events": EVENTS,
        "credentials": {
            c.name: {"used_at": c.used_at, "events": {e: asdict(table[c.name][e]) for e in EVENTS}}
            for c in credentials()
        },
    }


def as_rows(table):
    """[(credential, [cell per event])], in the table's order, for the landing page."""
    return [(c, [table[c.name][e] for e in EVENTS]) for c in credentials()]


def as_markdown(table):
    lines = [
        "| credential | " + " | ".join(EVENTS) + " |",
        "|---" * (len(EVENTS) + 1) + "|",
    ]
    for c, cells in as_rows(table):
        lines.append(f"| `{c.name}`: {c.used_at} | " + " | ".join(cell.still_works for cell in cells) + " |")
    return "\n".join(lines)


_measured = {}


def measured_once():
    """The table, measured the first time this process is asked for it, then kept."""
    return kept(_measured, measure)


def measured_so_far():
    """The table if this process has measured it already, else None (the landing page then offers to measure it)."""
    return _measured.get("table")
