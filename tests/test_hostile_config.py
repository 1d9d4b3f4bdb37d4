"""Hostile input, round 2 (issue 15): the scanned repository's own configuration and the files the tool
reads as its own input (rules, config, baselines) are untrusted; text from them reaches no terminal or
report raw; a forged result cache cannot feed impossible values.

Attacks that hang or eat memory run in a child process with a time and address-space limit
(``tests/hostile/run.py``), so a regression fails the test instead of the machine.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import pytest
import yaml

from provider_audit._compat import safe_load_yaml
from provider_audit.data.config import ConfigError, load_config
from provider_audit.data.resources import rules_dir
from provider_audit.risk.events import RulesError, load_events
from dataclasses import fields

from provider_audit.models import Evidence

from conftest import PROJECTS, TESTS

sys.path.insert(0, str(TESTS / "hostile"))
from run import invoke, one_line_error, run_cli  # noqa: E402

LOCKED = PROJECTS / "openai_only"  # a single-provider project: exit 1 unless a config relaxes the gate
EVENT = ("schema_version: 1\nevents:\n  - id: my-event\n    providers: [openai]\n    kind: deprecation\n"
         "    title: {title}\n    summary: {summary}\n    announced: 2025-01-01\n    effective: 2025-01-01\n"
         "    status: in-effect\n    confidence: verified\n    severity: high\n    mitigation: {mitigation}\n"
         "    sources: [{source}]\n")
PLAIN_EVENT = EVENT.format(title="t", summary="s", mitigation="m", source="https://example.com")


def _repo(tmp_path: Path, config: str = "", app: str = "import openai\nclient = openai.OpenAI()\n") -> Path:
    """A locked-in repository (one OpenAI call) with ``config`` as its pyproject table."""
    root = tmp_path / "repo"
    root.mkdir()
    (root / ".git").mkdir()  # the repository boundary for its own config (no git needed: --no-git)
    (root / "app.py").write_text(app)
    if config:
        (root / "pyproject.toml").write_text("[tool.provider-audit]\n" + config)
    return root


# ------------------------------------------------------------------ special files as the tool's input


def _special(kind: str, tmp_path: Path) -> str:
    if kind == "fifo":
        path = tmp_path / "special.yaml"
        os.mkfifo(path)
        return str(path)
    return kind


SPECIALS = ["fifo", "/dev/zero", "/dev/urandom"]


@pytest.mark.parametrize("kind", SPECIALS)
@pytest.mark.parametrize("option", ["--rules", "--config", "--baseline"])
def test_special_files_given_on_the_command_line_exit_2_at_once(tmp_path, option, kind):
    """A FIFO hung the scan; /dev/zero and /dev/urandom grew memory by gigabytes."""
    path = _special(kind, tmp_path)
    line = one_line_error(run_cli([LOCKED, "--no-git", "--no-cache", option, path], timeout=20, memory=1 << 30))
    assert path in line and "not a regular file" in line, line


@pytest.mark.parametrize("kind", SPECIALS)
def test_special_files_named_by_the_repository_config_exit_2_at_once(tmp_path, kind):
    root = _repo(tmp_path)
    if kind == "fifo":
        os.mkfifo(root / "rules.yaml")
        target = "rules.yaml"
    else:
        target = kind
    (root / "pyproject.toml").write_text(f'[tool.provider-audit]\nextra-rules = ["{target}"]\n')
    line = one_line_error(run_cli([root, "--no-git", "--no-cache"], timeout=20, memory=1 << 30))
    assert "extra-rules" in line or "rules.yaml" in line
    assert "not a regular file" in line or "outside the repository" in line, line


def test_rules_validate_refuses_a_fifo_at_once(tmp_path):
    fifo = _special("fifo", tmp_path)
    line = one_line_error(run_cli(["rules", "validate", fifo], timeout=20, memory=1 << 30))
    assert "not a regular file" in line


def test_rules_update_from_a_fifo_exits_2_at_once(tmp_path):
    """A local bundle is an input file too (``rules update --from``, added after issue 15 was filed)."""
    fifo = _special("fifo", tmp_path)
    line = one_line_error(run_cli(["rules", "update", "--from", fifo], timeout=20, memory=1 << 30,
                                  env={"PROVIDER_AUDIT_DATA_DIR": str(tmp_path / "data")}))
    assert "not a regular file" in line


def test_input_files_are_read_with_a_size_cap(tmp_path):
    """A rules file, config or baseline larger than any real one is refused unread (sparse: costs no disk)."""
    for option, name in (("--rules", "huge.yaml"), ("--config", "huge.toml"), ("--baseline", "huge.json")):
        huge = tmp_path / name
        with open(huge, "wb") as handle:
            handle.truncate(200 << 20)
        line = one_line_error(run_cli([LOCKED, "--no-git", "--no-cache", option, huge], timeout=20, memory=1 << 30))
        assert str(huge) in line and "larger than" in line, line


# ------------------------------------------------------------------ paths from the repository's config


def _outside_rules(tmp_path: Path) -> Path:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "rules.yaml").write_text(PLAIN_EVENT)
    return outside


@pytest.mark.parametrize("layout", ["dotdot", "absolute", "linked-file", "linked-folder", "linked-in-folder",
                                    "linked-parent"])
def test_repository_config_cannot_reach_outside_the_repository(tmp_path, layout):
    outside = _outside_rules(tmp_path)
    root = _repo(tmp_path)
    target = {"dotdot": "../outside/rules.yaml", "absolute": str(outside / "rules.yaml"), "linked-file": "rules.yaml",
              "linked-folder": "ops", "linked-in-folder": "ops", "linked-parent": "ops/rules/rules.yaml"}[layout]
    if layout == "linked-file":
        (root / "rules.yaml").symlink_to(outside / "rules.yaml")
    elif layout == "linked-folder":
        (root / "ops").symlink_to(outside)
    elif layout == "linked-in-folder":
        (root / "ops").mkdir()
        (root / "ops" / "rules.yaml").symlink_to(outside / "rules.yaml")
    elif layout == "linked-parent":  # a link in the middle of the path, not the last component
        (root / "ops").mkdir()
        (root / "ops" / "rules").symlink_to(outside)
    (root / "pyproject.toml").write_text(f'[tool.provider-audit]\nextra-rules = ["{target}"]\n')
    line = one_line_error(run_cli([root, "--no-git", "--no-cache"], timeout=30))
    assert "outside the repository" in line or "symbolic link" in line, line


def test_repository_config_rules_inside_the_repository_are_read(tmp_path):
    root = _repo(tmp_path)
    (root / "ops").mkdir()
    (root / "ops" / "rules.yaml").write_text(PLAIN_EVENT)
    (root / "extra.yaml").write_text(PLAIN_EVENT.replace("my-event", "my-other-event"))
    (root / "pyproject.toml").write_text('[tool.provider-audit]\nextra-rules = ["ops", "extra.yaml"]\n'
                                         'fail-on = "risk:high"\n')
    result = invoke(root, "--no-git", "--no-cache", "--format", "json", "--as-of", "2026-01-01")
    assert result.exit_code == 1, result.stderr  # the events are in effect: the gate fails
    assert {"my-event", "my-other-event"} <= {m["id"] for m in json.loads(result.stdout)["risk"]["matched"]}


def test_explicit_rules_through_a_link_are_the_users_choice(tmp_path):
    """--rules and --config come from the person running the tool: a link there is followed."""
    outside = _outside_rules(tmp_path)
    link = tmp_path / "link.yaml"
    link.symlink_to(outside / "rules.yaml")
    result = invoke(LOCKED, "--no-git", "--no-cache", "--rules", link, "--format", "json")
    assert result.exit_code == 1, result.stderr


@pytest.mark.parametrize("how", ["default", "config"])
def test_repository_baseline_is_read_without_following_a_link(tmp_path, how):
    """The repository's own baseline (the default name, or its config's ``baseline`` key) is its own
    file: a link there is refused, not followed to a file elsewhere."""
    root = _repo(tmp_path)
    outside = tmp_path / "outside.json"
    outside.write_text('{"schema_version": 1, "findings": []}')
    if how == "default":
        (root / ".provider-audit-baseline.json").symlink_to(outside)
    else:
        (root / "real.json").write_text('{"schema_version": 1, "findings": []}')
        (root / "inner.json").symlink_to(root / "real.json")
        (root / "pyproject.toml").write_text('[tool.provider-audit]\nbaseline = "inner.json"\n')
    line = one_line_error(run_cli([root, "--no-git", "--no-cache"], timeout=20, memory=1 << 30))
    assert "symbolic link" in line, line


# ------------------------------------------------------------------ YAML aliases


def _alias_bomb(levels: int = 9) -> str:
    """About 700 bytes that expand to 9**9 strings when walked (str() of the value needs gigabytes)."""
    nodes = ['&a0 ["xxxxxxxx","x","x","x","x","x","x","x","x"]']
    nodes += [f"&a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, levels)]
    return EVENT.format(title="t", summary="s", mitigation="m", source="https://example.com").replace(
        "kind: deprecation", "kind: [" + ", ".join(nodes) + "]")


def test_alias_bomb_in_a_rules_file_is_refused_at_once(tmp_path):
    """It took 69 s and 5.8 GB before a MemoryError."""
    rules = tmp_path / "bomb.yaml"
    rules.write_text(_alias_bomb())
    assert len(rules.read_bytes()) < 1000
    line = one_line_error(run_cli([LOCKED, "--no-git", "--no-cache", "--rules", rules], timeout=20, memory=1 << 30))
    assert str(rules) in line and "alias" in line, line


@pytest.mark.parametrize("text", ["a: &x 1\nb: *x\n", "base: &b {k: 1}\nother:\n  <<: *b\n", "a: [&x 1, *x]\n",
                                  "? &k a\n: 1\n? *k\n: 2\n"])
@pytest.mark.parametrize("shipped", [False, True])
def test_yaml_aliases_are_refused_by_both_loaders(text, shipped):
    with pytest.raises(yaml.YAMLError, match="aliases are not allowed"):
        safe_load_yaml(text, shipped=shipped)


@pytest.mark.parametrize("text", ["a: 1\nb: 2026-01-05\nc: yes\nd: null\ne: 1.5\nf: !!set {x, y}\ng: '2'\n",
                                  "<<: {a: 1}\nb: 2\n", "- a\n- [b, {c: d}, {1: [x]}]\n", "", "x\n",
                                  "? a\n: 1\na: 2\n"])
def test_the_shipped_files_loader_gives_what_libyaml_gives(text):
    """Strings, lists and mappings are built by hand for shipped files; numbers, dates, sets and merge keys
    by PyYAML: the result is the libyaml loader's."""
    assert safe_load_yaml(text, shipped=True) == yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506


