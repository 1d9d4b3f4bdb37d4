"""The GitHub Action (action.yml): its shell steps, run with bash as the runner would, against a fake
GITHUB_STEP_SUMMARY, GITHUB_OUTPUT and RUNNER_TEMP; what they write is checked. No network: the
install step (a pip install of the action's checkout) is not run; provider-audit comes from this
test's own environment instead."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import AS_OF, PROJECTS, TESTS

ROOT = TESTS.parent
ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
STEPS = ACTION["runs"]["steps"]
EXPRESSION = re.compile(r"\$\{\{\s*(inputs|steps)\.([A-Za-z0-9_.-]+)\s*\}\}")


def _step(name):
    (found,) = [s for s in STEPS if s.get("name") == name]
    return found


class Runner:
    """One job's worth of GitHub's files and the steps run against them."""

    def __init__(self, tmp_path: Path, workspace: Path, inputs: dict):
        self.temp = tmp_path / "runner-temp"
        self.temp.mkdir()
        self.summary = tmp_path / "step-summary.md"
        self.output = tmp_path / "github-output"
        self.summary.write_text("")
        self.output.write_text("")
        self.workspace = workspace
        self.inputs = {name: spec.get("default", "") for name, spec in ACTION["inputs"].items()}
        self.inputs.update(inputs)
        self.outputs: dict = {}

    def _expand(self, value: str) -> str:
        def one(match):
            scope, name = match.groups()
            if scope == "inputs":
                return str(self.inputs[name])
            step, _, key = name.split(".")
            assert step == "scan"
            return self.outputs.get(key, "")
        return EXPRESSION.sub(one, str(value))

    def run(self, name: str) -> subprocess.CompletedProcess:
        step = _step(name)
        assert step["shell"] == "bash"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "PROVIDER_AUDIT", "PRE_COMMIT"))}
        env.update({key: self._expand(value) for key, value in step.get("env", {}).items()})
        env.update(GITHUB_OUTPUT=str(self.output), GITHUB_STEP_SUMMARY=str(self.summary), RUNNER_TEMP=str(self.temp),
                   GITHUB_ACTION_PATH=str(ROOT), GITHUB_WORKSPACE=str(self.workspace), NO_COLOR="1",
                   PROVIDER_AUDIT_CACHE_DIR=str(self.temp / "cache"),
                   PATH=os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", ""))
        # As the runner does: bash --noprofile --norc -eo pipefail {0}
        script = self.temp / f"{step.get('id', 'step')}.sh"
        script.write_text(step["run"], encoding="utf-8")
        done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], cwd=self.workspace,
                              env=env, capture_output=True, text=True, timeout=300)
        self.outputs = dict(line.split("=", 1) for line in self.output.read_text().splitlines() if "=" in line)
        return done


@pytest.fixture
def repo(tmp_path):
    if shutil.which("bash") is None:
        pytest.skip("bash is not installed")
    app = tmp_path / "app-repo"
    shutil.copytree(PROJECTS / "anthropic_only", app)
    return app


def test_action_is_composite_with_the_promised_inputs_and_no_expression_in_scripts():
    assert ACTION["runs"]["using"] == "composite"
    assert {"path", "fail-on", "formats", "baseline", "upload-sarif"} <= set(ACTION["inputs"])
    assert {"verdict", "exit-code", "new-findings", "sarif-file"} <= set(ACTION["outputs"])
    for step in STEPS:
        if "run" in step:  # inputs reach scripts through env only: no ${{ }} spliced into shell code
            assert "${{" not in step["run"], step["name"]
    install = _step("Install provider-audit")["run"]
    assert '"$GITHUB_ACTION_PATH"' in install and "GITHUB_PATH" in install
    upload = _step("Upload SARIF to code scanning")
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@")
    assert "inputs.upload-sarif == 'true'" in upload["if"] and "steps.scan.outputs.sarif-file" in upload["with"]["sarif_file"]


def test_action_on_a_locked_in_repository(tmp_path, repo):
    runner = Runner(tmp_path, repo, {"args": f"--as-of {AS_OF}"})
    scan = runner.run("Scan")
    assert scan.returncode == 0, scan.stderr
    assert runner.outputs["verdict"] == "single-provider"
    assert runner.outputs["exit-code"] == "1"
    assert runner.outputs["new-findings"] == ""
    sarif = json.loads(Path(runner.outputs["sarif-file"]).read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["results"]
    assert Path(runner.outputs["sarif-file"]).parent == runner.temp  # reports stay out of the checkout
    assert sorted(p.name for p in repo.iterdir()) == [".env.example", "app", "pyproject.toml", "tests"]
    assert runner.summary.read_text(encoding="utf-8").startswith("## provider-audit: `SINGLE-PROVIDER`")
    assert re.search(r"^::error file=app/llm\.py,line=\d+", scan.stdout, re.M)
    gate = runner.run("Gate")
    assert gate.returncode == 1 and "policy failed" in gate.stdout


def test_action_with_the_default_baseline_annotates_only_what_is_new(tmp_path, repo):
    from click.testing import CliRunner

    from provider_audit.cli import main

    recorded = CliRunner().invoke(main, [str(repo), "--as-of", AS_OF, "--write-baseline",
                                         str(repo / ".provider-audit-baseline.json")])
    assert recorded.exit_code == 0, recorded.output
    runner = Runner(tmp_path, repo, {"args": f"--as-of {AS_OF}", "formats": "github, markdown"})
    scan = runner.run("Scan")
    assert scan.returncode == 0, scan.stderr
    assert (runner.outputs["exit-code"], runner.outputs["new-findings"]) == ("0", "0")
    assert "sarif-file" not in runner.outputs
    assert [line.split(" ", 1)[0] for line in scan.stdout.splitlines() if line.startswith("::")] == ["::notice"]
    assert runner.run("Gate").returncode == 0

    (repo / "app" / "extra.py").write_text('MODEL = "claude-sonnet-4-6"\n', encoding="utf-8")  # current: no PA202
    (tmp_path / "second").mkdir()
    runner = Runner(tmp_path / "second", repo, {"args": f"--as-of {AS_OF}"})
    scan = runner.run("Scan")
    assert (runner.outputs["exit-code"], runner.outputs["new-findings"]) == ("1", "1")
    annotations = [line for line in scan.stdout.splitlines() if line.startswith("::")]
    assert [a.split(" ", 1)[0] for a in annotations] == ["::warning", "::notice"]
    assert annotations[0].startswith("::warning file=app/extra.py,line=1,")
    assert "**1 new since the baseline**" in runner.summary.read_text(encoding="utf-8")
    sarif = json.loads(Path(runner.outputs["sarif-file"]).read_text(encoding="utf-8"))
    assert [(r["ruleId"], r["baselineState"]) for r in sarif["runs"][0]["results"]] == [("PA106", "new")]
    assert runner.run("Gate").returncode == 1


def test_the_github_example_uses_the_action_with_its_inputs():
    workflow = yaml.safe_load((ROOT / "examples" / "ci" / "github-actions.yml").read_text(encoding="utf-8"))
    steps = [s for job in workflow["jobs"].values() for s in job["steps"]]
    (uses,) = [s for s in steps if s.get("uses", "").startswith("provider-audit/provider-audit@")]
    assert set(uses.get("with", {})) <= set(ACTION["inputs"])
    assert "provider-audit/provider-audit@" in (ROOT / "README.md").read_text(encoding="utf-8")
