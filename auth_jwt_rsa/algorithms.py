"""What each JWT signing algorithm costs: sign and verify time, token size and key size, measured in one run.

Each algorithm gets a key made for the measurement (never the site's), and
signs and verifies through the same simplejwt backends the namespaces use:
simplejwt's TokenBackend for HS256 (as at /api/jwt/), jwt-rsa's KeyPairBackend
for the others (with the kid in the header). The rounds are interleaved, one
sign and one verify per algorithm per round, so that whatever else the machine
does falls on every algorithm alike.
"""

import json
import secrets
import statistics
from dataclasses import dataclass
from time import perf_counter

from rest_framework_simplejwt.backends import TokenBackend
from rest_framework_simplejwt.exceptions import TokenBackendError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import AccessToken

from . import keys
from .tokens import KeyPairBackend

ALGORITHMS = ("HS256", "RS256", "PS256", "ES256", "EdDSA")
HMAC_KEY_BYTES = 32  # RFC 7518, section 3.2: an HS256 key of at least 256 bits
# The claims jwt's login adds to simplejwt's (token_type, exp, iat, jti): the user's id and name, as for alice.
DEMO_CLAIMS = {api_settings.USER_ID_CLAIM: "1", "username": "alice"}


@dataclass
class Signer:
    """One algorithm with a key made for the measurement, and the backend that signs and verifies with it."""

    algorithm: str
    backend: TokenBackend
    key_bits: int
    public_jwk: dict | None  # None for HS256: the secret is never published, every verifier holds it


def key_bits(key):
    if isinstance(key, bytes):
        return len(key) * 8
    if hasattr(key, "key_size"):  # RSA
        return key.key_size
    if hasattr(key, "curve"):  # EC
        return key.curve.key_size
    return 256  # Ed25519: 32-byte keys (RFC 8032)


def signers():
    """A Signer per algorithm, each with a fresh key of its own."""
    secret = secrets.token_bytes(HMAC_KEY_BYTES)
    made = [Signer("HS256", TokenBackend("HS256", secret, leeway=api_settings.LEEWAY), key_bits(secret), None)]
    for name in ALGORITHMS[1:]:
        key = keys.KEY_TYPES[name].generate()
        jwks = {"keys": [keys.public_jwk(key, name)]}
        made.append(Signer(name, KeyPairBackend(name, key, jwks), key_bits(key), jwks["keys"][0]))
    return made


def demo_payload():
    """An access token's claims as jwt's login issues them (fixed-length fields: the sizes repeat run after run)."""
    token = AccessToken()
    for claim, value in DEMO_CLAIMS.items():
        token[claim] = value
    return token.payload


def refused(backend, token):
    try:
        backend.decode(token)
    except TokenBackendError:
        return True
    return False


def compare_algorithms(rounds):
    """Per algorithm: median sign and verify time (µs), token, signature and key sizes; and whether every other refuses."""
    made = signers()
    payload = demo_payload()
    sign_us = {s.algorithm: [] for s in made}
    verify_us = {s.algorithm: [] for s in made}
    tokens = {}
    for i in range(rounds):
        shift = i % len(made)
        for signer in made[shift:] + made[:shift]:  # a different algorithm first in each round
            started = perf_counter()
            token = signer.backend.encode(payload)
            signed = perf_counter()
            signer.backend.decode(token)
            verified = perf_counter()
            sign_us[signer.algorithm].append((signed - started) * 1e6)
            verify_us[signer.algorithm].append((verified - signed) * 1e6)
            tokens[signer.algorithm] = token
    table = {}
    for signer in made:
        token = tokens[signer.algorithm]
        others = [other for other in made if other is not signer]
        table[signer.algorithm] = {
            "sign_us": statistics.median(sign_us[signer.algorithm]),
            "verify_us": statistics.median(verify_us[signer.algorithm]),
            "token_bytes": len(token),
            "signature_bytes": len(token.rsplit(".", 1)[1]) * 3 // 4,  # base64url without padding
            "key": KEY_NAMES[signer.algorithm],
            "key_bits": signer.key_bits,
            "public_jwk_bytes": len(json.dumps(signer.public_jwk, separators=(",", ":")))
            if signer.public_jwk
            else None,
            "verifies_with_its_key": not refused(signer.backend, token),
            "refused_by_the_others": all(refused(other.backend, token) for other in others),
        }
    return {"rounds": rounds, "algorithms": table}


KEY_NAMES = {"HS256": "shared secret", "RS256": "RSA", "PS256": "RSA", "ES256": "EC P-256", "EdDSA": "Ed25519"}
COLUMNS = ("algorithm", "key", "sign µs", "verify µs", "token bytes", "signature bytes", "public key (JWK) bytes")


def markdown(result):
    """The table as Markdown: what docs/jwt-algorithms.md holds a copy of."""
    lines = ["| " + " | ".join(COLUMNS) + " |", "|---|---|" + "---:|" * (len(COLUMNS) - 2)]
    for name, row in result["algorithms"].items():
        cells = [
            f"`{name}`",
            f"{row['key']}, {row['key_bits']} bits",
            f"{row['sign_us']:.0f}",
            f"{row['verify_us']:.0f}",
            str(row["token_bytes"]),
            str(row["signature_bytes"]),
            str(row["public_jwk_bytes"]) if row["public_jwk_bytes"] else "- (never published)",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
