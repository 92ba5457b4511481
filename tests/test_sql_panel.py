"""The SQL panel under every browsable-API page: the statements the contract's query counts predict, and never a value."""

import re
from html import unescape

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from instrumentation.middleware import RequestCost, SQLRecorder

from .conftest import NAMESPACES, PASSWORDS, log_in

pytestmark = pytest.mark.django_db

# What GET me/ reads in each namespace (token-cached: once its cache is warm): each statement's step and tables.
EXPECTED_STEPS = {
    "public": [],
    "basic": [("user lookup", ["auth_user"])],
    "session": [("session lookup", ["django_session"]), ("user lookup", ["auth_user"])],
    "token": [("token lookup", ["authtoken_token", "auth_user"])],
    "token-cached": [],
    "jwt": [("user lookup", ["auth_user"])],
    "jwt-stateless": [],
    "jwt-rsa": [("user lookup", ["auth_user"])],
    "knox": [("token lookup", ["knox_authtoken", "auth_user"]), ("expired-token cleanup", ["knox_authtoken"])],
    "jwt-cookie": [("user lookup", ["auth_user"])],
    "oauth2": [("token lookup", ["oauth2_provider_accesstoken", "auth_user", "oauth2_provider_application"])],
    # The token is asked about over HTTP (the authorization server's queries are its own); here, the user by name.
    "oauth2-introspect": [("user lookup", ["auth_user"])],
    "oauth2-introspect-cached": [("user lookup", ["auth_user"])],
}
PANEL_ROW = re.compile(r'<td class="sql-step">(.*?)</td>.*?<code class="sql-text">(.*?)</code>', re.S)
SUMMARY = re.compile(r'This request ran <b class="sql-queries">(\d+)</b>')


@pytest.fixture
def show_sql(settings):
    settings.DEMO_SHOW_SQL = True  # read when a client's middleware starts: set before the first request


