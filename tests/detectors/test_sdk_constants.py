"""SDK constants that stand for model ids (``rules/sdk_constants.yaml``): the table, the Go and JVM
detectors that read them, and the lifecycle check that then flags a retired id behind a constant."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from provider_audit.cli import main
from provider_audit.data.catalog import load_catalog
from provider_audit.data.sdk_constants import (SdkConstants, SdkConstantsError, load_sdk_constants_file,
                                               sdk_constants_path)
from provider_audit.detectors import detector_for

CATALOG = load_catalog()


def models(relpath: str, text: str):
    """(line, model id, vendor, confidence) of the model-id evidence a source file gives."""
    _, detector = detector_for(relpath)
    report = detector(relpath, text, "source", CATALOG)
    return sorted((e.line, e.model, e.model_vendor, e.confidence) for e in report.evidence if e.kind == "model-id")


# --- the table ---------------------------------------------------------------------------------------

def test_shipped_table_is_valid_against_the_catalog():
    table = load_sdk_constants_file(sdk_constants_path(), CATALOG)
    assert table.go_module("github.com/sashabaranov/go-openai")["GPT4o"] == "gpt-4o"
    assert table.go_module("github.com/openai/openai-go/v3")["ChatModelGPT4o"] == "gpt-4o"
    assert table.go_module("github.com/anthropics/anthropic-sdk-go")["ModelClaude3OpusLatest"] == "claude-3-opus-latest"
    assert table.jvm_class("com.openai.models.ChatModel")["GPT_4O"] == "gpt-4o"
    assert table.jvm_class("dev.langchain4j.model.openai.OpenAiChatModelName")["GPT_4_O"] == "gpt-4o"
    assert table.jvm_class("org.springframework.ai.openai.api.OpenAiApi.ChatModel")["GPT_4_O"] == "gpt-4o"


def _table(**sdk):
    entry = {"id": "go-openai", "language": "go", "source": "https://github.com/sashabaranov/go-openai",
             "checked": "2026-12-07", "constants": {"github.com/sashabaranov/go-openai": {"GPT4o": "gpt-4o"}}}
    entry.update(sdk)
    return {"schema_version": 1, "sdks": [entry]}


@pytest.mark.parametrize("change, message", [
    ({"language": "python"}, "'python' is not one of"),
    ({"constants": {"github.com/sashabaranov/go-openai/v2": {"GPT4o": "gpt-4o"}}}, "without /vN"),
    ({"constants": {"github.com/sashabaranov/go-openai": {"GPT4o": "not a model"}}}, "not a model id the catalog knows"),
    ({"constants": {"github.com/sashabaranov/go-openai": {"GPT-4o": "gpt-4o"}}}, "not an identifier"),
    ({"constants": {"ChatModel": {"GPT_4O": "gpt-4o"}}, "language": "jvm"}, "not a fully qualified class name"),
    ({"source": "github.com/x"}, "not an http(s) URL"),
    ({"colour": "red"}, "unknown key"),
])
def test_table_validation_names_entry_and_key(change, message):
    with pytest.raises(SdkConstantsError, match="sdks\\[0\\]") as error:
        SdkConstants(_table(**change), "t.yaml", CATALOG)
    assert message in str(error.value)


def test_table_refuses_aliases(tmp_path):
    path = tmp_path / "sdk_constants.yaml"
    path.write_text("schema_version: 1\nsdks:\n  - &a {id: x, language: go}\n  - *a\n", encoding="utf-8")
    with pytest.raises(SdkConstantsError, match="invalid YAML"):
        load_sdk_constants_file(path, CATALOG)


# --- Go ----------------------------------------------------------------------------------------------

GO_OPENAI = """package main

import (
\t"context"
\topenai "github.com/sashabaranov/go-openai"
)

func ask(c *openai.Client) {
\tc.CreateChatCompletion(context.Background(), openai.ChatCompletionRequest{
\t\tModel: openai.GPT4o,
\t})
\tlegacy := openai.GPT3Dot5Turbo0301
\t_ = openai.ChatMessageRoleUser
\t_ = legacy
}
"""


def test_go_openai_constants_are_model_ids():
    assert models("main.go", GO_OPENAI) == [(10, "gpt-4o", "openai", "high"),
                                           (12, "gpt-3.5-turbo-0301", "openai", "high")]


def test_go_anthropic_and_openai_go_constants_any_major_version_and_subpackage():
    source = """package main

import (
\t"github.com/anthropics/anthropic-sdk-go"
\t"github.com/openai/openai-go/v3"
\t"github.com/openai/openai-go/v3/shared"
\tgoanthropic "github.com/liushuangls/go-anthropic/v2"
)

var a = anthropic.ModelClaude3OpusLatest
var b = openai.ChatModelGPT4oMini
var c = shared.ChatModelO1
var d = goanthropic.ModelClaude3Haiku20240307
var e = anthropic.NewClient()
var f = other.GPT4o
"""
    assert models("main.go", source) == [
        (10, "claude-3-opus-latest", "anthropic", "high"), (11, "gpt-4o-mini", "openai", "high"),
        (12, "o1", "openai", "high"), (13, "claude-3-haiku-20240307", "anthropic", "high")]


def test_go_constant_of_a_module_without_a_table_is_not_read():
    source = 'package main\n\nimport "github.com/google/generative-ai-go/genai"\n\nvar m = genai.GPT4o\n'
    assert models("main.go", source) == []


# --- JVM ---------------------------------------------------------------------------------------------

def test_java_openai_chat_model_constant():
    source = """import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.ChatModel;
import com.openai.models.chat.completions.ChatCompletionCreateParams;

