"""The RS256 key pair: the private key signs and never leaves this server; the public key, published as a JWKS, verifies.

Notice what a verifier needs: the JWKS alone (``key_for``). Which key, and which
algorithm, is this side's choice, never the token's (RFC 8725, sections 2.1,
3.1 and 3.10): a token that names an algorithm other than RS256, a key this
JWKS doesn't hold, or a URL to fetch keys from is refused before any signature
is checked.
"""

import base64
import hashlib
import json
from functools import cache
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from config.checkout import checkout_secret

ALGORITHM = "RS256"
KEY_BITS = 2048  # RFC 7518, section 3.3: 2048 bits or more for RS256
# Header parameters that tell the verifier where to find the key (RFC 7515, section 4.1): a verifier
# that follows them lets the token's author choose the key that verifies it.
KEY_LOCATIONS = ("jku", "x5u", "jwk", "x5c")


def new_private_key_pem():
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def private_key():
    """The site's private key: from JWT_RSA_PRIVATE_KEY_FILE, or generated once per checkout."""
    if settings.JWT_RSA_PRIVATE_KEY_FILE:
        path = Path(settings.JWT_RSA_PRIVATE_KEY_FILE)
        try:
            pem = path.read_bytes()
        except OSError as e:
            raise ImproperlyConfigured(f"JWT_RSA_PRIVATE_KEY_FILE: cannot read {path}: {e.strerror}") from e
    else:
        path = settings.BASE_DIR / ".jwt_rsa_private_key.pem"
        pem = checkout_secret(path, new_private_key_pem)
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as e:
        raise ImproperlyConfigured(f"{path} is not an unencrypted PEM private key") from e
    if not isinstance(key, rsa.RSAPrivateKey) or key.key_size < KEY_BITS:
        raise ImproperlyConfigured(f"{path}: jwt-rsa needs an RSA key of {KEY_BITS} bits or more")
    return key


def thumbprint(jwk):
    """RFC 7638: base64url(SHA-256) of the key's required members, in order, without whitespace. A kid no one chose."""
    required = json.dumps({name: jwk[name] for name in ("e", "kty", "n")}, separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(hashlib.sha256(required.encode()).digest()).rstrip(b"=").decode()


def public_jwk(key):
    """The public half of `key` as a JSON Web Key (RFC 7517): n and e, and nothing of the private part."""
    public = jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    return {"kid": thumbprint(public), "kty": "RSA", "use": "sig", "alg": ALGORITHM, "n": public["n"], "e": public["e"]}


@cache
def site_keys():
    """(private key, JWKS) of this site, read once per process."""
    key = private_key()
    return key, {"keys": [public_jwk(key)]}


def key_for(token, jwks):
    """The public key in `jwks` (a jwt.PyJWKSet) that may verify `token`, or jwt.InvalidTokenError saying why none may."""
    header = jwt.get_unverified_header(token)
    if header.get("alg") != ALGORITHM:
        raise jwt.InvalidAlgorithmError(f"Token is not signed with {ALGORITHM}, the only algorithm accepted here")
    named = [name for name in KEY_LOCATIONS if name in header]
    if named:
        raise jwt.InvalidTokenError(
            f"Token names its own key ({', '.join(named)}): keys come from this site's JWKS only, never fetched"
        )
    kid = header.get("kid")
    matching = [jwk for jwk in jwks.keys if isinstance(kid, str) and jwk.key_id == kid]
    if not matching:
        raise jwt.InvalidTokenError("Token's key id (kid) is not in the JWKS")
    return matching[0].key
