"""The model lifecycle tables (rules/lifecycle): shipped data, validation, matching per platform."""

from __future__ import annotations

from datetime import date

import pytest

from provider_audit.data.catalog import load_catalog
from provider_audit.models import Evidence
from provider_audit.risk.check import load_lifecycle_table
from provider_audit.risk.lifecycle import (HORIZON_DAYS, LifecycleError, candidates, load_lifecycle, match_lifecycle,
                                           shipped_paths, stale_entries)

CATALOG = load_catalog()


@pytest.fixture(scope="module")
def shipped():
    return load_lifecycle_table(CATALOG)


def model(name, provider, path="app.py", line=1, context="source", vendor=None):
    return Evidence("model-id", path, line, 1, context, provider, vendor, model=name, detail=name)


def write(tmp_path, platform, body, name=None):
    path = tmp_path / f"{name or platform}.yaml"
    path.write_text(f"schema_version: 1\nplatform: {platform}\nsource: https://example.com/deprecations\n"
                    f"checked: 2026-12-01\nmodels:\n{body}")
    return path


ENTRY = ("  - ids: [{ids}]\n    status: {status}\n    deprecated: {deprecated}\n    shutdown: {shutdown}\n"
         "    at_shutdown: {at}\n    reroute_to: {to}\n    replacement: {rep}\n")


def entry(ids="old-model-1", status="retired", deprecated="2026-01-01", shutdown="2026-06-01", at="error", to="null",
          rep="new-model-2", extra=""):
    return ENTRY.format(ids=ids, status=status, deprecated=deprecated, shutdown=shutdown, at=at, to=to, rep=rep) + extra


# ------------------------------------------------------------------ shipped data

def test_no_scheduled_shutdown_has_passed(shipped):
    """Stale data shows in CI: an entry still 'scheduled' after its shutdown day must be updated (to retired,
    or to its new date) from the vendor's page. This test fails on the day a shutdown passes."""
    stale = stale_entries(shipped, date.today())
    assert not stale, "scheduled shutdowns that have passed: " + ", ".join(
        f"{e.platform}: {getattr(e, 'ids', None) or e.name} (shutdown {e.shutdown})" for e in stale)


def test_stale_entries_are_found():
    """The check above can fail: a scheduled date in the past is reported."""
    table = load_lifecycle_table(CATALOG)
    scheduled = [e for e in table.models if e.status == "scheduled"]
    assert scheduled, "the shipped tables have scheduled entries"
    latest = max(e.shutdown for e in scheduled)
    assert set(stale_entries(table, date(latest.year + 1, 1, 1))) == set(scheduled)


def test_shipped_tables_load_with_one_file_per_platform(shipped):
    sizes = shipped.count_ids()
    assert sum(sizes.values()) >= 400
    assert {"openai", "azure-openai", "anthropic", "aws-bedrock", "vertex-ai", "google", "deepseek"} <= set(sizes)
    assert [p.stem for p in shipped_paths()] == sorted(set(p.stem for p in shipped_paths()))
    assert all(e.source.startswith("https://") and e.checked for e in shipped.models)


def test_unknown_platforms_are_refused():
    with pytest.raises(LifecycleError, match="unknown provider id"):
        load_lifecycle(None, known_providers=["openai"])


# ------------------------------------------------------------------ validation

@pytest.mark.parametrize("body, platform, key, fragment", [
    (entry(status="scheduled", shutdown="null"), "openai", "shutdown", "needs its shutdown date"),
    (entry(status="deprecated", shutdown="2027-01-01"), "openai", "status", "means no shutdown date"),
    (entry(status="retird"), "openai", "status", "did you mean 'retired'"),
    (entry(at="error", to="gpt-x"), "openai", "reroute_to", "must be null when at_shutdown is error"),
    (entry(deprecated="2026-07-01", shutdown="2026-06-01"), "openai", "shutdown", "before the deprecation notice"),
    (entry(ids="GPT-4 Turbo"), "openai", "ids", "not an id as sent"),
    (entry(extra="    versions: ['0613']\n"), "openai", "versions", "only for azure-openai"),
    (entry(extra="    patterns: ['.*']\n"), "openai", "patterns[0]", "literal characters"),
    (entry(extra="    patterns: ['gpt-(a+)+']\n"), "openai", "patterns[0]", "backtrack"),
    (entry(extra="    patterns: ['gpt-4|claude-3']\n"), "openai", "patterns[0]", "top-level '|'"),
    (entry(extra="    colour: red\n"), "openai", "colour", "unknown key"),
    (entry(extra="    vendor: nobody\n"), "openai", "vendor", "unknown vendor"),
    (entry() + entry(rep="other"), "openai", "ids", "listed twice"),
])
def test_invalid_entries_name_file_entry_and_key(tmp_path, body, platform, key, fragment):
    path = write(tmp_path, platform, body)
    with pytest.raises(LifecycleError) as info:
        load_lifecycle([path])
    assert info.value.key == key and fragment in str(info.value)
    assert str(info.value).startswith(f"{path}: model 'old-model-1': " if key != "ids" or "twice" in fragment
                                      else str(path))


