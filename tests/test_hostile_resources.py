"""Hostile input, round 2 (issue 15): memory on evidence-dense input, absurd size limits, and ``-o``
targets that are not regular files.

Memory is measured in a child process (``tests/hostile/run.py``: peak RSS, with an address-space limit so
that a regression fails the test rather than the machine).
"""

from __future__ import annotations

import json
import os
import stat
import sys
import threading
from pathlib import Path

import pytest

from provider_audit.data.catalog import load_catalog
from provider_audit.scanning import analysis
from provider_audit.scanning.analysis import ScanOptions
from provider_audit.scanning.scan import scan

from conftest import PROJECTS, TESTS

sys.path.insert(0, str(TESTS / "hostile"))
from run import invoke, one_line_error, run_cli  # noqa: E402

CATALOG = load_catalog()
LOCKED = PROJECTS / "openai_only"
MB = 1 << 20


def _repeat(path: Path, line: str, size: int, head: str = "", tail: str = "") -> int:
    """``line`` repeated to ``size`` bytes (``{i}`` numbered), between ``head`` and ``tail``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    count = size // len(line.format(i=0))
    path.write_text(head + "".join(line.format(i=i) for i in range(count)) + tail)
    return path.stat().st_size


def _baseline_kib(tmp_path: Path) -> int:
    """The peak RSS of the same command on a tiny repository: the process's own cost."""
    small = tmp_path / "small"
    _repeat(small / "app.py", "c = OpenAI(model='gpt-4o')\n", 2000)
    run = run_cli([small, "--no-git", "--isolated", "--no-cache", "--format", "json", "-o", tmp_path / "small.json",
                   "--exit-zero", "-j", "1"], timeout=120)
    assert run.code == 0, run.stderr
    return run.peak_kib


# ------------------------------------------------------------------ memory on evidence-dense input


DENSE = [  # name, line, size, head, tail
    ("app.py", "c = OpenAI(model='gpt-4o')\n", 2 * MB, "", ""),  # 4 GB before
    ("requirements.txt", "openai==1.0.0\n", 4 * MB, "", ""),  # 8.3 GB before
    ("index.ts", "const c = new OpenAI({{ model: 'gpt-4o' }});\n", 2 * MB, "import OpenAI from 'openai';\n", ""),
    ("config.yaml", "- model: gpt-4o\n  base_url: https://api.openai.com/v1\n", 2 * MB, "", ""),
    ("package-lock.json", '"node_modules/a{i}/node_modules/openai": {{"version": "4.0.0"}},\n', 2 * MB,
     '{"lockfileVersion": 3, "packages": {"": {"dependencies": {"openai": "4.0.0"}},\n',
     '"node_modules/openai": {"version": "4.0.0"}}}\n'),
]


@pytest.mark.parametrize("name, line, size, head, tail", DENSE, ids=[d[0] for d in DENSE])
def test_peak_memory_grows_at_most_100_mb_per_mb_of_input(tmp_path, name, line, size, head, tail):
    """The whole command, JSON report included. Before: about 2 GB per MB of evidence-dense input."""
    base = _baseline_kib(tmp_path)
    repo = tmp_path / "dense"
    real = _repeat(repo / name, line, size, head, tail)
    out = tmp_path / "report.json"
    run = run_cli([repo, "--no-git", "--isolated", "--no-cache", "--format", "json", "-o", out, "--exit-zero",
                   "--max-file-size", 8 * MB, "-j", "1"], timeout=300, memory=3 << 30)
    assert run.code == 0, (run.code, run.stderr[-800:])
    growth_mb = (run.peak_kib - base) / 1024
    assert growth_mb <= 100 * real / MB, f"{growth_mb:.0f} MB for {real / MB:.1f} MB of input"
    document = json.loads(out.read_text())
    assert document["usages"], "the evidence is still reported"
    assert out.stat().st_size <= 20 * real, f"report {out.stat().st_size} bytes for {real} bytes of input"


def test_identical_evidence_is_capped_per_file_with_a_note(tmp_path):
    count = analysis.MAX_IDENTICAL_EVIDENCE + 250
    (tmp_path / "app.py").write_text("from openai import OpenAI\n" + "c = OpenAI(model='gpt-4o')\n" * count)
    result = scan(tmp_path, options=ScanOptions(use_git=False), catalog=CATALOG)
    clients = [e for e in result.evidence if e.kind == "client"]
    models = [e for e in result.evidence if e.kind == "model-id"]
    assert len(clients) == analysis.MAX_IDENTICAL_EVIDENCE and len(models) == analysis.MAX_IDENTICAL_EVIDENCE
    assert [c.line for c in clients] == list(range(2, analysis.MAX_IDENTICAL_EVIDENCE + 2))  # the first ones, in order
    notes = [s.reason for s in result.skips if s.path == "app.py"]
    assert len(notes) == 1 and "+500 more" in notes[0], notes


