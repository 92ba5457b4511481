"""What a copy of the database gives at /api/basic/: `auth_user.password`, a salted hash of the password.

No request works with the hash itself: Basic wants the password. The copy
leaves guessing, and every guess costs one hash with the stored salt and
iterations, which is the point of a slow hasher (timed here on one core, with
Django's own code, against the stolen hash).
"""

import base64

from django.contrib.auth.hashers import identify_hasher

from measurements.database_leak import Guessing, Leak, common_passwords


def password_hash(scheme, copy, victim, attacker):
    (row,) = copy.rows("auth_user", id=victim.user_id)
    stored = row["password"]
    hasher = identify_hasher(stored)
    parts = hasher.decode(stored)
    cost = f"{parts['algorithm']}, {parts['iterations']:,} iterations" if "iterations" in parts else parts["algorithm"]
    pair = base64.b64encode(f"{row['username']}:{stored}".encode()).decode()
    status, works = attacker.try_at(scheme.ns, victim, HTTP_AUTHORIZATION=f"Basic {pair}")
    return Leak(
        ns=scheme.ns,
        holds=f"`auth_user.password`: a salted hash of the password ({cost})",
        sent="`Authorization: Basic` with the user name and the stored hash as the password",
        statuses=[status],
        works=works,
        yields="the account: the hash is as good as the password"
        if works
        else "no request: only guesses at the password, one full hash each (rate below)",
        guessing=Guessing(
            what=cost,
            guesses_per_second=attacker.guesses_per_second(lambda guess: hasher.verify(guess, stored)),
            candidates=len(common_passwords()),
            search="all of Django's common passwords",
        ),
    )
