"""Misses found by running the tool on real repositories (benchmarks/risk/real-repos-2026-12-07.md).

* A YAML model table keyed by model id (charmbracelet/mods' embedded config_template.yml: ``gpt-4-32k:``
  with its settings below) named no model: only values and list items were read.
* Feature evidence from the feature catalog (rules/features.yaml) reached an event's ``features`` only
  through a hand-kept map that left out every catalog entry of category ``function-calling`` and gave
  ``openai-vector-stores`` (category ``file-search``) no feature: events scoped to those never matched.
* vercel/ai: the Vercel AI SDK's own package is ``ai``, too short to be a prefilter keyword, so a file
  whose only provider text was ``import { streamText } from "ai"`` (a Next.js route, a package.json
  with ``"ai"`` alone) was never read. Its files were found only when another keyword happened to be
  there: ``@ai-sdk/provider`` inside ``@ai-sdk/provider-utils``, a package the catalog does not list.
  Likewise a variable named after a provider (``GOOGLE_VERTEX_API_KEY``, ``QWEN_API_KEY``) spelled no
  keyword: vercel/ai's Vertex provider was found through that same ``@ai-sdk/provider-utils`` import.
  So did a local server on a loopback address other than ``localhost`` (``http://127.0.0.1:11434``), and
  a REST path of an API surface joined to a configured base (``base + "/v1/responses"``). (Found by
  scanning vercel/ai with the prefilter off and comparing.)
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


# ------------------------------------------------------------------ data found wrong or missing on real repos

def model_use(name, provider, path="app.py"):
    return Evidence(kind="model-id", path=path, line=1, column=1, context="source", provider=provider,
                    model_vendor=None, detail=name, model=name)


def shipped_event(event_id):
    from provider_audit.risk.events import shipped_paths

    (event,) = [e for e in load_events(shipped_paths()) if e.id == event_id]
    return event


def test_sonnet_4_retirement_names_real_ids_only():
    """mods' config has the user alias ``claude-sonnet-4`` (never sent; the API id is the dated one): it
    is not an Anthropic id, so the event must not name it, and the dated id is reported by the lifecycle table."""
    event = shipped_event("anthropic-2026-06-sonnet4-opus4-retirement")
    day = date(2026, 12, 7)
    for alias in ("claude-sonnet-4", "claude-opus-4"):
        assert match_events([event], [model_use(alias, "anthropic")], day) == [], alias
    for real in ("claude-sonnet-4-20250514", "claude-opus-4-0"):
        assert match_events([event], [model_use(real, "anthropic")], day), real


def bedrock_check(model, day):
    from provider_audit.risk.check import check

    event = shipped_event("aws-bedrock-2026-09-model-lifecycle-policy")
    client = Evidence(kind="client", path="app.py", line=2, column=1, context="source", provider="aws-bedrock",
                      model_vendor=None, detail="boto3.client")
    result = check([client, model_use(model, "aws-bedrock")], [event], [], day,
                   lifecycle=load_lifecycle_table(CATALOG))
    return [m.event.id for m in result.matched], [(f.model, f.phase) for f in result.lifecycle]


def test_bedrock_extended_access_pricing_reaches_only_models_still_in_legacy():
    """AWS: the paid extended-access part of Legacy comes before EOL; after EOL requests fail. An app on a
    Bedrock model already past EOL gets the lifecycle finding, not this cost item as well
    (sciosci/mamorx-review-system, roy777rajat/insurance-agent-lab); before EOL it gets both; a model in
    Legacy today gets the cost item (anthropics/claude-quickstarts)."""
    old = "anthropic.claude-3-5-sonnet-20240620-v1:0"  # EOL 2026-07-30
    assert bedrock_check(old, date(2026, 12, 7)) == ([], [(old, "retired")])
    assert bedrock_check(old, date(2026, 6, 15)) == (["aws-bedrock-2026-09-model-lifecycle-policy"],
                                                      [(old, "scheduled")])
    for legacy in ("anthropic.claude-sonnet-4-5-20250929-v1:0", "us.anthropic.claude-sonnet-4-5-20250929-v1:0"):
        hits, _ = bedrock_check(legacy, date(2026, 12, 7))
        assert hits == ["aws-bedrock-2026-09-model-lifecycle-policy"], legacy
    # A model with no Legacy date (active) is not in scope.
    assert bedrock_check("anthropic.claude-haiku-4-5-20251001-v1:0", date(2026, 12, 7))[0] == []


def test_openai_ids_the_api_reference_marks_shut_down():
    table = load_lifecycle_table(CATALOG)
    evidence = [model_use(m, "openai") for m in (
        "gpt-3.5-turbo-16k", "o1-preview-2024-09-12", "o1-mini-2024-09-12", "gpt-4o-search-preview",
        "gpt-4o-mini-search-preview", "gpt-4o-audio-preview-2024-12-17", "gpt-4o-audio-preview-2025-06-03",
        "gpt-4o-mini-audio-preview-2024-12-17", "gpt-4o-mini-realtime-preview-2024-12-17")]
    found = {f.model: f.phase for f in match_lifecycle(table, evidence, date(2026, 12, 7))}
    assert found == {e.model: "retired" for e in evidence}


def test_bedrock_extended_access_event_lists_every_bedrock_model_in_scope():
    """The event's model list mirrors the Bedrock lifecycle table (models with an EOL after 2026-02-01, the
    policy's scope): a model given such a date there must be added to the event, or this test fails."""
    import re

    event = shipped_event("aws-bedrock-2026-09-model-lifecycle-policy")
    patterns = [re.compile(p, re.IGNORECASE) for p in event.models]
    table = load_lifecycle_table(CATALOG)
    in_legacy = {i for e in table.models if e.platform == "aws-bedrock" and e.shutdown is not None
                 and e.shutdown > date(2026, 2, 1) for i in e.ids}
    assert in_legacy
    assert all(any(p.fullmatch(i) for p in patterns) for i in in_legacy), in_legacy


