"""The light pass: files in contexts that do not decide the verdict are read for their keyword lines only,
their evidence still reported in its context; a context made decisive gets the full pass again."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from provider_audit.cli import main
from provider_audit.data.catalog import load_catalog
from provider_audit.detectors import light
from provider_audit.detectors.light import first_of_each
from provider_audit.scanning.analysis import ScanOptions, cache_key, handler_for, light_pass, light_reader
from provider_audit.scanning.cache import open_cache
from provider_audit.scanning.scan import scan

CATALOG = load_catalog()
TEST_TS = """\
import OpenAI from "openai";
import { anthropic } from '@ai-sdk/anthropic';
// import { mistral } from "@ai-sdk/mistral";
const client = new OpenAI({ apiKey: process.env.OPENAI_API_KEY });
const m = await import("@ai-sdk/google");
const g = require('groq-sdk');
test("answers", async () => {
  await client.chat.completions.create({ model: "gpt-4o-2024-08-06", messages: [] });
});
"""


def details(report, kind):
    return [(e.line, e.detail) for e in report.evidence if e.kind == kind]


def test_light_detector_reads_imports_and_literals_on_keyword_lines():
    report = light.detect("src/app.test.ts", TEST_TS, "test", CATALOG)
    assert details(report, "import") == [(1, "openai"), (2, "@ai-sdk/anthropic"), (5, "@ai-sdk/google"),
                                         (6, "groq-sdk")]  # not the commented-out line 3
    assert details(report, "client") == []  # constructions need the parser: not looked for
    assert (4, "OPENAI_API_KEY") in details(report, "env-var")
    assert details(report, "model-id") == [(8, "gpt-4o-2024-08-06")]
    assert {e.context for e in report.evidence} == {"test"}
    first = report.evidence[0]
    assert (first.column, first.package, first.snippet) == (20, "openai", 'import OpenAI from "openai";')


def imports(report):
    return [(e.line, e.column, e.detail, e.provider, e.layer, e.confidence, e.package)
            for e in report.evidence if e.kind == "import"]


def test_light_imports_are_the_parsers_imports():
    from provider_audit.detectors import js_ts, python_ast

    assert imports(light.detect("a.test.ts", TEST_TS, "test", CATALOG)) == \
        imports(js_ts.detect("a.test.ts", TEST_TS, "test", CATALOG))
    # The names are used: the parser marks an import nothing uses as low confidence, which a line-level
    # pass cannot tell (and need not: these contexts never decide).
    text = ("import os, openai as oa\nfrom google import genai\nif x:\n    from langchain_openai import ChatOpenAI\n"
            "oa.api_key = genai.KEY + ChatOpenAI.key\n")
    assert imports(light.detect("t.py", text, "test", CATALOG)) == imports(python_ast.detect("t.py", text, "test", CATALOG))


def test_light_detector_reads_python_imports_as_the_parser_attributes_them():
    text = ("import os, openai as oa\n"
            "from google import genai\n"
            "from anthropic import (\n    Anthropic,\n)\n"
            "# import mistralai\n"
            "from .openai import helper\n"
            "    from langchain_openai import ChatOpenAI\n")
    report = light.detect("tests/test_x.py", text, "test", CATALOG)
    # A parenthesised list is read from its first line only (the parser says "anthropic.Anthropic").
    assert details(report, "import") == [(1, "openai"), (2, "google.genai"), (3, "anthropic"),
                                         (8, "langchain_openai.ChatOpenAI")]
    assert [e.column for e in report.evidence if e.kind == "import"] == [1, 1, 1, 5]


DEFAULT = ("source", "config", "manifest")


@pytest.mark.parametrize("path,context,decisive,light_,reader", [
    ("tests/app.test.ts", "test", DEFAULT, True, True),
    ("examples/demo.py", "example", DEFAULT, True, True),
    ("tests/app.test.ts", "test", DEFAULT + ("test",), False, True),  # tests made decisive: the full pass
    ("src/app.ts", "source", DEFAULT, False, True),
    ("tests/client_test.go", "test", DEFAULT, True, False),  # light, read by the Go detector
    ("tests/fixture.json", "test", DEFAULT, True, False),  # light, read by the config detector
    ("docs/guide.md", "docs", DEFAULT, True, True),  # plain text: the light detector
    ("examples/package.json", "example", DEFAULT, False, False),  # manifests: always the full pass
])
def test_which_files_get_the_light_pass(path, context, decisive, light_, reader):
    options = ScanOptions(decisive=decisive)
    handler = handler_for(path)
    assert light_pass(handler, context, options) is light_
    assert light_reader(path, handler) is reader
    assert cache_key(handler, context, options) == (context + "+light" if light_ else context)


@pytest.fixture
def project(tmp_path):
    tree = tmp_path / "project"
    (tree / "src").mkdir(parents=True)
    (tree / "tests").mkdir()
    (tree / "src" / "app.ts").write_text('import Anthropic from "@anthropic-ai/sdk";\nconst c = new Anthropic();\n')
    (tree / "tests" / "app.test.ts").write_text(TEST_TS)
    return tree


def _audit(tree, *args):
    result = CliRunner().invoke(main, [str(tree), "--no-git", "--exit-zero", "--format", "json",
                                       "--as-of", "2026-11-01", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _test_kinds(report):
    return sorted({u["kind"] for u in report["usages"] if u["path"] == "tests/app.test.ts"})


def test_tests_get_the_light_pass_unless_made_decisive(project, tmp_path):
    light_report = _audit(project, "--isolated", "--no-cache")
    assert light_report["summary"]["light_pass"] == {"contexts": ["test", "example", "docs", "auxiliary", "data"],
                                                   "files": 1}
    assert _test_kinds(light_report) == ["env-var", "import", "model-id"]  # reported, in its context
    assert {u["context"] for u in light_report["usages"] if u["path"] == "tests/app.test.ts"} == {"test"}
    assert light_report["lock_in"]["providers"] == ["anthropic"]

    (project / "pyproject.toml").write_text(
        '[tool.provider-audit]\ndecisive-contexts = ["source", "config", "manifest", "test"]\n')
    full = _audit(project, "--no-cache")
    assert full["summary"]["light_pass"] == {"contexts": ["example", "docs", "auxiliary", "data"], "files": 0}
    assert "client" in _test_kinds(full)  # the parser's reading: `new OpenAI(...)` is a client
    assert "openai" in full["lock_in"]["providers"]  # and tests now decide


def test_the_cache_keeps_light_and_full_results_apart(project, tmp_path):
    catalog = load_catalog()
    folder = tmp_path / "cache"

    def run(decisive):
        cache = open_cache(folder, project.resolve(), ["test"])
        result = scan(project, (), ScanOptions(use_git=False, decisive=decisive), catalog, cache)
        kinds = sorted({e.kind for e in result.evidence if e.path == "tests/app.test.ts"})
        return kinds, cache.hits

    default, full = ("source", "config", "manifest"), ("source", "config", "manifest", "test")
    assert run(default) == (["env-var", "import", "model-id"], 0)
    assert run(full)[0] == ["client", "env-var", "import", "model-id"]  # analysed again, not served light
    assert run(full)[1] == 2  # now cached as a full result
    assert run(default) == (["env-var", "import", "model-id"], 1)  # only src/app.ts (same key) was reused


def test_light_pass_records_each_kind_and_detail_once_per_file(tmp_path):
    tree = tmp_path / "project"
    (tree / "tests" / "__fixtures__").mkdir(parents=True)
    stream = "".join(f'{{"id":"chunk-{i}","model":"gpt-4o-2024-08-06","delta":"{i}"}}\n' for i in range(50))
    (tree / "tests" / "__fixtures__" / "openai.chunks.txt").write_text(stream)
    (tree / "stream.json").write_text(stream)  # the same text in production (a .jsonl would be data; one JSON object per line, no array): every line is evidence
    report = _audit(tree, "--isolated", "--no-cache")
    lines = {path: [u["line"] for u in report["usages"] if u["path"] == path]
             for path in ("tests/__fixtures__/openai.chunks.txt", "stream.json")}
    assert lines["tests/__fixtures__/openai.chunks.txt"] == [1]  # its first occurrence
    assert lines["stream.json"] == list(range(1, 51))
    assert report["summary"]["light_pass"]["files"] == 1


def test_first_of_each_keeps_order_and_distinct_details():
    from provider_audit.detectors import js_ts

    found = js_ts.detect("a.test.ts", TEST_TS + TEST_TS, "test", CATALOG).evidence  # the full pass: all twice
    kept = first_of_each(found)
    assert len(found) == 2 * len(kept)
    assert list(kept) == [e for e in found if e.line <= TEST_TS.count("\n")]
    # The light detector keeps only first occurrences as it reads (and redacts only those lines).
    assert light.detect("a.test.ts", TEST_TS + TEST_TS, "test", CATALOG) == light.detect("a.test.ts", TEST_TS, "test", CATALOG)


def test_hit_keys_are_the_keys_of_the_evidence_the_hits_make():
    """The light pass makes evidence only for hits whose key it has not seen: the key it computes from a
    hit must be the one the evidence would have."""
    from provider_audit.detectors.literals import evidence_from_hit
    from provider_audit.detectors.text import keyword_lines, line_hits

    from conftest import FIXTURES

    kinds = set()
    for path in sorted(p for p in FIXTURES.rglob("*") if p.is_file()):
        text = path.read_bytes().decode("utf-8", errors="replace")
        for number, line in keyword_lines(text, CATALOG):
            for hit, column in line_hits(line, CATALOG):
                for confidence in (None, "medium"):
                    made = evidence_from_hit(hit, "x", number, column, "test", "", confidence)
                    assert light.hit_key(hit) == light.key(made), (path, line)
                kinds.add(hit.kind)
    assert {"model-id", "endpoint", "env-var"} <= kinds
