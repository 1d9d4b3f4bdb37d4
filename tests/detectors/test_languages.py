"""Source detectors for JavaScript/TypeScript, Go, JVM languages, Rust, Ruby, C#, PHP and notebooks.

Fixture files under tests/fixtures/sources/<language>/ are small realistic programs; each test pins
the exact evidence (line, kind, provider, layer, detail) a detector reports for one of them. Rows are
sorted like the report sorts evidence.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from provider_audit.models import sdk_root
from provider_audit.data.catalog import load_catalog
from provider_audit.detectors import LANGUAGE_DETECTORS, LANGUAGES, detector_for
from provider_audit.detectors import (engine, tokenizer, csharp_source, go_source, js_ts, jvm_source, notebook, php_source,
                                      ruby_source, rust_source)

SOURCES = Path(__file__).resolve().parent.parent / "fixtures" / "sources"
CATALOG = load_catalog()


def detect(relpath: str, text: str = None, context: str = "source"):
    """The detector's report for a fixture (``text`` None) or for ``text`` under the name ``relpath``."""
    if text is None:
        text = (SOURCES / relpath).read_text(encoding="utf-8")
    kind, detector = detector_for(relpath)
    assert kind == "source"
    return detector(relpath, text, context, CATALOG)


def rows(relpath: str, text: str = None):
    """(line, kind, provider, layer, detail or model) per piece of evidence, in report order."""
    report = detect(relpath, text)
    assert not report.skips, report.skips
    return [(e.line, e.kind, e.provider, e.layer, e.model or e.detail)
            for e in sorted(report.evidence, key=lambda e: e.sort_key())]


def kinds(relpath: str, text: str):
    return [(e.kind, e.provider, e.model or e.detail) for e in sorted(detect(relpath, text).evidence,
                                                                     key=lambda e: e.sort_key())]


# --- registry -------------------------------------------------------------------------------------

@pytest.mark.parametrize("relpath, module", [
    ("web/app/route.ts", js_ts), ("a.tsx", js_ts), ("a.mjs", js_ts), ("a.cjs", js_ts), ("a.jsx", js_ts),
    ("a.mts", js_ts), ("a.cts", js_ts), ("Chat.vue", js_ts), ("Chat.svelte", js_ts), ("index.astro", js_ts),
    ("main.go", go_source), ("A.java", jvm_source), ("a.kt", jvm_source), ("script.kts", jvm_source),
    ("a.scala", jvm_source), ("a.groovy", jvm_source), ("main.rs", rust_source), ("a.rb", ruby_source),
    ("tasks.rake", ruby_source), ("A.cs", csharp_source), ("a.fs", csharp_source), ("a.vb", csharp_source),
    ("a.php", php_source), ("nb/Explore.IPYNB", notebook),
])
def test_registry_maps_extensions_to_source_detectors(relpath, module):
    kind, detector = detector_for(relpath)
    assert kind == "source" and detector.resolve() is module.detect


def test_every_language_extension_is_registered_once():
    extensions = [e for group in LANGUAGES.values() for e in group]
    assert len(extensions) == len(set(extensions))
    assert set(LANGUAGE_DETECTORS) == set(extensions)
    assert all(kind == "source" for kind, _ in LANGUAGE_DETECTORS.values())
    assert all(detector.resolve() for _, detector in LANGUAGE_DETECTORS.values())