def test_deepseek_v4_pro_was_not_rerouted():
    """DeepSeek's quick-start page first announced routing deepseek-v4-pro to V4.1 Flash from 2026-09-14, then
    (later copy, api-docs.deepseek.com/news/v4-1-flash) kept serving V4 Pro after that day at unchanged
    billing: no lifecycle finding for it. The retired names (deepseek-chat, deepseek-v4-flash) still are."""
    table = load_lifecycle_table(CATALOG)
    found = {f.model: f.phase for f in match_lifecycle(
        table, [model_use(m, "deepseek") for m in ("deepseek-v4-pro", "deepseek-chat", "deepseek-v4-flash")],
        date(2026, 12, 7))}
    assert found == {"deepseek-chat": "retired", "deepseek-v4-flash": "retired"}


PROXY_CONFIG = """\
apis:
  openai:
    base_url: https://api.openai.com
    param_whitelist:
      model:
        - gpt-4o
        - o4-mini
        - gpt-5
    allowed_models:
      - gpt-4-32k
    default_model: o4-mini
"""


def test_model_ids_in_an_allow_list_are_mentions_not_requests():
    """sofatutor/llm-proxy: a proxy's allow-list (``param_whitelist.model``) names the models clients may
    ask for; the proxy sends none of them itself. They stay visible (low confidence) but are not production
    evidence, so a retired id there is no lifecycle finding; a model the config selects still is."""
    evidence = list(config_file.detect("config/api_providers.yaml", PROXY_CONFIG, "config", CATALOG).evidence)
    confidence = {(e.model, e.line): e.confidence for e in evidence if e.kind == "model-id"}
    assert confidence[("o4-mini", 7)] == "low" and confidence[("gpt-5", 8)] == "low"
    assert confidence[("gpt-4-32k", 10)] == "low"
    assert confidence[("o4-mini", 11)] != "low"
    found = match_lifecycle(load_lifecycle_table(CATALOG), evidence, date(2026, 12, 7))
    assert [(f.model, [e.line for e in f.evidence]) for f in found] == [("o4-mini", [11])]


