"""Session hardening: CSRF on every unsafe method (token and Origin), cookie flags, logout and password change end sessions."""

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse

from api.models import Note

from .conftest import PASSWORDS, ApiClient, log_in, session_login

pytestmark = pytest.mark.django_db


def unsafe_requests(note_id):
    """Every unsafe method the session namespace serves: (method, url, body)."""
    detail = reverse("session:notes-detail", args=[note_id])
    return [
        ("post", reverse("session:notes-list"), {"title": "forged", "body": ""}),
        ("put", detail, {"title": "forged", "body": ""}),
        ("patch", detail, {"title": "forged"}),
        ("delete", detail, None),
        ("post", reverse("session:logout"), None),
    ]


@pytest.mark.parametrize("index", range(5), ids=["POST notes", "PUT note", "PATCH note", "DELETE note", "POST logout"])
@pytest.mark.parametrize(
    ("forgery", "reason"),
    [
        ({"HTTP_X_CSRFTOKEN": None}, "CSRF token missing"),
        ({"HTTP_X_CSRFTOKEN": "x" * 32}, "CSRF token"),
        ({"HTTP_ORIGIN": "https://evil.example"}, "Origin checking failed"),
        ({"HTTP_ORIGIN": "null"}, "Origin checking failed"),
    ],
    ids=["no token", "wrong token", "another origin", "opaque origin"],
)
def test_csrf_guards_every_unsafe_method(index, forgery, reason, alice):
    client = log_in("session", "alice")
    note = alice.notes.get()
    method, url, body = unsafe_requests(note.pk)[index]
    extra = {k: v for k, v in forgery.items() if v is not None}
    if forgery.get("HTTP_X_CSRFTOKEN", "") is None:
        del client.defaults["HTTP_X_CSRFTOKEN"]

    response = getattr(client, method)(url, body, **extra)

    assert response.status_code == 403
    assert reason in response.json()["detail"]
    assert list(Note.objects.values_list("title", flat=True)) == [note.title]
    assert client.get(reverse("session:me")).json()["username"] == "alice"  # still logged in


@pytest.mark.parametrize("index", range(5), ids=["POST notes", "PUT note", "PATCH note", "DELETE note", "POST logout"])
def test_the_same_requests_from_the_site_itself_pass(index, alice):
    client = log_in("session", "alice")
    method, url, body = unsafe_requests(alice.notes.get().pk)[index]

    response = getattr(client, method)(url, body, HTTP_ORIGIN="http://testserver")

    assert response.status_code in (200, 201, 204), response.content


def test_cookie_flags(alice, client):
    page = client.get("/api/session/login/")
    login = session_login(client, "alice", PASSWORDS["alice"])

    csrf, session = page.cookies["csrftoken"], login.cookies["sessionid"]
    assert session["httponly"]
    assert session["samesite"] == "Lax"
    assert csrf["samesite"] == "Lax"
    assert not csrf["httponly"]  # a page's script must read it to send X-CSRFToken
    assert not session["secure"]
    assert not csrf["secure"]  # plain HTTP here; see test_deploy for DJANGO_HTTPS=1


def test_logout_deletes_the_session_row(alice, client):
    session_login(client, "alice", PASSWORDS["alice"])
    key = client.cookies["sessionid"].value
    assert Session.objects.filter(session_key=key).exists()

    client.post("/api/session/logout/", HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value)

    assert not Session.objects.filter(session_key=key).exists()
    assert client.cookies["sessionid"].value == ""  # and the browser is told to forget it


def test_password_change_ends_the_users_other_sessions(alice, bob):
    laptop, phone, bobs = log_in("session", "alice"), log_in("session", "alice"), log_in("session", "bob")

    alice.set_password("a-new-password")
    alice.save()

    # Django keeps a hash of the password in each session and checks it on every request.
    for client in (laptop, phone):
        refused = client.get(reverse("session:me"))
        assert refused.status_code == 403
    assert bobs.get(reverse("session:me")).json()["username"] == "bob"
    new = ApiClient()
    session_login(new, "alice", "a-new-password")
    assert new.get(reverse("session:me")).json()["username"] == "alice"
