"""A second opinion: wrk (an HTTP load generator written in C) against the same server, for the same namespaces.

``BENCH_WRK=1 make bench`` runs it right after each namespace's capacity run: one
credential got the way the recipe in ``GET /api/`` says, a Lua script that
sends it, and wrk on Locust's cores with as many connections as Locust's
best step had users. If the two tools agree on the ratios, the ratios are the
server's, not an artefact of either load generator.
"""

import base64
import json
import re
import shutil
import subprocess
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


def run_one(url, headers, connections, seconds, cpus, script):
    script.write_text("".join(f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}\n" for k, v in headers.items()))
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "-s", str(script), url]
    done = subprocess.run(
        ["taskset", "-c", ",".join(map(str, cpus)), *command], capture_output=True, text=True, timeout=seconds + 30
    )
    found = RATE.search(done.stdout)
    if done.returncode != 0 or not found:
        raise RuntimeError(f"wrk failed on {url}: {done.stdout}{done.stderr}")
    return float(found.group(1)), done.stdout


def run_one_namespace(ns, index, accounts_file, base_url, config, capacity, out):
    """wrk against one namespace's GET me/, with as many connections as Locust's best step had users (4 without one)."""
    if shutil.which("wrk") is None:
        raise RuntimeError("BENCH_WRK=1 needs wrk on PATH (Debian: apt-get install wrk)")
    accounts = json.loads(accounts_file.read_text())
    entry = index["namespaces"][ns]
    headers = credential_headers(base_url, entry["client"], accounts["usernames"][0], accounts["password"])
    best = max(capacity["steps"], key=lambda step: step["rps"]) if capacity and capacity["steps"] else None
    connections = best["users"] if best else 4
    url = f"{entry['url'].rstrip('/')}/me/"
    rps, printed = run_one(
        url, headers, connections, config["seconds"], config["cores"]["locust"], out / f"wrk-{ns}.lua"
    )
    (out / f"wrk-{ns}.txt").write_text(printed)
    print(f"    {ns} wrk: {rps:.0f} req/s with {connections} connections", flush=True)
    return {"rps": rps, "connections": connections}
