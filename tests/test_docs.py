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
