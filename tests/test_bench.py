"""`make bench`'s whole pipeline, short: a real gunicorn, real Locust in processes of its own, every output file.

Locust patches the process it runs in with gevent, so it never runs inside
pytest: the runner (benchmarks/run.py) runs in a subprocess, as `make bench`
runs it. With DATABASE_URL set the runner makes a benchmark database of its
own on that PostgreSQL server, and uses REDIS_URL as the cache.
"""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request

import pytest

from .conftest import NAMESPACES
from .servers import ROOT
from .test_namespaces import QUERIES

pytestmark = pytest.mark.slow

USERS, SECONDS = 2, 5
CONTRACT_KEYS = {"requests", "failures", "rps", "p50_ms", "p95_ms", "p99_ms", "db_queries_per_request", "auth_ms"}


def bench_env(results, **overrides):
    return {
        **os.environ,
        "BENCH_USERS": str(USERS),
        "BENCH_SECONDS": str(SECONDS),
        **overrides,
        "BENCH_RESULTS": str(results),
        "BENCH_DATABASE": f"authdemo_bench_test_{os.getpid()}",  # never the database of a real `make bench`
        "PYTHONUNBUFFERED": "1",
    }


def answers(url):
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def bench_run(tmp_path_factory):
    results = tmp_path_factory.mktemp("results")
    done = subprocess.run(
        [sys.executable, "benchmarks/run.py"],
        cwd=ROOT,
        env=bench_env(results),
        capture_output=True,
        text=True,
        timeout=400,
    )
    return done, results / "latest"


def test_exits_zero_and_writes_every_file(bench_run):
    done, latest = bench_run

    assert done.returncode == 0, done.stdout + done.stderr
    assert (latest / "latency.png").read_bytes().startswith(b"\x89PNG")
    for ns in NAMESPACES:
        assert "<html" in (latest / f"locust-{ns}.html").read_text()[:2000].lower(), ns
    report = (latest / "report.md").read_text()
    for ns in NAMESPACES:
        assert f"| `{ns}` |" in report
    assert "gthread" in report
    # The run is kept beside latest/ in a folder of its own.
    assert [p.name for p in latest.parent.iterdir() if p.name != "latest"]


def test_summary_has_the_contracts_keys_and_no_failures(bench_run):
    done, latest = bench_run
    summary = json.loads((latest / "summary.json").read_text())

    assert list(summary["schemes"]) == NAMESPACES
    meta = summary["meta"]
    assert meta["users"] == USERS and meta["seconds"] == SECONDS
    assert meta["versions"]["Django"] and meta["server"]["worker_class"] == "gthread"
    assert meta["database"]["engine"] == ("postgresql" if os.environ.get("DATABASE_URL") else "sqlite")
    assert meta["cache"]["backend"] == ("redis" if os.environ.get("REDIS_URL") else "local memory")
    for ns, row in summary["schemes"].items():
        assert set(row) == CONTRACT_KEYS, ns
        assert row["failures"] == 0, (ns, done.stdout)
        assert row["requests"] > 0 and row["rps"] > 0
        assert 0 < row["p50_ms"] <= row["p95_ms"] <= row["p99_ms"]


def test_queries_per_request_under_load_are_the_contracts(bench_run):
    done, latest = bench_run
    summary = json.loads((latest / "summary.json").read_text())
    per_request = json.loads((latest / "requests.json").read_text())

    for ns in NAMESPACES:
        if ns != "token-cached":
            assert summary["schemes"][ns]["db_queries_per_request"] == QUERIES[ns], ns
    # token-cached: 0 once cached. A miss (1 query) only on a user's first request
    # to each server process: each gunicorn worker has its own local-memory cache,
    # while Redis is one cache for all of them.
    seen = per_request["token-cached"]["requests"]["token-cached: GET me/"]["server"]["queries"]
    caches = 1 if os.environ.get("REDIS_URL") else summary["meta"]["server"]["workers"]
    assert set(seen) <= {"0", "1"}
    assert seen.get("1", 0) <= USERS * caches
    assert seen["0"] > 0


def test_the_server_is_stopped_afterwards(bench_run):
    done, latest = bench_run
    url = json.loads((latest / "summary.json").read_text())["meta"]["server"]["url"]

    assert not answers(f"{url}/api/")


def test_worker_processes_report_every_response_and_jwt_users_refresh(tmp_path):
    # Access tokens that live 3 s: the JWT users must refresh within the 5 s run.
    env = bench_env(tmp_path, BENCH_PROCESSES="2", BENCH_USERS="4", BENCH_SCHEMES="jwt", JWT_ACCESS_SECONDS="3")
    done = subprocess.run(
        [sys.executable, "benchmarks/run.py"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )

    assert done.returncode == 0, done.stdout + done.stderr
    summary = json.loads((tmp_path / "latest" / "summary.json").read_text())
    assert summary["meta"]["processes"] == 2
    assert summary["schemes"]["jwt"]["failures"] == 0
    assert summary["schemes"]["jwt"]["db_queries_per_request"] == QUERIES["jwt"]
    requests = json.loads((tmp_path / "latest" / "requests.json").read_text())["jwt"]["requests"]
    assert requests["jwt: POST jwt/refresh/"]["requests"] > 0
    for name, entry in requests.items():
        if name != "Aggregated":
            # The server's figures come from both workers: one per response Locust counted.
            assert entry["server"]["responses"] == entry["requests"] > 0, name


def test_ctrl_c_stops_the_server(tmp_path):
    runner = subprocess.Popen(
        [sys.executable, "benchmarks/run.py"],
        cwd=ROOT,
        env=bench_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        url = None
        deadline = time.monotonic() + 120
        for line in runner.stdout:
            if line.startswith("server: gunicorn on "):
                url = line.split()[3].rstrip(",")
                break
            assert time.monotonic() < deadline, "the server did not start"
        assert url and answers(f"{url}/api/")

        runner.send_signal(signal.SIGINT)
        printed = runner.communicate(timeout=60)[0]
    finally:
        if runner.poll() is None:
            runner.kill()
            runner.wait()

    assert runner.returncode != 0
    assert "interrupted" in printed
    assert not answers(f"{url}/api/")
    assert not (tmp_path / "latest").exists()
