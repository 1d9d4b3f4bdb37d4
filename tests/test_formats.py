"""SARIF, Markdown and GitHub annotations: golden files per fixture project, and the properties
each format promises (schema validity, stable fingerprints, escaping, size cap, no secrets)."""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import date

import jsonschema
import pytest
from click.testing import CliRunner

from provider_audit.cli import main
from provider_audit.findings.codes import BY_ID, CODES, KIND_CODES, LEVELS, RESULT_CODES
from provider_audit.data.config import FORMAT_CHOICES
from provider_audit.findings.fingerprint import fingerprint, occurrences
from provider_audit.formatters import FORMATTERS, github, markdown
from provider_audit.models import Skip
from provider_audit import audit

from conftest import PROJECTS, TESTS

AS_OF = "2026-11-01"  # the same fixed day as the JSON goldens: risk events depend on it
CASES = sorted(p.name for p in PROJECTS.iterdir() if p.is_dir())
EXTENSIONS = {"sarif": "sarif", "markdown": "md", "github": "github.txt"}
SCHEMA = json.loads((TESTS / "data" / "sarif-2.1.0-rtm.5.json").read_text(encoding="utf-8"))
ANNOTATION = re.compile(r"^::(error|warning|notice)( [a-z]+=[^,:\r\n]*(,[a-z]+=[^,:\r\n]*)*)?::[^\r\n]*$")


def runner():
    """stdout and stderr apart: click >= 8.2 does it by default, 8.1 (the last for Python 3.9) on request."""
    try:
        return CliRunner(mix_stderr=False)
    except TypeError:
        return CliRunner()


def scan(path, fmt, *args):
    result = runner().invoke(main, [str(path), "--format", fmt, "--isolated", "--no-git", "--as-of", AS_OF, *args])
    assert result.exit_code in (0, 1), (result.exit_code, result.stderr)
    return result.stdout


def sarif_of(path, *args):
    return json.loads(scan(path, "sarif", *args))


def audited(path):
    """The typed result of the library API, for the same settings as ``scan``."""
    return audit(path, isolated=True, no_git=True, as_of=date.fromisoformat(AS_OF))


# ------------------------------------------------------------------ registry and goldens


def test_every_format_choice_has_a_formatter_in_order():
    assert FORMAT_CHOICES == ("text", "json", "sarif", "markdown", "github")
    assert tuple(FORMATTERS) == FORMAT_CHOICES


def test_fixture_projects_are_found():
    assert {"anthropic_only", "mixed", "no_llm"} <= set(CASES)


@pytest.mark.parametrize("fmt", sorted(EXTENSIONS))
@pytest.mark.parametrize("case", CASES)
def test_golden(case, fmt, golden):
    golden(f"formats/{case}.{EXTENSIONS[fmt]}", scan(PROJECTS / case, fmt))


# ------------------------------------------------------------------ SARIF


@pytest.mark.parametrize("case", CASES)
def test_sarif_is_valid_against_the_official_schema(case):
    validator_class = jsonschema.validators.validator_for(SCHEMA)
    validator_class.check_schema(SCHEMA)
    errors = sorted(validator_class(SCHEMA).iter_errors(sarif_of(PROJECTS / case)), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])


def test_the_vendored_schema_is_the_sarif_2_1_0_one():
    assert SCHEMA["$schema"] == "http://json-schema.org/draft-04/schema#"  # what it declares
    assert SCHEMA["properties"]["version"]["enum"] == ["2.1.0"]


