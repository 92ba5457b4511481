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