def test_the_shipped_files_loader_refuses_unhashable_keys():
    with pytest.raises(yaml.YAMLError, match="unhashable"):
        safe_load_yaml("? [1, 2]\n: x\n", shipped=True)


def test_every_shipped_rules_file_loads_as_libyaml_loads_it():
    for path in sorted(rules_dir().rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        assert safe_load_yaml(text, shipped=True) == yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)), path  # noqa: S506


def test_yaml_anchors_are_refused_in_user_files():
    """An anchor alone expands nothing; user files refuse it anyway (nothing here needs one)."""
    with pytest.raises(yaml.YAMLError, match="anchors and aliases are not allowed"):
        safe_load_yaml("a: &x 1\n")


def test_shipped_rules_use_no_aliases():
    for path in sorted(rules_dir().rglob("*.yaml")):
        events = {type(e).__name__ for e in yaml.parse(path.read_text(encoding="utf-8"))}
        assert "AliasEvent" not in events, path
    assert load_events()  # and the shipped database loads through the refusing loader


# ------------------------------------------------------------------ pyproject.toml of the scanned repository


def test_symlinked_pyproject_is_not_followed(tmp_path):
    """A pyproject.toml linked to a file outside the repository set fail-on = never: the gate passed."""
    outside = tmp_path / "elsewhere.toml"
    outside.write_text('[tool.provider-audit]\nfail-on = "never"\n')
    root = _repo(tmp_path)
    (root / "pyproject.toml").symlink_to(outside)
    result = invoke(root, "--no-git", "--no-cache")
    assert result.exit_code == 1, result.stderr  # the link's config was not obeyed


