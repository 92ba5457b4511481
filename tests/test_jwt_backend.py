"""auth_jwt/backends.py: the faster PyJWT checks exactly what PyJWT's own does, segment by segment and key by key;
and jwt-stateless, which skips simplejwt's second look at "exp", still refuses every token simplejwt refuses."""

import base64
import time

import jwt
import pytest
from django.urls import reverse
from jwt.algorithms import HMACAlgorithm
from jwt.api_jws import PyJWS
from jwt.exceptions import DecodeError, InvalidKeyError
from rest_framework_simplejwt.exceptions import TokenError

from auth_jwt.authentication import AccessToken, backend
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


def test_a_short_key_is_warned_about_every_time_as_pyjwt_does():
    ours, pyjwts = KeyCheckedOnceHMAC(KeyCheckedOnceHMAC.SHA256), HMACAlgorithm(HMACAlgorithm.SHA256)
    short, long_enough = b"short", b"k" * 32

    assert ours.check_key_length(short) == ours.check_key_length(short) == pyjwts.check_key_length(short)
    assert "below the minimum recommended length" in ours.check_key_length(short)
    assert ours.check_key_length(long_enough) is None


def stateless_me(client, token):
    return client.get(reverse("jwt-stateless:me"), HTTP_AUTHORIZATION=f"Bearer {token}")


def signed(claims):
    """A token signed with the site's own key, whatever its claims (an attacker without the key cannot make one)."""
    site = backend()
    return jwt.encode(claims, site.signing_key, algorithm=site.algorithm)


def access_claims(**changed):
    now = int(time.time())
    claims = {"token_type": "access", "exp": now + 300, "iat": now, "jti": "j" * 32, "user_id": "1"}
    return {k: v for k, v in {**claims, **changed}.items() if v is not None}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("claims", "message"),
    [
        (access_claims(exp=int(time.time()) - 10), "Token is expired"),
        (access_claims(exp=None), "Token has no 'exp' claim"),
        (access_claims(jti=None), "Token has no id"),
        (access_claims(token_type="refresh"), "Token has wrong type"),
        (access_claims(token_type=None), "Token has no type"),
    ],
    ids=["expired", "no exp", "no jti", "a refresh token", "no type"],
)
def test_jwt_stateless_still_refuses_what_simplejwt_refuses(client, claims, message):
    response = stateless_me(client, signed(claims))

    assert response.status_code == 401, response.content
    assert response.json()["messages"][0]["message"] == message


@pytest.mark.django_db
def test_jwt_stateless_takes_a_well_formed_token_without_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = stateless_me(client, signed(access_claims(user_id="1", username="alice")))

    assert response.status_code == 200, response.content
    assert response.json() == {"username": "alice", "scheme": "jwt-stateless"}


def test_an_unverified_token_checks_its_expiry_when_verified_later():
    token = AccessToken(signed(access_claims(exp=int(time.time()) - 10)), verify=False)

    with pytest.raises(TokenError, match="'exp' claim has expired"):
        token.verify()
