"""What keeps working while the database or the cache is down, per namespace: measured against real servers.

``manage.py outages`` starts a throwaway PostgreSQL, Redis and gunicorn
(outages.services), and this module stops each service in turn and records,
for every namespace of GET /api/: does ``GET me/`` work, does a login, does a
logout? Each with a credential obtained while everything was up.
"""

import json
import platform
import secrets
import time
from datetime import UTC, datetime

from .client import Client, namespaces

SERVICES = ("database", "cache")
CELLS = ("me", "login", "logout")
# Two users: one keeps its credential through the outage, the other logs out (DRF's token login hands the same
# user the same token, so one user's logout would end the other client's token too).
USERNAMES = ("outages-stays", "outages-leaves")


def add_users(site):
    """The users of the throwaway site, with one random password: (usernames, password)."""
    password = secrets.token_urlsafe()
    # As demo accounts (api.seeding): what each scheme seeds besides the password too (oauth2: its clients).
    script = (
        "import os; from api.seeding import seed_user; "
        f"[seed_user(u, os.environ['OUTAGES_PASSWORD']) for u in {USERNAMES!r}]"
    )
    site.manage("shell", "-c", script, OUTAGES_PASSWORD=password)
    return USERNAMES, password


def wait_for_recovery(holders, seconds=30, step=0.05):
    """Seconds until every holder's GET me/ is 200 again; an error naming the others after `seconds`."""

    def status(holder):
        try:
            return holder.me()[0]
        except OSError as error:  # no answer in the client's timeout: not back yet
            return str(error)

    started = time.monotonic()
    while failing := {ns: answer for ns, holder in holders.items() if (answer := status(holder)) != 200}:
        if time.monotonic() - started > seconds:
            raise TimeoutError(f"not back after {seconds} s: {failing}")
        time.sleep(step)
    return round(time.monotonic() - started, 2)


def measure(site, servers, usernames, password, progress=None):
    """{"measured_at", "services": {service: {"recovered_seconds", "namespaces": {ns: {cell: status}}}}}.

    `servers` maps "database" and "cache" to objects with stop() and start().
    """
    found = namespaces(site.url)

    def client(ns, username):
        recipe, endpoints = found[ns]
        return Client(site.url, ns, recipe, endpoints, username, password)

    stays, leaves = usernames
    results = {}
    for service in SERVICES:
        if progress:
            progress(f"{service}: logging in to {len(found)} namespaces, then stopping it")
        holders, leavers = {ns: client(ns, stays) for ns in found}, {ns: client(ns, leaves) for ns in found}
        for ns in found:
            holders[ns].log_in()
            leavers[ns].log_in()
            status = holders[ns].me()[0]  # token-cached: its key is now in the cache
            if status != 200:
                raise RuntimeError(f"{ns}: GET me/ answered {status} with every service up")
        servers[service].stop()
        try:
            cells = {
                ns: {"me": holders[ns].me()[0], "login": client(ns, stays).log_in(), "logout": leavers[ns].logout()}
                for ns in found
            }
        finally:
            servers[service].start()
        back = wait_for_recovery(holders)
        if progress:
            progress(f"{service}: started again, every namespace back after {back} s")
        results[service] = {"recovered_seconds": back, "namespaces": cells}
    return {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "setup": "gunicorn (2 workers, gthread), DJANGO_DEBUG=0, a throwaway PostgreSQL and Redis; "
        f"Python {platform.python_version()}",
        "services": results,
    }


def cell(status):
    return "-" if status is None else str(status)


def as_markdown(measured):
    services = measured["services"]
    head = ["namespace"] + [f"{service} down: {c}" for service in SERVICES for c in ("`GET me/`", "login", "logout")]
    lines = ["| " + " | ".join(head) + " |", "|---" + "|---:" * (len(head) - 1) + "|"]
    for ns in services[SERVICES[0]]["namespaces"]:
        row = [cell(services[s]["namespaces"][ns][c]) for s in SERVICES for c in CELLS]
        lines.append(f"| `{ns}` | " + " | ".join(row) + " |")
    return "\n".join(lines)


def write(measured, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(measured, indent=2) + "\n")


def read(path):
    """The recorded measurement, or None if none was written there."""
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        return None
