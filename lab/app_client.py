"""The tutorial's claim (b), measured: "Cookies are not available in mobile and desktop apps".

A mobile or desktop app talks HTTP through a library with a cookie jar. Here
that is the standard library's (http.cookiejar + urllib): it logs in to each
cookie namespace (session, and jwt-cookie once mounted) the way its recipe in
GET /api/ says, reads me/ and creates a note with the CSRF token echoed in a
header, exactly as a browser's script would.
"""

import json
from http.cookiejar import CookieJar
from urllib.error import HTTPError
from urllib.request import HTTPCookieProcessor, Request, build_opener

COOKIE_KINDS = {"session", "cookie"}  # the recipe kinds whose credential is a cookie
TIMEOUT = 10


class CookieJarClient:
    """One app install: its own cookie jar, the CSRF cookie echoed on unsafe methods."""

    def __init__(self, api, recipe):
        self.api = api
        self.recipe = recipe
        self.jar = CookieJar()
        self.opener = build_opener(HTTPCookieProcessor(self.jar))

    def csrf_token(self):
        name = self.recipe.get("csrf_cookie", "csrftoken")
        return next((c.value for c in self.jar if c.name == name), "")

    def send(self, method, path, data=None):
        """(status, JSON body or {}) without raising on 4xx."""
        headers = {"Accept": "application/json"}
        if method not in ("GET", "HEAD"):
            headers[self.recipe.get("csrf_header", "X-CSRFToken")] = self.csrf_token()
        body = None
        if data is not None:
            headers["Content-Type"] = "application/json"
            body = json.dumps(data).encode()
        request = Request(self.api + path, data=body, headers=headers, method=method)
        try:
            with self.opener.open(request, timeout=TIMEOUT) as response:
                return response.status, json.loads(response.read() or b"{}")
        except HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")


def app_client_rows(api, namespaces, username, password):
    """One row per cookie namespace: what a cookie-jar client got at each step, and the verdict."""
    rows = []
    for ns, recipe in namespaces.items():
        if recipe.get("kind") not in COOKIE_KINDS:
            continue
        client = CookieJarClient(api, recipe)
        steps = {"csrf": client.send("GET", recipe["login"])[0]}
        steps["login"] = client.send("POST", recipe["login"], {"username": username, "password": password})[0]
        status, me = client.send("GET", f"/api/{ns}/me/")
        steps["me"] = status
        steps["note"] = client.send("POST", f"/api/{ns}/notes/", {"title": "from an app", "body": "cookie jar"})[0]
        worked = steps["login"] == 200 and status == 200 and me.get("username") == username and steps["note"] == 201
        rows.append(
            {
                "claim": "b",
                "namespace": ns,
                "client": "http.cookiejar + urllib",
                "steps": steps,
                "cookies": sorted(c.name for c in client.jar),
                "works": worked,
                "detail": (
                    f"GET login/ {steps['csrf']}, POST login/ {steps['login']}, GET me/ {status} "
                    f"({me.get('username')}), POST notes/ with the CSRF header {steps['note']}; "
                    f"the jar kept {', '.join(sorted(c.name for c in client.jar)) or 'nothing'}"
                ),
            }
        )
    return rows