@pytest.mark.parametrize("body", ["[project\nname = 'x'\n", "tool = [1]\n", "\x00\xff garbage", "[tool]\nx = \n"])
def test_broken_pyproject_without_our_table_is_a_skipped_manifest(tmp_path, body):
    """A hostile or broken repository can still be audited: the pyproject is skipped with a note."""
    root = _repo(tmp_path)
    (root / "pyproject.toml").write_bytes(body.encode("utf-8", "surrogateescape"))
    result = invoke(root, "--no-git", "--no-cache", "--format", "json")
    assert result.exit_code == 1, result.stderr  # scanned and judged: locked in
    skipped = {s["path"]: s["reason"] for s in json.loads(result.stdout)["skipped"]}
    assert "pyproject.toml" in skipped and "\n" not in skipped["pyproject.toml"], skipped


@pytest.mark.parametrize("body", ["[tool.provider-audit]\nfail-on = \n", '[tool."provider-audit"\nx = 1\n',
                                  "[tool]\nprovider-audit = {fail-on = }\n"])
def test_broken_pyproject_with_our_table_still_exits_2(tmp_path, body):
    """A broken policy must not silently weaken a gate."""
    root = _repo(tmp_path)
    (root / "pyproject.toml").write_text(body)
    line = one_line_error(run_cli([root, "--no-git", "--no-cache"], timeout=30))
    assert "pyproject.toml" in line and "invalid TOML" in line, line


