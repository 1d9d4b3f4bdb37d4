"""Tests for the provider-risk events database, its loader and the matcher."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import pytest

from provider_audit.extractors import extractor_for
import yaml

from provider_audit.data.catalog import load_catalog
from provider_audit.risk.events import (
    Ignore, RulesError, apply_ignores, ignore_warnings, load_events, match_events,
    parse_ignores, regex_problem, risk_by_provider, shipped_paths)
from provider_audit.models import Evidence

FIX = Path(__file__).parent / "fixtures" / "events"
BAD = FIX / "bad"


def ev(provider="anthropic", *, kind="client", path="app/main.py", line=1, context="source", model=None,
       model_vendor=None, detail="", version=None, specifier="", confidence="high", **facts):
    return Evidence(kind=kind, path=path, line=line, column=1, context=context, provider=provider,
                    model_vendor=model_vendor, detail=detail, model=model, version=version,
                    specifier=specifier, confidence=confidence, **facts)


def model(name, provider="anthropic", **kw):
    return ev(provider, kind="model-id", model=name, model_vendor=kw.pop("model_vendor", provider), **kw)


def dep(name, version=None, specifier="", path="requirements.txt", provider="openai"):
    """Dependency evidence as the scan records it: the ecosystem is the manifest's extractor's."""
    found = extractor_for(path)
    return ev(provider, kind="dependency", path=path, detail=name, version=version, specifier=specifier,
              ecosystem=found.ecosystem if found else None, package=name)


@pytest.fixture(scope="module")
def shipped():
    return load_events()


@pytest.fixture(scope="module")
def fixture_events():
    return {e.id: e for e in load_events([FIX / "matching.yaml"])}


def ids(matched):
    return [m.event.id for m in matched]


# ------------------------------------------------------------------ shipped database

def test_shipped_database_loads_and_is_complete(shipped):
    assert len(shipped) >= 80
    assert len({p for e in shipped for p in e.providers}) >= 15
    assert len({e.id for e in shipped}) == len(shipped)
    assert all(e.sources and all(s.startswith(("http://", "https://")) for s in e.sources) for e in shipped)
    assert all(Path(e.file).parent.name == "events" for e in shipped)
    assert len(shipped_paths()) >= 15


def test_shipped_ids_are_known_to_the_catalog():
    catalog = Path(__file__).parent.parent / "rules" / "providers.yaml"
    if not catalog.is_file():
        pytest.skip("no provider catalog yet")
    data = yaml.safe_load(catalog.read_text(encoding="utf-8"))
    provider_ids = {p["id"] for p in data["providers"]}
    assert load_events(known_providers=provider_ids)


def test_shipped_deprecations_are_narrow(shipped):
    by_id = {e.id: e for e in shipped}
    claude2 = by_id["anthropic-2025-07-claude-2-and-3-sonnet-retirement"]
    hit = match_events([claude2], [model("claude-2.1")], date(2025, 8, 1))
    miss = match_events([claude2], [model("claude-3-opus-20240229"), model("claude-2.10")], date(2025, 8, 1))
    assert ids(hit) == [claude2.id] and miss == []
    assert all(regex_problem(p) is None for e in shipped for p in e.models)


def test_shipped_vendor_event_reaches_claude_on_bedrock(shipped):
    terms = [e for e in shipped if e.id == "anthropic-2025-09-china-ownership-terms"]
    bedrock = model("anthropic.claude-3-5-sonnet-20240620-v1:0", provider="aws-bedrock", model_vendor="anthropic")
    assert ids(match_events(terms, [bedrock], date(2025, 10, 1))) == [terms[0].id]


# ------------------------------------------------------------------ malformed files

@pytest.mark.parametrize("name, entry, key, fragment", [
    ("unknown_key.yaml", "bad-unknown-key", "sevrity", "did you mean 'severity'"),
    ("bad_enum.yaml", "bad-enum", "kind", "did you mean 'deprecation'"),
    ("bad_date.yaml", "bad-date", "announced", "not a valid date"),
    ("bad_date_text.yaml", "bad-date-text", "effective", "not an ISO date"),
    ("missing_source.yaml", "bad-missing-source", "sources", "missing required key"),
    ("empty_source.yaml", "bad-empty-source", "sources", "non-empty list"),
    ("bad_url.yaml", "bad-url", "sources", "not an http(s) URL"),
    ("bad_provider.yaml", "bad-provider", "providers", "did you mean 'openai'"),
    ("bad_regex.yaml", "bad-regex", "applies_to.models[0]", "invalid regex"),
    ("catastrophic_regex.yaml", "bad-catastrophic", "applies_to.models[0]", "catastrophically"),
    ("npm_versions.yaml", "bad-pkg-range", "applies_to.packages[0].versions", "pypi only"),
    ("duplicate_id.yaml", "bad-dup", "id", "duplicate id"),
])
def test_malformed_entry_names_file_entry_and_key(name, entry, key, fragment):
    with pytest.raises(RulesError) as info:
        load_events([BAD / name])
    err = info.value
    assert (err.entry_id, err.key) == (entry, key)
    assert fragment in str(err)
    assert str(err).startswith(f"{BAD / name}: event '{entry}': key '{key}': ")


def test_missing_id_names_entry_index():
    with pytest.raises(RulesError, match=r"missing_id\.yaml: event #0: key 'id': missing required key"):
        load_events([BAD / "missing_id.yaml"])


def test_non_mapping_top_level():
    with pytest.raises(RulesError, match=r"not_mapping\.yaml: top level must be a mapping"):
        load_events([BAD / "not_mapping.yaml"])


def test_yaml_syntax_error_names_line():
    with pytest.raises(RulesError, match=r"yaml_syntax\.yaml: invalid YAML: line \d+: "):
        load_events([BAD / "yaml_syntax.yaml"])


def test_known_providers_are_a_parameter():
    with pytest.raises(RulesError, match="unknown provider id 'deepseek'"):
        load_events([FIX / "matching.yaml"], known_providers={"openai", "anthropic"})
    assert len(load_events([FIX / "matching.yaml"], known_providers=load_catalog().providers.keys())) == 4


# ------------------------------------------------------------------ user files

def test_user_file_adds_and_overrides(shipped):
    merged = {e.id: e for e in load_events(extra=[FIX / "extra.yaml"])}
    assert len(merged) == len(shipped) + 1
    added = merged["acme-2025-03-internal-gateway-freeze"]
    assert added.announced == date(2025, 3, 1) and added.effective == date(2025, 3, 15)  # string and YAML date
    overridden = merged["anthropic-2025-07-claude-2-and-3-sonnet-retirement"]
    assert overridden.severity == "low" and overridden.mitigation.startswith("We already migrated")
    assert overridden.models == {e.id: e for e in shipped}[overridden.id].models  # untouched fields kept


def test_shipped_id_without_override_is_a_duplicate(tmp_path):
    clash = tmp_path / "clash.yaml"
    clash.write_text((BAD / "unknown_key.yaml").read_text().replace("bad-unknown-key", "openai-2024-12-platform-outage")
                     .replace("sevrity", "severity"))
    with pytest.raises(RulesError, match="duplicate id"):
        load_events(extra=[clash])


def test_override_of_unknown_id_fails(tmp_path):
    f = tmp_path / "o.yaml"
    f.write_text("schema_version: 1\nevents:\n  - {id: no-such-event, override: true, severity: low}\n")
    with pytest.raises(RulesError, match=r"event 'no-such-event': key 'override': no earlier event"):
        load_events(extra=[f])


# ------------------------------------------------------------------ matching

def test_model_narrowed_event_matches_only_named_model(fixture_events):
    event = [fixture_events["test-anthropic-claude-2-1-retirement"]]
    as_of = date(2025, 8, 1)
    client = ev("anthropic")
    m = match_events(event, [client, model("claude-2.1", path="app/llm.py", line=7)], as_of)
    assert ids(m) == ["test-anthropic-claude-2-1-retirement"]
    assert [(e.path, e.line) for e in m[0].evidence] == [("app/llm.py", 7)] and "claude-2.1" in m[0].reason
    assert match_events(event, [client, model("claude-3-opus-20240229")], as_of) == []
    # a model literal with no known provider counts when the code reaches the provider elsewhere
    assert ids(match_events(event, [client, model("CLAUDE-2.1", provider=None, model_vendor="anthropic")], as_of))
    # the same model served by another platform does not match an Anthropic-API deprecation
    assert match_events(event, [model("claude-2.1", provider="openrouter", model_vendor="anthropic")], as_of) == []


@pytest.mark.parametrize("version, specifier, path, expected, possible", [
    ("0.28.1", "==0.28.1", "requirements.txt", True, False),
    ("1.3.0", "==1.3.0", "requirements.txt", False, False),
    (None, "~=0.27", "pyproject.toml", True, True),
    (None, ">=1.0", "pyproject.toml", False, False),
    (None, ">0.5,<0.6", "pyproject.toml", True, True),
    (None, "", "requirements.txt", True, True),
    (None, "^0.28", "pyproject.toml", True, True),  # not PEP 440: cannot be ruled out
    ("0.28.1", "", "package.json", False, False),  # npm package of the same name
])
def test_sdk_version_specifier(fixture_events, version, specifier, path, expected, possible):
    event = [fixture_events["test-openai-legacy-sdk"]]
    m = match_events(event, [dep("openai", version, specifier, path)], date(2025, 1, 1))
    assert bool(m) is expected
    if m:
        assert m[0].possible is possible and "<1.0" in m[0].reason


def test_locked_version_wins_over_declared_range(fixture_events):
    event = [fixture_events["test-openai-legacy-sdk"]]
    declared = dep("openai", None, ">=0.27", "pyproject.toml")
    assert match_events(event, [declared, dep("openai", "1.3.0", path="poetry.lock")], date(2025, 1, 1)) == []
    (m,) = match_events(event, [declared, dep("openai", "0.28.1", path="poetry.lock")], date(2025, 1, 1))
    assert not m.possible and [e.path for e in m.evidence] == ["poetry.lock"]


def test_prefixed_model_ids_match_their_tail(fixture_events):
    event = [fixture_events["test-anthropic-claude-2-1-retirement"]]
    assert match_events(event, [model("anthropic/claude-2.1")], date(2025, 8, 1))
    assert match_events(event, [model("anthropic/claude-2.10")], date(2025, 8, 1)) == []


def test_pypi_names_are_canonicalised(fixture_events):
    event = [fixture_events["test-openai-legacy-sdk"]]
    assert match_events(event, [dep("OpenAI", "0.27.0")], date(2025, 1, 1))


def test_event_window(fixture_events):
    event = [fixture_events["test-anthropic-claude-2-1-retirement"]]  # announced 2025-01-21, effective 2025-07-21
    evidence = [model("claude-2.1")]
    assert match_events(event, evidence, date(2025, 1, 1)) == []
    assert match_events(event, evidence, date(2025, 3, 1))[0].state == "upcoming"
    assert match_events(event, evidence, date(2025, 8, 1))[0].state == "in-effect"


def test_ended_events_are_history(fixture_events):
    event = [fixture_events["test-deepseek-topup-pause"]]  # 2025-02-06 .. 2025-02-25
    evidence = [ev("deepseek")]
    assert match_events(event, evidence, date(2025, 2, 10))[0].state == "in-effect"
    assert match_events(event, evidence, date(2025, 2, 25))
    assert match_events(event, evidence, date(2025, 3, 1)) == []
    assert match_events(event, evidence, date(2025, 3, 1), include_ended=True)[0].state == "ended"


def test_only_production_evidence_matches(fixture_events):
    event = [fixture_events["test-claude-everywhere-terms"]]
    as_of = date(2025, 10, 1)
    assert match_events(event, [ev("anthropic", path="tests/test_x.py", context="test")], as_of) == []
    assert match_events(event, [ev("anthropic", context="docs"), ev("anthropic", confidence="low")], as_of) == []
    assert match_events(event, [ev("anthropic", context="test")], as_of, decisive_contexts=("test",))


def test_vendor_match_lists_sorted_evidence(fixture_events):
    event = [fixture_events["test-claude-everywhere-terms"]]
    evidence = [model("anthropic.claude-v2", provider="aws-bedrock", model_vendor="anthropic", path="b.py", line=9),
                ev("anthropic", path="a.py", line=3), ev("openai", path="a.py", line=1)]
    (m,) = match_events(event, evidence, date(2025, 10, 1))
    assert [(e.path, e.line) for e in m.evidence] == [("a.py", 3), ("b.py", 9)]
    assert "anthropic, aws-bedrock" in m.reason and "2 files" in m.reason


# ------------------------------------------------------------------ ignores

def test_ignores_silence_until_they_expire(fixture_events):
    events = list(fixture_events.values())
    ignores = parse_ignores([{"id": "test-deepseek-topup-pause", "reason": "accepted", "until": "2025-06-01"},
                             {"id": "test-claude-everywhere-terms", "reason": "legal cleared"},
                             {"id": "no-such-event", "reason": "typo"}])
    kept, silenced = apply_ignores(events, ignores, date(2025, 5, 1))
    assert {e.id for e, _ in silenced} == {"test-deepseek-topup-pause", "test-claude-everywhere-terms"}
    kept, silenced = apply_ignores(events, ignores, date(2025, 7, 1))
    assert "test-deepseek-topup-pause" in {e.id for e in kept}
    assert [e.id for e, _ in silenced] == ["test-claude-everywhere-terms"]
    warnings = ignore_warnings(events, ignores, date(2025, 7, 1))
    assert any("'test-deepseek-topup-pause' expired on 2025-06-01" in w for w in warnings)
    assert any("unknown event 'no-such-event'" in w for w in warnings)


def test_ignore_validation():
    with pytest.raises(RulesError, match=r"cfg: event 'x-y': key 'reason'"):
        parse_ignores([{"id": "x-y"}], "cfg")
    with pytest.raises(RulesError, match=r"key 'untill': unknown key; did you mean 'until'"):
        parse_ignores([{"id": "x-y", "reason": "r", "untill": "2025-01-01"}], "cfg")
    assert parse_ignores([{"id": "x-y", "reason": "r", "until": date(2025, 1, 1)}]) == (Ignore("x-y", "r", date(2025, 1, 1)),)


# ------------------------------------------------------------------ ranking

def test_risk_by_provider_ranking(fixture_events):
    events = list(fixture_events.values())
    evidence = [ev("anthropic", path="a.py"), ev("anthropic", path="b.py"), ev("anthropic", path="c.py"),
                model("claude-2.1", path="a.py"), dep("openai", "0.28.1"), ev("openai", path="d.py"),
                ev("deepseek", path="e.py"), ev("anthropic", path="tests/t.py", context="test")]
    as_of = date(2025, 10, 1)
    ranked = risk_by_provider(match_events(events, evidence, as_of), evidence)
    assert [r.provider for r in ranked] == ["anthropic", "openai"]  # deepseek's only event has ended
    anthropic, openai = ranked
    assert anthropic.score == round((8 + 2) * (1 + math.log2(1 + 3)), 2)
    assert openai.score == round((4 / 2) * (1 + math.log2(1 + 2)), 2)  # reported confidence halves
    assert {m.event.id for m in anthropic.events} == {"test-claude-everywhere-terms",
                                                      "test-anthropic-claude-2-1-retirement"}


def test_risk_ties_break_by_provider_id(fixture_events):
    terms = [fixture_events["test-claude-everywhere-terms"]]
    evidence = [ev("anthropic", path="a.py"), model("anthropic.claude-v2", provider="aws-bedrock",
                                                      model_vendor="anthropic", path="b.py")]
    ranked = risk_by_provider(match_events(terms, evidence, date(2025, 10, 1)), evidence)
    assert [r.provider for r in ranked] == ["anthropic", "aws-bedrock"] and ranked[0].score == ranked[1].score


# ------------------------------------------------------------------ schema version 2: scopes, impact, status

from provider_audit.risk.check import check  # noqa: E402
from provider_audit.risk.events import Scopes  # noqa: E402

V2 = FIX / "scoped_v2.yaml"
TODAY = date(2026, 12, 7)


@pytest.fixture(scope="module")
def v2():
    return {e.id: e for e in load_events([V2])}


def call(surface, provider="openai", feature=None, path="app/main.py", line=3):
    return ev(provider, kind="api-call", path=path, line=line, surface=surface, feature=feature,
              detail=f"{surface}.create")


def test_shipped_database_is_version_2(shipped):
    assert {e.schema_version for e in shipped} == {2}
    assert all(any(r.type == "official" for r in e.references) for e in shipped if e.confidence == "verified")
    assert {e.impact for e in shipped} == {"breaking", "cost", "capacity", "compliance", "informational"}


def test_surface_scoped_event_needs_that_surface(v2):
    sunset = [v2["test-assistants-sunset"]]
    chat_only = [ev("openai"), call("chat", feature="streaming")]
    assert match_events(sunset, chat_only, TODAY) == []
    (hit,) = match_events(sunset, chat_only + [call("assistants", line=9)], TODAY)
    assert hit.surfaces == ("assistants",) and [e.line for e in hit.evidence] == [9] and hit.tied_to_lines


def test_subscription_and_coding_agent_events_never_hit_api_code(v2):
    caps = [v2["test-subscription-caps"]]
    api = [ev("anthropic"), ev("anthropic", kind="import", detail="claude_agent_sdk", surface="agent-sdk")]
    assert match_events(caps, api, TODAY) == []
    coding = ev("anthropic", kind="dependency", path="package.json", detail="@anthropic-ai/claude-code",
                surface="coding-agent")
    assert ids(match_events(caps, api + [coding], TODAY)) == ["test-subscription-caps"]


def test_feature_and_model_must_both_be_used(v2):
    gate = [v2["test-streaming-gate"]]
    assert match_events(gate, [model("o3", "openai"), call("chat")], TODAY) == []
    assert match_events(gate, [model("gpt-4.1", "openai"), call("chat", feature="streaming")], TODAY) == []
    (hit,) = match_events(gate, [model("o3", "openai"), call("chat", feature="streaming")], TODAY)
    assert hit.features == ("streaming",) and hit.reason == "names o3; uses streaming"


def test_scoped_events_are_conditional_until_declared(v2):
    rule = [v2["test-eu-rule"]]
    evidence = [ev("anthropic")]
    (undeclared,) = match_events(rule, evidence, TODAY)
    assert undeclared.conditional_on == ("jurisdictions",) and not undeclared.hit
    (member,) = match_events(rule, evidence, TODAY, scopes=Scopes.of(jurisdictions=["de"]))
    assert member.hit and member.scopes == (("jurisdictions", ("DE",)),)
    assert match_events(rule, evidence, TODAY, scopes=Scopes.of(jurisdictions=["US"])) == []
    assert match_events(rule, evidence, TODAY, scopes=Scopes.of(jurisdictions=[])) == []


def test_status_history_decides_the_state(v2):
    ban = v2["test-us-defence-ban"]
    assert [ban.state(date(2026, d, 1)) for d in (3, 4)] == ["upcoming", "suspended"]
    assert ban.state(date(2026, 3, 10)) == "in-effect"
    defence = Scopes.of(jurisdictions=["US"], customer_types=["defence"])
    assert match_events([ban], [ev("anthropic")], TODAY, scopes=defence) == []  # enjoined: not in effect
    (then,) = match_events([ban], [ev("anthropic")], date(2026, 3, 10), scopes=defence)
    assert then.hit and then.state == "in-effect"
    (half,) = match_events([ban], [ev("anthropic")], date(2026, 3, 10), scopes=Scopes.of(jurisdictions=["US"]))
    assert half.conditional_on == ("customer-types",)
    old = v2["test-old-pricing"]
    assert old.superseded_by == "test-new-pricing" and old.state(TODAY) == "ended"


def test_check_keeps_informational_and_conditional_apart(v2):
    evidence = [ev("anthropic"), ev("anthropic", kind="model-id", model="claude-sonnet-4-6", model_vendor="anthropic")]
    result = check(evidence, list(v2.values()), (), TODAY)
    assert ids(result.matched) == ["test-new-pricing"]
    assert ids(result.informational) == ["test-letter"]
    assert ids(result.conditional) == ["test-eu-rule"]
    assert result.conditional_note() == "1 conditional event not shown; set `jurisdictions` to see them"
    assert result.worst_in_effect() == "medium"


def test_v1_files_still_load_in_v2_terms(fixture_events, tmp_path):
    f = tmp_path / "v1.yaml"
    f.write_text((FIX / "matching.yaml").read_text().replace("status: in-effect", "status: reported", 1)
                 .replace("severity: medium\n", "severity: medium\n    applies_to:\n      regions: [cn]\n"
                          "      accounts: [Free-Tier]\n", 1).replace(
                     "    applies_to:\n      models: ['claude-2\\.1', 'claude-instant-1(\\.[0-9])?']\n", "", 1))
    first = load_events([f])[0]
    assert (first.status, first.impact, first.schema_version) == ("in-effect", "breaking", 1)
    assert first.jurisdictions == ("CN",) and first.customer_types == ("free-tier",)
    assert [r.type for r in first.references] == ["press"]


V2_EVENT = """schema_version: 2
events:
  - id: v2-event
    providers: [openai]
    kind: deprecation
    impact: breaking
    title: t
    summary: s
    announced: 2025-01-01
    effective: 2025-02-01
    status: in-effect
    status_as_of: 2026-12-07
    confidence: reported
    severity: high
    mitigation: m
    sources:
      - {url: "https://example.com", type: press}
