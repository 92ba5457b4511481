"""`make bench`'s whole pipeline, short: a real gunicorn and real Locust (and wrk), each pinned, every output file.

One run serves every test that reads results (``bench_run``, once per
session): all namespaces, steps of 1 and 2 users, two rounds, the light-load
run with two Locust processes, wrk beside Locust when it is installed, and
one window made noisy on purpose: when round 2 begins, a busy loop pinned to
the server's core (the one the runner prints) runs for a while, so that
window must come out measured again or marked. The logic itself (stepper,
rounds, marks, report) is tested without a server in test_bench_units.py.

Locust patches the process it runs in with gevent, so it never runs inside
pytest: the runner (benchmarks/run.py) runs in a subprocess, as `make bench`
runs it. With DATABASE_URL set the runner makes a benchmark database of its
own on that PostgreSQL server, and uses REDIS_URL as the cache.
"""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request

import pytest

from benchmarks import run

from .conftest import NAMESPACES
from .servers import ROOT
from .test_namespaces import QUERIES

pytestmark = pytest.mark.slow
# The tests that read the shared run: it pins the server and Locust to cores and tells other work on them from its
# own, so make test runs them after the rest, with nothing beside them (tests/conftest.py checks the mark).
alone = pytest.mark.alone

USERS, SECONDS, STEPS, ROUNDS = 4, 1, "1,2", 2  # 1 s windows: the pipeline, not the figures, is under test
WRK = shutil.which("wrk") is not None
CONTRACT_KEYS = {"requests", "failures", "rps", "p50_ms", "p95_ms", "p99_ms", "db_queries_per_request", "auth_ms"}
CAPACITY_KEYS = {"capacity_rps", "capacity_x_public", "capacity_users", "server_ms_p50"}
ROUND_KEYS = {"capacity_x_public_spread", "rounds"}
FLOWS = ["session-login", "token-login", "jwt-login", "jwt-refresh", "session-logout", "token-logout", "jwt-logout"]
NOISE_SECONDS = 12  # the busy loop: longer than Locust's start and a window, so the window sees it


def bench_env(results, **overrides):
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("BENCH_")},
        "BENCH_USERS": str(USERS),
        "BENCH_SECONDS": str(SECONDS),
        "BENCH_STEPS": STEPS,
        "BENCH_ROUNDS": str(ROUNDS),
        "BENCH_PROFILE_REQUESTS": "3",
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


def busy_loop(cpus, seconds):
    """A process that keeps `cpus` busy for `seconds`: other work on the server's core, as a shared machine has."""
    code = f"import os, time\nos.sched_setaffinity(0, {set(cpus)!r})\nend = time.monotonic() + {seconds}\nwhile time.monotonic() < end: pass\n"
    return subprocess.Popen([sys.executable, "-c", code])


