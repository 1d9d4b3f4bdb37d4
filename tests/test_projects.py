"""End to end on small fixture projects: the verdict, the providers, and the whole JSON report."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from provider_audit.cli import main

from conftest import PROJECTS, check_project, run_json

# case -> (verdict, providers in footprint order, layers, exit code under the default policy)
EXPECTED = {
    "anthropic_only": ("single-provider", ["anthropic"], [], 1),
    "openai_only": ("single-provider", ["openai"], [], 1),
    "deepseek_base_url": ("single-provider", ["deepseek"], [], 1),
    "bedrock_claude": ("single-provider", ["aws-bedrock"], [], 1),
    "litellm_app": ("abstracted", ["anthropic"], ["litellm"], 0),
    "mixed": ("multi-provider", ["google", "openai"], [], 0),
    "docs_tests_only": ("none", [], [], 0),
    "no_llm": ("none", [], [], 0),
    # Hugging Face repo names ("openai/whisper-large-v3") used for local inference are not API calls.
    "hf_local": ("none", [], [], 0),
    # "openai/gpt-oss-120b" on a Groq client is a Groq call, not an OpenAI one.
    "groq_gpt_oss": ("single-provider", ["groq"], [], 1),
    # A layer that is only a dependency, while the code calls the SDK directly, is not in the path.
    "layer_dependency_only": ("single-provider", ["openai"], [], 1),
    # The openai SDK reads OPENAI_API_KEY by default; pointed at DeepSeek, that key is DeepSeek's.
    "deepseek_openai_key": ("single-provider", ["deepseek"], [], 1),
    # LangChain's text splitters and loaders route no model request: the OpenAI SDK does.
    "py_langchain_utilities": ("single-provider", ["openai"], [], 1),
    # An OpenAI client pointed at a settings field with no default: an endpoint chosen at run time, not OpenAI.
    "configurable_endpoint": ("abstracted", ["openai-compatible"], ["openai-compatible"], 0),
    # The plain OpenAI client with its base URL from AZURE_OPENAI_ENDPOINT: Azure OpenAI, not OpenAI.
    "azure_endpoint_env": ("single-provider", ["azure-openai"], [], 1),
    # "openrouter/anthropic/..." through LiteLLM calls OpenRouter; Anthropic and Google only make the models.
    "litellm_router_prefix": ("abstracted", ["openrouter"], ["litellm", "openrouter"], 0),
    # Groq's llama-3.3-70b-versatile is a Groq id: no Meta Llama API beside Groq.
    "groq_only_id": ("single-provider", ["groq"], [], 1),
    # A Helm chart whose only key is injected by templates/ beside Chart.yaml: production deployment config.
    "helm_chart": ("single-provider", ["anthropic"], [], 1),
    # Simon Willison's llm: a layer (llm.get_model) with one plugin per provider.
    "llm_library": ("abstracted", ["anthropic"], ["llm-library"], 0),
    # Eval results naming other vendors' models are data: they never make a second provider.
    "eval_results_data": ("single-provider", ["anthropic"], [], 1),
    # A legacy script beside the real app is reported as mentioned, outside the main app: no flip.
    "legacy_script": ("single-provider", ["google"], [], 1),
    # A mock server of the OpenAI API (respx routes, types only) calls nothing.
    "mock_server": ("none", [], [], 0),
}




@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_verdict_and_golden(case, golden):
    check_project(case, EXPECTED[case], golden)


def test_output_is_deterministic():
    first, _ = run_json(PROJECTS / "mixed")
    second, _ = run_json(PROJECTS / "mixed")
    assert first.stdout == second.stdout


def test_claude_on_bedrock_keeps_vendor_and_platform_apart():
    _, report = run_json(PROJECTS / "bedrock_claude")
    models = [u for u in report["usages"] if u["kind"] == "model-id"]
    assert models and all(u["provider"] == "aws-bedrock" and u["model_vendor"] == "anthropic" for u in models)


def test_openai_sdk_with_deepseek_base_url_is_deepseek():
    _, report = run_json(PROJECTS / "deepseek_base_url")
    clients = [u for u in report["usages"] if u["kind"] == "client"]
    assert [(c["provider"], c["detail"]) for c in clients] == [("deepseek", "openai.OpenAI base_url=api.deepseek.com")]
    dependency = next(u for u in report["usages"] if u["kind"] == "dependency")
    assert dependency["detail"] == "openai" and dependency["provider"] == "deepseek"
    assert not any(u["provider"] == "openai" for u in report["usages"])


def test_openai_sdk_pointed_at_github_models_is_github_models(tmp_path):
    """GitHub Models (models.github.ai) serves several vendors' models behind one OpenAI-compatible host."""
    (tmp_path / "app.py").write_text(
        "import os\nfrom openai import OpenAI\n\n"
        "client = OpenAI(base_url=\"https://models.github.ai/inference\", api_key=os.environ[\"GITHUB_TOKEN\"])\n"
        "reply = client.chat.completions.create(model=\"openai/gpt-4.1\", messages=[])\n")
    (tmp_path / "web.ts").write_text(
        'import { createGithubModels } from "@github/models";\n'
        'export const model = createGithubModels()("meta/meta-llama-3.1-8b-instruct");\n')
    _, report = run_json(tmp_path)
    python = {(u["kind"], u["provider"], u["model_vendor"]) for u in report["usages"] if u["path"] == "app.py"}
    assert ("client", "github-models", None) in python
    assert ("model-id", "github-models", "openai") in python
    assert not any(u["provider"] == "openai" for u in report["usages"])  # GITHUB_TOKEN is no provider's key
    assert any(u["path"] == "web.ts" and u["provider"] == "github-models" and u["layer"] == "vercel-ai-sdk"
               for u in report["usages"])


