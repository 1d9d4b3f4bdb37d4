"""The process pool gives byte-for-byte the report a serial scan gives."""

from __future__ import annotations

import concurrent.futures
import json

import pytest
from click.testing import CliRunner

from provider_audit.scanning import parallel
from provider_audit.cli import main

from conftest import FIXTURES


def _report(monkeypatch, jobs: str, tree) -> str:
    monkeypatch.setenv(parallel.JOBS_ENV, jobs)
    result = CliRunner().invoke(main, [str(tree), "--isolated", "--no-git", "--exit-zero", "--format", "json",
                                       "--no-cache"])
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture
def pool_always(monkeypatch):
    """No threshold, small chunks (many of them, finishing out of order), and a record of pools made."""
    monkeypatch.setattr(parallel, "MIN_FILES", 0)
    monkeypatch.setattr(parallel, "MIN_BYTES", 0)
    monkeypatch.setattr(parallel, "CHUNK_FILES", 3)
    made = []
    real = concurrent.futures.ProcessPoolExecutor

    def spy(*args, **kwargs):
        made.append(kwargs.get("max_workers"))
        return real(*args, **kwargs)

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", spy)
    return made


def test_parallel_report_is_identical_to_serial(monkeypatch, pool_always):
    serial = _report(monkeypatch, "1", FIXTURES)
    assert pool_always == []
    pooled = _report(monkeypatch, "2", FIXTURES)
    assert pool_always == [2]
    assert '"usages": 0' not in serial  # the fixtures do hold evidence, skips and -r includes
    assert json.loads(serial)["summary"]["light_pass"]["files"] > 0  # counted by the workers when pooled
    assert pooled == serial


def _items(tree):
    from provider_audit.scanning.analysis import ScanOptions

    return sorted(p.relative_to(tree).as_posix() for p in tree.rglob("*") if p.is_file()), ScanOptions()


def test_the_main_process_works_meanwhile_while_workers_scan(pool_always):
    from provider_audit.data.catalog import load_catalog

    tree = FIXTURES / "projects"
    items, options = _items(tree)
    calls = []
    pooled = parallel.scan_files(tree, items, load_catalog(), options, jobs=2, meanwhile=lambda: calls.append(1))
    assert pool_always == [2] and calls == [1]
    serial = parallel.scan_files(tree, items, load_catalog(), options, jobs=1, meanwhile=lambda: calls.append(2))
    assert calls == [1]  # a serial scan leaves the work to its caller
    assert pooled == serial


def test_what_the_meanwhile_work_raises_stops_the_pool(pool_always):
    from provider_audit.data.catalog import load_catalog

    tree = FIXTURES / "projects"
    items, options = _items(tree)

    def broken():
        raise RuntimeError("rules could not be read")

    with pytest.raises(RuntimeError, match="rules could not be read"):
        parallel.scan_files(tree, items, load_catalog(), options, jobs=2, meanwhile=broken)
    # A user's mistake, not an interruption: the pool was closed as usual (its exit hook has nothing left
    # to fail on), so the command line reports the error in one line and exits normally.
    assert not parallel.stopped_a_pool


def test_below_the_threshold_no_pool_is_started(monkeypatch):
    made = []
    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", lambda *a, **k: made.append(1))
    _report(monkeypatch, "2", FIXTURES / "projects" / "openai_only")
    assert made == []


def test_chunks_cover_every_file_in_order():
    sizes = [10, 2_000_000, 5, 5, 5] + [1] * 300
    chunks = parallel._chunks(sizes)
    assert chunks[0][0] == 0 and chunks[-1][1] == len(sizes)
    assert all(a[1] == b[0] for a, b in zip(chunks, chunks[1:]))
    assert (1, 2, 2_000_000) in chunks  # a large file is a chunk of its own
    assert all(end - start <= parallel.CHUNK_FILES for start, end, _ in chunks)


@pytest.mark.parametrize("value, expected", [("1", 1), ("3", 3), (" 2 ", 2)])
def test_jobs_from_env(value, expected):
    assert parallel.jobs_from_env(value) == expected


