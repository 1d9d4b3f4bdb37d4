"""Hostile input, round 2 (issue 15): discovery through replaced folders, SARIF URIs of odd names, the
last redaction gaps, a manifest too deep to parse, and strict mode for the property tests and the fuzzer.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from provider_audit.data.catalog import load_catalog
from provider_audit import strict as strict_mode
from provider_audit.formatters import FORMATTERS
from provider_audit.redact import redact
from provider_audit.result import judge_scan
from provider_audit.scanning import analysis
from provider_audit.scanning.analysis import ScanOptions, file_context, handler_for, scan_file
from provider_audit.scanning.cache import open_cache
from provider_audit.scanning.scan import scan

CATALOG = load_catalog()
NO_GIT = ScanOptions(use_git=False)


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@t"})


# ------------------------------------------------------------------ git mode: a tracked folder replaced by a link


@pytest.mark.parametrize("depth", ["sub", "a/b"])
def test_tracked_folder_replaced_by_a_link_to_outside_is_not_read(tmp_path, depth):
    """``rm -rf sub && ln -s /elsewhere sub``: git still lists sub/app.py, which now lives elsewhere."""
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "app.py").write_text("import anthropic\nclient = anthropic.Anthropic()\n")
    root = tmp_path / "repo"
    (root / depth).mkdir(parents=True)
    (root / depth / "app.py").write_text("x = 1\n")
    (root / "main.py").write_text("import openai\n")
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "init")
    (root / depth / "app.py").unlink()
    (root / depth).rmdir()
    (root / depth).symlink_to(outside)
    result = scan(root, options=ScanOptions(use_git=True), catalog=CATALOG)
    assert {e.path for e in result.evidence} == {"main.py"}, [(e.path, e.detail) for e in result.evidence]
    reasons = {s.path: s.reason for s in result.skips}
    assert "not followed" in reasons.get(depth, ""), reasons


# ------------------------------------------------------------------ SARIF URIs


def test_sarif_uris_of_odd_names_are_distinct_and_encoded(tmp_path):
    """A file named ``src\\app.py`` got the URI of the different file ``src/app.py``."""
    names = ["src/app.py", "src\\app.py", "src/a#b.py", "src/a?b.py", "src/a%41.py", "src/a b.py", "src/é.py"]
    for name in names:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("import openai\nclient = openai.OpenAI()\n")
    result = judge_scan(scan(tmp_path, options=NO_GIT, catalog=CATALOG), CATALOG)
    sarif = json.loads(FORMATTERS["sarif"](result))
    uris = {loc["physicalLocation"]["artifactLocation"]["uri"]
            for r in sarif["runs"][0]["results"] for loc in r["locations"]}
    assert {"src/app.py", "src%5Capp.py", "src/a%23b.py", "src/a%3Fb.py", "src/a%2541.py", "src/a%20b.py",
            "src/%C3%A9.py"} <= uris, uris


# ------------------------------------------------------------------ redaction


# Each line is evidence (so its snippet reaches every report) and holds a secret in one of the forms
# that leaked: the canary must not appear in any format, nor in the result cache.
CANARY_FILES = {
    "app.py": [
        'requests.post("https://api.openai.com/v1/chat", headers={"Authorization": "Bearer CANARYbearer"})',
        'OPENAI_KEY = "CANARYvarkey"; client = openai.OpenAI(api_key=OPENAI_KEY)',
        'cfg = {"key": "CANARYbare", "base_url": "https://api.openai.com/v1"}',
        'x = dict(key="CANARYbareeq", base_url="https://api.openai.com/v1")',
        'u = "https://generativelanguage.googleapis.com/v1/models?key=CANARYurlkey&alt=sse"',
        'sa = {"private_key": "-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBg+/CANARYpem/x+abc\\n-----END PRIVATE KEY-----",'
        ' "url": "https://api.openai.com/v1"}',
        'PEM = "-----BEGIN RSA PRIVATE KEY-----MIIEvQ+/CANARYpem2 AAA/BBB"; c = openai.OpenAI()',
    ],
    "web/index.js": [
        'fetch("https://api.openai.com/v1/chat", {headers: {Authorization: "Bearer canaryab"}});',
        'fetch("https://api.openai.com/v1/chat", {headers: {"x-api-key": "CANARYxkey"}});',
    ],
    "Dockerfile": ["FROM python:3.12", "ENV OPENAI_API_KEY CANARYdockerenv", "ENV ANTHROPIC_API_KEY=CANARYdockereq"],
    "src/Main.java": [
        "import com.openai.client.okhttp.OpenAIOkHttpClient;",
        'class M { Object c = OpenAIOkHttpClient.builder().apiKey("CANARYjava").build(); }',
        'class N { Object c = AnthropicOkHttpClient.builder().withApiKey("CANARYwith").model("claude-3-5-sonnet-20240620").build(); }',
    ],
    "index.php": ["<?php", "$client = OpenAI::client('CANARYphp');"],
    "main.go": ['package main', 'import openai "github.com/sashabaranov/go-openai"',
                'func main() { c := openai.NewClient("CANARYgoclient"); _ = c }',
                'func f() { token := "CANARYgovar"; c := openai.NewClient(token); _ = c }'],
    "config.yaml": ['openai: {key: CANARYyamlkey, base_url: "https://api.openai.com/v1"}'],
    "settings.ini": ["[openai]", "openai_url=https://api.openai.com/v1?key=CANARYinikey"],
}


def _canary_tree(root: Path) -> None:
    for name, lines in CANARY_FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("\n".join(lines) + "\n")


def test_canary_secrets_in_every_format_and_in_the_cache(tmp_path):
    root = tmp_path / "repo"
    _canary_tree(root)
    cache = open_cache(tmp_path / "cache", root.resolve(), ["canary"])
    scanned = scan(root, options=NO_GIT, catalog=CATALOG, cache=cache)
    # Every canary line gave evidence, so its snippet was a candidate for every report.
    lines = {(e.path, e.line) for e in scanned.evidence}
    missing = [(name, i + 1) for name, body in CANARY_FILES.items() for i, line in enumerate(body)
               if "canary" in line.lower() and (name, i + 1) not in lines]
    assert not missing, missing
    leaks = {}
    result = judge_scan(scanned, CATALOG)
    for fmt, render in FORMATTERS.items():
        found = [line for line in render(result).splitlines() if "canary" in line.lower()]
        if found:
            leaks[fmt] = found[:3]
    (cache_file,) = (tmp_path / "cache").glob("*.json")
    if "canary" in cache_file.read_text().lower():
        leaks["cache"] = True
    assert not leaks, leaks


@pytest.mark.parametrize("line, kept", [
    ("Authorization: Bearer a", "Authorization"),
    ("curl -H 'Authorization: Bearer a' https://api.openai.com", "https://api.openai.com"),
    ("api_key = 'a'", "api_key"),
    ("ENV OPENAI_API_KEY a", "ENV OPENAI_API_KEY"),
    ("key: a", "key"),
    ("key=a", "key"),
    ("https://h/x?key=a&model=gpt-4o", "model=gpt-4o"),
    ("c = X.builder().apiKey(\"a\").model(\"gpt-4o\")", "gpt-4o"),
    ("o.setApiKey('a')", "setApiKey"),
    ("option.WithAPIKey(\"a\")", "WithAPIKey"),
    ("new AzureKeyCredential(\"a\")", "AzureKeyCredential"),
    ("OpenAI::client('a')", "OpenAI::client"),
    ("openai.NewClient(\"a\")", "NewClient"),
    ("openai.DefaultConfig(\"a\")", "DefaultConfig"),
    ("-----BEGIN EC PRIVATE KEY----- a/b+c", "-----BEGIN EC PRIVATE KEY-----"),
])
def test_short_secrets_are_redacted_whatever_their_length(line, kept):
    """One-letter secrets: redaction does not depend on a value looking random or long."""
    out = redact(line)
    assert "<redacted>" in out and kept in out, out
    assert not [word for word in out.replace("<redacted>", " ").replace('"', " ").replace("'", " ").split()
                if word == "a"], out


@pytest.mark.parametrize("line", [
    'client = OpenAI(api_key=os.environ["OPENAI_API_KEY"])',
    "const c = new OpenAI({ apiKey: process.env.OPENAI_API_KEY });",
    'model = "gpt-4o"',
])
def test_code_that_reads_a_secret_from_elsewhere_is_kept(line):
    assert redact(line) == line


# ------------------------------------------------------------------ a package.json too deep to parse


def test_deeply_nested_package_json_falls_back_to_a_key_scan(tmp_path):
    """200,000 levels of nesting: the JSON parser refuses it, and its openai dependency was lost."""
    depth = 200_000
    (tmp_path / "package.json").write_text(
        '{\n  "name": "x",\n  "dependencies": {\n    "openai": "^4.0.0",\n    "left-pad": "1.0.0"\n  },\n'
        '  "devDependencies": {"@anthropic-ai/sdk": "0.30.0"},\n'
        '  "x": ' + "[" * depth + "]" * depth + ',\n  "dependencies2": {"groq-sdk": "1"}\n}\n')
    result = scan(tmp_path, options=NO_GIT, catalog=CATALOG)
    found = {(e.detail, e.line, e.specifier) for e in result.evidence}
    assert ("openai", 4, "^4.0.0") in found and ("@anthropic-ai/sdk", 7, "0.30.0") in found, found
    assert "groq-sdk" not in {e.detail for e in result.evidence}  # only the dependency sections
    notes = [s.reason for s in result.skips if s.path == "package.json"]
    assert len(notes) == 1 and "nested too deeply" in notes[0] and "key scan" in notes[0], notes


# ------------------------------------------------------------------ strict mode


def _broken(*args, **kwargs):
    raise KeyError("injected bug")


def test_strict_mode_lets_scan_file_bugs_through(tmp_path, monkeypatch):
    (tmp_path / "app.py").write_text("import openai\n")
    handler = handler_for("app.py")
    context = file_context("app.py", handler, NO_GIT.contexts)
    monkeypatch.setattr(analysis, "_analyse_bytes", _broken)
    monkeypatch.delenv("PROVIDER_AUDIT_STRICT", raising=False)
    report = scan_file(tmp_path, "app.py", handler, context, CATALOG, NO_GIT)
    assert "internal error (KeyError)" in report.skips[0].reason
    monkeypatch.setenv("PROVIDER_AUDIT_STRICT", "1")
    with pytest.raises(KeyError):
        scan_file(tmp_path, "app.py", handler, context, CATALOG, NO_GIT)


def test_the_test_session_and_the_fuzzer_run_in_strict_mode():
    assert strict_mode.strict()  # set by tests/conftest.py for the whole session
    fuzz = (Path(__file__).parent / "hostile" / "fuzz.py").read_text()
    before_the_tool = fuzz.split("from provider_audit")[0]
    assert 'os.environ.setdefault("PROVIDER_AUDIT_STRICT", "1")' in before_the_tool
