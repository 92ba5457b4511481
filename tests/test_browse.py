"""Every namespace, browsed in a real browser (chromium) the way a person would, against the real site with DEBUG off."""

import json
import re
import urllib.request

import pytest
from playwright.sync_api import expect

from .browser import require_chromium, screenshot

require_chromium()
pytestmark = pytest.mark.slow

DEMO = {"username": "alice", "password": "alice-demo-pass"}
PANEL = ["token", "token-cached", "jwt", "jwt-stateless", "jwt-rsa", "knox", "oauth2"]
# What the page's cost line must say for GET me/: the contract's queries (token-cached: its cache may be cold).
ME_QUERIES = {
    "public": {"0"},
    "basic": {"1"},
    "session": {"2"},
    "token": {"1"},
    "token-cached": {"0", "1"},
    "jwt": {"1"},
    "jwt-stateless": {"0"},
    "jwt-rsa": {"1"},
    "knox": {"2"},
    "oauth2": {"1"},
}


def response_body(page):
    """The response as the browsable API shows it: the status line, headers and body."""
    return page.locator(".response-info pre")


def authenticate(page, ns):
    """Authenticate as alice on /api/<ns>/ the way a person would (Basic: the browser's context already holds it)."""
    if ns == "session":
        page.get_by_role("link", name="Log in").click()
        page.fill("#id_username", DEMO["username"])
        page.fill("#id_password", DEMO["password"])
        page.click("#submit-id-submit")
        expect(page).to_have_url(re.compile(r"/api/session/$"))
        expect(page.locator("#signed-in-as, .navbar .dropdown-toggle").first).to_contain_text("alice")
    elif ns == "oauth2":  # the authorization-code flow: the authorization server's login page, its consent page, back
        page.click("#authorize-oauth2 button")
        expect(page).to_have_url(re.compile(r"/api-auth/login/\?next=/o/authorize/"))
        page.fill("#id_username", DEMO["username"])
        page.fill("#id_password", DEMO["password"])
        page.click("#submit-id-submit")
        expect(page.locator("h3")).to_contain_text("Authorize The browsable API?")
        page.click("input[name=allow]")
        expect(page.locator("#authorize-active")).to_contain_text("Active for alice")
        expect(page).to_have_url(re.compile(r"/api/oauth2/$"))  # the code is gone from the address bar
        expect(page.locator("#authorize-active")).to_contain_text("(expires ")
    elif ns in PANEL:
        page.fill("#authorize-login [name=username]", DEMO["username"])
        page.fill("#authorize-login [name=password]", DEMO["password"])
        page.click("#authorize-login button")
        expect(page.locator("#authorize-active")).to_contain_text("Active for alice")


def send_note_form(page, method, title, body="through the browsable API"):
    """Fill and send the browsable API's HTML form for a note: POST on the list, PUT on a note."""
    if method == "PUT":
        page.click("a[name=html-tab]")
    form = page.locator(f"#{method.lower()}-object-form form")
    form.locator("[name=title]").fill(title)
    form.locator("[name=body]").fill(body)
    form.locator("button", has_text=method).click()


def created_note_id(page):
    expect(response_body(page)).to_contain_text("HTTP 201 Created")
    return re.search(r'"id": (\d+)', response_body(page).inner_text()).group(1)


def open_link(page, ns, path):
    page.locator(f'.response-info a[href$="/api/{ns}/{path}"]').click()
    expect(page).to_have_url(re.compile(rf"/api/{ns}/{path}$"))


