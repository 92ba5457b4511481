"""How Schemathesis authenticates at the live site (tests/test_schemathesis.py): as any client does, by the site's own recipes.

The schemathesis CLI loads this module (``hooks`` in tests/schemathesis.toml);
the site's URL comes from ``DEMO_SITE``, two accounts from ``DEMO_ACCOUNT`` and
``DEMO_LOGOUT_ACCOUNT`` (``user:password``). ``GET /api/`` says, for each
namespace, how a client gets and sends a credential (its ``client`` recipe:
basic, session, token, jwt); every operation behind a security scheme gets
one by its namespace's recipe. A namespace added to the site is covered with
nothing to write here, as long as its recipe is of a kind below.

The first account's credential is fetched once per recipe and kept (token and
token-cached share one, as a real client would); one refused with 401 (an
expired JWT access token) is fetched again and the request replayed
(Schemathesis's ``retry_on``). The logout operations get a fresh credential of
the second account every time: what they end is theirs alone.
"""

import json
import os
import re
from urllib.parse import parse_qs, urlsplit

import requests
import schemathesis
from requests.auth import _basic_auth_str

from registry import pkce

SITE = os.environ["DEMO_SITE"]
ACCOUNT, LOGOUT_ACCOUNT = (
    dict(zip(("username", "password"), os.environ[name].split(":", 1), strict=True))
    for name in ("DEMO_ACCOUNT", "DEMO_LOGOUT_ACCOUNT")
)
RECIPES = {  # "/api/<ns>/": its recipe
    urlsplit(namespace["url"]).path: namespace["client"]
    for namespace in requests.get(f"{SITE}/api/", headers={"Accept": "application/json"}, timeout=30)
    .json()["namespaces"]
    .values()
}
LOGOUT = re.compile(r"/logout(all)?/$")


def security_of(operation):
    return [name for requirement in operation.get("security", []) for name in requirement]


def recipe_for(operation):
    """The recipe of the namespace the operation is under; outside every namespace (the tutorial's /api/protected/),
    that of a namespace whose root names the same security scheme."""
    for prefix, recipe in RECIPES.items():
        if operation.path.startswith(prefix):
            return recipe
    paths = operation.schema.raw_schema["paths"]
    wanted = set(security_of(operation.definition.raw))
    for prefix, recipe in RECIPES.items():
        if wanted & set(security_of(paths.get(prefix, {}).get("get", {}))):
            return recipe
    return {"kind": "none"}


def needs_a_credential(ctx):
    """Operations behind a security scheme; and the session login, which wants the CSRF cookie and header."""
    recipe = recipe_for(ctx.operation)
    if recipe["kind"] == "session" and ctx.operation.path == recipe["login"]:
        return True
    return recipe["kind"] != "none" and bool(security_of(ctx.operation.definition.raw))


def credential(recipe, account):
    """{"headers": ..., "cookies": ...} for `account`, obtained the way the recipe says."""
    kind = recipe["kind"]
    if kind == "basic":
        return {"headers": {"Authorization": _basic_auth_str(account["username"], account["password"])}, "cookies": {}}
    if kind == "session":
        browser = requests.Session()
        browser.get(f"{SITE}{recipe['login']}", timeout=30).raise_for_status()
        csrf = {"X-CSRFToken": browser.cookies["csrftoken"]}
        browser.post(f"{SITE}{recipe['login']}", json=account, headers=csrf, timeout=30).raise_for_status()
        cookies = {"sessionid": browser.cookies["sessionid"], "csrftoken": browser.cookies["csrftoken"]}  # rotated
        return {"headers": {"X-CSRFToken": cookies["csrftoken"]}, "cookies": cookies}
    if kind in ("token", "jwt"):
        response = requests.post(f"{SITE}{recipe['login']}", json=account, timeout=30)
        response.raise_for_status()
        value = response.json()[recipe.get("field", "access")]
        return {"headers": {"Authorization": f"{recipe['keyword']} {value}"}, "cookies": {}}
    if kind == "oauth2":
        return {
            "headers": {"Authorization": f"{recipe['keyword']} {oauth2_access_token(recipe, account)}"},
            "cookies": {},
        }
    raise ValueError(f"no client for a {kind!r} recipe: teach tests/schemathesis_auth.py its kind")


def oauth2_access_token(recipe, account):
    """The authorization-code flow with PKCE, as a browser and its app run it: the authorization endpoint sends an
    anonymous visitor to the login page, then shows the consent page; the code comes back on the redirect URI."""
    browser = requests.Session()
    verifier = pkce.verifier()
    query = {
        "response_type": "code",
        "client_id": recipe["client_id"],
        "redirect_uri": recipe["redirect_uri"],
        "scope": "read write",
        "state": "schemathesis",
        "code_challenge": pkce.challenge(verifier),
        "code_challenge_method": "S256",
    }
    login = browser.get(f"{SITE}{recipe['authorize']}", params=query, timeout=30)  # redirected to the login page
    fields = {**pkce.hidden_fields(login.text), **account}
    consent = browser.post(login.url, data=fields, headers={"Referer": login.url}, timeout=30)  # back to authorize/
    fields = {**pkce.hidden_fields(consent.text), "allow": "Authorize"}
    approved = browser.post(
        consent.url, data=fields, headers={"Referer": consent.url}, allow_redirects=False, timeout=30
    )
    code = parse_qs(urlsplit(approved.headers["Location"]).query)["code"][0]
    exchange = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": recipe["redirect_uri"],
        "client_id": recipe["client_id"],
        "code_verifier": verifier,
    }
    response = requests.post(f"{SITE}{recipe['token']}", data=exchange, timeout=30)
    response.raise_for_status()
    return response.json()["access_token"]


class ByRecipe:
    """The first account's credential, by the recipe of the operation's namespace."""

    account = ACCOUNT

    def get(self, case, ctx):
        return credential(recipe_for(ctx.operation), self.account)

    def set(self, case, data, ctx):
        case.headers.update(data["headers"])
        case.cookies = {**(case.cookies or {}), **data["cookies"]}


class FreshToLogOut(ByRecipe):
    """A fresh credential of the second account, for one logout."""

    account = LOGOUT_ACCOUNT


# The first provider whose filter matches a case serves it: the logouts' first.
schemathesis.auth(refresh_interval=None).apply_to(
    lambda ctx: needs_a_credential(ctx) and bool(LOGOUT.search(ctx.operation.path))
)(FreshToLogOut)
schemathesis.auth(cache_by_key=lambda case, ctx: json.dumps(recipe_for(ctx.operation), sort_keys=True)).apply_to(
    needs_a_credential
)(ByRecipe)
