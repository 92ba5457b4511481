"""What a credential issued before an account change is still worth after it: measured, not written down.

For each event (logout, password change, account deactivated, account
deleted) and each credential a client of some namespace holds, a throwaway
user holds that credential; the event happens; the credential is tried again
at once and, if it still works, again once whatever keeps it alive has run
out: each scheme's scheme.py makes it run out in one second (a JWT signed again
with a one-second lifetime, the token-cached entry given a one-second lease).

Everything happens in one database transaction that is rolled back: the demo
users' data is never touched. Used by ``manage.py account_events``, the
landing page and the README's table.
"""

import logging
import secrets
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

import registry

from .measure import SiteClient, kept

EVENTS = ["logout", "password change", "account deactivated", "account deleted"]

# How long the stand-ins for "until it expires" live.
SHORT_SECONDS = 1


def credentials():
    """The table's rows: each namespace's credential (public has none), then the others (jwt's refresh token)."""
    schemes = registry.schemes()
    rows = [credential for scheme in schemes for credential in scheme.account_credentials()]
    return sorted(rows, key=lambda c: c not in schemes)  # stable: each group keeps the URLconf's order


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
    """A throwaway user holding one credential (a row of the table), as a client keeps it, tried as a client would."""

    def __init__(self, credential, encoded_password, password):
        self.credential = credential  # a Scheme, or another credential a scheme's client holds
        self.user = get_user_model().objects.create(
            username=f"account-events-{secrets.token_hex(8)}", password=encoded_password
        )
        self.client = SiteClient()
        self.held = credential.log_in(self.client, self.user, password)  # what its logout needs, if anything
        self.short_lived = None  # the credential made to run out in SHORT_SECONDS, once the event left it working

    def attempt(self):
        """The status a client gets using the credential (its short-lived self once that is made)."""
        held = self.held if self.short_lived is None else self.short_lived
        return self.credential.attempt(self.client, held).status_code

    def still_valid(self):
        """Before the event: does the credential work? (Without using it up, where a use would.)"""
        return self.credential.still_valid(self.client, self.held)

    def expire_soon(self):
        """Make whatever keeps the credential alive run out in SHORT_SECONDS, where something does."""
        self.short_lived = self.credential.expire_soon(self.client, self.held, SHORT_SECONDS)

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
        time.sleep(SHORT_SECONDS + 0.2)
        table = {
            c.name: {event: cell(c, holders[c.name, event], after_event[c.name, event]) for event in EVENTS}
            for c in rows
        }
        transaction.set_rollback(True)
    return table


def cell(credential, holder, status):
    after_expiry = holder.attempt() if status == 200 else None
    return Cell(status, after_expiry, verdict(credential, status, after_expiry))


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
