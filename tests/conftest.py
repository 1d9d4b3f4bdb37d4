"""Shared test helpers: fixture locations, golden files (``pytest --update-golden`` rewrites them)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from provider_audit.cli import main

TESTS = Path(__file__).resolve().parent
FIXTURES = TESTS / "fixtures"
PROJECTS = FIXTURES / "projects"
GOLDEN = TESTS / "golden"
AS_OF = "2026-11-01"  # golden reports evaluate the event database on a fixed day


def run_json(path, *args):
    """Scan a fixture project as CI would (isolated, no git, fixed date); (result, parsed report)."""
    result = CliRunner().invoke(main, [str(path), "--format", "json", "--isolated", "--no-git", "--as-of", AS_OF,
                                       *args])
    return result, json.loads(result.stdout)


def check_project(case, expected, golden):
    """A fixture project's verdict, providers, layers and exit code, then its whole report against the golden."""
    verdict, providers, layers, code = expected
    result, report = run_json(PROJECTS / case)
    assert result.exit_code == code, result.stderr
    assert report["lock_in"]["verdict"] == verdict
    assert [p["id"] for p in report["providers"]] == providers
    assert report["lock_in"]["layers"] == layers
    golden(f"projects/{case}.json", result.stdout)
    return report


@pytest.fixture(autouse=True, scope="session")
def _session_cache(tmp_path_factory):
    """Scans in the tests use a cache and a data directory of their own, never the user's; and they run
    in strict mode (``PROVIDER_AUDIT_STRICT=1``): a detector or extractor that raises on hostile input
    fails the property tests instead of being caught by the safety nets users rely on."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PROVIDER_AUDIT_CACHE_DIR", str(tmp_path_factory.mktemp("provider-audit-cache")))
        # ... and a data directory of their own: a bundle the user installed never changes a test's rules.
        patch.setenv("PROVIDER_AUDIT_DATA_DIR", str(tmp_path_factory.mktemp("provider-audit-data")))
        patch.delenv("PROVIDER_AUDIT_NO_CACHE", raising=False)
        patch.setenv("PROVIDER_AUDIT_STRICT", "1")
        yield


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", help="rewrite golden files from current output")


@pytest.fixture
def golden(request):
    """Compare text with a golden file, or rewrite it under --update-golden."""
    update = request.config.getoption("--update-golden")

    def check(name: str, actual: str) -> None:
        path = GOLDEN / name
        if update or not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(actual, encoding="utf-8")
            if not update:
                pytest.fail(f"golden file {name} was missing and has been written; re-run")
        assert actual == path.read_text(encoding="utf-8"), f"output differs from golden {name}"

    return check
