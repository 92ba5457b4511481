"""The benchmark's logic without a server: the stepper, the rounds (ratio, median, spread, marks), the options, the report.

Fast: nothing starts. The stepper is driven with an injected clock and
recorded responses; the report is written from a recorded run
(tests/data/bench/: summary.json and requests.json of a short
``BENCH_MODE=all BENCH_SCHEMES=public,token BENCH_ROUNDS=2 BENCH_WRK=1`` run).
"""

import json
import shutil
import signal
from contextlib import suppress
from pathlib import Path

import pytest

from benchmarks import report, rounds
from benchmarks.config import BenchConfig
from benchmarks.stats import best_step, median_spread, percentile, times
from benchmarks.steps import Records, Stepper

RECORDED = Path(__file__).parent / "data" / "bench"


# --- One definition each.
def test_percentile_is_nearest_rank_a_time_one_response_took():
    values = sorted(float(n) for n in range(1, 101))

    assert percentile(values, 0.50) == 50.0
    assert percentile(values, 0.95) == 95.0
    assert percentile([3.0, 4.0], 0.5) == 3.0  # not 3.5: no response took 3.5 ms
    assert percentile([], 0.5) is None


def test_ratio_format_keeps_two_significant_digits_below_a_tenth():
    assert times(1.0) == "1.00"
    assert times(0.5349) == "0.53"
    assert times(0.00232) == "0.0023"
    assert times(None) == "-"


def test_best_step_is_the_most_requests_per_second():
    steps = [{"users": 1, "rps": 100.0}, {"users": 2, "rps": 180.0}, {"users": 4, "rps": 175.0}]

    assert best_step(steps)["users"] == 2
    assert best_step([]) is None


# --- The stepper, on an injected clock.
def feed(records, t0, t1, rps, ms):
    """Responses of GET me/ at `rps` from t0 to t1, each `ms` long, 0 queries."""
    n = int((t1 - t0) * rps)
    for i in range(n):
        records.add("public: GET me/", t0 + i / rps, ms, (0, {"total": ms / 2, "auth": 0.0}))


def test_stepper_measures_each_step_once_its_users_logged_in_and_stops_at_the_knee():
    records = Records()
    stepper = Stepper([1, 2, 4, 8, 16], seconds=2, knee=True)
    # rps rises to 4 users, then stays while latency climbs: the knee.
    plan = {1: (100, 1.0), 2: (190, 1.1), 4: (300, 1.3), 8: (301, 2.6), 16: (300, 5.2)}
    now = 1000.0
    assert stepper.tick(now, records) == (1, 100)  # spawning: nobody has logged in yet
    answers = []
    while True:
        users = stepper.steps[stepper.index]
        while records.ready < users:
            records.logged_in()
        t0 = now
        stepper.tick(now, records)  # everyone in: the window starts now
        now += 2.0
        feed(records, t0, now, *plan[users])
        answer = stepper.tick(now, records)
        answers.append(answer)
        if answer is None:
            break
        now += 0.5

    done = stepper.steps_done
    assert [step["users"] for step in done] == [1, 2, 4, 8, 16]
    assert [step["rps"] for step in done] == [100.0, 190.0, 300.0, 301.0, 300.0]
    assert stepper.stop_reason.startswith("the last step")  # 16 was the last one asked for
    assert best_step(done)["users"] == 8


def test_stepper_stops_at_the_knee_before_the_last_step():
    records = Records()
    stepper = Stepper([1, 2, 4, 8, 16, 32], seconds=1, knee=True)
    plan = {1: (100, 1.0), 2: (200, 1.0), 4: (201, 2.0), 8: (202, 4.0)}
    now = 0.0
    while True:
        users = stepper.steps[stepper.index]
        while records.ready < users:
            records.logged_in()
        stepper.tick(now, records)
        feed(records, now, now + 1, *plan[users])
        now += 1.0
        if stepper.tick(now, records) is None:
            break

    assert [step["users"] for step in stepper.steps_done] == [1, 2, 4, 8]
    assert stepper.stop_reason.startswith("the knee: at 8 users")


