"""jwt-rsa: simplejwt's tokens signed with RS256, the public key as a JWKS, and what it refuses (RFC 7519, RFC 8725).

The shared behaviour (me/, notes, query count, malformed headers, forged
tokens in general) is in the namespace-parametrized tests; here is what only
an RSA-signed JWT has: the key pair, the kid, the JWKS, a verifier that needs
no secret, and the attacks on the choice of algorithm and key.
"""

import base64
import hashlib
import hmac
import io
import json
import os
import re
import socket
import stat
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from api.models import Note
from auth_jwt_rsa import keys
from config.checkout import checkout_secret

from .conftest import PASSWORDS, ApiClient
from .servers import ROOT
from .test_namespaces import expect_refused

pytestmark = pytest.mark.django_db

PRIVATE_MEMBERS = {"d", "p", "q", "dp", "dq", "qi", "oth", "k"}
NOT_RS256 = "Token is not signed with RS256, the only algorithm accepted here"


def login(ns="jwt-rsa", username="alice"):
    response = ApiClient().post(f"/api/{ns}/login/", {"username": username, "password": PASSWORDS[username]})
    assert response.status_code == 200, response.content
    return response.json()


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def segment(value):
    return b64url(json.dumps(value).encode())


def claims_of(token):
    return jwt.decode(token, options={"verify_signature": False})


def site_kid():
    return keys.site_keys()[1]["keys"][0]["kid"]