# ------------------------------------------------------------------ config types


@pytest.mark.parametrize("line, key", [
    ('exclude = "*"', "exclude"),  # a string: scanned 0 files and passed
    ('per-path-ignores = { "**" = "PA" }', "per-path-ignores"),  # silenced everything
    ('per-path-ignores = { "**" = ["PA"] }', "per-path-ignores"),
    ('ignore = ["PA"]', "ignore"),
    ('ignore = ["PA5"]', "ignore"),  # no code starts with PA5
    ('ignore = ["PA1066"]', "ignore"),
    ('ignore = "PA106"', "ignore"),
    ('test-paths = "tests"', "test-paths"),
    ('source-paths = "src"', "source-paths"),
    ('allowed-providers = "openai"', "allowed-providers"),
    ('extra-rules = "rules.yaml"', "extra-rules"),
    ("decisive-contexts = []", "decisive-contexts"),  # nothing decides: every repository passes
    ('decisive-contexts = "source"', "decisive-contexts"),
    ("max-file-size = 1.5", "max-file-size"),
])
def test_wrong_config_types_are_errors(tmp_path, line, key):
    root = _repo(tmp_path, line + "\n")
    result = invoke(root, "--no-git", "--no-cache")
    assert result.exit_code == 2, (result.exit_code, result.stderr)
    assert f"key '{key}'" in result.stderr and len(result.stderr.splitlines()) == 1, result.stderr


def test_real_codes_and_prefixes_are_accepted(tmp_path):
    path = tmp_path / "pa.toml"
    path.write_text('ignore = ["PA1", "PA106", "PA2", "PA201/some-event", "PA90"]\n'
                    'per-path-ignores = { "scripts/**" = ["PA106", "PA9"] }\n')
    config = load_config(path, explicit=True)
    assert config.get("ignore") == ("PA1", "PA106", "PA2", "PA201/some-event", "PA90")


