"""The browser lab (lab/): gone without DEBUG or off loopback; with it, every cell measured in Debian's chromium.

The fast tests run the site in-process: no /lab/, no attacker's site and no
CORS header for an origin nobody configured once DEBUG is off. The slow ones
start one lab server (lab.server, as browser_lab does) and press every button
of /lab/ once in the suite's chromium (lab.browser.run_lab), then assert each
cell against the rule the lesson states, the claims, the docs' copy and axe.
"""

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from lab import browser as lab_browser
from lab import views
from lab.attacks import ATTACK_NAMES, FAILED, STORAGES, SUCCEEDED, where_to_keep
from lab.report import as_markdown
from lab.server import lab_server

from .browser import chromium_missing

ROOT = Path(__file__).resolve().parent.parent
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
FRONT_END = "http://127.0.0.1:8001"  # the same-site front end of a lab served on 8000
ATTACKER = "http://evil.localhost:8000"
CROSS_SITE_FRONT_END = "http://app.localhost:8000"


def lab_client(host="127.0.0.1:8000", **extra):
    return Client(HTTP_HOST=host, **extra)


# --- Without DEBUG (every deployment): nothing of the lab.


@pytest.mark.parametrize(
    "path", ["/lab/", "/lab", "/lab/probe/set/", "/lab/probe/echo/", "/lab/front-end/", "/lab/stolen/?run=x"]
)
def test_no_lab_without_debug(settings, path):
    settings.DEBUG = False
    response = lab_client().get(path, follow=True)
    assert response.status_code == 404


def test_no_attacker_site_without_debug(settings):
    settings.DEBUG = False
    # The default ALLOWED_HOSTS has no *.localhost name: Django refuses the host itself.
    assert lab_client(host="evil.localhost:8000").get("/").status_code == 400
    # Even where a deployment allowed the name, the lab's sites answer 404, and nothing of the site either.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "evil.localhost", "app.localhost"]
    for host in ("evil.localhost:8000", "app.localhost:8000"):
        for path in ("/", "/collect/?run=abc&loot={}", "/front-end/", "/api/session/me/"):
            assert lab_client(host=host).get(path).status_code == 404, (host, path)


@pytest.mark.parametrize("origin", [FRONT_END, ATTACKER, CROSS_SITE_FRONT_END, "http://127.0.0.1:8000"])
@pytest.mark.parametrize("path", ["/api/session/me/", "/api/public/me/", "/lab/probe/echo/"])
def test_no_cors_header_for_an_origin_not_configured(settings, origin, path):
    settings.DEBUG = False
    for method in ("get", "options"):
        response = getattr(lab_client(), method)(path, HTTP_ORIGIN=origin, HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET")
        assert "Access-Control-Allow-Origin" not in response.headers, (method, response.headers)
        assert "Access-Control-Allow-Credentials" not in response.headers


def test_a_configured_origin_gets_cors_with_credentials_and_no_other(settings):
    settings.DEBUG = False
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example.org"]  # DJANGO_CORS_ALLOWED_ORIGINS in a deployment
    response = lab_client().get("/api/public/me/", HTTP_ORIGIN="https://app.example.org")
    assert response.headers["Access-Control-Allow-Origin"] == "https://app.example.org"
    assert response.headers["Access-Control-Allow-Credentials"] == "true"
    response = lab_client().get("/api/public/me/", HTTP_ORIGIN=FRONT_END)
    assert "Access-Control-Allow-Origin" not in response.headers


# --- With DEBUG, from loopback: the lab, its sites and its one CORS origin.


@pytest.fixture
def lab_on(settings):
    """DEBUG on, as config/settings.py makes it with DJANGO_DEBUG=1 (the lab's sites join ALLOWED_HOSTS)."""
    settings.DEBUG = True
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "evil.localhost", "app.localhost"]
    settings.ROOT_URLCONF = "tests.lab_urls"  # the URLconf was built with DEBUG off: the one DEBUG on builds


def test_the_lab_page_with_debug_links_back(lab_on):
    response = lab_client().get("/lab/")
    assert response.status_code == 200
    assert b'href="/"' in response.content
    assert b'id="run-csrf-form"' in response.content
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin-allow-popups"