"""


@pytest.mark.parametrize("change, key, fragment", [
    (("confidence: reported", "confidence: verified"), "confidence", "at least one source of type official"),
    (("impact: breaking", "impact: huge"), "impact", "not one of"),
    (("status: in-effect", "status: reported"), "status", "not one of"),
    (("type: press", "type: blog"), "sources[0].type", "not one of"),
    (("    mitigation: m\n", "    mitigation: m\n    applies_to:\n      surfaces: [assistant]\n"),
     "applies_to.surfaces", "did you mean 'assistants'"),
    (("    mitigation: m\n", "    mitigation: m\n    applies_to:\n      features: [streams]\n"),
     "applies_to.features", "unknown feature"),
    (("    mitigation: m\n", "    mitigation: m\n    applies_to:\n      jurisdictions: [Germany]\n"),
     "applies_to.jurisdictions", "ISO 3166"),
    (("    mitigation: m\n", "    mitigation: m\n    applies_to:\n      regions: [CN]\n"),
     "applies_to.regions", "unknown key"),
    (("    mitigation: m\n", "    mitigation: m\n    superseded_by: no-such-event\n"), "superseded_by", "no event"),
    (("    mitigation: m\n", "    mitigation: m\n    history:\n      - {date: 2025-02-01, status: in-effect}\n"
      "      - {date: 2025-01-01, status: announced}\n"), "history[1].date", "oldest first"),
    (("    status_as_of: 2026-12-07\n", ""), "status_as_of", "missing required key"),
])
def test_v2_validation(tmp_path, change, key, fragment):
    f = tmp_path / "v2.yaml"
    f.write_text(V2_EVENT.replace(*change))
    with pytest.raises(RulesError) as info:
        load_events([f])
    assert (info.value.entry_id, info.value.key) == ("v2-event", key)
    assert fragment in str(info.value)


def test_v2_event_loads(tmp_path):
    f = tmp_path / "v2.yaml"
    f.write_text(V2_EVENT)
    (event,) = load_events([f])
    assert event.impact == "breaking" and event.status_as_of == date(2026, 12, 7)


def test_feature_catalog_uses_count_as_surfaces(v2):
    """Feature evidence from rules/features.yaml (e.g. Go or JVM Assistants calls) shows its surface too."""
    from provider_audit.data.features import load_features
    from provider_audit.risk.events import CATALOG_SURFACES

    known = {f.id for f in load_features().features.values()}
    assert set(CATALOG_SURFACES) <= known
    use = ev("openai", kind="feature", path="main.go", line=12, feature="openai-assistants", detail="openai-assistants")
    (hit,) = match_events([v2["test-assistants-sunset"]], [ev("openai"), use], TODAY)
    assert [e.path for e in hit.evidence] == ["main.go"]


@pytest.mark.parametrize("patterns", [
    ("gpt-4-0314", "gpt-4-32k.*"),
    ("(x)?gpt-9", "(gpt-4o-)?(?(1)mini|nano)"),  # a conditional group: its number would shift in a union
    ("(a)b\\1", "(c)d"),  # a back-reference
    ("(?P<v>gpt)-4", "claude-(?P<w>3)"),  # named groups
    ("(?i:GPT)-4o", "o1(-mini)?"),
    ("claude-3-.*",),
])
def test_an_events_model_patterns_match_together_as_one_by_one(patterns):
    """_models_hit tries an event's patterns as one union regex: the same ids as trying each in turn."""
    import re

    from provider_audit.risk.events import _any_of

    names = ["gpt-4-0314", "gpt-4-32k-0613", "gpt-4", "gpt-4o-mini", "gpt-4o-nano", "nano", "mini", "xgpt-9",
             "aba", "cdc", "gpt-4", "claude-3", "GPT-4o", "gpt-4o", "o1", "o1-mini", "claude-3-opus", "x"]
    union = _any_of(tuple(patterns))
    for name in names:
        one_by_one = any(re.compile(p, re.IGNORECASE).fullmatch(name) for p in patterns)
        assert bool(union(name)) == one_by_one, (patterns, name)
