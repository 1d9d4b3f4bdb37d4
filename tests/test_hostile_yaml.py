"""Hostile input, round 2 (issue 15): YAML the scan reads as evidence (pnpm-lock.yaml, yarn berry's
yarn.lock, conda environment files; compose files and Helm values are read line by line).

Anchors and aliases are legal there and a hand-written file may use a few, so they are not refused:
each file may reach at most ``ALIAS_NODE_LIMIT`` nodes through its aliases (counted as the document is
composed, before anything is constructed or walked); past that it is skipped with one line and the
scan goes on. A recursive alias is refused. Attacks run in a child process with a time and an
address-space limit (``tests/hostile/run.py``).
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any, List

import pytest

from provider_audit.extractors import _lines, conda_env, pnpm_lock, yarn_lock
from provider_audit.extractors._lines import yaml_documents
from provider_audit.extractors.base import ParseError

from conftest import TESTS

sys.path.insert(0, str(TESTS / "hostile"))
from run import run_cli  # noqa: E402

ALIAS_NODE_LIMIT = getattr(_lines, "ALIAS_NODE_LIMIT", 10_000)
APP = "import openai\nclient = openai.OpenAI()\n"


def _levels(prefix: str = "a", levels: int = 9) -> List[str]:
    """``prefix0`` .. ``prefix8``: nine anchored lists, each nine aliases of the one before (9**9 strings)."""
    lines = [f'{prefix}0: &{prefix}0 ["openai-xx","x","x","x","x","x","x","x","x"]']
    lines += [f"{prefix}{i}: &{prefix}{i} [" + ",".join([f"*{prefix}{i - 1}"] * 9) + "]" for i in range(1, levels)]
    return lines


def _exponential_pnpm() -> str:
    """442 bytes; before: ``str(lockfileVersion)`` took 44 s and 2.5 GB, then a MemoryError."""
    return "\n".join(_levels()) + "\nlockfileVersion: *a8\n"


def _quadratic_pnpm(n: int = 1500) -> str:
    """n importers sharing one project of n dependencies: n*n dependencies from ~30 KB."""
    deps = "".join(f"      dep{i}: 1.0.0\n" for i in range(n - 1))
    others = "".join(f"  p{i}: *p\n" for i in range(1, n))
    return (f"lockfileVersion: '6.0'\nimporters:\n  p0: &p\n    dependencies:\n      openai: 4.0.0\n{deps}"
            f"{others}")


def _quadratic_conda(n: int = 1000) -> str:
    """n ``pip:`` lists aliasing one list of n requirements."""
    reqs = "".join(f"      - pkg{i}==1.0\n" for i in range(n - 1))
    return ("dependencies:\n  - pip: &p\n      - openai==1.0\n" + reqs
            + "".join("  - pip: *p\n" for _ in range(n - 1)))


def _exponential_yarn() -> str:
    return ('__metadata:\n  version: 6\n' + "\n".join(_levels())
            + '\n"openai@npm:4.0.0":\n  resolution: "openai@npm:4.0.0"\n  version: *a8\n')


def _exponential_line_read() -> str:
    """The same bomb in a file the config detector reads line by line, with evidence of its own."""
    return "services:\n  app:\n    environment:\n      OPENAI_API_KEY: ${OPENAI_API_KEY}\n" + "\n".join(_levels("x")) + "\n"


BOMBS = [  # file name, body, skipped (True: a parsed format, skipped with a note; False: read line by line)
    ("pnpm-lock.yaml", _exponential_pnpm(), True),
    ("pnpm-lock.yaml", _quadratic_pnpm(), True),
    ("environment.yml", _quadratic_conda(), True),
    ("environment.yml", "\n".join(_levels()) + "\ndependencies: [openai, *a8]\n", True),
    ("yarn.lock", _exponential_yarn(), True),
    ("compose.yaml", _exponential_line_read(), False),
    ("docker-compose.yml", _exponential_line_read(), False),
    ("values.yaml", _exponential_line_read(), False),
]


@pytest.mark.parametrize("name, body, skipped", BOMBS,
                         ids=["pnpm-exponential", "pnpm-quadratic", "conda-quadratic", "conda-exponential",
                              "yarn-exponential", "compose", "docker-compose", "helm-values"])
def test_alias_bomb_in_scanned_yaml_is_skipped_and_the_scan_goes_on(tmp_path, name, body, skipped):
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "app.py").write_text(APP)
    (repo / name).write_text(body)
    assert len(body) < 64 * 1024
    out = tmp_path / "report.json"
    args = ["--no-git", "--isolated", "--no-cache", "--format", "json", "--exit-zero", "-j", "1"]
    run = run_cli([repo, *args, "-o", out], timeout=30, memory=1 << 30)
    assert run.code == 0, (run.code, run.stderr[-800:])
    # Against the same command on the app alone: a child's peak RSS starts at its parent's (pytest's).
    (tmp_path / "alone").mkdir()
    (tmp_path / "alone" / "app.py").write_text(APP)
    base = run_cli([tmp_path / "alone", *args, "-o", tmp_path / "alone.json"], timeout=30)
    assert base.code == 0, base.stderr[-500:]
    assert run.peak_kib - base.peak_kib < 50 * 1024, f"{(run.peak_kib - base.peak_kib) // 1024} MB more"
    report = json.loads(out.read_text())
    assert {"app.py"} <= {u["path"] for u in report["usages"]}, "the other files' evidence is still reported"
    reasons = {s["path"]: s["reason"] for s in report["skipped"]}
    if skipped:
        assert name in reasons and "alias" in reasons[name] and "\n" not in reasons[name], reasons
        assert not [u for u in report["usages"] if u["path"] == name]
    else:
        assert name not in reasons, reasons
        assert [u for u in report["usages"] if u["path"] == name], "the line reader still finds its evidence"


def test_compose_file_with_anchors_is_still_read(tmp_path):
    (tmp_path / "compose.yaml").write_text(
        "x-common: &common\n  environment:\n    OPENAI_BASE_URL: https://api.openai.com/v1\n  restart: always\n"
        "services:\n  api:\n    <<: *common\n    image: app\n  worker:\n    <<: *common\n    image: worker\n")
    run = run_cli([tmp_path, "--no-git", "--isolated", "--no-cache", "--format", "json", "--exit-zero"], timeout=60)
    assert run.code == 0, run.stderr
    report = json.loads(run.stdout)
    assert [u for u in report["usages"] if u["path"] == "compose.yaml"], report["usages"]
    assert not report["skipped"], report["skipped"]


# ------------------------------------------------------------------ the parsed formats with a few legitimate anchors


def test_pnpm_lock_with_a_few_anchors_is_read():
    text = ("lockfileVersion: '6.0'\nimporters:\n  .:\n    dependencies: &deps\n      openai:\n"
            "        specifier: ^4.0.0\n        version: 4.0.0\n  packages/web:\n    dependencies: *deps\n"
            "packages:\n  /openai@4.0.0:\n    resolution: {integrity: sha512-x}\n")
    deps = pnpm_lock.extract("pnpm-lock.yaml", text)
    assert [(d.name, d.version, d.line) for d in deps] == [("openai", "4.0.0", 5), ("openai", "4.0.0", 9)]


def test_conda_env_with_a_few_anchors_is_read():
    text = "x-pins: &pins\n  - openai==1.2.0\ndependencies:\n  - python=3.11\n  - anthropic=0.30\n  - pip: *pins\n"
    deps = conda_env.extract("environment.yml", text)
    assert [(d.name, d.version) for d in deps] == [("anthropic", None), ("openai", "1.2.0")]


def test_yarn_berry_lock_with_an_anchor_is_read():
    text = ('__metadata:\n  version: 6\n"openai@npm:^4.0.0":\n  resolution: "openai@npm:4.0.0"\n'
            '  version: 4.0.0\n  dependencies: &d\n    node-fetch: "npm:^2.6.7"\n'
            '"anthropic@npm:^0.30.0":\n  resolution: "@anthropic-ai/sdk@npm:0.30.0"\n  version: 0.30.0\n'
            '  dependencies: *d\n')
    assert [d.name for d in yarn_lock.extract("yarn.lock", text)] == ["openai", "@anthropic-ai/sdk"]


# ------------------------------------------------------------------ the bound itself


def _expanded(value: Any, depth: int = 0) -> int:
    """The size of ``value`` walked naively (every alias expanded), as any consumer could walk it."""
    assert depth < 200, "a cycle"
    if isinstance(value, dict):
        return 1 + sum(_expanded(k, depth + 1) + _expanded(v, depth + 1) for k, v in value.items())
    if isinstance(value, list):
        return 1 + sum(_expanded(v, depth + 1) for v in value)
    return 1


def _bomb(width: int, levels: int) -> str:
    lines = ["a0: &a0 [" + ",".join(["x"] * width) + "]"]
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * width) + "]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("width, levels", [(2, 5), (3, 6), (9, 3), (9, 4), (10, 4), (2, 14), (2, 20), (100, 3)])
def test_whatever_is_accepted_expands_to_a_bounded_size(width, levels):
    """Either refused, or small enough that a naive walk of the value is bounded by the limit."""
    text = _bomb(width, levels)
    sizes = [1 + width]  # the expanded size of each anchored list
    for _ in range(1, levels):
        sizes.append(1 + width * sizes[-1])
    through_aliases = sum(width * size for size in sizes[:-1])
    written = 1 + levels * (2 + width)  # the root, and per line a key, a list and its items
    try:
        documents = yaml_documents(text)
    except ParseError as exc:
        assert "alias" in str(exc)
        assert through_aliases > ALIAS_NODE_LIMIT  # refused only past the limit
        return
    assert through_aliases <= ALIAS_NODE_LIMIT
    assert sum(_expanded(data) for data, _ in documents) <= ALIAS_NODE_LIMIT + written


def test_the_limit_counts_merge_keys():
    """``<<: [*a, *a, ...]`` flattens the merged mappings' pairs into the node: old PyYAML versions
    (allowed by ``pyyaml>=6.0``) grow that list exponentially. Counted like any alias."""
    lines = ["k0: &a0 {" + ", ".join(f"x{j}: v" for j in range(9)) + "}"]
    lines += [f"k{i}: &a{i} {{<<: [" + ", ".join([f"*a{i - 1}"] * 9) + "]}" for i in range(1, 9)]
    with pytest.raises(ParseError, match="alias"):
        yaml_documents("\n".join(lines) + "\n")


@pytest.mark.parametrize("text", ["a: &a [*a]\n", "a: &a {b: *a}\n", "a: &a [1, [2, *a]]\n"])
def test_recursive_aliases_are_refused(text):
    """A value that contains itself sends any walker round for ever."""
    with pytest.raises(ParseError, match="alias"):
        yaml_documents(text)


def test_conda_reads_through_the_bounded_loader():
    with pytest.raises(ParseError, match="alias"):
        conda_env.extract("environment.yml", "a: &a [*a]\ndependencies: [openai]\n")
    with pytest.raises(ParseError, match="alias"):
        conda_env.extract("environment.yml", _quadratic_conda(200))


def test_the_limit_message_is_one_clear_line():
    with pytest.raises(ParseError) as caught:
        yaml_documents(_bomb(9, 9))
    message = str(caught.value)
    assert "\n" not in message and f"{ALIAS_NODE_LIMIT:,}" in message and "alias" in message, message


@pytest.mark.slow
def test_a_dense_conda_environment_is_read_in_linear_time():
    """2 MB of conda entries took 45-60 s here (a regex compiled, and the text counted from its start, per
    entry): quadratic. Now a few seconds; the bound is generous for a loaded machine."""
    body = "dependencies:\n" + "".join(f"  - pkg{i}=1.0\n" for i in range(130000)) + "  - openai=1.0\n"
    start = time.perf_counter()
    deps = conda_env.extract("environment.yml", body)
    assert time.perf_counter() - start < 25
    assert (deps[-1].name, deps[-1].line) == ("openai", 130002) and len(deps) == 130001
