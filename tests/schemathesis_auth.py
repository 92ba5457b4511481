"""How Schemathesis authenticates at the live site (tests/test_schemathesis.py): as a real client, through the login endpoints.

The schemathesis CLI loads this module (``hooks`` in its configuration); the
site's URL comes from ``DEMO_SITE``, two accounts from ``DEMO_ACCOUNT`` and
``DEMO_LOGOUT_ACCOUNT`` (``user:password``). Each provider serves the
operations whose ``security`` names its scheme, so a new namespace with one of
these schemes is covered by itself.

The first account's credentials are fetched once and kept; one that expired
(a JWT access token) is refused with 401, and Schemathesis then logs in again
and replays the request (``retry_on``). The logout operations get a fresh
credential of the second account every time: what they end is theirs alone.
"""

import os

import requests
import schemathesis
from requests.auth import _basic_auth_str

SITE = os.environ["DEMO_SITE"]
ACCOUNT, LOGOUT_ACCOUNT = (
    dict(zip(("username", "password"), os.environ[name].split(":", 1), strict=True))
    for name in ("DEMO_ACCOUNT", "DEMO_LOGOUT_ACCOUNT")
)
LOGOUT = r"/logout/$"


def secured_by(*schemes, paths=()):
    """A filter: operations whose security names one of `schemes`, and the operations at `paths`."""

    def matches(ctx):
        security = ctx.operation.definition.raw.get("security", [])
        return ctx.operation.path in paths or any(
            scheme in requirement for requirement in security for scheme in schemes
        )

    return matches


def login(path, field, account=ACCOUNT):
    response = requests.post(f"{SITE}{path}", json=account, timeout=30)
    response.raise_for_status()
    return response.json()[field]


def session_login(account=ACCOUNT):
    """GET the login page for the CSRF cookie, POST the credentials with it: the session's two cookies."""
    browser = requests.Session()
    browser.get(f"{SITE}/api/session/login/", timeout=30).raise_for_status()
    csrf = {"X-CSRFToken": browser.cookies["csrftoken"]}
    browser.post(f"{SITE}/api/session/login/", json=account, headers=csrf, timeout=30).raise_for_status()
    return {"sessionid": browser.cookies["sessionid"], "csrftoken": browser.cookies["csrftoken"]}  # rotated


def set_token(case, key):
    case.headers["Authorization"] = f"Token {key}"


def set_session(case, cookies):
    case.cookies = {**(case.cookies or {}), **cookies}
    case.headers["X-CSRFToken"] = cookies["csrftoken"]


# Registered first: the first provider whose filter matches a case serves it.
@schemathesis.auth(refresh_interval=None).apply_to(secured_by("tokenAuth"), path_regex=LOGOUT)
class TokenToLogOut:
    """A fresh key of the second account for each token logout."""

    def get(self, case, ctx):
        return login("/api/token/login/", "token", LOGOUT_ACCOUNT)

    def set(self, case, data, ctx):
        set_token(case, data)


@schemathesis.auth(refresh_interval=None).apply_to(secured_by("cookieAuth"), path_regex=LOGOUT)
class SessionToLogOut:
    """A fresh session of the second account for each session logout."""

    def get(self, case, ctx):
        return session_login(LOGOUT_ACCOUNT)

    def set(self, case, data, ctx):
        set_session(case, data)


@schemathesis.auth(refresh_interval=None).apply_to(secured_by("basicAuth"))
class BasicAuth:
    """basicAuth: the user name and password with every request (nothing to fetch)."""

    def get(self, case, ctx):
        return _basic_auth_str(ACCOUNT["username"], ACCOUNT["password"])

    def set(self, case, data, ctx):
        case.headers["Authorization"] = data


@schemathesis.auth().apply_to(secured_by("tokenAuth"))
class TokenAuth:
    """tokenAuth: POST /api/token/login/, then `Authorization: Token <key>` (token and token-cached)."""

    def get(self, case, ctx):
        return login("/api/token/login/", "token")

    def set(self, case, data, ctx):
        set_token(case, data)


@schemathesis.auth().apply_to(secured_by("jwtAuth"))
class JWTAuth:
    """jwtAuth: POST /api/jwt/login/, then `Authorization: Bearer <access>` (jwt, jwt-stateless, the tutorial's)."""

    def get(self, case, ctx):
        return login("/api/jwt/login/", "access")

    def set(self, case, data, ctx):
        case.headers["Authorization"] = f"Bearer {data}"


# The session login itself gets the CSRF cookie and header too: without them every attempt is a 403.
@schemathesis.auth().apply_to(secured_by("cookieAuth", paths=["/api/session/login/"]))
class SessionAuth:
    """cookieAuth: log in through the JSON login, then send the session's cookies, and X-CSRFToken."""

    def get(self, case, ctx):
        return session_login()

    def set(self, case, data, ctx):
        set_session(case, data)
