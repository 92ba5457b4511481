"""browser_lab's browser: Debian's chromium, headless, through Playwright, pressing the lab page's buttons.

The attacks are the lab page's own (static/lab/lab.js): this module is a
student who presses every button and reads the table. One thing a page cannot
do is step into another browser, so xss-replay is measured here as the issue
asks: a separate browser context, holding nothing but what the attacker's
server received, sends GET me/.
"""

import json
from urllib.request import Request, urlopen

from .attacks import ATTACK_NAMES
from .credentials import DEMO_PASSWORD, DEMO_USER

CHROMIUM = "/usr/bin/chromium"
# Debian's chromium as this project launches it (browser_lab, and the tests: tests/browser.py): nothing of its own
# goes to the network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
CLAIMS = ["claim-a", "claim-b"]
TIMEOUT_MS = 120_000  # one button: every namespace, Basic's password hash on each of its requests


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True, timeout=30_000)


def victim_context(browser, api):
    """The victim's browser: Basic's credentials as its prompt would have cached them, for the API's origin only."""
    context = browser.new_context(http_credentials={"username": DEMO_USER, "password": DEMO_PASSWORD, "origin": api})
    context.set_default_timeout(TIMEOUT_MS)
    return context


def press(page, name):
    """Press one button of the lab page and wait until it says it is done; an error it shows is raised."""
    button = page.locator(f"#run-{name}")
    button.click()
    page.wait_for_function("b => b.dataset.done === '1'", arg=button.element_handle(), timeout=TIMEOUT_MS)
    error = button.get_attribute("data-error")
    if error:
        raise RuntimeError(f"{name}: {error}")


def cells_shown(page):
    return page.eval_on_selector_all(
        "#lab-cells td[data-attack]",
        """tds => tds.map(td => ({namespace: td.dataset.namespace, storage: td.dataset.storage,
            attack: td.dataset.attack, outcome: td.dataset.outcome, detail: td.dataset.detail,
            source: td.dataset.source || "", run: td.dataset.run || ""}))""",
    )


def claims_shown(page, name):
    return [
        json.loads(row)
        for row in page.eval_on_selector_all(f"#{name}-rows tr[data-row]", "trs => trs.map(tr => tr.dataset.row)")
    ]


def stolen(api, run):
    with urlopen(
        Request(f"{api}/lab/stolen/?run={run}", headers={"Accept": "application/json"}), timeout=10
    ) as response:
        return json.loads(response.read())["loot"] or {}


def replay_in_fresh_context(browser, api, cell, loot, recipes):
    """xss-replay from a browser context of the attacker's: the stolen cookies in its jar, the stolen token, if this
    credential was among the loot (cell["source"], found by the page's xss-steal), in its Authorization header."""
    context = browser.new_context()
    try:
        cookies = [c.split("=", 1) for c in (loot.get("cookies") or "").split("; ") if "=" in c]
        if cookies:
            context.add_cookies([{"name": name, "value": value, "url": api} for name, value in cookies])
        headers = {"Accept": "application/json"}
        area, _, key = cell["source"].partition(":")
        if area in ("localStorage", "sessionStorage"):
            headers["Authorization"] = f"{recipes[cell['namespace']]['keyword']} {loot[area][key]}"
        response = context.request.get(f"{api}/api/{cell['namespace']}/me/", headers=headers)
        username = response.json().get("username") if response.ok else None
        carried = ", ".join(
            filter(None, [cell["source"] if area != "cookies" else "", cookies and "the stolen cookies"])
        )
        detail = (
            f"a separate browser context with only {carried or 'nothing of this credential'}: "
            f"GET me/ {response.status}" + (f" as {username}" if username else "")
        )
        return username == DEMO_USER, detail
    finally:
        context.close()


def run_lab(api, browser):
    """Every cell and claim row of the lab, measured against the server at `api`, in `browser`."""
    with urlopen(Request(f"{api}/api/", headers={"Accept": "application/json"}), timeout=10) as response:
        recipes = {ns: entry["client"] for ns, entry in json.loads(response.read())["namespaces"].items()}
    context = victim_context(browser, api)
    try:
        page = context.new_page()
        page.goto(f"{api}/lab/")
        for name in [*ATTACK_NAMES, *CLAIMS]:
            press(page, name)
        cells = cells_shown(page)
        claims = claims_shown(page, "claim-a") + claims_shown(page, "claim-b")
    finally:
        context.close()
    for cell in cells:
        if cell["attack"] == "xss-replay":
            page_said = cell["detail"]
            worked, cell["detail"] = replay_in_fresh_context(browser, api, cell, stolen(api, cell["run"]), recipes)
            cell["outcome"] = "attacker succeeded" if worked else "attacker failed"
            cell["detail"] += f" (live, the attacker's server: {page_said})"
    return {
        "cells": [{k: cell[k] for k in ("namespace", "storage", "attack", "outcome", "detail")} for cell in cells],
        "claims": claims,
    }