@pytest.fixture(scope="module")
def attackers_key():
    """An RSA key pair the attacker made: a valid key, just not the site's."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def listener():
    """A port on 127.0.0.1 that records every connection made to it: a key URL no one should fetch."""
    server = socket.create_server(("127.0.0.1", 0))
    connections = []

    def accept():
        while True:
            try:
                connection, _ = server.accept()
            except OSError:  # closed: the test is over
                return
            connections.append(connection)
            connection.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}", connections
    server.shutdown(socket.SHUT_RDWR)  # wakes the accept() above
    server.close()
    thread.join(timeout=5)


def connections_after_a_probe(url, connections):
    """The connections recorded, after one of our own: proof that the listener would have seen a fetch."""
    before = len(connections)
    host, port = url.removeprefix("http://").split(":")
    socket.create_connection((host, int(port)), timeout=5).close()
    for _ in range(100):
        if len(connections) > before:
            break
        time.sleep(0.01)
    return before, len(connections)


def state():
    return Note.objects.count(), OutstandingToken.objects.count(), BlacklistedToken.objects.count()


# --- The endpoints: jwt's shapes and statuses, with RS256 tokens


def test_login_gives_rs256_tokens_that_name_their_key(alice):
    tokens = login()

    assert set(tokens) == {"access", "refresh"}
    for token in tokens.values():
        assert jwt.get_unverified_header(token) == {"alg": "RS256", "typ": "JWT", "kid": site_kid()}
    assert claims_of(tokens["access"])["username"] == "alice"
    assert claims_of(tokens["access"])["token_type"] == "access"


@pytest.mark.parametrize("keyword", ["Bearer", "JWT"])
def test_me_with_either_header_type(keyword, alice, client):
    response = client.get("/api/jwt-rsa/me/", HTTP_AUTHORIZATION=f"{keyword} {login()['access']}")

    assert response.status_code == 200
    assert response.json() == {"username": "alice", "scheme": "jwt-rsa"}


def test_refresh_rotates_and_refuses_a_used_token(alice, client):
    first = login()

    renewed = client.post("/api/jwt-rsa/refresh/", {"refresh": first["refresh"]})
    assert renewed.status_code == 200
    assert set(renewed.json()) == {"access", "refresh"}
    assert renewed.json()["refresh"] != first["refresh"]
    assert jwt.get_unverified_header(renewed.json()["access"])["kid"] == site_kid()
    me = client.get("/api/jwt-rsa/me/", HTTP_AUTHORIZATION=f"Bearer {renewed.json()['access']}")
    assert me.json() == {"username": "alice", "scheme": "jwt-rsa"}

    reused = client.post("/api/jwt-rsa/refresh/", {"refresh": first["refresh"]})
    assert reused.status_code == 401
    assert reused.json()["detail"] == "Token is blacklisted"


def test_verify(alice, client):
    tokens = login()

    assert client.post("/api/jwt-rsa/verify/", {"token": tokens["access"]}).status_code == 200
    assert client.post("/api/jwt-rsa/verify/", {"token": tokens["refresh"]}).status_code == 200
    refused = client.post("/api/jwt-rsa/verify/", {"token": "not-a-token"})
    assert refused.status_code == 401
    assert refused.json()["detail"]


def test_logout_blacklists_the_refresh_token(alice, client):
    tokens = login()

    assert client.post("/api/jwt-rsa/logout/", {"refresh": tokens["refresh"]}).status_code == 200

    assert BlacklistedToken.objects.filter(token__jti=claims_of(tokens["refresh"])["jti"]).exists()
    for url in ("/api/jwt-rsa/refresh/", "/api/jwt-rsa/logout/", "/api/jwt-rsa/verify/"):
        field = "token" if url.endswith("verify/") else "refresh"
        response = client.post(url, {field: tokens["refresh"]})
        assert response.status_code == 401
        assert response.json()["detail"] == "Token is blacklisted"


def test_wrong_password_is_refused_as_at_jwt(alice):
    answers = [
        ApiClient().post(f"/api/{ns}/login/", {"username": "alice", "password": "wrong"}) for ns in ("jwt", "jwt-rsa")
    ]

    assert [a.status_code for a in answers] == [401, 401]
    assert answers[0].json() == answers[1].json()


# --- Tokens of one namespace are refused at the other, at every endpoint, and change nothing

JWT_ACCESS_URLS = ["/api/jwt/me/", "/api/jwt-stateless/me/", "/api/protected/"]
JWT_REFRESH_URLS = ["/api/jwt/refresh/", "/auth-jwt-refresh/", "/api/jwt/logout/"]
JWT_VERIFY_URLS = ["/api/jwt/verify/", "/auth-jwt-verify/"]


@pytest.mark.parametrize("url", JWT_ACCESS_URLS)
def test_rs256_access_tokens_are_refused_at_jwt(url, alice, client):
    response = client.get(url, HTTP_AUTHORIZATION=f"Bearer {login()['access']}")

    expect_refused(response, "jwt")


def test_hs256_access_tokens_are_refused_at_jwt_rsa(alice, client):
    response = client.get("/api/jwt-rsa/me/", HTTP_AUTHORIZATION=f"Bearer {login('jwt')['access']}")

    expect_refused(response, "jwt-rsa")
    assert response.json()["messages"][0]["message"] == NOT_RS256


# (the namespace that issued the tokens, where they are sent, what the refusal says)
CROSSED = [("jwt-rsa", url, "Token is invalid") for url in JWT_REFRESH_URLS + JWT_VERIFY_URLS] + [
    ("jwt", f"/api/jwt-rsa/{endpoint}/", NOT_RS256) for endpoint in ("refresh", "logout", "verify")
]


@pytest.mark.parametrize(("issuer", "url", "detail"), CROSSED)
def test_tokens_are_refused_at_the_other_namespaces_refresh_verify_and_logout(issuer, url, detail, alice, client):
    tokens = login(issuer)
    before = state()

    for token in tokens.values():
        response = client.post(url, {"token" if "verify" in url else "refresh": token})
        assert response.status_code == 401, response.content
        assert response.json()["detail"] == detail

    assert state() == before
    assert client.post(f"/api/{issuer}/refresh/", {"refresh": tokens["refresh"]}).status_code == 200  # untouched


# --- The JWKS: the public key, and nothing else


def test_jwks_publishes_the_public_key_only(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/api/jwt-rsa/jwks.json")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    [key] = response.json()["keys"]
    assert set(key) == {"kid", "kty", "use", "alg", "n", "e"}
    assert not PRIVATE_MEMBERS & set(key)
    assert (key["kty"], key["use"], key["alg"], key["e"]) == ("RSA", "sig", "RS256", "AQAB")
    private = keys.site_keys()[0]
    assert base64.urlsafe_b64decode(key["n"] + "==") == private.public_key().public_numbers().n.to_bytes(256, "big")
    assert private.key_size >= 2048


def test_the_namespace_root_links_the_jwks(client):
    endpoints = client.get("/api/jwt-rsa/", HTTP_ACCEPT="application/json").json()["endpoints"]

    assert endpoints["jwks"] == "http://testserver/api/jwt-rsa/jwks.json"


def test_the_kid_is_the_keys_rfc_7638_thumbprint(client):
    [key] = client.get("/api/jwt-rsa/jwks.json").json()["keys"]

    # RFC 7638, section 3: SHA-256 of the required members in lexicographic order, no whitespace.
    canonical = f'{{"e":"{key["e"]}","kty":"RSA","n":"{key["n"]}"}}'
    assert key["kid"] == b64url(hashlib.sha256(canonical.encode()).digest())


def test_thumbprint_of_rfc_7638s_own_example():
    # The RSA key of RFC 7638, section 3.1, and the thumbprint the RFC gives for it.
    n = (
        "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3"
        "oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZ"
        "Hzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-k"
        "EgU8awapJzKnqDKgw"
    )
    jwk = {"kty": "RSA", "n": n, "e": "AQAB", "alg": "RS256", "kid": "2011-04-29"}

    assert keys.thumbprint(jwk) == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"


def test_a_token_verifies_with_the_jwks_alone(alice, client):
    # What a resource server does: no secret, no database, only the published JWKS.
    jwks = jwt.PyJWKSet.from_dict(client.get("/api/jwt-rsa/jwks.json").json())
    access = login()["access"]
    kid = jwt.get_unverified_header(access)["kid"]

    claims = jwt.decode(access, jwks[kid].key, algorithms=["RS256"])

    assert claims["username"] == "alice"


# --- What it refuses (RFC 8725): 401, a detail that says why, nothing changed


def hs256_with_the_public_key(token):
    """Key confusion: HMAC-SHA256 keyed with the public key, which anyone has, under the site's kid."""
    public_pem = (
        keys.site_keys()[0]
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    head = segment({"alg": "HS256", "typ": "JWT", "kid": site_kid()})
    payload = token.split(".")[1]
    signature = hmac.new(public_pem, f"{head}.{payload}".encode(), hashlib.sha256).digest()
    return f"{head}.{payload}.{b64url(signature)}"


def signed(claims, key, **header):
    return jwt.encode(claims, key, algorithm="RS256", headers=header)


def with_claims(token, **changes):
    head, _, signature = token.split(".")
    return ".".join([head, segment({**claims_of(token), **changes}), signature])


def attackers_kid(key):
    return keys.public_jwk(key)["kid"]


UNKNOWN_KID = "Token's key id (kid) is not in the JWKS"
# Each attack: (how to make it from a genuine token, the attacker's key and a key URL; the refusal it meets).
ATTACKS = {
    "alg none": (
        lambda t, k, url: jwt.encode(claims_of(t), None, algorithm="none", headers={"kid": site_kid()}),
        NOT_RS256,
    ),
    "HS256 signed with the public key": (lambda t, k, url: hs256_with_the_public_key(t), NOT_RS256),
    "unknown kid": (lambda t, k, url: signed(claims_of(t), k, kid=attackers_kid(k)), UNKNOWN_KID),
    "no kid": (lambda t, k, url: signed(claims_of(t), keys.site_keys()[0]), UNKNOWN_KID),
    "jku pointing elsewhere": (
        lambda t, k, url: signed(claims_of(t), k, kid=attackers_kid(k), jku=f"{url}/jwks.json"),
        "Token names its own key (jku): keys come from this site's JWKS only, never fetched",
    ),
    "x5u pointing elsewhere": (
        lambda t, k, url: signed(claims_of(t), k, kid=site_kid(), x5u=f"{url}/cert.pem"),
        "Token names its own key (x5u): keys come from this site's JWKS only, never fetched",
    ),
    "the attacker's key embedded (jwk)": (
        lambda t, k, url: signed(claims_of(t), k, kid=site_kid(), jwk=keys.public_jwk(k)),
        "Token names its own key (jwk): keys come from this site's JWKS only, never fetched",
    ),
    "the site's kid, the attacker's signature": (
        lambda t, k, url: signed(claims_of(t), k, kid=site_kid()),
        "Token is invalid",
    ),
    "payload altered (another user)": (
        lambda t, k, url: with_claims(t, user_id=str(int(claims_of(t)["user_id"]) + 1)),
        "Token is invalid",
    ),
    "expired": (
        lambda t, k, url: signed({**claims_of(t), "exp": int(time.time()) - 60}, keys.site_keys()[0], kid=site_kid()),
        "Token is expired",
    ),
}


@pytest.mark.parametrize("attack", ATTACKS)
def test_forged_access_tokens_are_refused(attack, alice, bob, attackers_key, listener, client):
    url, connections = listener
    make, reason = ATTACKS[attack]
    forged = make(login()["access"], attackers_key, url)
    before = state()

    me = client.get("/api/jwt-rsa/me/", HTTP_AUTHORIZATION=f"Bearer {forged}")
    write = client.post("/api/jwt-rsa/notes/", {"title": "forged", "body": ""}, HTTP_AUTHORIZATION=f"Bearer {forged}")
    verify = client.post("/api/jwt-rsa/verify/", {"token": forged})

    for response in (me, write):
        expect_refused(response, "jwt-rsa")
        assert response.json()["messages"][0]["message"] == reason
    assert verify.status_code == 401
    assert verify.json()["detail"] == reason
    assert state() == before
    assert connections_after_a_probe(url, connections) == (0, 1)  # no key URL was fetched, and ours was seen


@pytest.mark.parametrize("endpoint", ["refresh", "logout"])
@pytest.mark.parametrize("attack", ATTACKS)
def test_forged_refresh_tokens_are_refused(attack, endpoint, alice, attackers_key, listener, client):
    url, connections = listener
    make, reason = ATTACKS[attack]
    genuine = login()["refresh"]
    forged = make(genuine, attackers_key, url)
    before = state()

    response = client.post(f"/api/jwt-rsa/{endpoint}/", {"refresh": forged})

    assert response.status_code == 401, response.content
    assert response.json()["detail"] == reason
    assert state() == before
    assert connections_after_a_probe(url, connections) == (0, 1)
    assert client.post("/api/jwt-rsa/refresh/", {"refresh": genuine}).status_code == 200  # the genuine one still works


# --- The key pair: made once per checkout, or named by JWT_RSA_PRIVATE_KEY_FILE


def pem_of(key):
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def test_the_key_is_generated_once_per_checkout(tmp_path):
    first = checkout_secret(tmp_path / "key.pem", keys.new_private_key_pem)

    assert checkout_secret(tmp_path / "key.pem", keys.new_private_key_pem) == first  # kept
    assert stat.S_IMODE((tmp_path / "key.pem").stat().st_mode) == 0o600  # readable by its owner only
    assert checkout_secret(tmp_path / "another-checkout.pem", keys.new_private_key_pem) != first  # random
    assert serialization.load_pem_private_key(first, None).key_size == 2048
    assert sorted(p.name for p in tmp_path.iterdir()) == ["another-checkout.pem", "key.pem"]  # no temporary left


@pytest.mark.slow  # starts a process
def test_workers_starting_together_agree_on_the_key_pair(tmp_path):
    # RSA key generation takes a while: several workers make one each, and all use the one that won.
    path = tmp_path / "key.pem"
    code = (
        "import hashlib; from config.checkout import checkout_secret; from auth_jwt_rsa.keys import new_private_key_pem; "
        f"print(hashlib.sha256(checkout_secret({str(path)!r}, new_private_key_pem)).hexdigest())"
    )
    workers = [
        subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, text=True) for _ in range(4)
    ]
    digests = {worker.communicate(timeout=60)[0].strip() for worker in workers}

    assert digests == {hashlib.sha256(path.read_bytes()).hexdigest()}


