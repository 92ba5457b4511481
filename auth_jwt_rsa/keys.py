"""The namespace's key pair: the private key signs and never leaves this server; the public key, published as a JWKS, verifies.

Which algorithm signs is a setting (``JWT_ASYMMETRIC_ALGORITHM``: RS256 by
default, PS256, ES256 or EdDSA), and each needs its own kind of key: RSA for
RS256 and PS256, an EC key on P-256 for ES256, Ed25519 for EdDSA (RFC 8037).
Each kind is generated once per checkout into a file of its own, so that
switching the setting back and forth keeps each key.

Notice what a verifier needs: the JWKS alone (``key_for``). Which key, and which
algorithm, is this side's choice, never the token's (RFC 8725, sections 2.1,
3.1 and 3.10): a token that names an algorithm other than the configured one,
a key this JWKS doesn't hold, or a URL to fetch keys from is refused before any
signature is checked.
"""

import base64
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from jwt.algorithms import ECAlgorithm, OKPAlgorithm, RSAAlgorithm

from config.checkout import checkout_secret

KEY_BITS = 2048  # RFC 7518, section 3.3: 2048 bits or more for RS256 (and PS256, section 3.5)
# Header parameters that tell the verifier where to find the key (RFC 7515, section 4.1): a verifier
# that follows them lets the token's author choose the key that verifies it.
KEY_LOCATIONS = ("jku", "x5u", "jwk", "x5c")


@dataclass(frozen=True)
class KeyType:
    """One kind of key pair: how to make one, how to recognise one, how its public half is written as a JWK."""

    kty: str  # the JWK's key type (RFC 7518, section 6.1; RFC 8037 for OKP)
    described: str  # for the error message when a key file holds something else
    file_name: str  # where the checkout keeps its generated key
    generate: Callable
    fits: Callable
    to_jwk: Callable
    required_members: tuple  # RFC 7638, section 3.2: what the thumbprint hashes, in lexicographic order


RSA_KEY = KeyType(
    kty="RSA",
    described=f"an RSA key of {KEY_BITS} bits or more",
    file_name=".jwt_rsa_private_key.pem",
    generate=lambda: rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS),
    fits=lambda key: isinstance(key, rsa.RSAPrivateKey) and key.key_size >= KEY_BITS,
    to_jwk=RSAAlgorithm.to_jwk,
    required_members=("e", "kty", "n"),
)
P256_KEY = KeyType(
    kty="EC",
    described="an EC key on the P-256 curve",
    file_name=".jwt_ec_p256_private_key.pem",
    generate=lambda: ec.generate_private_key(ec.SECP256R1()),
    fits=lambda key: isinstance(key, ec.EllipticCurvePrivateKey) and isinstance(key.curve, ec.SECP256R1),
    to_jwk=ECAlgorithm.to_jwk,
    required_members=("crv", "kty", "x", "y"),
)
ED25519_KEY = KeyType(
    kty="OKP",
    described="an Ed25519 key",
    file_name=".jwt_ed25519_private_key.pem",
    generate=ed25519.Ed25519PrivateKey.generate,
    fits=lambda key: isinstance(key, ed25519.Ed25519PrivateKey),
    to_jwk=OKPAlgorithm.to_jwk,
    required_members=("crv", "kty", "x"),
)

# The algorithms this namespace can sign with, and the key each needs (RFC 7518, section 3.1; RFC 8037, section 3.1).
KEY_TYPES = {"RS256": RSA_KEY, "PS256": RSA_KEY, "ES256": P256_KEY, "EdDSA": ED25519_KEY}
THUMBPRINT_MEMBERS = {key_type.kty: key_type.required_members for key_type in KEY_TYPES.values()}


def algorithm():
    """The algorithm this site signs and accepts at /api/jwt-rsa/: JWT_ASYMMETRIC_ALGORITHM."""
    name = settings.JWT_ASYMMETRIC_ALGORITHM
    if name not in KEY_TYPES:
        raise ImproperlyConfigured(f"JWT_ASYMMETRIC_ALGORITHM={name!r}: choose one of {', '.join(KEY_TYPES)}")
    return name


def pem_of(key):
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def new_private_key_pem(key_type=RSA_KEY):
    return pem_of(key_type.generate())


def private_key(name=None):
    """The site's private key for `name` (default: the configured algorithm): from JWT_RSA_PRIVATE_KEY_FILE, or generated once per checkout."""
    name = name or algorithm()
    key_type = KEY_TYPES[name]
    if settings.JWT_RSA_PRIVATE_KEY_FILE:
        path = Path(settings.JWT_RSA_PRIVATE_KEY_FILE)
        try:
            pem = path.read_bytes()
        except OSError as e:
            raise ImproperlyConfigured(f"JWT_RSA_PRIVATE_KEY_FILE: cannot read {path}: {e.strerror}") from e
    else:
        path = settings.BASE_DIR / key_type.file_name
        pem = checkout_secret(path, lambda: new_private_key_pem(key_type))
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as e:
        raise ImproperlyConfigured(f"{path} is not an unencrypted PEM private key") from e
    if not key_type.fits(key):
        raise ImproperlyConfigured(f"{path}: jwt-rsa with {name} needs {key_type.described}")
    return key


def thumbprint(jwk):
    """RFC 7638: base64url(SHA-256) of the key's required members, in order, without whitespace. A kid no one chose."""
    members = THUMBPRINT_MEMBERS[jwk["kty"]]
    required = json.dumps({name: jwk[name] for name in members}, separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(hashlib.sha256(required.encode()).digest()).rstrip(b"=").decode()


def algorithm_for(key):
    """The configured algorithm if `key` fits it, else the first this namespace knows that does."""
    configured = settings.JWT_ASYMMETRIC_ALGORITHM
    if configured in KEY_TYPES and KEY_TYPES[configured].fits(key):
        return configured
    return next(name for name, key_type in KEY_TYPES.items() if key_type.fits(key))


def public_jwk(key, name=None):
    """The public half of `key` as a JSON Web Key (RFC 7517), for algorithm `name`; nothing of the private part."""
    name = name or algorithm_for(key)
    key_type = KEY_TYPES[name]
    public = key_type.to_jwk(key.public_key(), as_dict=True)
    members = {member: public[member] for member in key_type.required_members if member != "kty"}
    return {"kid": thumbprint(public), "kty": key_type.kty, "use": "sig", "alg": name, **members}


@cache
def keys_for(name):
    """(private key, JWKS) for algorithm `name`, read once per process."""
    key = private_key(name)
    return key, {"keys": [public_jwk(key, name)]}


def site_keys():
    """(private key, JWKS) of this site, for the configured algorithm."""
    return keys_for(algorithm())


def key_for(token, jwks, name=None):
    """The public key in `jwks` (a jwt.PyJWKSet) that may verify `token`, or jwt.InvalidTokenError saying why none may."""
    name = name or algorithm()
    header = jwt.get_unverified_header(token)
    if header.get("alg") != name:
        raise jwt.InvalidAlgorithmError(f"Token is not signed with {name}, the only algorithm accepted here")
    named = [location for location in KEY_LOCATIONS if location in header]
    if named:
        raise jwt.InvalidTokenError(
            f"Token names its own key ({', '.join(named)}): keys come from this site's JWKS only, never fetched"
        )
    kid = header.get("kid")
    matching = [jwk for jwk in jwks.keys if isinstance(kid, str) and jwk.key_id == kid]
    if not matching:
        raise jwt.InvalidTokenError("Token's key id (kid) is not in the JWKS")
    return matching[0].key