def test_file_must_be_named_after_its_platform(tmp_path):
    with pytest.raises(LifecycleError, match="name the file openai.yaml"):
        load_lifecycle([write(tmp_path, "openai", entry(), name="gpt")])


def test_entries_need_an_official_source(tmp_path):
    path = tmp_path / "openai.yaml"
    path.write_text("schema_version: 1\nplatform: openai\nchecked: 2026-12-01\nmodels:\n" + entry())
    with pytest.raises(LifecycleError, match="official source"):
        load_lifecycle([path])


def test_azure_versions_may_repeat_a_name(tmp_path):
    body = entry(ids="gpt-35-turbo", extra="    versions: ['0301']\n") + entry(ids="gpt-35-turbo",
                                                                            extra="    versions: ['1106']\n")
    table = load_lifecycle([write(tmp_path, "azure-openai", body)])
    assert len(table.lookup("azure-openai", "gpt-35-turbo")) == 2


# ------------------------------------------------------------------ matching

def test_candidates_strip_prefixes_and_bedrock_regions():
    assert "anthropic.claude-3-haiku-20240307-v1:0" in candidates(
        "aws-bedrock", "arn:aws:bedrock:us-east-1:1:inference-profile/us.anthropic.claude-3-haiku-20240307-v1:0")
    assert candidates("google", "models/Gemini-1.5-Pro") == ["models/gemini-1.5-pro", "gemini-1.5-pro"]
    assert candidates("openai", "eu.gpt-4") == ["eu.gpt-4"]  # region prefixes are Bedrock's only


def test_dates_are_per_platform(shipped):
    """Claude 3.5 Sonnet (June 2024): Anthropic's API retired it on 2025-10-28, Bedrock on 2026-07-30, Vertex AI
    on 2026-02-19; each platform's evidence gets its own date, never another platform's."""
    day = date(2026, 3, 1)
    found = match_lifecycle(shipped, [model("claude-3-5-sonnet-20240620", "anthropic", "a.py"),
                                      model("anthropic.claude-3-5-sonnet-20240620-v1:0", "aws-bedrock", "b.py"),
                                      model("claude-3-5-sonnet@20240620", "vertex-ai", "c.py")], day)
    by = {f.platform: f for f in found}
    assert (by["anthropic"].phase, by["anthropic"].severity) == ("retired", "critical")
    assert (by["vertex-ai"].phase, by["vertex-ai"].entry.shutdown) == ("retired", date(2026, 2, 19))
    assert (by["aws-bedrock"].phase, by["aws-bedrock"].days) == ("scheduled", 151)
    assert by["aws-bedrock"].severity == "medium"  # more than 90 days away


def test_cerebras_end_dates_and_bare_deprecations(shipped):
    """Cerebras's deprecations page: an end date where it gives one ("fully deprecated on 2026-05-27"); a
    bare "Deprecated <model>" announcement is a deprecation without a shutdown, never a failure."""
    day = date(2026, 12, 8)
    found = match_lifecycle(shipped, [model("llama3.1-8b", "cerebras", "a.py"),
                                      model("llama-3.3-70b", "cerebras", "b.py"),
                                      model("llama-3.3-70b", "groq", "c.py")], day)
    by = {(f.platform, f.model): f for f in found}
    ended = by[("cerebras", "llama3.1-8b")]
    assert (ended.phase, ended.severity, ended.entry.shutdown) == ("retired", "critical", date(2026, 5, 27))
    deprecated = by[("cerebras", "llama-3.3-70b")]
    assert (deprecated.phase, deprecated.severity, deprecated.entry.shutdown) == ("deprecated", "medium", None)
    assert ("groq", "llama-3.3-70b") not in by  # Cerebras's dates are Cerebras's only


def test_azure_never_matches_openai_and_the_reverse(shipped):
    day = date(2026, 12, 7)
    assert match_lifecycle(shipped, [model("gpt-35-turbo", "openai")], day) == []
    assert match_lifecycle(shipped, [model("gpt-3.5-turbo-0613", "azure-openai")], day) == []
    (openai,) = match_lifecycle(shipped, [model("gpt-3.5-turbo-0613", "openai")], day)
    (azure,) = match_lifecycle(shipped, [model("gpt-35-turbo", "azure-openai")], day)
    assert openai.platform == "openai" and not openai.possible
    assert azure.platform == "azure-openai" and azure.possible and azure.fails_gate_at is None


