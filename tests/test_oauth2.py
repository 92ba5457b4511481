"""oauth2: the authorization-code flow with PKCE against the live site, and the machine client's grant.

The live test drives the flow with requests-oauthlib (a client library nobody
here wrote): it logs in on the authorization server's login page, approves the
client on DOT's consent page, swaps the code and its PKCE verifier for tokens,
calls me/, refreshes. RFC 9700's refusals, each with the database unchanged,
are in the attack suite (tests/test_attacks.py, "oauth2"); the landing page's
curl lines run as they are written in tests/test_curl_lines.py.
"""

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from requests_oauthlib import OAuth2Session

from auth_oauth2.clients import MACHINE
from recipes import pkce

from .browser import serve_site

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
