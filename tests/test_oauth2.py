"""oauth2: the authorization-code flow with PKCE against the live site, and RFC 9700's refusals, each with the database unchanged.

The live test drives the flow with requests-oauthlib (a client library nobody
here wrote): it logs in on the authorization server's login page, approves the
client on DOT's consent page, swaps the code and its PKCE verifier for tokens,
calls me/, refreshes. The attacks run in-process (tests/oauth2_flow.py walks the
same pages through Django's test client), each checked against a snapshot of
every table that holds OAuth state.
"""

import re
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from django.contrib.auth import get_user_model
from django.test import RequestFactory
from django.urls import reverse
from oauth2_provider.models import AccessToken, Application, Grant, RefreshToken
from requests_oauthlib import OAuth2Session

import recipes
import registry
from auth_oauth2.clients import BROWSER, MACHINE, RESOURCE_SERVER
from recipes import pkce

from . import oauth2_flow
from .browser import serve_site
from .conftest import PASSWORDS, ApiClient, follow, log_in

FORM = "application/x-www-form-urlencoded"
RECIPE = {
    "authorize": "/o/authorize/",
    "token": "/o/token/",
    "client_id": "drf-demo-browser",
    "redirect_uri": "http://127.0.0.1/api/oauth2/",
}
OTHER_NAMESPACES = ["basic", "session", "token", "token-cached", "jwt", "jwt-stateless", "jwt-rsa", "knox"]


# --- The whole flow against the live site, with requests-oauthlib


@pytest.fixture(scope="module")
def live_site(tmp_path_factory):
    # Several logins in one module: the per-user login throttle is the login tests' subject, not this one's.
    with serve_site(tmp_path_factory.mktemp("oauth2-site"), LOGIN_THROTTLE="1000/minute") as url:
        yield url


def browser_login(session, site, username, password):
    """Log in on the authorization server's login page (DRF's /api-auth/login/), as a person does in a browser."""
    page = session.get(f"{site}/api-auth/login/")
    fields = {**pkce.hidden_fields(page.text), "username": username, "password": password}
    answer = session.post(page.url, data=fields, headers={"Referer": page.url}, allow_redirects=False)
    assert answer.status_code == 302, answer.text


@pytest.mark.slow
def test_authorization_code_flow_with_pkce_by_requests_oauthlib(live_site, monkeypatch):
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # oauthlib's client wants https; the site is on loopback
    recipe = requests.get(f"{live_site}/api/", headers={"Accept": "application/json"}).json()["namespaces"]["oauth2"]
    recipe = recipe["client"]
    assert recipe["kind"] == "oauth2"
    assert recipe["redirect_uri"] == f"{live_site}/api/oauth2/"
    oauth = OAuth2Session(
        recipe["client_id"], redirect_uri=recipe["redirect_uri"], scope=["read", "write"], pkce="S256"
    )
    authorization_url, state = oauth.authorization_url(live_site + recipe["authorize"])
    assert "code_challenge_method=S256" in authorization_url

    visitor = requests.Session()  # the user's browser: the authorization server's session cookie lives here
    browser_login(visitor, live_site, "alice", "alice-demo-pass")
    consent = visitor.get(authorization_url)
    assert consent.status_code == 200
    assert "The browsable API" in consent.text
    fields = {**pkce.hidden_fields(consent.text), "allow": "Authorize"}
    approved = visitor.post(
        authorization_url, data=fields, headers={"Referer": authorization_url}, allow_redirects=False
    )
    assert approved.status_code == 302
    assert approved.headers["Location"].startswith(recipe["redirect_uri"] + "?code=")
    # RFC 9207: the answer names its authorization server, the issuer the recipe publishes (requests-oauthlib
    # does not check it: a client that talks to one server only may skip it; ours check it, recipes/).
    assert recipe["issuer"] == live_site
    assert parse_qs(urlsplit(approved.headers["Location"]).query)["iss"] == [live_site]

    token = oauth.fetch_token(
        live_site + recipe["token"], authorization_response=approved.headers["Location"], include_client_id=True
    )
    assert token["token_type"] == "Bearer"
    assert token["scope"] == ["read", "write"]
    me = oauth.get(f"{live_site}/api/oauth2/me/")  # requests-oauthlib sends Authorization: Bearer
    assert me.status_code == 200
    assert me.json() == {"username": "alice", "scheme": "oauth2"}
    assert me.headers["X-DB-Queries"] == "1"
    assert requests.get(f"{live_site}/api/oauth2/me/", cookies=visitor.cookies).status_code == 401  # the session: no

    renewed = oauth.refresh_token(live_site + recipe["token"], client_id=recipe["client_id"])
    assert renewed["refresh_token"] != token["refresh_token"]  # rotated
    assert oauth.get(f"{live_site}/api/oauth2/me/").json()["username"] == "alice"


