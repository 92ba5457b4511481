"""Check a jwt-rsa token the way any resource server could: with the JWKS alone, no secret.

The JWKS comes from --jwks (a file, or a URL on this machine), never from the
token: a token that names its own key location (jku, x5u) is refused, and
nothing it names is fetched. Prints the claims, or the reason for refusing
and exits non-zero.
"""

import json
import os
import urllib.request
from ipaddress import ip_address
from pathlib import Path
from urllib.parse import urlsplit

import jwt
from django.core.management.base import BaseCommand, CommandError

from auth_jwt_rsa import keys

DEFAULT_JWKS = f"http://127.0.0.1:{os.environ.get('PORT', '8000')}/api/jwt-rsa/jwks.json"  # make demo's


def is_this_machine(host):
    try:
        return host == "localhost" or ip_address(host).is_loopback
    except ValueError:
        return False


def read_jwks(source):
    """The JWKS at `source`: a file, or an http(s) URL whose host is this machine (this demo fetches nothing else)."""
    url = urlsplit(source)
    if url.scheme in ("http", "https"):
        if not is_this_machine(url.hostname or ""):
            raise CommandError(
                f"--jwks {source}: this demo fetches only from this machine (127.0.0.1); save it to a file"
            )
        try:
            with urllib.request.urlopen(source, timeout=5) as response:  # noqa: S310 (http(s), this machine only)
                body = response.read()
        except OSError as e:
            raise CommandError(f"--jwks {source}: {e} (is the site running? `make demo`)") from e
    else:
        try:
            body = Path(source).read_bytes()
        except OSError as e:
            raise CommandError(f"--jwks {source}: {e.strerror}") from e
    try:
        return jwt.PyJWKSet.from_dict(json.loads(body))
    except (ValueError, jwt.PyJWKSetError) as e:
        raise CommandError(f"--jwks {source} is not a JSON Web Key Set: {e}") from e


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("token", help="a token from POST /api/jwt-rsa/login/ (access or refresh)")
        parser.add_argument(
            "--jwks", default=DEFAULT_JWKS, help=f"a file or a URL on this machine (default {DEFAULT_JWKS})"
        )
        parser.add_argument(
            "--algorithm",
            choices=list(keys.KEY_TYPES),
            help="the one algorithm to accept (default: this site's JWT_ASYMMETRIC_ALGORITHM, RS256 unless set)",
        )

    def handle(self, *args, token, jwks, algorithm, **options):
        algorithm = algorithm or keys.algorithm()
        key_set = read_jwks(jwks)
        try:
            key = keys.key_for(token, key_set, algorithm)  # the kid picks a key from the JWKS; the algorithm is ours
            claims = jwt.decode(token, key, algorithms=[algorithm], options={"require": ["exp"]})
        except jwt.InvalidTokenError as e:
            raise CommandError(f"refused: {e}") from e
        kid = jwt.get_unverified_header(token)["kid"]
        self.stderr.write(f"valid: signed with {algorithm} by the key {kid} of {jwks}")
        self.stdout.write(json.dumps(claims, indent=2, sort_keys=True))
