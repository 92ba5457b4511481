"""Refresh-token rotation: a used refresh token is refused, and using it again ends the login's whole chain (RFC 9700).

In-process, one request at a time; tests/test_outages.py sends the same
token from many clients at once to a real multi-threaded server.
"""

import pytest
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken

from auth_jwt.serializers import FAMILY_CLAIM

from .conftest import PASSWORDS, ApiClient

pytestmark = pytest.mark.django_db

ROTATING = ["jwt", "jwt-rsa"]


def login(ns, client, username="alice"):
    response = client.post(f"/api/{ns}/login/", {"username": username, "password": PASSWORDS[username]})
    assert response.status_code == 200, response.content
    return response.json()


def refresh(ns, client, token):
    return client.post(f"/api/{ns}/refresh/", {"refresh": token})


def claims(token):
    import jwt

    return jwt.decode(token, options={"verify_signature": False})


@pytest.mark.parametrize("ns", ROTATING)
def test_the_family_is_carried_through_rotations(ns, alice):
    client = ApiClient()
    first = login(ns, client)["refresh"]
    second = refresh(ns, client, first).json()["refresh"]
    third = refresh(ns, client, second).json()["refresh"]

    families = {claims(t)[FAMILY_CLAIM] for t in (first, second, third)}
    assert len(families) == 1
    assert len({claims(t)["jti"] for t in (first, second, third)}) == 3
    assert claims(login(ns, client)["refresh"])[FAMILY_CLAIM] not in families  # each login: a chain of its own


@pytest.mark.parametrize("ns", ROTATING)
def test_reuse_after_rotation_ends_the_chain(ns, alice):
    user, thief = ApiClient(), ApiClient()
    stolen = login(ns, user)["refresh"]
    other_login = login(ns, ApiClient())["refresh"]  # alice on another device: not this chain
    second = refresh(ns, user, stolen).json()["refresh"]  # the user rotates first
    current = refresh(ns, user, second).json()["refresh"]

    replay = refresh(ns, thief, stolen)

    assert replay.status_code == 401
    assert replay.json()["code"] == "token_not_valid"
    after = refresh(ns, user, current)  # what the legitimate client holds now: ended too
    assert after.status_code == 401
    assert refresh(ns, ApiClient(), other_login).status_code == 200
    chain = [claims(t)["jti"] for t in (stolen, second, current)]
    assert BlacklistedToken.objects.filter(token__jti__in=chain).count() == 3


@pytest.mark.parametrize("ns", ROTATING)
def test_the_thief_who_rotates_first_loses_the_chain_too(ns, alice):
    user, thief = ApiClient(), ApiClient()
    stolen = login(ns, user)["refresh"]
    thiefs = refresh(ns, thief, stolen).json()["refresh"]

    assert refresh(ns, user, stolen).status_code == 401  # the user's next refresh: a reuse
    assert refresh(ns, thief, thiefs).status_code == 401


@pytest.mark.parametrize("ns", ROTATING)
def test_a_forged_or_logged_out_token_ends_nothing_else(ns, alice):
    client = ApiClient()
    tokens = login(ns, client)
    head, payload, signature = tokens["refresh"].split(".")
    forged = f"{head}.{payload}.{signature[:-4]}AAAA"

    assert refresh(ns, client, forged).status_code == 401
    assert refresh(ns, client, tokens["refresh"]).status_code == 200  # the chain goes on


@pytest.mark.parametrize("ns", ROTATING)
def test_a_deleted_users_refresh_token_is_a_401(ns, alice):
    client = ApiClient()
    token = login(ns, client)["refresh"]
    alice.delete()

    response = refresh(ns, client, token)

    assert response.status_code == 401
    assert response.json()["code"] == "no_active_account"