# ------------------------------------------------------------------ terminal and workflow-command injection


HOSTILE_TEXTS = dict(title='"evil \\e[31mRED\\e[0m\\n::error::forged-title"',
                     summary='"one\\n::error file=x::forged-summary \\e]0;t\\a"',
                     mitigation='"m\\r\\n::warning::forged-mitigation"', source='"https://example.com/\\e[2J"')


_FORGED_COMMAND = re.compile(r"^\s*::(?:error|warning|notice)[^:]*::forged", re.M)


def _forged_lines(text: str):
    """Lines a terminal or GitHub Actions would act on that the tool did not write: a workflow command
    that starts with the forged text, or an escape sequence (ESC, BEL) anywhere."""
    return _FORGED_COMMAND.findall(text) + (["<ESC>"] if "\x1b" in text or "\x07" in text else [])


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "markdown", "github"])
def test_rules_texts_reach_no_report_raw(tmp_path, fmt):
    rules = tmp_path / "rules.yaml"
    rules.write_text(EVENT.format(**HOSTILE_TEXTS))
    result = invoke(LOCKED, "--no-git", "--no-cache", "--rules", rules, "--format", fmt, "--as-of", "2026-01-01")
    assert result.exit_code == 1, result.stderr
    assert "forged-title" in result.stdout or fmt == "github"  # the event is in the report...
    assert _forged_lines(result.stdout) == [] and _forged_lines(result.stderr) == []  # ...but harmless


def test_rules_texts_reach_no_terminal_raw_in_rules_commands(tmp_path):
    rules = tmp_path / "rules.yaml"
    rules.write_text(EVENT.format(**HOSTILE_TEXTS))
    for args in (["rules", "show", "my-event", "--rules", rules], ["rules", "list", "--rules", rules]):
        result = invoke(*args)
        assert result.exit_code == 0, result.stderr
        assert _forged_lines(result.stdout) == [], result.stdout


@pytest.mark.parametrize("toml", [
    '"\\u001b[2Jevil\\n::error::forged" = 1\n',  # an unknown key
    'fail-on = "never\\n::error::forged"\n',  # a bad value quoted in the message
    'ignore-events = [{id = "x", reason = "r\\n::error::forged\\u001b[31m", until = "2020-13-01"}]\n',
])
def test_config_error_messages_are_one_printable_line(tmp_path, toml):
    root = _repo(tmp_path, toml)
    line = one_line_error(run_cli([root, "--no-git", "--no-cache"], timeout=30))
    assert "pyproject.toml" in line


def test_rules_error_messages_are_one_printable_line(tmp_path):
    rules = tmp_path / "rules.yaml"
    rules.write_text(PLAIN_EVENT.replace("kind: deprecation", 'kind: "x\\e[2J\\n::error::forged"'))
    line = one_line_error(run_cli([LOCKED, "--no-git", "--no-cache", "--rules", rules], timeout=30))
    assert "kind" in line


# ------------------------------------------------------------------ the result cache


def _cached_repo(tmp_path: Path):
    root = _repo(tmp_path, app="import openai\nclient = openai.OpenAI()\nMODEL = 'gpt-4o'\n")
    cache_dir = tmp_path / "cache"
    first = invoke(root, "--no-git", "--cache-dir", cache_dir, "--format", "json")
    assert first.exit_code == 1, first.stderr
    (cache_file,) = cache_dir.glob("*.json")
    return root, cache_dir, cache_file, json.loads(first.stdout)


def _forge(cache_file: Path, change) -> None:
    document = json.loads(cache_file.read_text())
    change(document["entries"]["app.py"][4])
    cache_file.write_text(json.dumps(document))


FIELDS = [f.name for f in fields(Evidence)]


