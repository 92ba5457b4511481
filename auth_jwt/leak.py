"""What a copy of the database gives at /api/jwt/ and /api/jwt-stateless/: simplejwt's outstanding-token table.

Access tokens are stored nowhere. But `token_blacklist_outstandingtoken.token`
keeps every refresh token whole (so that it can be blacklisted): any that is
not in the blacklist and not expired buys a fresh access token.

Notice that the stored string is not quite what the client was given: simplejwt
stores the refresh token when it makes it, before LoginSerializer adds the
`username` claim. The same jti, validly signed; only at /api/jwt-stateless/
(which reads the user from the claims) me/ then says "username": "" while the
notes it serves, by user id, are the victim's.
"""

from django.urls import reverse

from measurements.database_leak import Leak


def stored_refresh_token(scheme, copy, victim, attacker):
    blacklisted = {row["token_id"] for row in copy.rows("token_blacklist_blacklistedtoken")}
    stored = copy.rows("token_blacklist_outstandingtoken", user_id=victim.user_id)
    statuses, works = [], False
    for row in sorted(stored, key=lambda row: row["id"], reverse=True):  # the newest first
        if row["id"] in blacklisted:
            continue
        refreshed = attacker.post(reverse(scheme.recipe.refresh), {"refresh": row["token"]})
        statuses.append(refreshed.status_code)
        if refreshed.status_code == 200:  # an expired one is refused: try the next
            status, works = attacker.try_at(
                scheme.ns, victim, HTTP_AUTHORIZATION=f"{scheme.recipe.keyword} {refreshed.json()['access']}"
            )
            statuses.append(status)
            break
    return Leak(
        ns=scheme.ns,
        holds="`token_blacklist_outstandingtoken.token`: each refresh token, whole",
        sent=f"`POST {reverse(scheme.recipe.refresh)}` with a stored refresh token not in the blacklist, "
        f"then `Authorization: {scheme.recipe.keyword} <access>`",
        statuses=statuses,
        works=works,
        yields="the account: new access tokens, until the refresh token expires (JWT_REFRESH_SECONDS) or is blacklisted"
        if works
        else "nothing: every stored refresh token is blacklisted or refused",
    )