@pytest.mark.slow
def test_client_credentials_as_the_landing_page_shows_it(live_site):
    secret = MACHINE.secret()  # the file seed_demo made in this checkout, as the curl lines read it
    answer = requests.post(
        f"{live_site}/o/token/",
        data={"grant_type": "client_credentials", "scope": "read"},
        auth=(MACHINE.client_id, secret),
    )
    assert answer.status_code == 200, answer.text
    token = answer.json()["access_token"]
    me = requests.get(f"{live_site}/api/oauth2/me/", headers={"Authorization": f"Bearer {token}"})
    assert me.json() == {"username": "nightly-job", "scheme": "oauth2"}  # the client's service account
    wrong = requests.post(
        f"{live_site}/o/token/", data={"grant_type": "client_credentials"}, auth=(MACHINE.client_id, "x")
    )
    assert wrong.status_code == 401
    assert wrong.json()["error"] == "invalid_client"


# --- Attacks, in-process: each refused, the database unchanged


def snapshot():
    tables = [AccessToken, RefreshToken, Grant, Application, get_user_model()]
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in tables}


@pytest.fixture
def visitor(oauth2_clients, alice):
    """alice's browser (a test client) at a loopback host, the redirect URI's."""
    return ApiClient(HTTP_HOST="127.0.0.1")


@pytest.fixture
def code(visitor):
    """(code, verifier): an authorization code fresh from the consent page, and the verifier its challenge came from."""
    verifier = pkce.verifier()
    return oauth2_flow.get_code(visitor, RECIPE, "alice", PASSWORDS["alice"], verifier), verifier


def error_of(response):
    return response.json()["error"]


def test_a_code_exchanged_twice_is_refused(visitor, code):
    first = oauth2_flow.exchange(visitor, RECIPE, *code)
    assert first.status_code == 200
    before = snapshot()

    again = oauth2_flow.exchange(visitor, RECIPE, *code)

    assert again.status_code == 400
    assert error_of(again) == "invalid_grant"
    assert snapshot() == before


@pytest.mark.parametrize("verifier", [None, "plain", "wrong"])
def test_an_exchange_without_the_right_verifier_is_refused(visitor, code, verifier):
    code_value, right = code
    sent = {None: None, "plain": pkce.challenge(right), "wrong": pkce.verifier()}[verifier]  # plain: the challenge
    before = snapshot()

    answer = oauth2_flow.exchange(visitor, RECIPE, code_value, sent)

    assert answer.status_code == 400
    assert error_of(answer) == ("invalid_request" if verifier is None else "invalid_grant")
    assert snapshot() == before


