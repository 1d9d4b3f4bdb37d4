"""Python-ecosystem manifest and lockfile extractors, on small fixtures in each real format."""

from __future__ import annotations

from pathlib import Path
from unittest.mock import patch

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from provider_audit.extractors import ParseError, extractor_for
from provider_audit.extractors import (conda_env, pipfile, pipfile_lock, poetry_lock, pyproject_toml,
                                       requirements_txt, setup_cfg, uv_lock)
from provider_audit.models import Dependency

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "manifests" / "python"
MODULES = (requirements_txt, pyproject_toml, setup_cfg, pipfile, pipfile_lock, poetry_lock, uv_lock, conda_env)


def run(module, relpath: str, text: str = None):
    """Extract from a fixture (when ``text`` is None) or from ``text``, as (name, line, specifier, ...) rows."""
    if text is None:
        text = (FIXTURES / relpath).read_text(encoding="utf-8")
    return [(d.name, d.line, d.specifier, d.version, d.direct, d.group, d.extras)
            for d in module.EXTRACTOR.extract(relpath, text)]


def fails(module, relpath: str, text: str) -> str:
    with pytest.raises(ParseError) as info:
        list(module.EXTRACTOR.extract(relpath, text))
    assert "\n" not in str(info.value)
    return str(info.value)


# --- registry -------------------------------------------------------------------------------------

@pytest.mark.parametrize("relpath, name", [
    ("requirements.txt", "python/requirements"),
    ("requirements/base.txt", "python/requirements"),
    ("constraints.txt", "python/requirements"),
    ("pyproject.toml", "python/pyproject"),
    ("poetry/pyproject.toml", "python/pyproject"),
    ("setup.cfg", "python/setup-cfg"),
    ("Pipfile", "python/pipfile"),
    ("Pipfile.lock", "python/pipfile-lock"),
    ("poetry.lock", "python/poetry-lock"),
    ("uv.lock", "python/uv-lock"),
    ("environment.yml", "python/conda-environment"),
])
def test_registry_picks_extractor_for_fixture(relpath, name):
    assert (FIXTURES / relpath).is_file()
    assert extractor_for(relpath).name == name
    assert extractor_for(f"tests/fixtures/manifests/python/{relpath}").name == name


@pytest.mark.parametrize("relpath, name", [
    ("requirements-dev.txt", "python/requirements"),
    ("requirements_test.in", "python/requirements"),
    ("dev-requirements.txt", "python/requirements"),
    ("constraints-py39.txt", "python/requirements"),
    ("svc/requirements/prod.in", "python/requirements"),
    ("environment-gpu.yaml", "python/conda-environment"),
    ("conda.yml", "python/conda-environment"),
    ("README.md", None),
    ("src/requirements_parser.py", None),
    ("docs/notes.txt", None),
    ("requirements/README.md", None),
    ("LICENSE.txt", None),
])
def test_registry_name_rules(relpath, name):
    found = extractor_for(relpath)
    assert (found and found.name) == name


def test_extractor_flags():
    assert [m.EXTRACTOR.lockfile for m in MODULES] == [False, False, False, False, True, True, True, False]
    assert all(m.EXTRACTOR.ecosystem == "pypi" for m in MODULES)
    assert requirements_txt.EXTRACTOR.includes is not None


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__.rsplit(".", 1)[-1])
@pytest.mark.parametrize("text", ["", "\n", "   \n\n"])
def test_empty_file_has_no_dependencies(module, text):
    assert run(module, module.EXTRACTOR.filenames[0].replace("*", ""), text) == []


# --- requirements.txt -----------------------------------------------------------------------------

def test_requirements():
    assert run(requirements_txt, "requirements.txt") == [
        ("openai", 7, "==1.51.2", "1.51.2", True, None, ()),
        ("anthropic", 8, "<1,>=0.39", None, True, None, ("bedrock", "vertex")),
        ("litellm", 9, ">=1.50", None, True, None, ()),
        ("google-genai", 10, "==0.3.*", None, True, None, ()),
        ("mistralai", 13, "", None, True, None, ()),
        ("langchain-anthropic", 14, "", None, True, None, ()),
        ("requests", 15, ">=2.31", None, True, None, ()),
    ]
    assert run(requirements_txt, "requirements/base.txt") == [
        ("boto3", 2, "===1.35.0", "1.35.0", True, None, ()),
        ("pydantic", 3, "~=2.9", None, True, None, ()),
    ]


