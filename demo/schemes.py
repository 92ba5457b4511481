"""What a student should know about each namespace: the words on the landing page and each namespace root.

The facts that can be measured (queries per request, timings) are not here:
they are measured by the site itself (see ``demo.measure``).
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Scheme:
    ns: str
    title: str
    how: str  # how to authenticate, one sentence
    credential_lives: str
    server_looks_up: str
    logout_revokes: str
    csrf: str
    browser_native: str
    curl: list = field(default_factory=list)
    # How a generic HTTP client (the benchmark) gets and sends the credential; served in GET /api/.
    client: dict = field(default_factory=lambda: {"kind": "none"})


# token and token-cached share their tokens, jwt and jwt-stateless theirs: the same recipe each.
TOKEN_CLIENT = {"kind": "token", "login": "/api/token/login/", "keyword": "Token", "field": "token"}
JWT_CLIENT = {"kind": "jwt", "login": "/api/jwt/login/", "refresh": "/api/jwt/refresh/", "keyword": "Bearer"}

SCHEMES = [
    Scheme(
        ns="public",
        title="No authentication (the baseline)",
        how="Nothing to send: every request is anonymous. This shows what the framework itself costs.",
        credential_lives="nowhere",
        server_looks_up="nothing",
        logout_revokes="n/a",
        csrf="n/a",
        browser_native="yes",
        curl=["curl -i {base}/api/public/me/"],
    ),
    Scheme(
        ns="basic",
        title="HTTP Basic (DRF BasicAuthentication)",
        how="Send 'Authorization: Basic base64(username:password)' with every request; the server hashes the password every time.",
        credential_lives="the password itself, sent with every request (the browser keeps it after its prompt)",
        server_looks_up="the user by name, then a full password hash (PBKDF2)",
        logout_revokes="no logout: only a password change",
        csrf="exposed: a browser that has the password sends it with forged cross-site requests too, and DRF checks no CSRF token for Basic",
        browser_native="yes: the browser's own prompt",
        curl=["curl -i -u alice:alice-demo-pass {base}/api/basic/me/"],
        client={"kind": "basic"},
    ),
    Scheme(
        ns="session",
        title="Django sessions (DRF SessionAuthentication)",
        how="Log in once (POST /api/session/login/ with the CSRF token, or /api-auth/login/); the browser then sends the sessionid cookie.",
        credential_lives="a random session key in an HttpOnly cookie; the session itself in the database",
        server_looks_up="the session row, then the user",
        logout_revokes="yes, at once (the session row is deleted)",
        csrf="yes: unsafe methods need the X-CSRFToken header",
        browser_native="yes: cookies",
        curl=[
            "curl -s -c jar -b jar {base}/api/session/login/ >/dev/null",
            "curl -s -c jar -b jar -H \"X-CSRFToken: $(awk '/csrftoken/ {{print $7}}' jar)\" -H 'Content-Type: application/json' "
            '-d \'{{"username": "alice", "password": "alice-demo-pass"}}\' {base}/api/session/login/',
            "curl -i -b jar {base}/api/session/me/",
        ],
        client={"kind": "session", "login": "/api/session/login/"},
    ),
    Scheme(
        ns="token",
        title="DRF tokens (TokenAuthentication)",
        how="POST username and password to /api/token/login/, then send 'Authorization: Token <key>'.",
        credential_lives="a random key the client keeps; the server keeps it in a database table",
        server_looks_up="the token row joined to its user",
        logout_revokes="yes, at once (the key is deleted)",
        csrf="not needed: the browser never sends the header by itself",
        browser_native="no: a script must add the header",
        curl=[
            'TOKEN=$(curl -s -H \'Content-Type: application/json\' -d \'{{"username": "alice", "password": "alice-demo-pass"}}\' '
            "{base}/api/token/login/ | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"token\"])')",
            'curl -i -H "Authorization: Token $TOKEN" {base}/api/token/me/',
        ],
        client=TOKEN_CLIENT,
    ),
    Scheme(
        ns="token-cached",
        title="DRF tokens, cached (TokenAuthentication + Django's cache)",
        how="The same tokens as /api/token/; the server remembers key -> user in its cache for TOKEN_CACHE_SECONDS.",
        credential_lives="as token; plus a copy of key -> user in the cache",
        server_looks_up="the cache; the database only on a miss",
        logout_revokes="not at once: a deleted key works until its cache entry expires",
        csrf="not needed",
        browser_native="no: a script must add the header",
        curl=['curl -i -H "Authorization: Token $TOKEN" {base}/api/token-cached/me/'],
        client=TOKEN_CLIENT,
    ),
    Scheme(
        ns="jwt",
        title="JSON Web Tokens (simplejwt JWTAuthentication)",
        how="POST username and password to /api/jwt/login/, then send 'Authorization: Bearer <access>' (or 'JWT <access>').",
        credential_lives="a signed token the client keeps; the server keeps only refresh tokens' blacklist",
        server_looks_up="checks the signature, then loads the user by id",
        logout_revokes="the refresh token only; an access token works until it expires (JWT_ACCESS_SECONDS)",
        csrf="not needed",
        browser_native="no: a script must add the header",
        curl=[
            'ACCESS=$(curl -s -H \'Content-Type: application/json\' -d \'{{"username": "alice", "password": "alice-demo-pass"}}\' '
            "{base}/api/jwt/login/ | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"access\"])')",
            'curl -i -H "Authorization: Bearer $ACCESS" {base}/api/jwt/me/',
        ],
        client=JWT_CLIENT,
    ),
    Scheme(
        ns="jwt-stateless",
        title="JSON Web Tokens, stateless (simplejwt JWTStatelessUserAuthentication)",
        how="The same access tokens as /api/jwt/; the server trusts the token's claims and never loads the user.",
        credential_lives="as jwt; the username travels in the token",
        server_looks_up="nothing: only the signature and expiry are checked",
        logout_revokes="no: not even a deactivated or deleted account stops it before it expires",
        csrf="not needed",
        browser_native="no: a script must add the header",
        curl=['curl -i -H "Authorization: Bearer $ACCESS" {base}/api/jwt-stateless/me/'],
        client=JWT_CLIENT,
    ),
]

BY_NS = {scheme.ns: scheme for scheme in SCHEMES}
NAMESPACES = [scheme.ns for scheme in SCHEMES]
