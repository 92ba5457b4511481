"""The site's own pages against axe-core's WCAG 2 A/AA rules, in Debian's chromium.

A class projects these pages, and some students read them with a screen
reader or a keyboard. axe-core (npm, pinned in package-lock.json; ``make test``
installs it) is injected into each page as it is served, and every violation
it reports fails the test, with the rule and the elements it names.
"""

import json

import pytest

from .browser import require_chromium
from .servers import ROOT

require_chromium()
pytestmark = pytest.mark.slow

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PAGES = [
    "/",
    "/step-by-step/",
    "/account-events/",
    "/stolen-database/",
    "/choose/",
    "/costs/",
    "/outages/",
    "/race/",
    "/api/",
    "/api/public/",
    "/api/session/",
    "/api/jwt/me/",  # 401 without a token: the page a student meets first, with the authorization panel
    "/api/token/notes/",
]
REFUSED = {"/api/jwt/me/", "/api/token/notes/"}


def violations(page):
    if not AXE.exists():
        pytest.fail(f"no {AXE.relative_to(ROOT)}: run `make test` (it runs npm ci) or `npm ci`")
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        "rules => axe.run(document, {runOnly: {type: 'tag', values: rules}}).then(r => r.violations)", RULES
    )
    return [
        {"rule": v["id"], "impact": v["impact"], "help": v["help"], "where": [n["target"] for n in v["nodes"]][:5]}
        for v in found
    ]


@pytest.mark.parametrize("path", PAGES)
def test_page_passes_wcag_2_a_and_aa(site, page, path):
    # The first view of a page measures its figures in-process (Basic hashes real passwords): give it time.
    response = page.goto(f"{site}{path}", wait_until="load", timeout=90_000)
    assert response.status == (401 if path in REFUSED else 200)

    found = violations(page)

    assert not found, json.dumps(found, indent=1)


def test_a_signed_in_page_with_its_forms_passes_too(site, open_page):
    page = open_page(http_credentials={"username": "alice", "password": "alice-demo-pass"})
    response = page.goto(f"{site}/api/basic/notes/", wait_until="load", timeout=90_000)
    assert response.status == 200
    assert page.locator("form").count() > 0  # DRF's raw-data form for a new note

    found = violations(page)

    assert not found, json.dumps(found, indent=1)
