"""The library API: ``provider_audit.audit`` gives the typed result the CLI renders."""

from __future__ import annotations

from datetime import date

import pytest
from click.testing import CliRunner

import provider_audit
from provider_audit.cli import main
from provider_audit.data.config import ConfigError
from provider_audit.formatters import render

from conftest import AS_OF, PROJECTS, TESTS

REPO = TESTS.parent


def test_audit_of_the_shipped_example():
    result = provider_audit.audit(REPO / "examples" / "support-bot", isolated=True, no_cache=True)
    assert result.lock_in.verdict == "single-provider"
    assert [p.id for p in result.providers] == ["anthropic"]
    assert result.policy is not None and result.policy.failed == ["single-provider"]
    assert {e.model for e in result.production() if e.kind == "model-id"} >= {"claude-3-5-haiku-20241022"}


@pytest.mark.parametrize("case", ["anthropic_only", "openai_only", "litellm_app"])
def test_the_cli_renders_exactly_the_api_result(case):
    """The CLI is a thin edge: its JSON is the JSON formatter applied to ``audit``'s result."""
    path = PROJECTS / case
    cli = CliRunner().invoke(main, [str(path), "--isolated", "--no-git", "--as-of", AS_OF, "--format", "json",
                                    "--exit-zero"])
    result = provider_audit.audit(path, isolated=True, no_git=True, as_of=date.fromisoformat(AS_OF))
    assert cli.stdout == render(result, "json")


def test_typed_evidence_carries_structured_facts():
    result = provider_audit.audit(PROJECTS / "openai_only", isolated=True, no_git=True)
    deps = [e for e in result.usages if e.kind == "dependency"]
    clients = [e for e in result.usages if e.kind == "client"]
    assert deps and all(e.ecosystem and e.package for e in deps)
    assert clients and all(e.package == "openai" for e in clients if e.provider == "openai")


def test_audit_of_a_missing_folder_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError):
        provider_audit.audit(tmp_path / "nope")
