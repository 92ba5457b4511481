"""A second opinion: wrk (an HTTP load generator written in C) against the same server, for the same namespaces.

``BENCH_WRK=1 make bench`` runs it in every capacity round, right after Locust's
window of the same namespace: as many connections as Locust has users there
(the namespace's knee), one account per connection as Locust has one per
user (each got the way the recipe in ``GET /api/`` says, once per run), a
Lua script that sends each connection's credential, wrk on Locust's cores
for as long as Locust's window. Its ratios are taken within each round too.
If the two tools agree on the ratios, the ratios are the server's, not an
artefact of either load generator.
"""

import base64
import json
import re
import shutil
import subprocess
import time
from http.cookies import SimpleCookie

from benchmarks.processes import get

RATE = re.compile(r"Requests/sec:\s+([0-9.]+)")


def credential_headers(base_url, recipe, username, password):
    """The headers one logged-in client sends, got through the namespace's own login endpoint."""
    kind = recipe["kind"]
    if kind == "none":
        return {}
    if kind == "basic":
        return {"Authorization": "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()}
    body = json.dumps({"username": username, "password": password}).encode()
    json_type = {"Content-Type": "application/json"}
    if kind in ("session", "cookie"):  # jwt-cookie's recipe names its CSRF cookie and header; session's are Django's
        csrf_cookie, csrf_header = recipe.get("csrf_cookie", "csrftoken"), recipe.get("csrf_header", "X-CSRFToken")
        status, headers, _ = get(base_url + recipe["login"])
        csrf = SimpleCookie(headers.get("Set-Cookie"))[csrf_cookie].value
        status, headers, _ = get(
            base_url + recipe["login"],
            body=body,
            headers={**json_type, csrf_header: csrf, "Cookie": f"{csrf_cookie}={csrf}"},
        )
        cookies = SimpleCookie()
        for header in headers.get_all("Set-Cookie"):
            cookies.load(header)
        return {"Cookie": "; ".join(f"{name}={morsel.value}" for name, morsel in cookies.items())}
    status, _, answer = get(base_url + recipe["login"], body=body, headers=json_type)
    if status != 200:
        raise RuntimeError(f"wrk: logging in at {recipe['login']} answered {status}")
    tokens = json.loads(answer)
    credential = tokens[recipe["field"]] if kind == "token" else tokens["access"]
    return {"Authorization": f"{recipe['keyword']} {credential}"}


LUA = """
-- One credential per connection, as Locust has one account per user.
local credentials = {%s}
local next_one = 0
function setup(thread) end
function init(args)
  next_one = 0
end
request = function()
  next_one = next_one %% #credentials + 1
  return wrk.format("GET", nil, credentials[next_one])
end
"""


def lua_script(header_sets):
    """wrk's script: the requests cycle through `header_sets`, one account's headers each."""
    tables = ", ".join(
        "{" + ", ".join(f"[{json.dumps(k)}] = {json.dumps(v)}" for k, v in h.items()) + "}" for h in header_sets
    )
    return LUA % tables


def run_one(url, header_sets, connections, seconds, cpus, script):
    script.write_text(lua_script(header_sets))
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "-s", str(script), url]
    done = subprocess.run(
        ["taskset", "-c", ",".join(map(str, cpus)), *command], capture_output=True, text=True, timeout=seconds + 30
    )
    found = RATE.search(done.stdout)
    if done.returncode != 0 or not found or "Non-2xx" in done.stdout:  # wrk counts every answer: only 200s count here
        raise RuntimeError(f"wrk failed on {url}: {done.stdout}{done.stderr}")
    return float(found.group(1)), done.stdout


_logged_in = {}  # (base_url, ns, username) -> (headers, expires): one login per account and run, as Locust keeps its own


def expires(headers):
    """When a bearer JWT in `headers` expires (its exp claim, read without checking the signature); None otherwise."""
    value = headers.get("Authorization", "").split(" ")[-1]
    if value.count(".") != 2:
        return None
    payload = value.split(".")[1]
    try:
        return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["exp"]
    except (ValueError, KeyError):
        return None


def run_one_namespace(ns, index, accounts_file, base_url, config, connections, out, round_number=1):
    """wrk against one namespace's GET me/ with `connections` connections, one account each."""
    if shutil.which("wrk") is None:
        raise RuntimeError("BENCH_WRK=1 needs wrk on PATH (Debian: apt-get install wrk)")
    accounts = json.loads(accounts_file.read_text())
    entry = index["namespaces"][ns]
    header_sets = []
    for username in accounts["usernames"][:connections]:
        key = (base_url, ns, username)
        until = _logged_in.get(key, ({}, None))[1]
        if key not in _logged_in or (until is not None and until < time.time() + config.seconds + 5):
            got = credential_headers(base_url, entry["client"], username, accounts["password"])
            _logged_in[key] = (got, expires(got))
        header_sets.append(_logged_in[key][0])
    url = f"{entry['url'].rstrip('/')}/me/"
    rps, printed = run_one(url, header_sets, connections, config.seconds, config.cores["locust"], out / f"wrk-{ns}.lua")
    (out / f"wrk-{ns}-round{round_number}.txt").write_text(printed)
    print(f"    {ns} wrk: {rps:.0f} req/s with {connections} connections", flush=True)
    return {"rps": rps, "connections": connections}
