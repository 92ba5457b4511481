"""The README and docs/: a README a student reads to the end, every page of docs/ reachable from it and back, no dead link.

The measured tables inside docs/ are checked against their commands where they are measured
(tests/test_account_events.py, tests/test_database_leak.py, tests/test_costs.py).
"""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
PAGES = sorted((ROOT / "docs").glob("*.md"))
# [text](target) and ![alt](target); the target up to the first space or closing parenthesis.
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^```.*?^```", re.S | re.M)


def links(path):
    return LINK.findall(FENCE.sub("", path.read_text()))


def slug(heading):
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(path):
    text = FENCE.sub("", path.read_text())
    return {slug(heading) for heading in re.findall(r"^#{1,6} (.+)$", text, re.M)}


def test_the_readme_is_short_enough_to_read_to_the_end():
    assert len(README.read_text().splitlines()) < 250


def test_every_page_of_docs_is_linked_from_the_readme_and_links_back():
    linked = {(README.parent / target.split("#")[0]).resolve() for target in links(README)}
    assert PAGES
    for page in PAGES:
        assert page.resolve() in linked, f"README.md does not link to docs/{page.name}"
        assert "../README.md" in {target.split("#")[0] for target in links(page)}, f"docs/{page.name} has no link back"


@pytest.mark.parametrize("path", [README, *PAGES], ids=lambda path: path.relative_to(ROOT).as_posix())
def test_every_relative_link_resolves(path):
    for target in links(path):
        if re.match(r"[a-z]+:", target):  # http://..., mailto:
            continue
        file, _, anchor = target.partition("#")
        resolved = (path.parent / file).resolve() if file else path
        assert resolved.exists(), f"{path.name}: {target} is not in the repository"
        if anchor:
            assert anchor in anchors(resolved), f"{path.name}: {target}: no such heading in {resolved.name}"


def test_the_readmes_capacity_table_is_the_recorded_runs():
    """README's "What each costs": docs/bench-summary.json's table, and what its prose says of that run, measured."""
    import json
    import math

    from benchmarks import report

    summary = json.loads((ROOT / "docs" / "bench-summary.json").read_text())
    readme = " ".join((ROOT / "README.md").read_text().split())  # the prose is wrapped; the table's rows are not

    for row in report.readme_table(summary).splitlines():
        assert row in readme, row
    windows = sum(len(row["capacity_windows"]) for row in summary["schemes"].values()) + sum(
        w["rounds"] for w in summary.get("wrk", {}).values()
    )
    assert summary["clean"] is False
    assert f"**Not a clean run**: in {len(summary['marked'])} of its {windows} windows" in readme
    public = [round(w["rps"]) for w in summary["schemes"]["public"]["capacity_windows"]]
    assert f"between {min(public):,} and {max(public):,} req/s" in readme
    differs = max(w["differs"] for w in summary["wrk"].values())
    assert f"by less than {math.ceil(differs * 100)}% on every namespace" in readme
    started, finished = summary["meta"]["started"], summary["meta"]["finished"]
    assert f"{started[:10]} {started[11:16]}-{finished[11:16]} UTC" in readme
