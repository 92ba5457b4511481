"""`make bench`'s whole pipeline, short: a real gunicorn and real Locust, each pinned to its core, every output file.

Locust patches the process it runs in with gevent, so it never runs inside
pytest: the runner (benchmarks/run.py) runs in a subprocess, as `make bench`
runs it. With DATABASE_URL set the runner makes a benchmark database of its
own on that PostgreSQL server, and uses REDIS_URL as the cache.
"""

import json
import os
import shutil
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

USERS, SECONDS, STEPS = 2, 2, "1,2"
CONTRACT_KEYS = {"requests", "failures", "rps", "p50_ms", "p95_ms", "p99_ms", "db_queries_per_request", "auth_ms"}
CAPACITY_KEYS = {"capacity_rps", "capacity_x_public", "capacity_users", "server_ms_p50"}
FLOWS = ["session-login", "token-login", "jwt-login", "jwt-refresh", "session-logout", "token-logout", "jwt-logout"]


def bench_env(results, **overrides):
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("BENCH_")},
        "BENCH_USERS": str(USERS),
        "BENCH_SECONDS": str(SECONDS),
        "BENCH_STEPS": STEPS,
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
    assert (latest / "capacity.png").read_bytes().startswith(b"\x89PNG")
    for ns in NAMESPACES:
        assert "<html" in (latest / f"locust-{ns}.html").read_text()[:2000].lower(), ns
    report = (latest / "report.md").read_text()
    for ns in NAMESPACES:
        assert f"| `{ns}` |" in report
    assert "gthread" in report
    assert "## Capacity" in report and "## Light load" in report and "The tutorial's claim" in report
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
        assert set(row) >= CONTRACT_KEYS | CAPACITY_KEYS, ns
        assert row["failures"] == 0, (ns, done.stdout)
        assert row["requests"] > 0 and row["rps"] > 0
        assert 0 < row["p50_ms"] <= row["p95_ms"] <= row["p99_ms"]
        assert 0 < row["server_ms_p50"] < row["p50_ms"]  # the server's own time is inside the round trip
        assert isinstance(row["capacity_rps"], float) and row["capacity_rps"] > 0, ns
        assert row["capacity_users"] in (1, 2)
    assert summary["schemes"]["public"]["capacity_x_public"] == 1.0
    assert set(FLOWS) <= set(summary["logins"])  # the contract's flows, and the newer schemes' own
    assert summary["cores"] == {"server": [0], "locust": [1]}


