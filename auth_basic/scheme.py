"""How the site describes the basic namespace: what a student reads, the client recipe, the test client's credential."""

import base64

from registry import Credential, Recipe, Scheme

from . import leak


class Password(Credential):
    """The user name and password, sent with every request."""

    holds = "user name and password"

    def log_in(self, client, user, password):
        raw = base64.b64encode(f"{user.get_username()}:{password}".encode()).decode()
        client.defaults["HTTP_AUTHORIZATION"] = f"Basic {raw}"

    def database_leak(self, copy, victim, attacker):
        return leak.password_hash(self.scheme, copy, victim, attacker)


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
    reading = (
        "Every request carries the password, so every request hashes it: PBKDF2 with Django's default "
        "iterations (about a million) costs a quarter of a second of CPU. Two cores do a handful of those "
        "per second, so under load the requests queue and latency is counted in seconds. Fast hashing "
        "would defeat the hash's purpose; a scheme that checks a password once and then hands out a "
        "token or a session avoids the cost."
    )
    recipe = Recipe("basic")
    credential_classes = [Password]
    me_queries = 1  # the user by name


SCHEMES = [BasicScheme()]
