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
    first, second = result.stdout.splitlines()
    events, providers = (int(w) for w in first.split() if w.isdigit())
    assert events >= 80 and providers >= 15
    ids, platforms = (int(w) for w in second.split() if w.isdigit())
    assert ids >= 400 and platforms >= 10 and second.endswith("(lifecycle): valid")


def test_validate_a_broken_user_file_names_file_entry_and_key(tmp_path):
    bad = tmp_path / "risks.yaml"
    bad.write_text(USER_RULES.replace("severity: high", "severity: dire"))
    result = invoke("rules", "validate", bad)
    assert result.exit_code == 2
    assert str(bad) in result.stderr
    assert "event 'acme-2026-03-internal-claude-freeze'" in result.stderr and "key 'severity'" in result.stderr
    assert "Traceback" not in result.output


def test_list_shows_informational_events_and_filters_by_impact():
    listed = invoke("rules", "list", "--impact", "informational")
    assert listed.exit_code == 0 and listed.stdout
    assert all(" informational " in line for line in listed.stdout.splitlines())
    assert "anthropic-2026-02-distillation-deepseek-moonshot-minimax" in listed.stdout


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


def lifecycle(report):
    return {f["model"]: f for f in report["risk"]["lifecycle"]}


def test_a_retirement_matches_only_the_model_it_names():
    """The Sonnet 3.5 retirement is a lifecycle finding on Anthropic's API, on the production line only; the
    deprecation event saying the same is folded into it (not listed twice)."""
    _, report = scan(PROJECTS / "anthropic_only", "--as-of", "2026-11-01")
    found = lifecycle(report)["claude-3-5-sonnet-20241022"]
    assert (found["platform"], found["phase"], found["severity"]) == ("anthropic", "retired", "critical")
    assert all(e["path"] == "app/llm.py" for e in found["evidence"])  # the test file's copy does not count
    assert found["related_events"] == [SONNET_RETIREMENT]
    assert SONNET_RETIREMENT in report["risk"]["covered_by_lifecycle"] and SONNET_RETIREMENT not in matched(report)
    _, other = scan(PROJECTS / "openai_only", "--as-of", "2026-11-01")
    assert "claude-3-5-sonnet-20241022" not in lifecycle(other)
    assert SONNET_RETIREMENT not in matched(other) and SONNET_RETIREMENT not in other["risk"]["covered_by_lifecycle"]


def test_as_of_before_and_after_the_announcement():
    _, before = scan(PROJECTS / "anthropic_only", "--as-of", "2025-08-01")
    _, after = scan(PROJECTS / "anthropic_only", "--as-of", "2025-09-01")
    assert lifecycle(before) == {} and SONNET_RETIREMENT not in before["risk"]["covered_by_lifecycle"]
    found = lifecycle(after)["claude-3-5-sonnet-20241022"]
    assert (found["phase"], found["severity"], found["days_to_shutdown"]) == ("scheduled", "high", 57)  # shutdown 2025-10-28
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
    assert report["risk"]["worst_in_effect"] not in ("critical", "high")
    assert all(m["severity"] not in ("critical", "high") for m in report["risk"]["matched"])


def test_expired_event_ignore_no_longer_silences(tmp_path):
    freeze = "acme-2026-03-internal-claude-freeze"
    rules = tmp_path / "risks.yaml"
    rules.write_text(USER_RULES)
    config = tmp_path / "pa.toml"
    config.write_text(f'ignore-events = [{{ id = "{freeze}", reason = "approved", until = 2026-06-30 }}]\n')
    args = (PROJECTS / "anthropic_only", "--no-git", "--format", "json", "--config", config, "--rules", rules)
    silenced = json.loads(invoke(*args, "--as-of", "2026-06-01").stdout)
    assert freeze not in matched(silenced)
    assert [s["id"] for s in silenced["risk"]["silenced"]] == [freeze]
    result = invoke(*args, "--as-of", "2026-07-01")
    assert freeze in matched(json.loads(result.stdout))
    assert "expired on 2026-06-30" in result.stderr


def test_a_scan_without_evidence_loads_the_risk_rules_only_to_count_them(monkeypatch):
    """Nothing can match without evidence: the text report never reads the events or lifecycle tables;
    the JSON report reads them for their counts, which are those of the shipped rules."""
    from provider_audit.risk import check

    loaded = []
    for name in ("load_database", "load_lifecycle_table"):
        real = getattr(check, name)
        monkeypatch.setattr(check, name, lambda *a, _real=real, _name=name, **k: loaded.append(_name) or _real(*a, **k))
    text = invoke(PROJECTS / "no_llm", "--isolated", "--no-git")
    assert text.exit_code == 0 and "0 usages" in text.stderr and loaded == []
    result, report = scan(PROJECTS / "no_llm")
    assert result.exit_code == 0 and report["usages"] == []
    assert sorted(loaded) == ["load_database", "load_lifecycle_table"]
    counted = invoke("rules", "validate").stdout.splitlines()
    assert f"{report['risk']['events_known']} events over" in counted[0]
    assert counted[1].startswith(f"{report['risk']['lifecycle_ids_known']} model ids over")
