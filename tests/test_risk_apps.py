"""A labelled set of small apps (tests/fixtures/risk_apps) and the exact risk items each must get.

The labels below were written by hand from the rules data (lifecycle tables and events) before the
golden files were generated; the golden files (tests/golden/risk_apps/*.json) then pin the full
wording of every item. A case is one app, a scan day and optional declared scopes.

Covered: four plain API apps (Anthropic, OpenAI, Google, DeepSeek) with the model id read from a
configuration file, which must pass ``--fail-on risk:high`` with at most 3 items; a retired id in
code and in a loaded config file; the same model family on two platforms with different dates
(Claude on Anthropic's API and on Bedrock; Gemini on the Gemini API and on Vertex AI; Azure OpenAI
against OpenAI); reroute against error; ``--as-of`` before, between and after; API surfaces
(Assistants in Python and TypeScript, fine-tuning, streaming a gated model, the Agent SDK); declared
and undeclared scopes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Dict, Optional, Tuple

import pytest
from click.testing import CliRunner

from provider_audit.cli import main

from conftest import FIXTURES

APPS = FIXTURES / "risk_apps"
TODAY = "2026-12-07"
CONDITIONAL_ANTHROPIC = ("customer-types", "jurisdictions", "ownership")


@dataclass(frozen=True)
class Case:
    app: str
    as_of: str = TODAY
    scopes: Optional[str] = None  # a config file under risk_apps/scopes
    lifecycle: Tuple[Tuple[str, str, str, str], ...] = ()  # (platform, model, phase, severity)
    hits: Tuple[str, ...] = ()  # event ids, in report order
    possible: Tuple[str, ...] = ()  # "<platform>:<model>" of lifecycle items that are only possible
    conditional_keys: Tuple[str, ...] = ()
    fails_critical: bool = False
    fails_high: bool = False
    where: Dict[str, Tuple[str, ...]] = field(default_factory=dict)  # item id -> path:line it must sit on

    @property
    def id(self) -> str:
        return "-".join(x for x in (self.app, self.as_of, self.scopes) if x)


CASES = [
    # Plain API apps, model id read from a configuration file: nothing breaking, the risk:high gate passes.
    Case("anthropic_config", conditional_keys=CONDITIONAL_ANTHROPIC),
    Case("openai_config", conditional_keys=("jurisdictions",)),
    Case("google_config", conditional_keys=("customer-types",)),
    Case("deepseek_config", hits=("deepseek-2026-07-peak-hour-pricing",),
         conditional_keys=("customer-types", "jurisdictions")),
    # A retired id, written in code and in a configuration file the code loads.
    Case("claude_retired_code", lifecycle=(("anthropic", "claude-3-5-haiku-20241022", "retired", "critical"),),
         conditional_keys=CONDITIONAL_ANTHROPIC, fails_critical=True, fails_high=True,
         where={"anthropic:claude-3-5-haiku-20241022": ("bot.py:7",)}),
    Case("claude_retired_config", lifecycle=(("anthropic", "claude-3-5-haiku-20241022", "retired", "critical"),),
         conditional_keys=CONDITIONAL_ANTHROPIC, fails_critical=True, fails_high=True,
         where={"anthropic:claude-3-5-haiku-20241022": ("config/llm.yaml:2",)}),
    # --as-of: before the deprecation notice (2025-12-19), 35 days before shutdown (2026-02-19).
    Case("claude_retired_code", as_of="2025-12-01", conditional_keys=("ownership",)),
    Case("claude_retired_code", as_of="2026-01-15", conditional_keys=("ownership",), fails_high=True,
         lifecycle=(("anthropic", "claude-3-5-haiku-20241022", "scheduled", "high"),)),
    # One model family, two platforms, two dates: Anthropic's API retired it on 2025-10-28, Bedrock on 2026-07-30.
    Case("claude_two_platforms", as_of="2026-06-15", fails_critical=True, fails_high=True,
         lifecycle=(("anthropic", "claude-3-5-sonnet-20240620", "retired", "critical"),
                    ("aws-bedrock", "anthropic.claude-3-5-sonnet-20240620-v1:0", "scheduled", "high")),
         hits=("aws-bedrock-2026-09-model-lifecycle-policy",), conditional_keys=CONDITIONAL_ANTHROPIC,
         where={"anthropic:claude-3-5-sonnet-20240620": ("direct.py:7",),
                "aws-bedrock:anthropic.claude-3-5-sonnet-20240620-v1:0": ("bedrock.py:11",)}),
    # Gemini 2.5 Flash: Vertex AI shut it down on 2026-10-16 (error); the Gemini API on 2026-12-01 (reroute).
    Case("gemini_two_platforms", as_of="2026-11-01", fails_critical=True, fails_high=True,
         lifecycle=(("vertex-ai", "gemini-2.5-flash", "retired", "critical"),
                    ("google", "gemini-2.5-flash", "scheduled", "high")),
         conditional_keys=("customer-types",),  # Claude's ownership terms do not concern Gemini on Vertex AI
         where={"vertex-ai:gemini-2.5-flash": ("vertex.py:7",), "google:gemini-2.5-flash": ("studio.py:7",)}),
    Case("gemini_two_platforms", fails_critical=True, fails_high=True,
         lifecycle=(("vertex-ai", "gemini-2.5-flash", "retired", "critical"),  # the longer retired first
                    ("google", "gemini-2.5-flash", "retired", "critical")),
         conditional_keys=("customer-types",)),
    # Azure OpenAI keeps its own calendar, by model version: the deployment's version decides (possible).
    Case("azure_openai", lifecycle=(("azure-openai", "gpt-35-turbo", "retired", "critical"),),
         possible=("azure-openai:gpt-35-turbo",)),
    Case("openai_retired_code", lifecycle=(("openai", "gpt-3.5-turbo-0613", "retired", "critical"),),
         conditional_keys=("jurisdictions",), fails_critical=True, fails_high=True),
    # Reroute: requests go to another model (at its price) instead of failing.
    Case("deepseek_reroute", lifecycle=(("deepseek", "deepseek-v4-flash", "retired", "critical"),),
         hits=("deepseek-2026-07-peak-hour-pricing",), conditional_keys=("customer-types", "jurisdictions"),
         fails_critical=True, fails_high=True),
    # Surfaces: the Assistants sunset only where the Assistants API is used, in Python and in TypeScript.
    Case("assistants_py", hits=("openai-2025-08-assistants-api-sunset",), conditional_keys=("jurisdictions",),
         fails_critical=True, fails_high=True, where={"openai-2025-08-assistants-api-sunset": ("helpdesk.py:7", "helpdesk.py:8", "helpdesk.py:9")}),
    Case("assistants_ts", hits=("openai-2025-08-assistants-api-sunset",), conditional_keys=("jurisdictions",),
         fails_critical=True, fails_high=True, where={"openai-2025-08-assistants-api-sunset": ("src/helpdesk.ts:6", "src/helpdesk.ts:7",
                                                                        "src/helpdesk.ts:8")}),
    # Fine-tuning: new jobs stop on 2027-01-06, not in effect yet, so no gate fails.
    Case("fine_tuning", hits=("openai-2026-05-fine-tuning-new-jobs-stop",), conditional_keys=("jurisdictions",)),
    # Streaming o3: gated behind organisation verification, and o3 shuts down on 2026-12-11 (4 days).
    Case("streaming_o3", lifecycle=(("openai", "o3", "scheduled", "high"),),
         hits=("openai-2025-04-verified-organization",), conditional_keys=("jurisdictions",), fails_high=True),
    # The Agent SDK billing split is paused: not in effect, not a hit.
    Case("agent_sdk", conditional_keys=CONDITIONAL_ANTHROPIC),
    # Declared scopes: ownership from China makes the ownership terms a hit; US defence the FASCSA designation.
    Case("anthropic_config", scopes="ownership_cn", hits=("anthropic-2025-09-china-ownership-terms",),
         conditional_keys=("customer-types", "jurisdictions"), fails_critical=True, fails_high=True),
    Case("anthropic_config", scopes="us_defence", hits=("anthropic-2026-03-fascsa-supply-chain-designation",),
         conditional_keys=("ownership",), fails_high=True),
    Case("deepseek_config", scopes="us_defence", hits=("deepseek-2026-07-peak-hour-pricing",)),
    Case("anthropic_config", scopes="eu_only"),
]


def _scan(case: Case, *args: str):
    command = [str(APPS / case.app), "--format", "json", "--no-git", "--as-of", case.as_of, *args]
    command += ["--config", str(APPS / "scopes" / f"{case.scopes}.toml")] if case.scopes else ["--isolated"]
    result = CliRunner().invoke(main, command)
    assert result.exit_code in (0, 1), result.output
    return result, json.loads(result.stdout)


def _items(risk: dict) -> dict:
    """The exact risk items, as the golden files keep them."""
    return {
        "as_of": risk["as_of"],
        "lifecycle": [{"item": f"{f['platform']}:{f['model']}", "phase": f["phase"], "severity": f["severity"],
                       "possible": f["possible"], "days_to_shutdown": f["days_to_shutdown"], "message": f["message"],
                       "step": f["step"], "where": [f"{e['path']}:{e['line']}" for e in f["evidence"]],
                       "related_events": f["related_events"]} for f in risk["lifecycle"]],
        "events": [{"item": m["id"], "impact": m["impact"], "severity": m["severity"], "state": m["state"],
                    "tied_to_lines": m["tied_to_lines"], "reason": m["reason"],
                    "where": sorted({f"{e['path']}:{e['line']}" for e in m["evidence"]}) if m["tied_to_lines"] else []}
                   for m in risk["matched"]],
        "conditional": sorted(m["id"] for m in risk["conditional"]),
        "conditional_note": risk["conditional_note"],
        "informational": len(risk["informational"]),
        "covered_by_lifecycle": risk["covered_by_lifecycle"],
    }


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_labelled_app(case, golden):
    gate_critical, report = _scan(case, "--fail-on", "risk:critical")
    gate_high, _ = _scan(case, "--fail-on", "risk:high")
    risk = report["risk"]
    assert [(f["platform"], f["model"], f["phase"], f["severity"]) for f in risk["lifecycle"]] == list(case.lifecycle)
    assert [m["id"] for m in risk["matched"]] == list(case.hits)
    assert [f"{f['platform']}:{f['model']}" for f in risk["lifecycle"] if f["possible"]] == list(case.possible)
    keys = sorted({k for m in risk["conditional"] for k in m["conditional_on"]})
    assert keys == sorted(case.conditional_keys)
    assert (gate_critical.exit_code, gate_high.exit_code) == (int(case.fails_critical), int(case.fails_high))
    places = {f"{f['platform']}:{f['model']}": [f"{e['path']}:{e['line']}" for e in f["evidence"]]
              for f in risk["lifecycle"]}
    places.update({m["id"]: sorted({f"{e['path']}:{e['line']}" for e in m["evidence"]}) for m in risk["matched"]})
    for item, where in case.where.items():
        assert places[item] == list(where), item
    # Never a hit: informational events, events scoped to undeclared keys.
    assert all(m["impact"] != "informational" and not m["conditional_on"] for m in risk["matched"])
    golden(f"risk_apps/{case.id}.json", json.dumps(_items(risk), indent=2) + "\n")


PLAIN = [c for c in CASES if c.app.endswith("_config") and c.app != "claude_retired_config" and not c.scopes]


@pytest.mark.parametrize("case", PLAIN, ids=lambda c: c.id)
def test_plain_api_apps_pass_the_high_gate_with_few_items(case):
    """Issue 13's bar: a plain API app with its model id in configuration passes --fail-on risk:high and the
    default text report shows at most 3 risk items."""
    result = CliRunner().invoke(main, [str(APPS / case.app), "--isolated", "--no-git", "--as-of", case.as_of,
                                       "--fail-on", "risk:high"])
    assert result.exit_code == 0, result.output
    text = result.stdout
    risk_part = text.split("Risk as of", 1)[1].split("\n\n", 1)[0]
    shown = [line for line in risk_part.splitlines() if line.startswith("  ") and line[2:3].isupper()
             and line.split()[0] in ("CRITICAL", "HIGH", "MEDIUM", "LOW")]
    assert len(shown) <= 3
    assert "conditional event" in risk_part and "--show-informational" in risk_part


def test_assistants_sunset_only_where_assistants_are_used():
    chat, report = _scan(Case("openai_config"))
    assert "openai-2025-08-assistants-api-sunset" not in [m["id"] for m in report["risk"]["matched"]]
    _, assistants = _scan(Case("assistants_py"))
    assert "openai-2025-08-assistants-api-sunset" in [m["id"] for m in assistants["risk"]["matched"]]


def test_text_report_puts_breaking_items_first_with_place_and_step():
    result = CliRunner().invoke(main, [str(APPS / "claude_two_platforms"), "--isolated", "--no-git",
                                       "--as-of", "2026-06-15", "--exit-zero"])
    risk_part = result.stdout.split("Risk as of", 1)[1].split("\n\n", 1)[0].splitlines()
    heads = [line.split()[:2] for line in risk_part if line.startswith("  ") and not line.startswith("   ")]
    assert heads[:3] == [["CRITICAL", "breaking"], ["HIGH", "breaking"], ["MEDIUM", "cost"]]
    assert "at direct.py:7" in risk_part[2] and risk_part[3].strip().startswith("step: Replace")
    # The Bedrock extended-access cost item names the Bedrock models it applies to: tied to their line.
    assert "at bedrock.py:11 [aws-bedrock-2026-09-model-lifecycle-policy]" in "\n".join(risk_part)


def test_show_informational_lists_them():
    plain = CliRunner().invoke(main, [str(APPS / "anthropic_config"), "--isolated", "--no-git", "--as-of", TODAY])
    shown = CliRunner().invoke(main, [str(APPS / "anthropic_config"), "--isolated", "--no-git", "--as-of", TODAY,
                                      "--show-informational"])
    assert "informational events not shown (--show-informational)" in plain.stdout
    assert "anthropic-2026-02-distillation-deepseek-moonshot-minimax" not in plain.stdout
    assert "anthropic-2026-02-distillation-deepseek-moonshot-minimax" in shown.stdout
