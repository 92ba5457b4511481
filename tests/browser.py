"""Shared Playwright helpers: Debian's chromium, the real site under gunicorn, and pages that may not leave 127.0.0.1.

Browser tests skip in one line when chromium is missing: ``pytestmark = needs_chromium``.
Never ``playwright install``: the browser is Debian's, at /usr/bin/chromium.
"""
import os
import subprocess
import sys
from contextlib import contextmanager
from urllib.parse import urlsplit

import pytest

from .servers import ROOT, free_port, running

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
needs_chromium = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"no chromium at {CHROMIUM}")


def launch_chromium(playwright):
    """Debian's chromium, headless, with its background traffic switched off."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


@contextmanager
def serve_site(tmp_path, **env):
    """The real site as it runs in production (gunicorn, DEBUG off, real password hasher) on a fresh, seeded SQLite file.

    Yields the base URL; `env` adds settings (DEMO_SHOW_SQL="1", for example).
    """
    port = free_port()
    env = {"DJANGO_DEBUG": "0", "DEMO_SHOW_SQL": "0", "DATABASE_URL": f"sqlite:///{tmp_path / 'site.sqlite3'}", **env}
    for command in (["migrate", "--noinput"], ["seed_demo", "--base-url", f"http://127.0.0.1:{port}"]):
        subprocess.run(
            [sys.executable, "manage.py", *command], cwd=ROOT, env={**os.environ, **env}, check=True, capture_output=True, timeout=300
        )
    gunicorn = [sys.executable, "-m", "gunicorn", "demo.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"]
    with open(tmp_path / "gunicorn.log", "w") as log, running(gunicorn, port, env, log):
        yield f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The base URL of the real site (gunicorn, DJANGO_DEBUG=0, DEMO_SHOW_SQL=0), one per test module."""
    with serve_site(tmp_path_factory.mktemp("site")) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


def is_local(url):
    parts = urlsplit(url)
    return parts.scheme in ("data", "blob", "about") or parts.hostname == "127.0.0.1"


@pytest.fixture
def page(browser):
    """A fresh browser page; any request that would leave 127.0.0.1 is blocked, recorded and fails the test."""
    context = browser.new_context()
    requested = []
    context.on("request", lambda request: requested.append(request.url))
    context.route(lambda url: not is_local(url), lambda route: route.abort())
    page = context.new_page()
    yield page
    context.close()
    outside = [url for url in requested if not is_local(url)]
    assert not outside, f"requests left 127.0.0.1: {outside}"
