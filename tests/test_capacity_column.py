"""The landing page's "requests per second, one core (x public)" column: from make bench's summary.json, or compare_auth's ratio."""

import json
import re

import pytest

import measurements.capacity

from .conftest import NAMESPACES

pytestmark = pytest.mark.django_db


def capacity_cells(html):
    return {
        ns: re.search(rf'<tr id="row-{re.escape(ns)}">.*?<td class="capacity">(.*?)</td>', html, re.S).group(1)
        for ns in NAMESPACES
    }


def summary(rps, finished="2026-12-03T08:00:00+00:00", clean=True, marked=()):
    """A make bench summary.json: every namespace's median rps and ratio, the spread a tenth either side."""
    return {
        "meta": {
            "finished": finished,
            "cpu_model": "Test CPU",
            "load_average_before": 0.1,
            "database": {"engine": "sqlite"},
            "cache": {"backend": "local memory"},
        },
        "cores": {"server": [0], "locust": [1]},
        "clean": clean,
        "marked": list(marked),
        "schemes": {
            ns: {
                "capacity_rps": value,
                "capacity_x_public": float(f"{value / rps['public']:.3g}"),
                "capacity_x_public_spread": [
                    float(f"{0.9 * value / rps['public']:.3g}"),
                    float(f"{1.1 * value / rps['public']:.3g}"),
                ],
                "rounds": 3,
            }
            for ns, value in rps.items()
        },
    }


RPS = {"public": 1690.4, "token": 915.0, "session": 567.2, "basic": 3.9}


def full(**others):
    """Every namespace the site mounts: the four above, the others at 1000 req/s."""
    return {**dict.fromkeys(NAMESPACES, 1000.0), **RPS, **others}


def runs(tmp_path, *summaries):
    """benchmarks/results/<time>/summary.json for each, the last one also as latest/ (as make bench leaves them)."""
    for number, one in enumerate(summaries):
        folder = tmp_path / f"2026120{number + 1}-080000"
        folder.mkdir()
        (folder / "summary.json").write_text(json.dumps(one))
    latest = tmp_path / "latest"
    latest.mkdir()
    (latest / "summary.json").write_text(json.dumps(summaries[-1]))
    return latest / "summary.json"


def test_with_bench_results_the_column_shows_them_and_says_where_they_come_from(client, tmp_path, monkeypatch):
    monkeypatch.setattr(measurements.capacity, "SUMMARY", runs(tmp_path, summary(full())))

    html = client.get("/").content.decode()

    assert "requests per second, one core (x public)" in html
    cells = capacity_cells(html)
    assert cells["public"] == "1690 (x1.00)"
    assert cells["token"] == "915 (x0.54, 0.49-0.59)"  # the median, then the rounds' lowest and highest
    assert cells["session"] == "567 (x0.34, 0.30-0.37)"
    assert cells["basic"] == "4 (x0.0023, 0.0021-0.0025)"
    assert "measured by make bench on 2026-12-03T08:00:00+00:00 (UTC) on Test CPU" in html
    assert "gunicorn on CPU [0], Locust on CPU [1]" in html
    assert "median of 3 rounds" in html


MARK = {"namespace": "token", "round": 2, "tool": "locust", "why": "other processes took 60% of the server's core"}


@pytest.mark.parametrize(
    ("latest", "why"),
    [
        (summary(RPS, finished="2026-12-04T09:00:00+00:00"), "a partial run: it did not measure "),
        (
            summary(full(), finished="2026-12-04T09:00:00+00:00", clean=False, marked=[MARK]),
            "a marked run: token: other processes took 60% of the server&#x27;s core",
        ),
    ],
    ids=["partial", "marked"],
)
def test_a_partial_or_marked_run_is_refused_for_the_last_clean_full_one(client, tmp_path, monkeypatch, latest, why):
    earlier = summary(full(token=800.0), finished="2026-12-01T07:00:00+00:00")
    monkeypatch.setattr(measurements.capacity, "SUMMARY", runs(tmp_path, earlier, latest))

    html = client.get("/").content.decode()

    assert "the latest make bench (2026-12-04T09:00:00+00:00) is not shown: " + why in html
    assert "This is the last clean full run, measured by make bench on 2026-12-01T07:00:00+00:00 (UTC)" in html
    assert capacity_cells(html)["token"] == "800 (x0.47, 0.43-0.52)"  # the earlier run's, not the latest's 915


def test_without_a_clean_run_the_column_says_which_command_to_run(client, tmp_path, monkeypatch):
    marked = summary(full(), finished="2026-12-04T09:00:00+00:00", clean=False, marked=[MARK])
    monkeypatch.setattr(measurements.capacity, "SUMMARY", runs(tmp_path, marked))
    monkeypatch.setattr(measurements.capacity, "_in_process", {"table": {"public": 1.0}})

    html = client.get("/").content.decode()

    assert "the latest make bench (2026-12-04T09:00:00+00:00) is not shown: a marked run" in html
    assert "run make bench again on a quiet machine" in html
    assert capacity_cells(html)["token"] == "-"  # the marked 915 is not shown
    assert capacity_cells(html)["public"] == "x1.00 in-process"


def test_a_run_from_before_the_rounds_is_refused(tmp_path, monkeypatch):
    old = summary(full())
    del old["clean"]
    monkeypatch.setattr(measurements.capacity, "_in_process", {"table": {"public": 1.0}})

    column = measurements.capacity.capacity_column(runs(tmp_path, old))

    assert column["source"] == "compare_auth"
    assert "made before make bench measured in rounds" in column["measured"]


def test_without_bench_results_the_column_is_compare_auths_ratio_labelled_so(client, tmp_path, monkeypatch):
    monkeypatch.setattr(measurements.capacity, "SUMMARY", tmp_path / "missing.json")
    monkeypatch.setattr(measurements.capacity, "_in_process", {})

    html = client.get("/").content.decode()

    cells = capacity_cells(html)
    assert cells["public"] == "x1.00 in-process"
    for ns in NAMESPACES:
        assert re.fullmatch(r"x\d+\.\d+ in-process", cells[ns]), (ns, cells[ns])
    assert "no make bench results here yet" in html
    assert "manage.py compare_auth" in html


def test_a_summary_without_a_capacity_run_falls_back_to_compare_auth(tmp_path, monkeypatch):
    path = tmp_path / "summary.json"
    path.write_text(json.dumps({"meta": {}, "schemes": {"public": {"p50_ms": 1.0}}}))  # a latency-only or older run
    monkeypatch.setattr(measurements.capacity, "_in_process", {"table": {"public": 1.0}})  # as if measured

    assert measurements.capacity.capacity_column(path)["source"] == "compare_auth"
