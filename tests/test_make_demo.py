"""`make demo` from the checkout really serves the site."""

import json

import pytest

from .servers import free_port, get, running

pytestmark = pytest.mark.slow


def test_make_demo_serves_the_site(tmp_path):
    port = free_port()
    env = {"PORT": str(port), "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}"}
    with open(tmp_path / "demo.log", "w") as log, running(["make", "demo"], port, env, log):
        status, headers, body = get(f"http://127.0.0.1:{port}/", timeout=60)
        assert status == 200
        assert b"alice-demo-pass" in body
        assert b'<td class="queries">2</td>' in body  # session, measured by the server itself

        status, headers, body = get(f"http://127.0.0.1:{port}/api/public/me/", headers={"Accept": "application/json"})
        assert status == 200
        assert json.loads(body) == {"username": None, "scheme": "public"}
        assert headers["X-DB-Queries"] == "0"

    printed = (tmp_path / "demo.log").read_text()
    assert "alice / alice-demo-pass" in printed
    assert f"http://127.0.0.1:{port}/api/jwt/" in printed
