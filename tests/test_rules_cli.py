"""Risk events through the command line: rules validate/list/show, --rules, --as-of, risk policies."""

from __future__ import annotations

import json

from click.testing import CliRunner

from provider_audit.cli import main

from conftest import PROJECTS

SONNET_RETIREMENT = "anthropic-2025-10-claude-3-5-sonnet-retirement"
USER_RULES = """\
schema_version: 1
events:
  - id: acme-2026-03-internal-claude-freeze
    providers: [anthropic]
    kind: access-restriction
    title: Procurement froze new Claude spend
    summary: Our procurement team froze new Anthropic commitments pending review.
    announced: 2026-03-01
    effective: 2026-03-15
    status: in-effect
    confidence: verified
    severity: high
    mitigation: Keep a second provider approved.
    sources: [https://intranet.example.com/procurement/claude-freeze]
"""


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def scan(path, *args):
    result = invoke(path, "--isolated", "--no-git", "--format", "json", *args)
    return result, json.loads(result.stdout) if result.stdout else None


def test_validate_the_shipped_database():
    result = invoke("rules", "validate")
    assert result.exit_code == 0
    events, providers = (int(w) for w in result.stdout.split() if w.isdigit())
    assert events >= 80 and providers >= 15


def test_validate_a_broken_user_file_names_file_entry_and_key(tmp_path):
    bad = tmp_path / "risks.yaml"
    bad.write_text(USER_RULES.replace("severity: high", "severity: dire"))
    result = invoke("rules", "validate", bad)
    assert result.exit_code == 2
    assert str(bad) in result.stderr
    assert "event 'acme-2026-03-internal-claude-freeze'" in result.stderr and "key 'severity'" in result.stderr
    assert "Traceback" not in result.output


def test_list_filters_and_show():
    listed = invoke("rules", "list", "--provider", "anthropic", "--kind", "deprecation")
    assert listed.exit_code == 0 and SONNET_RETIREMENT in listed.stdout
    assert all("deprecation" in line for line in listed.stdout.splitlines())
    shown = invoke("rules", "show", SONNET_RETIREMENT)
    assert shown.exit_code == 0
    assert "effective: 2025-10-22" in shown.stdout and "https://" in shown.stdout
    missing = invoke("rules", "show", SONNET_RETIREMENT.replace("sonnet", "sonet"))
    assert missing.exit_code == 2 and "did you mean" in missing.stderr


def matched(report):
    return {m["id"]: m for m in report["risk"]["matched"]}


def test_a_retirement_matches_only_the_model_it_names():
    _, report = scan(PROJECTS / "anthropic_only", "--as-of", "2026-11-01")
    event = matched(report)[SONNET_RETIREMENT]
    assert {e["model"] for e in event["evidence"]} == {"claude-3-5-sonnet-20241022"}
    assert all(e["path"] == "app/llm.py" for e in event["evidence"])  # the test file's copy does not count
    _, other = scan(PROJECTS / "openai_only", "--as-of", "2026-11-01")
    assert SONNET_RETIREMENT not in matched(other)


def test_as_of_before_and_after_the_announcement():
    _, before = scan(PROJECTS / "anthropic_only", "--as-of", "2025-08-01")
    _, after = scan(PROJECTS / "anthropic_only", "--as-of", "2025-09-01")
    assert SONNET_RETIREMENT not in matched(before)
    assert matched(after)[SONNET_RETIREMENT]["state"] == "upcoming"
    assert before["risk"]["as_of"] == "2025-08-01"


def test_user_rules_add_an_event(tmp_path):
    rules = tmp_path / "risks.yaml"
    rules.write_text(USER_RULES)
    _, report = scan(PROJECTS / "anthropic_only", "--as-of", "2026-11-01", "--rules", rules)
    assert matched(report)["acme-2026-03-internal-claude-freeze"]["severity"] == "high"


def test_risk_threshold_policy():
    assert scan(PROJECTS / "anthropic_only", "--as-of", "2026-11-01", "--fail-on", "risk:critical")[0].exit_code == 1
    quiet, report = scan(PROJECTS / "groq_gpt_oss", "--as-of", "2026-11-01", "--fail-on", "risk:high")
    assert quiet.exit_code == 0
    assert report["risk"]["matched"] and all(m["severity"] not in ("critical", "high") for m in report["risk"]["matched"])


def test_expired_event_ignore_no_longer_silences(tmp_path):
    config = tmp_path / "pa.toml"
    config.write_text(f'ignore-events = [{{ id = "{SONNET_RETIREMENT}", reason = "migrating", until = 2026-06-30 }}]\n')
    args = (PROJECTS / "anthropic_only", "--no-git", "--format", "json", "--config", config)
    silenced = json.loads(invoke(*args, "--as-of", "2026-06-01").stdout)
    assert SONNET_RETIREMENT not in matched(silenced)
    assert [s["id"] for s in silenced["risk"]["silenced"]] == [SONNET_RETIREMENT]
    result = invoke(*args, "--as-of", "2026-07-01")
    assert SONNET_RETIREMENT in matched(json.loads(result.stdout))
    assert "expired on 2026-06-30" in result.stderr