def test_queries_per_request_under_load_are_the_contracts(bench_run):
    done, latest = bench_run
    summary = json.loads((latest / "summary.json").read_text())
    per_request = json.loads((latest / "requests.json").read_text())

    for ns in NAMESPACES:
        if ns != "token-cached":
            assert summary["schemes"][ns]["db_queries_per_request"] == QUERIES[ns], ns
            capacity = summary["schemes"][ns]
            # At capacity the database serves the scheme's queries for every request.
            assert capacity["capacity_db_queries_per_second"] == pytest.approx(
                QUERIES[ns] * capacity["capacity_rps"], rel=0.01, abs=0.02
            )
    # token-cached: 0 once cached. A miss (1 query) only on a user's first request
    # to each server process: each gunicorn worker has its own local-memory cache,
    # while Redis is one cache for all of them.
    seen = per_request["latency"]["token-cached"]["exact"]["token-cached: GET me/"]["queries_seen"]
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
    env = bench_env(
        tmp_path,
        BENCH_MODE="latency",
        BENCH_SECONDS="5",
        BENCH_PROCESSES="2",
        BENCH_USERS="4",
        BENCH_SCHEMES="jwt",
        JWT_ACCESS_SECONDS="3",
    )
    done = subprocess.run(
        [sys.executable, "benchmarks/run.py"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )

    assert done.returncode == 0, done.stdout + done.stderr
    summary = json.loads((tmp_path / "latest" / "summary.json").read_text())
    assert summary["meta"]["processes"] == 2
    assert summary["schemes"]["jwt"]["failures"] == 0
    assert summary["schemes"]["jwt"]["db_queries_per_request"] == QUERIES["jwt"]
    figures = json.loads((tmp_path / "latest" / "requests.json").read_text())["latency"]["jwt"]
    assert figures["requests"]["jwt: POST refresh/"]["requests"] > 0
    for name, entry in figures["requests"].items():
        if name != "Aggregated":
            # The exact figures come from both workers: one per response Locust counted.
            assert figures["recorded"][name] == entry["requests"] > 0, name


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


@pytest.fixture(scope="module")
def capacity_run(tmp_path_factory):
    results = tmp_path_factory.mktemp("capacity")
    env = bench_env(results, BENCH_MODE="capacity", BENCH_SCHEMES="public,token", BENCH_SECONDS="2")
    done = subprocess.run(
        [sys.executable, "benchmarks/run.py"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    return done, results / "latest"


def test_capacity_run_writes_every_new_key(capacity_run):
    done, latest = capacity_run
    assert done.returncode == 0, done.stdout + done.stderr
    summary = json.loads((latest / "summary.json").read_text())

    assert list(summary["schemes"]) == ["public", "token"]
    public, token = summary["schemes"]["public"], summary["schemes"]["token"]
    assert public["capacity_x_public"] == 1.0
    assert 0 < token["capacity_x_public"] < 1.0  # a query per request costs something
    assert token["capacity_x_public"] == pytest.approx(token["capacity_rps"] / public["capacity_rps"], rel=0.005)
    for row in (public, token):
        assert isinstance(row["capacity_rps"], float) and row["capacity_rps"] > 0
        assert isinstance(row["capacity_users"], int)
        for key in ("p50_ms", "p95_ms", "p99_ms", "server_ms_p50"):
            assert isinstance(row[key], float), key
        assert [step["users"] for step in row["capacity_steps"]] == [1, 2]
        for step in row["capacity_steps"]:
            assert step["responses"] > 0 and step["failures"] == 0 and step["seconds"] >= 2
            assert 0 <= step["locust_cores"] <= 0.9
    # Exact times, not Locust's buckets (whole milliseconds below 100 ms): fractions of a millisecond.
    times = [step[key] for row in (public, token) for step in row["capacity_steps"] for key in ("p50_ms", "p95_ms")]
    assert any(t != round(t) for t in times), times
    for flow in FLOWS:
        assert set(summary["logins"][flow]) == {"queries", "rows_written", "ms"}
        assert summary["logins"][flow]["queries"] > 0 and summary["logins"][flow]["ms"] > 0
    assert "| `token` |" in (latest / "report.md").read_text()


def test_capacity_run_pins_the_server_and_locust_to_their_cores(capacity_run):
    done, latest = capacity_run
    summary = json.loads((latest / "summary.json").read_text())

    assert summary["cores"] == {"server": [0], "locust": [1]}
    # What the kernel said, sampled while they ran: gunicorn and each of its workers, and Locust.
    assert summary["meta"]["server"]["affinity"] == [[0]]
    assert summary["meta"]["server"]["workers"] == 1
    for ns in ("public", "token"):
        assert summary["meta"]["load_generator"][f"capacity-{ns}"]["affinity"] == [[1]]


def test_a_run_where_locust_used_too_much_of_its_core_fails_loudly(tmp_path):
    # The same measurement, with the limit lowered below what any Locust needs: the run must refuse its figures.
    env = bench_env(
        tmp_path, BENCH_MODE="capacity", BENCH_SCHEMES="public", BENCH_STEPS="1", BENCH_LOCUST_CPU_LIMIT="0.001"
    )
    done = subprocess.run(
        [sys.executable, "benchmarks/run.py"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )

    assert done.returncode == 1
    assert "FAILED: public (capacity): Locust used" in done.stdout
    assert "that step measured Locust, not the server" in (tmp_path / "latest" / "report.md").read_text()


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed (Debian: apt-get install wrk)")
def test_wrk_runs_beside_locust_with_each_schemes_credential(tmp_path):
    # session (a cookie), token and jwt (a header): wrk must be let in by each, or its req/s would be 401s and 403s.
    env = bench_env(
        tmp_path, BENCH_MODE="capacity", BENCH_SCHEMES="public,session,token,jwt", BENCH_STEPS="1", BENCH_WRK="1"
    )
    done = subprocess.run(
        [sys.executable, "benchmarks/run.py"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )

    assert done.returncode == 0, done.stdout + done.stderr
    summary = json.loads((tmp_path / "latest" / "summary.json").read_text())
    assert list(summary["wrk"]) == ["public", "session", "token", "jwt"]
    for ns, row in summary["wrk"].items():
        assert row["rps"] > 0 and row["connections"] == 1, ns
        printed = (tmp_path / "latest" / f"wrk-{ns}.txt").read_text()
        assert "Non-2xx" not in printed, (ns, printed)  # wrk counts every answer; only 200s mean it was let in
    assert "A second opinion: wrk" in (tmp_path / "latest" / "report.md").read_text()