def browse(client, url):
    response = client.get(url, HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    return response, response.content.decode()


def panel_rows(html):
    """(step, tables read) of each statement listed in the panel."""
    return [(step, re.findall(r'(?:FROM|JOIN) "(\w+)"', unescape(sql))) for step, sql in PANEL_ROW.findall(html)]


def secrets_of(client, ns, username="alice"):
    """Every value a statement's parameters held that must never reach the page."""
    user = get_user_model().objects.get(username=username)
    values = [user.password, PASSWORDS[username]]
    if "sessionid" in client.cookies:
        values.append(client.cookies["sessionid"].value)
    authorization = client.defaults.get("HTTP_AUTHORIZATION")
    if authorization:
        values.append(authorization.split()[1])  # token key, JWT, or base64(username:password)
    values.extend(client.cookies[name].value for name in ("jwt_access", "jwt_refresh") if name in client.cookies)
    if ns in ("token", "token-cached"):
        values.append(user.auth_token.key)
    if ns == "knox":  # the lookup's parameter is the token's first 15 characters; the rows hold digests
        values.append(authorization.split()[1][:15])
        values.extend(token.digest for token in user.auth_token_set.all())
    if ns == "oauth2":  # the lookup's parameter is the token's SHA-256, kept in the table
        values.extend(user.oauth2_provider_accesstoken.values_list("token_checksum", flat=True))
    return values


@pytest.mark.parametrize("ns", NAMESPACES)
def test_panel_lists_the_statements_of_me(ns, alice, show_sql):
    client = log_in(ns, "alice")
    if ns == "token-cached":
        _, first = browse(client, reverse(f"{ns}:me"))  # fills the cache
        assert panel_rows(first) == [("token lookup", ["authtoken_token", "auth_user"])]

    response, html = browse(client, reverse(f"{ns}:me"))

    assert panel_rows(html) == EXPECTED_STEPS[ns]
    assert SUMMARY.search(html).group(1) == str(len(EXPECTED_STEPS[ns]))
    if not EXPECTED_STEPS[ns]:
        assert "without asking the database" in html
    assert int(response["X-DB-Queries"]) >= len(EXPECTED_STEPS[ns])  # the header also counts what follows the panel
    for value in secrets_of(client, ns):
        assert value not in html, f"{ns} page shows a parameter value"
    assert "%s" in html or not EXPECTED_STEPS[ns]  # placeholders where the values were


@pytest.mark.parametrize("ns", NAMESPACES)
def test_panel_under_every_page_of_a_namespace(ns, alice, show_sql):
    client = log_in(ns, "alice")
    for url in (reverse(f"{ns}:root"), reverse(f"{ns}:notes-list")):
        _, html = browse(client, url)
        assert 'id="sql-panel"' in html, url
        steps = [step for step, _ in panel_rows(html)]
        if ns != "public":
            assert "the resource itself" in steps or url.endswith(f"/{ns}/"), (url, steps)
        for value in secrets_of(client, ns):
            assert value not in html


def test_the_resource_and_the_login_are_told_apart(alice, show_sql):
    client = log_in("token", "alice")
    _, html = browse(client, reverse("token:notes-list"))

    rows = panel_rows(html)
    assert rows[0] == ("token lookup", ["authtoken_token", "auth_user"])
    assert ("the resource itself", ["api_note"]) in rows


def test_debug_turns_the_recorder_on(alice, settings):
    settings.DEBUG = True
    settings.DEMO_SHOW_SQL = False
    response = log_in("jwt", "alice").get(reverse("jwt:me"))

    assert type(response.wsgi_request.cost) is SQLRecorder
    assert [s.step for s in response.wsgi_request.cost.statements] == ["user lookup"]


def test_recorder_off_keeps_no_sql(alice, settings):
    settings.DEBUG = False
    settings.DEMO_SHOW_SQL = False
    client = log_in("session", "alice")

    response, html = browse(client, reverse("session:me"))

    cost = response.wsgi_request.cost
    assert type(cost) is RequestCost
    assert not hasattr(cost, "statements")
    assert cost.queries == 2
    assert response["X-DB-Queries"] == "2"  # still counted
    assert 'class="sql-off"' in html
    assert "DEMO_SHOW_SQL=1" in html
    assert "SELECT" not in html
    assert "django_session" not in html


# What the landing page's step-by-step says the client sent and which class checked it.
SENT_AND_CHECKED = {
    "public": ("no credential", "every request is anonymous"),
    "basic": ("Authorization: Basic ‹", "auth_basic.authentication.BasicAuthentication"),
    "session": ("Cookie: sessionid=‹32 characters›", "rest_framework.authentication.SessionAuthentication"),
    "token": ("Authorization: Token ‹40 characters›", "auth_token.authentication.TokenAuthentication"),
    "token-cached": ("Authorization: Token ‹40 characters›", "auth_token.authentication.CachedTokenAuthentication"),
    "jwt": ("Authorization: Bearer ‹", "rest_framework_simplejwt.authentication.JWTAuthentication"),
    "jwt-stateless": (
        "Authorization: Bearer ‹",
        "auth_jwt.authentication.JWTStatelessUserAuthentication",
    ),
    "jwt-rsa": ("Authorization: Bearer ‹", "auth_jwt_rsa.authentication.JWTAuthentication"),
}


def test_landing_page_walks_through_one_request_per_scheme(alice, client, monkeypatch):
    import measurements.measure

    monkeypatch.setattr(measurements.measure, "DEMO_USERS", {"alice": PASSWORDS["alice"]})
    monkeypatch.setattr(measurements.measure, "_landing", {})

    html = client.get("/step-by-step/").content.decode()

    assert 'href="/race/"' in html
    for ns, (sent, checked) in SENT_AND_CHECKED.items():
        section = re.search(rf'<section class="walkthrough" id="walk-{re.escape(ns)}">(.*?)</section>', html, re.S)
        assert section, ns
        text = unescape(section.group(1))
        assert sent in text, (ns, text)
        assert checked in text, (ns, text)
        reads = re.findall(
            r'<li class="walk-read"><span class="walk-step">(.*?)</span>: <code>(.*?)</code>', section.group(1)
        )
        first = EXPECTED_STEPS[ns] if ns != "token-cached" else [("token lookup", ["authtoken_token", "auth_user"])]
        assert [(step, re.findall(r'(?:FROM|JOIN) "(\w+)"', unescape(sql))) for step, sql in reads] == first, ns
        if not first:
            assert "nothing: no SQL at all" in text
        assert ("the answer came from the cache" in text) == (ns == "token-cached"), ns
    user = get_user_model().objects.get(username="alice")
    for value in (user.password, PASSWORDS["alice"], user.auth_token.key):
        assert value not in html