@pytest.mark.django_db
def test_the_lab_logs_in_to_oauth2_by_its_recipe_for_the_pages_host(lab_on):
    """oauth2's row is the lab's like the token schemes': its recipe made for the host the lab was asked on (the
    redirect URI absolute, the issuer named), and the flow's script (the race's) loaded before the lab's."""
    page = lab_client().get("/lab/")
    config = page.context["config"]

    assert config["namespaces"]["oauth2"]["redirect_uri"] == "http://127.0.0.1:8000/api/oauth2/"
    assert config["namespaces"]["oauth2"]["issuer"] == "http://127.0.0.1:8000"
    assert [(r["ns"], r["storage"]) for r in page.context["rows"] if r["ns"] == "oauth2"] == [
        ("oauth2", "localStorage"),
        ("oauth2", "memory"),
    ]
    assert not [name for name in page.context["skipped"] if name.startswith("oauth2 ")]
    html = page.content.decode()
    assert html.index("/static/pages/oauth2_login.js") < html.index("/static/lab/lab.js")


@pytest.mark.django_db
def test_the_landing_page_links_to_the_lab_with_debug_only(client, settings):
    assert b'<a href="/lab/">The browser lab</a>' not in client.get("/", HTTP_HOST="127.0.0.1").content
    settings.ROOT_URLCONF = "tests.lab_urls"
    page = client.get("/", HTTP_HOST="127.0.0.1").content
    assert b'<p class="lab-link"><a href="/lab/">The browser lab</a>: forged requests' in page


def test_the_lab_answers_only_loopback(lab_on):
    assert lab_client(REMOTE_ADDR="192.0.2.7").get("/lab/").status_code == 404
    assert lab_client(host="evil.localhost:8000", REMOTE_ADDR="192.0.2.7").get("/").status_code == 404


def test_the_attacker_site_serves_the_attackers_pages_only(lab_on):
    attacker = lab_client(host="evil.localhost:8000")
    assert attacker.get("/").status_code == 200
    assert attacker.get("/api/session/me/").status_code == 404  # not the victim's API on the attacker's origin
    assert attacker.get("/lab/").status_code == 404
    assert attacker.get("/front-end/").status_code == 404  # the cross-site front end's page is on app.localhost
    assert lab_client(host="app.localhost:8000").get("/front-end/").status_code == 200
    assert lab_client(host="app.localhost:8000").get("/").status_code == 404
    assert attacker.get("/collect/", {"run": "abc", "loot": "not json"}).status_code == 400
    assert attacker.get("/collect/", {"run": "a/b", "loot": "{}"}).json() == {"detail": views.RUN_DETAIL}
    assert lab_client().get("/lab/stolen/", {"run": "never-run"}).json() == {"loot": None, "replays": []}


def test_with_debug_cors_allows_the_same_site_front_end_only(lab_on):
    response = lab_client().get("/api/session/me/", HTTP_ORIGIN=FRONT_END)
    assert response.headers["Access-Control-Allow-Origin"] == FRONT_END
    assert response.headers["Access-Control-Allow-Credentials"] == "true"
    for origin in (ATTACKER, CROSS_SITE_FRONT_END, "http://127.0.0.1:8002"):
        assert "Access-Control-Allow-Origin" not in lab_client().get("/api/session/me/", HTTP_ORIGIN=origin).headers
    # The cross-site front end: the cookie probe only.
    probe = lab_client().get("/lab/probe/echo/", HTTP_ORIGIN=CROSS_SITE_FRONT_END)
    assert probe.headers["Access-Control-Allow-Origin"] == CROSS_SITE_FRONT_END
    assert "Access-Control-Allow-Origin" not in lab_client().get("/lab/probe/echo/", HTTP_ORIGIN=ATTACKER).headers


def test_the_probe_sets_one_cookie_per_samesite_value_and_echoes_names_only(lab_on):
    client = lab_client()
    response = client.get("/lab/probe/set/")
    assert {name: response.cookies[name]["samesite"] for name in response.cookies} == {
        "lab-probe-lax": "Lax",
        "lab-probe-strict": "Strict",
        "lab-probe-none-secure": "None",
        "lab-probe-none": "None",
    }
    assert response.cookies["lab-probe-none-secure"]["secure"]
    assert not response.cookies["lab-probe-none"]["secure"]
    echo = client.get("/lab/probe/echo/").json()
    assert echo["probes"] == ["lab-probe-lax", "lab-probe-none", "lab-probe-none-secure", "lab-probe-strict"]
    assert echo["credential_cookies"]["session"] == []  # not logged in; names only, never a value
    assert all(names == [] for names in echo["credential_cookies"].values())


