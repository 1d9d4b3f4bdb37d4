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
    (deep / "x.py").write_text("import openai\nclient = openai.OpenAI()\n")
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


def _fake_git(tmp_path: Path, stdout: bytes, stderr: str, code: int) -> dict:
    """A ``git`` first on PATH that prints ``stdout`` and ``stderr`` and exits ``code``."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "out").write_bytes(stdout)
    (bin_dir / "git").write_text(f"#!/bin/sh\ncat '{bin_dir / 'out'}'\nprintf '%s\\n' \"{stderr}\" >&2\nexit {code}\n")
    (bin_dir / "git").chmod(0o755)
    return {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}


def _ignored_file_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "app.py").write_text("import openai\nclient = openai.OpenAI()\n")
    (repo / ".gitignore").write_text("scratch.py\n")
    (repo / "scratch.py").write_text("import anthropic\n")  # ignored: read only by the walk
    return repo


def test_git_refusing_the_repository_is_said_not_silent(tmp_path):
    """A checkout owned by another user (CI containers): git refuses it ("dubious ownership"), the folder
    was walked without .gitignore and the verdict changed (an ignored file counted), without a word."""
    repo = _ignored_file_repo(tmp_path)
    env = _fake_git(tmp_path, b"", f"fatal: detected dubious ownership in repository at '{repo}'", 128)
    run = run_cli([repo, "--isolated", "--no-cache", "--format", "json", "--exit-zero"], env=env, timeout=60)
    assert run.code == 0, run.stderr
    skipped = {s["path"]: s["reason"] for s in json.loads(run.stdout)["skipped"]}
    assert "dubious ownership" in skipped.get(".", "") and "--no-git" in skipped["."], skipped


def test_not_a_git_repository_walks_quietly(tmp_path):
    repo = _ignored_file_repo(tmp_path)
    env = _fake_git(tmp_path, b"", "fatal: not a git repository (or any of the parent directories): .git", 128)
    run = run_cli([repo, "--isolated", "--no-cache", "--format", "json", "--exit-zero"], env=env, timeout=60)
    assert run.code == 0, run.stderr
    assert json.loads(run.stdout)["skipped"] == []


def test_folders_git_cannot_open_are_listed(tmp_path):
    """In git mode an unreadable untracked folder was dropped silently (the walk lists it)."""
    repo = _ignored_file_repo(tmp_path)
    env = _fake_git(tmp_path, b"app.py\0", "warning: could not open directory 'locked/': Permission denied", 0)
    run = run_cli([repo, "--isolated", "--no-cache", "--format", "json", "--exit-zero"], env=env, timeout=60)
    assert run.code == 0, run.stderr
    skipped = {s["path"]: s["reason"] for s in json.loads(run.stdout)["skipped"]}
    assert skipped == {"locked": "cannot read folder: Permission denied"}, skipped


@pytest.mark.parametrize("raw", ["missing\x1b[31mred.py", "missing\n::error::forged.py", "missing\u202e.py"])
def test_a_path_argument_reaches_stderr_printable(tmp_path, raw):
    """File names given on the command line (``provider-audit $(git diff --name-only)`` in CI) came back
    raw in "no such file or directory": an escape sequence, or a newline starting a workflow command."""
    result = invoke(raw)
    assert result.exit_code == 2
    assert "\x1b" not in result.stderr and "\u202e" not in result.stderr, repr(result.stderr)
    assert len(result.stderr.strip().splitlines()) == 1 and "no such file or directory" in result.stderr, result.stderr


def test_an_empty_path_argument_is_named(tmp_path):
    result = invoke("")
    assert result.exit_code == 2
    assert "empty path" in result.stderr, result.stderr


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "killpg"), reason="POSIX process groups")
def test_ctrl_c_stops_a_parallel_scan_at_once_with_its_own_exit_code(tmp_path):
    """Ctrl-C during a pooled scan waited for every queued chunk (13 s on vercel/ai) and exited 1, the
    "policy failed" code a CI gate reads as findings."""
    import signal
    import subprocess
    import time

    repo = tmp_path / "repo"
    repo.mkdir()
    body = "import openai\n" + "".join(f"r{i} = client.chat.completions.create(model='gpt-4o', n={i})\n"
                                       for i in range(400))
    for i in range(300):  # 300 files, ~6.6 MB: a pool of two workers, and seconds of work on 2 cores
        (repo / f"m{i}.py").write_text(body)
    env = {**os.environ, "PYTHONPATH": str(TESTS.parent)}
    proc = subprocess.Popen([sys.executable, "-m", "provider_audit", str(repo), "--no-git", "--isolated", "--no-cache",
                             "-j", "2"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
                            preexec_fn=lambda: (signal.signal(signal.SIGINT, signal.SIG_DFL), os.setpgrp()))
    time.sleep(2.5)
    if proc.poll() is not None:
        pytest.skip("the scan finished before the interrupt")
    os.killpg(proc.pid, signal.SIGINT)  # as a terminal does: the whole process group
    start = time.monotonic()
    try:
        _, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail("still running 30 s after the interrupt")
    elapsed = time.monotonic() - start
    text = err.decode("utf-8", "replace")
    assert proc.returncode == 130, (proc.returncode, text[-500:])
    assert elapsed < 10, f"{elapsed:.1f} s to stop"  # it took 13 s and more before
    assert "Traceback" not in text and "interrupted" in text, text[-1000:]


CANARY = "sk-proj-" + "Zq8" * 14  # an OpenAI key format, never real


@pytest.mark.parametrize("line", [f'fail-on = "{CANARY}"', f'acknowledge-lock-in = {{ provider = "{CANARY}", '
                                                            'reason = "x", until = 2027-01-01 }'])
def test_a_key_pasted_into_the_repository_config_is_not_echoed(tmp_path, line):
    """Config errors quoted the scanned repository's values verbatim: a key pasted into the wrong place
    reached the CI log, when every report format redacts it."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "app.py").write_text("import openai\n")
    (tmp_path / "pyproject.toml").write_text(f"[tool.provider-audit]\n{line}\n")
    result = invoke(tmp_path, "--no-git", "--no-cache")
    assert result.exit_code == 2, result.stdout[:300]
    assert "pyproject.toml" in result.stderr and CANARY not in result.stderr, result.stderr


@pytest.mark.skipif(not os.path.isfile("/proc/version"), reason="Linux /proc")
def test_output_over_a_file_whose_folder_takes_no_new_file_says_why(tmp_path):
    """``-o /proc/version`` said "No such file or directory" about a file that exists: the temporary
    file beside it could not be created."""
    (tmp_path / "app.py").write_text("import openai\n")
    result = invoke(tmp_path, "--no-git", "--isolated", "--no-cache", "-o", "/proc/version")
    assert result.exit_code == 2
    assert "/proc/version: cannot write" in result.stderr and "beside it" in result.stderr, result.stderr
