"""auth_jwt/backends.py: the faster PyJWT checks exactly what PyJWT's own does, segment by segment and key by key."""

import base64

import jwt
import pytest
from jwt.api_jws import PyJWS
from jwt.exceptions import DecodeError, InvalidKeyError

from auth_jwt.authentication import backend
from auth_jwt.backends import AlphabetCheckedInC, KeyCheckedOnceHMAC

GOOD = base64.urlsafe_b64encode(b'{"alg":"HS256","typ":"JWT"}').rstrip(b"=")

SEGMENTS = {
    "well formed": GOOD,
    "empty": b"",
    "trailing = kept (AWS ALB)": base64.urlsafe_b64encode(b"ab"),
    "three =": GOOD + b"===",
    "= where the length is not a multiple of 4": b"abcde=",
    "one byte too many": b"abcde",
    "a byte outside the alphabet": GOOD[:-1] + b"!",
    "standard base64's +": b"ab+c",
    "standard base64's /": b"ab/c",
    "a space": b"ab c",
    "a NUL": b"ab\x00c",
    "non-ASCII": "abé".encode(),
    "junk (GHSA-hxm8-2xgr-2p9m)": b"!!!!",
    "not canonical (unused bits set)": b"ab",
}


def outcome(decode, segment):
    try:
        return decode(segment, "header")
    except DecodeError as error:
        return ("refused", str(error))


@pytest.mark.parametrize("case", SEGMENTS)
def test_segments_decode_or_are_refused_exactly_as_pyjwt_does(case):
    ours = outcome(AlphabetCheckedInC._decode_base64url_segment, SEGMENTS[case])

    assert ours == outcome(PyJWS._decode_base64url_segment, SEGMENTS[case])


def test_the_backend_decodes_with_its_own_pyjws():
    assert isinstance(backend().pyjwt._jws, AlphabetCheckedInC)


def test_a_token_with_junk_in_its_signature_is_refused():
    site = backend()
    token = jwt.encode({"user_id": 1}, site.signing_key, algorithm="HS256")

    assert site.pyjwt.decode(token, site.signing_key, algorithms=["HS256"]) == {"user_id": 1}
    with pytest.raises(DecodeError, match="Invalid crypto padding"):
        site.pyjwt.decode(token + "!", site.signing_key, algorithms=["HS256"])


def test_the_hmac_key_check_refuses_an_asymmetric_key_every_time_it_is_given():
    hmac = KeyCheckedOnceHMAC(KeyCheckedOnceHMAC.SHA256)
    pem = b"-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----\n"

    assert (
        hmac.prepare_key("a-secret-of-enough-length-" + "k" * 32) == ("a-secret-of-enough-length-" + "k" * 32).encode()
    )
    for _ in range(2):
        with pytest.raises(InvalidKeyError):
            hmac.prepare_key(pem)