@pytest.mark.parametrize("fmt", ["text", "markdown", "github", "json", "sarif"])
def test_forged_cache_texts_are_made_printable(tmp_path, fmt):
    root, cache_dir, cache_file, _ = _cached_repo(tmp_path)

    def change(entry):
        for row in entry[0]:
            row[FIELDS.index("snippet")] = "x\x1b[2J\n::error::forged-snippet"
            row[FIELDS.index("detail")] = row[FIELDS.index("detail")] + "\x1b]0;t\x07"
        entry[1].append(["app.py", "cached\n::error::forged-skip\x1b[31m"])

    _forge(cache_file, change)
    result = invoke(root, "--no-git", "--cache-dir", cache_dir, "--format", fmt)
    assert result.exit_code == 1, result.stderr
    assert "forged" in result.stdout or fmt in ("github", "sarif")  # the forged rows were used...
    assert _forged_lines(result.stdout) == [] and _forged_lines(result.stderr) == []  # ...made harmless


@pytest.mark.parametrize("field, value", [("line", -5), ("line", 0), ("column", 10 ** 12), ("column", -1),
                                          ("line", 2 ** 63)])
def test_forged_cache_rows_with_impossible_values_are_dropped(tmp_path, field, value):
    root, cache_dir, cache_file, fresh = _cached_repo(tmp_path)
    _forge(cache_file, lambda entry: entry[0][0].__setitem__(FIELDS.index(field), value))
    result = invoke(root, "--no-git", "--cache-dir", cache_dir, "--format", "json")
    assert result.exit_code == 1, result.stderr
    usages = json.loads(result.stdout)["usages"]
    assert all(1 <= u["line"] < 2 ** 31 and 1 <= u["column"] < 2 ** 31 for u in usages), usages
    assert usages == fresh["usages"]  # the file was analysed again


def test_forged_cache_suppression_rows_with_impossible_values_are_dropped(tmp_path):
    root, cache_dir, cache_file, fresh = _cached_repo(tmp_path)
    _forge(cache_file, lambda entry: entry[3].append(["app.py", -1, 10 ** 15, ["PA1"]]))
    result = invoke(root, "--no-git", "--cache-dir", cache_dir, "--format", "json")
    assert result.exit_code == 1 and json.loads(result.stdout)["usages"] == fresh["usages"]
    assert "-1" not in json.dumps(json.loads(result.stdout)["suppressions"])


def test_config_and_rules_loaders_never_give_unprintable_text(tmp_path):
    """The loaders themselves: whatever a file holds, no string they return holds a control character."""
    rules = tmp_path / "rules.yaml"
    rules.write_text(EVENT.format(**HOSTILE_TEXTS))
    (event,) = [e for e in load_events([rules]) if e.id == "my-event"]
    for text in (event.title, event.summary, event.mitigation, *event.sources):
        assert not re.search(r"[\x00-\x1f\x7f]", text), text
    config = tmp_path / "pa.toml"
    config.write_text('ignore-events = [{ id = "x", reason = "a\\nb\\u001b" }]\n'
                      'acknowledge-lock-in = { provider = "openai", reason = "a\\nb\\u001b" }\n')
    loaded = load_config(config, explicit=True)
    assert not re.search(r"[\x00-\x1f]", loaded.get("ignore-events")[0].reason + loaded.get("acknowledge-lock-in").reason)
    with pytest.raises(ConfigError) as caught:
        load_config(_write(tmp_path / "bad.toml", '"\\u001b[2J\\n" = 1\n'), explicit=True)
    assert not re.search(r"[\x00-\x1f]", str(caught.value))
    with pytest.raises(RulesError) as caught_rules:
        load_events([_write(tmp_path / "bad.yaml", PLAIN_EVENT.replace("kind: deprecation", 'kind: "\\e\\n"'))])
    assert not re.search(r"[\x00-\x1f]", str(caught_rules.value))


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path
