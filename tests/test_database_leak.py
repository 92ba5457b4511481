"""What a stolen database gives: every cell of `manage.py database_leak`, the clean-up, docs/security.md and the /stolen-database/ page.

The table is measured by measurements.database_leak: throwaway users hold a live
credential at each namespace, their rows are copied, and each namespace is
tried with nothing but the copy.
"""

import json
import re
from pathlib import Path

import pytest
from django.conf import global_settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import CommonPasswordValidator
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.test import override_settings
from django.utils.html import escape
from knox.models import AuthToken
from oauth2_provider.models import AccessToken, RefreshToken
from rest_framework.authtoken.models import Token
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

import registry
from api.models import Note
from measurements import database_leak
from measurements.database_leak import Attacker, measure

from .conftest import PASSWORDS, ApiClient, log_in, press_measure

FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # test settings only, as in conftest

# namespace: (the answers, in order; does the copy get into the account?)
EXPECTED = {
    "basic": ([401], False),  # the stored hash is not the password
    "session": ([200], True),  # the stored key is the cookie
    "token": ([200], True),  # the stored key is the key
    "token-cached": ([200], True),
    "jwt": ([200, 200], True),  # a stored refresh token, then the access token it bought
    "jwt-stateless": ([200, 200], True),
    "jwt-rsa": ([200, 200], True),  # RS256 refresh tokens, stored whole in the same table
    "knox": ([401, 401], False),  # the digest, then the stored prefix: neither is the token
    "jwt-cookie": ([200, 200], True),  # jwt's table: the refresh cookie's value, whole; any CSRF token will do
    "oauth2": ([401, 401], False),  # the blank token column, then the SHA-256 checksum: neither is the token
    # No table at the resource server; the authorization server's (the same database here) as oauth2's, introspected.
    "oauth2-introspect": ([401, 401], False),
    "oauth2-introspect-cached": ([401, 401], False),
}
GUESSED = {
    "basic",
    "knox",
    "oauth2",
    "oauth2-introspect",
    "oauth2-introspect-cached",
}  # where the copy leaves only guessing

TABLES = [
    get_user_model(),
    Note,
    Token,
    AuthToken,
    Session,
    OutstandingToken,
    BlacklistedToken,
    AccessToken,
    RefreshToken,
]


def snapshot():
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in TABLES}


@pytest.fixture(scope="module")
def table(django_db_setup, django_db_blocker):
    """The table, measured once for this module (it deletes its users itself)."""
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHER):
        return measure(guess_seconds=0.05)


@pytest.mark.parametrize("ns", EXPECTED)
def test_cell(ns, table):
    leak = table[ns]
    statuses, works = EXPECTED[ns]

    assert leak.statuses == statuses
    assert leak.works is works
    assert leak.yields.startswith("the account") is works
    assert (leak.guessing is not None) == (ns in GUESSED)


def test_every_protected_namespace_has_a_row(table):
    from .conftest import PROTECTED

    assert list(table) == PROTECTED


def test_what_the_copy_holds_is_read_from_the_copy(table):
    assert "(md5)" in table["basic"].holds  # the test hasher, read from the stored hash
    assert "(40 characters)" in table["token"].holds
    assert "(128 hex characters)" in table["knox"].holds
    assert "first 15 characters" in table["knox"].holds


def test_guessing_is_measured_against_the_stolen_hash(table):
    basic, knox = table["basic"].guessing, table["knox"].guessing

    assert basic.candidates == len(CommonPasswordValidator().passwords)
    assert knox.candidates == 16 ** (64 - 15) == 2**196  # the hex characters not in token_key
    assert basic.guesses_per_second > 0
    assert knox.guesses_per_second > 0
    assert knox.seconds == knox.candidates / knox.guesses_per_second
    assert "2^196 guesses" in database_leak.guessing_line(table["knox"])


@pytest.mark.django_db
def test_the_measurement_deletes_its_users_and_changes_nothing_else(alice, bob, settings):
    settings.PASSWORD_HASHERS = FAST_HASHER
    for ns in ("session", "token", "jwt", "knox", "oauth2"):
        log_in(ns, "alice")  # other users' live credentials, which must stay as they are
    # The introspecting resource server's own token (client credentials, scope introspection), got at its first
    # request and kept: a row of the authorization server's that is no user's, there before the measurement.
    assert log_in("oauth2-introspect", "alice").get("/api/oauth2-introspect/me/").status_code == 200
    before = snapshot()

    measure(guess_seconds=0.01)

    assert snapshot() == before
    assert not get_user_model().objects.filter(username__startswith="database-leak-").exists()


@pytest.mark.django_db
def test_oauth2_tokens_stored_whole_would_be_the_account(settings):
    """DOT's own default (COMPLIANT_BCP_RFC9700_TOKEN_STORAGE off) keeps the token in `token`: the copy then logs in."""
    settings.PASSWORD_HASHERS = FAST_HASHER
    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": False}

    leak = measure(guess_seconds=0.01)["oauth2"]

    assert leak.statuses == [200, 401]
    assert leak.works is True
    assert "`token`: 30 characters;" in leak.holds