def test_stepper_gives_up_when_users_cannot_log_in():
    records = Records()
    stepper = Stepper([4], seconds=1)
    stepper.tick(0.0, records)

    assert stepper.tick(61.0, records) is None
    assert stepper.stop_reason == "only 0 of 4 users had logged in after 60 s"


# --- Rounds: ratios within a round, median and spread, marks.
def window(r, ns, rps, tool="locust", server=0.95, busy=1.0, attempt=1, users=2):
    return {
        "round": r,
        "ns": ns,
        "tool": tool,
        "users": users,
        "rps": rps,
        "server_cores": server,
        "server_core_cores": busy,
        "attempt": attempt,
    }


def test_the_order_turns_each_round_and_public_is_in_every_one():
    names = ["public", "basic", "token"]

    assert rounds.order(names, 1) == ["public", "basic", "token"]
    assert rounds.order(names, 2) == ["basic", "token", "public"]
    assert rounds.order(names, 3) == ["token", "public", "basic"]
    assert rounds.order(names, 4) == names


def test_two_namespaces_two_rounds_give_the_median_and_spread_of_every_ratio():
    # The machine is twice as fast in round 2: the ratios, each within its round, barely move.
    windows = [
        window(1, "public", 100.0),
        window(1, "token", 50.0),
        window(2, "token", 90.0),
        window(2, "public", 200.0),
    ]

    rows, marked = rounds.summarize(windows, ["public", "token"], "locust", server_cores=1, limit=0.25)

    assert rows["public"]["x_public"] == 1.0
    assert rows["public"]["x_public_spread"] == [1.0, 1.0]
    assert rows["token"]["x_public"] == 0.475
    assert rows["token"]["x_public_spread"] == [0.45, 0.5]
    assert rows["token"]["rounds"] == rows["public"]["rounds"] == 2
    assert rows["token"]["rps"] == 70.0  # the median of 50 and 90
    assert [w["x_public"] for w in rows["token"]["windows"]] == [0.5, 0.45]
    assert marked == []


def test_a_window_whose_server_core_was_shared_is_marked_and_says_why():
    windows = [
        window(1, "public", 100.0),
        window(1, "token", 30.0, server=0.4, busy=1.0),  # other processes took 60% of the core
        window(2, "public", 100.0),
        window(2, "token", 50.0),
    ]

    _, marked = rounds.summarize(windows, ["public", "token"], "locust", server_cores=1, limit=0.25)

    assert marked == [
        {
            "namespace": "token",
            "round": 1,
            "tool": "locust",
            "why": "other processes took 60% of the server's core (more than 25%), measured 1 time(s)",
        }
    ]


def test_a_window_measured_again_counts_its_last_attempt():
    windows = [
        window(1, "public", 100.0),
        window(1, "token", 30.0, server=0.4, busy=1.0),
        window(1, "token", 50.0, attempt=2),
    ]

    rows, marked = rounds.summarize(windows, ["public", "token"], "locust", server_cores=1, limit=0.25)

    assert rows["token"]["x_public"] == 0.5
    assert rows["token"]["windows"] == [
        {
            "round": 1,
            "users": 2,
            "rps": 50.0,
            "server_cores": 0.95,
            "rps_per_cpu_second": 52.6,
            "x_public": 0.5,
            "raw_x_public": 0.5,
            "others_share": 0.05,
            "attempts": 2,
        }
    ]
    assert marked == []


