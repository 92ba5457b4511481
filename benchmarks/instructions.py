"""Instructions per GET me/, per namespace: a figure that comes out the same on a busy laptop and a quiet server.

    .venv/bin/python benchmarks/instructions.py                     # public, token-cached, jwt-stateless
    .venv/bin/python benchmarks/instructions.py --namespaces public,token,jwt --requests 200
    .venv/bin/python benchmarks/instructions.py --json

Req/s moves with whatever else the machine runs; the number of CPU
instructions one request executes does not. This counts them with Valgrind's
cachegrind (``apt-get install valgrind``): the site's own WSGI application
(``config.wsgi``: the site's settings, DEBUG off, a fresh SQLite file, the
local-memory cache), called in-process with ``GET /api/<ns>/me/`` and a valid
credential, as gunicorn would call it. Each namespace is counted twice: a run
that starts the site, logs in to every namespace and warms each one up, then
stops ("the base"); and the same run followed by ``--requests`` more requests
to that namespace. The difference, divided by ``--requests``, is what one
warm request costs. ``x public`` is public's figure divided by the
namespace's: the capacity ratio that a server bound by its CPU would show.

Each run takes a minute or so under Valgrind (it runs Python 20 to 50 times
slower); the runs go one after the other, on one core. Hash randomisation is
off (PYTHONHASHSEED=0) so that two runs execute the same instructions.
"""

import argparse
import io
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_NAMESPACES = ("public", "token-cached", "jwt-stateless")
USERNAME = "instructions"


