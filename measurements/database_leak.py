"""What a stolen copy of the database gives an attacker, at each namespace: measured, not written down.

Each protected namespace gets a throwaway user holding a live credential of its
scheme (checked: GET me/ answers 200). Then the rows each scheme stores are
copied, column by column as the database holds them, into plain Python data:
``auth_user`` and every table a scheme's app names in its ``tables``. Then each
scheme's own hook (its credential's ``database_leak`` in its app's scheme.py,
which calls its leak.py) plays the attacker: it builds
credentials from the copy alone and sends them to the namespace with a fresh
client, through the whole site. Where the copy holds only hashes, the attacker
can only guess: how fast one core guesses is timed against the stolen hash
itself, with the site's own code.

Only the throwaway users' rows are copied (nobody else's secrets are read),
and they are deleted afterwards with everything they made. Used by
``manage.py database_leak``, the /stolen-database/ page and docs/security.md's table.
"""

import secrets
import time
from dataclasses import asdict, dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import CommonPasswordValidator
from django.contrib.sessions.models import Session
from django.core.exceptions import EmptyResultSet
from django.db import connection

import registry
from api.models import Note

from .account_events import refusals_not_logged
from .measure import SiteClient, client_for, delete_user, get_me, kept, leave_no_session, new_throwaway_user


@dataclass(frozen=True)
class Victims:
    """Whose rows a copy takes (registry.Table.rows_of): the throwaway users, and the keys of their sessions."""

    user_ids: list
    session_keys: list


@dataclass(frozen=True)
class Victim:
    """A throwaway user holding a live credential at one namespace, and a private note: what "the account" means here."""

    ns: str
    user_id: int
    username: str
    note: str


@dataclass
class Copy:
    """The stolen rows: {table: [{column: value}]}, as the database held them, read with plain SQL."""

    tables: dict

    def rows(self, table, **match):
        return [row for row in self.tables[table] if all(row[column] == value for column, value in match.items())]


@dataclass(frozen=True)
class Guessing:
    """What is left to an attacker who holds only a hash: guessing, at the rate measured on one core."""

    what: str  # what one guess costs, e.g. "pbkdf2_sha256, 1000000 iterations"
    guesses_per_second: float
    candidates: int  # how many guesses the named search needs
    search: str  # what those candidates are, e.g. "Django's list of common passwords"

    @property
    def seconds(self):
        return self.candidates / self.guesses_per_second


@dataclass(frozen=True)
class Leak:
    """One row of the table: what the copy holds for one namespace, what the attacker sent, and what came of it."""

    ns: str
    holds: str  # the column(s) and what they hold, read from the copy
    sent: str  # what the attacker sent, built from the copy alone
    statuses: list  # the answers, in order (a refresh, then GET me/)
    works: bool  # did the last request answer 200 for the victim's account?
    yields: str  # what the copy gives, in words chosen by `works`
    guessing: Guessing | None = None


class Attacker:
    """A fresh client holding nothing but what it builds from the copy; and one core to guess with."""

    def __init__(self, guess_seconds):
        self.client = SiteClient()
        self.guess_seconds = guess_seconds

    def get(self, url, **extra):
        return self.client.get(url, secure=settings.HTTPS, **extra)

    def post(self, url, data):
        return self.client.post(url, data, content_type="application/json", secure=settings.HTTPS)

    def try_at(self, ns, victim, **extra):
        """(status of GET me/, whether the victim's private note could be read): the attempt, sent as `extra` says."""
        me = self.get(f"/api/{ns}/me/", **extra)
        if me.status_code != 200:
            return me.status_code, False
        notes = self.get(f"/api/{ns}/notes/", **extra)
        return me.status_code, notes.status_code == 200 and victim.note in [n["title"] for n in notes.json()]

    def guesses_per_second(self, guess):
        """How many times this core runs `guess(candidate)` per second, timed for guess_seconds (three runs at least)."""
        runs, started = 0, time.perf_counter()
        while runs < 3 or time.perf_counter() - started < self.guess_seconds:
            guess(f"guess-{runs}")
            runs += 1
        return runs / (time.perf_counter() - started)


def common_passwords():
    """The passwords Django's CommonPasswordValidator refuses: the first list an attacker tries."""
    return CommonPasswordValidator().passwords


def protected():
    """The namespaces that store a credential, in the registry's order (each one's credential has a database_leak)."""
    return registry.protected()


