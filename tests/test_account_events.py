"""Account changes: which credentials issued before a logout, a password change, a deactivation or a deletion still work.

The table is measured by measurements.account_events (``manage.py account_events``);
these tests assert every cell, check that docs/security.md and the /account-events/ page show
what the command measures, and that no event leaves any endpoint answering 5xx.
"""

import json
import re
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import jwt.api_jwt
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.cache.backends import base as cache_base
from django.core.cache.backends import locmem
from django.core.management import call_command
from django.test import override_settings
from django.urls import NoReverseMatch, reverse
from knox.models import AuthToken
from rest_framework.authtoken.models import Token
from rest_framework_simplejwt import tokens as simplejwt_tokens
from rest_framework_simplejwt import utils
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from api.models import Note
from measurements import account_events
from measurements.account_events import EVENTS, Holder, as_markdown, credentials, measure

from .conftest import press_measure

FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # test settings only, as in conftest

NO, FOREVER, NA = "no", "yes, no time limit", "does not apply"
COOKIES = ("session", "jwt-cookie")  # no challenge to send: refused with a 403


def until(what, seconds):
    return f"until {what} expires ({seconds:g} s)"


def expected():
    access = until("the access token", settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"].total_seconds())
    cached = until("the cache entry", settings.TOKEN_CACHE_SECONDS)
    refresh = until("the refresh token", settings.SIMPLE_JWT["REFRESH_TOKEN_LIFETIME"].total_seconds())
    knox = until("the knox token", settings.REST_KNOX["TOKEN_TTL"].total_seconds())
    oauth2 = until("the access token", settings.OAUTH2_PROVIDER["ACCESS_TOKEN_EXPIRE_SECONDS"])
    introspected = until("the cached introspection answer", settings.OAUTH2_INTROSPECT_CACHE_SECONDS)
    #                 logout   password change  deactivated  deleted  refresh token reused after rotation
    return {
        "basic": [FOREVER, NO, NO, NO, NA],  # Basic has no logout; the password is the credential
        "session": [NO, NO, NO, NO, NA],  # a password change ends the user's other sessions
        "token": [NO, FOREVER, NO, NO, NA],  # DRF tokens outlive a password change
        "token-cached": [cached, FOREVER, cached, cached, NA],
        "jwt": [access, access, NO, NO, access],  # logout blacklists the refresh token only
        "jwt-stateless": [access, access, access, access, access],  # never asks the database
        "knox": [NO, knox, NO, NO, NA],  # logout deletes the token; the user is loaded on every request
        "jwt refresh": [NO, refresh, NO, NO, NO],  # reuse ends the chain: the client's newest token too
        "jwt-rsa": [access, access, NO, NO, access],  # as jwt: the same simplejwt, another signature
        "jwt-rsa refresh": [NO, refresh, NO, NO, NO],
        "jwt-cookie": [access, access, NO, NO, access],  # as jwt: a copy of the cookie outlives the logout
        "jwt-cookie refresh": [NO, refresh, NO, NO, NO],
        # Revocation deletes the token; DOT never looks at the password, nor at is_active (DRF's TokenAuthentication
        # does): a deactivated account's token works until it expires. Deleting the user deletes its tokens. A used
        # refresh token replayed: DOT revokes its whole family, the pair the client got by rotation too.
        "oauth2": [NO, oauth2, oauth2, NO, NO],
        # The same tokens, asked about at the authorization server on every request: revocation is seen at once, and
        # this resource server refuses an inactive user itself (one query for the user, is_active read).
        "oauth2-introspect": [NO, oauth2, NO, NO, NO],
        # Cached: a revoked token lives on in the cached answer; one never revoked, as long as the token.
        "oauth2-introspect-cached": [introspected, oauth2, NO, NO, NO],
    }


@pytest.fixture(scope="module")
def table(django_db_setup, django_db_blocker):
    """The table, measured once for this module (it rolls itself back)."""
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHER):
        return measure()


@pytest.mark.parametrize("event", EVENTS)
@pytest.mark.parametrize("credential", list(expected()))
def test_cell(credential, event, table):
    cell = table[credential][event]
    verdict = expected()[credential][EVENTS.index(event)]

    assert cell.still_works == verdict
    if verdict == NA:
        assert cell.after_event is None
        assert cell.after_expiry is None
    elif verdict == NO:
        assert cell.after_event == (403 if credential.startswith(COOKIES) else 401)
        assert cell.after_expiry is None
    else:
        assert cell.after_event == 200
        assert cell.after_expiry == (200 if verdict == FOREVER else 403 if credential.startswith(COOKIES) else 401)