@pytest.mark.parametrize(
    "changes",
    [
        {"code_challenge_method": "plain"},  # RFC 9700 §2.1.1: S256 only
        {"code_challenge": None, "code_challenge_method": None},  # PKCE_REQUIRED
        {"response_type": "token"},  # the implicit grant
        {"redirect_uri": "http://127.0.0.1/api/oauth2x/"},  # one character more than the registered URI
        {"redirect_uri": "http://127.0.0.1/api/oauth2"},  # one character less
        {"client_id": "not-registered"},
    ],
    ids=["plain-challenge", "no-challenge", "implicit", "redirect-plus-one", "redirect-minus-one", "unregistered"],
)
def test_an_authorization_request_outside_the_registration_gets_no_code(visitor, changes):
    verifier = pkce.verifier()
    query = oauth2_flow.authorization_request(RECIPE, verifier, **changes)
    oauth2_flow.session_login(visitor, "alice", PASSWORDS["alice"], "/api/oauth2/")
    before = snapshot()

    page = visitor.get(RECIPE["authorize"], query)
    # "Authorize" pressed on the consent page if there is one, else on a form forged from the query (with CSRF).
    fields = pkce.hidden_fields(page.content.decode()) or {
        **query,
        "csrfmiddlewaretoken": visitor.cookies["csrftoken"].value,
    }
    approved = visitor.post(RECIPE["authorize"], urlencode({**fields, "allow": "Authorize"}), content_type=FORM)

    for answer in (page, approved):
        location = answer.get("Location", "")
        assert "code=" not in location, (answer.status_code, location)
        assert "access_token" not in location, (answer.status_code, location)
        if location:  # an error, told to the registered redirect URI only (in the fragment, for response_type=token)
            assert re.match(re.escape(RECIPE["redirect_uri"]) + r"[?#]", location)
            assert "error=" in location
    assert approved.status_code in (302, 400), approved.content
    assert snapshot() == before


def test_a_redirect_uri_differing_at_the_exchange_is_refused(visitor, code):
    before = snapshot()

    answer = oauth2_flow.exchange(visitor, RECIPE, *code, redirect_uri="http://127.0.0.1/api/oauth2/x")

    assert answer.status_code == 400
    assert error_of(answer) in ("invalid_request", "invalid_grant")
    assert snapshot() == before


@pytest.mark.parametrize("grant", ["password", "client_credentials", "implicit"])
def test_grants_the_browser_client_is_not_registered_for_are_refused(visitor, grant):
    body = {"grant_type": grant, "client_id": BROWSER.client_id, "username": "alice", "password": PASSWORDS["alice"]}
    before = snapshot()

    answer = visitor.post(RECIPE["token"], urlencode(body), content_type=FORM)

    assert answer.status_code in (400, 401)
    assert error_of(answer) in ("unsupported_grant_type", "unauthorized_client", "invalid_client")
    assert snapshot() == before


def test_the_password_grant_is_refused_even_for_a_confidential_client(oauth2_clients, alice):
    client = ApiClient()
    body = {"grant_type": "password", "username": "alice", "password": PASSWORDS["alice"]}
    before = snapshot()

    answer = client.post(
        RECIPE["token"],
        urlencode(body),
        content_type=FORM,
        HTTP_AUTHORIZATION=basic(MACHINE.client_id, MACHINE.secret()),
    )

    assert answer.status_code in (400, 401)
    assert "access_token" not in answer.json()
    assert snapshot() == before


def basic(username, password):
    from .conftest import basic_header

    return basic_header(username, password)


def test_an_access_token_in_the_query_string_or_the_body_is_refused(oauth2_clients, alice):
    token = log_in("oauth2", "alice").defaults["HTTP_AUTHORIZATION"].split()[1]
    client = ApiClient()
    before = snapshot()

    in_query = client.get(f"/api/oauth2/me/?access_token={token}")
    in_body = client.post("/api/oauth2/notes/", urlencode({"access_token": token, "title": "t"}), content_type=FORM)

    assert in_query.status_code == 401
    assert in_query["WWW-Authenticate"] == 'Bearer realm="api"'
    assert in_body.status_code == 401
    assert snapshot() == before


def test_a_refresh_token_reused_after_rotation_revokes_its_whole_family(visitor, code):
    first = oauth2_flow.exchange(visitor, RECIPE, *code).json()
    refresh = {"grant_type": "refresh_token", "client_id": BROWSER.client_id}
    second = visitor.post(
        RECIPE["token"], urlencode({**refresh, "refresh_token": first["refresh_token"]}), content_type=FORM
    )
    assert second.status_code == 200
    second = second.json()
    bearer = ApiClient()

    reused = visitor.post(
        RECIPE["token"], urlencode({**refresh, "refresh_token": first["refresh_token"]}), content_type=FORM
    )

    assert reused.status_code == 400
    assert error_of(reused) == "invalid_grant"
    # Reuse detection (REFRESH_TOKEN_REUSE_PROTECTION): the thief's or the user's, the server can't tell, so the
    # refresh token the rotation gave is revoked too, and the access token that came with it.
    assert bearer.get("/api/oauth2/me/", HTTP_AUTHORIZATION=f"Bearer {second['access_token']}").status_code == 401
    again = visitor.post(
        RECIPE["token"], urlencode({**refresh, "refresh_token": second["refresh_token"]}), content_type=FORM
    )
    assert again.status_code == 400
    assert error_of(again) == "invalid_grant"
    assert not AccessToken.objects.filter(user__username="alice").exists()


