"""End to end on projects that are not (only) Python: a TypeScript service, a Go tool, and a polyglot repo.

The polyglot project is a Python API on OpenAI, a TypeScript front end calling Claude directly with
@anthropic-ai/sdk, a Gemini evaluation notebook under notebooks/ (example context: not production) and a
docker-compose.yml passing both API keys. Its verdict must be multi-provider, and it must stay so on the
strength of the TypeScript code alone (the second provider is nowhere in the Python).
"""

from __future__ import annotations

import pytest

from conftest import PROJECTS, check_project, run_json

# case -> (verdict, providers in footprint order, layers, exit code under the default policy)
EXPECTED = {
    "ts_only": ("single-provider", ["anthropic"], [], 1),
    "go_only": ("single-provider", ["openai"], [], 1),
    "polyglot": ("multi-provider", ["openai", "anthropic"], [], 0),
    # OpenAI SDK called directly; `ai` only for its stream helpers, LangChain only for text splitters
    "ts_openai_helpers": ("single-provider", ["openai"], [], 1),
}




def usages(report, **where):
    return [u for u in report["usages"] if all(u.get(k) == v for k, v in where.items())]


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_verdict_and_golden(case, golden):
    report = check_project(case, EXPECTED[case], golden)
    assert report["skipped"] == []


def test_typescript_only_project_is_read_from_its_sources():
    _, report = run_json(PROJECTS / "ts_only")
    source = [(u["path"], u["line"], u["kind"], u["detail"]) for u in usages(report, context="source")]
    assert source == [
        ("src/client.ts", 1, "import", "@anthropic-ai/sdk"),
        ("src/client.ts", 4, "client", "@anthropic-ai/sdk Anthropic"),
        ("src/client.ts", 4, "env-var", "ANTHROPIC_API_KEY"),
        ("src/client.ts", 6, "model-id", "claude-3-5-haiku-20241022"),
        ("src/notes.ts", 8, "model-id", "claude-3-5-haiku-20241022"),  # MODEL imported from ./client, one hop
    ]
    assert not usages(report, provider="openai", context="source")  # the commented-out OpenAI import does not count
    # A recorded OpenAI response under Jest's __fixtures__ is test data, not a second provider.
    assert [u["context"] for u in usages(report, provider="openai")] == ["test"]
    assert report["lock_in"]["verdict"] == "single-provider"


def test_go_only_project_client_and_dependencies_agree():
    _, report = run_json(PROJECTS / "go_only")
    assert {(u["kind"], u["detail"]) for u in usages(report, path="internal/summary/summary.go")} == {
        ("import", "github.com/sashabaranov/go-openai"),
        ("client", "github.com/sashabaranov/go-openai openai.NewClient"),
        ("env-var", "OPENAI_API_KEY"),
        ("model-id", "gpt-4o-mini"),
    }
    assert {u["detail"] for u in usages(report, kind="dependency")} == {"github.com/sashabaranov/go-openai"}
    assert {u["provider"] for u in report["usages"]} == {"openai"}


def test_polyglot_second_provider_comes_from_typescript():
    _, report = run_json(PROJECTS / "polyglot")
    anthropic = next(p for p in report["providers"] if p["id"] == "anthropic")
    assert anthropic["direct"] is True
    assert anthropic["files"] == ["docker-compose.yml", "web/package.json", "web/src/server/reply.ts"]
    assert [(u["kind"], u["detail"]) for u in usages(report, path="web/src/server/reply.ts")] == [
        ("import", "@anthropic-ai/sdk"),
        ("client", "@anthropic-ai/sdk Anthropic"),
        ("model-id", "claude-sonnet-4-20250514"),
    ]
    assert not [u for u in report["usages"] if u["path"].startswith("api/") and u["provider"] != "openai"]


@pytest.mark.parametrize("excludes, verdict, providers", [
    (["docker-compose.yml"], "multi-provider", ["openai", "anthropic"]),  # TypeScript alone carries Anthropic
    (["docker-compose.yml", "web/**"], "single-provider", ["openai"]),
])
def test_polyglot_verdict_rests_on_the_typescript_code(excludes, verdict, providers):
    _, report = run_json(PROJECTS / "polyglot", *[a for glob in excludes for a in ("--exclude", glob)])
    assert report["lock_in"]["verdict"] == verdict
    assert [p["id"] for p in report["providers"]] == providers


def test_polyglot_notebook_is_read_but_not_production():
    _, report = run_json(PROJECTS / "polyglot")
    found = usages(report, path="notebooks/gemini_eval.ipynb")
    assert [(u["line"], u["kind"], u["provider"], u["context"], u["snippet"]) for u in found] == [
        (22, "import", "google", "example", "[cell 2] from google import genai"),
        (33, "client", "google", "example", "[cell 3] client = genai.Client()"),
        (35, "model-id", "google", "example",
         '[cell 3] labels = [client.models.generate_content(model="gemini-2.5-flash", contents=t).text for t in '
         'tickets.body]'),
    ]
    assert "google" not in report["lock_in"]["providers"]


def test_layer_utilities_are_not_layer_call_sites():
    """Text splitters, document loaders, the AI SDK 2/3 stream adapters for another SDK's response, and
    type-only imports of a layer are reported, at low confidence: they route no request."""
    _, report = run_json(PROJECTS / "ts_openai_helpers")
    layered = [(u["path"], u["line"], u["detail"], u["confidence"]) for u in usages(report, kind="import")
               if u["layer"]]
    assert layered == [
        ("app/api/chat/route.ts", 2, "ai", "low"),
        ("components/messages.tsx", 1, "ai", "low"),  # type-only (found since "ai" has keywords of its own)
        ("lib/ingest/markdown.ts", 1, "langchain", "low"),
        ("lib/ingest/pdf.ts", 1, "langchain", "low"),
        ("lib/ingest/pdf.ts", 2, "langchain", "low"),
    ]
    assert report["lock_in"]["reasons"][0].startswith("all direct production usage reaches one provider: OpenAI")


@pytest.mark.parametrize("relpath", [
    "src/main/java/com/example/demo/ChatService.java",
    "app/src/main/kotlin/com/example/assistant/Llm.kt",
])
def test_jvm_package_folders_are_not_example_folders(relpath):
    from provider_audit.scanning.discovery import path_context

    assert path_context(relpath) is None
