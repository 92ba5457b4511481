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


def summary(rps):
    return {
        "meta": {
            "finished": "2026-12-03T08:00:00+00:00",
            "cpu_model": "Test CPU",
            "load_average_before": 0.1,
            "database": {"engine": "sqlite"},
            "cache": {"backend": "local memory"},
        },
        "cores": {"server": [0], "locust": [1]},
        "schemes": {
            ns: {"capacity_rps": value, "capacity_x_public": float(f"{value / rps['public']:.3g}")}
            for ns, value in rps.items()
        },
    }


def test_with_bench_results_the_column_shows_them_and_says_where_they_come_from(client, tmp_path, monkeypatch):
    path = tmp_path / "summary.json"
    path.write_text(json.dumps(summary({"public": 1690.4, "token": 915.0, "session": 567.2, "basic": 3.9})))
    monkeypatch.setattr(measurements.capacity, "SUMMARY", path)

    html = client.get("/").content.decode()

    assert "requests per second, one core (x public)" in html
    cells = capacity_cells(html)
    assert cells["public"] == "1690 (x1.00)"
    assert cells["token"] == "915 (x0.54)"
    assert cells["session"] == "567 (x0.34)"
    assert cells["basic"] == "4 (x0.0023)"
    assert cells["jwt"] == "-"  # not in that run: nothing made up
    assert "measured by make bench on 2026-12-03T08:00:00+00:00 (UTC) on Test CPU" in html
    assert "gunicorn on CPU [0], Locust on CPU [1]" in html


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