# --- In Debian's chromium: one lab server, the suite's one browser, every button pressed once.


def expected_outcome(storage, attack):
    """The lesson's rule for each cell, from where the credential is kept."""
    if attack in ("csrf-form", "csrf-fetch", "cross-origin-read"):
        return FAILED  # SameSite=Lax, no header a foreign page can add, CORS for the front end only
    if attack in ("xss-steal", "xss-replay"):
        return SUCCEEDED if storage == "localStorage" else FAILED  # only web storage is readable by a script
    return SUCCEEDED  # xss-misuse: from the page, every storage is usable


def lab_cells():
    from lab.views import recipes

    return [(ns, storage) for ns, recipe in recipes().items() for storage in STORAGES.get(recipe["kind"], [])]


@pytest.fixture(scope="module")
def measured(browser):
    with lab_server() as api:
        yield api, lab_browser.run_lab(api, browser)


def cell(result, ns, storage, attack):
    (found,) = [c for c in result["cells"] if (c["namespace"], c["storage"], c["attack"]) == (ns, storage, attack)]
    return found


@pytest.mark.slow
@pytest.mark.skipif(chromium_missing() is not None, reason=str(chromium_missing()))
@pytest.mark.parametrize("attack", ATTACK_NAMES)
@pytest.mark.parametrize(("ns", "storage"), lab_cells())
def test_cell(measured, ns, storage, attack):
    found = cell(measured[1], ns, storage, attack)
    assert found["outcome"] == expected_outcome(storage, attack), found["detail"]
    assert found["detail"]


@pytest.mark.slow
@pytest.mark.skipif(chromium_missing() is not None, reason=str(chromium_missing()))
def test_every_cell_once_and_its_details(measured):
    _, result = measured
    keys = [(c["namespace"], c["storage"], c["attack"]) for c in result["cells"]]
    assert sorted(keys) == sorted((ns, storage, a) for ns, storage in lab_cells() for a in ATTACK_NAMES)
    assert {c["outcome"] for c in result["cells"]} == {SUCCEEDED, FAILED}
    # The same-site front end, allowed by CORS, reads me/ with the cookies and Basic's cached credentials.
    for ns, storage in lab_cells():
        detail = cell(result, ns, storage, "cross-origin-read")["detail"]
        if storage in ("cookie", "basic-cache"):
            assert "same-site front end (CORS allows it) read HTTP 200 as alice" in detail, detail
        else:
            assert "evil.localhost could not read the answer" in detail, detail
    assert "HttpOnly" in cell(result, "session", "cookie", "xss-steal")["detail"]
    assert "fetch wrapped" in cell(result, "jwt", "memory", "xss-misuse")["detail"]
    assert "a separate browser context" in cell(result, "jwt", "localStorage", "xss-replay")["detail"]
    # oauth2's token came by the authorization-code flow, and is stolen or borrowed like any other token.
    assert "localStorage:lab:oauth2" in cell(result, "oauth2", "localStorage", "xss-steal")["detail"]
    assert "fetch wrapped" in cell(result, "oauth2", "memory", "xss-misuse")["detail"]