@pytest.mark.parametrize("case", CASES)
def test_sarif_structure(case):
    log = sarif_of(PROJECTS / case)
    assert log["version"] == "2.1.0"
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert len(log["runs"]) == 1
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "provider-audit"
    assert driver["version"] == driver["semanticVersion"]
    assert driver["informationUri"] == "https://github.com/provider-audit/provider-audit"
    rules = driver["rules"]
    ids = [r["id"] for r in rules]
    assert len(ids) == len(set(ids))
    assert ids[:len(RESULT_CODES)] == list(RESULT_CODES)  # fixed codes keep their index
    for rule in rules:
        for key in ("shortDescription", "fullDescription", "help"):
            assert rule[key]["text"].strip()
        assert rule["defaultConfiguration"]["level"] in LEVELS
        assert "security-severity" not in rule.get("properties", {})
    assert run["invocations"][0]["executionSuccessful"] is True
    prints = []
    for result in run["results"]:
        assert result["level"] in ("none", "note", "warning", "error")
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["message"]["text"].strip()
        assert 1 <= len(result["locations"]) <= 10
        for location in result["locations"] + result.get("relatedLocations", []):
            physical = location["physicalLocation"]
            uri = physical["artifactLocation"]["uri"]
            assert physical["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
            assert not uri.startswith(("/", "file:")) and "\\" not in uri and ":" not in uri
            region = physical["region"]
            assert region["startLine"] >= 1 and region["startColumn"] >= 1
            assert region["endLine"] >= region["startLine"]
        prints.append(result["partialFingerprints"]["primaryLocationLineHash"])
    assert len(prints) == len(set(prints))


def test_sarif_levels_follow_the_verdict():
    locked = sarif_of(PROJECTS / "anthropic_only")["runs"][0]["results"]
    assert locked[0]["ruleId"] == "PA001" and locked[0]["level"] == "error"
    evidence = [r for r in locked if r["ruleId"].startswith("PA1")]
    assert evidence and {r["level"] for r in evidence} == {"warning"}
    multi = sarif_of(PROJECTS / "mixed")["runs"][0]["results"]
    assert multi[0]["ruleId"] == "PA002" and multi[0]["level"] == "note"
    assert {r["level"] for r in multi if r["ruleId"].startswith("PA1")} == {"note"}
    assert not any(r["ruleId"] in ("PA001", "PA002") for r in sarif_of(PROJECTS / "litellm_app")["runs"][0]["results"])


def test_sarif_results_are_production_evidence_only():
    run = sarif_of(PROJECTS / "docs_tests_only")["runs"][0]
    assert run["results"] == []  # tests, docs and examples are not results
    run = sarif_of(PROJECTS / "anthropic_only")["runs"][0]
    paths = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]}
    assert "tests/test_llm.py" not in paths


ASSISTANTS_APP = ("from openai import OpenAI\nclient = OpenAI()\n"
                  "assistant = client.beta.assistants.create(model=MODEL, name='helper')\n")


def test_event_rules_are_per_event_under_pa201(tmp_path):
    (tmp_path / "app.py").write_text(ASSISTANTS_APP)
    run = sarif_of(tmp_path)["runs"][0]
    events = [r for r in run["tool"]["driver"]["rules"] if r["id"].startswith("PA201/")]
    assert [r["id"] for r in events] == ["PA201/openai-2025-08-assistants-api-sunset"]
    for rule in events:
        assert rule["name"] == rule["id"].split("/", 1)[1]
        assert "Mitigation" in rule["help"]["markdown"]
    assert {r["ruleId"] for r in run["results"] if r["ruleId"].startswith("PA201/")} == {r["id"] for r in events}
    (result,) = [r for r in run["results"] if r["ruleId"].startswith("PA201/")]
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == 3  # the assistants call


def test_provider_wide_events_are_no_results_but_in_the_summary(tmp_path):
    (tmp_path / "app.py").write_text('from openai import OpenAI\nclient = OpenAI(base_url="https://api.deepseek.com")\n')
    run = sarif_of(tmp_path)["runs"][0]
    wide = run["properties"]["providerWideRisks"]
    assert "deepseek-2026-07-peak-hour-pricing" in [w["id"] for w in wide]
    assert not [r for r in run["results"] if r["ruleId"].startswith("PA201/")]
    assert not [r for r in run["tool"]["driver"]["rules"] if r["id"].startswith("PA201/")]
    annotations = scan(tmp_path, "github")
    assert "peak" not in annotations.lower()


