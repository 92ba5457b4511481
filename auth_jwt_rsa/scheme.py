"""How the site describes the jwt-rsa namespace: jwt's scheme, with tokens signed by a key pair (RS256 by default)."""

from auth_jwt.scheme import JWTScheme
from registry import Recipe

from . import keys
from .serializers import LoginSerializer


class JWTRSAScheme(JWTScheme):
    """jwt's credentials (access and refresh token) and tables; its own serializer, so RS256 tokens, and endpoints."""

    ns = "jwt-rsa"

    @property
    def title(self):
        # The algorithm is a setting (JWT_ASYMMETRIC_ALGORITHM): the title names the one in use.
        name = keys.algorithm()
        kind = "RSA" if keys.KEY_TYPES[name] is keys.RSA_KEY else "a key pair"
        return f"JSON Web Tokens signed with {kind} (simplejwt, {name})"

    how = (
        "POST username and password to /api/jwt-rsa/login/, then send 'Authorization: Bearer <access>'; "
        "the public key that checks it is at /api/jwt-rsa/jwks.json."
    )
    credential_lives = "as jwt, signed with the site's private key; anyone can check it with the public key (JWKS)"
    server_looks_up = "checks the RSA signature with the public key, then loads the user by id"
    choose_when = (
        "other services check the tokens and must not be able to issue them: they hold only the public key (JWKS)"
    )
    curl = [
        "RSA_ACCESS=$(curl -s -H 'Content-Type: application/json' "
        '-d \'{{"username": "alice", "password": "alice-demo-pass"}}\' '
        "{base}/api/jwt-rsa/login/ | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"access\"])')",
        'curl -i -H "Authorization: Bearer $RSA_ACCESS" {base}/api/jwt-rsa/me/',
        "curl -s {base}/api/jwt-rsa/jwks.json > jwks.json",
        '.venv/bin/python manage.py verify_jwt "$RSA_ACCESS" --jwks jwks.json',
    ]
    reading = (
        "One query, as jwt: the signature is checked with the public key (more CPU than HMAC), "
        "then the user is loaded by id."
    )
    recipe = Recipe("jwt", login="jwt-rsa:login", refresh="jwt-rsa:refresh", keyword="Bearer")
    login_serializer = LoginSerializer
    endpoints = "jwt-rsa"


SCHEMES = [JWTRSAScheme()]