def test_detectors_are_imported_only_when_used():
    code = ("import sys\nfrom provider_audit.scanning.analysis import handler_for\nfrom provider_audit.cli import main\n"
            "handler_for('a.ts'); handler_for('a.py'); handler_for('README.md')\n"
            "print(sorted(m for m in sys.modules if m.startswith(('provider_audit.detectors.', "
            "'provider_audit.formatters.'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_python_and_config_files_keep_their_detectors():
    assert detector_for("app.py")[0] == "python"
    assert detector_for("docker-compose.yml")[0] == "config"
    assert detector_for("README.md")[0] == "text"


# --- JavaScript / TypeScript ----------------------------------------------------------------------

def test_nextjs_route_with_vercel_ai_sdk():
    assert rows("js/route.ts") == [
        (2, "import", "openai", "vercel-ai-sdk", "@ai-sdk/openai"),
        (3, "import", None, "vercel-ai-sdk", "ai"),
        (11, "client", "openai", "vercel-ai-sdk", "@ai-sdk/openai openai"),
        (11, "model-id", None, None, "gpt-4o-mini"),
        (20, "client", "openai", "vercel-ai-sdk", "@ai-sdk/openai openai.responses"),
        (20, "model-id", None, None, "o3"),
    ]
    o3 = next(e for e in detect("js/route.ts").evidence if e.model == "o3")
    assert o3.confidence == "medium"  # an ambiguous id, read only because it is a provider function argument


def test_express_server_with_anthropic_required():
    assert rows("js/server.js") == [
        (3, "import", "anthropic", None, "@anthropic-ai/sdk"),
        (8, "client", "anthropic", None, "@anthropic-ai/sdk Anthropic"),
        (9, "env-var", "anthropic", None, "ANTHROPIC_API_KEY"),
        (14, "model-id", None, None, "claude-sonnet-4-20250514"),
    ]


def test_openai_sdk_pointed_at_groq_is_groq():
    assert rows("js/groq.ts") == [
        (1, "import", "openai", None, "openai"),
        (4, "client", "groq", None, "openai OpenAI baseURL=api.groq.com"),
        (5, "endpoint", "groq", None, "api.groq.com"),
        (6, "env-var", "groq", None, "GROQ_API_KEY"),
        (11, "model-id", "groq", None, "llama-3.3-70b-versatile"),
    ]
    client = next(e for e in detect("js/groq.ts").evidence if e.kind == "client")
    assert (client.column, client.confidence, client.snippet) == (21, "high", "export const groq = new OpenAI({")
    assert sdk_root(client.detail) == "openai"


def test_commented_imports_and_strings_never_count():
    assert rows("js/commented.ts") == []


def test_vue_component_reads_only_the_script_block():
    assert rows("js/Chat.vue") == [
        (9, "import", "anthropic", None, "@anthropic-ai/sdk"),
        (11, "client", "anthropic", None, "@anthropic-ai/sdk Anthropic"),
        (11, "env-var", "anthropic", None, "VITE_ANTHROPIC_API_KEY"),
        (15, "model-id", None, None, "claude-3-5-haiku-latest"),
    ]


@pytest.mark.parametrize("source, expected", [
    ('import OpenAI from "openai";', [("import", "openai", "openai")]),
    ('import "openai/shims/node";', [("import", "openai", "openai")]),
    ("import type { ChatCompletion } from 'openai/resources';", [("import", "openai", "openai")]),
    ('export * from "@anthropic-ai/sdk/resources";', [("import", "anthropic", "@anthropic-ai/sdk")]),
    ('const m = await import("@google/genai");', [("import", "google", "@google/genai")]),
    ('import OpenAI from "npm:openai@4.20.0";', [("import", "openai", "openai")]),
    ('import OpenAI from "https://esm.sh/openai@4";', [("import", "openai", "openai")]),
    ('import x from "./openai"; import y from "node:openai"; import z from "@/lib/openai";', []),
    ('import Groq from "groq";', []),  # Sanity's query language, not Groq (groq-sdk)
    ('const a = obj.require("openai");', []),
    ("import fs = require('fs'); import OpenAI = require('openai');", [("import", "openai", "openai")]),
])
def test_js_import_forms(source, expected):
    assert [k for k in kinds("a.ts", source) if k[0] == "import"] == expected


@pytest.mark.parametrize("specifier, package", [
    ("openai", "openai"), ("openai/resources/chat", "openai"), ("@anthropic-ai/sdk", "@anthropic-ai/sdk"),
    ("@anthropic-ai/sdk/resources/messages", "@anthropic-ai/sdk"), ("npm:@ai-sdk/openai@1.2/x", "@ai-sdk/openai"),
    ("https://cdn.jsdelivr.net/npm/openai@4/+esm", "openai"), ("node:fs", None), ("./x", None), ("../x", None),
    ("/abs", None), ("~/x", None), ("@/components/x", None), ("#internal", None), ("jsr:@std/x", None),
    ("https://deno.land/x/openai/mod.ts", None), ("@", None), ("", None),
])
def test_npm_package_from_specifier(specifier, package):
    assert js_ts.npm_package(specifier) == package


@pytest.mark.parametrize("source, expected", [
    # named import with a rename, a namespace import, CommonJS destructuring
    ('import { OpenAI as LLM } from "openai";\nconst c = new LLM();',
     [("client", "openai", "openai OpenAI"), ("import", "openai", "openai")]),
    ('import * as genai from "@google/genai";\nconst ai = new genai.GoogleGenAI({ apiKey: k });',
     [("client", "google", "@google/genai GoogleGenAI"), ("import", "google", "@google/genai")]),
    ('const { GoogleGenAI } = require("@google/genai");\nconst ai = new GoogleGenAI({ vertexai: true, project: p });',
     [("client", "vertex-ai", "@google/genai GoogleGenAI vertexai=true"), ("import", "google", "@google/genai")]),
    ('import { AzureOpenAI } from "openai";\nconst c = new AzureOpenAI({ deployment: "gpt-4o" });',
     [("client", "azure-openai", "openai AzureOpenAI"), ("import", "openai", "openai"),
      ("model-id", None, "gpt-4o")]),
    ('import { BedrockRuntimeClient, ConverseCommand } from "@aws-sdk/client-bedrock-runtime";\n'
     'const c = new BedrockRuntimeClient({ region: "us-east-1" });\n'
     'await c.send(new ConverseCommand({ modelId: "anthropic.claude-3-5-sonnet-20240620-v1:0" }));',
     [("client", "aws-bedrock", "@aws-sdk/client-bedrock-runtime BedrockRuntimeClient"),
      ("import", "aws-bedrock", "@aws-sdk/client-bedrock-runtime"),
      ("model-id", "aws-bedrock", "anthropic.claude-3-5-sonnet-20240620-v1:0")]),
    ('import { ChatOpenAI } from "@langchain/openai";\n'
     'const llm = new ChatOpenAI({ model: "gpt-4o", configuration: { baseURL: "https://openrouter.ai/api/v1" } });',
     [("client", "openrouter", "@langchain/openai ChatOpenAI baseURL=openrouter.ai"),
      ("endpoint", "openrouter", "openrouter.ai"), ("import", "openai", "@langchain/openai"),
      ("model-id", None, "gpt-4o")]),
    ('const { Configuration, OpenAIApi } = require("openai");\n'
     'const configuration = new Configuration({ apiKey: k, basePath: "https://api.together.xyz/v1" });\n'
     'const openai = new OpenAIApi(configuration);',  # the v3 SDK
     [("client", "together", "openai OpenAIApi basePath=api.together.xyz"), ("endpoint", "together", "api.together.xyz"),
      ("import", "openai", "openai")]),
    ('import OpenAI from "openai";\nconst c = new OpenAI({ baseURL: "https://llm.internal.example.com/v1" });',
     [("client", "openai-compatible", "openai OpenAI baseURL=<unknown host: llm.internal.example.com>"),
      ("import", "openai", "openai")]),
    ('import OpenAI from "openai";\nconst baseURL = "http://localhost:11434/v1";\nconst c = new OpenAI({ baseURL });',
     [("client", "ollama", "openai OpenAI baseURL=localhost:11434"), ("endpoint", "ollama", "localhost:11434"),
      ("import", "openai", "openai")]),
    ('import OpenAI from "openai";\nconst options = { baseURL: "https://api.deepseek.com" };\n'
     'const c = new OpenAI(options);',
     [("endpoint", "deepseek", "api.deepseek.com"), ("client", "deepseek", "openai OpenAI baseURL=api.deepseek.com"),
      ("import", "openai", "openai")]),
])
def test_js_client_construction(source, expected):
    assert sorted(kinds("a.ts", source), key=lambda k: (k[0], str(k[1]), k[2])) == \
        sorted(expected, key=lambda k: (k[0], str(k[1]), k[2]))


def test_js_configurable_endpoint_is_openai_compatible_not_openai():
    found = detect("a.ts", 'import OpenAI from "openai";\nconst c = new OpenAI({ baseURL: process.env.LLM_BASE_URL });')
    client = next(e for e in found.evidence if e.kind == "client")
    assert (client.provider, client.model_vendor, client.detail, client.confidence, client.endpoint) == (
        "openai-compatible", None, "openai OpenAI baseURL=<configurable>", "medium", "<configurable>")


@pytest.mark.parametrize("value, provider, endpoint", [
    ("process.env.DEEPSEEK_BASE_URL", "deepseek", "$DEEPSEEK_BASE_URL"),          # the variable's name says whose
    ("process.env.AZURE_OPENAI_ENDPOINT", "azure-openai", "$AZURE_OPENAI_ENDPOINT"),
    ("process.env.OPENAI_BASE_URL", "openai", "$OPENAI_BASE_URL"),  # unset, the SDK default: OpenAI
    ('process.env.LLM_URL || "https://api.groq.com/openai/v1"', "groq", "api.groq.com"),  # the default
    ('cfg.baseURL ?? "http://10.0.0.5:8000/v1"', "openai-compatible", "<unknown host: 10.0.0.5:8000>"),
])
def test_js_endpoint_resolution(value, provider, endpoint):
    found = detect("a.ts", f'import OpenAI from "openai";\nconst c = new OpenAI({{ baseURL: {value}, apiKey: k }});')
    client = next(e for e in found.evidence if e.kind == "client")
    assert (client.provider, client.endpoint) == (provider, endpoint)


def test_vercel_factories_and_provider_instances():
    source = """import { createOpenAI } from "@ai-sdk/openai";
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { createDataStream, generateText } from "ai";
const groq = createOpenAI({ baseURL: "https://api.groq.com/openai/v1", apiKey: process.env.GROQ_API_KEY });
const local = createOpenAICompatible({ name: "lmstudio", baseURL: "http://localhost:1234/v1" });
const stream = createDataStream({ execute() {} });
await generateText({ model: groq("llama-3.1-8b-instant"), prompt: "hi" });
"""
    assert rows("a.ts", source) == [
        (1, "import", "openai", "vercel-ai-sdk", "@ai-sdk/openai"),
        (2, "import", None, "vercel-ai-sdk", "@ai-sdk/openai-compatible"),
        (3, "import", None, "vercel-ai-sdk", "ai"),
        (4, "client", "groq", "vercel-ai-sdk", "@ai-sdk/openai createOpenAI baseURL=api.groq.com"),
        (4, "endpoint", "groq", None, "api.groq.com"),
        (4, "env-var", "groq", None, "GROQ_API_KEY"),
        (5, "client", "lmstudio", "vercel-ai-sdk", "@ai-sdk/openai-compatible createOpenAICompatible baseURL=localhost:1234"),
        (5, "endpoint", "lmstudio", None, "localhost:1234"),
        (7, "model-id", "groq", None, "llama-3.1-8b-instant"),
    ]


@pytest.mark.parametrize("source, expected", [
    ("const k = process.env.OPENAI_API_KEY;", [("env-var", "openai", "OPENAI_API_KEY")]),
    ('const k = process.env["ANTHROPIC_API_KEY"];', [("env-var", "anthropic", "ANTHROPIC_API_KEY")]),
    ("const k = import.meta.env.VITE_GEMINI_API_KEY;", [("env-var", "google", "VITE_GEMINI_API_KEY")]),
    ("const k = process.env.NEXT_PUBLIC_MISTRAL_API_KEY;", [("env-var", "mistral", "NEXT_PUBLIC_MISTRAL_API_KEY")]),
    ('const k = Deno.env.get("DEEPSEEK_API_KEY");', [("env-var", "deepseek", "DEEPSEEK_API_KEY")]),
    ("const { GROQ_API_KEY, PORT } = process.env;", [("env-var", "groq", "GROQ_API_KEY")]),
    ("const k = process.env.DATABASE_URL;", []),
    ("const k = config.process.env.OPENAI_API_KEY;", []),
])
def test_js_environment_reads(source, expected):
    assert kinds("a.ts", source) == expected


@pytest.mark.parametrize("source, expected", [
    ('const cfg = { model: "o1" };', [("model-id", None, "o1")]),  # ambiguous alone, a model here
    ('const names = ["o1", "o3"];', []),
    ('const MODEL = process.env.MODEL ?? "gpt-4o";', [("model-id", None, "gpt-4o")]),
    ("const url = `https://api.mistral.ai/v1/${path}`;", [("endpoint", "mistral", "api.mistral.ai")]),
    ("const s = `${a}gpt-4o${b}`;", []),  # a fragment of a template is no model id
    ("const re = /['\"]gpt-4o['\"]/; const t = 'claude-3-opus-20240229';", [("model-id", None, "claude-3-opus-20240229")]),
    ("a = b / 2; c = 'gpt-4o' // 'o3'", [("model-id", None, "gpt-4o")]),
    # JSX text: the apostrophe finds no closing quote on its line, and lexing carries on after it
    ("<p>Don't use gpt-4o</p>\nconst m = 'mistral-large-latest';", [("model-id", None, "mistral-large-latest")]),
])
def test_js_strings(source, expected):
    assert kinds("a.tsx", source) == expected


@pytest.mark.parametrize("source, confidence", [
    ('import { OpenAIStream, StreamingTextResponse } from "ai";', "low"),  # AI SDK 2/3 adapters for another SDK
    ('const { AnthropicStream, StreamingTextResponse } = require("ai");', "low"),
    ('import type { Message } from "ai";', "low"),
    ('import { type UIMessage, type Tool } from "ai";', "low"),
    ('import { RecursiveCharacterTextSplitter } from "langchain/text_splitter";', "low"),
    ('import { PDFLoader } from "@langchain/community/document_loaders/fs/pdf";', "low"),
    ('import { HumanMessage } from "@langchain/core/messages";', "low"),
    # routing parts of the same layers stay high
    ('import { streamText, StreamingTextResponse } from "ai";', "high"),
    ('import { type UIMessage, convertToModelMessages } from "ai";', "high"),
    ('import { ChatOpenAI } from "langchain/chat_models/openai";', "high"),
    ('import { initChatModel } from "langchain/chat_models/universal";', "high"),
    ('import { ChatPromptTemplate } from "@langchain/core/prompts";\nimport { RunnableSequence } from "@langchain/core/runnables";',
     "low,high"),
])
def test_js_layer_utility_imports_are_low_confidence(source, confidence):
    found = [e.confidence for e in sorted(detect("a.ts", source).evidence, key=lambda e: e.sort_key())
             if e.kind == "import"]
    assert found == confidence.split(",")


def test_js_langchain_integrations_inside_the_layer_packages():
    """LangChain.js before 0.2: provider integrations were modules of ``langchain`` and ``@langchain/community``."""
    source = """import { ChatOpenAI } from "langchain/chat_models/openai";
import { OpenAIEmbeddings } from "langchain/embeddings/openai";
import { Ollama } from "@langchain/community/llms/ollama";
import { LLMChain } from "langchain/chains";
const llm = new ChatOpenAI({ modelName: "gpt-4", temperature: 0 });
const local = new Ollama({ baseUrl: "http://localhost:11434", model: "llama3" });
"""
    assert rows("a.ts", source) == [
        (1, "import", "openai", "langchain", "langchain"),
        (2, "import", "openai", "langchain", "langchain"),
        (3, "import", "ollama", "langchain", "@langchain/community"),
        (4, "import", None, "langchain", "langchain"),
        (5, "client", "openai", "langchain", "langchain ChatOpenAI"),
        (5, "model-id", None, None, "gpt-4"),
        (6, "client", "ollama", "langchain", "@langchain/community Ollama baseUrl=localhost:11434"),
        (6, "endpoint", "ollama", None, "localhost:11434"),
        (6, "model-id", None, None, "llama3"),
    ]


def test_js_display_names_beside_a_model_id_are_labels():
    """``modelName: "GPT-4o"`` next to ``modelId: "gpt-4o"`` is the menu label, not a second model id."""
    assert rows("js/model-list.ts") == [
        (5, "model-id", None, None, "gpt-4o"),
        (8, "model-id", None, None, "gpt-4o"),
        (12, "model-id", "groq", None, "llama3-70b-8192"),
        (18, "model-id", None, None, "gpt-4o-mini"),
    ]


def test_astro_frontmatter_and_svelte_script():
    astro = '---\nimport Anthropic from "@anthropic-ai/sdk";\nconst c = new Anthropic();\n---\n<h1>gpt-4o</h1>\n'
    assert [r[1] for r in rows("page.astro", astro)] == ["import", "client"]
    svelte = '<script>\n  import OpenAI from "openai";\n</script>\n<p>{"claude-3-opus-20240229"}</p>\n'
    assert rows("C.svelte", svelte) == [(2, "import", "openai", None, "openai")]


# --- Go -------------------------------------------------------------------------------------------

def test_go_openai_with_config_base_url():
    assert rows("go/main.go") == [
        (10, "import", "openai", None, "github.com/sashabaranov/go-openai"),
        (14, "model-id", "together", None, "meta-llama/Llama-3.3-70B-Instruct-Turbo"),
        (17, "env-var", "together", None, "TOGETHER_API_KEY"),
        (18, "endpoint", "together", None, "api.together.xyz"),
        (19, "client", "together", None,
         "github.com/sashabaranov/go-openai openai.NewClientWithConfig BaseURL=api.together.xyz"),
    ]


def test_go_openai_pointed_at_sambanova():
    """Found on charmbracelet/mods: SambaNova Cloud through go-openai was not recognised."""
    source = ('package main\n\nimport openai "github.com/sashabaranov/go-openai"\n\n'
              'func client(key string) *openai.Client {\n'
              '\tcfg := openai.DefaultConfig(key)\n'
              '\tcfg.BaseURL = "https://api.sambanova.ai/v1"\n'
              '\treturn openai.NewClientWithConfig(cfg)\n}\n')
    providers = {(kind, provider) for _, kind, provider, _, _ in rows("main.go", source)}
    assert ("endpoint", "sambanova") in providers and ("client", "sambanova") in providers


def test_sambanova_javascript_sdk():
    source = 'import SambaNova from "sambanova";\nconst client = new SambaNova({ apiKey: process.env.SAMBANOVA_API_KEY });\n'
    assert {(k, p) for k, p, _ in kinds("a.ts", source)} >= {("import", "sambanova"), ("client", "sambanova"),
                                                             ("env-var", "sambanova")}


@pytest.mark.parametrize("path, module", [
    ("github.com/sashabaranov/go-openai", "github.com/sashabaranov/go-openai"),
    ("github.com/sashabaranov/go-openai/jsonschema", "github.com/sashabaranov/go-openai"),
    ("github.com/openai/openai-go/v3/option", "github.com/openai/openai-go/v3"),
    ("github.com/openai/openai-go/v9", "github.com/openai/openai-go/v9"),  # unknown major: the base module
    ("github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types", "github.com/aws/aws-sdk-go-v2/service/bedrockruntime"),
    ("google.golang.org/genai", "google.golang.org/genai"),
    ("github.com/tmc/langchaingo/llms/openai", "github.com/tmc/langchaingo"),
    ("github.com/openai/openai-go/azure", "github.com/openai/openai-go/azure"),  # Azure OpenAI, not OpenAI
    ("github.com/openai/openai-go/v3/azure", "github.com/openai/openai-go/v3/azure"),
    ("github.com/aws/aws-sdk-go-v2/service/s3", None),
    ("github.com/openai", None),
    ("fmt", None),
])
def test_go_module_resolution(path, module):
    found = go_source.resolve_module(path, CATALOG)
    assert (found[0] if found else None) == module


def test_go_clients_options_and_platforms():
    source = """package main

import (
	"github.com/anthropics/anthropic-sdk-go"
	"github.com/anthropics/anthropic-sdk-go/option"
	goai "github.com/sashabaranov/go-openai"
	"google.golang.org/genai"
)

func main() {
	c := anthropic.NewClient(option.WithBaseURL("https://api.deepseek.com/anthropic"))
	az := goai.DefaultAzureConfig(key, "https://contoso.openai.azure.com/")
	a := goai.NewClientWithConfig(az)
	g, _ := genai.NewClient(ctx, &genai.ClientConfig{Backend: genai.BackendVertexAI})
	m := anthropic.NewUserMessage(anthropic.NewTextBlock("claude-3-haiku-20240307"))
}
"""
    assert [r for r in rows("main.go", source) if r[1] == "client"] == [
        (11, "client", "deepseek", None,
         "github.com/anthropics/anthropic-sdk-go anthropic.NewClient WithBaseURL=api.deepseek.com"),
        (13, "client", "azure-openai", None, "github.com/sashabaranov/go-openai goai.NewClientWithConfig config=azure"),
        (14, "client", "vertex-ai", None, "google.golang.org/genai genai.NewClient Backend=VertexAI"),
    ]


def test_go_internal_packages_are_the_sdk_itself():
    source = 'package openai\nimport (\n\tutils "github.com/sashabaranov/go-openai/internal"\n' \
             '\t"github.com/sashabaranov/go-openai/internal/test"\n\t"github.com/sashabaranov/go-openai/jsonschema"\n)\n'
    assert rows("chat.go", source) == [(5, "import", "openai", None, "github.com/sashabaranov/go-openai")]


def test_go_raw_strings_runes_and_comments():
    source = ('package x\n// import "github.com/sashabaranov/go-openai"\n/* "gpt-4o" */\n'
              'var r = \'"\'\nvar s = `multi\nline "gpt-4o"`\nvar m = `claude-3-opus-20240229`\n')
    assert kinds("x.go", source) == [("model-id", None, "claude-3-opus-20240229")]


# --- JVM ------------------------------------------------------------------------------------------

def test_spring_ai_openai_api_pointed_at_deepseek():
    assert rows("jvm/AssistantService.java") == [
        (3, "import", None, "spring-ai", "org.springframework.ai:spring-ai-client-chat"),
        (4, "import", "openai", "spring-ai", "org.springframework.ai:spring-ai-openai"),
        (5, "import", "openai", "spring-ai", "org.springframework.ai:spring-ai-openai"),
        (6, "import", "openai", "spring-ai", "org.springframework.ai:spring-ai-openai"),
        (16, "client", "deepseek", "spring-ai", "org.springframework.ai:spring-ai-openai OpenAiApi baseUrl=api.deepseek.com"),
        (17, "endpoint", "deepseek", None, "api.deepseek.com"),
        (18, "env-var", "deepseek", None, "DEEPSEEK_API_KEY"),
        (20, "client", "deepseek", "spring-ai",
         "org.springframework.ai:spring-ai-openai OpenAiChatModel baseUrl=api.deepseek.com"),
        (22, "model-id", None, None, "deepseek-chat"),
        # ChatClient.builder(model) (line 24) is Spring AI's facade, not a provider client: the import says it
    ]


def test_layer_constructions_without_a_provider_are_not_clients():
    source = """import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
class A { EmbeddingModel m = new AllMiniLmL6V2EmbeddingModel(); }
"""
    assert rows("A.java", source) == [(1, "import", None, "langchain4j", "dev.langchain4j:langchain4j")]


def test_langchain4j_anthropic():
    assert rows("jvm/Summarizer.java") == [
        (3, "import", "anthropic", "langchain4j", "dev.langchain4j:langchain4j-anthropic"),
        (4, "import", None, "langchain4j", "dev.langchain4j:langchain4j"),
        (8, "model-id", None, None, "claude-3-7-sonnet-latest"),
        (10, "client", "anthropic", "langchain4j", "dev.langchain4j:langchain4j-anthropic AnthropicChatModel"),
        (11, "env-var", "anthropic", None, "ANTHROPIC_API_KEY"),
    ]


def test_kotlin_openai_java():
    assert rows("jvm/Chat.kt") == [
        (3, "import", "openai", None, "com.openai:openai-java"),
        (4, "import", "openai", None, "com.openai:openai-java"),
        (8, "client", "openai", None, "com.openai:openai-java OpenAIOkHttpClient"),
        (10, "model-id", None, None, "gpt-4.1-mini"),
    ]


@pytest.mark.parametrize("package, coordinate", [
    ("com.openai.client.okhttp", "com.openai:openai-java"),
    ("com.anthropic.client", "com.anthropic:anthropic-java"),
    ("com.anthropic.bedrock.backends", "com.anthropic:anthropic-java-bedrock"),
    ("com.google.genai", "com.google.genai:google-genai"),
    ("com.cohere.api", "com.cohere:cohere-java"),
    ("com.azure.ai.openai.models", "com.azure:azure-ai-openai"),
    ("software.amazon.awssdk.services.bedrockruntime.model", "software.amazon.awssdk:bedrockruntime"),
    ("software.amazon.awssdk.services.bedrock", "software.amazon.awssdk:bedrock"),
    ("dev.langchain4j.model.vertexai.gemini", "dev.langchain4j:langchain4j-vertex-ai-gemini"),
    ("org.springframework.ai.ollama.api", "org.springframework.ai:spring-ai-ollama"),
    ("dev.langchain4j.model.cohere", "dev.langchain4j:langchain4j-cohere"),
    ("dev.langchain4j.model.huggingface", "dev.langchain4j:langchain4j-hugging-face"),
    ("dev.langchain4j.model.voyageai", "dev.langchain4j:langchain4j-voyage-ai"),
    ("com.alibaba.fastjson", None),  # the group holds the DashScope SDK, the package does not
    ("com.azure.identity", None),
    ("software.amazon.awssdk.services.s3", None),
    ("org.springframework.boot", None),
    ("com.openaiclone.x", None),
])
def test_java_package_to_maven_artifact(package, coordinate):
    assert jvm_source.resolve_package(package, jvm_source.package_index(CATALOG)) == coordinate


def test_jvm_backend_and_builder_endpoints():
    source = """import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.vertex.backends.VertexBackend;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeClient;
import com.azure.ai.openai.OpenAIClientBuilder;
class A {
  var a = AnthropicOkHttpClient.builder().backend(VertexBackend.fromEnv()).build();
  var b = BedrockRuntimeClient.builder().endpointOverride(URI.create("https://bedrock-runtime.eu-west-1.amazonaws.com")).build();
  var c = new OpenAIClientBuilder().endpoint("https://contoso.openai.azure.com/").buildClient();
}
"""
    assert [r for r in rows("A.java", source) if r[1] == "client"] == [
        (6, "client", "vertex-ai", None, "com.anthropic:anthropic-java AnthropicOkHttpClient backend=VertexBackend"),
        (7, "client", "aws-bedrock", None,
         "software.amazon.awssdk:bedrockruntime BedrockRuntimeClient endpointOverride=bedrock-runtime.eu-west-1.amazonaws.com"),
        (8, "client", "azure-openai", None, "com.azure:azure-ai-openai OpenAIClientBuilder endpoint=contoso.openai.azure.com"),
    ]


def test_scala_and_groovy_imports():
    scala = "import dev.langchain4j.model.openai.{OpenAiChatModel => M, OpenAiEmbeddingModel}\nval m = M.builder().build()\n"
    assert rows("A.scala", scala) == [
        (1, "import", "openai", "langchain4j", "dev.langchain4j:langchain4j-open-ai"),
        (2, "client", "openai", "langchain4j", "dev.langchain4j:langchain4j-open-ai OpenAiChatModel"),
    ]
    groovy = "import com.openai.client.okhttp.OpenAIOkHttpClient\ndef c = OpenAIOkHttpClient.fromEnv()\ndef s = 'gpt-4o'\n"
    assert [r[1] for r in rows("a.groovy", groovy)] == ["import", "client", "model-id"]


def test_generic_client_types_are_not_provider_clients():
    java = """import com.openai.client.okhttp.*;
import java.net.http.HttpClient;
class A {
  HttpClient http = HttpClient.newBuilder().build();
  var c = OpenAIOkHttpClient.fromEnv();
}
"""
    # a wildcard import counts, but binds no names: neither HttpClient nor OpenAIOkHttpClient is resolved
    assert rows("A.java", java) == [(1, "import", "openai", None, "com.openai:openai-java")]
    csharp = "using OpenAI;\nvar http = new HttpClient();\nvar svc = new Service.Client();\n"
    assert rows("A.cs", csharp) == [(1, "import", "openai", None, "OpenAI")]


# --- Rust -----------------------------------------------------------------------------------------

def test_rust_async_openai_against_ollama():
    assert rows("rust/main.rs") == [
        (2, "import", "openai", None, "async-openai"),
        (17, "endpoint", "ollama", None, "localhost:11434"),
        (19, "client", "ollama", None, "async-openai Client::with_config with_api_base=localhost:11434"),
        (21, "model-id", None, None, "llama3.1:8b"),
    ]


def test_rust_paths_raw_strings_and_env():
    source = r'''
// use async_openai::Client;
extern crate genai;
fn main() {
    let c = aws_sdk_bedrockruntime::Client::new(&config);
    let key = std::env::var("ANTHROPIC_API_KEY").unwrap();
    let k2 = env!("MISTRAL_API_KEY");
    let body = r#"{"model": "gpt-4o", "note": "quote \" here"}"#;
    let m = r##"claude-3-opus-20240229"##;
    let b = b"gpt-4o";
}
'''
    assert rows("main.rs", source) == [
        (3, "import", None, "rust-genai", "genai"),
        (5, "client", "aws-bedrock", None, "aws-sdk-bedrockruntime Client::new"),
        (6, "env-var", "anthropic", None, "ANTHROPIC_API_KEY"),
        (7, "env-var", "mistral", None, "MISTRAL_API_KEY"),
        (9, "model-id", None, None, "claude-3-opus-20240229"),
        (10, "model-id", None, None, "gpt-4o"),
    ]


# --- Ruby -----------------------------------------------------------------------------------------

def test_ruby_openai_client():
    assert rows("ruby/assistant.rb") == [
        (3, "import", "openai", None, "openai"),
        (12, "client", "openai", None, "openai OpenAI::Client"),
        (13, "env-var", "openai", None, "OPENAI_API_KEY"),
        (21, "model-id", None, None, "gpt-4o-mini"),
    ]


def test_ruby_endpoints_configure_blocks_and_comments():
    source = """# require "anthropic"
=begin
client = Anthropic::Client.new
=end
OpenAI.configure do |config|
  config.uri_base = "https://api.groq.com/openai"
end
client = OpenAI::Client.new
bedrock = Aws::BedrockRuntime::Client.new region: "us-east-1"
chat = RubyLLM.chat(model: "claude-3-5-sonnet-latest")
doc = <<~EOS
  OpenAI::Client.new(uri_base: "https://api.mistral.ai")
EOS
"""
    assert rows("a.rb", source) == [
        (6, "endpoint", "groq", None, "api.groq.com"),
        (8, "client", "groq", None, "openai OpenAI::Client uri_base=api.groq.com"),
        (9, "client", "aws-bedrock", None, "aws-sdk-bedrockruntime Aws::BedrockRuntime::Client"),
        (10, "client", None, "ruby-llm", "ruby_llm RubyLLM.chat"),
        (10, "model-id", None, None, "claude-3-5-sonnet-latest"),
        # the heredoc is a string: no client is read from it, but like any string it may name an API host
        (12, "endpoint", "mistral", None, "api.mistral.ai"),
    ]


# --- C# / F# / VB ---------------------------------------------------------------------------------

def test_csharp_azure_openai_client():
    assert rows("csharp/AzureChat.cs") == [
        (3, "import", "azure-openai", None, "Azure.AI.OpenAI"),
        (4, "import", "openai", None, "OpenAI"),
        (15, "endpoint", "azure-openai", None, "contoso-support.openai.azure.com"),
        (16, "env-var", "azure-openai", None, "AZURE_OPENAI_API_KEY"),
        (17, "client", "azure-openai", None, "Azure.AI.OpenAI AzureOpenAIClient endpoint=contoso-support.openai.azure.com"),
        (18, "model-id", None, None, "gpt-4o"),
    ]


def test_csharp_options_aws_and_semantic_kernel():
    source = '''using OpenAI;
using OpenAI.Chat;
using Amazon.BedrockRuntime;
using Microsoft.SemanticKernel;
var options = new OpenAIClientOptions { Endpoint = new Uri("https://api.x.ai/v1") };
var chat = new ChatClient("grok-3", new ApiKeyCredential(key), options);
var bedrock = new AmazonBedrockRuntimeClient(RegionEndpoint.USEast1);
var kernel = Kernel.CreateBuilder().AddOpenAIChatCompletion(modelId: "gpt-4o-mini", apiKey: key).Build();
string s = $"not {model} a model";
'''
    assert rows("Program.cs", source) == [
        (1, "import", "openai", None, "OpenAI"),
        (2, "import", "openai", None, "OpenAI"),
        (3, "import", "aws-bedrock", None, "AWSSDK.BedrockRuntime"),
        (4, "import", None, "semantic-kernel", "Microsoft.SemanticKernel"),
        (5, "endpoint", "xai", None, "api.x.ai"),
        (6, "client", "xai", None, "OpenAI ChatClient Endpoint=api.x.ai"),
        (6, "model-id", None, None, "grok-3"),
        (7, "client", "aws-bedrock", None, "AWSSDK.BedrockRuntime AmazonBedrockRuntimeClient"),
        (8, "client", "openai", "semantic-kernel", "Microsoft.SemanticKernel.Connectors.OpenAI AddOpenAIChatCompletion"),
        (8, "model-id", None, None, "gpt-4o-mini"),
    ]


def test_fsharp_and_vb_imports():
    assert rows("a.fs", 'open OpenAI.Chat\n(* open Anthropic *)\nlet c = ChatClient("gpt-4o", key)\n') == [
        (1, "import", "openai", None, "OpenAI"),
        (3, "model-id", None, None, "gpt-4o"),
    ]
    assert rows("a.vb", "Imports OpenAI.Chat\n' Imports Anthropic\nDim s = \"say \"\"hi\"\"\"\n") == [
        (1, "import", "openai", None, "OpenAI"),
    ]


# --- PHP ------------------------------------------------------------------------------------------

def test_php_openai_client():
    assert rows("php/Assistant.php") == [
        (7, "import", "openai", None, "openai-php/client"),
        (19, "client", "openai", None, "openai-php/client OpenAI::client"),
        (19, "env-var", "openai", None, "OPENAI_API_KEY"),
        (26, "model-id", None, None, "gpt-4o-mini"),
    ]


def test_php_factory_chain_and_anthropic():
    source = """<?php
use Anthropic\\Client as Claude;
$groq = \\OpenAI::factory()
    ->withApiKey($_ENV['GROQ_API_KEY'])
    ->withBaseUri('api.groq.com/openai/v1')
    ->make();
$claude = new Claude(apiKey: getenv('ANTHROPIC_API_KEY'));
$doc = <<<'TXT'
OpenAI::client('x') and 'gpt-4o'
TXT;
"""
    assert rows("a.php", source) == [
        (2, "import", "anthropic", None, "anthropic-ai/sdk"),
        (3, "client", "groq", None, "openai-php/client OpenAI::factory withBaseUri=api.groq.com"),
        (4, "env-var", "groq", None, "GROQ_API_KEY"),
        (5, "endpoint", "groq", None, "api.groq.com"),
        (7, "client", "anthropic", None, "anthropic-ai/sdk Client"),
        (7, "env-var", "anthropic", None, "ANTHROPIC_API_KEY"),
    ]


# --- notebooks ------------------------------------------------------------------------------------

def test_notebook_code_cells_with_magics():
    report = detect("notebooks/explore.ipynb")
    assert not report.skips
    found = sorted(report.evidence, key=lambda e: e.sort_key())
    assert [(e.line, e.column, e.kind, e.provider, e.model or e.detail, e.snippet) for e in found] == [
        (32, 6, "import", "openai", "openai.OpenAI", "[cell 2] from openai import OpenAI"),
        (43, 15, "client", "openai", "openai.OpenAI", '[cell 3] client = OpenAI(api_key=os.environ["OPENAI_API_KEY"])'),
        (43, 41, "env-var", "openai", "OPENAI_API_KEY", '[cell 3] client = OpenAI(api_key=os.environ["OPENAI_API_KEY"])'),
        (44, 14, "api-call", "openai", "responses.create",
         '[cell 3] reply = client.responses.create(model="gpt-4.1-mini", input="Hello")'),
        (44, 44, "model-id", None, "gpt-4.1-mini",
         '[cell 3] reply = client.responses.create(model="gpt-4.1-mini", input="Hello")'),
        (64, 14, "model-id", None, "o4-mini", '[cell 5] MODEL = "o4-mini"'),
    ]
    raw = (SOURCES / "notebooks/explore.ipynb").read_text(encoding="utf-8").splitlines()
    assert raw[43 - 1].lstrip().startswith('"client = OpenAI(')
    assert raw[43 - 1][15 - 1:].startswith("OpenAI(")
    assert all(e.path == "notebooks/explore.ipynb" for e in found)


def test_notebook_cells_share_one_namespace_and_bad_cells_fall_back():
    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "code", "metadata": {}, "outputs": [], "source": "from anthropic import Anthropic\n"},
        {"cell_type": "markdown", "metadata": {}, "source": "client = OpenAI()  # prose, not code"},
        {"cell_type": "code", "metadata": {}, "outputs": [], "source": "x = 1\nclaude = Anthropic()\n"},
        {"cell_type": "code", "metadata": {}, "outputs": [], "source": ["def broken(:\n", "    'gemini-2.0-flash'\n"]},
    ]}
    text = json.dumps(nb, indent=1)
    report = detect("nb.ipynb", text)
    found = {(e.kind, e.provider, e.model or e.detail, e.snippet.split("]")[0]) for e in report.evidence}
    assert found == {("import", "anthropic", "anthropic.Anthropic", "[cell 1"),
                     ("client", "anthropic", "anthropic.Anthropic", "[cell 3"),
                     ("model-id", None, "gemini-2.0-flash", "[cell 4")}
    assert [s.reason.split(":")[0] for s in report.skips] == ["cell 4"]
    client = next(e for e in report.evidence if e.kind == "client")
    line = text.splitlines()[client.line - 1]
    assert line[client.column - 1:].startswith("Anthropic()")  # one-string source: the column counts the escaped \n