def test_skipped_files_are_notifications_not_results(tmp_path):
    (tmp_path / "app.py").write_text("import anthropic\nclient = anthropic.Anthropic()\n")
    (tmp_path / "blob.py").write_text("import openai\n" + "# padding\n" * 200)
    run = sarif_of(tmp_path, "--max-file-size", "1000")["runs"][0]
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert [n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for n in notes] == ["blob.py"]
    assert notes[0]["level"] == "warning" and notes[0]["descriptor"]["id"] == "PA901"
    descriptors = run["tool"]["driver"]["notifications"]
    assert descriptors[notes[0]["descriptor"]["index"]]["id"] == "PA901"
    assert all("blob.py" not in json.dumps(r["locations"]) for r in run["results"])
    assert run["invocations"][0]["executionSuccessful"] is True


def test_sarif_uris_are_percent_encoded(tmp_path):
    (tmp_path / "my app").mkdir()
    (tmp_path / "my app" / "llm 100%.py").write_text("import anthropic\nclient = anthropic.Anthropic()\n")
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in sarif_of(tmp_path)["runs"][0]["results"]}
    assert uris == {"my%20app/llm%20100%25.py"}


def _prints(log):
    return {(r["ruleId"], r["partialFingerprints"]["primaryLocationLineHash"]): r["locations"][0]
            ["physicalLocation"]["region"]["startLine"] for r in log["runs"][0]["results"]}


def test_fingerprints_survive_moving_code(tmp_path):
    app = tmp_path / "app.py"
    body = ('import anthropic\n\nclient = anthropic.Anthropic()\nMODEL = "claude-3-5-sonnet-20241022"\n'
            'FAST = "claude-3-5-sonnet-20241022"\nclient.messages.create(model=MODEL or FAST)\n')
    app.write_text(body)
    (tmp_path / "requirements.txt").write_text("anthropic>=0.40\n")
    before = _prints(sarif_of(tmp_path))
    app.write_text("\n\n\n# moved down\n" + body)
    after = _prints(sarif_of(tmp_path))
    assert set(before) == set(after)
    moved = [key for key in before if key[0].startswith("PA10") and key[0] != "PA101"]
    assert moved and all(after[key] == before[key] + 4 for key in moved)
    # the same model id twice in one file: one hash, numbered occurrences
    model_prints = sorted(h for rule, h in before if rule == "PA106")
    assert [p.split(":")[1] for p in model_prints] == ["1", "2"]
    assert len({p.split(":")[0] for p in model_prints}) == 1
    # what the finding is does change it
    app.write_text(body.replace("claude-3-5-sonnet-20241022", "claude-sonnet-4-20250514"))
    changed = _prints(sarif_of(tmp_path))
    assert {h for r, h in changed if r == "PA106"}.isdisjoint({h for r, h in before if r == "PA106"})


def test_fingerprint_function():
    one = fingerprint("PA106", "anthropic", "app.py", "claude-3-5-sonnet-20241022")
    assert re.fullmatch(r"[0-9a-f]{64}", one)
    assert one == fingerprint("PA106", "anthropic", "app.py", "claude-3-5-sonnet-20241022")
    assert one != fingerprint("PA106", "anthropic", "other.py", "claude-3-5-sonnet-20241022")
    assert one != fingerprint("PA103", "anthropic", "app.py", "claude-3-5-sonnet-20241022")
    assert occurrences(["a", "b", "a"]) == ["a:1", "b:1", "a:2"]


def test_codes_are_stable_and_complete():
    assert [c.id for c in CODES] == ["PA001", "PA002", "PA101", "PA102", "PA103", "PA104", "PA105", "PA106",
                                     "PA107", "PA201", "PA202", "PA900", "PA901"]
    assert set(KIND_CODES.values()) == {"PA101", "PA102", "PA103", "PA104", "PA105", "PA106", "PA107"}
    for code in CODES:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", code.name)
        assert code.level in LEVELS and code.short and code.full and code.help
    assert BY_ID["PA001"].level == "error"


# ------------------------------------------------------------------ GitHub annotations


