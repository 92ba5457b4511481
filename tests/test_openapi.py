"""The OpenAPI schema tells the truth, in-process: each refusal the site really gives is documented, body and headers.

tests/test_schemathesis.py fuzzes the live site against the same schema; these
are its fast, fixed cases: one request per kind of answer, in every namespace.
"""

import jsonschema
import pytest
from django.urls import path
from drf_spectacular.generators import SchemaGenerator
from referencing import Registry, Resource
from rest_framework.authentication import TokenAuthentication

from api import views

from .conftest import CHALLENGES, NAMESPACES, PASSWORDS, PROTECTED, ApiClient, log_in

pytestmark = pytest.mark.django_db


def wrong_credentials(ns):
    """A credential of the namespace's kind that is not valid: the challenge's keyword with a wrong value, or a made-up session."""
    if CHALLENGES[ns] is None:
        return {"HTTP_COOKIE": "sessionid=abcdefghijklmnopqrstuvwxyz012345"}
    keyword = CHALLENGES[ns].split()[0]
    value = "YWxpY2U6d3Jvbmc=" if keyword == "Basic" else "0123456789abcdef.not-a-valid.credential"  # alice:wrong
    return {"HTTP_AUTHORIZATION": f"{keyword} {value}"}


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    with django_db_blocker.unblock():
        return ApiClient().get("/api/schema/", HTTP_ACCEPT="application/json").json()


def as_json_schema(node):
    """OpenAPI 3.0's `nullable` as JSON Schema says it (a type that admits null)."""
    if isinstance(node, list):
        return [as_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: as_json_schema(value) for key, value in node.items()}
    if node.pop("nullable", False) and "type" in node:
        node["type"] = [node["type"], "null"]
    return node


def assert_documented(schema, template, response):
    """The response's status, Content-Type, body and headers are the ones /api/schema/ gives for the operation."""
    method = response.request["REQUEST_METHOD"].lower()
    responses = schema["paths"][template][method]["responses"]
    status = str(response.status_code)
    assert status in responses, (template, method, status, list(responses))
    documented = responses[status]
    for name, header in documented.get("headers", {}).items():
        value = response[name]
        jsonschema.validate(int(value) if header["schema"]["type"] == "integer" else value, header["schema"])
    if response.status_code == 204:
        return documented
    media_type = response["Content-Type"].split(";")[0]
    assert media_type in documented["content"], (template, status, media_type)
    # The body against the operation's own schema for it, $refs resolved within the whole document.
    where = ["paths", template, method, "responses", status, "content", media_type, "schema"]
    pointer = "/".join(part.replace("~", "~0").replace("/", "~1") for part in where)
    registry = Registry().with_resource("urn:api", Resource.opaque(as_json_schema(schema)))
    jsonschema.Draft202012Validator({"$ref": f"urn:api#/{pointer}"}, registry=registry).validate(response.json())
    return documented


# --- 401 with the scheme's challenge, or 403 where it has none


@pytest.mark.parametrize("ns", PROTECTED)
@pytest.mark.parametrize("credentials", ["none", "wrong"])
def test_refused_credentials_are_documented_with_the_challenge(ns, credentials, schema, client, alice):
    extra = wrong_credentials(ns) if credentials == "wrong" else {}
    for template, response in [
        (f"/api/{ns}/me/", client.get(f"/api/{ns}/me/", **extra)),
        (f"/api/{ns}/notes/", client.post(f"/api/{ns}/notes/", {"title": "t"}, **extra)),
        (f"/api/{ns}/notes/{{id}}/", client.delete(f"/api/{ns}/notes/{alice.notes.get().pk}/", **extra)),
    ]:
        documented = assert_documented(schema, template, response)
        if CHALLENGES[ns]:
            assert response.status_code == 401
            assert documented["headers"]["WWW-Authenticate"]["schema"]["enum"] == [CHALLENGES[ns]]
        else:
            assert response.status_code == 403
            assert "WWW-Authenticate" not in response