@pytest.mark.parametrize("who", ["nobody", "browser-client", "wrong-secret", "resource-server"])
def test_introspection_needs_resource_server_credentials(oauth2_clients, alice, who):
    token = log_in("oauth2", "alice").defaults["HTTP_AUTHORIZATION"].split()[1]
    credentials = {
        "nobody": {},
        "browser-client": {"HTTP_AUTHORIZATION": basic(BROWSER.client_id, "")},
        "wrong-secret": {"HTTP_AUTHORIZATION": basic(RESOURCE_SERVER.client_id, "wrong")},
        "resource-server": {"HTTP_AUTHORIZATION": basic(RESOURCE_SERVER.client_id, RESOURCE_SERVER.secret())},
    }[who]
    before = snapshot()

    answer = ApiClient().post(
        reverse("oauth2_provider:introspect"), urlencode({"token": token}), content_type=FORM, **credentials
    )

    if who == "resource-server":
        assert answer.status_code == 200
        assert answer.json()["active"] is True
        assert answer.json()["username"] == "alice"
    else:
        assert answer.status_code == 403
        assert b"alice" not in answer.content
    assert snapshot() == before


@pytest.mark.parametrize("ns", OTHER_NAMESPACES)
def test_a_token_of_one_namespace_is_refused_at_the_other(oauth2_clients, alice, ns):
    oauth2 = log_in("oauth2", "alice").defaults["HTTP_AUTHORIZATION"]
    theirs = log_in(ns, "alice")
    before = snapshot()

    at_theirs = ApiClient().get(f"/api/{ns}/me/", HTTP_AUTHORIZATION=oauth2)
    assert at_theirs.status_code in (401, 403)
    if "HTTP_AUTHORIZATION" in theirs.defaults:
        at_ours = ApiClient().get("/api/oauth2/me/", HTTP_AUTHORIZATION=theirs.defaults["HTTP_AUTHORIZATION"])
        assert at_ours.status_code == 401
        assert at_ours["WWW-Authenticate"] == 'Bearer realm="api"'
    else:  # the session cookie
        assert theirs.get("/api/oauth2/me/").status_code == 401
    assert snapshot() == before


def test_the_consent_page_refused_gives_no_code(visitor):
    query = oauth2_flow.authorization_request(RECIPE, pkce.verifier())
    oauth2_flow.session_login(visitor, "alice", PASSWORDS["alice"], "/api/oauth2/")
    page = visitor.get(RECIPE["authorize"], query)
    before = snapshot()

    refused = visitor.post(RECIPE["authorize"], urlencode(pkce.hidden_fields(page.content.decode())), content_type=FORM)

    assert refused.status_code == 302
    assert parse_qs(urlsplit(refused["Location"]).query)["error"] == ["access_denied"]
    assert snapshot() == before
    assert re.search(r"<title>Authorization server: ", page.content.decode())


def test_a_code_from_another_issuer_is_never_exchanged(oauth2_clients, alice):
    """The mix-up attack (RFC 9700 §4.4): the recipe client sends a code only to the server whose `iss` came back."""
    recipe = registry.scheme("oauth2").recipe.as_json(RequestFactory(HTTP_HOST="127.0.0.1").get("/api/"))
    assert recipe["issuer"] == "http://127.0.0.1"
    elsewhere = {**recipe, "issuer": "https://authorization-server.example"}

    with pytest.raises(recipes.RecipeError, match="its iss is not 'https://authorization-server.example'"):
        follow(elsewhere, "alice", PASSWORDS["alice"])

    assert not AccessToken.objects.exists()  # the code was never exchanged
    assert Grant.objects.count() == 1