def test_capacity_is_requests_per_server_cpu_second_and_raw_req_s_is_kept():
    # Round 1: the server got half a core for public, all of it for token (another process, then none).
    windows = [
        window(1, "public", 100.0, server=0.5, busy=0.6),
        window(1, "token", 60.0, server=1.0, busy=1.0),
        window(2, "public", 180.0, server=0.9, busy=0.95),
        window(2, "token", 54.0, server=0.9, busy=0.95),
    ]

    rows, _ = rounds.summarize(windows, ["public", "token"], "locust", server_cores=1, limit=0.25)

    assert [w["rps_per_cpu_second"] for w in rows["public"]["windows"]] == [200.0, 200.0]
    assert [w["rps_per_cpu_second"] for w in rows["token"]["windows"]] == [60.0, 60.0]
    assert rows["token"]["x_public"] == 0.3  # 60 / 200 in both rounds: the work per request did not change
    assert rows["token"]["x_public_spread"] == [0.3, 0.3]
    assert rows["token"]["raw_x_public"] == 0.45  # req/s: 0.6 and 0.3, as the CPU share moved
    assert rows["token"]["raw_x_public_spread"] == [0.3, 0.6]
    assert rows["token"]["rps"] == 57.0
    assert rows["token"]["rps_per_cpu_second"] == 60.0
    assert rows["token"]["basis"] == "per server CPU-second"


def test_without_a_server_cpu_figure_the_ratio_is_of_req_s():
    windows = [window(1, "public", 100.0), window(1, "token", 40.0, server=None)]

    rows, _ = rounds.summarize(windows, ["public", "token"], "locust", server_cores=1, limit=0.25)

    assert rows["token"]["x_public"] == rows["token"]["raw_x_public"] == 0.4
    assert rows["token"]["basis"] == "req/s"
    assert rows["token"]["windows"][0]["rps_per_cpu_second"] is None


def test_a_round_that_disagrees_with_the_others_beyond_their_spread_is_marked():
    windows = [window(r, "public", 100.0) for r in (1, 2, 3)]
    windows += [window(1, "token", 50.0), window(2, "token", 52.0), window(3, "token", 80.0)]

    rows, marked = rounds.summarize(windows, ["public", "token"], "locust", server_cores=1, limit=0.25)

    assert rows["token"]["x_public"] == 0.52
    assert [(m["namespace"], m["round"]) for m in marked] == [("token", 3)]
    assert "outside the other rounds' 0.50-0.52" in marked[0]["why"]


def test_a_partial_run_is_marked():
    assert rounds.partial(["public", "token"], ["public", "token"]) == []
    (mark,) = rounds.partial(["public", "token"], ["public", "basic", "token", "jwt"])

    assert mark["why"] == "a partial run: 2 of the 4 namespaces mounted (not basic, jwt)"


def test_median_spread_of_nothing_is_nothing():
    assert median_spread([]) == (None, None)
    assert median_spread([0.5, None, 0.7, 0.6]) == (0.6, [0.5, 0.7])


# --- The options: flags, then BENCH_* variables, then defaults.
def test_options_take_a_flag_over_its_variable_over_the_default(monkeypatch):
    monkeypatch.setenv("BENCH_SECONDS", "7")
    monkeypatch.setenv("BENCH_SCHEMES", "public, token")
    monkeypatch.setenv("BENCH_WRK", "1")

    config = BenchConfig.parse(["--bench-rounds", "2", "--bench-seconds", "9"], available=[0, 1])

    assert config.seconds == 9  # the flag
    assert config.schemes == ("public", "token")  # the variable
    assert config.wrk is True
    assert config.rounds == 2
    assert config.steps == (1, 2, 4, 8)  # the default
    assert config.cores == {"server": [0], "locust": [1]}


def test_an_empty_variable_counts_as_unset(monkeypatch):
    monkeypatch.setenv("BENCH_STEPS", "")
    monkeypatch.setenv("BENCH_WRK", "")

    config = BenchConfig.parse([], available=[0, 1])

    assert config.steps == (1, 2, 4, 8)
    assert config.wrk is (shutil.which("wrk") is not None)  # the default: wrk whenever it is installed


