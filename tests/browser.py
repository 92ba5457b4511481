"""Shared helpers for tests in a real browser: Debian's chromium, driven by Playwright, against the real site.

Use them in a test module with::

    from .browser import require_chromium  # the fixtures (site, page, open_page, browser) come from conftest.py

    require_chromium()  # without chromium: the whole module is skipped, in one line saying why
    pytestmark = pytest.mark.slow

    def test_something(site, page):
        page.goto(f"{site}/api/public/")

The API:

- ``site`` (module scope): the base URL (``http://127.0.0.1:<port>``, no
  trailing slash) of the real site under gunicorn with ``DJANGO_DEBUG=0``,
  static files through whitenoise, its own SQLite database (migrated and
  seeded with ``seed_demo``: alice / alice-demo-pass, bob / bob-demo-pass) and
  the real password hasher. Stopped at the end of the module.
- ``page``: a fresh Playwright page in a fresh browser context (its own
  cookies and sessionStorage). ``page.requested`` lists the URL of every
  request it made. The test fails if any request leaves 127.0.0.1 or if a
  script on the page throws.
- ``open_page(**context_options)``: the same, for a page whose context needs
  options, e.g. ``open_page(http_credentials={"username": ..., "password": ...})``.
- ``browser`` (session scope): the chromium browser itself; ``launch_chromium()``
  starts one.

Every wait is bounded: pages get a 10 s default timeout. Without
/usr/bin/chromium (``apt-get install chromium``, as .ci/run does), the tests
are skipped: ``require_chromium()`` skips a whole module with one line saying
why, and the ``browser`` fixture skips any other test that asks for it.
"""

import os
import secrets
import subprocess
import sys
from contextlib import contextmanager
from urllib.parse import urlsplit

import pytest

from lab.browser import CHROMIUM, launch  # the one launch of Debian's chromium: the lab's command uses it too

from .servers import ROOT, free_port, gunicorn, running

TIMEOUT_MS = 10_000
LOCAL_HOSTS = {"127.0.0.1"}
# Screenshots the tests take; docs/browsing.md shows copies kept in docs/screenshots/.
SCREENSHOTS = ROOT / "screenshots" / "tmp"


def launch_chromium(playwright):
    """Debian's chromium, headless, with nothing of its own going to the network."""
    return launch(playwright)


def chromium_missing():
    """Why the browser tests can't run here, or None."""
    if not os.access(CHROMIUM, os.X_OK):
        return f"browser tests skipped: no {CHROMIUM} (apt-get install chromium)"
    return None


needs_chromium = pytest.mark.skipif(chromium_missing() is not None, reason=str(chromium_missing()))


def require_chromium():
    """Call at the top of a test module: skip the whole module without chromium."""
    if chromium_missing():
        pytest.skip(chromium_missing(), allow_module_level=True)


@pytest.fixture(scope="session")
def browser():
    if chromium_missing():
        pytest.skip(chromium_missing())
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio event loop in this thread for the rest
    # of the session, and Django then takes every later ORM call of the test process
    # (a module fixture that opens a connection, say) for one made from async code and
    # refuses it with SynchronousOnlyOperation. No Django code runs in that loop: the
    # site under test is a separate process (a WSGI server that inherits the setting and
    # has no event loop, so it changes nothing there). Playwright's docs give this setting.
    with sync_playwright() as playwright, pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


def run_manage(env, *args):
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        check=True,
        stdout=subprocess.DEVNULL,
        timeout=120,
    )


@contextmanager
def serve_site(home, **env):
    """The real site, as `make demo` serves it but under gunicorn with DEBUG off, on a fresh seeded SQLite file in
    `home`; yields its base URL. `env` adds settings (DEMO_SHOW_SQL="1", for example)."""
    port = free_port()
    env = {
        "DJANGO_DEBUG": "0",
        "DEMO_SHOW_SQL": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": f"sqlite:///{home / 'site.sqlite3'}",
        "REDIS_URL": "",  # local-memory cache: the in-process tests' cache.clear() can't touch it
        **env,
    }
    run_manage(env, "migrate", "--noinput")
    run_manage(env, "seed_demo", "--base-url", f"http://127.0.0.1:{port}")
    command = gunicorn(port, "--workers", "2", "--timeout", "30")
    # As make demo: the authorization server that oauth2-introspect asks is a gunicorn of its own beside the site
    # (asking itself, two sync workers each waiting on their own introspection would leave none to answer it).
    authorization_port = free_port()
    site_env = {**env, "OAUTH2_INTROSPECT_URL": f"http://127.0.0.1:{authorization_port}/o/introspect/"}
    authorization = gunicorn(authorization_port, "--workers", "1", "--threads", "4", "--timeout", "30")
    with (
        open(home / "authorization-server.log", "w") as authorization_log,
        running(authorization, authorization_port, env, authorization_log),
        open(home / "gunicorn.log", "w") as log,
        running(command, port, site_env, log),
    ):
        yield f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The real site (see serve_site), one per test module; yields its base URL."""
    with serve_site(tmp_path_factory.mktemp("site")) as url:
        yield url


def is_local(url):
    """Whether a request to `url` stays on this machine (127.0.0.1, or no network at all: data:, blob:, about:)."""
    parts = urlsplit(url)
    return parts.scheme not in ("http", "https", "ws", "wss") or parts.hostname in LOCAL_HOSTS


@pytest.fixture
def open_page(browser):
    """open_page(**context_options) -> a page that records its requests; checked when the test ends."""
    contexts, pages = [], []

    def open_(**context_options):
        context = browser.new_context(**context_options)
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        new_page = context.new_page()
        new_page.requested = []
        new_page.errors = []
        new_page.on("request", lambda request: new_page.requested.append(request.url))
        new_page.on("pageerror", lambda error: new_page.errors.append(str(error)))
        contexts.append(context)
        pages.append(new_page)
        return new_page

    yield open_
    try:
        for checked in pages:
            left = [url for url in checked.requested if not is_local(url)]
            assert not left, f"requests left 127.0.0.1: {left}"
            assert not checked.errors, f"scripts threw: {checked.errors}"
    finally:
        for context in contexts:
            context.close()


@pytest.fixture
def page(open_page):
    return open_page()


def screenshot(page, name, full_page=True):
    """Save the page (the whole page, or what the window shows) as screenshots/tmp/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=path, full_page=full_page)
    return path