def test_constraints_are_not_direct():
    assert run(requirements_txt, "constraints.txt") == [
        ("httpx", 2, "==0.27.2", "0.27.2", False, None, ()),
        ("openai", 3, "<2", None, False, None, ()),
    ]


def test_requirements_includes():
    def includes(relpath, text):
        return requirements_txt.EXTRACTOR.includes(relpath, text)

    text = (FIXTURES / "requirements.txt").read_text()
    assert includes("requirements.txt", text) == ["requirements/base.txt", "constraints.txt"]
    assert includes("requirements/base.txt", "-r ../requirements-common.txt\n") == ["requirements-common.txt"]
    text = ("--requirement=dev.txt\n-rlint.txt\n--constraint ./c/pins.txt\n-r ../../outside.txt\n"
            "-r /etc/abs.txt\n-r https://example.com/r.txt\n-r dev.txt\n# -r commented.txt\n")
    assert includes("svc/requirements.txt", text) == ["svc/dev.txt", "svc/lint.txt", "svc/c/pins.txt"]


def test_requirements_line_forms():
    text = ("-e git+https://github.com/openai/openai-python.git#egg=openai\n"
            "--editable ./local/pkg\n"
            "./wheels/anthropic-0.39.0-py3-none-any.whl\n"
            "https://example.com/dist/litellm-1.50.0.tar.gz#sha256=abc\n"
            "boto3==1.35.0 --hash=sha256:00 --hash sha256:11\n"
            "   mistralai>=1 ; sys_platform != 'win32'   # inline comment\n"
            "pkg#not-a-comment==1\n"
            "ignored \\\n# a comment ends the continuation\n")
    assert [(d.name, d.line, d.column, d.specifier, d.version)
            for d in requirements_txt.EXTRACTOR.extract("requirements.txt", text)] == [
        ("openai", 1, 1, "", None),
        ("anthropic", 3, 1, "==0.39.0", "0.39.0"),
        ("litellm", 4, 1, "==1.50.0", "1.50.0"),
        ("boto3", 5, 1, "==1.35.0", "1.35.0"),
        ("mistralai", 6, 4, ">=1", None),
        ("ignored", 8, 1, "", None),
    ]


def test_requirements_trailing_continuation_and_options_only():
    assert run(requirements_txt, "requirements.txt", "openai>=1 \\") == [("openai", 1, ">=1", None, True, None, ())]
    assert run(requirements_txt, "requirements.txt", "--index-url https://x\n-r other.txt\n") == []


def test_requirements_malformed():
    assert "NUL" in fails(requirements_txt, "requirements.txt", "openai\x00\x01\x02")
    message = fails(requirements_txt, "requirements.txt", "Hello there!\nThis is prose, not pins.\nopenai?\n")
    assert message == "not a requirements file: 3 of 3 lines are not requirements"


def test_requirements_holding_something_else():
    fails(requirements_txt, "requirements.txt", '{"dependencies": {"openai": "^4.0"}}\n')
    fails(requirements_txt, "requirements/notes.txt", "We should switch from OpenAI to Anthropic.\n\nTODO!\n")
    # One bad line among good ones is skipped, not fatal.
    assert [d.name for d in requirements_txt.EXTRACTOR.extract("requirements.txt", "openai\n!!!\n")] == ["openai"]


# --- pyproject.toml -------------------------------------------------------------------------------