@pytest.mark.parametrize(
    ("variable", "value"),
    [("BENCH_SECONDS", "0"), ("BENCH_STEPS", "4,2"), ("BENCH_MODE", "fast"), ("BENCH_SERVER_CORES", "7")],
)
def test_a_bad_option_is_refused_with_its_name(monkeypatch, capsys, variable, value):
    monkeypatch.setenv(variable, value)

    with pytest.raises(SystemExit) as exit_:
        BenchConfig.parse([], available=[0, 1])

    assert exit_.value.code == 2
    error = capsys.readouterr().err
    assert "--bench-" in error or "CPU(s)" in error


# --- The report, from a recorded run.
@pytest.fixture
def recorded(tmp_path):
    folder = tmp_path / "run"
    shutil.copytree(RECORDED, folder)
    return folder


def rewrite(folder, edit):
    """Edit the recorded summary's meta or windows, then write summary.json and report.md again."""
    summary = json.loads((folder / "summary.json").read_text())
    requests = json.loads((folder / "requests.json").read_text())
    edit(summary, requests)
    (folder / "summary.json").write_text(json.dumps(summary))
    (folder / "requests.json").write_text(json.dumps(requests))
    return report.write_again(folder)


def test_the_report_reads_expected_queries_and_readings_from_get_api(recorded):
    def declare(summary, requests):
        summary["meta"]["namespaces"]["token"].update(me_queries=1, reading="One query: the token row and its user.")
        summary["meta"]["namespaces"]["public"].update(me_queries=None, reading="")

    summary, problems = rewrite(recorded, declare)
    text = (recorded / "report.md").read_text()

    assert problems == []
    assert "- **`token`**: One query: the token row and its user." in text
    assert "**`public`**" not in text  # no reading, no line
    assert "| 1 (1) |" in text  # token: 1 query per GET me/ measured, 1 declared
    assert "(as measured)" in text  # public's me_queries is null


def test_the_report_fails_a_namespace_whose_queries_are_not_the_declared_ones(recorded):
    def declare(summary, requests):
        summary["meta"]["namespaces"]["token"]["me_queries"] = 0

    summary, problems = rewrite(recorded, declare)

    assert any(p.startswith("token: GET me/ made [1] queries; GET /api/ says 0") for p in problems), problems
    assert summary["clean"] is False
    assert "This run failed" in (recorded / "report.md").read_text()


def test_the_report_of_a_paired_run_gives_median_and_spread_for_every_ratio(recorded):
    summary, _ = rewrite(recorded, lambda summary, requests: None)
    text = (recorded / "report.md").read_text()

    for ns, row in summary["schemes"].items():
        low, high = row["capacity_x_public_spread"]
        assert row["rounds"] == 2
        assert low <= row["capacity_x_public"] <= high
        raw = times(row["capacity_rps_x_public"])
        assert f"| {times(row['capacity_x_public'])} | {times(low)}-{times(high)} | {raw} | 2 |" in text, ns
    assert "### A second opinion: wrk" in text
    assert set(summary["wrk"]) == {"public", "token"}


def test_the_report_gives_capacity_per_server_cpu_second_and_its_ratio_as_the_contracts(recorded):
    def token_got_half_the_cpu(summary, requests):
        for w in requests["windows"]:
            if w["ns"] == "token" and w["tool"] == "locust":
                w["server_cores"] = w["server_cores"] / 2  # the same req/s for half the CPU: twice the capacity

    before, _ = rewrite(recorded, lambda summary, requests: None)
    after, _ = rewrite(recorded, token_got_half_the_cpu)
    text = (recorded / "report.md").read_text()
    token, was = after["schemes"]["token"], before["schemes"]["token"]

    assert token["capacity_rps"] == was["capacity_rps"]  # raw req/s, kept
    assert token["capacity_rps_x_public"] == was["capacity_rps_x_public"]
    assert token["capacity_x_public"] == pytest.approx(2 * was["capacity_x_public"], rel=0.01)
    assert token["capacity_rps_per_cpu_second"] == pytest.approx(2 * was["capacity_rps_per_cpu_second"], rel=0.01)
    assert token["capacity_basis"] == "per server CPU-second"
    assert "| namespace | req/s per server CPU-second | req/s | x public, median (per CPU-second) |" in text