def test_a_prefix_passed_to_startswith_is_not_a_model_sent():
    """kevin-toles/llm-gateway: ``model.startswith(("gpt-5", "gpt-4", "gpt-3.5-turbo"))`` tests a prefix; the
    strings are not models the code sends, so no lifecycle finding rests on them (they stay, at low confidence)."""
    from provider_audit.detectors import python_ast

    code = ('from openai import OpenAI\nclient = OpenAI()\n\n\ndef supports(model):\n'
            '    return model.startswith(("gpt-5", "gpt-4", "gpt-3.5-turbo")) or model.endswith("-0613")\n\n\n'
            'def tokens(name):\n    if name.startswith("gpt-5"):\n        return "max_completion_tokens"\n\n\n'
            'def ask(q):\n    return client.chat.completions.create(model="gpt-4", messages=[q])\n')
    evidence = list(python_ast.detect("src/providers/openai.py", code, "source", CATALOG).evidence)
    low = {(e.model, e.line) for e in evidence if e.kind == "model-id" and e.confidence == "low"}
    assert {("gpt-5", 6), ("gpt-4", 6), ("gpt-3.5-turbo", 6), ("gpt-5", 10)} <= low
    assert ("gpt-4", 15) not in low


def test_a_prefix_in_startswith_gets_no_lifecycle_finding_in_a_scan(tmp_path):
    from provider_audit.api import audit

    (tmp_path / "app.py").write_text(
        'from openai import OpenAI\nclient = OpenAI()\n\n\ndef max_tokens_key(model):\n'
        '    return "max_completion_tokens" if model.startswith(("gpt-5", "gpt-3.5-turbo")) else "max_tokens"\n\n\n'
        'def ask(q):\n    return client.chat.completions.create(model="gpt-4", messages=[q])\n')
    result = audit(tmp_path, isolated=True, no_git=True, no_cache=True, as_of=date(2026, 12, 7))
    assert [(f.model, [e.line for e in f.evidence]) for f in result.risk.lifecycle] == [("gpt-4", [10])]


def test_a_litellm_prefix_wins_over_a_local_endpoint_constant_in_the_file(tmp_path):
    """aidiss/lithuanian-artificial-intelligence-party (src/ldip/completion.py): one file passes
    ``anthropic/claude-3-5-sonnet-20240620`` and ``openai/gpt-3.5-turbo`` to ``litellm.completion`` and also
    holds ``OLLAMA_API_BASE = "http://localhost:11434"``. LiteLLM sends a ``provider/model`` id to the provider
    it names; the Ollama URL is for the ``ollama/...`` ids. The prefixed ids were given to Ollama."""
    from provider_audit.api import audit

    (tmp_path / "requirements.txt").write_text("litellm==1.40.0\n")
    (tmp_path / "completion.py").write_text(
        'import litellm\n\nOLLAMA_API_BASE = "http://localhost:11434"\nLOCAL = "ollama/llama3"\n'
        'CLAUDE = "anthropic/claude-3-5-sonnet-20240620"\nGPT = "openai/gpt-3.5-turbo"\nMODEL = CLAUDE\n\n\n'
        'def complete(message, model=MODEL):\n'
        '    return litellm.completion(model, [{"role": "user", "content": message}]).choices[0].message.content\n')
    result = audit(tmp_path, isolated=True, no_git=True, no_cache=True, as_of=date(2026, 12, 7))
    placed = {e.model: e.provider for e in result.usages if e.kind == "model-id"}
    assert placed == {"ollama/llama3": "ollama", "anthropic/claude-3-5-sonnet-20240620": "anthropic",
                      "openai/gpt-3.5-turbo": "openai"}


def _usages(tmp_path, files):
    import provider_audit

    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    result = provider_audit.audit(tmp_path, isolated=True, no_cache=True)
    return {(e.path, e.kind, e.detail) for e in result.usages}


