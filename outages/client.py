"""A client of one namespace over real HTTP, as any client of GET /api/ is: the project's recipe client (recipes/).

What the outage measurement asks of it is a status per step, refusals
included: a login refused with a 503 is a cell of the table, not an error.
"""

import dataclasses

import recipes


class Client:
    """One user's client of namespace `ns`: its own cookie jar; each method answers an HTTP status."""

    def __init__(self, base, ns, recipe, endpoints, username, password, timeout=10):
        self.ns, self.recipe, self.endpoints = ns, recipe, endpoints
        self.username, self.password = username, password
        self.transport = recipes.HTTPTransport(base, timeout)
        self.recipes = recipes.RecipeClient(self.transport)
        self.credential = self.recipes.credential(recipe)  # nothing held until log_in

    def request(self, method, url, data=None, headers=None):
        """(status, headers, body) of one request with the credential held; 4xx and 5xx are answers too."""
        answer = self.credential.request(method, url, data, headers)
        return answer.status, answer.headers, answer.body

    @property
    def logs_in(self):
        # A login URL, or a flow of its own (oauth2: the authorization and token endpoints).
        has_login = self.recipe.get("login") or self.recipe.get("token")
        return bool(has_login) and hasattr(self.recipes, f"login_{self.recipe['kind']}")

    @property
    def refresh_token(self):
        return self.credential.tokens.get("refresh")

    def hold_the_credential_of(self, other):
        """Hold what `other` logged in with (its tokens, its cookies): a second client with a copy of the credential."""
        for cookie in other.transport.cookies:
            self.transport.cookies.set_cookie(cookie)
        self.credential = dataclasses.replace(other.credential, transport=self.transport)

    def log_in(self):
        """The login's status (None: the namespace has no login); on 200 the client holds the credential."""
        if self.recipe["kind"] == "basic":
            self.credential = self.recipes.login(self.recipe, self.username, self.password)
            return None
        if not self.logs_in:
            return None
        try:
            self.credential = self.recipes.login(self.recipe, self.username, self.password)
        except recipes.RecipeError as refused:
            return refused.answer.status if refused.answer else None
        return self.credential.answer.status

    def me(self):
        return self.request("GET", f"/api/{self.ns}/me/")

    def logout(self):
        """The logout's status (None: the namespace has no logout endpoint of its own)."""
        url = self.endpoints.get("logout")
        if url is None or not self.logs_in:
            return None
        body = {"refresh": self.refresh_token} if self.refresh_token else None
        return self.request("POST", url, body)[0]

    def refresh(self):
        """(status, headers, body) of a refresh with the refresh token held (jwt: in the body; cookie: its cookie)."""
        if self.recipe["kind"] == "cookie":
            return self.request("POST", self.recipe["refresh"])
        return self.request("POST", self.recipe["refresh"], {"refresh": self.refresh_token})


def namespaces(base):
    """{ns: (recipe, endpoints)} from GET /api/ and each GET /api/<ns>/."""
    probe = recipes.HTTPTransport(base)
    return {
        ns: (entry["client"], probe.request("GET", f"/api/{ns}/").json()["endpoints"])
        for ns, entry in recipes.index(base).items()
    }
