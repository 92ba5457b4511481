"""What a copy of the database gives at /api/token/ and /api/token-cached/: `authtoken_token.key`, the key itself."""

from measurements.database_leak import Leak


def stored_key(scheme, copy, victim, attacker):
    (row,) = copy.rows("authtoken_token", user_id=victim.user_id)
    status, works = attacker.try_at(scheme.ns, victim, HTTP_AUTHORIZATION=f"Token {row['key']}")
    return Leak(
        ns=scheme.ns,
        holds=f"`authtoken_token.key`: the key itself ({len(row['key'])} characters)",
        sent="`Authorization: Token <key>`",
        statuses=[status],
        works=works,
        yields="the account, with no time limit: until the key is deleted (logout)"
        if works
        else "nothing: the stored key is not the credential",
    )
