"""The command line: exit codes, config precedence, errors without tracebacks, output files."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from provider_audit.cli import main

from conftest import PROJECTS


def invoke(*args, **kwargs):
    return CliRunner().invoke(main, [str(a) for a in args], **kwargs)


def test_default_policy_fails_on_single_provider():
    result = invoke(PROJECTS / "anthropic_only", "--isolated", "--no-git")
    assert result.exit_code == 1
    assert "SINGLE-PROVIDER" in result.stdout
    assert "policy failed" in result.stderr


def test_exit_zero_reports_without_failing():
    result = invoke(PROJECTS / "anthropic_only", "--isolated", "--no-git", "--exit-zero")
    assert result.exit_code == 0
    assert "SINGLE-PROVIDER" in result.stdout


@pytest.mark.parametrize("policy, case, code", [
    ("never", "anthropic_only", 0),
    ("not-abstracted", "mixed", 1),
    ("not-abstracted", "litellm_app", 0),
    ("any-usage", "litellm_app", 1),
    ("any-usage", "no_llm", 0),
])
def test_fail_on_policies(policy, case, code):
    assert invoke(PROJECTS / case, "--isolated", "--no-git", "--fail-on", policy).exit_code == code


def test_config_sets_policy_and_cli_overrides_it(tmp_path):
    config = tmp_path / "pa.toml"
    config.write_text('fail-on = "never"\n')
    assert invoke(PROJECTS / "anthropic_only", "--no-git", "--config", config).exit_code == 0
    result = invoke(PROJECTS / "anthropic_only", "--no-git", "--config", config, "--fail-on", "single-provider")
    assert result.exit_code == 1


def test_pyproject_table_is_found_from_the_scanned_folder(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname="x"\ndependencies=["anthropic"]\n'
                                             '[tool.provider-audit]\nfail-on = "never"\n')
    (tmp_path / "app.py").write_text("import anthropic\n\nclient = anthropic.Anthropic()\n")
    result = invoke(tmp_path, "--no-git")
    assert result.exit_code == 0, result.output
    assert "SINGLE-PROVIDER" in result.stdout


@pytest.mark.parametrize("body, message", [
    ('fail-onn = "never"\n', "unknown key 'fail-onn' (did you mean 'fail-on'?)"),
    ('fail-on = "sometimes"\n', "key 'fail-on': unknown policy 'sometimes'"),
    ('max-file-size = -3\n', "key 'max-file-size': expected a positive integer"),
    ('exclude = "x" = 1\n', "invalid TOML"),
    ('jurisdictions = ["Germany"]\n', "key 'jurisdictions': 'Germany' is not a two-letter ISO 3166 country code or EU"),
    ('ownership = ["EU"]\n', "key 'ownership': 'EU' is not a two-letter ISO 3166 country code"),
    ('customer-types = ["Public Sector"]\n', "key 'customer-types': 'Public Sector' is not a kebab-case customer type"),
    ('customer-types = ["defence"]\nownership = [1]\n', "key 'ownership': expected a list of strings"),
    ('jurisdiction = ["DE"]\n', "unknown key 'jurisdiction' (did you mean 'jurisdictions'?)"),
])
def test_config_errors_exit_2_with_one_line(tmp_path, body, message):
    config = tmp_path / "pa.toml"
    config.write_text(body)
    result = invoke(PROJECTS / "no_llm", "--config", config)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_missing_path_is_a_usage_error():
    result = invoke("does/not/exist")
    assert result.exit_code == 2
    assert "no such file or directory" in result.stderr


def test_internal_error_is_one_line_unless_debug(monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("kaboom")

    monkeypatch.setattr("provider_audit.api.run", boom)
    result = invoke(PROJECTS / "no_llm", "--isolated")
    assert result.exit_code == 2
    assert "internal error: RuntimeError: kaboom (re-run with --debug" in result.stderr
    assert "Traceback" not in result.stderr
    debug = invoke(PROJECTS / "no_llm", "--isolated", "--debug")
    assert debug.exit_code == 2 and "Traceback" in debug.stderr


def test_output_file_is_written_only_after_success(tmp_path, monkeypatch):
    target = tmp_path / "report.json"
    result = invoke(PROJECTS / "mixed", "--isolated", "--no-git", "--format", "json", "-o", target)
    assert result.exit_code == 0
    assert result.stdout == ""
    assert json.loads(target.read_text())["lock_in"]["verdict"] == "multi-provider"

    monkeypatch.setattr("provider_audit.api.run", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("x")))
    failed = tmp_path / "never.json"
    assert invoke(PROJECTS / "mixed", "--isolated", "-o", failed).exit_code == 2
    assert not failed.exists()


def test_named_files_are_scanned_as_given(monkeypatch):
    monkeypatch.chdir(PROJECTS / "mixed")
    result = invoke("services/openai_client.py", "--isolated", "--format", "json")
    report = json.loads(result.stdout)
    assert {u["path"] for u in report["usages"]} == {"services/openai_client.py"}
    assert report["lock_in"]["verdict"] == "single-provider"


def test_format_from_environment():
    result = invoke(PROJECTS / "no_llm", "--isolated", env={"PROVIDER_AUDIT_FORMAT": "json"})
    assert json.loads(result.stdout)["schema_version"] == 1


def test_python_dash_m_entry_point():
    proc = subprocess.run([sys.executable, "-m", "provider_audit", "--version"], capture_output=True, text=True)
    assert proc.returncode == 0 and "provider-audit" in proc.stdout


def _command(*args: str, **kwargs) -> subprocess.CompletedProcess:
    """The command as a user runs it (``console``: main, then an exit without interpreter teardown)."""
    return subprocess.run([sys.executable, "-m", "provider_audit", *args], capture_output=True, text=True,
                          cwd=PROJECTS, **kwargs)


def test_the_command_writes_everything_before_it_leaves():
    report = _command(str(PROJECTS / "mixed"), "--isolated", "--no-git", "--no-cache", "--format", "json",
                      "--exit-zero")
    assert report.returncode == 0, report.stderr
    assert json.loads(report.stdout)["summary"]["usages"] > 0  # the whole document, flushed
    assert "exit 0" in report.stderr  # the summary line on stderr too
    assert report.stdout == invoke(PROJECTS / "mixed", "--isolated", "--no-git", "--no-cache", "--format", "json",
                                   "--exit-zero").stdout


def test_the_command_keeps_each_exit_code():
    failed = _command(str(PROJECTS / "anthropic_only"), "--isolated", "--no-git", "--no-cache",
                      "--fail-on", "single-provider")
    assert failed.returncode == 1 and "SINGLE-PROVIDER" in failed.stdout
    usage = _command("--no-such-option")
    assert usage.returncode == 2 and "No such option" in usage.stderr
    assert _command("--help").returncode == 0


def test_a_reader_that_stops_early_gets_no_traceback(tmp_path):
    for i in range(300):  # a report larger than a pipe's buffer: the writer meets the closed pipe
        (tmp_path / f"m{i}.py").write_text('import openai\nclient = openai.OpenAI()\nmodel = "gpt-4o"\n')
    proc = subprocess.Popen([sys.executable, "-m", "provider_audit", str(tmp_path), "--isolated", "--no-git",
                             "--no-cache", "--exit-zero", "--format", "json"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, cwd=PROJECTS)
    assert proc.stdout.read(10) == b'{\n  "schem'  # then stop reading, as `| head -c 10` does
    proc.stdout.close()
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=120) in (0, 1)  # a hang guard only
    assert "Traceback" not in stderr and "Exception ignored" not in stderr


def test_scope_keys_are_read_into_settings(tmp_path):
    from provider_audit.settings import Settings, read_config

    config = tmp_path / "pa.toml"
    config.write_text('jurisdictions = ["de", "EU"]\ncustomer-types = ["public-sector"]\n')
    settings = Settings.build({}, read_config(tmp_path, str(config)))
    assert settings.scopes.jurisdictions == frozenset({"DE", "EU"})
    assert settings.scopes.customer_types == frozenset({"public-sector"})
    assert settings.scopes.ownership is None  # not declared: ownership-scoped events stay conditional
