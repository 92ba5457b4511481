"""How the site describes the basic namespace: the landing page's words, the client recipe, the test-client login."""

import base64

from registry import Recipe, Scheme

from . import leak


class BasicScheme(Scheme):
    ns = "basic"
    title = "HTTP Basic (DRF BasicAuthentication)"
    how = (
        "Send 'Authorization: Basic base64(username:password)' with every request; "
        "the server hashes the password every time."
    )
    credential_lives = "the password itself, sent with every request (the browser keeps it after its prompt)"
    server_looks_up = "the user by name, then a full password hash (PBKDF2)"
    logout_revokes = "no logout: only a password change"
    choose_when = (
        "a script or a test calls the API over HTTPS and nothing more is wanted; "
        "not for a browser app (no logout, and a browser sends it cross-site)"
    )
    csrf = (
        "exposed: a browser that has the password sends it with forged cross-site requests too, "
        "and DRF checks no CSRF token for Basic"
    )
    browser_native = "yes: the browser's own prompt"
    curl = ["curl -i -u alice:alice-demo-pass {base}/api/basic/me/"]
    client = Recipe("basic")
    used_at = "user name and password at /api/basic/"

    def log_in(self, client, user, password):
        raw = base64.b64encode(f"{user.get_username()}:{password}".encode()).decode()
        client.defaults["HTTP_AUTHORIZATION"] = f"Basic {raw}"

    def database_leak(self, copy, victim, attacker):
        return leak.password_hash(self, copy, victim, attacker)


SCHEMES = [BasicScheme()]
