"""What a copy of the database gives at /api/jwt-cookie/: jwt's outstanding-token table, the refresh cookie's value.

The same table as jwt's (auth_jwt/leak.py): each refresh token whole. Whoever
holds one needs no browser and nothing else of the victim's: the cookie is a
header they write themselves, and the CSRF token is any value they also put in
the csrftoken cookie (Django compares the two; a forged page can't set that
cookie for this site, the attacker's own client can). HttpOnly and SameSite
protect the token in a browser from other pages, not a copy of it.
"""

import secrets
import string

from django.conf import settings
from django.urls import reverse

from measurements.database_leak import Leak

from . import cookies


def stored_refresh_token(scheme, copy, victim, attacker):
    blacklisted = {row["token_id"] for row in copy.rows("token_blacklist_blacklistedtoken")}
    stored = copy.rows("token_blacklist_outstandingtoken", user_id=victim.user_id)
    csrf = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))  # any token will do
    attacker.client.cookies[settings.CSRF_COOKIE_NAME] = csrf
    refresh_cookie = cookies.name(cookies.REFRESH)
    statuses, works = [], False
    for row in sorted(stored, key=lambda row: row["id"], reverse=True):  # the newest first
        if row["id"] in blacklisted:
            continue
        attacker.client.cookies[refresh_cookie] = row["token"]
        refreshed = attacker.client.post(reverse("jwt-cookie:refresh"), secure=settings.HTTPS, HTTP_X_CSRFTOKEN=csrf)
        statuses.append(refreshed.status_code)
        if refreshed.status_code == 200:  # the new access cookie is in the attacker's jar now
            status, works = attacker.try_at(scheme.ns, victim)
            statuses.append(status)
            break
    return Leak(
        ns=scheme.ns,
        holds="`token_blacklist_outstandingtoken.token`: each refresh token, whole (the refresh cookie's value)",
        sent=f"`Cookie: {refresh_cookie}=<stored token>; csrftoken=<any>` with `X-CSRFToken: <the same>` "
        f"to `POST {reverse('jwt-cookie:refresh')}`, then the access cookie it sets",
        statuses=statuses,
        works=works,
        yields="the account: new access cookies, until the refresh token expires (JWT_REFRESH_SECONDS) or is blacklisted"
        if works
        else "nothing: every stored refresh token is blacklisted or refused",
    )
