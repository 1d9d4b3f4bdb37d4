"""The regex safety screen (``validation.regex_problem``) and the rules it covers.

Scans skip it for the rules in use (``resources.in_rules_in_use``): the shipped rules are screened here
and by ``rules validate``, an installed bundle when it is checked (``feed.validate``). Every other rules
file (``--rules``, a repository's ``extra-rules``, a bundle being checked) is screened when it loads.
"""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner

from provider_audit.cli import main
from provider_audit.data import catalog as catalog_module
from provider_audit.data import resources, validation
from provider_audit.data.catalog import load_catalog, load_catalog_file
from provider_audit.data.features import load_features_file
from provider_audit.feed import FeedError
from provider_audit.feed.validate import validate_tree
from provider_audit.risk.check import load_database, load_lifecycle_table

from conftest import PROJECTS

CATASTROPHIC = "(a+)+$"
EVENT = """\
schema_version: 2
events:
  - id: acme-2026-01-old-model
    providers: [openai]
    kind: deprecation
    impact: breaking
    title: t
    summary: s
    announced: 2026-01-01
    effective: 2026-01-01
    status: in-effect
    status_as_of: 2026-01-01
    confidence: reported
    severity: high
    mitigation: m
    sources: [{url: "https://example.com/a", type: press}]
    applies_to:
      models: ['gpt-4', 'PATTERN']
"""


@pytest.fixture
def screened(monkeypatch):
    """Count the patterns the screen looks at (it still decides)."""
    seen = []
    real = validation.regex_problem

    def counting(pattern, **limits):
        seen.append(pattern)
        return real(pattern, **limits)

    monkeypatch.setattr(validation, "regex_problem", counting)
    monkeypatch.setattr(catalog_module, "regex_problem", counting)
    return seen


def test_the_shipped_rules_pass_the_screen(screened):
    rules = resources.shipped_rules_dir()
    catalog = load_catalog_file(rules / "providers.yaml", shipped=True, screen=True)
    in_catalog = len(screened)
    load_features_file(rules / "features.yaml", catalog, shipped=True, screen=True)
    in_features = len(screened) - in_catalog
    events = load_database(catalog, paths=[rules / "events"], screen=True)
    in_events = len(screened) - in_catalog - in_features
    table = load_lifecycle_table(catalog, paths=[rules / "lifecycle"], screen=True)
    assert in_catalog >= 100 and in_features >= 1
    assert in_events == sum(len(e.models) for e in events) >= 50
    assert len(screened) - in_catalog - in_features - in_events == sum(len(m.patterns) for m in table.models)


def test_scans_do_not_screen_the_rules_in_use_again(monkeypatch):
    def refuse(pattern, **limits):
        raise AssertionError(f"screened {pattern!r} again")

    monkeypatch.setattr(validation, "regex_problem", refuse)
    monkeypatch.setattr(catalog_module, "regex_problem", refuse)
    resources.reset()
    try:
        catalog = load_catalog()
        assert load_database(catalog) and load_lifecycle_table(catalog).models
    finally:
        resources.reset()


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_rules_validate_screens_the_rules_in_use(tmp_path, monkeypatch):
    """A catastrophic pattern in the rules in use: ``rules validate`` refuses it, though scans trust them."""
    tree = tmp_path / "rules"
    shutil.copytree(resources.shipped_rules_dir(), tree, ignore=shutil.ignore_patterns("*.md"))
    catalog = tree / "providers.yaml"
    text = catalog.read_text(encoding="utf-8")
    first = "      - 'gpt-3\\.5-turbo"
    assert first in text
    catalog.write_text(text.replace(first, f"      - 'gpt-{CATASTROPHIC}'\n{first}", 1), encoding="utf-8")
    monkeypatch.setattr(resources, "shipped_rules_dir", lambda: tree)
    resources.reset()
    try:
        assert resources.rules_dir() == tree
        result = invoke("rules", "validate")
        assert result.exit_code == 2 and "may backtrack catastrophically" in result.stderr
        assert "providers.yaml" in result.stderr
    finally:
        resources.reset()


def test_a_bundle_with_a_catastrophic_pattern_is_refused(tmp_path):
    tree = tmp_path / "rules"
    shutil.copytree(resources.shipped_rules_dir(), tree, ignore=shutil.ignore_patterns("*.md"))
    (tree / "events" / "zz.yaml").write_text(EVENT.replace("PATTERN", CATASTROPHIC), encoding="utf-8")
    members = {p.relative_to(tree).as_posix(): p.read_text(encoding="utf-8") for p in tree.rglob("*.yaml")}
    with pytest.raises(FeedError, match="may backtrack catastrophically"):
        validate_tree(tree, members, {})


@pytest.mark.parametrize("where", ["--rules file", "--rules folder", "extra-rules"])
def test_a_user_rules_file_with_a_catastrophic_pattern_stops_the_scan(tmp_path, where):
    project = tmp_path / "project"
    shutil.copytree(PROJECTS / "no_llm", project)
    folder = project / "risks"
    folder.mkdir()
    rules = folder / "acme.yaml"
    rules.write_text(EVENT.replace("PATTERN", CATASTROPHIC), encoding="utf-8")
    args = [project, "--no-git"]
    if where == "extra-rules":
        (project / "pyproject.toml").write_text('[tool.provider-audit]\nextra-rules = ["risks/acme.yaml"]\n')
    else:
        args += ["--isolated", "--rules", rules if where == "--rules file" else folder]
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    assert "event 'acme-2026-01-old-model': key 'applies_to.models[1]': regex may backtrack" in result.stderr
    assert "Traceback" not in result.output