def test_the_package_named_ai_is_found_where_it_is_the_only_provider_text(tmp_path):
    found = _usages(tmp_path, {
        "app/api/chat/route.ts": 'import { streamText } from "ai";\nimport { model } from "@/lib/model";\n'
                                 "export const POST = () => streamText({ model });\n",
        "app/rsc.tsx": "import { createStreamableUI } from 'ai/rsc';\n",
        "package.json": '{"name": "x", "dependencies": {"ai": "^4.0.0", "next": "15.0.0"}}\n',
        "yarn.lock": '# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.\n# yarn lockfile v1\n\n\n'
                     'ai@^4.0.0:\n  version "4.0.0"\n  resolved "https://registry.yarnpkg.com/ai/-/ai-4.0.0.tgz#0a1b"\n',
        "pnpm-lock.yaml": "lockfileVersion: '9.0'\npackages:\n  ai@4.0.0:\n    resolution: {integrity: sha512-x}\n",
    })
    assert ("app/api/chat/route.ts", "import", "ai") in found
    assert ("app/rsc.tsx", "import", "ai") in found
    assert ("package.json", "dependency", "ai") in found
    assert ("yarn.lock", "dependency", "ai") in found
    assert ("pnpm-lock.yaml", "dependency", "ai") in found


def test_a_scoped_package_keyword_counts_only_where_the_name_ends():
    prefilter = CATALOG.prefilter
    assert "@ai-sdk/provider" in CATALOG.whole_names()
    assert not prefilter('import { loadApiKey } from "@ai-sdk/provider-utils";')
    assert not prefilter(b'import { loadApiKey } from "@ai-sdk/provider-utils";')
    for text in ('import type { LanguageModelV3 } from "@ai-sdk/provider";', '"@ai-sdk/provider@1.0.0":',
                 "/@ai-sdk/provider@1.0.0:", "import x from '@ai-sdk/provider/internal'", "@ai-sdk/provider"):
        assert prefilter(text) and prefilter(text.encode()), text


def test_a_scoped_name_another_keyword_contains_counts_anywhere():
    """``@ai-sdk/openai`` holds the keyword ``openai``; a listed ``@x/core-utils`` makes ``@x/core`` stand for
    it too: neither is a whole name."""
    import copy

    import yaml

    from provider_audit.data.catalog import Catalog
    from provider_audit.data.resources import rules_dir

    data = copy.deepcopy(yaml.safe_load((rules_dir() / "providers.yaml").read_text()))
    data["providers"][0]["packages"] = {"npm": ["@x/core", "@x/core-utils", "@y/only"]}
    catalog = Catalog(data, "test")
    assert "@y/only" in catalog.whole_names() and not {"@x/core", "@x/core-utils"} & catalog.whole_names()
    assert catalog.prefilter("@x/core-extra") and not catalog.prefilter("@y/only-extra")


def test_a_key_variable_named_after_a_provider_is_found_alone(tmp_path):
    found = _usages(tmp_path, {
        ".env.example": "GOOGLE_VERTEX_API_KEY=\nQWEN_API_KEY=\n",
        "src/settings.ts": "export const key = { environmentVariableName: 'GOOGLE_VERTEX_API_KEY' };\n",
    })
    assert {(".env.example", "env-var", "GOOGLE_VERTEX_API_KEY"), (".env.example", "env-var", "QWEN_API_KEY"),
            ("src/settings.ts", "env-var", "GOOGLE_VERTEX_API_KEY")} <= found


def test_every_derived_key_variable_passes_the_prefilter():
    names = [f"{prefix}_{tail}" for prefix in CATALOG._env_prefixes for tail in ("API_KEY", "BASE_URL", "TOKEN")]
    assert names and all(CATALOG.env_var(name) is not None for name in names)
    assert [name for name in names if not CATALOG.prefilter(name.lower())] == []


def test_local_servers_on_any_loopback_name_and_rest_paths_pass_the_prefilter(tmp_path):
    found = _usages(tmp_path, {
        "src/local.ts": 'export const base = "http://127.0.0.1:11434/v1";\n',
        "src/rest.ts": 'export const url = process.env.BASE + "/v1/assistants";\n',
    })
    assert ("src/local.ts", "endpoint", "127.0.0.1:11434") in found
    assert ("src/rest.ts", "api-call", "/v1/assistants") in found
    for host in [h for h in CATALOG._hosts if h.startswith("localhost:")]:
        port = host.split(":", 1)[1]
        for name in ("127.0.0.1", "0.0.0.0", "[::1]", "host.docker.internal"):
            assert CATALOG.prefilter(f"http://{name}:{port}/"), (name, port)
