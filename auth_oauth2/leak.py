"""What a copy of the database gives at /api/oauth2/: DOT's token tables, measured as they are configured.

With COMPLIANT_BCP_RFC9700_TOKEN_STORAGE on, `oauth2_provider_accesstoken`
and `oauth2_provider_refreshtoken` keep each token's SHA-256 in
`token_checksum` and leave `token` blank; DOT hashes what it is sent, so the
checksum does not work as a token. Off, `token` would hold the token itself:
the attacker's first try below is that column, whatever it holds.
"""

import hashlib

from oauthlib.common import generate_token

from measurements.database_leak import Guessing, Leak

# oauthlib's generate_token: 30 characters from 62 letters and digits.
TOKEN_LENGTH, ALPHABET = len(generate_token()), 62


def checksums(scheme, copy, victim, attacker):
    (row,) = copy.rows("oauth2_provider_accesstoken", user_id=victim.user_id)
    (refresh,) = copy.rows("oauth2_provider_refreshtoken", user_id=victim.user_id)
    tries = [
        attacker.try_at(scheme.ns, victim, HTTP_AUTHORIZATION=f"Bearer {row[column]}")
        for column in ("token", "token_checksum")
    ]
    works = any(works for _, works in tries)
    stored = f"`token`: {len(row['token'])} characters" + (" (blank)" if not row["token"] else "")
    return Leak(
        ns=scheme.ns,
        holds=f"`oauth2_provider_accesstoken.token_checksum`: SHA-256 of the token; {stored}; "
        f"the refresh token's row alike (`token` {len(refresh['token'])} characters)",
        sent="`Authorization: Bearer <token>`, then `Bearer <token_checksum>`",
        statuses=[status for status, _ in tries],
        works=works,
        yields="the account: a stored value works as the token"
        if works
        else "no request: only guesses at a random token, one SHA-256 each (rate below)",
        guessing=Guessing(
            what="SHA-256, as DOT computes it",
            guesses_per_second=attacker.guesses_per_second(lambda guess: hashlib.sha256(guess.encode()).hexdigest()),
            candidates=ALPHABET**TOKEN_LENGTH,
            search=f"every {TOKEN_LENGTH}-character token of letters and digits",
        ),
    )