@pytest.mark.slow
@pytest.mark.skipif(chromium_missing() is not None, reason=str(chromium_missing()))
def test_claim_a_which_cookies_go_to_a_front_end_on_another_origin(measured):
    rows = [r for r in measured[1]["claims"] if r["claim"] == "a"]
    sent = {(r["front_end"], r["cookie"]): (r["kept"], r["sent"]) for r in rows if not r.get("write")}
    writes = {(r["front_end"], r["cookie"]): r for r in rows if r.get("write")}
    # The same-site front end's cookies go, CORS allows its preflight, and Django's CSRF check wants its origin
    # in CSRF_TRUSTED_ORIGINS: the server's third setting. The cross-site one does not get past CORS.
    same = writes["same-site", "session: POST notes/ with X-CSRFToken"]
    assert not same["sent"], same
    assert same["detail"].startswith("HTTP 403: CSRF Failed: Origin checking failed"), same
    assert "http://127.0.0.1:PORT+1 does not match any trusted origins" in same["detail"]
    cross = writes["cross-site", "session: POST notes/ with X-CSRFToken"]
    assert not cross["sent"], cross
    assert "blocked by CORS" in cross["detail"], cross
    for samesite in ("SameSite=Lax", "SameSite=Strict", "SameSite=None; Secure"):
        assert sent["same-site", samesite] == (True, True)  # 127.0.0.1 is a secure context: Secure cookies stay
        assert sent["cross-site", samesite] == (True, False)  # this chromium sends none to another site
    assert sent["same-site", "SameSite=None"] == sent["cross-site", "SameSite=None"] == (False, False)
    assert sent["same-site", "session's credential cookie"] == (True, True)
    assert sent["cross-site", "session's credential cookie"] == (True, False)


@pytest.mark.slow
@pytest.mark.skipif(chromium_missing() is not None, reason=str(chromium_missing()))
def test_claim_b_a_cookie_jar_client_uses_the_cookie_namespaces(measured):
    rows = [r for r in measured[1]["claims"] if r["claim"] == "b"]
    assert [r["namespace"] for r in rows] == [ns for ns, storage in lab_cells() if storage == "cookie"]
    for row in rows:
        assert row["steps"] == {"csrf": 200, "login": 200, "me": 200, "note": 201}, row
        assert row["works"]


@pytest.mark.slow
@pytest.mark.skipif(chromium_missing() is not None, reason=str(chromium_missing()))
def test_where_to_keep_cites_cells_that_say_what_it_claims(measured):
    for row in where_to_keep():
        for ns, storage, attack, expected in row["cells"]:
            assert cell(measured[1], ns, storage, attack)["outcome"] == expected, (row["client"], ns, attack)


@pytest.mark.slow
@pytest.mark.skipif(chromium_missing() is not None, reason=str(chromium_missing()))
def test_docs_show_what_browser_lab_measures(measured):
    docs = (ROOT / "docs" / "browser-lab.md").read_text()
    assert as_markdown(measured[1]) in docs, "docs/browser-lab.md out of date: paste `manage.py browser_lab --markdown`"


@pytest.mark.slow
@pytest.mark.skipif(chromium_missing() is not None, reason=str(chromium_missing()))
def test_the_command_prints_the_contracts_json_and_the_markdown(measured, monkeypatch):
    from lab.management.commands import browser_lab

    # The command's own server and browser would be a second run: hand it the module's, check what it prints.
    monkeypatch.setattr(browser_lab, "measure", lambda: measured[1])
    result = measured[1]
    out = io.StringIO()
    call_command("browser_lab", "--json", stdout=out)
    printed = json.loads(out.getvalue())
    assert list(printed) == ["cells", "claims"]
    assert all(list(c) == ["namespace", "storage", "attack", "outcome", "detail"] for c in printed["cells"])
    assert {c["attack"] for c in printed["cells"]} == set(ATTACK_NAMES)
    out = io.StringIO()
    call_command("browser_lab", "--markdown", stdout=out)
    assert out.getvalue().strip() == as_markdown(result).strip()


def axe_violations(page):
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("axe.run(document, {runOnly: ['wcag2a', 'wcag2aa']}).then(r => r.violations)")
    return [(v["id"], [n["target"] for n in v["nodes"]]) for v in found]


@pytest.mark.slow
@pytest.mark.skipif(chromium_missing() is not None, reason=str(chromium_missing()))
@pytest.mark.skipif(not AXE.exists(), reason="no node_modules/axe-core: make test installs it (npm ci)")
def test_the_lab_pages_pass_axe(measured, browser):
    api, _ = measured
    port = int(api.rsplit(":", 1)[1])
    context = lab_browser.victim_context(browser, api)
    try:
        page = context.new_page()
        page.goto(f"{api}/lab/")
        assert axe_violations(page) == []
        lab_browser.press(page, "xss-steal")  # the tables, filled in
        lab_browser.press(page, "claim-b")
        assert axe_violations(page) == []
        page.goto(f"http://evil.localhost:{port}/")
        assert axe_violations(page) == []
    finally:
        context.close()
