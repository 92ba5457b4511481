"""How Schemathesis authenticates at the live site (tests/test_schemathesis.py): as any client does, by the site's own recipes.

The schemathesis CLI loads this module (``hooks`` in tests/schemathesis.toml);
the site's URL comes from ``DEMO_SITE``, two accounts from ``DEMO_ACCOUNT`` and
``DEMO_LOGOUT_ACCOUNT`` (``user:password``). ``GET /api/`` says, for each
namespace, how a client gets and sends a credential (its ``client`` recipe);
every operation behind a security scheme gets one by its namespace's recipe,
through the project's recipe client (``recipes``). A namespace added to the
site is covered with nothing to write here, as long as ``recipes`` knows its kind.

The first account's credential is fetched once per recipe and kept (token and
token-cached share one, as a real client would); one refused with 401 (an
expired JWT access token) is fetched again and the request replayed
(Schemathesis's ``retry_on``). The logout operations get a fresh credential of
the second account every time: what they end is theirs alone.
"""

import json
import os
import re
from urllib.parse import urlsplit

import schemathesis

import recipes

SITE = os.environ["DEMO_SITE"]
ACCOUNT, LOGOUT_ACCOUNT = (
    dict(zip(("username", "password"), os.environ[name].split(":", 1), strict=True))
    for name in ("DEMO_ACCOUNT", "DEMO_LOGOUT_ACCOUNT")
)
RECIPES = {  # "/api/<ns>/": its recipe
    urlsplit(namespace["url"]).path: namespace["client"] for namespace in recipes.index(SITE).values()
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
    """Operations behind a security scheme; the session login, which wants the CSRF cookie and header; and
    jwt-cookie's login, refresh and logout, which want it too (and the refresh cookie: no security scheme says so)."""
    recipe = recipe_for(ctx.operation)
    if recipe["kind"] == "session" and ctx.operation.path == recipe["login"]:
        return True
    if recipe["kind"] == "cookie" and ctx.operation.path in (recipe["login"], recipe["refresh"], recipe["logout"]):
        return True
    return recipe["kind"] != "none" and bool(security_of(ctx.operation.definition.raw))


def credential(recipe, account):
    """{"headers": ..., "cookies": ...} for `account`, obtained the way the recipe says (by the recipes client).

    Schemathesis sends a case's headers and cookies itself, so the credential is
    handed over as the headers of an unsafe method (a session's CSRF header
    included) and the cookie jar's contents.
    """
    held = recipes.login(SITE, recipe, account["username"], account["password"])
    return {"headers": held.headers("POST"), "cookies": {cookie.name: cookie.value for cookie in held.cookies}}


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
