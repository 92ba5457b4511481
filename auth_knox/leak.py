"""What a copy of the database gives at /api/knox/: `knox_authtoken.digest`, the SHA-512 of each token, and its first 15 characters.

Neither is the token, and knox hashes what it is sent, so neither works as
one. Guessing is cheap per guess (one SHA-512, timed here) but hopeless: the
token is random, and after the stored 15 hex characters 49 remain, 196 bits.
Compare auth_basic/leak.py: there the slow hash protects a guessable password;
here the randomness protects the token, and a fast hash is enough.
"""

from knox.crypto import hash_token
from knox.settings import knox_settings

from measurements.database_leak import Guessing, Leak


def digest(scheme, copy, victim, attacker):
    (row,) = copy.rows("knox_authtoken", user_id=victim.user_id)
    tries = [
        attacker.try_at("knox", victim, HTTP_AUTHORIZATION=f"Token {row[column]}") for column in ("digest", "token_key")
    ]
    works = any(works for _, works in tries)
    unknown = knox_settings.AUTH_TOKEN_CHARACTER_LENGTH - len(row["token_key"])  # hex characters not in the copy
    return Leak(
        ns=scheme.ns,
        holds=f"`knox_authtoken.digest`: SHA-512 of the token ({len(row['digest'])} hex characters); "
        f"`token_key`: its first {len(row['token_key'])} characters",
        sent="`Authorization: Token <digest>`, then `Token <token_key>`",
        statuses=[status for status, _ in tries],
        works=works,
        yields="the account: a stored value works as the token"
        if works
        else "no request: only guesses at the rest of a random token, one SHA-512 each (rate below)",
        guessing=Guessing(
            what="SHA-512, as knox computes it",
            guesses_per_second=attacker.guesses_per_second(hash_token),
            candidates=16**unknown,
            search=f"every token that starts with the stored {len(row['token_key'])} characters",
        ),
    )
