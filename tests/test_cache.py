"""The cache of per-file results: a repeated scan reuses what did not change, and nothing else."""

from __future__ import annotations

import json
import os
import time

import pytest
from click.testing import CliRunner

from provider_audit.scanning import analysis as scan_module
from provider_audit.scanning.cache import ResultCache, code_salt, open_cache
from provider_audit.data.catalog import load_catalog
from provider_audit.cli import main
from provider_audit.scanning.scan import ScanOptions, scan

ANTHROPIC = 'import anthropic\nclient = anthropic.Anthropic()\nMODEL = "claude-sonnet-4-5-20250929"\n'
OPENAI = 'import openai\nclient = openai.OpenAI()\nMODEL = "gpt-4o-2024-08-06"\n'
HOUR_NS = 3600 * 10**9


@pytest.fixture
def project(tmp_path):
    tree = tmp_path / "project"
    tree.mkdir()
    (tree / "app.py").write_text(ANTHROPIC)
    (tree / "requirements.txt").write_text("anthropic==0.40.0\n")
    (tree / "README.md").write_text("Nothing here.\n")
    return tree


def _age(path, ns=HOUR_NS):
    """Make a file look an hour old (what a file not touched while it was cached looks like)."""
    info = os.stat(path)
    os.utime(path, ns=(info.st_atime_ns - ns, info.st_mtime_ns - ns))


@pytest.fixture
def counted(monkeypatch):
    """How many files were read, and how many analysed, by the next scans."""
    calls = {"read": 0, "analysed": 0}
    real_read, real_analyse = scan_module.read_bytes, scan_module.analyse_file

    def read(*args, **kwargs):
        calls["read"] += 1
        return real_read(*args, **kwargs)

    def analyse(*args, **kwargs):
        calls["analysed"] += 1
        return real_analyse(*args, **kwargs)

    monkeypatch.setattr(scan_module, "read_bytes", read)
    monkeypatch.setattr(scan_module, "analyse_file", analyse)
    return calls


def _scan(tree, folder, **options):
    catalog = load_catalog()
    cache = open_cache(folder, tree.resolve(), ["test"])
    result = scan(tree, (), ScanOptions(use_git=False, **options), catalog, cache)
    return result, cache


def _cli(tree, *args):
    result = CliRunner().invoke(main, [str(tree), "--isolated", "--no-git", "--exit-zero", "--format", "json",
                                       "--as-of", "2026-11-01", *args])
    assert result.exit_code == 0, result.output
    return result


def test_second_scan_reuses_every_result_and_reports_the_same(project, tmp_path):
    cache_dir = tmp_path / "cache"
    first = _cli(project, "--cache-dir", str(cache_dir))
    second = _cli(project, "--cache-dir", str(cache_dir))
    assert "from the cache" not in first.stderr
    assert "(3 unchanged, from the cache)" in second.stderr
    assert second.stdout == first.stdout
    assert len(list(cache_dir.glob("*.json"))) == 1


def test_unchanged_old_files_are_not_even_read(project, tmp_path, counted):
    for path in project.iterdir():
        _age(path)
    _scan(project, tmp_path / "cache")
    assert counted == {"read": 3, "analysed": 3}
    _, cache = _scan(project, tmp_path / "cache")
    assert cache.hits == 3
    assert counted == {"read": 3, "analysed": 3}  # trusted from the stat signature alone


def test_a_change_within_the_timestamp_resolution_is_still_seen(tmp_path):
    """Same stat signature, new content: trusted only if the file was already old when cached
    (git's "racily clean" case: a write in the same timestamp tick as the caching leaves no trace)."""
    from provider_audit.scanning.cache import RACY_NS, signature
    from provider_audit.models import FileReport

    path = tmp_path / "app.py"
    path.write_text(OPENAI)
    info = os.stat(path)
    reads = []

    def lookup(checked_ns):
        cache = ResultCache(tmp_path / "c.json", "salt")
        cache._entries["app.py"] = ["source", list(signature(info)), "digest of other bytes", checked_ns,
                                    [[], [], [], []]]
        return cache.lookup("app.py", "source", info, lambda: reads.append(1) or path.read_bytes())

    assert lookup(info.st_mtime_ns + RACY_NS - 1) is None  # cached too soon after the write: hashed, and stale
    assert reads == [1]
    assert lookup(info.st_mtime_ns + RACY_NS + 1) == FileReport()  # old enough: the signature is trusted
    assert reads == [1]


def test_touched_but_unchanged_files_are_read_not_analysed(project, tmp_path, counted):
    """A fresh checkout (new mtimes and inodes, same bytes) of a restored cache, as in CI."""
    _scan(project, tmp_path / "cache")
    later = time.time_ns() + HOUR_NS
    for path in project.iterdir():
        os.utime(path, ns=(later, later))
    counted.update(read=0, analysed=0)
    _, cache = _scan(project, tmp_path / "cache")
    assert cache.hits == 3
    assert counted == {"read": 3, "analysed": 0}


