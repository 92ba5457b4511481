"""What a copy of the database gives at /api/token/ and /api/token-cached/: `authtoken_token.key`, the key itself."""

from demo.database_leak import Leak


def stored_key_at(ns, copy, victim, attacker):
    (row,) = copy.rows("authtoken_token", user_id=victim.user_id)
    status, works = attacker.try_at(ns, victim, HTTP_AUTHORIZATION=f"Token {row['key']}")
    return Leak(
        ns=ns,
        holds=f"`authtoken_token.key`: the key itself ({len(row['key'])} characters)",
        sent="`Authorization: Token <key>`",
        statuses=[status],
        works=works,
        yields="the account, with no time limit: until the key is deleted (logout)"
        if works
        else "nothing: the stored key is not the credential",
    )


def token(copy, victim, attacker):
    return stored_key_at("token", copy, victim, attacker)


def token_cached(copy, victim, attacker):
    return stored_key_at("token-cached", copy, victim, attacker)