@pytest.mark.slow  # starts a process
def test_the_key_file_is_never_committed():
    assert subprocess.run(["git", "check-ignore", "-q", ".jwt_rsa_private_key.pem"], cwd=ROOT).returncode == 0


@pytest.mark.slow  # starts a process
def test_jwt_rsa_private_key_file_names_the_key(tmp_path, attackers_key):
    # A deployment's own key (here: any 2048-bit key), given through the environment: its kid is what the JWKS says.
    path = tmp_path / "deployed.pem"
    path.write_bytes(pem_of(attackers_key))
    code = "import django; django.setup(); from auth_jwt_rsa.keys import site_keys; print(site_keys()[1]['keys'][0]['kid'])"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "JWT_RSA_PRIVATE_KEY_FILE": str(path)}

    kid = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)

    assert kid.stdout.strip() == attackers_kid(attackers_key) != site_kid()


@pytest.mark.parametrize(
    ("contents", "error"),
    [
        (None, "JWT_RSA_PRIVATE_KEY_FILE: cannot read"),
        (b"not a key", "is not an unencrypted PEM private key"),
        (
            pem_of(rsa.generate_private_key(public_exponent=65537, key_size=1024)),
            "needs an RSA key of 2048 bits or more",
        ),
        (pem_of(ec.generate_private_key(ec.SECP256R1())), "needs an RSA key of 2048 bits or more"),
    ],
    ids=["missing", "not a key", "1024 bits", "not RSA"],
)
def test_a_bad_key_file_is_a_clear_configuration_error(contents, error, tmp_path, settings):
    path = tmp_path / "key.pem"
    if contents is not None:
        path.write_bytes(contents)
    settings.JWT_RSA_PRIVATE_KEY_FILE = str(path)

    with pytest.raises(ImproperlyConfigured, match=error):
        keys.private_key()