def test_an_edited_file_is_analysed_again(project, tmp_path):
    _scan(project, tmp_path / "cache")
    (project / "app.py").write_text(OPENAI + "# longer now\n")
    result, cache = _scan(project, tmp_path / "cache")
    assert cache.hits == 2
    assert {e.provider for e in result.evidence if e.path == "app.py"} == {"openai"}


def test_new_and_deleted_files(project, tmp_path):
    _scan(project, tmp_path / "cache")
    (project / "requirements.txt").unlink()
    (project / "other.py").write_text(OPENAI)
    result, cache = _scan(project, tmp_path / "cache")
    assert {e.path for e in result.evidence} == {"app.py", "other.py"}
    entries = json.loads(cache.file.read_text())["entries"]
    assert sorted(entries) == ["README.md", "app.py", "other.py"]  # the deleted file's entry is gone


def test_other_options_or_catalog_do_not_share_results(project, tmp_path):
    cache_dir = tmp_path / "cache"
    _cli(project, "--cache-dir", str(cache_dir))
    assert "from the cache" not in _cli(project, "--cache-dir", str(cache_dir), "--max-file-size", "10").stderr
    _scan(project, tmp_path / "api-cache")
    other = open_cache(tmp_path / "api-cache", project.resolve(), ["another catalog"])
    assert other is not None and other._entries == {}
    assert code_salt("a") != code_salt("b")


def test_context_is_part_of_the_key(project, tmp_path):
    cache_dir = tmp_path / "cache"
    _cli(project, "--cache-dir", str(cache_dir))
    config = project / "pyproject.toml"
    config.write_text('[tool.provider-audit]\ntest-paths = ["app.py"]\n')
    result = CliRunner().invoke(main, [str(project), "--no-git", "--exit-zero", "--format", "json",
                                       "--cache-dir", str(cache_dir)])
    usages = json.loads(result.stdout)["usages"]
    assert {u["context"] for u in usages if u["path"] == "app.py"} == {"test"}


@pytest.mark.parametrize("content", [
    b"not json at all",
    b'{"format": 1, "salt": "x", "entries": []}',
    b"[" * 100_000,
    b"\xff\xfe\x00garbage",
])
def test_a_damaged_cache_is_ignored(project, tmp_path, content):
    cache_dir = tmp_path / "cache"
    clean = _cli(project, "--cache-dir", str(cache_dir))
    (cache_file,) = cache_dir.glob("*.json")
    cache_file.write_bytes(content)
    again = _cli(project, "--cache-dir", str(cache_dir))
    assert again.stdout == clean.stdout
    assert "from the cache" not in again.stderr


def test_a_forged_entry_of_the_wrong_shape_is_not_used(project, tmp_path):
    """Values of the wrong type in a cached row (a damaged or hostile cache) mean: analyse again."""
    for path in project.iterdir():
        _age(path)
    _, cache = _scan(project, tmp_path / "cache")
    document = json.loads(cache.file.read_text())
    row = document["entries"]["app.py"][4][0][0]
    row[2] = "not a line number"
    cache.file.write_text(json.dumps(document))
    result, cache = _scan(project, tmp_path / "cache")
    assert cache.hits == 2
    assert all(isinstance(e.line, int) for e in result.evidence)


def test_no_cache_neither_reads_nor_writes(project, tmp_path, monkeypatch):
    cache_dir = tmp_path / "cache"
    _cli(project, "--cache-dir", str(cache_dir), "--no-cache")
    assert not cache_dir.exists()
    monkeypatch.setenv("PROVIDER_AUDIT_NO_CACHE", "1")
    monkeypatch.setenv("PROVIDER_AUDIT_CACHE_DIR", str(cache_dir))
    _cli(project)
    assert not cache_dir.exists()


def test_an_unwritable_cache_folder_does_not_fail_the_scan(project, tmp_path):
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the cache folder should be")
    first = _cli(project, "--cache-dir", str(blocker / "cache"))
    second = _cli(project, "--cache-dir", str(blocker / "cache"))
    assert first.stdout == second.stdout


def test_cache_files_of_folders_not_scanned_for_long_are_removed(project, tmp_path):
    cache_dir = tmp_path / "cache"
    cache_dir.mkdir()
    stale = cache_dir / ("0" * 32 + ".json")
    stale.write_text("{}")
    old = time.time() - 31 * 24 * 3600
    os.utime(stale, (old, old))
    _cli(project, "--cache-dir", str(cache_dir))
    assert not stale.exists()
    assert len(list(cache_dir.glob("*.json"))) == 1


def test_results_without_a_digest_are_not_kept(tmp_path):
    from provider_audit.models import FileReport, Skip

    cache = ResultCache(tmp_path / "c.json", "salt")
    cache.store("big.json", "config", os.stat(tmp_path), FileReport(skips=(Skip("big.json", "too large"),)))
    assert cache._entries == {}


def test_jobs_option_validates_its_value(project, monkeypatch):
    result = CliRunner().invoke(main, [str(project), "--no-git", "--jobs", "-1"])
    assert result.exit_code == 2 and "--jobs" in result.output
    monkeypatch.setenv("PROVIDER_AUDIT_JOBS", "many")
    result = CliRunner().invoke(main, [str(project), "--no-git"])
    assert result.exit_code == 2 and "Traceback" not in result.output and "many" in result.output