def test_pyproject_pep621_groups_pdm_uv():
    assert run(pyproject_toml, "pyproject.toml") == [
        ("openai", 10, ">=1.40", None, True, None, ()),
        ("anthropic", 11, "==0.39.0", "0.39.0", True, None, ()),
        ("httpx", 12, "", None, True, None, ()),
        ("boto3", 17, ">=1.34", None, True, "bedrock", ()),
        ("langchain-anthropic", 17, "", None, True, "bedrock", ()),
        ("litellm", 19, ">=1.50", None, True, "all", ("proxy",)),
        ("pytest", 23, ">=8", None, True, "test", ()),
        ("respx", 23, "", None, True, "test", ()),
        ("ruff", 24, "", None, True, "dev", ()),
        ("google-genai", 24, "", None, True, "dev", ()),
        ("mypy", 34, ">=1.11", None, True, "lint", ()),
        ("mistralai", 27, "==1.2.3", "1.2.3", True, "dev", ()),
    ]


def test_pyproject_poetry():
    assert run(pyproject_toml, "poetry/pyproject.toml") == [
        ("openai", 9, "^1.40", None, True, None, ()),
        ("anthropic", 10, "~0.39", None, True, None, ("bedrock",)),
        ("boto3", 11, "1.35.0", "1.35.0", True, "aws", ()),
        ("google-genai", 12, "", None, True, None, ()),
        ("langchain-anthropic", 13, "", None, True, None, ()),
        ("black", 23, "^24.0", None, True, "dev", ()),
        ("pytest", 19, ">=8,<9", None, True, "dev", ()),
        ("litellm", 20, "==1.50.0", "1.50.0", True, "dev", ()),
    ]


def test_pyproject_line_fallbacks_and_odd_forms():
    text = ('[project]\nname = "x"\noptional-dependencies = { llm = ["openai"] }\n'
            'dependencies = ["anthropic", "anthropic; python_version < \'3.9\'"]\n'
            "[tool.poetry]\ndependencies.mistralai = [{ version = '^1', python = '<3.10' }, "
            "{ version = '^2', python = '>=3.10' }]\n"
            "[tool.poetry.group.ml.dependencies]\nlitellm = { version = '1.2', optional = true }\n")
    assert run(pyproject_toml, "pyproject.toml", text) == [
        ("anthropic", 4, "", None, True, None, ()),
        ("anthropic", 4, "", None, True, None, ()),
        ("openai", 3, "", None, True, "llm", ()),  # inline table: found in the [project] section
        ("mistralai", 5, "^1 || ^2", None, True, None, ()),  # dotted key: the [tool.poetry] header
        ("litellm", 8, "1.2", "1.2", True, "ml", ()),
    ]
    columns = [d.column for d in pyproject_toml.EXTRACTOR.extract("pyproject.toml", text)]
    assert columns[:2] == [18, 31]


def test_pyproject_malformed():
    assert fails(pyproject_toml, "pyproject.toml", "[project\ndependencies = [").startswith("invalid TOML: ")
    assert fails(pyproject_toml, "pyproject.toml", "[project]\ndependencies = 'openai'\n") == \
        "[project] dependencies is a string, expected a list"
    assert fails(pyproject_toml, "pyproject.toml", "[project]\ndependencies = [1]\n") == \
        "an entry of [project] dependencies is a number, expected a string"
    assert "extras" in fails(pyproject_toml, "pyproject.toml",
                             "[tool.poetry.dependencies]\nopenai = { version = '1', extras = 'x' }\n")
    fails(pyproject_toml, "pyproject.toml", "[tool.poetry.group.dev]\ndependencies = ['pytest']\n")
    fails(pyproject_toml, "pyproject.toml", "project = 3\n")


def test_pyproject_holding_something_else():
    fails(pyproject_toml, "pyproject.toml", '{"name": "not toml at all"}')
    assert run(pyproject_toml, "pyproject.toml", "[tool.black]\nline-length = 100\n") == []


# --- setup.cfg ------------------------------------------------------------------------------------

def test_setup_cfg():
    assert run(setup_cfg, "setup.cfg") == [
        ("openai", 9, ">=1.0", None, True, None, ()),
        ("anthropic", 10, "==0.39.0", "0.39.0", True, None, ()),
        ("requests", 12, "", None, True, None, ()),
        ("boto3", 16, ">=1.34", None, True, "aws", ()),
        ("litellm", 17, "", None, True, "All", ()),
        ("mistralai", 17, ">=1.0", None, True, "All", ()),
    ]


