"""simplejwt's TokenBackend, with PyJWT's check of the HMAC secret done once per process instead of on every token.

PyJWT's HMAC ``prepare_key`` makes sure the secret is not an asymmetric key
(PEM, SSH, DER, a certificate, a JSON Web Key) before every signature check:
a defence for code that lets a token's header pick the key. Here the key is
always this site's SIGNING_KEY, never the token's, so the answer cannot change
between requests; asking it again cost jwt and jwt-stateless about a tenth of a
millisecond per request (``manage.py compare_auth --profile``, "crypto"). The
signature, the expiry and every claim are still checked on every token.
"""

import jwt
from django.utils.translation import gettext_lazy as _
from jwt.algorithms import HMACAlgorithm
from jwt.exceptions import ExpiredSignatureError, InvalidAlgorithmError, InvalidTokenError
from rest_framework_simplejwt.backends import TokenBackend
from rest_framework_simplejwt.exceptions import TokenBackendError, TokenBackendExpiredToken


class KeyCheckedOnceHMAC(HMACAlgorithm):
    """PyJWT's HMAC algorithm, remembering the one key it has checked and prepared."""

    def __init__(self, hash_alg):
        super().__init__(hash_alg)
        self.checked = (None, None)  # (key as given, prepared key)

    def prepare_key(self, key):
        given, prepared = self.checked
        if key is not given and key != given:
            prepared = super().prepare_key(key)  # refuses an asymmetric key, as PyJWT always does
            self.checked = (key, prepared)
        return prepared


def pyjwt_for(algorithm):
    """A PyJWT of our own, whose HMAC algorithm checks its key once (PyJWT's module-level one stays as it is)."""
    api = jwt.PyJWT()
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