@pytest.fixture(scope="session")
def bench_run(tmp_path_factory):
    """One short run of everything; the noisy window is round 2's first. (printed, latest/, the noisy (round, ns))."""
    results = tmp_path_factory.mktemp("results")
    env = bench_env(
        results,
        BENCH_PROCESSES="2",
        BENCH_WRK="1" if WRK else "0",
        JWT_ACCESS_SECONDS="20",  # shorter than the run: the JWT users must refresh, and wrk's get a new token
        # Basic hashes the password on every request: with Django's PBKDF2 on a busy shared core, a 2 s window
        # may see no response at all. The pipeline is the same with a fast hasher (tests only, as for Schemathesis).
        DJANGO_SETTINGS_MODULE="tests.settings_fast_hasher",
    )
    runner = subprocess.Popen(
        [sys.executable, "benchmarks/run.py"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    printed, server_cpus, noisy, noise = [], None, None, None
    try:
        deadline = time.monotonic() + 1200
        for line in runner.stdout:
            printed.append(line)
            assert time.monotonic() < deadline, "".join(printed)
            if server_cpus is None and (found := re.search(r"server on CPU \[([0-9, ]+)\]", line)):
                server_cpus = [int(c) for c in found.group(1).split(",")]
            if noisy is None and (found := re.search(rf"round 2/{ROUNDS}, 1/\d+\] (\S+)", line)):
                noisy = (2, found.group(1))
                noise = busy_loop(server_cpus, NOISE_SECONDS)
        runner.wait(timeout=60)
    finally:
        if runner.poll() is None:
            runner.kill()
            runner.wait()
        if noise is not None:
            noise.kill()
            noise.wait()
    return runner.returncode, "".join(printed), results / "latest", noisy


def summary_of(bench_run):
    return json.loads((bench_run[2] / "summary.json").read_text())


@alone
def test_exits_zero_and_writes_every_file(bench_run):
    returncode, printed, latest, _ = bench_run

    assert returncode == 0, printed
    assert (latest / "latency.png").read_bytes().startswith(b"\x89PNG")
    assert (latest / "capacity.png").read_bytes().startswith(b"\x89PNG")
    assert (latest / "profile.png").read_bytes().startswith(b"\x89PNG")
    for ns in NAMESPACES:
        assert "<html" in (latest / f"locust-{ns}.html").read_text()[:2000].lower(), ns
    report = (latest / "report.md").read_text()
    for ns in NAMESPACES:
        assert f"| `{ns}` |" in report or f"| `{ns}` (marked) |" in report, ns
    assert "gthread" in report
    assert "## Capacity" in report
    assert "## Light load" in report
    assert "The tutorial's claim" in report
    assert "## Where the server's time goes" in report
    assert "| `oauth2-introspect` | 3 |" in report
    # The run is kept beside latest/ in a folder of its own.
    assert [p.name for p in latest.parent.iterdir() if p.name != "latest"]


@alone
def test_summary_has_the_contracts_keys_and_no_failures(bench_run):
    printed = bench_run[1]
    summary = summary_of(bench_run)

    assert list(summary["schemes"]) == NAMESPACES
    meta = summary["meta"]
    assert meta["users"] == USERS
    assert meta["seconds"] == SECONDS
    assert meta["versions"]["Django"]
    assert meta["server"]["worker_class"] == "gthread"
    assert meta["database"]["engine"] == ("postgresql" if os.environ.get("DATABASE_URL") else "sqlite")
    assert meta["cache"]["backend"] == ("redis" if os.environ.get("REDIS_URL") else "local memory")
    for ns, row in summary["schemes"].items():
        assert set(row) >= CONTRACT_KEYS | CAPACITY_KEYS | ROUND_KEYS, ns
        assert row["failures"] == 0, (ns, printed)
        assert row["requests"] > 0
        assert row["rps"] > 0
        assert 0 < row["p50_ms"] <= row["p95_ms"] <= row["p99_ms"]
        assert 0 < row["server_ms_p50"] < row["p50_ms"]  # the server's own time is inside the round trip
        assert isinstance(row["capacity_rps"], float), ns
        assert row["capacity_rps"] > 0, ns
        assert row["capacity_users"] in (1, 2)
        for step in row["capacity_steps"]:
            assert step["responses"] > 0
            assert step["failures"] == 0
            assert step["seconds"] >= SECONDS
    assert set(FLOWS) <= set(summary["logins"])  # the contract's flows, and the newer schemes' own
    for flow in FLOWS:
        assert set(summary["logins"][flow]) == {"queries", "rows_written", "ms"}
        assert summary["logins"][flow]["queries"] > 0
        assert summary["logins"][flow]["ms"] > 0
    profile = summary["profile"]
    assert list(profile["namespaces"]) == NAMESPACES
    assert "authentication: another service" in profile["parts"]
    for ns, figures in profile["namespaces"].items():
        assert figures["requests"] == 3, ns
        assert figures["total_ms"] > 0, ns
    assert profile["namespaces"]["oauth2-introspect"]["parts_ms"]["authentication: another service"] > 0
    assert isinstance(summary["clean"], bool)
    assert isinstance(summary["marked"], list)


@alone
def test_every_ratio_has_its_median_and_spread_over_the_rounds(bench_run):
    summary = summary_of(bench_run)

    public = summary["schemes"]["public"]
    assert public["capacity_x_public"] == 1.0
    assert public["capacity_x_public_spread"] == [1.0, 1.0]
    for ns, row in summary["schemes"].items():
        assert row["rounds"] == ROUNDS, ns
        low, high = row["capacity_x_public_spread"]
        assert isinstance(low, float)
        assert isinstance(high, float)
        assert low <= row["capacity_x_public"] <= high, ns
        windows = row["capacity_windows"]
        assert [w["round"] for w in windows] == [1, 2]
        assert sorted(w["x_public"] for w in windows) == [low, high]
        assert all(w["users"] == row["capacity_users"] for w in windows)  # each round at the namespace's knee
    # Exact times, not Locust's buckets (whole milliseconds below 100 ms): fractions of a millisecond.
    times = [s[k] for row in summary["schemes"].values() for s in row["capacity_steps"] for k in ("p50_ms", "p95_ms")]
    assert any(t != round(t) for t in times), times


@alone
def test_each_round_turns_the_order(bench_run):
    windows = json.loads((bench_run[2] / "requests.json").read_text())["windows"]

    def order(r):
        seen = []
        for w in windows:
            if w["round"] == r and w["tool"] == "locust" and w["ns"] not in seen:
                seen.append(w["ns"])
        return seen

    assert order(1) == NAMESPACES
    assert order(2) == NAMESPACES[1:] + NAMESPACES[:1]


@alone
def test_the_noisy_window_is_measured_again_or_marked(bench_run):
    _, printed, latest, noisy = bench_run
    summary = summary_of(bench_run)
    assert noisy is not None, printed
    r, ns = noisy

    (window,) = [w for w in summary["schemes"][ns]["capacity_windows"] if w["round"] == r]
    marks = [m for m in summary["marked"] if (m["namespace"], m["round"], m["tool"]) == (ns, r, "locust")]
    assert window["attempts"] == 2 or marks, (window, summary["marked"])
    if marks:
        assert marks[0]["why"].startswith("other processes took")
        assert summary["clean"] is False
        assert f"- {ns}, round {r}: other processes took" in (latest / "report.md").read_text()
    else:
        assert f"{ns}: other processes took" in printed
        assert "measuring it again" in printed


@alone
def test_queries_per_request_under_load_are_the_contracts(bench_run):
    summary = summary_of(bench_run)
    per_request = json.loads((bench_run[2] / "requests.json").read_text())

    for ns in NAMESPACES:
        if ns != "token-cached":
            assert summary["schemes"][ns]["db_queries_per_request"] == QUERIES[ns], ns
            row = summary["schemes"][ns]
            (best,) = [step for step in row["capacity_steps"] if step["users"] == row["capacity_users"]]
            # At capacity the database serves the scheme's queries for every request.
            assert row["capacity_db_queries_per_second"] == pytest.approx(QUERIES[ns] * best["rps"], rel=0.01, abs=0.02)
    # token-cached: 0 once cached. A miss (1 query) only on a user's first request
    # to each server process: each gunicorn worker has its own local-memory cache,
    # while Redis is one cache for all of them.
    seen = per_request["latency"]["token-cached"]["exact"]["token-cached: GET me/"]["queries_seen"]
    caches = 1 if os.environ.get("REDIS_URL") else summary["meta"]["server"]["workers"]
    assert set(seen) <= {"0", "1"}
    assert seen.get("1", 0) <= USERS * caches
    assert seen["0"] > 0


@alone
def test_the_server_and_locust_are_pinned_and_the_server_is_stopped_afterwards(bench_run):
    summary = summary_of(bench_run)
    server, locust = summary["cores"]["server"], summary["cores"]["locust"]

    assert server
    assert locust
    assert not set(server) & set(locust)
    # What the kernel said, sampled while they ran: gunicorn and each of its workers, and Locust.
    assert summary["meta"]["server"]["affinity"] == [server]
    assert summary["meta"]["server"]["workers"] == len(server)
    for ns in NAMESPACES:
        assert summary["meta"]["load_generator"][f"capacity-{ns}"]["affinity"] == [locust]
    assert not answers(f"{summary['meta']['server']['url']}/api/")


@alone
def test_worker_processes_report_every_response_and_jwt_users_refresh(bench_run):
    summary = summary_of(bench_run)
    figures = json.loads((bench_run[2] / "requests.json").read_text())["latency"]["jwt"]

    assert summary["meta"]["processes"] == 2
    assert figures["load_generator"]["processes"] == 2
    assert figures["requests"]["jwt: POST refresh/"]["requests"] > 0  # access tokens live 20 s here
    for name, entry in figures["requests"].items():
        if name != "Aggregated":
            # The exact figures come from both workers: one per response Locust counted.
            assert figures["recorded"][name] == entry["requests"] > 0, name


@alone
@pytest.mark.skipif(not WRK, reason="wrk is not installed (Debian: apt-get install wrk)")
def test_wrk_runs_in_every_round_with_each_schemes_credential(bench_run):
    latest = bench_run[2]
    summary = summary_of(bench_run)

    assert list(summary["wrk"]) == NAMESPACES
    for ns, row in summary["wrk"].items():
        assert row["rps"] > 0, ns
        assert row["connections"] == summary["schemes"][ns]["capacity_users"], ns
        assert row["rounds"] == ROUNDS
        for r in range(1, ROUNDS + 1):
            printed = (latest / f"wrk-{ns}-round{r}.txt").read_text()
            # wrk counts every answer; only 200s mean it was let in (the runner refuses a run with any other).
            assert "Non-2xx" not in printed, (ns, printed)
    assert "A second opinion: wrk" in (latest / "report.md").read_text()


def test_a_pinned_process_starts_without_running_python_at_fork(tmp_path):
    """A Ctrl-C that lands in one of Python's at-fork hooks is lost (benchmarks/run.py's PIN says how): none runs."""
    forks, counting = [], [True]
    os.register_at_fork(after_in_parent=lambda: counting[0] and forks.append(1))  # logging registers one too
    cpus = sorted(os.sched_getaffinity(0))[:1]  # whichever CPU this test may use, not a particular one
    command = [sys.executable, "-c", "import os; print(sorted(os.sched_getaffinity(0)))"]
    try:
        with run.process_group(command, os.environ.copy(), tmp_path / "log", cpus=cpus) as process:
            process.wait(timeout=60)
    finally:
        counting[0] = False

    assert process.returncode == 0
    assert (tmp_path / "log").read_text() == f"{cpus}\n"
    assert forks == []


# A terminal's foreground job: Ctrl-C not ignored, whatever this suite inherited (a shell that runs `make test &`
# starts it with SIGINT ignored, and a Python started so keeps ignoring it, as make bench run so would).
AS_A_FOREGROUND_JOB = "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execv(sys.executable, [sys.executable, *sys.argv[1:]])"


def test_ctrl_c_stops_the_server(tmp_path):
    runner = subprocess.Popen(
        [sys.executable, "-c", AS_A_FOREGROUND_JOB, "benchmarks/run.py"],
        cwd=ROOT,
        # A fast hasher: the logins the runner makes before its server starts (login_costs) take seconds less.
        env=bench_env(tmp_path, DJANGO_SETTINGS_MODULE="tests.settings_fast_hasher"),
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
        assert url
        assert answers(f"{url}/api/")

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
