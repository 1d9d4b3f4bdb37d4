"""Where teams meet the gate: inline suppressions, config ignores, allowed providers, acknowledged
lock-in, and baselines that fail only on what is new."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from provider_audit.cli import main
from provider_audit.models import Evidence
from provider_audit.findings.suppress import apply_suppressions
from provider_audit.scanning.comments import find_suppressions

from conftest import PROJECTS

AS_OF = "2026-11-01"


def scan(path, *args, env=None):
    result = CliRunner().invoke(main, [str(path), "--no-git", "--format", "json", "--as-of", AS_OF, *map(str, args)],
                                env=env)
    return result, (json.loads(result.stdout) if result.stdout else None)


@pytest.mark.parametrize("line, target, codes", [
    ("x = 1  # provider-audit: ignore[PA106]", 1, ("PA106",)),
    ("const x = 1; // provider-audit: ignore[PA106, PA105]", 1, ("PA106", "PA105")),
    ("# provider-audit: ignore", 2, ()),
    ("  /* provider-audit: ignore[pa1] */", 2, ("PA1",)),
    ("<!-- provider-audit: ignore[PA104] -->", 2, ("PA104",)),
    ("-- provider-audit: ignore[PA106]", 2, ("PA106",)),
])
def test_comment_syntaxes(line, target, codes):
    (found,) = find_suppressions("f", line + "\nnext line\n")
    assert (found.line, found.target, found.codes) == (1, target, codes)


def test_marker_outside_a_comment_is_not_a_suppression():
    assert find_suppressions("f", 'text = "provider-audit: ignore"\n') == ()


def test_inline_suppressions_across_languages_and_unused_ones():
    result, report = scan(PROJECTS / "suppressed", "--isolated")
    silenced = {(s["path"], s["line"], s["code"]) for s in report["suppressions"]["suppressed"]}
    assert silenced == {
        ("app/chat.py", 4, "PA106"), ("app/experiment.py", 2, "PA102"), ("app/experiment.py", 5, "PA103"),
        ("app/widget.ts", 2, "PA106"), ("app/widget.ts", 4, "PA106"), ("config.yaml", 3, "PA106"),
        ("requirements.txt", 2, "PA101"),
    }
    # Silenced evidence does not count: the Gemini experiment no longer makes the repo multi-provider.
    assert report["lock_in"]["verdict"] == "single-provider" and report["lock_in"]["providers"] == ["openai"]
    assert not any(u["provider"] == "google" for u in report["usages"])
    assert report["suppressions"]["unused"] == [{"path": "app/experiment.py", "line": 6, "codes": ["PA105"]}]
    assert result.exit_code == 1


def test_ignore_suppressions_audits_them():
    _, report = scan(PROJECTS / "suppressed", "--isolated", "--ignore-suppressions")
    assert report["lock_in"]["verdict"] == "multi-provider"
    assert report["suppressions"] == {"suppressed": [], "unused": []}


def _evidence(path, kind, line=1):
    return Evidence(kind, path, line, 1, "source", "openai", "openai", detail="x")


def test_config_ignores_by_code_prefix_and_path():
    items = [_evidence("scripts/a.py", "model-id"), _evidence("app/b.py", "model-id"), _evidence("app/b.py", "import")]
    out = apply_suppressions(items, (), ignore=("PA102",), per_path={"scripts/**": ["PA1"]})
    assert [(e.path, e.kind) for e in out.kept] == [("app/b.py", "model-id")]
    assert [why for _, why in out.suppressed] == ["config: per-path-ignores scripts/**", "config: ignore"]


def _project(tmp_path, config):
    shutil.copytree(PROJECTS / "anthropic_only", tmp_path / "repo")
    (tmp_path / "repo" / "pyproject.toml").write_text(
        (PROJECTS / "anthropic_only" / "pyproject.toml").read_text() + "\n[tool.provider-audit]\n" + config)
    return tmp_path / "repo"


def test_acknowledged_lock_in_passes_until_it_expires(tmp_path):
    repo = _project(tmp_path, 'acknowledge-lock-in = { provider = "anthropic", reason = "contract until Q1", '
                              'until = 2026-12-31 }\n')
    result, report = scan(repo)
    assert result.exit_code == 0
    assert report["policy"]["acknowledged_lock_in"]["active"] is True
    later = CliRunner().invoke(main, [str(repo), "--no-git", "--as-of", "2027-01-15"])
    assert later.exit_code == 1
    assert "expired on 2026-12-31" in later.stderr


def test_allowed_providers(tmp_path):
    repo = _project(tmp_path, 'allowed-providers = ["openai"]\nfail-on = "never"\n')
    result, report = scan(repo)
    assert result.exit_code == 1
    assert report["policy"]["failed"] == ["allowed-providers"]
    assert report["policy"]["disallowed_providers"] == ["anthropic"]


def test_unknown_provider_id_in_config_is_an_error(tmp_path):
    repo = _project(tmp_path, 'allowed-providers = ["anthropik"]\n')
    result, _ = scan(repo)
    assert result.exit_code == 2
    assert "unknown provider id 'anthropik' (did you mean 'anthropic'?)" in result.stderr


def test_baseline_fails_only_on_new_findings_and_survives_moved_lines(tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(PROJECTS / "anthropic_only", repo)
    baseline = tmp_path / "baseline.json"
    first, report = scan(repo, "--isolated", "--write-baseline", baseline)
    assert first.exit_code == 0 and report is None  # recorded, no report, whatever the verdict
    document = json.loads(baseline.read_text())
    assert document["schema_version"] == 1 and document["findings"]
    assert "CANARY" not in baseline.read_text()
    assert not any("line" in entry for entry in document["findings"])

    # Code moves down: nothing is new, the known lock-in no longer fails the build.
    source = repo / "app" / "llm.py"
    source.write_text("\n\n\n# a new header comment\n" + source.read_text())
    moved, report = scan(repo, "--isolated", "--baseline", baseline)
    assert moved.exit_code == 0, moved.stderr
    assert report["policy"]["baseline"]["new"] == [] and report["policy"]["failed"] == []
    assert "every failing finding is in the baseline" in moved.stderr

    # A new hard-coded model id is new: the gate fails again and names it (retired on Anthropic's API on
    # 2026-08-05, so it is also a PA202 retired-model finding on that line).
    (repo / "app" / "extra.py").write_text('MODEL_NAME = "claude-opus-4-1-20250805"\n')
    grown, report = scan(repo, "--isolated", "--baseline", baseline)
    assert grown.exit_code == 1
    assert [(n["rule_id"], n["path"]) for n in report["policy"]["baseline"]["new"]] == [
        ("PA202", "app/extra.py"), ("PA106", "app/extra.py")]


def test_bad_baseline_is_a_usage_error(tmp_path):
    bad = tmp_path / "baseline.json"
    bad.write_text("{not json")
    result, _ = scan(PROJECTS / "no_llm", "--isolated", "--baseline", bad)
    assert result.exit_code == 2
    assert "not a JSON baseline" in result.stderr