# --- manage.py verify_jwt: a resource server's check, with the JWKS alone


@pytest.fixture
def jwks_file(tmp_path, client):
    path = tmp_path / "jwks.json"
    path.write_bytes(client.get("/api/jwt-rsa/jwks.json").content)
    return path


def verify_jwt(token, jwks):
    out, err = io.StringIO(), io.StringIO()
    call_command("verify_jwt", token, jwks=str(jwks), stdout=out, stderr=err)
    return json.loads(out.getvalue()), err.getvalue()


def test_verify_jwt_prints_the_claims_of_a_real_token(alice, jwks_file):
    claims, said = verify_jwt(login()["access"], jwks_file)

    assert claims["username"] == "alice"
    assert claims["token_type"] == "access"
    assert f"signed with RS256 by the key {site_kid()}" in said


def test_verify_jwt_fetches_the_jwks_from_this_machine(alice, jwks_file):
    body = jwks_file.read_bytes()

    class JWKS(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), JWKS)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        claims, _ = verify_jwt(login()["access"], f"http://127.0.0.1:{server.server_port}/api/jwt-rsa/jwks.json")
    finally:
        server.shutdown()
        server.server_close()

    assert claims["username"] == "alice"


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda t, k, url: with_claims(t, username="bob"), "Signature verification failed"),
        (
            lambda t, k, url: signed(
                {**claims_of(t), "exp": int(time.time()) - 60}, keys.site_keys()[0], kid=site_kid()
            ),
            "Signature has expired",
        ),
        ATTACKS["jku pointing elsewhere"],
        ATTACKS["alg none"],
        ATTACKS["HS256 signed with the public key"],
        ATTACKS["unknown kid"],
    ],
    ids=["tampered", "expired", "jku", "alg none", "key confusion", "unknown kid"],
)
def test_verify_jwt_refuses(make, reason, alice, jwks_file, attackers_key, listener):
    url, connections = listener
    forged = make(login()["access"], attackers_key, url)

    with pytest.raises(CommandError, match="^refused: " + re.escape(reason)):
        verify_jwt(forged, jwks_file)

    assert connections_after_a_probe(url, connections) == (0, 1)


