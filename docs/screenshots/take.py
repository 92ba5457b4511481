"""Retake docs/instrumentation.md's screenshots: `.venv/bin/python docs/screenshots/take.py` (needs /usr/bin/chromium).

Starts the real site (gunicorn, DEBUG off, DEMO_SHOW_SQL=1, a fresh seeded database
in a temporary directory), logs in through DRF's browsable-API login, and saves:

- sql-panel.png: the SQL panel under /api/session/me/
- race.png: a finished race over every namespace
"""

import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.browser import is_local, launch_chromium, serve_site  # noqa: E402


def main(requests=40, concurrency=4):
    with (
        tempfile.TemporaryDirectory() as tmp,
        serve_site(Path(tmp), DEMO_SHOW_SQL="1") as site,
        sync_playwright() as pw,
    ):
        browser = launch_chromium(pw)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.route(lambda url: not is_local(url), lambda route: route.abort())

        page.goto(f"{site}/api-auth/login/?next=/api/session/me/")
        page.fill("input[name=username]", "alice")
        page.fill("input[name=password]", "alice-demo-pass")
        page.click("input[type=submit], button[type=submit]")
        page.wait_for_selector("#sql-panel")
        page.reload()  # a second request: the worker has warmed up, as for every request after
        page.screenshot(
            path=HERE / "sql-panel.png", clip=clip_around(page, ".page-header", "#sql-panel"), full_page=True
        )

        page.goto(f"{site}/race/")
        page.fill("input[name=password]", "alice-demo-pass")
        page.fill("input[name=requests]", str(requests))
        page.fill("input[name=concurrency]", str(concurrency))
        page.click("#start")
        page.wait_for_selector("#race-status[data-state=done]", timeout=600_000)
        page.screenshot(path=HERE / "race.png", clip=clip_around(page, "#race-status", "#reading"), full_page=True)
        browser.close()


def clip_around(page, first, last):
    """The page region from the top of `first` to the bottom of `last`, full width."""
    top = page.locator(first).bounding_box(timeout=5000)
    bottom = page.locator(last).bounding_box(timeout=5000)
    scroll = page.evaluate("window.scrollY")  # bounding boxes are relative to the viewport; clips to the page
    y = top["y"] + scroll - 10
    return {"x": 0, "y": y, "width": 1280, "height": bottom["y"] + scroll + bottom["height"] + 10 - y}


if __name__ == "__main__":
    main()
