"""The authorization-code flow with PKCE, driven through Django's test client by the recipe GET /api/ publishes.

What a user does in the browser, step by step: log in on the authorization
server's login page (DRF's /api-auth/login/, a session), GET /o/authorize/
(the consent page), POST it with "Authorize" (a redirect to the redirect URI
with ?code=), then the client swaps the code and its PKCE verifier at
/o/token/. tests/test_oauth2.py runs the same flow with requests-oauthlib
against a live server.
"""

from urllib.parse import parse_qs, urlencode, urlsplit

from recipes import pkce

FORM = "application/x-www-form-urlencoded"


def session_login(client, username, password, next_url):
    """Log in on the authorization server's login page (a form with CSRF), as a browser would."""
    login = "/api-auth/login/"
    page = client.get(login, {"next": next_url})
    fields = {**pkce.hidden_fields(page.content.decode()), "username": username, "password": password}
    answer = client.post(login, urlencode(fields), content_type=FORM)
    assert answer.status_code == 302, answer.content


def authorization_request(recipe, code_verifier, state="state-1", **changes):
    """The query string of GET authorize/: the recipe's client and redirect URI, the S256 challenge; `changes` override."""
    query = {
        "response_type": "code",
        "client_id": recipe["client_id"],
        "redirect_uri": recipe["redirect_uri"],
        "scope": "read write",
        "state": state,
        "code_challenge": pkce.challenge(code_verifier),
        "code_challenge_method": "S256",
        **changes,
    }
    return {name: value for name, value in query.items() if value is not None}


def consent(client, recipe, query):
    """GET the consent page, then press "Authorize": the redirect's Location."""
    page = client.get(recipe["authorize"], query)
    assert page.status_code == 200, page.content
    fields = {**pkce.hidden_fields(page.content.decode()), "allow": "Authorize"}
    answer = client.post(recipe["authorize"], urlencode(fields), content_type=FORM)
    assert answer.status_code == 302, answer.content
    return answer["Location"]


def code_of(location):
    return parse_qs(urlsplit(location).query)["code"][0]


def exchange(client, recipe, code, code_verifier, **changes):
    """POST token/ with the code and the verifier, as the public client: the response."""
    body = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": recipe["redirect_uri"],
        "client_id": recipe["client_id"],
        "code_verifier": code_verifier,
        **changes,
    }
    body = {name: value for name, value in body.items() if value is not None}
    return client.post(recipe["token"], urlencode(body), content_type=FORM)


def get_code(client, recipe, username, password, code_verifier):
    """A fresh authorization code for `username`, through the login and consent pages."""
    query = authorization_request(recipe, code_verifier)
    session_login(client, username, password, f"{recipe['authorize']}?{urlencode(query)}")
    return code_of(consent(client, recipe, query))


def tokens(client, recipe, username, password):
    """{"access_token", "refresh_token", ...}: the whole flow; `client` keeps the authorization server's session."""
    code_verifier = pkce.verifier()
    answer = exchange(client, recipe, get_code(client, recipe, username, password, code_verifier), code_verifier)
    assert answer.status_code == 200, answer.content
    return answer.json()