@pytest.mark.parametrize("ns", ["public", "basic", "session", *PANEL])
def test_browse_namespace(ns, site, open_page):
    page = open_page(http_credentials=DEMO) if ns == "basic" else open_page()
    page.goto(f"{site}/api/{ns}/")
    expect(page.locator("#scheme-line")).to_contain_text(f"/api/{ns}/ is protected by")
    authenticate(page, ns)
    if ns == "knox":  # the panel shows when the token stops working, from the login's {"expiry"}
        expect(page.locator("#authorize-active")).to_contain_text("(expires ")

    # me/: the user's own name, and the cost line filled from this response's headers.
    open_link(page, ns, "me/")
    expect(response_body(page)).to_contain_text("HTTP 200 OK")
    username = "null" if ns == "public" else '"alice"'
    expect(response_body(page)).to_contain_text(f'"username": {username}')
    expect(page.locator('#cost-line [data-cost="total"]')).to_have_text(re.compile(r"^\d+\.\d$"))
    assert page.locator('#cost-line [data-cost="queries"]').inner_text() in ME_QUERIES[ns]
    screenshot(page, ns)

    # Back to the root with the back button, then on to notes/: still authenticated.
    page.go_back()
    expect(page).to_have_url(re.compile(rf"/api/{ns}/$"))
    expect(page.locator(".page-header h1")).to_contain_text(f"/api/{ns}/")
    open_link(page, ns, "notes/")
    expect(response_body(page)).to_contain_text("HTTP 200 OK")

    # A note, with the browsable API's HTML form.
    title = f"Written in the browser at /api/{ns}/"
    send_note_form(page, "POST", title)
    if ns == "public":  # nobody to own it
        expect(response_body(page)).to_contain_text("HTTP 403 Forbidden")
        expect(response_body(page)).to_contain_text("log in to write one")
        return
    expect(response_body(page)).to_contain_text("HTTP 201 Created")
    expect(response_body(page)).to_contain_text(title)

    # The list (the GET button), with the new note and alice's own notes only.
    page.locator("#get-form a.btn", has_text="GET").click()
    expect(response_body(page)).to_contain_text("HTTP 200 OK")
    expect(response_body(page)).to_contain_text(title)
    expect(response_body(page)).to_contain_text("(alice)")
    expect(response_body(page)).not_to_contain_text("(bob)")
    if ns in PANEL:
        assert_only_the_panel_authenticates(page, ns)
    if ns == "session":  # DRF's logout, in the user menu: a POST with the CSRF token
        page.click(".navbar .dropdown-toggle")
        page.get_by_role("link", name="Log out").click()
        expect(page.get_by_role("link", name="Log in")).to_be_visible()
        page.goto(f"{site}/api/session/me/")
        expect(response_body(page)).to_contain_text("HTTP 403 Forbidden")


def assert_only_the_panel_authenticates(page, ns):
    """The same tab, a plain request without the header: refused, however logged in the panel is."""
    status = page.evaluate(f"fetch('/api/{ns}/me/', {{headers: {{Accept: 'application/json'}}}}).then(r => r.status)")
    assert status == 401
    # The credential is in this tab's sessionStorage, never in a cookie (csrftoken is for DRF's forms).
    stored = json.loads(page.evaluate("sessionStorage.getItem(sessionStorage.key(0))"))
    secret = stored.get("token") or stored["access"]
    cookies = page.context.cookies()
    # oauth2: the authorization server's own session (the login page's) is a cookie; the API never reads it.
    allowed = [["csrftoken", "sessionid"], ["sessionid", "csrftoken"]] if ns == "oauth2" else [[], ["csrftoken"]]
    assert [cookie["name"] for cookie in cookies] in allowed
    assert not any(secret in cookie["value"] for cookie in cookies)


def test_panel_refuses_a_wrong_password_then_forgets_the_credential(site, page):
    page.goto(f"{site}/api/token/")
    page.fill("#authorize-login [name=username]", "alice")
    page.fill("#authorize-login [name=password]", "not-her-password")
    page.click("#authorize-login button")
    expect(page.locator("#authorize-error")).to_contain_text("Login refused: Unable to log in")
    assert page.evaluate("sessionStorage.length") == 0

    authenticate(page, "token")

    page.click("#authorize-clear")
    expect(page.locator('[data-when="signed-out"]')).to_be_visible()
    assert page.evaluate("sessionStorage.length") == 0
    page.goto(f"{site}/api/token/me/")
    expect(response_body(page)).to_contain_text("HTTP 401 Unauthorized")


def tampered(jwt, expired):
    """An access token the server refuses: its signature broken, and its expiry in the past if `expired`."""
    import base64

    header, payload, signature = jwt.split(".")
    if expired:
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        claims["exp"] = 1
        payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    return ".".join([header, payload, signature[:-4] + ("AAAA" if signature[-4:] != "AAAA" else "BBBB")])


@pytest.mark.parametrize("expired", [True, False], ids=["expired", "refused"])
def test_jwt_panel_refreshes_the_access_token(expired, site, page):
    """An expired access token is renewed before the request; one the server refuses (401 token_not_valid), after it."""
    page.goto(f"{site}/api/jwt/")
    authenticate(page, "jwt")
    stored, stale = spoil_access_token(page, expired)

    open_link(page, "jwt", "me/")
    expect(response_body(page)).to_contain_text('"username": "alice"')
    renewed = json.loads(page.evaluate("sessionStorage.getItem('drf-demo:jwt')"))
    assert renewed["access"] not in (stored["access"], stale["access"])
    assert renewed["refresh"] != stored["refresh"]  # refresh tokens rotate
    assert any(url.endswith("/api/jwt/refresh/") for url in page.requested)


def spoil_access_token(page, expired):
    """Replace the panel's access token with one the server refuses; returns (before, spoiled) credentials."""
    stored = json.loads(page.evaluate("sessionStorage.getItem('drf-demo:jwt')"))
    stale = {**stored, "access": tampered(stored["access"], expired)}
    page.evaluate("value => sessionStorage.setItem('drf-demo:jwt', value)", json.dumps(stale))
    return stored, stale


