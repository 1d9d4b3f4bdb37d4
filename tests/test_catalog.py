"""The provider catalog: it validates, and its look-ups attribute what real code writes."""

from __future__ import annotations

import copy

import pytest
import yaml

from provider_audit.data.catalog import Catalog, CatalogError, load_catalog
from provider_audit.data.resources import rules_dir

REQUIRED = ("openai anthropic google azure-openai aws-bedrock vertex-ai mistral cohere deepseek alibaba-qwen "
            "moonshot minimax zhipu xai groq together fireworks perplexity openrouter meta huggingface ollama "
            "vllm").split()


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture(scope="module")
def data():
    return yaml.safe_load((rules_dir() / "providers.yaml").read_text())


def test_every_required_provider_and_layer_is_known(catalog):
    assert set(REQUIRED) <= set(catalog.providers)
    assert {"litellm", "any-llm", "aisuite", "langchain", "llama-index", "vercel-ai-sdk", "portkey"} <= set(catalog.layers)


@pytest.mark.parametrize("model, vendor, provider", [
    ("gpt-4o-2024-08-06", "openai", None),
    ("claude-3-5-sonnet-20241022", "anthropic", None),
    ("claude-sonnet-4-5-20250929", "anthropic", None),
    ("gemini-2.5-flash", "google", None),
    ("anthropic.claude-3-5-sonnet-20240620-v1:0", "anthropic", "aws-bedrock"),
    ("us.anthropic.claude-3-7-sonnet-20250219-v1:0", "anthropic", "aws-bedrock"),
    ("claude-3-5-sonnet-v2@20241022", "anthropic", "vertex-ai"),
    ("mistral-large-latest", "mistral", None),
    ("command-r-plus", "cohere", None),
    ("deepseek-chat", "deepseek", None),
    ("qwen-max-2025-01-25", "alibaba-qwen", None),
    ("kimi-k2-0905-preview", "moonshot", None),
    ("glm-4.5", "zhipu", None),
    ("grok-4-0709", "xai", None),
    ("sonar-pro", "perplexity", None),
])
def test_model_ids_name_their_vendor_and_platform(catalog, model, vendor, provider):
    found = catalog.model(model)
    assert found is not None and (found.vendor, found.provider) == (vendor, provider)


@pytest.mark.parametrize("text", ["gpt", "claude", "gemini", "model", "default", "mistral", "llama", "command",
                                  "gpt-4o-mini-", "claude-code", "test-model", "hello world", "o1", "sonar"])
def test_ordinary_strings_are_not_model_ids(catalog, text):
    assert catalog.model(text) is None


def test_ambiguous_words_count_only_where_a_model_is_expected(catalog):
    assert catalog.model("command") is None
    assert catalog.model("command", expected=True).vendor == "cohere"


def test_prefixed_ids_name_a_service_only_as_a_prefix(catalog):
    found = catalog.model("bedrock/anthropic.claude-3-haiku-20240307-v1:0")
    assert (found.vendor, found.provider) == ("anthropic", "aws-bedrock")
    routed = catalog.model("anthropic/claude-3.5-sonnet:free")
    assert (routed.vendor, routed.provider, routed.prefix_provider) == ("anthropic", None, "anthropic")


def test_hosts_env_and_packages(catalog):
    assert catalog.host("api.deepseek.com").provider == "deepseek"
    assert catalog.host("my-resource.openai.azure.com").provider == "azure-openai"
    assert catalog.host("127.0.0.1", 11434).provider == "ollama"
    assert catalog.host("localhost", 3000) is None
    assert catalog.env_var("ANTHROPIC_API_KEY").provider == "anthropic"
    assert catalog.package("pypi", "Google_GenAI").provider == "google"
    assert catalog.package("npm", "@ai-sdk/anthropic").layer == "vercel-ai-sdk"
    assert catalog.package("pypi", "portkey") is None  # an unrelated 2018 package, not the gateway
    assert catalog.env_var("AZURE_OPENAI_KEY").provider == "azure-openai"
    assert catalog.package("go", "github.com/openai/openai-go/v3/azure").provider == "azure-openai"
    assert catalog.package("maven", "dev.langchain4j:langchain4j-open-ai-spring-boot-starter").provider == "openai"
    assert catalog.package("maven", "dev.langchain4j:langchain4j-spring-boot-starter").provider is None


def test_voyage_embeddings(catalog):
    assert catalog.package("pypi", "voyageai").provider == "voyage"
    assert catalog.host("api.voyageai.com").provider == "voyage"
    assert catalog.env_var("VOYAGE_API_KEY").provider == "voyage"
    for model in ("voyage-3-large", "voyage-3.5-lite", "voyage-code-3", "rerank-2.5", "rerank-lite-1"):
        assert catalog.model(model).vendor == "voyage", model
    assert catalog.capability_of("voyage-3").id == "embeddings"
    assert catalog.capability_of("rerank-2").id == "rerank"
    assert catalog.model("voyage") is None and catalog.model("rerank-v3.5").vendor == "cohere"


