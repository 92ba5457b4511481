"""simplejwt's tokens, signed by a TokenBackend of their own with the site's key pair: simplejwt's settings stay HS256 for jwt.

simplejwt's extension points do it: each token class names its backend
(``get_token_backend``); the authentication class and the serializers name
the token classes. The algorithm is JWT_ASYMMETRIC_ALGORITHM's (RS256 by default).
"""

from functools import cache

import jwt
from rest_framework_simplejwt import tokens as simplejwt
from rest_framework_simplejwt.backends import TokenBackend
from rest_framework_simplejwt.exceptions import TokenBackendError, TokenError
from rest_framework_simplejwt.settings import api_settings

from . import keys


class KeyPairBackend(TokenBackend):
    """Signs with the site's private key and names it in the header (kid); verifies with the JWKS's key of that kid."""

    def __init__(self, algorithm, private_key, jwks):
        super().__init__(algorithm, private_key, leeway=api_settings.LEEWAY, json_encoder=api_settings.JSON_ENCODER)
        self.jwks = jwt.PyJWKSet.from_dict(jwks)
        self.kid = jwks["keys"][0]["kid"]

    def encode(self, payload):
        # simplejwt's encode writes no kid; a verifier needs it to pick the key from the JWKS.
        return jwt.encode(
            payload,
            self.signing_key,
            algorithm=self.algorithm,
            headers={"kid": self.kid},
            json_encoder=self.json_encoder,
        )

    def get_verifying_key(self, token):
        try:
            return keys.key_for(token, self.jwks, self.algorithm)
        except jwt.InvalidTokenError as e:
            raise TokenBackendError(str(e)) from e


@cache
def backend_for(algorithm):
    return KeyPairBackend(algorithm, *keys.keys_for(algorithm))


def backend():
    return backend_for(keys.algorithm())


class KeyPairToken:
    """A simplejwt token whose backend is KeyPairBackend."""

    def __init__(self, token=None, verify=True):
        try:
            super().__init__(token, verify)
        except TokenError as refused:
            # simplejwt words every backend refusal "Token is invalid": keep the backend's reason, so
            # that the 401 says which check refused the token (the algorithm, the kid, a key location).
            reason = refused.__cause__
            if type(refused) is TokenError and type(reason) is TokenBackendError and str(reason) != "Token is invalid":
                raise TokenError(str(reason)) from reason
            raise

    def get_token_backend(self):
        return backend()


class AccessToken(KeyPairToken, simplejwt.AccessToken):
    pass


class RefreshToken(KeyPairToken, simplejwt.RefreshToken):
    access_token_class = AccessToken


class UntypedToken(KeyPairToken, simplejwt.UntypedToken):
    pass