def test_session_writes_without_csrf_are_a_documented_403(schema, alice):
    client = log_in("session", "alice")
    del client.defaults["HTTP_X_CSRFTOKEN"]

    response = client.post("/api/session/notes/", {"title": "t"})

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert "CSRF" in assert_documented(schema, "/api/session/notes/", response)["description"]


def test_public_refuses_a_writer_with_a_documented_403(schema, client):
    response = client.post("/api/public/notes/", {"title": "t"})

    assert response.status_code == 403
    assert_documented(schema, "/api/public/notes/", response)


# --- 400, 404, 415: the same in every namespace


@pytest.mark.parametrize("ns", NAMESPACES)
def test_bad_bodies_and_missing_notes_are_documented(ns, schema, alice, bob):
    client = log_in(ns, "alice") if ns != "public" else ApiClient()
    notes, note = f"/api/{ns}/notes/", f"/api/{ns}/notes/{{id}}/"

    blank = client.post(notes, {"title": ""})
    assert blank.json() == {"title": ["This field may not be blank."]}
    unparsable = client.post(notes, "{", content_type="application/json")
    assert unparsable.status_code == 400
    assert "JSON parse error" in unparsable.json()["detail"]
    unsupported = client.post(notes, "title=t", content_type="text/plain")
    assert unsupported.status_code == 415
    for response in (blank, unparsable, unsupported):
        assert_documented(schema, notes, response)

    bobs = f"/api/{ns}/notes/{bob.notes.get().pk}/"
    for response in (client.get(bobs), client.put(bobs, {"title": "t"}), client.patch(bobs, {}), client.delete(bobs)):
        assert response.status_code == 404
        assert_documented(schema, note, response)


def test_an_id_that_is_no_number_is_djangos_documented_404(schema, client):
    response = client.get("/api/token/notes/abc/")

    assert response.status_code == 404
    assert "text/html" in schema["paths"]["/api/token/notes/{id}/"]["get"]["responses"]["404"]["content"]


# --- Logins: 400 or 401 for wrong credentials, 429 with Retry-After past the throttle

LOGINS = [
    "/api/session/login/",
    "/api/token/login/",
    "/api/jwt/login/",
    "/jwt-auth/",
    "/auth-jwt/",
    "/api/jwt-cookie/login/",
]


def post_as_a_client(url, body):
    """A POST as a fresh client makes it, with the CSRF token where the endpoint wants one (the cookie logins)."""
    client = ApiClient()
    extra = {}
    if url in ("/api/session/login/", "/api/jwt-cookie/login/"):
        client.get(url)
        extra["HTTP_X_CSRFTOKEN"] = client.cookies["csrftoken"].value
    return client.post(url, body, **extra)


def login_attempt(url, password):
    return post_as_a_client(url, {"username": "alice", "password": password})


@pytest.mark.parametrize("url", LOGINS)
def test_login_answers_are_documented(url, schema, alice, settings):
    settings.LOGIN_THROTTLE = "2/minute"

    assert_documented(schema, url, login_attempt(url, PASSWORDS["alice"]))
    assert_documented(schema, url, login_attempt(url, "wrong"))  # 400 or 401
    throttled = login_attempt(url, "wrong")
    assert throttled.status_code == 429
    assert "Retry-After" in assert_documented(schema, url, throttled)["headers"]


def test_fetching_the_session_login_page_is_never_throttled(schema):
    assert "429" not in schema["paths"]["/api/session/login/"]["get"]["responses"]
    assert "429" in schema["paths"]["/api/session/login/"]["post"]["responses"]