def test_notebook_nbformat3_and_non_python_kernels():
    v3 = {"nbformat": 3, "metadata": {}, "worksheets": [{"cells": [
        {"cell_type": "code", "language": "python", "input": ["import openai\n", "openai.ChatCompletion.create(model='gpt-3.5-turbo')"]}]}]}
    assert [(e.kind, e.model or e.detail) for e in sorted(detect("old.ipynb", json.dumps(v3)).evidence,
                                                          key=lambda e: e.sort_key())] == [
        ("import", "openai"), ("client", "openai.ChatCompletion.create"), ("model-id", "gpt-3.5-turbo")]
    deno = {"nbformat": 4, "metadata": {"kernelspec": {"language": "typescript", "name": "deno"}}, "cells": [
        {"cell_type": "code", "metadata": {}, "outputs": [], "source": ['import OpenAI from "npm:openai";\n',
                                                                          "const c = new OpenAI();"]}]}
    assert [(e.kind, e.detail, e.path) for e in sorted(detect("ts.ipynb", json.dumps(deno)).evidence,
                                                       key=lambda e: e.sort_key())] == [
        ("import", "openai", "ts.ipynb"), ("client", "openai OpenAI", "ts.ipynb")]


def test_notebook_that_is_not_json_is_read_as_text():
    report = detect("broken.ipynb", '{"cells": [ "from openai import OpenAI", model="gpt-4o" ')
    assert [s.reason for s in report.skips] == ["notebook is not valid JSON; read as text"]
    assert [(e.kind, e.model) for e in report.evidence] == [("model-id", "gpt-4o")]