def test_jwt_panel_refreshes_before_drf_ajax_forms(site, page):
    """DRF's ajax-form.js can't wait for a refresh: the panel renews an expired token first, then submits again."""
    page.goto(f"{site}/api/jwt/")
    authenticate(page, "jwt")
    open_link(page, "jwt", "notes/")
    send_note_form(page, "POST", "to be edited after a refresh")
    note_id = created_note_id(page)
    page.goto(f"{site}/api/jwt/notes/{note_id}/")
    expect(response_body(page)).to_contain_text("HTTP 200 OK")

    before, stale = spoil_access_token(page, expired=True)
    send_note_form(page, "PUT", "edited with a renewed token")
    expect(response_body(page)).to_contain_text("HTTP 200 OK")
    expect(response_body(page)).to_contain_text("edited with a renewed token")
    renewed = json.loads(page.evaluate("sessionStorage.getItem('drf-demo:jwt')"))
    assert renewed["access"] not in (before["access"], stale["access"])


def test_swagger_ui_calls_jwt_me_when_authorized(site, page):
    request = urllib.request.Request(
        f"{site}/api/jwt/login/", data=json.dumps(DEMO).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        access = json.load(response)["access"]

    page.goto(f"{site}/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("DRF authentication, side by side")
    page.click(".swagger-ui button.authorize")
    dialog = page.locator(".swagger-ui .modal-ux")
    jwt = dialog.locator(".auth-container", has_text="jwtAuth")
    jwt.locator("input").fill(access)
    jwt.locator("button.authorize").click()
    jwt.locator("button.btn-done").click()

    operation = page.locator("#operations-jwt-jwt_me_retrieve")
    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()
    live = operation.locator(".live-responses-table .response")
    expect(live.locator(".response-col_status")).to_contain_text("200")
    expect(live.locator(".response-col_description")).to_contain_text('"username": "alice"')
    operation.scroll_into_view_if_needed()
    screenshot(page, "swagger-ui", full_page=False)


def test_swagger_ui_authorize_runs_the_oauth2_flow(site, page):
    """Swagger UI's "Authorize" for oauth2: a popup at the authorization server (login, consent), PKCE, then me/."""
    page.goto(f"{site}/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("DRF authentication, side by side")
    page.click(".swagger-ui button.authorize")
    oauth2 = page.locator(".swagger-ui .modal-ux .auth-container", has_text="oauth2")
    with page.expect_popup() as opened:
        oauth2.locator("button.authorize").click()
    popup = opened.value
    expect(popup).to_have_url(re.compile(r"/api-auth/login/\?next=/o/authorize/"))
    assert "code_challenge_method%3DS256" in popup.url  # PKCE, in the next= of the login page
    popup.fill("#id_username", DEMO["username"])
    popup.fill("#id_password", DEMO["password"])
    popup.click("#submit-id-submit")
    expect(popup.locator("h3")).to_contain_text("Authorize The browsable API?")
    with popup.expect_event("close"):  # oauth2-redirect.html hands the code to Swagger UI and closes
        popup.click("input[name=allow]")
    expect(oauth2).not_to_contain_text("Auth Error")
    expect(oauth2.get_by_role("heading", name="Authorized")).to_be_visible()
    oauth2.locator("button.btn-done").click()

    operation = page.locator("#operations-oauth2-oauth2_me_retrieve")
    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()
    live = operation.locator(".live-responses-table .response")
    expect(live.locator(".response-col_status")).to_contain_text("200")
    expect(live.locator(".response-col_description")).to_contain_text('"username": "alice"')


@pytest.mark.parametrize("ns", ["session", "token", "jwt-stateless"])
def test_edit_and_delete_a_note_with_drf_forms(ns, site, open_page):
    """PUT and DELETE go through DRF's ajax-form.js: with the session's CSRF token, or with the panel's header."""
    page = open_page(http_credentials=DEMO) if ns == "basic" else open_page()
    page.goto(f"{site}/api/{ns}/")
    authenticate(page, ns)
    open_link(page, ns, "notes/")
    send_note_form(page, "POST", "to be edited")
    note_id = created_note_id(page)

    # A typed address: the browser asks for it by itself, and the page still shows alice's note.
    page.goto(f"{site}/api/{ns}/notes/{note_id}/")
    expect(response_body(page)).to_contain_text("to be edited")

    send_note_form(page, "PUT", "edited in the browser")
    expect(response_body(page)).to_contain_text("HTTP 200 OK")
    expect(response_body(page)).to_contain_text("edited in the browser")
    expect(page.locator('#cost-line [data-cost="queries"]')).to_have_text(re.compile(r"^\d+$"))

    page.click("button[data-target='#deleteModal']")
    page.locator("#deleteModal button", has_text="Delete").click()
    expect(response_body(page)).to_contain_text("HTTP 204 No Content")
    page.goto(f"{site}/api/{ns}/notes/{note_id}/")
    expect(response_body(page)).to_contain_text("HTTP 404 Not Found")