def test_jobs_auto_uses_the_cores():
    assert 1 <= parallel.jobs_from_env("0") <= parallel.MAX_AUTO_JOBS
    assert parallel.jobs_from_env("") == parallel.jobs_from_env("0")


@pytest.mark.parametrize("value", ["x", "-1", "1.5"])
def test_jobs_from_env_rejects_nonsense(value):
    with pytest.raises(ValueError, match=parallel.JOBS_ENV):
        parallel.jobs_from_env(value)


def _pools_at_discovery(monkeypatch, pool_always):
    """A list that gets, each time discovery returns, how many pools had been made by then."""
    from provider_audit.scanning import scan as scan_module

    listed = []
    real_discover = scan_module.discover

    def discover(*args, **kwargs):
        found = real_discover(*args, **kwargs)
        listed.append(len(pool_always))
        return found

    monkeypatch.setattr(scan_module, "discover", discover)
    return listed


def test_without_a_cache_the_workers_start_while_discovery_lists_the_rest(monkeypatch, pool_always):
    """The pool starts once discovery has found enough files and bytes, and the files it is fed before
    discovery ends give the report a serial scan gives (a Helm chart's templates, held back until the
    contexts are final, included)."""
    listed = _pools_at_discovery(monkeypatch, pool_always)
    tree = FIXTURES / "projects" / "helm_chart"
    serial = json.loads(_report(monkeypatch, "1", tree))
    pooled = json.loads(_report(monkeypatch, "2", tree))
    assert listed == [0, 1]  # serial: no pool; pooled: made during discovery
    assert pooled == serial
    contexts = {u["path"]: u["context"] for u in pooled["usages"]}
    assert contexts.get("chart/templates/deployment.yaml") == "config"  # the chart's deployment config, not an example


def test_a_pool_started_during_discovery_is_stopped_when_the_scan_fails_after(monkeypatch, pool_always):
    from provider_audit.data.catalog import load_catalog
    from provider_audit.scanning import scan as scan_module
    from provider_audit.scanning.analysis import ScanOptions

    monkeypatch.setattr(parallel, "stopped_a_pool", False)  # restored after the test

    def broken(root, files):
        raise RuntimeError("after discovery")

    monkeypatch.setattr(scan_module, "helm_templates", broken)
    with pytest.raises(RuntimeError, match="after discovery"):
        scan_module.scan(FIXTURES / "projects", options=ScanOptions(use_git=False, jobs=2), catalog=load_catalog())
    assert pool_always == [2]  # started during discovery
    assert parallel.stopped_a_pool  # and ended, not left to the interpreter's exit


def test_an_empty_cache_is_filled_by_a_pool_started_during_discovery(monkeypatch, pool_always, tmp_path):
    """With an empty cache nothing can be looked up first: the workers start during discovery, as without a
    cache, and what they read is recorded; the next scan is served from the cache with the same report."""
    monkeypatch.setenv(parallel.JOBS_ENV, "2")
    tree = FIXTURES / "projects"
    listed = _pools_at_discovery(monkeypatch, pool_always)

    def run():
        result = CliRunner().invoke(main, [str(tree), "--isolated", "--no-git", "--exit-zero", "--format", "json",
                                           "--cache-dir", str(tmp_path / "cache")])
        assert result.exit_code == 0, result.output
        return result.stdout, result.stderr

    first, _ = run()
    assert pool_always == [2] and listed == [1]  # the empty cache did not keep the pool from starting early
    second, said = run()
    assert pool_always == [2]  # everything served from the cache: no pool
    assert "unchanged, from the cache" in said
    uncached = json.loads(_report(monkeypatch, "2", tree))  # what a scan without a cache finds
    for key in ("usages", "skipped", "lock_in", "providers", "risk"):  # (not "new_for_you": a second scan)
        assert json.loads(first)[key] == json.loads(second)[key] == uncached[key], key