def test_annotation_escaping():
    assert github.escape_data("50%\r\nnext") == "50%25%0D%0Anext"
    assert github.escape_property("a,b:c%\n") == "a%2Cb%3Ac%25%0A"
    line = github.command("error", "bad\n::error::injected", "x,y:z.py", 3, 1, "t: a, b")
    assert line == "::error file=x%2Cy%3Az.py,line=3,col=1,title=t%3A a%2C b::bad%0A::error::injected"
    assert "\n" not in line


def test_annotation_with_a_hostile_file_name(tmp_path):
    name = "we,ird:na\nme.py"
    try:
        (tmp_path / name).write_text("import anthropic\nclient = anthropic.Anthropic()\n")
    except OSError:
        pytest.skip("the file system refuses such a name")
    out = scan(tmp_path, "github")
    lines = out.splitlines()
    assert lines and all(ANNOTATION.match(line) for line in lines), out
    # The scan writes the newline as "\\n" (provider_audit.redact.printable); "," and ":" are escaped here.
    assert "file=we%2Cird%3Ana\\nme.py,line=2,col=10," in out
    assert lines[0].startswith("::error file=we%2Cird%3Ana\\nme.py")


def test_github_verdict_annotation_per_verdict():
    first = scan(PROJECTS / "anthropic_only", "github").splitlines()[0]
    assert first.startswith("::error file=app/llm.py,line=8,col=10,title=provider-audit PA001")
    assert "route them through" in first
    assert scan(PROJECTS / "mixed", "github").startswith("::notice file=")
    assert scan(PROJECTS / "no_llm", "github").startswith("::notice title=provider-audit%3A none::")
    assert scan(PROJECTS / "litellm_app", "github").startswith("::notice file=router.py,line=3,col=1,")


def _huge(result, copies):
    """A result with ``copies`` times its production usages, spread over many files."""
    production = result.production()
    return dataclasses.replace(
        result,
        usages=[u.but(path=f"services/module_{n:05d}/{'deep/' * 8}{u.path}", line=u.line + n)
                for n in range(copies) for u in production],
        advice=result.advice * copies,
        skipped=[dataclasses.replace(result.skipped[0] if result.skipped else Skip("", ""),
                                     path=f"vendor/blob_{n}.bin", reason="binary file") for n in range(copies)])


def test_github_annotations_are_capped_and_summarised():
    lines = github.render(_huge(audited(PROJECTS / "anthropic_only"), 40)).splitlines()
    levels = [line.split(" ", 1)[0].split("::")[1] for line in lines]
    assert levels[0] == "error" and "PA001" in lines[0]
    assert levels.count("error") <= 10 and levels.count("warning") == 10 and levels.count("notice") <= 10
    assert len(lines) <= 50
    assert lines[-1].startswith("::notice title=provider-audit%3A more findings::")
    assert re.search(r"::\d+ more findings not annotated \(\d+ warnings", lines[-1])
    assert all(ANNOTATION.match(line) for line in lines)


def test_github_summary_notice_only_on_overflow():
    small = scan(PROJECTS / "hf_local", "github").splitlines()
    assert len(small) == 4 and not any("more findings" in line for line in small)
    big = scan(PROJECTS / "polyglot", "github").splitlines()
    assert "more findings not annotated" in big[-1] and not any("more findings" in line for line in big[:-1])


# ------------------------------------------------------------------ Markdown


def test_markdown_escapes_cells(tmp_path):
    name = "a|b`<img src=x>`.py"
    try:
        (tmp_path / name).write_text('import anthropic\nclient = anthropic.Anthropic()\nM = "claude-3-5-haiku-20241022"\n')
    except OSError:
        pytest.skip("the file system refuses such a name")
    out = scan(tmp_path, "markdown")
    outside_code = re.sub(r"(`+)(?!`).*?(?<!`)\1(?!`)", "", out)  # HTML is inert inside code spans
    assert "<img" in out and "<img" not in outside_code
    width = None
    for line in out.splitlines():
        if not line.startswith("|"):
            width = None
            continue
        cells = len(re.split(r"(?<!\\)\|", line))
        width = width or cells  # the header row sets the width of its table
        assert cells == width, line
    assert any("a\\|b" in line for line in out.splitlines() if line.startswith("|"))


