"""The developer's tooling agrees with itself: pre-commit runs what `make lint` runs."""

import re

import yaml

from .servers import ROOT


def make_recipe(target):
    """The command lines of a Makefile target, with $(VENV) spelt out as the checkout's .venv."""
    makefile = (ROOT / "Makefile").read_text()
    body = re.search(rf"^{target}:.*\n((?:\t.*\n)+)", makefile, re.MULTILINE)[1]
    return [line.strip().replace("$(VENV)", ".venv") for line in body.splitlines()]


def test_pre_commit_runs_what_make_lint_runs():
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    hooks = [hook for repo in config["repos"] for hook in repo["hooks"]]

    assert [repo["repo"] for repo in config["repos"]] == ["local"]  # the venv's ruff: nothing to download
    assert [hook["entry"] for hook in hooks] == make_recipe("lint")
    for hook in hooks:
        assert hook["language"] == "system", hook["id"]
        assert hook["pass_filenames"] is False, hook["id"]  # the whole tree, as make lint checks it


def pins(text):
    """{name: version} of `name==version` lines (a lock) or strings (pyproject), names as pip compares them."""
    found = re.findall(r'^\s*"?([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?==([^\s";\\]+)', text, re.MULTILINE)
    return {re.sub(r"[-_.]+", "-", name).lower(): version for name, version in found}


def test_the_locks_hold_pyprojects_pins_each_with_its_hashes():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    site = pins("\n".join(project["dependencies"]))
    dev = pins("\n".join(project["optional-dependencies"]["dev"]))
    for lock, wanted in (("requirements.lock", site), ("requirements-dev.lock", {**site, **dev})):
        text = (ROOT / lock).read_text()
        locked = pins(text)
        assert {name: locked.get(name) for name in wanted} == wanted, f"{lock} is stale: run `make lock`"
        entries = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 2)[2].strip())
        assert all("--hash=sha256:" in entry for entry in entries), f"{lock}: every pin has its hashes"
