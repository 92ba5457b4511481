"""Each namespace: its own credentials work, nothing else does, and each request costs what the contract says."""

import re

import pytest
from django.urls import reverse

import registry
from api.models import Note
from recipes.cost_headers import read_cost

from .conftest import CHALLENGES, INTROSPECTED, NAMESPACES, PROTECTED, basic_header, log_in

pytestmark = pytest.mark.django_db

# DB queries for GET me/, as each scheme's app declares them (Scheme.me_queries; GET /api/ publishes them, and
# test_registry holds those against the contract): token-cached's once its cache is warm.
QUERIES = {scheme.ns: scheme.me_queries for scheme in registry.schemes()}


def expect_refused(response, ns):
    """What a namespace answers a request without its own credentials."""
    if CHALLENGES[ns] is None:
        assert response.status_code == 403, response.content
        assert "WWW-Authenticate" not in response
    else:
        assert response.status_code == 401, response.content
        assert response["WWW-Authenticate"] == CHALLENGES[ns]
    assert response.json()["detail"]


@pytest.mark.parametrize("ns", PROTECTED)
def test_me_with_own_credentials(ns, alice):
    response = log_in(ns, "alice").get(reverse(f"{ns}:me"))

    assert response.status_code == 200
    assert response.json() == {"username": "alice", "scheme": ns}


def test_public_me_is_anonymous(client):
    response = client.get(reverse("public:me"))

    assert response.status_code == 200
    assert response.json() == {"username": None, "scheme": "public"}


@pytest.mark.parametrize("ns", PROTECTED)
def test_me_without_credentials(ns, client):
    expect_refused(client.get(reverse(f"{ns}:me")), ns)


@pytest.mark.parametrize("ns", NAMESPACES)
def test_query_count_of_me(ns, alice, django_assert_num_queries):
    client = log_in(ns, "alice")
    if ns == "token-cached":
        with django_assert_num_queries(1):  # the first request fills the cache
            client.get(reverse(f"{ns}:me"))

    with django_assert_num_queries(QUERIES[ns]) as captured:
        response = client.get(reverse(f"{ns}:me"))

    assert response.status_code == 200
    assert response["X-DB-Queries"] == str(len(captured.captured_queries)) == str(QUERIES[ns])


@pytest.mark.parametrize("ns", NAMESPACES)
def test_server_timing_reports_db_auth_and_total(ns, alice):
    response = log_in(ns, "alice").get(reverse(f"{ns}:me"))

    _, timings = read_cost(response.headers)
    calls = {"introspect"} if ns in INTROSPECTED else set()  # the round trip to the authorization server, timed
    assert set(timings) == {"db", "auth", "total", *calls}
    assert float(timings["auth"]) <= float(timings["total"])
    assert float(timings["db"]) <= float(timings["total"])


def test_basic_auth_time_includes_the_password_hash(alice, settings):
    # With the site's real hasher, authentication is most of a Basic request.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    alice.set_password("alice-test-pass")
    alice.save()
    response = log_in("basic", "alice").get(reverse("basic:me"))

    _, timings = read_cost(response.headers)
    assert float(timings["auth"]) > float(timings["total"]) / 2


@pytest.mark.parametrize("ns", PROTECTED)
def test_notes_are_private(ns, alice, bob):
    alices, bobs = log_in(ns, "alice"), log_in(ns, "bob")
    note = alices.post(reverse(f"{ns}:notes-list"), {"title": "mine", "body": "secret"})
    assert note.status_code == 201, note.content
    url = reverse(f"{ns}:notes-detail", args=[note.json()["id"]])

    assert [n["title"] for n in alices.get(reverse(f"{ns}:notes-list")).json()] == ["mine", "alice's note"]
    assert [n["title"] for n in bobs.get(reverse(f"{ns}:notes-list")).json()] == ["bob's note"]
    assert bobs.get(url).status_code == 404
    assert bobs.put(url, {"title": "stolen", "body": ""}).status_code == 404
    assert bobs.patch(url, {"title": "stolen"}).status_code == 404
    assert bobs.delete(url).status_code == 404
    assert Note.objects.get(pk=note.json()["id"]).title == "mine"


