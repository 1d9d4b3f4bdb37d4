"""Feedback a team can work with (issue 19): the tool's own state is never evidence, --write-baseline
records and exits 0, every format tells new from known, suppressions are reported in text, and the
hook prints a short message."""

from __future__ import annotations

import json
import shutil

import jsonschema
import pytest
from click.testing import CliRunner

from provider_audit.cli import main
from provider_audit.defaults import DEFAULT_BASELINE
from provider_audit.formatters.short import MAX_LINES

from conftest import AS_OF, PROJECTS, TESTS

NEW_MODEL = 'SUMMARY_MODEL = "claude-sonnet-4-6"\n'  # a current id: one new finding (PA106), no PA202


def cli(*args, env=None):
    """stdout and stderr apart (click >= 8.2 by default, 8.1 on request)."""
    try:
        runner = CliRunner(mix_stderr=False)
    except TypeError:
        runner = CliRunner()
    base = {"PRE_COMMIT": "", "PROVIDER_AUDIT_VERBOSE": "", "PROVIDER_AUDIT_FORMAT": "", "PROVIDER_AUDIT_OUTPUT": ""}
    return runner.invoke(main, [*map(str, args), "--no-git", "--as-of", AS_OF], env={**base, **(env or {})})


def report(*args):
    result = cli(*args, "--format", "json")
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


@pytest.fixture
def repo(tmp_path):
    shutil.copytree(PROJECTS / "anthropic_only", tmp_path / "repo")
    return tmp_path / "repo"


def _usages(document):
    return sorted((u["path"], u["line"], u["kind"]) for u in document["usages"])


# ------------------------------------------------------------------ the tool's own files


def test_a_baseline_inside_the_tree_is_not_scanned(repo):
    before = report(repo, "--isolated")
    baseline = repo / "base.json"
    assert cli(repo, "--isolated", "--write-baseline", baseline).exit_code == 0
    after = report(repo, "--isolated", "--baseline", baseline)
    assert after["policy"]["baseline"]["new"] == [] and after["policy"]["failed"] == []
    assert _usages(after) == _usages(before)


def test_the_default_baseline_is_used_without_arguments_and_never_scanned(repo):
    before = report(repo, "--isolated")
    assert cli(repo, "--isolated", "--write-baseline", repo / DEFAULT_BASELINE).exit_code == 0
    plain = cli(repo, "--isolated")
    assert plain.exit_code == 0, plain.output
    assert "baseline: 0 new" in plain.stderr
    after = report(repo, "--isolated")
    assert after["policy"]["baseline"]["file"].endswith(DEFAULT_BASELINE)
    assert _usages(after) == _usages(before)
    # --no-baseline compares with nothing, and the file is still not evidence.
    everything = cli(repo, "--isolated", "--no-baseline", "--format", "json")
    assert everything.exit_code == 1 and "baseline" not in json.loads(everything.stdout)["policy"]
    assert _usages(json.loads(everything.stdout)) == _usages(before)


def test_reports_written_into_the_tree_are_not_evidence(repo, tmp_path):
    before = report(repo, "--isolated")
    for fmt, name in (("sarif", "out/report.sarif"), ("markdown", "docs/report.md"), ("json", "report.json")):
        (repo / name).parent.mkdir(exist_ok=True)
        assert cli(repo, "--isolated", "--format", fmt, "-o", repo / name, "--exit-zero").exit_code == 0
    # A baseline copied under another name, somewhere else in the tree, is recognised by its shape.
    assert cli(repo, "--isolated", "--write-baseline", tmp_path / "elsewhere.json").exit_code == 0
    shutil.copy(tmp_path / "elsewhere.json", repo / "out" / "old-baseline.json")
    after = report(repo, "--isolated")
    assert after["summary"]["files_scanned"] == before["summary"]["files_scanned"] + 4
    assert _usages(after) == _usages(before)
    # Not silently: a file shaped like the tool's output is listed as not read, so it cannot hide evidence unseen.
    recognised = sorted(s["path"] for s in after["skipped"] if "provider-audit report or baseline" in s["reason"])
    assert recognised == ["docs/report.md", "out/old-baseline.json", "out/report.sarif", "report.json"]


def test_the_output_file_is_not_scanned_by_the_run_that_rewrites_it(repo):
    before = report(repo, "--isolated")
    target = repo / "provider-audit-report.txt"  # not a shape the tool recognises: excluded by name
    for _ in range(2):
        assert cli(repo, "--isolated", "--format", "json", "-o", target, "--exit-zero").exit_code == 0
    assert _usages(json.loads(target.read_text())) == _usages(before)
    assert "provider-audit-report.txt" in {u["path"] for u in report(repo, "--isolated")["usages"]}


def test_a_config_that_only_mentions_the_tool_is_still_evidence(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps(
        {"schema_version": 1, "tool": {"name": "provider-audit"}, "model": "claude-3-5-sonnet-20241022"}))
    assert ("config.json", "model-id") in {(u["path"], u["kind"]) for u in report(tmp_path, "--isolated")["usages"]}