def test_setup_cfg_malformed():
    assert fails(setup_cfg, "setup.cfg", "install_requires = openai\n").startswith(
        "invalid setup.cfg: File contains no section headers.")
    fails(setup_cfg, "setup.cfg", "[options]\ninstall_requires\n  = x\n  [bad\n")


def test_setup_cfg_holding_something_else():
    fails(setup_cfg, "setup.cfg", '{"install_requires": ["openai"]}')
    assert run(setup_cfg, "setup.cfg", "[flake8]\nmax-line-length = 100\n") == []


# --- Pipfile --------------------------------------------------------------------------------------

def test_pipfile():
    assert run(pipfile, "Pipfile") == [
        ("openai", 7, "==1.51.2", "1.51.2", True, None, ()),
        ("anthropic", 8, ">=0.39", None, True, None, ("vertex",)),
        ("requests", 9, "", None, True, None, ()),
        ("langchain-anthropic", 10, "", None, True, None, ()),
        ("pytest", 13, ">=8", None, True, "dev", ()),
        ("mkdocs", 16, "", None, True, "docs", ()),
    ]


def test_pipfile_malformed():
    assert fails(pipfile, "Pipfile", "[packages]\nopenai = \n").startswith("invalid TOML: ")
    assert fails(pipfile, "Pipfile", "[packages]\nopenai = 1\n") == "[packages] openai is a number, expected a string"
    assert fails(pipfile, "Pipfile", "packages = ['openai']\n") == "[packages] is a list, expected a mapping"


def test_pipfile_holding_something_else():
    assert "not a Pipfile" in fails(pipfile, "Pipfile", '[project]\nname = "x"\nversion = "1"\n')
    fails(pipfile, "Pipfile", "FROM python:3.12\nRUN pip install openai\n")


# --- Pipfile.lock ---------------------------------------------------------------------------------

def test_pipfile_lock():
    assert run(pipfile_lock, "Pipfile.lock") == [
        ("anthropic", 19, "", "0.39.0", False, None, ("vertex",)),
        ("openai", 30, "", "1.51.2", False, None, ()),
        ("langchain-anthropic", 38, "", None, False, None, ()),
        ("pytest", 44, "", "8.3.3", False, "dev", ()),
    ]


def test_pipfile_lock_malformed():
    assert fails(pipfile_lock, "Pipfile.lock", '{"_meta": {}, "default": {') .startswith("invalid JSON: ")
    assert fails(pipfile_lock, "Pipfile.lock", '{"_meta": {}, "default": []}') == \
        '"default" is a list, expected a mapping'
    assert fails(pipfile_lock, "Pipfile.lock", '{"_meta": {}, "default": {"openai": {"version": 1}}}') == \
        '"default" "openai" version is a number, expected a string'


def test_pipfile_lock_holding_something_else():
    assert fails(pipfile_lock, "Pipfile.lock", '[[package]]\nname = "openai"\n').startswith("invalid JSON")
    assert fails(pipfile_lock, "Pipfile.lock", "[1, 2]") == "the top level is a list, expected a mapping"
    assert fails(pipfile_lock, "Pipfile.lock", '{"name": "app", "dependencies": {}}') == \
        'no "_meta" key: not a Pipfile.lock'


# --- poetry.lock ----------------------------------------------------------------------------------

def test_poetry_lock():
    assert run(poetry_lock, "poetry.lock") == [
        ("anthropic", 4, "", "0.39.0", False, None, ()),
        ("httpx", 24, "", "0.27.2", False, None, ()),
        ("openai", 35, "", "1.51.2", False, None, ()),
        ("pytest", 49, "", "8.3.3", False, "dev", ()),
    ]


def test_poetry_lock_legacy_category_and_repeated_names():
    text = ('[[package]]\nname = "numpy"\nversion = "1.24.4"\ncategory = "main"\n\n'
            '[[package]]\nname = "numpy"\nversion = "2.1.0"\ncategory = "dev"\n\n'
            '[metadata]\nlock-version = "1.1"\ncontent-hash = "abc"\n')
    assert run(poetry_lock, "poetry.lock", text) == [
        ("numpy", 2, "", "1.24.4", False, None, ()),
        ("numpy", 7, "", "2.1.0", False, "dev", ()),
    ]


