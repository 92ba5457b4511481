"""How the site describes the session namespace: what a student reads, the client recipe, the test client's credential."""

from django.urls import reverse

from registry import Credential, Recipe, Scheme, Table

from . import leak


class SessionTable(Table):
    """django_session: its rows don't name their user, so a stolen copy of the victims' takes their cookies' keys."""

    def rows_of(self, victims):
        return self.get_model()._base_manager.filter(session_key__in=sorted(victims.session_keys))

    def fill(self, cursor, rows):
        have = self.count(cursor)
        if rows > have:
            cursor.execute(
                f"INSERT INTO {self.db_table} (session_key, session_data, expire_date) "  # noqa: S608 (no input)
                + self.NUMBERS
                + "SELECT 'filler' || (i + %s), '', '2100-01-01 00:00:00' FROM n",
                [rows - have, have],
            )
        return True


class SessionCookie(Credential):
    """The sessionid cookie: a key to a row of django_session."""

    holds = "sessionid cookie"

    def log_in(self, client, user, password):
        client.force_login(user)  # a real session row and cookie

    def log_out(self, client, credential):
        return client.post(reverse("session:logout"))

    def database_leak(self, copy, victim, attacker):
        return leak.session_key(self.scheme, copy, victim, attacker)


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
    reading = "Two queries: the session row, then the user. Cheap per request, and logout revokes at once."
    recipe = Recipe("session", login="session:login")
    credential_classes = [SessionCookie]
    me_queries = 2  # the session row, then the user
    tables = [
        SessionTable("sessions.Session", "manage.py clearsessions (expired sessions); logout deletes its own row")
    ]


SCHEMES = [SessionScheme()]
