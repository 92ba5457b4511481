"""The recipe client: log in to a namespace the way ``GET /api/`` says, and send the credential. Standard library only.

``GET /api/`` gives each namespace a recipe (``{"kind": "token", "login":
"/api/token/login/", "keyword": "Token", "field": "token"}``). A client that
knows the kinds, and nothing else about the site, can log in anywhere::

    import recipes

    namespaces = recipes.index("http://127.0.0.1:8000")
    credential = recipes.login("http://127.0.0.1:8000", namespaces["jwt"]["client"], "alice", "alice-demo-pass")
    credential.get("/api/jwt/me/").json()  # {"username": "alice", "scheme": "jwt"}
    credential.headers("POST")  # {"Authorization": "Bearer ..."}: for a client of your own (Locust, wrk)

Both sides use it: the site's tests and commands (through ``TestClientTransport``,
a Django test client), and the benchmark (``HTTPTransport`` for wrk's logins; the
locustfile's ``LocustTransport``, Locust's own client, so that each login step is
a Locust request). It imports neither: a transport is any object with
``request(method, path, body, headers, form, follow)`` and ``cookie(name)``.

A new kind of recipe is one method here: ``RecipeClient.login_<kind>``.
"""

import base64
import http.cookiejar
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

from . import pkce

UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
FORM = "application/x-www-form-urlencoded"


@dataclass
class Answer:
    """One response, whichever transport carried it."""

    status: int
    headers: dict
    body: bytes

    def json(self):
        return json.loads(self.body)


class RecipeError(Exception):
    """A recipe's login step was refused (``answer`` is the refusal), or a recipe of a kind this client does not know."""

    def __init__(self, message, answer=None):
        super().__init__(message)
        self.answer = answer


class HTTPTransport:
    """Requests over HTTP with urllib, one cookie jar per client: what a browser or a script holds."""

    def __init__(self, base_url, timeout=30):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.cookies = http.cookiejar.CookieJar()
        cookies = urllib.request.HTTPCookieProcessor(self.cookies)
        self.opener = urllib.request.build_opener(cookies)
        self.not_following = urllib.request.build_opener(cookies, NotFollowing)

    def request(self, method, path, body=None, headers=None, form=None, follow=True):
        """JSON `body`, or `form` (a dict) form-encoded; follow=False answers a redirect instead of following it."""
        data = None if body is None else json.dumps(body).encode()
        headers = {"Accept": "application/json", **(headers or {})}
        if data is not None:
            headers["Content-Type"] = "application/json"
        if form is not None:
            data, headers["Content-Type"] = urllib.parse.urlencode(form).encode(), FORM
        url = path if path.startswith(("http://", "https://")) else self.base_url + path  # GET /api/<ns>/'s are whole
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        opener = self.opener if follow else self.not_following
        try:
            with opener.open(request, timeout=self.timeout) as response:
                return Answer(response.status, dict(response.headers), response.read())
        except urllib.error.HTTPError as refused:  # 4xx and 5xx are answers too
            with refused:
                return Answer(refused.code, dict(refused.headers), refused.read())

    def cookie(self, name):
        return next((c.value for c in self.cookies if c.name == name), None)


class NotFollowing(urllib.request.HTTPRedirectHandler):
    """A redirect is the answer (its Location is what the client wants: oauth2's code), not a request to follow."""

    def redirect_request(self, *args, **kwargs):
        return None


class TestClientTransport:
    """The same requests through a Django test client (``client.generic``), in-process: for the site's tests and commands.

    Duck-typed, so this package needs no Django: `client` is
    ``django.test.Client`` or a subclass; `secure` as the site wants HTTPS.
    """

    __test__ = False  # not a pytest test class, despite its name

    def __init__(self, client, secure=False):
        self.client = client
        self.secure = secure
        self.cookies = client.cookies

    def request(self, method, path, body=None, headers=None, form=None, follow=True):
        """As HTTPTransport's; a test client never follows a redirect, so `follow` changes nothing here."""
        extra = {"content_type": "application/json"} if body is not None else {}
        data = json.dumps(body) if body is not None else ""
        if form is not None:
            extra, data = {"content_type": FORM}, urllib.parse.urlencode(form)
        response = self.client.generic(
            method, path, data, headers={"Accept": "application/json", **(headers or {})}, secure=self.secure, **extra
        )
        return Answer(response.status_code, dict(response.headers), response.content)

    def cookie(self, name):
        morsel = self.client.cookies.get(name)
        return morsel.value if morsel is not None else None