@pytest.mark.django_db
def test_the_measurement_leaves_the_database_as_it_was(alice, settings):
    settings.PASSWORD_HASHERS = FAST_HASHER
    tables = [get_user_model(), Note, Token, AuthToken, Session, OutstandingToken, BlacklistedToken]
    before = {model.__name__: list(model.objects.values()) for model in tables}

    measure()

    assert {model.__name__: list(model.objects.values()) for model in tables} == before


@pytest.fixture
def clocks(monkeypatch, settings):
    """later(seconds): the clocks the credentials' expiry reads (PyJWT's and simplejwt's datetimes, the local-memory
    cache's time), stopped at the test's start and moved on by hand instead of slept through: the test then means
    the same on a busy machine. The cache is the local-memory one even under REDIS_URL: Redis keeps its own clock,
    and what runs out here is the site's setting, not Redis's TTL."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "clocks"}}
    started, ahead = utils.aware_utcnow(), timedelta()

    def now():
        return started + ahead

    class Stopped(datetime):
        @classmethod
        def now(cls, tz=None):
            return now().astimezone(tz)

    monkeypatch.setattr(jwt.api_jwt, "datetime", Stopped)  # exp, checked by PyJWT
    monkeypatch.setattr(simplejwt_tokens, "aware_utcnow", now)  # simplejwt's own: iat, exp, and its exp check
    for module in (cache_base, locmem):  # when an entry runs out, and whether it has
        monkeypatch.setattr(module, "time", SimpleNamespace(time=lambda: now().timestamp()))

    def later(seconds):
        nonlocal ahead
        ahead += timedelta(seconds=seconds)

    return later


@pytest.mark.django_db(transaction=True)
def test_the_twins_stand_for_real_expiry(settings, clocks):
    # The table makes each credential have run out already for "until it expires";
    # here the real settings run out instead, to show the stand-ins tell the truth.
    settings.PASSWORD_HASHERS = FAST_HASHER
    holders = [holder_of(name) for name in ("token-cached", "jwt-stateless")]
    assert [holder.attempt() for holder in holders] == [200, 200]  # fills the cache
    for holder in holders:
        holder.undergo("account deleted")

    assert [holder.attempt() for holder in holders] == [200, 200]
    clocks(min(holder.credential.lifetime() for holder in holders) - 1)
    assert [holder.attempt() for holder in holders] == [200, 200]  # a second before the first runs out
    clocks(max(holder.credential.lifetime() for holder in holders) + 1)
    assert [holder.attempt() for holder in holders] == [401, 401]


def encoded(password):
    from django.contrib.auth.hashers import make_password

    return make_password(password), password


def holder_of(name):
    """A throwaway user holding the credential of the table's row `name`."""
    return Holder(next(c for c in credentials() if c.name == name), *encoded("pw"))


def hit_every_endpoint(holder, note_id):
    """Every endpoint of the holder's namespace, with the credential it holds: the statuses seen."""
    ns = holder.credential.ns
    detail = reverse(f"{ns}:notes-detail", args=[note_id])
    statuses = {}
    for method, url, data in [
        ("get", reverse(f"{ns}:me"), None),
        ("get", reverse(f"{ns}:notes-list"), None),
        ("post", reverse(f"{ns}:notes-list"), {"title": "after", "body": ""}),
        ("get", detail, None),
        ("put", detail, {"title": "after", "body": ""}),
        ("patch", detail, {"title": "after"}),
        ("delete", detail, None),
    ]:
        extra = {"data": json.dumps(data), "content_type": "application/json"} if data else {}
        statuses[method, url] = getattr(holder.client, method)(url, **extra).status_code
    body = {"refresh": holder.held, "token": holder.held}  # whichever the endpoint reads
    urls = [reverse(f"{ns}:{name}") for name in ("verify", "refresh", "logout") if has_url(f"{ns}:{name}")]
    for url in urls + (["/auth-jwt-refresh/"] if ns == "jwt" else []):
        statuses["post", url] = holder.client.post(url, body, content_type="application/json").status_code
    return statuses


def has_url(name):
    try:
        reverse(name)
    except NoReverseMatch:
        return False
    return True


