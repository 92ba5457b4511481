"""Secrets made once per checkout and kept in untracked files: the secret key, jwt-rsa's private key."""

import os
import tempfile
import time
from contextlib import suppress
from pathlib import Path


def checkout_secret(path, make):
    """The bytes in `path`; the first caller writes them with `make()`, and every process that races it reads the same.

    The secret goes to a temporary file (mode 0600) first, then os.link gives
    it its name: like open(O_CREAT | O_EXCL), link fails if the name exists,
    so when several gunicorn workers start at once exactly one secret wins,
    and no reader ever sees a file half written.
    """
    path = Path(path)
    if not path.exists():
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(make())
            with suppress(FileExistsError):  # another process won: use its secret
                os.link(temporary, path)
        finally:
            os.unlink(temporary)
    for _ in range(50):  # a file an older checkout's code was still writing
        secret = path.read_bytes()
        if secret.strip():
            return secret
        time.sleep(0.01)
    raise RuntimeError(f"{path} is empty: delete it and a new secret is made")