@dataclass
class Credential:
    """What a client holds once it has followed a recipe: a header to send, tokens to renew it, and its cookie jar.

    ``headers(method)`` is everything to add to a request of that method
    (the Authorization header; a CSRF header on unsafe methods, where the
    recipe's kind wants one); cookies stay in ``transport.cookies``.
    """

    recipe: dict
    transport: object
    authorization: str = ""  # "<keyword> <credential>", or "" (session: a cookie; none)
    tokens: dict = field(default_factory=dict)  # the login's answer where it renews (jwt: access, refresh)
    csrf_cookie: str = ""  # the cookie whose value goes in csrf_header on unsafe methods
    csrf_header: str = ""
    answer: Answer = None  # the login's own answer (None for a kind that sends no login request)

    @property
    def cookies(self):
        return self.transport.cookies

    def headers(self, method="GET"):
        headers = {"Authorization": self.authorization} if self.authorization else {}
        if self.csrf_cookie and method.upper() in UNSAFE:
            value = self.transport.cookie(self.csrf_cookie)
            if value:
                headers[self.csrf_header] = value
        return headers

    def request(self, method, path, body=None, headers=None):
        return self.transport.request(method, path, body, {**self.headers(method), **(headers or {})})

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, body=None, **kwargs):
        return self.request("POST", path, body, **kwargs)

    def refresh(self):
        """Renew the access token by the recipe's refresh URL: the answer, and the credential holds the new one.

        jwt: the refresh token goes in the body; cookie: it is in the cookie jar, and the new pair comes back
        as cookies.
        """
        if self.recipe["kind"] == "cookie":
            return self.request("POST", self.recipe["refresh"])
        answer = self.transport.request("POST", self.recipe["refresh"], {"refresh": self.tokens["refresh"]})
        if answer.status == 200:
            self.tokens = {**self.tokens, **answer.json()}
            self.authorization = f"{self.recipe['keyword']} {self.tokens['access']}"
        return answer


