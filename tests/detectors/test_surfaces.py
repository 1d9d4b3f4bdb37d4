"""API surfaces and features recorded by the Python and JavaScript/TypeScript detectors (api-call evidence)."""

from __future__ import annotations

import pytest

from provider_audit.data.catalog import load_catalog
from provider_audit.detectors import js_ts, python_ast
from provider_audit.detectors.literals import classify_string
from provider_audit.detectors.surfaces import call_surface, package_surface, path_surfaces

CATALOG = load_catalog()


def calls(module, path, text):
    found = module.detect(path, text, "source", CATALOG).evidence
    return [(e.line, e.provider, e.detail, e.surface, e.feature, e.confidence) for e in found if e.kind == "api-call"]


@pytest.mark.parametrize("chain, surface", [
    ("client.beta.assistants.create", "assistants"), ("self.client.beta.threads.runs.create", "assistants"),
    ("client.responses.create", "responses"), ("openai.fineTuning.jobs.create", "fine-tuning"),
    ("client.fine_tuning.jobs.list", "fine-tuning"), ("client.batches.create", "batch"),
    ("client.messages.batches.create", "batch"), ("client.embeddings.create", "embeddings"),
    ("client.models.embedContent", "embeddings"), ("client.images.generate", "images"),
    ("client.audio.transcriptions.create", "audio"), ("client.vector_stores.create", "vector-stores"),
    ("client.evals.create", "evals"), ("client.completions.create", "completions"),
    ("client.chat.completions.create", "chat"), ("client.messages.create", "chat"),
    ("self.responses.append", None), ("results.batches", None), ("client.models.list", None),
])
def test_call_chains(chain, surface):
    assert call_surface(chain.split("."))[0] == surface


def test_python_calls_take_their_clients_provider():
    source = '''import os
from openai import OpenAI

deepseek = OpenAI(base_url="https://api.deepseek.com")

class Bot:
    def __init__(self):
        self.oa = OpenAI()

    def run(self, client):
        self.oa.beta.assistants.create(model="gpt-4o")
        deepseek.chat.completions.create(model=os.environ["M"], messages=[], stream=True)
        deepseek.chat.completions.create(model=os.environ["M"], messages=[])
        client.responses.create(model="o3", input="x", reasoning={"effort": "low", "summary": "auto"},
                                tools=[{"type": "web_search"}])
        self.responses = []
        self.responses.append(1)
'''
    assert calls(python_ast, "bot.py", source) == [
        (11, "openai", "beta.assistants.create", "assistants", None, "high"),
        (12, "deepseek", "chat.completions.create", "chat", "streaming", "high"),
        (14, "openai", "responses.create", "responses", "reasoning-summaries", "medium"),  # client from elsewhere
        (14, "openai", "responses.create", "responses", "web-search", "medium"),
    ]


def test_python_without_an_llm_sdk_records_nothing():
    assert calls(python_ast, "db.py", "import boto3\ns3 = boto3.client('s3')\ns3.files.create(x=1)\n"
                 "db.batches.create()\n") == []


def test_typescript_calls():
    source = '''import OpenAI from "openai";
const client = new OpenAI({ baseURL: "https://api.deepseek.com" });
export async function go(model: string) {
  await client.beta.assistants.create({ model });
  await client.fineTuning.jobs.create({ model, training_file: "f" });
  const s = await client.chat.completions.create({ model, messages: [], stream: true });
  await client.chat.completions.create({ model, messages: [] });
  await client.responses.create({ model, input: "x", prompt: { id: "pmpt_1" } });
}
'''
    assert calls(js_ts, "a.ts", source) == [
        (4, "deepseek", "beta.assistants.create", "assistants", None, "high"),
        (5, "deepseek", "fineTuning.jobs.create", "fine-tuning", None, "high"),
        (6, "deepseek", "chat.completions.create", "chat", "streaming", "high"),
        (8, "deepseek", "responses.create", "prompts", None, "high"),
        (8, "deepseek", "responses.create", "responses", None, "high"),
    ]


def test_rest_paths_and_agent_packages():
    assert path_surfaces("https://api.openai.com/v1/assistants/asst_1") == [("/v1/assistants", "assistants")]
    assert path_surfaces("/v1/chat/completions") == []
    hits = [h for h in classify_string("https://api.openai.com/v1/fine_tuning/jobs", CATALOG) if h.kind == "api-call"]
    assert [(h.detail, h.surface, h.attribution.provider) for h in hits] == [("/v1/fine_tuning", "fine-tuning", "openai")]
    assert package_surface("npm", "@anthropic-ai/claude-agent-sdk") == "agent-sdk"
    assert package_surface("npm", "@anthropic-ai/claude-code") == "coding-agent"
    assert package_surface("pypi", "anthropic") is None
    found = python_ast.detect("a.py", "from claude_agent_sdk import query\n", "source", CATALOG).evidence
    assert [(e.kind, e.surface) for e in found] == [("import", "agent-sdk")]
