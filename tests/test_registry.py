"""The scheme registry: GET /api/ tells a generic client how to log in to each namespace, and one more app adds one.

`follow` below is such a client: it knows the recipe kinds and nothing about the
site (the benchmark's Locust users do the same over HTTP).
"""

import base64
import json

import pytest
from django.core.management import call_command

import measurements.capacity
import registry
from measurements import account_events

from . import oauth2_flow
from .conftest import NAMESPACES, PASSWORDS, ApiClient

pytestmark = pytest.mark.django_db

RECIPES = {
    "public": {"kind": "none"},
    "basic": {"kind": "basic"},
    "session": {"kind": "session", "login": "/api/session/login/"},
    "token": {"kind": "token", "login": "/api/token/login/", "keyword": "Token", "field": "token"},
    "token-cached": {"kind": "token", "login": "/api/token/login/", "keyword": "Token", "field": "token"},
    "jwt": {"kind": "jwt", "login": "/api/jwt/login/", "refresh": "/api/jwt/refresh/", "keyword": "Bearer"},
    "jwt-stateless": {"kind": "jwt", "login": "/api/jwt/login/", "refresh": "/api/jwt/refresh/", "keyword": "Bearer"},
    "jwt-rsa": {"kind": "jwt", "login": "/api/jwt-rsa/login/", "refresh": "/api/jwt-rsa/refresh/", "keyword": "Bearer"},
    "knox": {"kind": "token", "login": "/api/knox/login/", "keyword": "Token", "field": "token"},
    "oauth2": {
        "kind": "oauth2",
        "authorize": "/o/authorize/",
        "token": "/o/token/",
        "client_id": "drf-demo-browser",
        "redirect_uri": "http://127.0.0.1/api/oauth2/",
        "keyword": "Bearer",
    },
}


def follow(recipe, username, password):
    """A client holding `username`'s credential, obtained by following `recipe` to the letter."""
    client = ApiClient(HTTP_HOST="127.0.0.1")  # CSRF checks on, as a browser meets them; a loopback host
    credentials = {"username": username, "password": password}
    kind = recipe["kind"]
    if kind == "basic":
        raw = base64.b64encode(f"{username}:{password}".encode()).decode()
        client.defaults["HTTP_AUTHORIZATION"] = f"Basic {raw}"
    elif kind == "session":
        client.get(recipe["login"])
        csrf = client.cookies["csrftoken"].value
        assert client.post(recipe["login"], credentials, HTTP_X_CSRFTOKEN=csrf).status_code == 200
        client.defaults["HTTP_X_CSRFTOKEN"] = client.cookies["csrftoken"].value  # rotated at login
    elif kind == "token":
        answer = client.post(recipe["login"], credentials)
        assert answer.status_code == 200, answer.content
        client.defaults["HTTP_AUTHORIZATION"] = f"{recipe['keyword']} {answer.json()[recipe['field']]}"
    elif kind == "jwt":
        answer = client.post(recipe["login"], credentials)
        assert answer.status_code == 200, answer.content
        client.defaults["HTTP_AUTHORIZATION"] = f"{recipe['keyword']} {answer.json()['access']}"
        client.refresh_token = answer.json()["refresh"]
    elif kind == "oauth2":
        answer = oauth2_flow.tokens(client, recipe, username, password)
        client.logout()  # the authorization server's session: the API accepts only the token
        client.defaults["HTTP_AUTHORIZATION"] = f"{recipe['keyword']} {answer['access_token']}"
    else:
        assert kind == "none", recipe
    return client


def index(client):
    # A loopback host, as make demo serves: the oauth2 recipe's redirect URI is registered for it.
    response = client.get("/api/", HTTP_ACCEPT="application/json", HTTP_HOST="127.0.0.1")
    assert response.status_code == 200
    return response.json()["namespaces"]


def test_api_index_gives_every_namespace_its_client_recipe(client):
    namespaces = index(client)

    assert list(namespaces) == NAMESPACES
    assert {ns: entry["client"] for ns, entry in namespaces.items()} == RECIPES
    assert all(set(entry) == {"url", "scheme", "client"} for entry in namespaces.values())


def test_a_generic_client_following_each_recipe_is_who_it_logged_in_as(client, alice, oauth2_clients):
    for ns, entry in index(client).items():
        user = follow(entry["client"], "alice", PASSWORDS["alice"])
        me = user.get(entry["url"] + "me/")
        assert me.status_code == 200, (ns, me.content)
        assert me.json() == {"username": None if ns == "public" else "alice", "scheme": ns}
        if ns != "public":  # an unsafe method too: session's needs the X-CSRFToken the recipe says to send
            created = user.post(entry["url"] + "notes/", {"title": "by recipe", "body": ""})
            assert created.status_code == 201, (ns, created.content)


@pytest.mark.parametrize("ns", [ns for ns, recipe in RECIPES.items() if recipe["kind"] == "jwt"])
def test_a_jwt_recipe_s_refresh_url_renews_the_access_token(client, alice, ns):
    recipe = RECIPES[ns]
    user = follow(recipe, "alice", PASSWORDS["alice"])

    renewed = user.post(recipe["refresh"], {"refresh": user.refresh_token})
    assert renewed.status_code == 200
    user.defaults["HTTP_AUTHORIZATION"] = f"{recipe['keyword']} {renewed.json()['access']}"
    assert user.get(f"/api/{ns}/me/").json()["username"] == "alice"
    assert user.post(recipe["refresh"], {"refresh": user.refresh_token}).status_code == 401  # rotated: used up


@pytest.fixture
def one_more_namespace(settings):
    """The site as it is, plus a test-only app with its scheme.py and one more namespace(...) line."""
    settings.INSTALLED_APPS = [*settings.INSTALLED_APPS, "tests.extra_scheme"]
    settings.ROOT_URLCONF = "tests.extra_scheme.urls"
    return "token-again"


def test_one_app_and_one_url_line_add_a_namespace_everywhere(one_more_namespace, client, alice, capsys, monkeypatch):
    ns = one_more_namespace
    monkeypatch.setattr(measurements.capacity, "_in_process", {})  # the chart's ratios, measured with it mounted

    assert registry.namespaces() == [*NAMESPACES, ns]
    landing = client.get("/").content.decode()
    assert f'<tr id="row-{ns}">' in landing and f'<g class="bar" id="bar-{ns}"' in landing
    assert f'<section class="curl" id="curl-{ns}">' in client.get("/step-by-step/").content.decode()
    assert f'name="ns" value="{ns}"' in client.get("/race/").content.decode()
    entry = index(client)[ns]
    assert entry["client"] == {"kind": "token", "login": f"/api/{ns}/login/", "keyword": "Token", "field": "token"}
    assert follow(entry["client"], "alice", PASSWORDS["alice"]).get(f"/api/{ns}/me/").json()["username"] == "alice"
    assert ns in [c.name for c in account_events.credentials()]
    root = client.get(f"/api/{ns}/", HTTP_ACCEPT="application/json").json()
    assert root["scheme"] == "DRF tokens again (a namespace only the tests mount)"
    assert root["endpoints"]["login"].endswith(f"/api/{ns}/login/")
    call_command("compare_auth", "--requests", "2", "--json")
    assert ns in json.loads(capsys.readouterr().out)["namespaces"]


def test_a_namespace_no_app_describes_fails_at_startup():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="no installed app describes namespace 'nobody'"):
        registry.describe("nobody")
