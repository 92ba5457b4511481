"""How Schemathesis authenticates at the live site (tests/test_schemathesis.py): as a real client, through the login endpoints.

The schemathesis CLI loads this module from ``SCHEMATHESIS_HOOKS``; the site's
URL and an account come from ``DEMO_SITE``, ``DEMO_USERNAME`` and
``DEMO_PASSWORD``. Each provider serves the operations whose ``security``
names its scheme, so a new namespace with one of these schemes is covered by
itself. A credential a test case logged out (token, session) or that expired
(a JWT access token) is refused with 401 (403 for a session): Schemathesis
then logs in again and replays the request (``retry_on``).
"""

import os

import requests
import schemathesis
from requests.auth import _basic_auth_str

SITE = os.environ["DEMO_SITE"]
CREDENTIALS = {"username": os.environ["DEMO_USERNAME"], "password": os.environ["DEMO_PASSWORD"]}


def secured_by(*schemes, paths=()):
    """A filter: operations whose security names one of `schemes`, and the operations at `paths`."""

    def matches(ctx):
        security = ctx.operation.definition.raw.get("security", [])
        return ctx.operation.path in paths or any(
            scheme in requirement for requirement in security for scheme in schemes
        )

    return matches


def login(path, field):
    response = requests.post(f"{SITE}{path}", json=CREDENTIALS, timeout=30)
    response.raise_for_status()
    return response.json()[field]


@schemathesis.auth(refresh_interval=None).apply_to(secured_by("basicAuth"))
class BasicAuth:
    """basicAuth: the user name and password with every request (nothing to fetch)."""

    def get(self, case, ctx):
        return _basic_auth_str(CREDENTIALS["username"], CREDENTIALS["password"])

    def set(self, case, data, ctx):
        case.headers["Authorization"] = data


@schemathesis.auth(retry_on=[401]).apply_to(secured_by("tokenAuth"))
class TokenAuth:
    """tokenAuth: POST /api/token/login/, then `Authorization: Token <key>` (token and token-cached)."""

    def get(self, case, ctx):
        return login("/api/token/login/", "token")

    def set(self, case, data, ctx):
        case.headers["Authorization"] = f"Token {data}"


@schemathesis.auth(retry_on=[401]).apply_to(secured_by("jwtAuth"))
class JWTAuth:
    """jwtAuth: POST /api/jwt/login/, then `Authorization: Bearer <access>` (jwt, jwt-stateless, the tutorial's)."""

    def get(self, case, ctx):
        return login("/api/jwt/login/", "access")

    def set(self, case, data, ctx):
        case.headers["Authorization"] = f"Bearer {data}"


# The session login itself gets the CSRF cookie and header too: without them every attempt is a 403.
@schemathesis.auth(retry_on=[403]).apply_to(secured_by("cookieAuth", paths=["/api/session/login/"]))
class SessionAuth:
    """cookieAuth: GET the login page for the CSRF cookie, POST the credentials with it, then send both cookies and X-CSRFToken."""

    def get(self, case, ctx):
        browser = requests.Session()
        browser.get(f"{SITE}/api/session/login/", timeout=30).raise_for_status()
        csrf = {"X-CSRFToken": browser.cookies["csrftoken"]}
        browser.post(f"{SITE}/api/session/login/", json=CREDENTIALS, headers=csrf, timeout=30).raise_for_status()
        return {"sessionid": browser.cookies["sessionid"], "csrftoken": browser.cookies["csrftoken"]}  # rotated

    def set(self, case, data, ctx):
        case.cookies = {**(case.cookies or {}), **data}
        case.headers["X-CSRFToken"] = data["csrftoken"]