# --- robustness -----------------------------------------------------------------------------------

DETECTORS = [("a.ts", js_ts), ("a.vue", js_ts), ("a.go", go_source), ("A.java", jvm_source), ("a.kt", jvm_source),
             ("a.groovy", jvm_source), ("a.rs", rust_source), ("a.rb", ruby_source), ("a.cs", csharp_source),
             ("a.fs", csharp_source), ("a.vb", csharp_source), ("a.php", php_source), ("a.ipynb", notebook)]
FRAGMENTS = ["import ", " from ", "require(", "new OpenAI(", "baseURL: ", '"https://api.groq.com/v1"', "`${", "}",
             "{", "(", ")", "/*", "*/", "//", "#", 'r#"', '"#', '@"', '"""', "<<~EOS\n", "\nEOS\n", "<<<EOT\n",
             "\nEOT;", "%q(", "=begin\n", "\n=end\n", "use OpenAI;", "import (\n", '"github.com/sashabaranov/go-openai"',
             "openai.NewClient(", "process.env.", "OPENAI_API_KEY", "model: ", '"gpt-4o"', "'", '"', "`", "\\", "/",
             "\n", " ", '{"cells": [', '{"cell_type": "code", "source": ["', '"]}', "]}", "'a", "::", "->", "=>"]