def test_verify_jwt_fetches_nothing_off_this_machine(alice):
    with pytest.raises(CommandError, match="fetches only from this machine"):
        verify_jwt(login()["access"], "https://issuer.example/jwks.json")


@pytest.mark.slow  # starts a process
def test_verify_jwt_exits_non_zero_on_refusal(alice, jwks_file):
    access = login()["access"]
    command = [sys.executable, "manage.py", "verify_jwt", "--jwks", str(jwks_file)]

    valid = subprocess.run([*command, access], cwd=ROOT, capture_output=True, text=True)
    tampered = subprocess.run([*command, with_claims(access, user_id=0)], cwd=ROOT, capture_output=True, text=True)

    assert valid.returncode == 0, valid.stderr
    assert json.loads(valid.stdout)["jti"] == claims_of(access)["jti"]
    assert tampered.returncode == 1
    assert tampered.stdout == ""
    assert "refused: Signature verification failed" in tampered.stderr


# --- JWT_ASYMMETRIC_ALGORITHM: the same namespace signed with RS256, PS256, ES256 or EdDSA

# What each algorithm's JWK holds besides kid, kty, use and alg (RFC 7518, section 6; RFC 8037, section 2).
JWK_SHAPES = {
    "RS256": ("RSA", {"n", "e"}, None),
    "PS256": ("RSA", {"n", "e"}, None),
    "ES256": ("EC", {"crv", "x", "y"}, "P-256"),
    "EdDSA": ("OKP", {"crv", "x"}, "Ed25519"),
}