def test_prefilter_keywords_find_files_and_skip_lockfile_hashes(catalog):
    assert catalog.prefilter('client = openai.OpenAI()'.lower())
    assert catalog.prefilter('model: "abab6.5s-chat"')
    assert not catalog.prefilter("sha256:0abab5f9e1")
    assert not catalog.prefilter("import flask\napp = flask.flask(__name__)")


def test_capabilities_pick_alternatives(catalog):
    embeddings = catalog.capability_of("text-embedding-3-small")
    assert embeddings.id == "embeddings"
    assert "anthropic" not in catalog.alternatives("openai", embeddings)
    assert catalog.capability_of("gpt-4o").id == "chat"
    assert "openai" not in catalog.alternatives("openai", catalog.capability_of("gpt-4o"))


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d["providers"][0].update(kindd="api"), "provider 'openai': key 'kindd': unknown key (did you mean 'kind'?)"),
    (lambda d: d["providers"][0].update(kind="cloud"), "provider 'openai': key 'kind': expected one of"),
    (lambda d: d["providers"][0].update(models=["(a+)+"]), "may backtrack catastrophically"),
    (lambda d: d["providers"][1].update(id="openai"), "key 'id': duplicate id"),
    (lambda d: d["providers"][0].update(alternatives=["nobody"]), "key 'alternatives': unknown provider 'nobody'"),
    (lambda d: d["providers"][0].update(models=["gpt-[4"]), "does not compile"),
])
def test_invalid_catalog_names_entry_and_key(data, mutate, message):
    broken = copy.deepcopy(data)
    mutate(broken)
    with pytest.raises(CatalogError) as error:
        Catalog(broken, "providers.yaml")
    assert message in str(error.value)


def test_model_heads_reject_only_what_the_model_pattern_rejects(catalog):
    """``_match_model`` turns a string away by its first characters before the combined pattern runs: every
    string the pattern takes must pass that check (model ids from the lifecycle tables, the catalog's own
    examples, the fixtures' quoted strings, and those upper-cased or with a prefix)."""
    import random
    import re

    from provider_audit.risk.lifecycle import load_lifecycle

    from conftest import FIXTURES

    assert catalog._model_heads  # the shipped patterns all start with a literal prefix
    texts = {model_id for entry in load_lifecycle().models for model_id in entry.ids}
    for path in sorted(p for p in FIXTURES.rglob("*") if p.is_file()):
        texts.update(re.findall(r"[\"']([A-Za-z0-9][A-Za-z0-9._:/@+-]{1,80})[\"']", path.read_text(errors="replace")))
    rnd = random.Random(7)
    texts.update("".join(rnd.choice("gptclaude-34o.mini") for _ in range(rnd.randint(2, 12))) for _ in range(3000))
    texts |= {t.upper() for t in list(texts)} | {"x" + t for t in list(texts)[:500]}
    compiled = catalog._compiled_models()
    taken = 0
    for text in sorted(texts):
        if compiled.fullmatch(text):
            taken += 1
            assert catalog._match_model(text) is not None, text
    assert taken > 500


def test_a_catalog_with_one_model_pattern_loads(data):
    """One pattern joins into a lone subpattern, not a branch of them: its prefix is still read."""
    single = copy.deepcopy(data)
    for provider in single["providers"]:
        provider.pop("models", None)
        provider.pop("platform_models", None)
    single["providers"][0]["models"] = ["mymodel-[0-9]+"]
    catalog = Catalog(single, "providers.yaml")
    assert catalog.model("mymodel-3") is not None and catalog.model("other-3") is None
    assert catalog._model_heads == frozenset({"mymo"})


def test_model_ids_are_ascii(catalog):
    """The patterns ignore the case of ASCII letters only: a look-alike spelled with a long s or a Kelvin
    sign is no model id (Unicode case folding would read them as "s" and "k"), with or without the heads."""
    assert catalog._match_model("SONAR-PRO").vendor == catalog._match_model("sonar-pro").vendor == "perplexity"
    assert catalog._match_model("\u017fonar-pro") is None
    assert catalog._match_model("gpt-35-turbo-16k") is not None
    assert catalog._match_model("gpt-35-turbo-16\u212a") is None  # a Kelvin sign
    heads, catalog._model_heads = catalog._model_heads, None
    try:
        assert catalog._match_model("\u017fonar-pro") is None
        assert catalog._match_model("sonar-pro") is not None
    finally:
        catalog._model_heads = heads


def test_no_keyword_holds_a_line_break(catalog):
    """A keyword is looked for in a line's text (``keyword_lines``, and ``rg -F -f`` in the benchmark)."""
    assert [k for k in catalog.keywords if "\n" in k or "\r" in k or not k.strip()] == []