def steal(victims, session_keys):
    """The throwaway users' rows of auth_user and of every scheme's tables, read with plain SQL: what a dump would hold.

    Only their rows are read (each Table's ``rows_of``), so nobody else's secrets leave the database.
    """
    whose = Victims(user_ids=[victim.user_id for victim in victims], session_keys=sorted(session_keys))
    querysets = [get_user_model()._base_manager.filter(id__in=whose.user_ids)]
    querysets += [table.rows_of(whose) for table in registry.tables()]
    tables = {}
    with connection.cursor() as cursor:
        for queryset in querysets:
            # The ORM writes the WHERE clause; the rows are read as the database gives them, column by column.
            meta, quote = queryset.model._meta, connection.ops.quote_name
            tables[meta.db_table] = []
            try:
                rows, params = queryset.values_list("pk").query.sql_with_params()
            except EmptyResultSet:  # no victim has a row there (no session key, say)
                continue
            # Table and column names come from the models; the values are parameters.
            cursor.execute(f"SELECT * FROM {quote(meta.db_table)} WHERE {quote(meta.pk.column)} IN ({rows})", params)  # noqa: S608
            columns = [column[0] for column in cursor.description]
            tables[meta.db_table] = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    return Copy(tables)


def measure(guess_seconds=1.0):
    """{namespace: Leak}, measured with throwaway users who are deleted afterwards."""
    schemes = protected()
    password = secrets.token_urlsafe()
    encoded = make_password(password)  # hashed once, with the site's own hasher, for every throwaway user
    users, clients = {}, {}
    try:
        with refusals_not_logged():
            for scheme in schemes:
                ns = scheme.ns
                users[ns] = new_throwaway_user("database-leak", encoded)
                clients[ns] = client_for(ns, users[ns], password)
                if get_me(clients[ns], ns).status_code != 200:
                    raise RuntimeError(f"the throwaway user's credential did not work at /api/{ns}/")
            victims = {ns: victim(ns, user) for ns, user in users.items()}
            session_keys = {c.cookies["sessionid"].value for c in clients.values() if "sessionid" in c.cookies}
            copy = steal(victims.values(), session_keys)
            table = {s.ns: s.credential.database_leak(copy, victims[s.ns], Attacker(guess_seconds)) for s in schemes}
            return {ns: leak for ns, leak in table.items() if leak is not None}
    finally:
        forget(users, clients)


def victim(ns, user):
    note = Note.objects.create(owner=user, title=f"private note of {user.username}", body="")
    return Victim(ns, user.pk, user.username, note.title)


def forget(users, clients):
    """Delete the throwaway users and all they left: sessions, cache entries, what the schemes keep (Credential.forget)."""
    for client in clients.values():
        leave_no_session(client)
    for user in users.values():
        Session.objects.filter(session_key__in=sessions_of(user)).delete()
        delete_user(user)


def sessions_of(user):
    """The keys of every session row that names `user` (an attacker's included)."""
    return [s.session_key for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(user.pk)]


# --- How the table is shown


def duration(seconds):
    """A long time in the largest unit that fits, e.g. "1.7 hours", "3e+51 years"."""
    for unit, size in (("years", 365.25 * 86400), ("days", 86400), ("hours", 3600), ("minutes", 60)):
        if seconds >= size:
            value = seconds / size
            return f"{value:.1e} {unit}" if value >= 1e6 else f"{value:,.1f} {unit}"
    return f"{seconds:.1f} seconds"


def count(n):
    """20,000; or 2^196 for a search too large to write out."""
    if n < 10**9:
        return f"{n:,}"
    return f"2^{n.bit_length() - 1}" if n & (n - 1) == 0 else f"{n:.1e}"


def rate(guesses_per_second):
    return f"{guesses_per_second:,.0f}" if guesses_per_second >= 10 else f"{guesses_per_second:.2f}"


def guessing_line(leak):
    g = leak.guessing
    return (
        f"`{leak.ns}`: {rate(g.guesses_per_second)} guesses per second on one core ({g.what}): "
        f"{g.search} ({count(g.candidates)} guesses) in {duration(g.seconds)}"
    )


def statuses(leak):
    return " then ".join(str(status) for status in leak.statuses) or "nothing to send"


def as_markdown(table):
    """The table, then the guessing rates (measured timings: they change from run to run)."""
    lines = [
        "| namespace | the copy holds | the attacker sends | answer | the copy yields |",
        "|---|---|---|---|---|",
    ]
    lines += [f"| `{x.ns}` | {x.holds} | {x.sent} | {statuses(x)} | {x.yields} |" for x in table.values()]
    return "\n".join(lines)


def guessing_markdown(table):
    return "\n".join(f"- {guessing_line(leak)}" for leak in table.values() if leak.guessing)


def as_json(table):
    return {
        "namespaces": {
            ns: {
                **asdict(leak),
                "guessing": leak.guessing and {**asdict(leak.guessing), "seconds": leak.guessing.seconds},
            }
            for ns, leak in table.items()
        }
    }


_measured = {}


def measured_once():
    """The table, measured the first time this process is asked for it, then kept."""
    return kept(_measured, measure)


def measured_so_far():
    """The table if this process has measured it already, else None (the landing page then offers to measure it)."""
    return _measured.get("table")