@pytest.fixture(params=list(JWK_SHAPES))
def algorithm(request, settings, tmp_path):
    """The namespace under one algorithm, with a key of the right kind made for the test (not the checkout's)."""
    name = request.param
    path = tmp_path / "key.pem"
    path.write_bytes(keys.new_private_key_pem(keys.KEY_TYPES[name]))
    settings.JWT_ASYMMETRIC_ALGORITHM = name
    settings.JWT_RSA_PRIVATE_KEY_FILE = str(path)
    forget_keys()
    yield name
    forget_keys()


def forget_keys():
    from auth_jwt_rsa import tokens

    keys.keys_for.cache_clear()
    tokens.backend_for.cache_clear()


def test_each_algorithm_publishes_its_own_kind_of_jwk(algorithm, client):
    kty, members, crv = JWK_SHAPES[algorithm]

    [key] = client.get("/api/jwt-rsa/jwks.json").json()["keys"]

    assert set(key) == {"kid", "kty", "use", "alg"} | members
    assert (key["kty"], key["use"], key["alg"], key.get("crv")) == (kty, "sig", algorithm, crv)
    canonical = json.dumps({m: key[m] for m in [*members, "kty"]}, separators=(",", ":"), sort_keys=True)
    assert key["kid"] == b64url(hashlib.sha256(canonical.encode()).digest())  # RFC 7638 for every key type
    assert not PRIVATE_MEMBERS & set(key)


def test_each_algorithm_logs_in_and_serves_me(algorithm, alice, client):
    tokens = login()

    assert jwt.get_unverified_header(tokens["access"]) == {"alg": algorithm, "typ": "JWT", "kid": site_kid()}
    me = client.get("/api/jwt-rsa/me/", HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    assert me.json() == {"username": "alice", "scheme": "jwt-rsa"}
    renewed = client.post("/api/jwt-rsa/refresh/", {"refresh": tokens["refresh"]})
    assert jwt.get_unverified_header(renewed.json()["access"])["alg"] == algorithm
    assert client.get("/api/jwt-rsa/").status_code == 200


def test_each_algorithm_refuses_the_others_tokens(algorithm, alice, client):
    # A token the namespace signed under another setting (each with its own key) is refused under this one.
    here = login()["access"]
    for other in JWK_SHAPES.keys() - {algorithm}:
        others_key = keys.KEY_TYPES[other].generate()
        foreign = jwt.encode(claims_of(here), others_key, algorithm=other, headers={"kid": site_kid()})

        response = client.get("/api/jwt-rsa/me/", HTTP_AUTHORIZATION=f"Bearer {foreign}")

        expect_refused(response, "jwt-rsa")
        message = f"Token is not signed with {algorithm}, the only algorithm accepted here"
        assert response.json()["messages"][0]["message"] == message


def test_verify_jwt_under_each_algorithm(algorithm, alice, jwks_file):
    claims, said = verify_jwt(login()["access"], jwks_file)

    assert claims["username"] == "alice"
    assert f"signed with {algorithm} by the key {site_kid()}" in said


def test_an_algorithm_this_namespace_does_not_offer_is_a_configuration_error(settings):
    settings.JWT_ASYMMETRIC_ALGORITHM = "HS256"  # a shared secret: jwt's, not a key pair

    with pytest.raises(ImproperlyConfigured, match="choose one of RS256, PS256, ES256, EdDSA"):
        keys.algorithm()


def test_a_key_of_the_wrong_kind_for_the_algorithm_is_a_configuration_error(settings, tmp_path):
    path = tmp_path / "rsa.pem"
    path.write_bytes(keys.new_private_key_pem(keys.RSA_KEY))
    settings.JWT_RSA_PRIVATE_KEY_FILE = str(path)

    with pytest.raises(ImproperlyConfigured, match="with ES256 needs an EC key on the P-256 curve"):
        keys.private_key("ES256")