@pytest.mark.parametrize("prefix", ["/api/jwt/", "/auth-jwt-"])
def test_jwt_token_endpoints_are_documented(prefix, schema, client, alice):
    tokens = client.post("/api/jwt/login/", {"username": "alice", "password": PASSWORDS["alice"]}).json()
    verify = f"{prefix}verify/"

    assert_documented(schema, verify, client.post(verify, {"token": tokens["access"]}))  # 200 {}
    assert_documented(schema, verify, client.post(verify, {"token": "not.a.jwt"}))  # 401
    assert_documented(schema, verify, client.post(verify, {}))  # 400
    refresh = "/api/jwt/refresh/" if prefix == "/api/jwt/" else "/auth-jwt-refresh/"
    assert_documented(schema, refresh, client.post(refresh, {"refresh": "not.a.jwt"}))  # 401
    rotated = client.post(refresh, {"refresh": tokens["refresh"]})
    assert_documented(schema, refresh, rotated)
    logout = client.post("/api/jwt/logout/", {"refresh": rotated.json()["refresh"]})
    assert logout.status_code == 200
    assert_documented(schema, "/api/jwt/logout/", logout)


# --- Required strings are non-blank in the schema, and the API refuses a blank one


def request_fields(schema):
    """(path, request component, field) for every string a POST body must not leave blank, where no credential is needed.

    The other namespaces' notes take the same component as public's.
    """
    found = set()
    for template, operations in schema["paths"].items():
        post = operations.get("post")
        if post and "requestBody" in post and {} in post.get("security", [{}]):
            ref = post["requestBody"]["content"]["application/json"]["schema"]["$ref"]
            component = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
            for field, spec in component["properties"].items():
                if spec.get("minLength") == 1:
                    found.add((template, ref.rsplit("/", 1)[1], field))
    return found


def test_required_strings_are_marked_non_blank(schema):
    marked = {(component, field) for _, component, field in request_fields(schema)}

    for component, field in [
        ("AuthTokenRequest", "username"),
        ("AuthTokenRequest", "password"),
        ("LoginRequest", "username"),
        ("LoginRequest", "password"),
        ("NoteRequest", "title"),
        ("RefreshRequest", "refresh"),
        ("TokenBlacklistRequest", "refresh"),
        ("VerifyRequest", "token"),
    ]:
        assert (component, field) in marked
    # What may be blank says so: a note's body.
    assert "minLength" not in str(schema["components"]["schemas"]["NoteRequest"]["properties"]["body"])


def test_the_api_refuses_what_the_schema_calls_blank(schema, alice):
    fields = request_fields(schema)
    assert len({template for template, _, _ in fields}) >= 10  # every login, refresh, verify, logout, notes

    for template, component, field in sorted(fields):
        properties = schema["components"]["schemas"][component]["properties"]
        field_schema = jsonschema.Draft7Validator(as_json_schema(properties[field]))
        # Blank, a NUL, and white space only (where DRF strips it: the pattern says so).
        for value in ["", "a\x00b", "  \t"]:
            if field_schema.is_valid(value):
                assert value.isspace(), (component, field)  # a password isn't stripped
                assert field == "password", (component, field)
                continue
            response = post_as_a_client(template, {**dict.fromkeys(properties, "x"), field: value})
            assert response.status_code == 400, (template, field, value, response.content)
            assert field in response.json(), (template, field, response.json())
            assert_documented(schema, template, response)


# --- A new namespace: its refusals come with its authentication class


class KeywordTokenAuthentication(TokenAuthentication):
    """A scheme the site doesn't have: `Authorization: Key <key>`."""

    keyword = "Key"


def test_a_new_scheme_gets_its_refusals_documented_for_free():
    patterns = [
        path(
            "api/new/notes/<int:pk>/", views.NoteDetailView.as_view(authentication_classes=[KeywordTokenAuthentication])
        )
    ]

    operation = SchemaGenerator(patterns=patterns).get_schema(public=True)["paths"]["/api/new/notes/{id}/"]["put"]

    assert sorted(operation["responses"]) == ["200", "400", "401", "404", "406", "415"]
    assert operation["responses"]["401"]["headers"]["WWW-Authenticate"]["schema"]["enum"] == ["Key"]