def site_environment(database):
    """The environment of a production-like process of the site: its settings, DEBUG off, SQLite, no Redis."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    return env | {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_LOG_LEVEL": "ERROR",
        "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
    }


# --- The child: the site in this process, called as a WSGI server calls it.


def environ_for(ns, client):
    """A WSGI environ for GET /api/<ns>/me/ carrying the credential a test client was given (header or cookies)."""
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": f"/api/{ns}/me/",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_ACCEPT": "*/*",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    environ.update({k: v for k, v in client.defaults.items() if k.startswith("HTTP_") and k != "HTTP_HOST"})
    if client.cookies:
        environ["HTTP_COOKIE"] = "; ".join(f"{m.key}={m.value}" for m in client.cookies.values())
    return environ


def call(application, environ):
    """One request through the WSGI application: (status, body)."""
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"] = status

    result = application({**environ, "wsgi.input": io.BytesIO(b"")}, start_response)
    try:
        body = b"".join(result)
    finally:
        result.close()  # what a WSGI server does: Django's request_finished (closes stale connections)
    return answer["status"], body


def child(namespaces, measured, requests, warmup, password):
    """Start the site, log in to every namespace, warm each up; then `requests` requests to `measured` (if any)."""
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))
    from django.contrib.auth import get_user_model

    import registry
    from config.wsgi import application  # the site's settings, as gunicorn loads them
    from measurements.measure import SiteClient

    user = get_user_model().objects.get(username=USERNAME)
    environs = {}
    for ns in namespaces:
        client = SiteClient()
        credential = registry.scheme(ns).credential
        if credential is not None:
            credential.log_in(client, user, password)
        environs[ns] = environ_for(ns, client)
    for ns in namespaces:
        for _ in range(warmup):
            status, body = call(application, environs[ns])
            if not status.startswith("200"):
                raise SystemExit(f"GET /api/{ns}/me/ answered {status}: {body[:200]!r}")
    for _ in range(requests if measured else 0):
        status, body = call(application, environs[measured])
        if not status.startswith("200"):
            raise SystemExit(f"GET /api/{measured}/me/ answered {status}: {body[:200]!r}")


# --- The parent: a database, then the child under Valgrind, once for the base and once per namespace.


def prepare(env, namespaces, password):
    """A fresh database with one user, and every credential the child will ask for already made once."""
    run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], env)
    run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from django.contrib.auth import get_user_model; "
            f"get_user_model().objects.create_user({USERNAME!r}, password=__import__('os').environ['INSTRUCTIONS_PASSWORD'])",
        ],
        env | {"INSTRUCTIONS_PASSWORD": password},
    )
    # The child once without Valgrind: what its first run makes (a DRF token, ...) exists before the counted runs.
    run(child_command(namespaces, None, 0, 1), env | {"INSTRUCTIONS_PASSWORD": password})


def child_command(namespaces, measured, requests, warmup):
    return [
        sys.executable,
        __file__,
        "--child",
        "--namespaces",
        ",".join(namespaces),
        "--measured",
        measured or "",
        "--requests",
        str(requests),
        "--warmup",
        str(warmup),
    ]


def run(command, env):
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command[:4])} ... failed:\n{done.stdout}{done.stderr}")
    return done


def instructions(command, env, scratch):
    """Instructions executed by `command`, counted by cachegrind (no cache simulation: just the count)."""
    log = scratch / "cachegrind.log"
    valgrind = [
        "valgrind",
        "--tool=cachegrind",
        "--cache-sim=no",
        "--branch-sim=no",
        f"--cachegrind-out-file={scratch / 'cachegrind.out'}",
        f"--log-file={log}",
    ]
    run(valgrind + command, env)
    found = re.search(r"I\s+refs:\s+([\d,]+)", log.read_text())
    if not found:
        raise SystemExit(f"no instruction count in cachegrind's log:\n{log.read_text()}")
    return int(found.group(1).replace(",", ""))


def measure(namespaces, requests, warmup, progress=print):
    """{ns: instructions per request}, each from its own run less the base run."""
    with tempfile.TemporaryDirectory(prefix="authdemo-instructions-") as folder:
        scratch = Path(folder)
        env = site_environment(scratch / "db.sqlite3")
        password = secrets.token_urlsafe(16)
        prepare(env, namespaces, password)
        env = env | {"INSTRUCTIONS_PASSWORD": password}
        base = instructions(child_command(namespaces, None, 0, warmup), env, scratch)
        progress(f"base (start, log in, {warmup} warm-up requests per namespace): {base:,} instructions")
        found = {}
        for ns in namespaces:
            total = instructions(child_command(namespaces, ns, requests, warmup), env, scratch)
            found[ns] = round((total - base) / requests)
            progress(f"{ns}: {total:,} instructions, {found[ns]:,} per request")
        return found


def table(found):
    """The figures as Markdown, each namespace x public where public was measured."""
    public = found.get("public")
    lines = ["| namespace | instructions per GET me/ | x public |", "|---|---:|---:|"]
    for ns, per_request in found.items():
        ratio = f"{public / per_request:.3f}" if public else "-"
        lines.append(f"| {ns} | {per_request:,} | {ratio} |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument(
        "--namespaces", default=",".join(DEFAULT_NAMESPACES), help="comma-separated (default: %(default)s)"
    )
    parser.add_argument(
        "--requests", type=int, default=300, help="measured requests per namespace (default: %(default)s)"
    )
    parser.add_argument("--warmup", type=int, default=50, help="warm-up requests per namespace (default: %(default)s)")
    parser.add_argument("--json", action="store_true", help="print {ns: instructions per request} as JSON")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--measured", default="", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    namespaces = [ns.strip() for ns in args.namespaces.split(",") if ns.strip()]
    if args.child:
        return child(namespaces, args.measured, args.requests, args.warmup, os.environ["INSTRUCTIONS_PASSWORD"])
    if args.requests < 1:
        parser.error("--requests must be 1 or more")
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed: apt-get install valgrind (brew install valgrind on Intel macOS)")
    found = measure(namespaces, args.requests, args.warmup, progress=lambda line: print(line, file=sys.stderr))
    print(json.dumps(found) if args.json else table(found))
    return None


if __name__ == "__main__":
    main()