@pytest.mark.parametrize("ns", PROTECTED)
def test_notes_crud(ns, alice):
    client = log_in(ns, "alice")
    created = client.post(reverse(f"{ns}:notes-list"), {"title": "t", "body": "b"})
    assert created.status_code == 201
    assert set(created.json()) == {"id", "title", "body", "created"}
    url = reverse(f"{ns}:notes-detail", args=[created.json()["id"]])

    assert client.get(url).json()["title"] == "t"
    assert client.put(url, {"title": "t2", "body": "b2"}).json()["body"] == "b2"
    assert client.patch(url, {"title": "t3"}).json() == {**client.get(url).json(), "title": "t3"}
    assert client.delete(url).status_code == 204
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("ns", PROTECTED)
def test_notes_without_credentials(ns, alice, client):
    expect_refused(client.get(reverse(f"{ns}:notes-list")), ns)
    expect_refused(client.post(reverse(f"{ns}:notes-list"), {"title": "x", "body": ""}), ns)
    assert Note.objects.count() == 1


def test_public_notes_are_empty_and_read_only(alice, client):
    assert client.get(reverse("public:notes-list")).json() == []
    refused = client.post(reverse("public:notes-list"), {"title": "x", "body": ""})
    assert refused.status_code == 403
    assert refused.json()["detail"]
    assert client.get(reverse("public:notes-detail", args=[alice.notes.get().pk])).status_code == 404
    assert Note.objects.count() == 1


@pytest.mark.parametrize(
    "body",
    [{}, {"title": ""}, {"title": "x" * 201}, ["title"], "just a string", {"title": ["a"]}],
)
@pytest.mark.parametrize("ns", ["basic", "token", "jwt"])
def test_bad_note_bodies_are_400(ns, body, alice):
    response = log_in(ns, "alice").post(reverse(f"{ns}:notes-list"), body)

    assert response.status_code == 400
    assert Note.objects.count() == 1


def test_malformed_json_is_400(alice):
    client = log_in("token", "alice")
    response = client.post(reverse("token:notes-list"), "{not json", content_type="application/json")

    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]


def test_session_post_without_csrf_is_403(alice):
    client = log_in("session", "alice")
    del client.defaults["HTTP_X_CSRFTOKEN"]

    response = client.post(reverse("session:notes-list"), {"title": "x", "body": ""})

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert Note.objects.count() == 1


def test_session_post_from_another_origin_is_403(alice):
    client = log_in("session", "alice")

    response = client.post(reverse("session:notes-list"), {"title": "x"}, HTTP_ORIGIN="https://evil.example")

    assert response.status_code == 403
    assert "Origin" in response.json()["detail"]


@pytest.mark.parametrize("ns", NAMESPACES)
def test_namespace_root_is_public_and_lists_endpoints(ns, client):
    response = client.get(reverse(f"{ns}:root"))

    assert response.status_code == 200
    body = response.json()
    assert body["namespace"] == ns
    assert body["how_to_authenticate"]
    assert body["endpoints"]["me"] == f"http://testserver/api/{ns}/me/"


def test_api_index_lists_every_namespace(client):
    body = client.get("/api/").json()

    assert list(body["namespaces"]) == NAMESPACES


def test_root_browsable_in_a_browser(client):
    response = client.get(reverse("token:root"), HTTP_ACCEPT="text/html")

    assert response.status_code == 200
    assert b"/api/token/login/" in response.content


def test_unknown_url_is_404_with_headers(client):
    response = client.get("/api/nope/")

    assert response.status_code == 404
    assert response["X-DB-Queries"] == "0"


def test_basic_with_wrong_password_is_401(alice, client):
    response = client.get(reverse("basic:me"), HTTP_AUTHORIZATION=basic_header("alice", "wrong"))

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Basic realm="api"'


def test_landing_page_shows_measured_query_counts(alice, client, monkeypatch):
    import measurements.measure

    monkeypatch.setattr(measurements.measure, "DEMO_USERS", {"alice": "alice-test-pass"})
    monkeypatch.setattr(measurements.measure, "_landing", {})

    response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    for ns, queries in QUERIES.items():
        row = re.search(rf'<tr id="row-{re.escape(ns)}">.*?<td class="queries">(.*?)</td>', html, re.S)
        assert row, ns
        assert row.group(1).startswith(str(queries)), (ns, row.group(1))
    assert "(1 on the first request)" in html


def test_landing_page_without_demo_users_says_so(db, client, monkeypatch):
    import measurements.measure

    monkeypatch.setattr(measurements.measure, "_landing", {})

    response = client.get("/")

    assert response.status_code == 200
    assert b"seed_demo" in response.content
