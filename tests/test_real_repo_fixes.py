"""Misses found by running the tool on real repositories (benchmarks/risk/real-repos-2026-12-07.md).

* A YAML model table keyed by model id (charmbracelet/mods' embedded config_template.yml: ``gpt-4-32k:``
  with its settings below) named no model: only values and list items were read.
* Feature evidence from the feature catalog (rules/features.yaml) reached an event's ``features`` only
  through a hand-kept map that left out every catalog entry of category ``function-calling`` and gave
  ``openai-vector-stores`` (category ``file-search``) no feature: events scoped to those never matched.
"""

from __future__ import annotations

from datetime import date

from provider_audit.data.catalog import load_catalog
from provider_audit.data.features import CATEGORIES, load_features
from provider_audit.detectors import config_file
from provider_audit.models import Evidence
from provider_audit.risk.check import load_lifecycle_table
from provider_audit.risk.events import FEATURES, feature_of, load_events, match_events
from provider_audit.risk.lifecycle import match_lifecycle

CATALOG = load_catalog()

MODEL_TABLE = """\
default-model: gpt-4o
apis:
  openai:
    base-url: https://api.openai.com/v1
    api-key-env: OPENAI_API_KEY
    models:
      gpt-4-32k:
        aliases: ["32k"]
        max-input-chars: 98000
      "gpt-3.5-turbo-16k":
        max-input-chars: 44500
        fallback: gpt-3.5
  anthropic:
    base-url: https://api.anthropic.com/v1
    models:
      claude-3-5-haiku-20241022:
        aliases: ["haiku"]
      claude-sonnet-4-20250514: {max-input-chars: 680000}
settings:
  max-input-chars: 1000
  temperature: 1.0
  models: 3
"""


def models_found(text: str, path: str = "config_template.yml"):
    report = config_file.detect(path, text, "config", CATALOG)
    return {(e.model, e.line, e.provider) for e in report.evidence if e.kind == "model-id"}


def test_yaml_keys_that_are_model_ids_are_found():
    found = models_found(MODEL_TABLE)
    assert ("gpt-4-32k", 7, "openai") in found
    assert ("gpt-3.5-turbo-16k", 10, "openai") in found
    assert ("claude-3-5-haiku-20241022", 16, "anthropic") in found
    assert ("claude-sonnet-4-20250514", 18, "anthropic") in found
    # Keys that are settings, not models, are not read as ids.
    assert {m for m, _, _ in found} == {"gpt-4o", "gpt-4-32k", "gpt-3.5-turbo-16k", "claude-3-5-haiku-20241022",
                                         "claude-sonnet-4-20250514"}


def test_a_retired_id_keyed_in_a_model_table_is_a_lifecycle_finding():
    evidence = list(config_file.detect("config_template.yml", MODEL_TABLE, "config", CATALOG).evidence)
    found = {(f.platform, f.model): f for f in match_lifecycle(load_lifecycle_table(CATALOG), evidence,
                                                               date(2026, 12, 7))}
    assert found[("openai", "gpt-4-32k")].phase == "retired"
    assert found[("anthropic", "claude-3-5-haiku-20241022")].phase == "retired"
    assert [e.line for e in found[("openai", "gpt-4-32k")].evidence] == [7]


def test_keys_in_prose_or_non_model_yaml_stay_silent():
    text = "jobs:\n  build:\n    steps:\n      - run: echo hi\nmodel:\n  name: x\nopenai:\n  enabled: true\n"
    assert models_found(text, ".github/workflows/ci.yml") == set()


def feature(fid, provider="openai"):
    return Evidence(kind="feature", path="main.go", line=12, column=1, context="source", provider=provider,
                    model_vendor=None, detail=fid, feature=fid)


def test_every_catalog_category_is_an_event_feature_and_reaches_events():
    catalog = load_features()
    assert set(CATEGORIES) == set(FEATURES)
    for f in catalog.features.values():
        if f.category in FEATURES:
            assert feature_of(feature(f.id)) == f.category, f.id


EVENT = """schema_version: 2
events:
  - id: scoped-to-tools
    providers: [openai]
    kind: deprecation
    impact: breaking
    title: t
    summary: s
    announced: 2026-01-01
    effective: 2026-02-01
    status: in-effect
    status_as_of: 2026-12-07
    confidence: reported
    severity: high
    applies_to:
      features: [function-calling]
    mitigation: m
    sources:
      - {url: "https://example.com", type: press}
"""


def test_an_event_scoped_to_function_calling_matches_catalog_tool_use(tmp_path):
    path = tmp_path / "e.yaml"
    path.write_text(EVENT)
    events = load_events([path])
    client = Evidence(kind="client", path="app.go", line=3, column=1, context="source", provider="openai",
                      model_vendor=None, detail="openai.NewClient")
    assert match_events(events, [client], date(2026, 12, 7)) == []
    (hit,) = match_events(events, [client, feature("openai-tool-format")], date(2026, 12, 7))
    assert [e.path for e in hit.evidence] == ["main.go"]
