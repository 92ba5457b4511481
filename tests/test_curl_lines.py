"""The curl lines the site shows run as they are written: bash, curl and a live server, nothing else.

The step-by-step page ("Try each scheme with curl") gives each namespace's
lines with the site's own URL in them; docs/oauth2.md gives the machine
client's call for http://127.0.0.1:8000. Each is run here as a reader would
paste it into a shell in the checkout (the machine client's secret is the
file seed_demo made there), against the real site under gunicorn.
"""

import html
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from .browser import serve_site
from .servers import get

ROOT = Path(__file__).resolve().parent.parent
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("curl") is None, reason="no curl on PATH: apt-get install curl"),
]


@pytest.fixture(scope="module")
def live_site(tmp_path_factory):
    with serve_site(tmp_path_factory.mktemp("curl-site")) as url:
        yield url


def shown_lines(site, ns):
    """The lines of the step-by-step page's curl section for `ns`, as the browser shows them."""
    status, _, body = get(f"{site}/step-by-step/", 10, {"Accept": "text/html"})
    assert status == 200
    section = re.search(
        rf'<section class="curl" id="curl-{re.escape(ns)}">.*?<pre[^>]*>(.*?)</pre>', body.decode(), re.S
    )
    assert section, f"no curl section for {ns}"
    return [line for line in html.unescape(section.group(1)).splitlines() if line.strip()]


def docs_block(page, after):
    """The first ```sh block of docs/`page` after the line `after`."""
    text = (ROOT / "docs" / page).read_text()
    block = re.search(r"```sh\n(.*?)```", text[text.index(after) :], re.S)
    return block.group(1)


def run_in_bash(script):
    """What bash printed, running `script` in the checkout; it must exit 0 (`set -e`: any line that fails stops it)."""
    done = subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def responses(output):
    """[(status, body)] of each `curl -i` answer in `output`, in order (a JSON body ends without a newline)."""
    found = []
    for answer in re.split(r"(?=HTTP/\d(?:\.\d)? \d{3} )", output):
        if answer.startswith("HTTP/"):
            head, _, body = answer.replace("\r\n", "\n").partition("\n\n")
            found.append((int(head.split()[1]), body.strip()))
    return found


def test_the_step_by_step_pages_oauth2_lines_call_me_as_the_machine_client(live_site):
    lines = shown_lines(live_site, "oauth2")
    assert lines[0].startswith("SECRET=$(cat .oauth2_machine_secret)")
    assert any("grant_type=client_credentials" in line for line in lines)
    # After the lines, one of this test's own: the token they revoked at the end, tried again.
    check = f'curl -s -o /dev/null -w "after revocation: %{{http_code}}" -H "Authorization: Bearer $M2M" {live_site}/api/oauth2/me/'

    output = run_in_bash("\n".join([*lines, check]))

    (me, me_body), (revoked, _) = responses(output)
    assert me == 200, output
    assert me_body == '{"username":"nightly-job","scheme":"oauth2"}'  # the machine client's service account
    assert revoked == 200, output  # RFC 7009's revocation
    assert output.endswith("after revocation: 401")


def test_docs_oauth2s_machine_to_machine_call_runs_as_written(live_site):
    block = docs_block("oauth2.md", "The machine-to-machine call")
    assert "http://127.0.0.1:8000" in block

    output = run_in_bash(block.replace("http://127.0.0.1:8000", live_site))

    ((status, body),) = responses(output)
    assert status == 200, output
    assert body == '{"username":"nightly-job","scheme":"oauth2"}'