@pytest.mark.django_db
@pytest.mark.parametrize("event", EVENTS)
def test_no_event_makes_any_endpoint_fail(event, settings):
    settings.PASSWORD_HASHERS = FAST_HASHER
    holders = [holder_of(c.name) for c in credentials()]
    notes = [Note.objects.create(owner=holder.user, title="before", body="") for holder in holders]
    assert all(
        holder.still_valid() for holder in holders
    )  # token-cached's cache warm: the case that outlives the event

    for holder in holders:
        holder.undergo(event)
    statuses = {
        (holder.credential.name, *request): status
        for holder, note in zip(holders, notes, strict=True)
        for request, status in hit_every_endpoint(holder, note.pk).items()
    }

    assert len(statuses) >= 7 * len(holders) + 6  # every resource endpoint, and the login schemes' own
    assert all(status < 500 for status in statuses.values()), statuses


@pytest.mark.django_db
@pytest.mark.parametrize("ns", ["token-cached", "jwt-stateless"])
def test_a_deleted_account_cannot_write_through_a_credential_that_outlives_it(ns, settings):
    settings.PASSWORD_HASHERS = FAST_HASHER
    holder = holder_of(ns)
    holder.attempt()
    holder.undergo("account deleted")

    me = holder.client.get(f"/api/{ns}/me/")
    write = holder.client.post(f"/api/{ns}/notes/", {"title": "x", "body": ""}, content_type="application/json")

    assert me.status_code == 200  # the credential still reads...
    assert write.status_code == 401  # ...but the account it names is gone: no note without an owner
    assert write.json()["detail"] == "The account this credential belongs to no longer exists."
    assert not Note.objects.exists()


@pytest.mark.django_db
def test_command_prints_the_table_and_json(settings, capsys):
    settings.PASSWORD_HASHERS = FAST_HASHER

    call_command("account_events")
    text = capsys.readouterr().out
    call_command("account_events", "--json")
    data = json.loads(capsys.readouterr().out)

    assert text.splitlines()[0].split() == [
        "credential",
        "logout",
        "password",
        "change",
        "account",
        "deactivated",
        "account",
        "deleted",
        "refresh",
        "token",
        "reused",
        "after",
        "rotation",
    ]
    for credential, verdicts in expected().items():
        line = next(line for line in text.splitlines() if line.startswith(credential + "  "))
        assert all(verdict in line for verdict in verdicts), line
        assert [data["credentials"][credential]["events"][e]["still_works"] for e in EVENTS] == verdicts


@pytest.mark.django_db
def test_docs_show_what_the_command_measures(settings, capsys):
    settings.PASSWORD_HASHERS = FAST_HASHER
    call_command("account_events", "--markdown")
    measured = capsys.readouterr().out.strip()

    page = (Path(settings.BASE_DIR) / "docs" / "security.md").read_text()
    assert measured in page, "docs/security.md out of date: paste `manage.py account_events --markdown`"


@pytest.mark.django_db
def test_landing_page_shows_the_measured_table(client, settings, monkeypatch, table):
    monkeypatch.setattr(account_events, "_measured", {})
    settings.PASSWORD_HASHERS = FAST_HASHER

    page = client.get("/account-events/?measure=account-events").content.decode()  # a GET never measures
    assert '<form id="account-events-measure" method="post">' in page
    assert not account_events._measured
    response = press_measure(client, "/account-events/")  # the page's button
    assert response.status_code == 302
    assert response["Location"] == "/account-events/"  # then GET: a reload is harmless
    html = client.get(response["Location"]).content.decode()

    for credential, verdicts in expected().items():
        row = re.search(rf'<tr id="events-{re.escape(credential.replace(" ", "-"))}">(.*?)</tr>', html, re.S)
        assert row, credential
        assert re.findall(r'<td class="(?:stops|survives|does-not-apply)">(.*?)</td>', row.group(1)) == verdicts
    assert as_markdown(account_events._measured["table"]) == as_markdown(table)


def test_docs_security_page_names_only_tests_that_exist():
    import importlib

    section = (Path(__file__).resolve().parent.parent / "docs" / "security.md").read_text()
    modules = {
        path.stem: importlib.import_module(f"tests.{path.stem}") for path in Path(__file__).parent.glob("test_*.py")
    }

    named = set(re.findall(r"\b(test_\w+)\b", section)) - set(modules)
    assert named, "the section names its tests"
    missing = {name for name in named if not any(hasattr(module, name) for module in modules.values())}
    assert not missing
    for credential, event in re.findall(
        r"\[([a-z -]+?)-(logout|password change|account deactivated|account deleted)\]", section
    ):
        assert credential in expected(), (credential, event)
        assert event in EVENTS, (credential, event)
    assert len(re.findall(r"test_cell\[", section)) >= 8
