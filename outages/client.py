"""A client of one namespace over real HTTP, following the namespace's recipe in GET /api/ as any client would."""

import base64
import http.cookiejar
import json
import urllib.error
import urllib.request

# The recipe kinds this client can log in with (INTERFACES.md); others (oauth2) are reported as not measured.
KINDS = ("none", "basic", "session", "cookie", "token", "jwt")


class Client:
    """One user's client of namespace `ns`: its own cookie jar and headers; each method answers an HTTP status."""

    def __init__(self, base, ns, recipe, endpoints, username, password, timeout=10):
        self.base, self.ns, self.recipe, self.endpoints = base, ns, recipe, endpoints
        self.username, self.password, self.timeout = username, password, timeout
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.headers = {"Accept": "application/json"}
        self.refresh_token = None

    def request(self, method, url, data=None, headers=None):
        """(status, headers, body) of one request; 4xx and 5xx are answers too."""
        url = url if url.startswith("http") else self.base + url
        body = None if data is None else json.dumps(data).encode()
        headers = {**self.headers, **({"Content-Type": "application/json"} if body else {}), **(headers or {})}
        request = urllib.request.Request(url, data=body, headers=headers, method=method)
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()

    def cookie(self, name):
        return next((c.value for c in self.jar if c.name == name), "")

    def csrf(self):
        name = self.recipe.get("csrf_header", "X-CSRFToken")
        return {name: self.cookie(self.recipe.get("csrf_cookie", "csrftoken"))}

    @property
    def logs_in(self):
        return self.recipe["kind"] in KINDS and bool(self.recipe.get("login"))

    def log_in(self):
        """The login's status (None: the namespace has no login); on 200 the client holds the credential."""
        kind = self.recipe["kind"]
        if kind == "basic":
            raw = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
            self.headers["Authorization"] = f"Basic {raw}"
            return None
        if not self.logs_in:
            return None
        credentials = {"username": self.username, "password": self.password}
        if kind in ("session", "cookie"):
            self.request("GET", self.recipe["login"])  # the CSRF cookie
            status, _, _ = self.request("POST", self.recipe["login"], credentials, self.csrf())
            self.headers.update(self.csrf())  # login rotates it
            return status
        status, _, body = self.request("POST", self.recipe["login"], credentials)
        if status == 200:
            answer = json.loads(body)
            if kind == "token":
                self.headers["Authorization"] = f"{self.recipe['keyword']} {answer[self.recipe['field']]}"
            else:  # jwt
                self.headers["Authorization"] = f"{self.recipe['keyword']} {answer['access']}"
                self.refresh_token = answer["refresh"]
        return status

    def me(self):
        return self.request("GET", f"/api/{self.ns}/me/")

    def logout(self):
        """The logout's status (None: the namespace has no logout endpoint of its own)."""
        url = self.endpoints.get("logout")
        if url is None or not self.logs_in:
            return None
        body = {"refresh": self.refresh_token} if self.recipe["kind"] == "jwt" else None
        return self.request("POST", url, body, self.csrf())[0]

    def refresh(self, token=None):
        return self.request("POST", self.recipe["refresh"], {"refresh": token or self.refresh_token})


def namespaces(base):
    """{ns: (recipe, endpoints)} from GET /api/ and each GET /api/<ns>/."""
    probe = Client(base, "", {"kind": "none"}, {}, "", "")
    index = json.loads(probe.request("GET", "/api/")[2])["namespaces"]
    return {
        ns: (entry["client"], json.loads(probe.request("GET", f"/api/{ns}/")[2])["endpoints"])
        for ns, entry in index.items()
    }
