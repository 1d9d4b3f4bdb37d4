"""Exclude and context globs follow .gitignore's semantics, as the README promises."""

from __future__ import annotations

import pytest

from provider_audit.scanning.discovery import ContextRules, discover, glob_match, path_context


@pytest.mark.parametrize("pattern, path, expected", [
    ("src/*.py", "src/a.py", True),
    ("src/*.py", "src/a/b.py", False),  # a slash anchors the pattern: * does not span folders
    ("/docs", "docs/guide.md", True),
    ("/docs", "pkg/docs/guide.md", False),  # a leading slash anchors at the scan root
    ("docs", "pkg/docs/guide.md", True),  # a bare name matches at any depth
    ("docs/", "docs/guide.md", True),
    ("*.ipynb", "a/b/c.ipynb", True),
    ("**/fixtures/**", "a/fixtures/b/c.json", True),
    ("legacy/**", "legacy/old.py", True),
    ("legacy/**", "app/legacy/old.py", False),
])
def test_glob_match_is_gitignore(pattern, path, expected):
    assert glob_match(path, pattern) is expected


def test_negation_re_includes():
    rules = ContextRules(example=("demo_code/", "!demo_code/keep.py"))
    assert path_context("demo_code/a.py", rules) == "example"
    assert path_context("demo_code/keep.py", rules) is None


def test_exclude_anchors_in_a_walk(tmp_path):
    for rel in ("src/a.py", "src/deep/b.py", "docs/x.md", "pkg/docs/y.md"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("import openai\n")
    found = discover(tmp_path, ("src/*.py", "/docs"), use_git=False)
    assert found.files == ["pkg/docs/y.md", "src/deep/b.py"]