@pytest.mark.django_db
def test_only_the_throwaway_users_rows_are_copied(alice, settings, monkeypatch):
    settings.PASSWORD_HASHERS = FAST_HASHER
    alices = log_in("session", "alice").cookies["sessionid"].value
    log_in("token", "alice"), log_in("jwt", "alice"), log_in("knox", "alice"), log_in("oauth2", "alice")
    copies = []
    steal = database_leak.steal
    monkeypatch.setattr(database_leak, "steal", lambda *args: copies.append(steal(*args)) or copies[-1])

    measure(guess_seconds=0.01)

    (copy,) = copies
    assert len(copy.rows("auth_user")) == len(EXPECTED)  # one throwaway user per namespace
    assert not copy.rows("auth_user", id=alice.pk)
    for table in (
        "authtoken_token",
        "knox_authtoken",
        "token_blacklist_outstandingtoken",
        "oauth2_provider_accesstoken",
    ):
        assert copy.rows(table), table
        assert not copy.rows(table, user_id=alice.pk), table
    assert [row["session_key"] for row in copy.rows("django_session")] != [alices]
    assert len(copy.rows("django_session")) == 1


@pytest.mark.django_db
def test_a_blacklisted_refresh_token_in_the_copy_gives_nothing(alice, settings):
    # After the user logs out at /api/jwt/logout/, the copy's refresh token is in the copy's blacklist too.
    settings.PASSWORD_HASHERS = FAST_HASHER
    client = ApiClient()
    refresh = client.post("/api/jwt/login/", {"username": "alice", "password": PASSWORDS["alice"]}).json()["refresh"]
    assert client.post("/api/jwt/logout/", {"refresh": refresh}).status_code == 200
    victim = database_leak.Victim("jwt", alice.pk, "alice", alice.notes.get().title)

    leak = registry.scheme("jwt").credential.database_leak(database_leak.steal([victim], set()), victim, Attacker(0.01))

    assert (leak.statuses, leak.works) == ([], False)
    assert leak.yields == "nothing: every stored refresh token is blacklisted or refused"


@pytest.mark.django_db
def test_command_prints_text_json_and_markdown(settings, capsys):
    settings.PASSWORD_HASHERS = FAST_HASHER

    call_command("database_leak", "--guess-seconds", "0.01")
    text = capsys.readouterr().out
    call_command("database_leak", "--json", "--guess-seconds", "0.01")
    data = json.loads(capsys.readouterr().out)

    for ns, (statuses, works) in EXPECTED.items():
        assert f"{ns}: {'WORKS' if works else 'refused'} ({' then '.join(map(str, statuses))})" in text
        assert data["namespaces"][ns]["statuses"] == statuses
        assert data["namespaces"][ns]["works"] is works
    assert data["namespaces"]["knox"]["guessing"]["candidates"] == 2**196
    assert data["namespaces"]["basic"]["guessing"]["seconds"] > 0


@pytest.mark.django_db
def test_docs_show_what_the_command_measures(settings, capsys):
    # The site's own hasher (Django's PBKDF2): docs/security.md's Basic row names its iterations.
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    call_command("database_leak", "--markdown", "--guess-seconds", "0.01")
    table, guessing = capsys.readouterr().out.strip().split("\n\nGuessing, where the copy holds only a hash:\n\n")

    page = (Path(settings.BASE_DIR) / "docs" / "security.md").read_text()
    assert table in page, "docs/security.md out of date: paste `manage.py database_leak --markdown`"
    for line in guessing.splitlines():  # the rates are timings: the same line, with any figures
        figures = re.escape(line)
        for number in sorted(set(re.findall(r"[0-9][0-9.,e+]*", line)), key=len, reverse=True):
            figures = figures.replace(re.escape(number), r"[0-9][0-9.,e+]*")
        assert re.search(figures, page), f"docs/security.md has no line like: {line}"


@pytest.mark.django_db
def test_landing_page_shows_the_measured_table(client, settings, monkeypatch, table):
    monkeypatch.setattr(database_leak, "_measured", {})
    monkeypatch.setattr(database_leak, "measure", lambda: table)
    monkeypatch.setattr("measurements.measure.landing_figures", lambda: {})

    page = client.get("/stolen-database/?measure=database-leak").content.decode()  # a GET never measures
    assert '<form id="database-leak-measure" method="post">' in page
    assert not database_leak._measured
    response = press_measure(client, "/stolen-database/")  # the page's button
    assert response.status_code == 302
    assert response["Location"] == "/stolen-database/"
    html = client.get(response["Location"]).content.decode()

    for ns, (statuses, works) in EXPECTED.items():
        row = re.search(rf'<tr id="leak-{re.escape(ns)}">(.*?)</tr>', html, re.S)
        assert row, ns
        assert re.search(r'<td class="statuses">(.*?)</td>', row.group(1)).group(1) == " then ".join(map(str, statuses))
        assert f'<td class="{"survives" if works else "stops"}">{table[ns].yields}</td>' in row.group(1)
    assert "<code>knox_authtoken.digest</code>" in html
    assert html.count("guesses per second on one core") == len(GUESSED)


@pytest.mark.django_db
def test_when_to_choose_names_every_protected_namespace_with_its_measured_leak(client, monkeypatch, table):
    monkeypatch.setattr(database_leak, "_measured", {"table": table})
    monkeypatch.setattr("measurements.measure.landing_figures", lambda: {})

    html = client.get("/choose/").content.decode()

    assert '<tr id="choose-public">' not in html  # the baseline protects nothing
    for ns in EXPECTED:
        row = re.search(rf'<tr id="choose-{re.escape(ns)}">(.*?)</tr>', html, re.S)
        assert row, ns
        assert f'<td class="leak">{table[ns].yields}</td>' in row.group(1)
        assert escape(registry.scheme(ns).choose_when) in row.group(1)
    assert all(f"RFC {n}" in html for n in (7617, 6750, 7519, 8725))
