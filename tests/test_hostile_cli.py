"""Hostile use of the command line, found by trying the tool as a new user would (issue 15, last part):
very long paths, odd -o targets, unreadable files and folders, and the wording of the summary lines."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from conftest import TESTS

sys.path.insert(0, str(TESTS / "hostile"))
from run import invoke, run_cli  # noqa: E402


def _long_path_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    deep = repo.joinpath(*["d" * 200] * 15)  # a 3,000-character path (Linux allows 4,096)
    deep.mkdir(parents=True)
    (deep / "x.py").write_text("import openai\n")
    (repo / "app.py").write_text("import openai\nclient = openai.OpenAI()\n")
    return repo


def test_a_very_long_path_does_not_pad_every_row_of_the_text_report(tmp_path):
    """Before: every evidence row and advice line was padded to the longest path (3,000 spaces)."""
    repo = _long_path_repo(tmp_path)
    result = invoke(repo, "--no-git", "--isolated", "--no-cache", "--exit-zero")
    assert result.exit_code == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if line.lstrip().startswith("app.py:")]
    assert rows, result.stdout[:2000]
    assert all(len(line) < 200 for line in rows), max(len(line) for line in rows)
    long_rows = [line for line in result.stdout.splitlines() if "/x.py:1:1" in line]
    assert long_rows and all("import" in line for line in long_rows)  # the long one is still listed whole


@pytest.mark.parametrize("value", ["3", "true", "{ a = 1 }"])
def test_fail_on_of_a_wrong_type_names_the_type_the_readme_gives(tmp_path, value):
    """The README gives ``fail-on`` as a string; the error said "expected a list of strings"."""
    config = tmp_path / "pa.toml"
    config.write_text(f"fail-on = {value}\n")
    (tmp_path / "app.py").write_text("import openai\n")
    result = invoke(tmp_path, "--no-git", "--no-cache", "--config", config)
    assert result.exit_code == 2
    line = result.stderr.strip()
    assert "\n" not in line and "'fail-on'" in line and "expected a string" in line, line


def test_config_and_isolated_together_is_a_usage_error(tmp_path):
    """``--isolated`` silently dropped an explicit ``--config`` (with its stricter policy): a gate weakened
    without a word. The two contradict each other; ruff refuses the pair too."""
    config = tmp_path / "pa.toml"
    config.write_text('fail-on = "any-usage"\n')
    (tmp_path / "app.py").write_text("import openai\n")
    result = invoke(tmp_path, "--no-git", "--no-cache", "--isolated", "--config", config)
    assert result.exit_code == 2, (result.exit_code, result.stdout[:300])
    assert "--config" in result.stderr and "--isolated" in result.stderr, result.stderr