class Chat {
    void ask() {
        var client = OpenAIOkHttpClient.fromEnv();
        var params = ChatCompletionCreateParams.builder().model(ChatModel.GPT_4O).build();
        var old = ChatModel.GPT_3_5_TURBO_0301;
    }
}
"""
    assert models("Chat.java", source) == [(8, "gpt-4o", "openai", "high"),
                                           (9, "gpt-3.5-turbo-0301", "openai", "high")]


def test_langchain4j_spring_ai_static_imports_and_kotlin():
    source = """import dev.langchain4j.model.anthropic.AnthropicChatModelName
import org.springframework.ai.openai.api.OpenAiApi
import static dev.langchain4j.model.openai.OpenAiChatModelName.GPT_4_O_MINI

val a = AnthropicChatModelName.CLAUDE_3_HAIKU_20240307
val b = OpenAiApi.ChatModel.GPT_4_O.getValue()
val c = GPT_4_O_MINI
val d = OpenAiApi.ChatModel.valueOf("x")
"""
    assert models("App.kt", source) == [(5, "claude-3-haiku-20240307", "anthropic", "high"),
                                         (6, "gpt-4o", "openai", "high"), (7, "gpt-4o-mini", "openai", "high")]


# --- lifecycle ---------------------------------------------------------------------------------------

def test_retired_id_behind_a_go_constant_is_a_lifecycle_finding(tmp_path: Path):
    (tmp_path / "go.mod").write_text("module example.com/app\n\ngo 1.22\n\n"
                                     "require github.com/sashabaranov/go-openai v1.41.1\n", encoding="utf-8")
    (tmp_path / "main.go").write_text(GO_OPENAI.replace("func ask(c *openai.Client) {",
                                                        "func ask() {\n\tc := openai.NewClient(\"k\")"),
                                      encoding="utf-8")
    result = CliRunner().invoke(main, [str(tmp_path), "--format", "json", "--no-git", "--isolated",
                                       "--as-of", "2026-12-07"])
    assert result.exit_code in (0, 1), result.output
    lifecycle = json.loads(result.stdout)["risk"]["lifecycle"]
    found = {(f["platform"], f["model"], f["phase"], f["severity"]) for f in lifecycle}
    assert ("openai", "gpt-3.5-turbo-0301", "retired", "critical") in found
    where = [e["line"] for f in lifecycle if f["model"] == "gpt-3.5-turbo-0301" for e in f["evidence"]]
    assert where == [13]


# --- JS/TS: a constant imported from another file of the project, one hop -----------------------------

def _scan_json(root: Path) -> dict:
    result = CliRunner().invoke(main, [str(root), "--format", "json", "--no-git", "--isolated", "--no-cache",
                                       "--as-of", "2026-12-07"])
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def _model_usages(report: dict):
    return sorted((u["path"], u["line"], u.get("model"), u.get("provider")) for u in report["usages"]
                  if u["kind"] == "model-id")


JS_MAIN = """import OpenAI from "openai";
import { CHAT_MODEL, TITLE } from "./config";
import { OTHER } from "../outside";

const client = new OpenAI();
export async function ask(q: string) {
  return client.chat.completions.create({
    model: CHAT_MODEL,
    messages: [{ role: "user", content: q }],
  });
}
export const label = { model: TITLE, fallback: OTHER };
"""


@pytest.mark.parametrize("config_name, config_text", [
    ("config.ts", 'export const CHAT_MODEL: string = "gpt-3.5-turbo-0301";\nexport const TITLE = "Ask me";\n'),
    ("config.js", 'export const CHAT_MODEL = "gpt-3.5-turbo-0301"\nexport const TITLE = "Ask me"\n'),
    ("config/index.ts", 'export let CHAT_MODEL = "gpt-3.5-turbo-0301";\n'),
])
def test_js_model_constant_imported_from_a_project_file(tmp_path: Path, config_name, config_text):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "main.ts").write_text(JS_MAIN, encoding="utf-8")
    (tmp_path / "src" / config_name).parent.mkdir(exist_ok=True)
    (tmp_path / "src" / config_name).write_text(config_text, encoding="utf-8")
    report = _scan_json(tmp_path)
    usages = _model_usages(report)
    assert ("src/main.ts", 8, "gpt-3.5-turbo-0301", "openai") in usages  # at the use site, sent by the client
    assert not any(u[2] is None for u in usages)  # no reference left unresolved
    assert not any("imported " in u.get("detail", "") for u in report["usages"])
    found = {(f["platform"], f["model"], f["phase"]) for f in report["risk"]["lifecycle"]}
    assert ("openai", "gpt-3.5-turbo-0301", "retired") in found


def test_js_imported_name_that_is_not_a_model_id_is_dropped(tmp_path: Path):
    (tmp_path / "main.ts").write_text(JS_MAIN.replace("./config", "./settings"), encoding="utf-8")
    (tmp_path / "settings.ts").write_text('export const CHAT_MODEL = process.env.MODEL ?? "x";\n', encoding="utf-8")
    report = _scan_json(tmp_path)
    assert [u for u in _model_usages(report) if u[0] == "main.ts"] == []


def test_the_constants_table_is_read_like_every_rules_file(tmp_path):
    """A FIFO or a device given as the table must not hang the loader: the shared safe reader refuses it."""
    import os

    import pytest

    from provider_audit.data.sdk_constants import SdkConstantsError, load_sdk_constants_file

    fifo = tmp_path / "sdk_constants.yaml"
    os.mkfifo(fifo)
    with pytest.raises(SdkConstantsError, match="cannot read"):
        load_sdk_constants_file(fifo)