class RecipeClient:
    """Follows a recipe to a Credential: one method per kind (``login_<kind>``), the way DRF has one class per scheme."""

    def __init__(self, transport):
        self.transport = transport

    def login(self, recipe, username, password):
        kind = recipe["kind"]
        method = getattr(self, f"login_{kind.replace('-', '_')}", None)
        if method is None:
            raise RecipeError(f"no client for a {kind!r} recipe: add RecipeClient.login_{kind}")
        return method(recipe, {"username": username, "password": password})

    def credential(self, recipe, **held):
        return Credential(recipe, self.transport, **held)

    def post_login(self, recipe, account, headers=None):
        answer = self.transport.request("POST", recipe["login"], account, headers)
        if answer.status != 200:
            raise RecipeError(f"POST {recipe['login']} answered {answer.status}: {answer.body[:200]!r}", answer)
        return answer

    # --- The kinds

    def login_none(self, recipe, account):
        return self.credential(recipe)

    def login_basic(self, recipe, account):
        raw = base64.b64encode(f"{account['username']}:{account['password']}".encode()).decode()
        return self.credential(recipe, authorization=f"Basic {raw}")

    def login_session(self, recipe, account):
        # The CSRF cookie first, as a browser gets it with the login form; then the login, which rotates it.
        cookie, header = recipe.get("csrf_cookie", "csrftoken"), recipe.get("csrf_header", "X-CSRFToken")
        self.transport.request("GET", recipe["login"])
        answer = self.post_login(recipe, account, {header: self.transport.cookie(cookie) or ""})
        return self.credential(recipe, csrf_cookie=cookie, csrf_header=header, answer=answer)

    # jwt-cookie: the session's steps; the tokens come back as HttpOnly cookies, which the jar keeps.
    login_cookie = login_session

    def login_token(self, recipe, account):
        answer = self.post_login(recipe, account)
        return self.credential(
            recipe, authorization=f"{recipe['keyword']} {answer.json()[recipe['field']]}", answer=answer
        )

    def login_jwt(self, recipe, account):
        answer = self.post_login(recipe, account)
        tokens = answer.json()
        return self.credential(
            recipe, authorization=f"{recipe['keyword']} {tokens['access']}", tokens=tokens, answer=answer
        )

    def authorization_code(self, recipe, account):
        """(code, verifier): the authorization endpoint, its login page, its consent page, the redirect with ?code=."""
        verifier = pkce.verifier()
        query = {
            "response_type": "code",
            "client_id": recipe["client_id"],
            "redirect_uri": recipe["redirect_uri"],
            "scope": "read write",
            "state": pkce.verifier()[:16],
            "code_challenge": pkce.challenge(verifier),
            "code_challenge_method": "S256",
        }
        authorize = f"{recipe['authorize']}?{urllib.parse.urlencode(query)}"
        login = self.redirected(self.transport.request("GET", authorize, follow=False), "GET authorize/")
        page = self.transport.request("GET", login)
        fields = {**pkce.hidden_fields(page.body.decode()), **account}
        back = self.redirected(self.submit(login, fields), "the login page")  # to authorize/ again
        page = self.transport.request("GET", back)
        fields = {**pkce.hidden_fields(page.body.decode()), "allow": "Authorize"}
        location = self.redirected(self.submit(recipe["authorize"], fields), "the consent page")
        return authorization_response(location, recipe, query["state"])["code"], verifier

    def login_oauth2(self, recipe, account):
        """The authorization-code flow with PKCE (S256), as a browser and its app run it, over plain requests.

        The authorization endpoint sends an anonymous visitor to the
        authorization server's login page (a form with CSRF, a session); back
        at the endpoint, the consent page; "Authorize" redirects to the
        redirect URI with ?code=, which the client swaps, with its verifier,
        at the token endpoint. The client never sees the password form's
        answer but as a session cookie, and sends the API only the token.
        """
        code, verifier = self.authorization_code(recipe, account)
        exchange = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": recipe["redirect_uri"],
            "client_id": recipe["client_id"],
            "code_verifier": verifier,
        }
        answer = self.transport.request("POST", recipe["token"], form=exchange, follow=False)
        if answer.status != 200:
            raise RecipeError(f"POST {recipe['token']} answered {answer.status}: {answer.body[:200]!r}", answer)
        tokens = answer.json()
        return self.credential(
            recipe, authorization=f"{recipe['keyword']} {tokens['access_token']}", tokens=tokens, answer=answer
        )

    def submit(self, url, fields):
        """POST an HTML form (the login or consent page's), with the Referer a browser sends (Django checks it on HTTPS)."""
        referer = url if url.startswith(("http://", "https://")) else getattr(self.transport, "base_url", "") + url
        headers = {"Referer": referer} if referer.startswith(("http://", "https://")) else {}
        return self.transport.request("POST", url, headers=headers, form=fields, follow=False)

    @staticmethod
    def redirected(answer, step):
        """The Location of a redirect `step` must answer with."""
        location = next((value for name, value in answer.headers.items() if name.lower() == "location"), None)
        if answer.status not in (301, 302, 303) or not location:
            raise RecipeError(f"{step} answered {answer.status}, not a redirect: {answer.body[:200]!r}", answer)
        return location


def authorization_response(location, recipe, state):
    """{"code", "state", "iss"} of the redirect back from the consent page, checked as RFC 9207 and RFC 6749 say.

    The state must be the one this request sent (CSRF at the redirect URI,
    RFC 6749 §10.12); the `iss` the issuer the recipe names (RFC 9207 §2.4):
    a client that knows several authorization servers would otherwise send
    one server's code to another's token endpoint (the mix-up attack).
    """
    returned = {
        name: values[0] for name, values in urllib.parse.parse_qs(urllib.parse.urlsplit(location).query).items()
    }
    if returned.get("state") != state:
        raise RecipeError(f"the consent page redirected to {location!r}: not the state this request sent")
    if recipe.get("issuer") and returned.get("iss") != recipe["issuer"]:
        raise RecipeError(f"the consent page redirected to {location!r}: its iss is not {recipe['issuer']!r}")
    if "code" not in returned:
        raise RecipeError(f"the consent page redirected to {location!r}, with no code: {returned.get('error')}")
    return returned


def index(base_url, timeout=30):
    """GET /api/'s namespaces: {ns: {"url", "scheme", "client" (the recipe), "me_queries", "reading"}}."""
    answer = HTTPTransport(base_url, timeout).request("GET", "/api/")
    if answer.status != 200:
        raise RecipeError(f"GET /api/ answered {answer.status}")
    return answer.json()["namespaces"]


def login(base_url, recipe, username, password, timeout=30):
    """A Credential for `username` at the site at `base_url`, over HTTP, by `recipe` (a namespace's "client")."""
    return RecipeClient(HTTPTransport(base_url, timeout)).login(recipe, username, password)
