"""How the site describes the session namespace: the landing page's words, the client recipe, the test-client login."""

from django.urls import reverse

from registry import Recipe, Scheme

from . import leak


class SessionScheme(Scheme):
    ns = "session"
    title = "Django sessions (DRF SessionAuthentication)"
    how = (
        "Log in once (POST /api/session/login/ with the CSRF token, or /api-auth/login/); "
        "the browser then sends the sessionid cookie."
    )
    credential_lives = "a random session key in an HttpOnly cookie; the session itself in the database"
    server_looks_up = "the session row, then the user"
    logout_revokes = "yes, at once (the session row is deleted)"
    choose_when = "the browser app is served by this same site: an HttpOnly cookie scripts can't read, with CSRF"
    csrf = "yes: unsafe methods need the X-CSRFToken header"
    browser_native = "yes: cookies"
    curl = [
        "curl -s -c jar -b jar {base}/api/session/login/ >/dev/null",
        "curl -s -c jar -b jar -H \"X-CSRFToken: $(awk '/csrftoken/ {{print $7}}' jar)\" "
        "-H 'Content-Type: application/json' "
        '-d \'{{"username": "alice", "password": "alice-demo-pass"}}\' {base}/api/session/login/',
        "curl -i -b jar {base}/api/session/me/",
    ]
    client = Recipe("session", login="session:login")
    used_at = "sessionid cookie at /api/session/"

    def log_in(self, client, user, password):
        client.force_login(user)  # a real session row and cookie

    def log_out(self, client, credential):
        return client.post(reverse("session:logout"))

    def database_leak(self, copy, victim, attacker):
        return leak.session_key(self, copy, victim, attacker)


SCHEMES = [SessionScheme()]