def test_as_of_moves_a_countdown_into_a_failure(tmp_path):
    table = load_lifecycle([write(tmp_path, "openai", entry(shutdown="2026-06-01"))])
    evidence = [model("old-model-1", "openai")]
    assert match_lifecycle(table, evidence, date(2025, 12, 31)) == []  # before the notice
    (far,) = match_lifecycle(table, evidence, date(2026, 1, 2))
    (near,) = match_lifecycle(table, evidence, date(2026, 6, 1) - __import__("datetime").timedelta(HORIZON_DAYS))
    (past,) = match_lifecycle(table, evidence, date(2026, 6, 1))
    assert (far.phase, far.severity, far.days) == ("scheduled", "medium", 150)
    assert (near.severity, near.days) == ("high", HORIZON_DAYS)
    assert (past.phase, past.severity) == ("retired", "critical")
    assert past.message.startswith("this call fails today: old-model-1 was shut down on openai on 2026-06-01")
    assert past.step == "replace old-model-1 with new-model-2"


def test_reroute_says_where_requests_go(tmp_path):
    body = entry(at="reroute", to="new-model-2") + entry(ids="other-model-1", at="reroute", to="null", rep="null")
    table = load_lifecycle([write(tmp_path, "openai", body)])
    found = {f.model: f for f in match_lifecycle(
        table, [model("old-model-1", "openai"), model("other-model-1", "openai")], date(2026, 7, 1))}
    assert found["old-model-1"].rerouted
    assert found["old-model-1"].message == ("old-model-1 is rerouted to new-model-2 on openai since 2026-06-01, "
                                            "at new-model-2's price")
    assert "another model the platform chooses" in found["other-model-1"].message
    assert found["other-model-1"].step.startswith("choose a current model for other-model-1 (see https://")


def test_only_production_evidence_with_the_platform_counts(tmp_path):
    table = load_lifecycle([write(tmp_path, "openai", entry())])
    day = date(2026, 7, 1)
    assert match_lifecycle(table, [model("old-model-1", "openai", context="test")], day) == []
    assert match_lifecycle(table, [model("old-model-1", None)], day) == []
    (config,) = match_lifecycle(table, [model("old-model-1", "openai", "config/llm.yaml", context="config")], day)
    assert [e.path for e in config.evidence] == ["config/llm.yaml"]


def test_one_finding_per_id_with_every_place(tmp_path):
    table = load_lifecycle([write(tmp_path, "openai", entry(ids="old-model-1, old-model-latest"))])
    found = match_lifecycle(table, [model("old-model-1", "openai", "a.py", 3), model("old-model-1", "openai", "b.py", 9),
                                    model("OLD-MODEL-LATEST", "openai", "c.py")], date(2026, 7, 1))
    assert [(f.model, [(e.path, e.line) for e in f.evidence]) for f in found] == [
        ("OLD-MODEL-LATEST", [("c.py", 1)]), ("old-model-1", [("a.py", 3), ("b.py", 9)])]


def test_a_retired_replacement_is_passed_over(tmp_path):
    body = entry(rep="mid-model-1") + entry(ids="mid-model-1", rep="new-model-3")
    table = load_lifecycle([write(tmp_path, "openai", body)])
    (found,) = match_lifecycle(table, [model("old-model-1", "openai")], date(2026, 7, 1))
    assert found.step == "replace old-model-1 with new-model-3 (mid-model-1, the vendor's named replacement, is itself retired)"


def test_deprecated_sdk_dependency(shipped):
    dep = Evidence("dependency", "requirements.txt", 1, 1, "manifest", "google", "google", detail="google-generativeai",
                   version="0.8.3", ecosystem="pypi", package="google-generativeai")
    (found,) = match_lifecycle(shipped, [dep], date(2026, 12, 7))
    assert (found.kind, found.phase, found.severity, found.step) == ("sdk", "retired", "medium", "move to google-genai")


def test_a_retired_default_says_which_variable_replaces_it(tmp_path):
    """A settings-class default is what runs unless the variable is set: the finding says so, at the default."""
    import provider_audit

    (tmp_path / "settings.py").write_text('from pydantic_settings import BaseSettings\n\n\nclass Settings(BaseSettings):\n'
                                          '    bot_model: str = "claude-3-5-haiku-20241022"\n')
    (tmp_path / "app.py").write_text('from anthropic import Anthropic\nfrom settings import Settings\n\nclient = Anthropic()\n'
                                     'client.messages.create(model=Settings().bot_model, max_tokens=5, messages=[])\n'
                                     'client.messages.create(model="claude-3-haiku-20240307", max_tokens=5, messages=[])\n')
    result = provider_audit.audit(tmp_path, isolated=True, no_git=True, no_cache=True, as_of=date(2026, 12, 7))
    messages = {f.model: (f.severity, f.message) for f in result.risk.lifecycle}
    assert messages["claude-3-5-haiku-20241022"] == (
        "critical", "calls fail today unless BOT_MODEL is set: the default claude-3-5-haiku-20241022 was shut down "
                    "on Anthropic (Claude API) on 2026-02-19")
    assert messages["claude-3-haiku-20240307"][1].startswith("this call fails today: ")