def test_the_cap_keeps_unsuppressed_evidence_behind_suppressed_copies(tmp_path):
    """Capping must not let inline suppressions on the first copies hide a later, unsuppressed one."""
    count = analysis.MAX_IDENTICAL_EVIDENCE + 50
    body = "c = OpenAI()  # provider-audit: ignore\n" * count + "c = OpenAI()\n"
    (tmp_path / "app.py").write_text("from openai import OpenAI  # provider-audit: ignore\n" + body)
    result = invoke(tmp_path, "--no-git", "--isolated", "--no-cache", "--format", "json")
    assert result.exit_code == 1, result.stderr  # the unsuppressed client still locks the repository in
    usages = json.loads(result.stdout)["usages"]
    assert [u["line"] for u in usages if u["kind"] == "client"] == [count + 2]


def test_distinct_evidence_is_not_capped(tmp_path):
    count = analysis.MAX_IDENTICAL_EVIDENCE + 20
    lines = "".join(f"r{i} = client.chat.completions.create(model='gpt-4o-2024-{i:04d}')\n" for i in range(count))
    (tmp_path / "app.py").write_text("from openai import OpenAI\n" + lines)
    result = scan(tmp_path, options=ScanOptions(use_git=False), catalog=CATALOG)
    assert len({e.model for e in result.evidence if e.kind == "model-id"}) == count
    assert not [s for s in result.skips if "more" in s.reason]


# ------------------------------------------------------------------ --max-file-size


@pytest.mark.parametrize("how", ["option", "config"])
def test_absurd_max_file_size_is_an_error(tmp_path, how):
    """--max-file-size 100000000000 skipped every file (the reader reserved the limit) and passed."""
    if how == "option":  # a usage error: click adds the usage line
        run = run_cli([LOCKED, "--no-git", "--no-cache", "--max-file-size", 100_000_000_000], timeout=60,
                      memory=1 << 30)
        assert run.code == 2, (run.code, run.stderr)
        line = run.stderr.splitlines()[-1]
    else:
        config = tmp_path / "pa.toml"
        config.write_text("max-file-size = 100000000000\n")
        line = one_line_error(run_cli([LOCKED, "--no-git", "--no-cache", "--config", config], timeout=60,
                                      memory=1 << 30))
    assert "max-file-size" in line and "at most" in line, line


def test_the_largest_max_file_size_reads_files_to_their_real_size(tmp_path):
    """The reader does not reserve the limit: 1 GiB allowed, 800 MiB of address space, small files read."""
    run = run_cli([LOCKED, "--no-git", "--no-cache", "--isolated", "--max-file-size", 1 << 30, "--format", "json"],
                  timeout=60, memory=800 << 20)
    assert run.code == 1, run.stderr
    document = json.loads(run.stdout)
    assert document["usages"] and not document["skipped"], document["skipped"]


# ------------------------------------------------------------------ -o


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def test_output_to_a_new_path_has_normal_permissions(tmp_path):
    out = tmp_path / "report.json"
    result = invoke(LOCKED, "--no-git", "--no-cache", "--format", "json", "-o", out, "--exit-zero")
    assert result.exit_code == 0, result.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~_umask()  # was 0600
    assert json.loads(out.read_text())["usages"]


def test_output_over_a_regular_file_is_atomic_and_keeps_its_mode(tmp_path):
    out = tmp_path / "report.json"
    out.write_text("old")
    out.chmod(0o640)
    before = out.stat().st_ino
    result = invoke(LOCKED, "--no-git", "--no-cache", "--format", "json", "-o", out, "--exit-zero")
    assert result.exit_code == 0, result.stderr
    assert out.stat().st_ino != before  # renamed over: a reader never sees half a report
    assert stat.S_IMODE(out.stat().st_mode) == 0o640
    assert not [p for p in tmp_path.iterdir() if p.name != "report.json"]  # no temporary file left


def test_output_into_a_fifo_reaches_its_reader(tmp_path):
    fifo = tmp_path / "report.fifo"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text()), daemon=True)
    reader.start()
    run = run_cli([LOCKED, "--no-git", "--no-cache", "--format", "json", "-o", fifo, "--exit-zero"], timeout=60)
    reader.join(10)
    assert run.code == 0, run.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)  # still a FIFO, not replaced by a regular file
    assert received and json.loads(received[0])["usages"]


def test_output_through_a_link_to_stdout_reaches_stdout(tmp_path):
    """``-o /dev/stdout`` (as root it turned /dev/stdout into a regular file): a link to the process's
    standard output is written into, and stays a link."""
    link = tmp_path / "stdout"
    link.symlink_to("/proc/self/fd/1" if os.path.exists("/proc/self/fd/1") else "/dev/stdout")
    run = run_cli([LOCKED, "--no-git", "--no-cache", "--format", "json", "-o", link, "--exit-zero"], timeout=60)
    assert run.code == 0, run.stderr
    assert os.path.islink(link)
    assert json.loads(run.stdout)["usages"]


def test_output_through_a_symlink_writes_its_target_and_keeps_the_link(tmp_path):
    target = tmp_path / "real.json"
    target.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    result = invoke(LOCKED, "--no-git", "--no-cache", "--format", "json", "-o", link, "--exit-zero")
    assert result.exit_code == 0, result.stderr
    assert link.is_symlink() and json.loads(target.read_text())["usages"]


def test_output_to_a_folder_is_one_line_error(tmp_path):
    result = invoke(LOCKED, "--no-git", "--no-cache", "-o", tmp_path, "--exit-zero")
    assert result.exit_code == 2 and "cannot write" in result.stderr and len(result.stderr.splitlines()) == 1
