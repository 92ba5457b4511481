"""Deployment: Django's own deployment checklist passes, HTTPS settings reach the responses, and the secret key is never in the code."""

import json
import os
import secrets
import stat
import subprocess
import sys
import textwrap

import pytest

from config.settings import checkout_secret_key

from .servers import ROOT

pytestmark = pytest.mark.slow


def manage(*args, **env):
    """Run manage.py in a fresh process with this environment (settings are read at start-up)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def production(**extra):
    return {"DJANGO_DEBUG": "0", "DJANGO_HTTPS": "1", "DJANGO_SECRET_KEY": secrets.token_urlsafe(50), **extra}


def test_check_deploy_reports_nothing():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **production())

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_check_deploy_without_https_says_what_is_missing():
    # The same check fails where it should: without DJANGO_HTTPS the cookies may travel in clear.
    result = manage("check", "--deploy", "--fail-level", "WARNING", **production(DJANGO_HTTPS="0"))

    assert result.returncode != 0
    for warning in ("security.W008", "security.W012", "security.W016"):  # SSL redirect, secure cookies
        assert warning in result.stderr


HTTPS_RESPONSES = textwrap.dedent(
    """
    import json
    from django.core.management import call_command
    from django.contrib.auth import get_user_model
    from django.test import Client

    call_command("migrate", verbosity=0)
    get_user_model().objects.create_user("alice", password="alice-https-pass")
    client = Client(HTTP_HOST="localhost")
    plain = client.get("/api/session/login/")
    page = client.get("/api/session/login/", secure=True)
    login = client.post(
        "/api/session/login/",
        {"username": "alice", "password": "alice-https-pass"},
        content_type="application/json",
        secure=True,
        HTTP_X_CSRFTOKEN=page.cookies["csrftoken"].value,
        HTTP_ORIGIN="https://localhost",
    )
    print(json.dumps({
        "plain": [plain.status_code, plain.get("Location")],
        "hsts": page.get("Strict-Transport-Security"),
        "csrftoken": dict(page.cookies["csrftoken"]),
        "login": login.status_code,
        "sessionid": dict(login.cookies["sessionid"]),
    }))
    """
)


def test_https_cookies_are_secure_and_http_is_redirected():
    result = manage("shell", "-c", HTTPS_RESPONSES, **production(DATABASE_URL="sqlite://:memory:"))
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])

    assert seen["plain"] == [301, "https://localhost/api/session/login/"]
    assert seen["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert seen["login"] == 200
    assert seen["sessionid"]["secure"]
    assert seen["sessionid"]["httponly"]
    assert seen["sessionid"]["samesite"] == "Lax"
    assert seen["csrftoken"]["secure"]
    assert seen["csrftoken"]["samesite"] == "Lax"


def test_secret_key_is_generated_once_per_checkout(tmp_path):
    first = checkout_secret_key(tmp_path / ".secret_key")

    assert len(first) >= 50
    assert checkout_secret_key(tmp_path / ".secret_key") == first  # kept
    assert stat.S_IMODE((tmp_path / ".secret_key").stat().st_mode) == 0o600  # readable by its owner only
    assert checkout_secret_key(tmp_path / "another-checkout") != first  # random, not a literal


def test_workers_starting_together_agree_on_the_key(tmp_path):
    # gunicorn starts its workers at once: exactly one writes the key, all read the same one.
    path = tmp_path / ".secret_key"
    code = f"from config.settings import checkout_secret_key; print(checkout_secret_key(__import__('pathlib').Path({str(path)!r})))"
    env = {**os.environ, "DJANGO_SECRET_KEY": "not-used-by-this-test"}
    workers = [
        subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(6)
    ]
    keys = {worker.communicate(timeout=60)[0].strip() for worker in workers}

    assert keys == {path.read_text().strip()}


def test_the_key_file_is_never_committed():
    ignored = subprocess.run(["git", "check-ignore", "-q", ".secret_key"], cwd=ROOT)

    assert ignored.returncode == 0
