"""What a copy of the database gives at /api/session/: `django_session.session_key`, which is the cookie itself."""

from measurements.database_leak import Leak


def session_key(scheme, copy, victim, attacker):
    for row in copy.rows("django_session"):  # the rows don't say whose they are: try each one
        attacker.client.cookies["sessionid"] = row["session_key"]
        status, works = attacker.try_at(scheme.ns, victim)
        if works:
            break
    return Leak(
        ns=scheme.ns,
        holds=f"`django_session.session_key`: the cookie's value itself ({len(row['session_key'])} characters)",
        sent="`Cookie: sessionid=<session_key>`",
        statuses=[status],
        works=works,
        yields="the account, until the session ends (logout, password change, SESSION_COOKIE_AGE)"
        if works
        else "nothing: the stored key is not the cookie",
    )
