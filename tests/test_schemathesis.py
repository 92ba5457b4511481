"""Schemathesis against the live site: every operation of /api/schema/, in every namespace, with real credentials.

A real gunicorn (DEBUG off, its own SQLite file, seeded with seed_demo) and
the schemathesis CLI in a process of its own, authenticated by
tests/schemathesis_auth.py the way each scheme's clients do (Basic; session
cookie + CSRF; Token; JWT Bearer; the same credentials at token-cached and
jwt-stateless). Its checks: no 5xx, no status code, Content-Type or header
that the schema doesn't document, every response body as documented, and no
request the schema calls valid refused (but a login with made-up credentials).

Its configuration is tests/schemathesis.toml (which check is off, and why).
Bounded: a few examples per operation, one worker, and a time limit on the
whole run (under a minute on a quiet machine). The login throttle is raised
for this server, so that the fuzzer's logins are answered; tests/test_login.py
shows the 429 and its Retry-After.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .browser import serve_site
from .servers import ROOT, get

pytestmark = pytest.mark.slow

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
ACCOUNTS = {"DEMO_ACCOUNT": "alice:alice-demo-pass", "DEMO_LOGOUT_ACCOUNT": "bob:bob-demo-pass"}  # seed_demo's
CONFIG = ROOT / "tests" / "schemathesis.toml"
TIME_LIMIT = 240  # seconds, for the whole run; a quiet machine needs under a minute


def test_the_live_site_answers_as_its_schema_says(tmp_path):
    server = {"DJANGO_SETTINGS_MODULE": "tests.settings_fast_hasher", "LOGIN_THROTTLE": "100000/minute"}
    with serve_site(tmp_path, **server) as site:
        run = subprocess.run(
            [SCHEMATHESIS, "--config-file", CONFIG, "--no-color", "run", f"{site}/api/schema/"],
            cwd=ROOT,
            env={**os.environ, "DEMO_SITE": site, **ACCOUNTS},
            capture_output=True,
            text=True,
            timeout=TIME_LIMIT,
        )
        schema = json.loads(get(f"{site}/api/schema/?format=json")[2])
    report = run.stdout + run.stderr
    print(report[report.find("SUMMARY") :])  # shown with -rP: what was tested, how many cases

    assert run.returncode == 0, report[-30000:]
    selected = report.split("Selected: ")[1].split()[0]  # "71/71"
    assert selected.split("/")[0] == selected.split("/")[1], selected
    assert f"Tested: {selected.split('/')[0]}" in report
    # Schemathesis names the operations that answered nothing but 401/403. Only those that take a credential in their
    # body may be among them (a login, refresh or verify drawn at random); every other one was reached with its own.
    assert unreached_behind_a_credential(report, schema) == [], report[report.find("WARNINGS") :]


def unreached_behind_a_credential(report, schema):
    block = report.split("Authentication failed:", 1)[1].split("💡", 1)[0] if "Authentication failed:" in report else ""
    listed = re.findall(r"^  - (\w+) (\S+)$", block, re.M)
    return [
        (method, path) for method, path in listed if schema["paths"][path][method.lower()].get("security", [{}]) != [{}]
    ]