code_like = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=4)), max_size=40).map("".join)


@pytest.mark.parametrize("relpath, module", DETECTORS, ids=[p for p, _ in DETECTORS])
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.one_of(st.text(), code_like))
def test_any_text_gives_a_report_and_never_an_error(relpath, module, text):
    report = module.detect(relpath, text, "source", CATALOG)
    assert not [s for s in report.skips if "failed" in s.reason]
    assert all(e.line >= 1 and e.column >= 1 and e.path == relpath for e in report.evidence)


PATHOLOGICAL = {
    "long line": "x = 'gpt-4o' + " * 7000,
    "long identifier": "a" * 100_000,
    "nested braces": "{" * 5000 + "}" * 5000,
    "unclosed brackets": "(" * 5000 + "new OpenAI(" * 1000,
    "unterminated string": 'const s = "' + "x" * 100_000,
    "escaped quotes": '"' + '\\"' * 50_000,
    "unterminated comment": "/* " + "openai " * 20_000,
    "unterminated template": "`${" * 20_000,
    "regex-like": "(/[" * 33_000,
    "assignments": "a=" * 50_000,
    "raw strings": 'r#"' * 30_000,
    "heredoc openers": "".join(f"x = <<~A{i}\n" for i in range(10_000)),
    "percent literals": "x = %q(" * 10_000,
    "csharp quotes": '@"' + '""' * 50_000,
    "deep json": '{"cells": ' + "[" * 5000 + "]" * 5000 + "}",
    "endpoints": "baseURL = x; config.BaseURL = y;\n" * 10_000,
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(PATHOLOGICAL))
def test_pathological_input_finishes_quickly(name):
    text = PATHOLOGICAL[name]
    for relpath, module in DETECTORS:
        started = time.perf_counter()
        report = module.detect(relpath, text, "source", CATALOG)
        elapsed = time.perf_counter() - started
        # A hang guard, not a speed measure (benchmarks/ measures speed): quadratic behaviour took many
        # minutes here, a linear pass well under a second, so the bound holds on a loaded CI runner too.
        assert elapsed < 60.0, f"{relpath}: {elapsed:.1f}s on {name}"
        assert not [s for s in report.skips if "failed" in s.reason]