def test_markdown_code_spans_cannot_be_broken_out_of():
    assert markdown.code("a`b") == "`` a`b ``"
    assert markdown.code("x|y") == "`x\\|y`"
    assert markdown.code("x|y", table=False) == "`x|y`"
    assert markdown.esc("<b>*x*</b> | _y_") == "&lt;b&gt;\\*x\\*&lt;/b&gt; \\| \\_y\\_"


@pytest.mark.slow
def test_markdown_is_capped_for_step_summaries():
    big = _huge(audited(PROJECTS / "anthropic_only"), 6000)
    assert len(FORMATTERS["json"](big)) > 2 * markdown.GITHUB_LIMIT
    out = markdown.render(big)
    size = len(out.encode("utf-8"))
    assert size <= markdown.MAX_BYTES < 1_000_000
    assert size > markdown.MAX_BYTES * 0.8  # cut to fit, not emptied
    assert "## provider-audit: `SINGLE-PROVIDER`" in out
    assert "more usages not shown" in out and "more files not shown" in out
    assert out.count("<details>") == out.count("</details>")
    assert out.count("```") % 2 == 0


def test_markdown_small_reports_are_not_cut():
    out = scan(PROJECTS / "anthropic_only", "markdown")
    assert "the summary is capped" not in out
    assert "```mermaid\npie showData" in out
    assert "route them through" in out


# ------------------------------------------------------------------ secrets


CANARY = "CANARY"


def test_no_format_leaks_a_secret(tmp_path):
    (tmp_path / ".env").write_text("OPENAI_API_KEY=sk-proj-CANARY0123456789abcdefCANARY\n")
    (tmp_path / "config.yaml").write_text(
        "llm:\n"
        "  api_key: sk-ant-CANARYxxxxxxxxxxxxxxxxxxxx\n"
        "  provider: {model: claude-3-5-sonnet-20241022, api_key: sk-ant-CANARYxxxxxxxxxxxxxxxxxxxx}\n"
        "  base_url: https://api.anthropic.com\n")
    (tmp_path / "app.py").write_text(
        'import openai\nclient = openai.OpenAI(api_key="sk-proj-CANARY0123456789abcdefCANARY")\n')
    report = json.loads(scan(tmp_path, "json"))
    assert {".env", "config.yaml", "app.py"} <= {u["path"] for u in report["usages"]}
    for fmt in FORMAT_CHOICES:
        out = scan(tmp_path, fmt)
        assert out.strip(), fmt
        assert CANARY not in out, fmt
        assert CANARY.lower() not in out.lower(), fmt


# ------------------------------------------------------------------ the CI examples


def _ci_commands():
    import shlex

    import yaml

    gitlab = yaml.safe_load((TESTS.parent / "examples" / "ci" / "gitlab-ci.yml").read_text(encoding="utf-8"))
    lines = [line for job in gitlab.values() for line in job["script"]]
    return [shlex.split(line, comments=True) for line in lines if line.startswith("provider-audit ")]


def test_ci_examples_run_as_written(tmp_path, monkeypatch):
    """The GitLab example's commands (the GitHub example uses action.yml: tests/test_action.py)."""
    commands = _ci_commands()
    assert len(commands) >= 4
    monkeypatch.chdir(tmp_path)
    for argv in commands:
        args = [str(PROJECTS / "anthropic_only") if a == "." else a for a in argv[1:]]
        result = runner().invoke(main, args + ["--isolated", "--no-git", "--as-of", AS_OF])
        assert result.exit_code == (0 if "--exit-zero" in args else 1), (argv, result.output)
    assert (tmp_path / "provider-audit.md").read_text(encoding="utf-8").startswith("## provider-audit: `SINGLE-PROVIDER`")
    assert json.loads((tmp_path / "provider-audit.sarif").read_text(encoding="utf-8"))["version"] == "2.1.0"