def test_poetry_lock_malformed():
    assert fails(poetry_lock, "poetry.lock", '[[package]]\nname = "openai\n').startswith("invalid TOML: ")
    assert fails(poetry_lock, "poetry.lock", '[[package]]\nversion = "1.0"\n') == "a [[package]] name is missing"
    assert fails(poetry_lock, "poetry.lock", '[[package]]\nname = "x"\nversion = 1\n') == \
        "[[package]] x version is a number, expected a string"
    assert fails(poetry_lock, "poetry.lock", 'package = "openai"\n') == "package is a string, expected a list"


def test_poetry_lock_holding_something_else():
    assert fails(poetry_lock, "poetry.lock", '{"package": [{"name": "openai"}]}').startswith("invalid TOML")
    assert fails(poetry_lock, "poetry.lock", "[tool.poetry]\nname = 'x'\n") == \
        "no [[package]] or [metadata]: not a poetry.lock"


# --- uv.lock --------------------------------------------------------------------------------------

def test_uv_lock():
    assert run(uv_lock, "uv.lock") == [
        ("anthropic", 6, "", "0.39.0", True, None, ()),
        ("boto3", 18, "", "1.35.0", True, "bedrock", ()),
        ("httpx", 26, "", "0.27.2", False, None, ()),
        ("pytest", 34, "", "8.3.3", True, "dev", ()),
    ]


def test_uv_lock_workspace_member_is_reported_and_main_wins():
    text = ('version = 1\n[[package]]\nname = "root"\nsource = { virtual = "." }\n'
            'dev-dependencies = { dev = [{ name = "openai" }] }\n'
            '[[package]]\nname = "member"\nversion = "0.1.0"\nsource = { editable = "packages/member" }\n'
            'dependencies = [{ name = "OpenAI" }]\n'
            '[[package]]\nname = "openai"\nversion = "1.51.2"\nsource = { registry = "https://pypi.org/simple" }\n')
    assert run(uv_lock, "uv.lock", text) == [
        ("member", 7, "", "0.1.0", False, None, ()),
        ("openai", 12, "", "1.51.2", True, None, ()),
    ]


def test_uv_lock_malformed():
    assert fails(uv_lock, "uv.lock", "version = 1\n[[package]\n").startswith("invalid TOML: ")
    assert fails(uv_lock, "uv.lock", 'version = 1\n[[package]]\nname = "a"\nsource = "."\n') == \
        "[[package]] a source is a string, expected a mapping"
    assert fails(uv_lock, "uv.lock", 'version = 1\n[[package]]\nname = "a"\nsource = { editable = "." }\n'
                                     'dependencies = ["openai"]\n') == \
        "a dependency of [[package]] a is a string, expected a mapping"


def test_uv_lock_holding_something_else():
    assert fails(uv_lock, "uv.lock", '{"version": 1}').startswith("invalid TOML")
    assert fails(uv_lock, "uv.lock", "[tool.uv]\ndev-dependencies = []\n") == "no version or [[package]]: not a uv.lock"


# --- environment.yml ------------------------------------------------------------------------------

def test_conda_environment():
    assert run(conda_env, "environment.yml") == [
        ("numpy", 7, ">=1.26", None, True, None, ()),
        ("openai", 8, "=1.51.2=pyhd8ed1ab_0", "1.51.2", True, None, ()),
        ("boto3", 9, "==1.35.0", "1.35.0", True, None, ()),
        ("pip", 10, "", None, True, None, ()),
        ("anthropic", 12, ">=0.39", None, True, None, ()),
        ("litellm", 13, "==1.50.0", "1.50.0", True, None, ("proxy",)),
    ]


def test_conda_without_dependencies_is_not_an_error():
    assert run(conda_env, "conda.yml", "channels: [conda-forge]\nname: x\n") == []
    assert run(conda_env, "environment.yml", "dependencies:\n") == []
    assert run(conda_env, "environment.yml", "dependencies:\n  - openai=1.*\n  - pip:\n") == [
        ("openai", 2, "=1.*", None, True, None, ())]


