"""simplejwt's TokenBackend, with PyJWT's check of the HMAC secret done once per process instead of on every token.

PyJWT's HMAC ``prepare_key`` makes sure the secret is not an asymmetric key
(PEM, SSH, DER, a certificate, a JSON Web Key) before every signature check:
a defence for code that lets a token's header pick the key. Here the key is
always this site's SIGNING_KEY, never the token's, so the answer cannot change
between requests; asking it again cost jwt and jwt-stateless about a tenth of a
millisecond per request (``manage.py compare_auth --profile``, "crypto"). The
signature, the expiry and every claim are still checked on every token.

It also checks each segment's alphabet in C (``AlphabetCheckedInC``): PyJWT's
own check walks the token byte by byte in a Python generator, which was the
largest part of decoding an HS256 token left after the key check.
"""

import binascii

import jwt
from django.utils.translation import gettext_lazy as _
from jwt.algorithms import HMACAlgorithm
from jwt.api_jws import _BASE64URL_ALPHABET, PyJWS
from jwt.exceptions import DecodeError, ExpiredSignatureError, InvalidAlgorithmError, InvalidTokenError
from rest_framework_simplejwt.backends import TokenBackend
from rest_framework_simplejwt.exceptions import TokenBackendError, TokenBackendExpiredToken


class KeyCheckedOnceHMAC(HMACAlgorithm):
    """PyJWT's HMAC algorithm, remembering the one key it has checked and prepared."""

    def __init__(self, hash_alg):
        super().__init__(hash_alg)
        self.checked = (None, None)  # (key as given, prepared key)
        self.length_checked = (None, None)  # (prepared key, PyJWT's warning about its length or None)

    def prepare_key(self, key):
        given, prepared = self.checked
        if key is not given and key != given:
            prepared = super().prepare_key(key)  # refuses an asymmetric key, as PyJWT always does
            self.checked = (key, prepared)
        return prepared

    def check_key_length(self, key):
        # The same prepared key every time (prepare_key above): its length too is checked once.
        checked, message = self.length_checked
        if key is not checked:
            message = super().check_key_length(key)
            self.length_checked = (key, message)
        return message


FROM_URLSAFE = bytes.maketrans(b"-_", b"+/")  # what base64.urlsafe_b64decode translates
TO_URLSAFE = bytes.maketrans(b"+/", b"-_")


class AlphabetCheckedInC(PyJWS):
    """PyJWT's PyJWS; a segment's characters are checked by bytes.translate rather than by a generator over each byte.

    The segment is then decoded, and encoded again to refuse a non-canonical
    one, by binascii directly: jwt.utils' and base64's functions around the
    same two C calls were five Python calls per segment, three segments a token.
    """

    @staticmethod
    def _decode_base64url_segment(segment, name):
        # PyJWS._decode_base64url_segment (PyJWT 2.15.1), the same checks in the same order;
        # only "any byte outside the alphabet" is asked of bytes.translate (what is left once
        # every alphabet byte is deleted), not of `any(...)` in Python. tests/test_jwt_backend.py
        # compares the two on well-formed and malformed segments.
        padding = 0
        stripped = segment
        while stripped.endswith(b"="):
            stripped = stripped[:-1]
            padding += 1
            if padding > 2:
                raise DecodeError(f"Invalid {name} padding")
        if padding and len(segment) % 4 != 0:
            raise DecodeError(f"Invalid {name} padding")
        if len(stripped) % 4 == 1 or stripped.translate(None, _BASE64URL_ALPHABET):
            raise DecodeError(f"Invalid {name} padding")
        try:
            # jwt.utils.base64url_decode (padded again, then base64.urlsafe_b64decode), in C calls only.
            decoded = binascii.a2b_base64(stripped.translate(FROM_URLSAFE) + b"=" * (-len(stripped) % 4))
        except (TypeError, binascii.Error) as err:
            raise DecodeError(f"Invalid {name} padding") from err
        # jwt.utils.base64url_encode (base64.urlsafe_b64encode, without "="), in C calls only.
        if binascii.b2a_base64(decoded, newline=False).translate(TO_URLSAFE).replace(b"=", b"") != stripped:
            raise DecodeError(f"Invalid {name} padding")
        return decoded


def pyjwt_for(algorithm):
    """A PyJWT of our own: its HMAC algorithm checks its key once, its PyJWS checks the alphabet in C.

    PyJWT's module-level jwt.decode stays as it is.
    """
    api = jwt.PyJWT()
    # PyJWT has no public way to give a PyJWT instance its PyJWS: it builds one in __init__, as here.
    api._jws = AlphabetCheckedInC(options=api._get_sig_options())
    if algorithm.startswith("HS"):
        # PyJWT has no public way to give a PyJWT instance its algorithms: its PyJWS (_jws) holds them.
        api._jws.unregister_algorithm(algorithm)
        api._jws.register_algorithm(algorithm, KeyCheckedOnceHMAC(getattr(HMACAlgorithm, f"SHA{algorithm[2:]}")))
    return api


class KeyCheckedOnceBackend(TokenBackend):
    """simplejwt's TokenBackend; decode is simplejwt's own, calling a PyJWT that checks the HMAC key once."""

    def __init__(self, algorithm, *args, **kwargs):
        super().__init__(algorithm, *args, **kwargs)
        self.pyjwt = pyjwt_for(algorithm)

    def decode(self, token, verify=True):
        # simplejwt's TokenBackend.decode (5.5.1), with self.pyjwt for jwt; it names the module-level one.
        try:
            return self.pyjwt.decode(
                token,
                self.get_verifying_key(token),
                algorithms=[self.algorithm],
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.get_leeway(),
                options={"verify_aud": self.audience is not None, "verify_signature": verify},
            )
        except InvalidAlgorithmError as e:
            raise TokenBackendError(_("Invalid algorithm specified")) from e
        except ExpiredSignatureError as e:
            raise TokenBackendExpiredToken(_("Token is expired")) from e
        except InvalidTokenError as e:
            raise TokenBackendError(_("Token is invalid")) from e


def site_backend():
    """simplejwt's own backend's settings (SIMPLE_JWT: HS256, SIGNING_KEY, ...), in a KeyCheckedOnceBackend."""
    from rest_framework_simplejwt.state import token_backend as simplejwts

    return KeyCheckedOnceBackend(
        simplejwts.algorithm,
        simplejwts.signing_key,
        simplejwts.verifying_key,
        simplejwts.audience,
        simplejwts.issuer,
        None,  # no JWK_URL: the key is SIGNING_KEY
        simplejwts.leeway,
        simplejwts.json_encoder,
    )
