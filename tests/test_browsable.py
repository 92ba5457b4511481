"""The browsable API's pages and the OpenAPI schema, in-process (the browser tests are in test_browse.py)."""

import re

import pytest
import yaml
from django.core.management import call_command
from django.test.client import MULTIPART_CONTENT
from django.urls import reverse

from .conftest import NAMESPACES, PASSWORDS, PROTECTED, log_in

pytestmark = pytest.mark.django_db

# The namespaces with an authorization panel, and the login endpoint it posts to.
PANEL_LOGIN = {
    "token": "/api/token/login/",
    "token-cached": "/api/token/login/",
    "jwt": "/api/jwt/login/",
    "jwt-stateless": "/api/jwt/login/",
    "jwt-rsa": "/api/jwt-rsa/login/",
    "knox": "/api/knox/login/",
    "oauth2": "/o/authorize/",  # the authorization-code flow starts there
    "oauth2-introspect": "/o/authorize/",  # the same flow, the same authorization server
    "oauth2-introspect-cached": "/o/authorize/",
}
PANEL = list(PANEL_LOGIN)
SECURITY = {
    "basic": "basicAuth",
    "session": "cookieAuth",
    "token": "tokenAuth",
    "token-cached": "tokenAuth",
    "jwt": "jwtAuth",
    "jwt-stateless": "jwtAuth",
    "jwt-rsa": "jwtRsaAuth",
    "knox": "knoxAuth",
    "jwt-cookie": "jwtCookieAuth",
    "oauth2": "oauth2",
    "oauth2-introspect": "oauth2",  # the same tokens: one "Authorize" in Swagger UI for the three
    "oauth2-introspect-cached": "oauth2",
}


def html(client, url, **extra):
    return client.get(url, HTTP_ACCEPT="text/html", **extra)


@pytest.mark.parametrize("ns", NAMESPACES)
def test_each_page_names_its_scheme_and_links_swagger_ui(ns, client):
    response = html(client, reverse(f"{ns}:root"))

    assert response.status_code == 200
    page = response.content.decode()
    assert f"<code>/api/{ns}/</code> is protected by" in page
    assert f'href="/api/docs/#/{ns}"' in page
    assert 'id="cost-line"' in page
    assert "instrumentation/request_cost.js" in page
    assert ('id="authorize"' in page) == (ns in PANEL)  # the panel only where a browser needs one


@pytest.mark.parametrize("ns", PANEL)
def test_panel_logs_in_at_the_namespaces_own_endpoint(ns, client):
    page = html(client, reverse(f"{ns}:me")).content.decode()

    assert f'data-login="{PANEL_LOGIN[ns]}"' in page
    assert f'data-namespace="{ns}"' in page


def test_basic_page_without_credentials_challenges_the_browser(client):
    response = html(client, reverse("basic:me"))

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Basic realm="api"'
    assert b"is protected by HTTP Basic" in response.content


def test_session_pages_offer_drf_login_link(client):
    page = html(client, reverse("session:me")).content.decode()

    assert "/api-auth/login/?next=/api/session/me/" in page


def test_jwt_cookie_pages_log_in_with_the_login_page_s_own_form(alice, client):
    page = html(client, reverse("jwt-cookie:me")).content.decode()
    assert 'href="/api/jwt-cookie/login/" id="cookie-login"' in page
    assert 'id="authorize"' not in page

    form = html(client, reverse("jwt-cookie:login"))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.content.decode())[1]
    data = {"username": "alice", "password": PASSWORDS["alice"], "csrfmiddlewaretoken": token}
    logged_in = client.post(reverse("jwt-cookie:login"), data, content_type=MULTIPART_CONTENT, HTTP_ACCEPT="text/html")

    assert logged_in.status_code == 200
    assert logged_in.cookies["jwt_access"]["httponly"]
    page = html(client, reverse("jwt-cookie:me")).content.decode()
    assert 'id="signed-in-as">alice, by' in page
    assert 'id="cookie-login"' not in page


def test_other_namespaces_offer_no_session_login(client):
    page = html(client, reverse("token:me")).content.decode()

    assert "/api-auth/login/" not in page


@pytest.mark.parametrize("ns", PROTECTED)
def test_signed_in_user_shown_by_the_namespaces_scheme(ns, alice):
    page = html(log_in(ns, "alice"), reverse(f"{ns}:me")).content.decode()

    assert "alice" in page
    if ns != "session":
        assert 'id="signed-in-as"' in page
        assert "Log out" not in page


def test_namespace_root_links_openapi(client):
    body = client.get(reverse("jwt:root")).json()

    assert body["openapi"] == {
        "schema": "http://testserver/api/schema/",
        "swagger_ui": "http://testserver/api/docs/#/jwt",
    }


def test_landing_page_links_swagger_ui(client, monkeypatch):
    import measurements.measure

    monkeypatch.setattr(measurements.measure, "landing_figures", lambda: {})
    response = client.get("/")

    assert b'href="/api/docs/"' in response.content


def test_schema_validates_without_warnings(tmp_path):
    # The command raises on any warning or error (--fail-on-warn), and validates against the OpenAPI spec.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))

    schema = yaml.safe_load((tmp_path / "schema.yaml").read_text())
    assert schema["components"]["securitySchemes"]["tokenAuth"]["name"] == "Authorization"
    assert "`Token <key>`" in schema["components"]["securitySchemes"]["tokenAuth"]["description"]
    assert schema["components"]["securitySchemes"]["jwtAuth"]["scheme"] == "bearer"
    assert "/api/knox/login/" in schema["components"]["securitySchemes"]["knoxAuth"]["description"]


@pytest.mark.parametrize("ns", NAMESPACES)
def test_each_operation_names_its_namespaces_scheme(ns, client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200

    paths = {path: ops for path, ops in response.json()["paths"].items() if path.startswith(f"/api/{ns}/")}
    for path in (f"/api/{ns}/me/", f"/api/{ns}/notes/", f"/api/{ns}/notes/{{id}}/"):
        for operation in paths[path].values():
            expected = [{SECURITY[ns]: []}] if ns in SECURITY else [{}]
            assert operation["security"] == expected, (path, operation["security"])


def test_swagger_ui_uses_this_sites_files_only(client):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert "cdn." not in page
    assert "https://" not in page
