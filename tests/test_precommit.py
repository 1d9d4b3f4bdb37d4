"""The pre-commit hook for real: pre-commit installs this project from its hook manifest into its own
virtualenv and runs it on a throwaway git repository.

The project is copied as it is on disk (committed or not) into a scratch git repository, which a
``.pre-commit-config.yaml`` names with ``repo:``/``rev:`` exactly as a user's would. ``PRE_COMMIT_HOME``
is shared by the module, so the hook environment (a pip install of this project) is built once.
(``pre-commit try-repo`` would be shorter but always uses a fresh temporary store, so it would
install twice, and from HEAD plus tracked changes only.)
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PROJECTS

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow  # installs the project into a fresh virtualenv

TIMEOUT = 900  # seconds: the first run creates a virtualenv and pip-installs the project


def _pre_commit() -> list:
    if importlib.util.find_spec("pre_commit") is not None:
        return [sys.executable, "-m", "pre_commit"]
    found = shutil.which("pre-commit")
    if found:
        return [found]
    pytest.skip("pre-commit is not installed (pip install -e '.[test]')")


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=provider-audit tests", "-c", "user.email=tests@example.invalid",
                    "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", *args],
                   cwd=cwd, check=True, capture_output=True, text=True)


@pytest.fixture(scope="module")
def pre_commit_env(tmp_path_factory):
    command = _pre_commit()
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    home = tmp_path_factory.mktemp("pre-commit-home")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT", "PROVIDER_AUDIT"))}
    env.update(PRE_COMMIT_HOME=str(home), PRE_COMMIT_COLOR="never", NO_COLOR="1",
               XDG_CACHE_HOME=str(home / "cache"))
    return command, env


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory):
    """This project as a git repository with one commit: what ``repo:``/``rev:`` point at."""
    repo = tmp_path_factory.mktemp("hook-repo")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for folder in ("provider_audit", "rules"):
        shutil.copytree(ROOT / folder, repo / folder, ignore=ignore)
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copy2(ROOT / name, repo / name)
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "provider-audit under test")
    rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, check=True, capture_output=True,
                         text=True).stdout.strip()
    return repo, rev


def _run(command, env, cwd: Path) -> subprocess.CompletedProcess:
    try:
        return subprocess.run([*command, "run", "--all-files", "--verbose", "--color", "never"], cwd=cwd, env=env,
                              capture_output=True, text=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired as exc:  # pragma: no cover - a hung install
        pytest.fail(f"pre-commit did not finish in {TIMEOUT}s: {exc.stdout}\n{exc.stderr}")


def _hook_output(output: str) -> list:
    """What the hook printed: pre-commit's header (the hook line, ``- key: value`` lines) left out."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("provider-audit (LLM provider lock-in)"))
    body = lines[start + 1:]
    while body and (body[0].startswith("- ") or not body[0].strip()):
        body = body[1:]
    while body and not body[-1].strip():
        body = body[:-1]
    return body


def test_hook_fails_a_locked_in_repository_and_passes_once_diversified(tmp_path, pre_commit_env, hook_repo):
    command, env = pre_commit_env
    repo, rev = hook_repo
    app = tmp_path / "app"
    shutil.copytree(PROJECTS / "anthropic_only", app)
    (app / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {repo.as_posix()}\n    rev: {rev}\n    hooks:\n      - id: provider-audit\n",
        encoding="utf-8")
    _git(app, "init", "-q")
    _git(app, "add", "-A")
    _git(app, "commit", "-q", "-m", "a Claude-only app")

    locked = _run(command, env, app)
    output = locked.stdout + locked.stderr
    assert locked.returncode == 1, output
    assert "provider-audit (LLM provider lock-in)" in output and "Failed" in output
    assert "SINGLE-PROVIDER" in output
    assert "route them through" in output
    # pre-commit sets PRE_COMMIT=1: the hook prints a short message, not the full report.
    hook = _hook_output(output)
    assert 3 <= len(hook) <= 15, output
    assert hook[0].startswith("provider-audit: SINGLE-PROVIDER (anthropic): policy failed")
    assert hook[-1] == "Full report: PROVIDER_AUDIT_VERBOSE=1 pre-commit run provider-audit --all-files"
    full = _run(command, dict(env, PROVIDER_AUDIT_VERBOSE="1"), app)  # the command it names
    assert full.returncode == 1
    assert len(_hook_output(full.stdout + full.stderr)) > 30 and "Advice" in full.stdout

    (app / "app" / "review.py").write_text(
        "import os\n\nfrom google import genai\n\nclient = genai.Client()\n\n\n"
        "def review(text):\n"
        "    model = os.environ[\"REVIEW_MODEL\"]\n"
        "    return client.models.generate_content(model=model, contents=text).text\n", encoding="utf-8")
    _git(app, "add", "-A")
    _git(app, "commit", "-q", "-m", "a second provider")

    diversified = _run(command, env, app)
    output = diversified.stdout + diversified.stderr
    assert diversified.returncode == 0, output
    assert "Passed" in output
    assert "MULTI-PROVIDER" in output