def test_a_marked_window_makes_the_run_not_clean_and_the_report_says_which(recorded):
    def share_the_core(summary, requests):
        for w in requests["windows"]:
            w["server_core_cores"] = 0.3 + (0.9 if (w["ns"], w["round"], w["tool"]) == ("token", 2, "locust") else 0)
            w["server_cores"] = 0.3

    summary, _ = rewrite(recorded, share_the_core)
    text = (recorded / "report.md").read_text()

    assert summary["clean"] is False
    assert [(m["namespace"], m["round"], m["tool"]) for m in summary["marked"]][:1] == [("token", 2, "locust")]
    assert "Not a clean run" in text
    assert "- token, round 2: other processes took 90% of the server's core" in text
    assert "| `token` (marked) |" in text


def test_a_partial_run_is_not_clean(recorded):
    def mount_more(summary, requests):
        summary["meta"]["mounted"] = [*summary["meta"]["mounted"], "jwt"]

    summary, _ = rewrite(recorded, mount_more)

    assert summary["clean"] is False
    assert summary["marked"][-1]["why"] == "a partial run: 2 of the 3 namespaces mounted (not jwt)"


def test_a_step_where_locust_used_too_much_of_its_core_fails_the_run(recorded):
    def lower_the_limit(summary, requests):
        summary["meta"]["locust_cpu_limit"] = 0.001  # below what any Locust needs: every step is over it

    summary, problems = rewrite(recorded, lower_the_limit)

    assert any(p.startswith("public (capacity): Locust used") for p in problems), problems
    assert summary["clean"] is False
    assert "that step measured Locust, not the server" in (recorded / "report.md").read_text()


def test_a_run_without_wrk_has_no_wrk_table(recorded):
    def without_wrk(summary, requests):
        requests["windows"] = [w for w in requests["windows"] if w["tool"] != "wrk"]

    summary, _ = rewrite(recorded, without_wrk)

    assert "wrk" not in summary
    assert "A second opinion: wrk" not in (recorded / "report.md").read_text()


def test_the_report_shows_where_each_namespaces_time_goes_from_the_runs_profile(recorded):
    from costs.profile import PARTS

    def profiled(summary, requests):
        namespaces = list(summary["schemes"])
        parts = dict.fromkeys(PARTS, 0.0)
        requests["profile"] = {
            "parts": list(PARTS),
            "namespaces": {
                ns: {"requests": 40 + i, "parts_ms": {**parts, PARTS[0]: 1.0 + i}, "total_ms": 1.0 + i}
                for i, ns in enumerate(namespaces)
            },
        }

    summary, _ = rewrite(recorded, profiled)
    text = (recorded / "report.md").read_text()

    assert list(summary["profile"]["namespaces"]) == list(summary["schemes"])
    assert "## Where the server's time goes" in text
    assert f"| namespace | requests | {' | '.join(PARTS)} | total |" in text
    first = next(iter(summary["schemes"]))
    assert f"| `{first}` | 40 | 1.000 | " in text
    assert (recorded / "profile.png").read_bytes().startswith(b"\x89PNG")

    summary, _ = rewrite(recorded, lambda summary, requests: requests.pop("profile"))  # a run without one
    assert "profile" not in summary
    assert "Where the server's time goes" not in (recorded / "report.md").read_text()


def test_a_ctrl_c_that_python_ignored_still_stops_the_run(monkeypatch):
    from benchmarks import run

    monkeypatch.setattr(run, "INTERRUPTED", [])
    run.stop_if_interrupted()  # no Ctrl-C yet: the run goes on
    with suppress(KeyboardInterrupt):  # where Python prints "Exception ignored" (an at-fork hook, a finalizer)
        run.on_ctrl_c(signal.SIGINT, None)

    with pytest.raises(KeyboardInterrupt):
        run.stop_if_interrupted()  # the next loop that waits stops the run