# ------------------------------------------------------------------ the baseline key


def _configure(repo, body):
    (repo / "pyproject.toml").write_text((PROJECTS / "anthropic_only" / "pyproject.toml").read_text()
                                         + "\n[tool.provider-audit]\n" + body)


def test_baseline_config_key_relative_to_the_config_file(repo):
    (repo / ".git").mkdir()  # the repository's root, as find_config and the key's check see it
    (repo / "ops").mkdir()
    assert cli(repo, "--write-baseline", repo / "ops" / "accepted.json").exit_code == 0
    _configure(repo, 'baseline = "ops/accepted.json"\n')
    result = cli(repo, "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["policy"]["baseline"]["file"].endswith("ops/accepted.json")
    assert document["policy"]["baseline"]["new"] == []


@pytest.mark.parametrize("body, message", [
    ('baseline = "../outside.json"\n', "key 'baseline': '../outside.json' is outside the repository"),
    ('baseline = "/etc/passwd"\n', "is outside the repository"),
    ("baseline = 3\n", "key 'baseline': expected a non-empty string"),
])
def test_baseline_config_key_must_stay_inside_the_repository(repo, body, message):
    (repo / ".git").mkdir()
    _configure(repo, body)
    result = cli(repo)
    assert result.exit_code == 2
    assert message in result.stderr


# ------------------------------------------------------------------ --write-baseline


def test_write_baseline_records_exits_0_with_one_line_and_is_deterministic(repo, tmp_path):
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    result = cli(repo, "--isolated", "--write-baseline", first)
    assert result.exit_code == 0  # the repository is locked in: recording is not gating
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    count = len(json.loads(first.read_text())["findings"])
    assert line == f"provider-audit: recorded {count} findings in {first} (single-provider: anthropic); exit 0"
    (repo / "app" / "llm.py").write_text("\n\n" + (repo / "app" / "llm.py").read_text())  # code moves down
    assert cli(repo, "--isolated", "--write-baseline", second).exit_code == 0
    assert first.read_bytes() == second.read_bytes()
    assert '"line"' not in first.read_text()


def test_write_baseline_fails_with_exit_2_when_the_scan_fails(repo, tmp_path):
    _configure(repo, 'fail-on = "sometimes"\n')
    target = tmp_path / "baseline.json"
    result = cli(repo, "--write-baseline", target)
    assert result.exit_code == 2
    assert not target.exists()


# ------------------------------------------------------------------ new against the baseline, every format


@pytest.fixture
def grown(repo, tmp_path):
    """A locked-in repository with a baseline, then one more hard-coded model id."""
    baseline = tmp_path / "baseline.json"
    assert cli(repo, "--isolated", "--write-baseline", baseline).exit_code == 0
    (repo / "app" / "summary.py").write_text(NEW_MODEL)
    return repo, baseline


def test_text_lists_new_findings_first_and_counts_known(grown):
    repo, baseline = grown
    result = cli(repo, "--isolated", "--baseline", baseline)
    assert result.exit_code == 1
    out = result.stdout
    heading = f"New since the baseline {baseline} (1)"
    assert heading in out
    assert out.index(heading) < out.index("Anthropic (Claude API) (api)")  # before the evidence
    section = out[out.index(heading):].split("\n\n")[0].splitlines()
    assert len(section) == 3
    assert section[1].split()[:3] == ["app/summary.py:1:17", "warning", "PA106"]
    known = json.loads(baseline.read_text())["findings"]
    assert section[2].strip().startswith(f"{len(known)} known findings recorded in the baseline")


def test_github_annotates_only_new_findings(grown):
    repo, baseline = grown
    lines = cli(repo, "--isolated", "--baseline", baseline, "--format", "github").stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("::warning file=app/summary.py,line=1,col=17,")
    assert lines[1].startswith("::notice title=provider-audit%3A baseline::1 new since the baseline")
    everything = cli(repo, "--isolated", "--format", "github").stdout.splitlines()
    assert len(everything) > 5 and everything[0].startswith("::error")


def test_sarif_results_only_for_new_findings_with_baseline_state(grown):
    repo, baseline = grown
    run = json.loads(cli(repo, "--isolated", "--baseline", baseline, "--format", "sarif").stdout)["runs"][0]
    assert [(r["ruleId"], r["baselineState"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])
            for r in run["results"]] == [("PA106", "new", "app/summary.py")]
    known = len(json.loads(baseline.read_text())["findings"])
    assert run["properties"]["baseline"] == {"file": str(baseline), "new": 1, "unchanged": known, "absent": 0}
    log = json.loads(cli(repo, "--isolated", "--baseline", baseline, "--format", "sarif").stdout)
    jsonschema.validate(log, json.loads((TESTS / "data" / "sarif-2.1.0-rtm.5.json").read_text(encoding="utf-8")))
    # Without a baseline nothing carries a baselineState; the fingerprint of the new result is unchanged.
    plain = json.loads(cli(repo, "--isolated", "--format", "sarif").stdout)["runs"][0]
    assert not any("baselineState" in r for r in plain["results"])
    fingerprints = {r["partialFingerprints"]["primaryLocationLineHash"] for r in plain["results"]}
    assert run["results"][0]["partialFingerprints"]["primaryLocationLineHash"] in fingerprints


def test_sarif_absent_counts_findings_gone_since_the_baseline(grown):
    repo, baseline = grown
    (repo / "pyproject.toml").unlink()  # .env.example is an example now: no finding of its own
    run = json.loads(cli(repo, "--isolated", "--baseline", baseline, "--format", "sarif").stdout)["runs"][0]
    assert run["properties"]["baseline"]["absent"] == 1


def test_markdown_says_how_many_are_new(grown):
    repo, baseline = grown
    out = cli(repo, "--isolated", "--baseline", baseline, "--format", "markdown").stdout
    known = len(json.loads(baseline.read_text())["findings"])
    assert f"**1 new since the baseline** `{baseline}`: {known} known, 0 resolved." in out
    assert "| `app/summary.py:1` | warning | PA106 |" in out


# ------------------------------------------------------------------ suppressions in text


def test_text_lists_used_and_unused_suppressions():
    out = cli(PROJECTS / "suppressed", "--isolated").stdout
    assert "Suppressions: 7 used, 1 unused" in out
    lines = [line.split() for line in out.splitlines()]
    assert ["app/experiment.py:6", "PA900", "ignore[PA105]"] in lines
    assert any(line[:3] == ["app/chat.py:4", "PA106", "gpt-4o-mini"] for line in lines)


# ------------------------------------------------------------------ the hook's short output


def test_pre_commit_gets_a_short_failure_message(repo):
    result = cli(repo, "--isolated", env={"PRE_COMMIT": "1"})
    assert result.exit_code == 1
    lines = (result.stdout + result.stderr).splitlines()
    assert 5 <= len(lines) <= MAX_LINES
    assert lines[0] == "provider-audit: SINGLE-PROVIDER (anthropic): policy failed (single-provider)"
    assert lines[2].split()[:2] == ["app/llm.py:8", "PA001"]  # the verdict, on its most central evidence
    assert any("route them through" in line for line in lines)
    assert lines[-1] == "Full report: PROVIDER_AUDIT_VERBOSE=1 pre-commit run provider-audit --all-files"
    full = cli(repo, "--isolated", env={"PRE_COMMIT": "1", "PROVIDER_AUDIT_VERBOSE": "1"})
    verbose = cli(repo, "--isolated", "--verbose", env={"PRE_COMMIT": "1"})
    plain = cli(repo, "--isolated")
    assert full.stdout == verbose.stdout == plain.stdout
    assert len(plain.stdout.splitlines()) > 2 * MAX_LINES and "Advice" in plain.stdout  # the risk part is short now: hits only


def test_quiet_outside_pre_commit_names_the_command_for_the_full_report(repo):
    result = cli(repo, "--isolated", "-q", "--fail-on", "not-abstracted")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[-1] == f"Full report: provider-audit {repo} --isolated --fail-on not-abstracted " \
                                             f"--no-git --as-of {AS_OF}"
    # Machine formats are never shortened.
    assert json.loads(cli(repo, "--isolated", "-q", "--format", "json").stdout)["lock_in"]["verdict"]


@pytest.mark.parametrize("case", ["polyglot", "mixed", "openai_only"])
def test_short_output_stays_short_on_larger_projects(case):
    result = cli(PROJECTS / case, "--isolated", "--fail-on", "any-usage,risk:low", env={"PRE_COMMIT": "1"})
    assert result.exit_code == 1
    lines = (result.stdout + result.stderr).splitlines()
    assert len(lines) <= MAX_LINES
    assert lines[2].split()[1] in ("PA001", "PA002")  # the verdict decides any-usage: it comes first


def test_short_output_with_a_baseline_names_only_new_findings(grown):
    repo, baseline = grown
    result = cli(repo, "--isolated", "--baseline", baseline, env={"PRE_COMMIT": "1"})
    lines = result.stdout.splitlines()
    assert result.exit_code == 1 and result.stderr == ""
    assert lines[1].startswith("  1 new since the baseline")
    assert lines[2].split()[:2] == ["app/summary.py:1", "PA106"]
    assert "ignore[PA106]" in lines[3]


def test_short_output_on_a_pass_is_one_line():
    result = cli(PROJECTS / "litellm_app", "--isolated", env={"PRE_COMMIT": "1"})
    assert result.exit_code == 0
    assert result.stdout.splitlines() == ["provider-audit: ABSTRACTED (anthropic): policy passed"]
    assert result.stderr == ""