def test_ibm_watsonx(tmp_path):
    (tmp_path / "requirements.txt").write_text("ibm-watsonx-ai==1.3.0\nlangchain-ibm\n")
    (tmp_path / "app.py").write_text(
        "import os\nfrom ibm_watsonx_ai import Credentials\nfrom ibm_watsonx_ai.foundation_models import ModelInference\n\n"
        "model = ModelInference(model_id=\"ibm/granite-3-8b-instruct\", project_id=os.environ[\"WATSONX_PROJECT_ID\"],\n"
        "                       credentials=Credentials(url=\"https://eu-de.ml.cloud.ibm.com\"))\n")
    (tmp_path / "chain.py").write_text("from langchain_ibm import ChatWatsonx\n\nllm = ChatWatsonx(model_id=\"x\")\n")
    _, report = run_json(tmp_path)
    found = {(u["path"], u["kind"], u["provider"], u["layer"]) for u in report["usages"]}
    assert {("requirements.txt", "dependency", "watsonx", None), ("app.py", "client", "watsonx", None),
            ("app.py", "endpoint", "watsonx", None), ("app.py", "env-var", "watsonx", None),
            ("chain.py", "client", "watsonx", "langchain")} <= found
    assert [p["id"] for p in report["providers"]] == ["watsonx"]


def test_evidence_outside_production_is_kept_with_its_context():
    _, report = run_json(PROJECTS / "docs_tests_only")
    contexts = {u["context"] for u in report["usages"]}
    assert contexts == {"docs", "test", "example"}
    assert report["providers"] == []


def test_secrets_never_appear_in_reports():
    for fmt in ("json", "text"):
        result = CliRunner().invoke(main, [str(PROJECTS / "anthropic_only"), "--format", fmt, "--isolated", "--no-git"])
        assert "CANARY" not in result.output
        assert "ANTHROPIC_API_KEY" in result.output


def _mentioned(case):
    _, report = run_json(PROJECTS / case)
    return {m["id"]: m for m in report["mentioned"]}, report


def test_mentioned_not_reached_lists_why_and_never_counts():
    mentioned, report = _mentioned("eval_results_data")
    assert set(mentioned) == {"openai", "google"}
    assert all(m["contexts"] == ["data"] and m["files"] == ["eval_results/leaderboard.json"] for m in mentioned.values())
    assert [p["id"] for p in report["providers"]] == ["anthropic"]
    mentioned, report = _mentioned("legacy_script")
    assert mentioned["openai"]["contexts"] == ["auxiliary"]
    assert any("mentioned, not reached" in r and "OpenAI" in r for r in report["lock_in"]["reasons"])


def test_openai_compatible_endpoint_gets_no_openai_risk_events():
    _, report = run_json(PROJECTS / "configurable_endpoint")
    assert not any(u["provider"] == "openai" for u in report["usages"])
    client = next(u for u in report["usages"] if u["kind"] == "client")
    assert (client["provider"], client["model_vendor"]) == ("openai-compatible", None)
    # Neither OpenAI's events nor those of the model's maker (a Qwen default sent to the team's own server).
    assert report["risk"]["matched"] == []


def test_helm_templates_are_deployment_config():
    _, report = run_json(PROJECTS / "helm_chart")
    key = next(u for u in report["usages"] if u["kind"] == "env-var")
    assert (key["path"], key["context"], key["provider"]) == ("chart/templates/deployment.yaml", "config", "anthropic")