def test_oversized_source_falls_back_to_text():
    text = "const m = 'gpt-4o';\n" + "x = 1;\n" * (tokenizer.MAX_SOURCE_CHARS // 7 + 1)
    report = js_ts.detect("big.js", text, "source", CATALOG)
    assert [s.reason for s in report.skips] == ["JavaScript/TypeScript file too large to parse; read as text"]
    assert [e.model for e in report.evidence] == ["gpt-4o"]


# --- the lexer ------------------------------------------------------------------------------------

def values(text, spec):
    return [(t.kind, t.value) for t in tokenizer.lex(text, spec)]


def test_lexer_template_literals_are_strings_and_code():
    assert values("`a${b + `c${d}`}e`", js_ts.SPEC) == [
        ("tpl", "a"), ("id", "b"), ("op", "+"), ("tpl", "c"), ("id", "d"), ("tpl", ""), ("tpl", "e")]


def test_lexer_regex_literal_versus_division():
    assert values("x = a / b / c", js_ts.SPEC) == [("id", "x"), ("op", "="), ("id", "a"), ("op", "/"), ("id", "b"),
                                                   ("op", "/"), ("id", "c")]
    assert values("x = /'[\"/]/g.test(s)", js_ts.SPEC)[2] == ("num", "/'[\"/]/g")


def test_lexer_unterminated_quote_recovers_on_the_same_line():
    assert values("it's\nx = 'gpt-4o'", js_ts.SPEC)[-1] == ("str", "gpt-4o")


def test_lexer_rust_lifetimes_and_nested_comments():
    assert values("fn f<'a>(x: &'a str) /* a /* b */ c */ { 'x' }", rust_source.SPEC) == [
        ("id", "fn"), ("id", "f"), ("op", "<"), ("op", "'"), ("id", "a"), ("op", ">"), ("op", "("), ("id", "x"),
        ("op", ":"), ("op", "&"), ("op", "'"), ("id", "a"), ("id", "str"), ("op", ")"), ("op", "{"), ("num", "'x'"),
        ("op", "}")]


def test_lexer_heredocs_keep_line_numbers():
    toks = tokenizer.lex('a = <<~EOS\n  "not a string\nEOS\nb = "gpt-4o"\n', ruby_source.SPEC)
    assert [(t.kind, t.value) for t in toks] == [("id", "a"), ("op", "="), ("str", '  "not a string\n'),
                                                  ("id", "b"), ("op", "="), ("str", "gpt-4o")]


def test_model_and_endpoint_key_names():
    assert all(engine.model_key(k) for k in ("model", "modelName", "model_id", "MODEL", "DEFAULT_MODEL", "withModel",
                                             "chatModel", "deployment_name", "llm"))
    assert not any(engine.model_key(k) for k in ("modelsDir", "remodel", "mode", "modeling", "name"))
    assert all(engine.endpoint_key(k) for k in ("baseURL", "base_url", "BaseURL", "WithBaseURL", "uri_base",
                                                "endpoint", "withBaseUri", "endpointOverride"))


# --- hosts written with a placeholder ---------------------------------------------------------------

def test_rust_hosts_with_format_placeholders():
    assert rows("rust/bedrock_http.rs") == [
        (11, "endpoint", "aws-bedrock", None, "bedrock-runtime.*.amazonaws.com"),
        (17, "endpoint", "vertex-ai", None, "*-aiplatform.googleapis.com"),
    ]


@pytest.mark.parametrize("relpath, source, expected", [
    ("a.ts", "const url = `https://${resource}.openai.azure.com/openai/deployments/${deployment}/chat/completions`;",
     [("endpoint", "azure-openai", "*.openai.azure.com")]),
    ("a.ts", "const host = `bedrock-runtime.${region}.amazonaws.com`;",
     [("endpoint", "aws-bedrock", "bedrock-runtime.*.amazonaws.com")]),
    ("a.ts", 'const url = "https://" + resource + ".openai.azure.com";', []),  # pieces of a concatenation: not read
    ("a.ts", "const url = `https://${host}/v1/chat/completions`;", []),
    ("main.go", 'package main\nvar u = fmt.Sprintf("https://%s.openai.azure.com/openai/deployments/%s", r, d)',
     [("endpoint", "azure-openai", "*.openai.azure.com")]),
    ("Main.java", 'class A { String u = String.format("https://%s.openai.azure.com/", name); }',
     [("endpoint", "azure-openai", "*.openai.azure.com")]),
    ("a.ts", "const u = `https://${name}.example.com/${p}`; const v = 'https://{x}.openai.com';", []),
])
def test_hosts_with_placeholders_in_source(relpath, source, expected):
    assert kinds(relpath, source) == expected


@pytest.mark.slow
@pytest.mark.parametrize("text", ["a" * 20_000 + "._{", "$" + "a" * 20_000 + ".x", ("a-" * 10_000) + "_.",
                                  ("ab." * 7_000) + "_", "{" * 20_000 + ".", "x_" * 10_000 + ".com"])
def test_placeholder_hosts_cost_is_linear(text):
    from provider_audit.detectors.text import placeholder_hosts

    start = time.perf_counter()
    assert placeholder_hosts(text, CATALOG) == []
    assert time.perf_counter() - start < 30  # a hang guard: the quadratic version took minutes


def test_config_hosts_with_placeholders():
    found = detector_for("config/azure_placeholders.yaml")[1](
        "config/azure_placeholders.yaml", (SOURCES / "config/azure_placeholders.yaml").read_text(), "config", CATALOG)
    assert [(e.line, e.kind, e.provider, e.detail) for e in found.evidence] == [
        (4, "endpoint", "azure-openai", "*.openai.azure.com"),
        (6, "endpoint", "azure-openai", "*.openai.azure.com"),
        (8, "endpoint", "azure-openai", "*.services.ai.azure.com"),
    ]


@pytest.mark.parametrize("source, expected", [
    # Azure OpenAI through the plain OpenAI SDK: a resource host with a placeholder, or the deployments path
    ('import OpenAI from "openai";\n'
     'const c = new OpenAI({ baseURL: `https://${resource}.openai.azure.com/openai/v1`, apiKey: key });',
     [("import", "openai", "openai"), ("client", "azure-openai", "openai OpenAI baseURL=*.openai.azure.com"),
      ("endpoint", "azure-openai", "*.openai.azure.com")]),
    ('import OpenAI from "openai";\n'
     'const c = new OpenAI({ apiKey: key, baseURL: `${endpoint}/openai/deployments/${deployment}`,\n'
     '  defaultQuery: { "api-version": "2023-12-01-preview" }, defaultHeaders: { "api-key": key } });',
     [("import", "openai", "openai"), ("client", "azure-openai", "openai OpenAI baseURL=/openai/deployments/")]),
    ('import OpenAI from "openai";\nconst c = new OpenAI({ baseURL: `${endpoint}/v1` });',
     [("import", "openai", "openai"), ("client", "openai-compatible", "openai OpenAI baseURL=<configurable>")]),
])
def test_js_azure_openai_through_the_openai_sdk(source, expected):
    assert kinds("a.ts", source) == expected


# --- configuration files ----------------------------------------------------------------------------

def config_rows(relpath):
    """(line, kind, provider, confidence, detail) of a configuration fixture, in report order."""
    kind, detector = detector_for(relpath)
    assert kind == "config"
    report = detector(relpath, (SOURCES / relpath).read_text(encoding="utf-8"), "config", CATALOG)
    return [(e.line, e.kind, e.provider, e.confidence, e.model or e.detail)
            for e in sorted(report.evidence, key=lambda e: e.sort_key())]


def test_config_models_take_the_provider_of_their_block():
    """A model id under a block that names its endpoint is that endpoint's (Ollama's llama, Azure's gpt-4o);
    a commented-out line is reported at low confidence."""
    assert config_rows("config/cli-providers.yml") == [
        (3, "model-id", None, "low", "claude-3-5-haiku-latest"),
        (4, "model-id", None, "high", "gpt-4o-mini"),
        (7, "endpoint", "openai", "high", "api.openai.com"),
        (8, "env-var", "openai", "high", "OPENAI_API_KEY"),
        (10, "model-id", "openai", "high", "gpt-4o-mini"),  # the key of the model table is the id sent
        (11, "model-id", "openai", "high", "gpt-4o-mini"),
        (13, "endpoint", "azure-openai", "high", "*.openai.azure.com"),
        (14, "env-var", "azure-openai", "high", "AZURE_OPENAI_KEY"),
        (16, "model-id", "azure-openai", "high", "gpt-4o"),
        (17, "model-id", "azure-openai", "high", "gpt-4o"),
        (19, "endpoint", "ollama", "high", "localhost:11434"),
        (21, "model-id", "ollama", "high", "llama3.2:3b"),
        (22, "model-id", "ollama", "high", "llama3.2"),
        (24, "endpoint", "groq", "high", "api.groq.com"),
        (25, "env-var", "groq", "high", "GROQ_API_KEY"),
        (27, "model-id", "groq", "high", "llama-3.3-70b-versatile"),
        (28, "model-id", "groq", "high", "llama-3.3-70b-versatile"),
        (28, "model-id", "groq", "high", "llama3.3"),
    ]


def test_config_spring_ai_and_langchain4j_keys_name_the_provider():
    assert config_rows("config/application.properties") == [
        (2, "env-var", "openai", "high", "OPENAI_API_KEY"),
        (3, "model-id", "openai", "high", "gpt-4o-mini"),
        (4, "endpoint", "ollama", "high", "localhost:11434"),
        (5, "model-id", "ollama", "high", "llama3.2:latest"),
        (6, "model-id", None, "low", "qwen2.5:latest"),
        (7, "model-id", "azure-openai", "high", "gpt-4o"),
        (8, "model-id", "openai", "high", "gpt-4o-mini"),
    ]
    assert config_rows("config/application.yml") == [
        (8, "model-id", "ollama", "high", "llama3.1:8b"),
        (14, "model-id", "vertex-ai", "high", "gemini-2.0-flash"),
        (19, "model-id", "aws-bedrock", "high", "anthropic.claude-3-5-sonnet-20240620-v1:0"),
    ]


def test_config_json_objects_in_an_array_are_separate_blocks():
    assert config_rows("config/providers.json") == [
        (5, "endpoint", "groq", "high", "api.groq.com"),
        (6, "model-id", "groq", "high", "llama-3.3-70b-versatile"),
        (10, "model-id", None, "high", "gpt-4o"),  # the next object has no endpoint: left to the scan
    ]


def test_config_environment_blocks_do_not_scope_models():
    """OPENAI_BASE_URL among a job's variables redirects one SDK; it says nothing of the other variables."""
    assert config_rows("config/evals-workflow.yml") == [
        (9, "model-id", None, "high", "gemini-2.5-flash"),
        (10, "env-var", "google", "high", "GEMINI_API_KEY"),
        (11, "env-var", "openai", "low", "OPENAI_BASE_URL"),
        (11, "endpoint", "openai", "high", "OPENAI_BASE_URL=api.openai.com"),
    ]


def test_config_toml_sections_scope_their_endpoint():
    assert config_rows("config/llm.toml") == [
        (3, "endpoint", "deepseek", "high", "api.deepseek.com"),
        (4, "model-id", "deepseek", "high", "deepseek-chat"),
        (7, "model-id", None, "high", "text-embedding-3-small"),
    ]


def test_config_prose_in_a_data_file_is_low_confidence():
    """A RAG corpus or an eval set in JSON quotes documentation: hosts and key names in its prose are not
    settings. The short settings below it are."""
    assert config_rows("config/rag_corpus.json") == [
        (5, "env-var", "anthropic", "low", "ANTHROPIC_API_KEY"),
        (5, "endpoint", "anthropic", "low", "api.anthropic.com"),
        (8, "model-id", "anthropic", "high", "claude-3-5-haiku-20241022"),  # its object's endpoint
        (9, "endpoint", "anthropic", "high", "api.anthropic.com"),
    ]


# ------------------------------------------------------------------ imports used only for types (issue 14)


@pytest.mark.parametrize("source", [
    'import type { ChatCompletion } from "openai/resources";',
    'import type OpenAI from "openai";',
    'import { type ChatCompletion, type ChatCompletionMessageParam } from "openai";',
])
def test_ts_type_only_import_of_a_provider_sdk_is_low_confidence(source):
    found = [(e.detail, e.confidence) for e in detect("a.ts", source).evidence if e.kind == "import"]
    assert found == [("openai", "low")]


def test_ts_value_import_beside_a_type_stays_high():
    found = [(e.detail, e.confidence) for e in detect("a.ts", 'import OpenAI, { type ChatCompletion } from "openai";').evidence
             if e.kind == "import"]
    assert found == [("openai", "high")]


GO_TYPES_ONLY = '''package adapter

import (
	"context"
	openai "github.com/sashabaranov/go-openai"
	"github.com/anthropics/anthropic-sdk-go"
)

func fromOpenAI(m openai.ChatCompletionMessage, r *openai.ChatCompletionRequest) string { return m.Content }

func call(c anthropic.Client) {
	var msgs []openai.ChatCompletionMessage
	_ = msgs
	c.Messages.New(context.TODO(), anthropic.MessageNewParams{Model: "claude-sonnet-4-5"})
}
'''


def test_go_sdk_imported_only_for_its_types_is_low_confidence():
    found = {e.detail: e.confidence for e in detect("adapter.go", GO_TYPES_ONLY).evidence if e.kind == "import"}
    assert found == {"github.com/sashabaranov/go-openai": "low", "github.com/anthropics/anthropic-sdk-go": "high"}


def test_go_sdk_whose_client_or_constants_are_used_stays_high():
    text = GO_TYPES_ONLY.replace("func call(", "var c2 = openai.NewClient(\"k\")\n\nfunc call(")
    found = {e.detail: e.confidence for e in detect("adapter.go", text).evidence if e.kind == "import"}
    assert found["github.com/sashabaranov/go-openai"] == "high"


@pytest.mark.parametrize("source", [
    'import ollama\nr = ollama.chat(model="llama3.2", messages=[])\n',
    'from ollama import Client\nc = Client(host="http://gpu:11434")\nc.generate(model="llama3.2", prompt="x")\n',
])
def test_a_model_served_by_ollama_is_ollamas_not_its_makers_api(source, tmp_path):
    import provider_audit

    (tmp_path / "app.py").write_text(source)
    result = provider_audit.audit(tmp_path, isolated=True, no_git=True, no_cache=True)
    models = [(e.detail, e.provider, e.model_vendor) for e in result.usages if e.kind == "model-id"]
    assert models == [("llama3.2", "ollama", "meta")]
    assert [p.id for p in result.providers] == ["ollama"] and result.lock_in.verdict == "single-provider"


# ------------------------------------------------------------------ Azure OpenAI in infrastructure as code (issue 14)

TF_AZURE = '''resource "azurerm_cognitive_account" "oai" {
  name     = "oai-prod"
  kind     = "OpenAI"
  sku_name = "S0"
}

resource "azurerm_cognitive_deployment" "chat" {
  name                 = "gpt-4o-deploy"
  cognitive_account_id = azurerm_cognitive_account.oai.id
  model {
    format  = "OpenAI"
    name    = "gpt-4o"
    version = "2024-08-06"
  }
}
'''

BICEP_AZURE = """resource account 'Microsoft.CognitiveServices/accounts@2023-05-01' = {
  name: 'oai'
  kind: 'OpenAI'
}
resource chat 'Microsoft.CognitiveServices/accounts/deployments@2023-05-01' = {
  parent: account
  name: 'chat'
  properties: {
    model: {
      format: 'OpenAI'
      name: 'gpt-4o-mini'
    }
  }
}
"""


@pytest.mark.parametrize("name,text,model", [("infra/main.tf", TF_AZURE, "gpt-4o"),
                                             ("infra/main.bicep", BICEP_AZURE, "gpt-4o-mini")])
def test_azure_openai_resources_in_infrastructure_code_are_azures(name, text, model):
    kind, detector = detector_for(name)
    assert kind == "config"
    found = detector(name, text, "config", CATALOG).evidence
    models = {(e.detail, e.provider) for e in found if e.kind == "model-id"}
    assert (model, "azure-openai") in models and all(p == "azure-openai" for _, p in models)
    assert [(e.line, e.provider) for e in found if e.kind == "endpoint"] == [(3, "azure-openai")]  # the account's kind line


def test_a_cognitive_account_of_another_kind_is_not_azure_openai():
    text = TF_AZURE.replace('kind     = "OpenAI"', 'kind     = "TextAnalytics"').split("resource \"azurerm_cognitive_deployment\"")[0]
    found = detector_for("main.tf")[1]("main.tf", text, "config", CATALOG).evidence
    assert [e for e in found if e.provider == "azure-openai"] == []


# ------------------------------------------------------------------ model-id constants nothing sends (issue 14)

UNSENT = '''import litellm

LLAMA = "ollama_chat/llama3:8b"
GPT = "openai/gpt-4o"
CLAUDE = "anthropic/claude-3-5-sonnet-20240620"
MODEL = CLAUDE          # itself never read: CLAUDE goes nowhere either


def complete(message, model=LLAMA):
    return litellm.completion(model, [{"role": "user", "content": message}])
'''


def test_python_model_constants_that_nothing_reads_are_low_confidence():
    from provider_audit.detectors import python_ast

    found = {e.detail: e.confidence for e in python_ast.detect("c.py", UNSENT, "source", CATALOG).evidence
             if e.kind == "model-id"}
    assert found == {"ollama_chat/llama3:8b": "high", "openai/gpt-4o": "low",
                     "anthropic/claude-3-5-sonnet-20240620": "low"}


def test_python_model_constants_exported_or_read_stay_high():
    from provider_audit.detectors import python_ast

    text = UNSENT.replace("import litellm\n", 'import litellm\n__all__ = ["GPT"]\n') + "print(MODEL)\n"
    found = {e.detail: e.confidence for e in python_ast.detect("c.py", text, "source", CATALOG).evidence
             if e.kind == "model-id"}
    assert set(found.values()) == {"high"}


def test_python_config_module_constants_read_by_other_modules_stay_high():
    from provider_audit.detectors import python_ast

    text = 'import os\n\nGROQ_MODEL = "llama-3.3-70b-versatile"\nKEY = os.getenv("GROQ_API_KEY")\n'
    found = [e.confidence for e in python_ast.detect("config.py", text, "source", CATALOG).evidence if e.kind == "model-id"]
    assert found == ["high"]


SETTINGS_DEFAULTS = '''import os
from os import getenv
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BOT_")
    answer_model: str = "claude-sonnet-4-5-20250929"
    fast_model: str = Field("claude-3-5-haiku-20241022", description="for triage")


MODEL = os.getenv("SUMMARY_MODEL", "gpt-4o")
BACKUP = getenv("BACKUP_MODEL", "gpt-4o-mini")
PINNED = "gpt-4.1"


class Plain:
    model: str = "gpt-4o"
'''


def test_python_model_defaults_name_the_variable_that_replaces_them():
    from provider_audit.detectors import python_ast

    found = [(e.line, e.detail, e.default_of) for e in python_ast.detect("settings.py", SETTINGS_DEFAULTS, "source", CATALOG)
             .evidence if e.kind == "model-id"]
    assert found == [(9, "claude-sonnet-4-5-20250929", "BOT_ANSWER_MODEL"), (10, "claude-3-5-haiku-20241022", "BOT_FAST_MODEL"),
                     (13, "gpt-4o", "SUMMARY_MODEL"), (14, "gpt-4o-mini", "BACKUP_MODEL"), (15, "gpt-4.1", None),
                     (19, "gpt-4o", None)]