def test_conda_malformed():
    assert fails(conda_env, "environment.yml", "dependencies: [openai\n").startswith("invalid YAML: ")
    assert fails(conda_env, "environment.yml", "dependencies: openai\n") == "dependencies is a string, expected a list"
    assert fails(conda_env, "environment.yml", "dependencies:\n  - 3.11\n") == \
        "a dependencies entry is a number, expected a string"
    assert fails(conda_env, "environment.yml", "dependencies:\n  - pip: openai\n") == \
        "the pip: list is a string, expected a list"
    assert fails(conda_env, "environment.yml", "a: 1\n---\nb: 2\n").startswith("invalid YAML: ")


def test_conda_holding_something_else():
    assert fails(conda_env, "environment.yml", "- openai\n- anthropic\n") == "the top level is a list, expected a mapping"
    fails(conda_env, "environment.yml", "just a sentence")
    fails(conda_env, "environment.yml", "\tdependencies:\n")


# --- robustness -----------------------------------------------------------------------------------

def _never_crashes(module, text: str) -> None:
    relpath = module.EXTRACTOR.filenames[0].replace("*", "")
    try:
        deps = module.EXTRACTOR.extract(relpath, text)
    except ParseError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    assert isinstance(deps, list) and all(isinstance(d, Dependency) for d in deps)
    if module.EXTRACTOR.includes:
        assert all(isinstance(p, str) and not p.startswith(("/", "../")) for p in module.EXTRACTOR.includes(relpath, text))


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__.rsplit(".", 1)[-1])
@settings(max_examples=200, deadline=None)
@given(text=st.text())
def test_arbitrary_text_parses_or_raises_parse_error(module, text):
    _never_crashes(module, text)


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__.rsplit(".", 1)[-1])
@settings(max_examples=200, deadline=None)
@given(data=st.binary())
def test_arbitrary_bytes_parse_or_raise_parse_error(module, data):
    _never_crashes(module, data.decode("utf-8", errors="replace"))


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__.rsplit(".", 1)[-1])
@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_mutated_fixture_parses_or_raises_parse_error(module, data):
    """Fixture text with a slice replaced: near-valid input reaches the type checks, not just the parser."""
    name = {conda_env: "environment.yml", requirements_txt: "requirements.txt"}.get(
        module, module.EXTRACTOR.filenames[0])
    text = (FIXTURES / name).read_text(encoding="utf-8")
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, min(len(text), start + 40)))
    _never_crashes(module, text[:start] + data.draw(st.text(max_size=20)) + text[end:])


KEYS = st.sampled_from([
    "project", "dependencies", "optional-dependencies", "dependency-groups", "include-group", "tool", "poetry",
    "group", "dev-dependencies", "extras", "optional", "version", "pdm", "uv", "packages", "dev-packages", "source",
    "requires", "_meta", "default", "develop", "package", "name", "groups", "category", "metadata", "editable",
    "virtual", ".", "pip", "python", "openai",
])
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12) | KEYS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS | st.text(max_size=5), inner, max_size=5),
    max_leaves=30,
)
LOADERS = {pyproject_toml: "load_toml", pipfile: "load_toml", poetry_lock: "load_toml", uv_lock: "load_toml",
           pipfile_lock: "load_json", conda_env: "load_yaml"}


@pytest.mark.slow  # a property test over every parser: about 30 s in all
@pytest.mark.parametrize("module", list(LOADERS), ids=lambda m: m.__name__.rsplit(".", 1)[-1])
@settings(max_examples=300, deadline=None)
@given(draw=st.data())
def test_wrong_value_types_raise_parse_error(module, draw):
    """Any decoded structure, as if the file parsed to it: the type checks catch every wrong shape."""
    tables = st.dictionaries(KEYS, VALUES, max_size=6)
    data = draw.draw(tables if LOADERS[module] == "load_toml" else tables | VALUES)  # TOML's top is a table
    with patch.object(module, LOADERS[module], lambda text: data):
        _never_crashes(module, "[x]\nname = 'openai'\n")
