#!/usr/bin/env python3
"""Regenerate ``rules/sdk_constants.yaml`` from git checkouts of the SDKs (maintainer tool, not run by the scan).

    python scripts/sdk_constants.py --repo go-openai=/path/to/go-openai.git [--repo ...] [--check]

Each ``--repo`` names an SDK id of ``SDKS`` below and a git directory (bare or not) holding its history with
tags. The constants are read from every tag and from HEAD, oldest first, so a constant that a later release
removed (``anthropic.ModelClaude3OpusLatest``) is still listed: old code keeps using it, and those are the
ids most likely to be retired. When a later revision gives a name another value, the later value wins.

What is read (text only; nothing of the SDK is imported or run):

* Go: string constants ``Name [Type] = "value"`` of the module's non-test packages (``examples/`` and
  ``internal/`` left out). A Go module's constants are listed flat under the module path: the detector
  accepts them after any package of the module (``openai.ChatModelGPT4o``, ``shared.ChatModelGPT4o``).
  A name that two packages give different values at the same revision is dropped.
* JVM: Java enum constants ``NAME("value")``, Kotlin ``val NAME = of("value")`` (the Stainless SDKs) and
  ``static final String NAME = "value"``, listed under the fully qualified class that declares them
  (nested classes joined with ``.``; a Kotlin ``companion object`` belongs to its class).

Only values that the provider catalog reads as model ids (``Catalog.model(value, expected=True)``) are
kept, so enum members such as roles or formats never enter the table. Other SDKs' sections of the file are
kept as they are; ``--check`` reports the difference without writing.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Tuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from provider_audit._compat import safe_load_yaml  # noqa: E402
from provider_audit.data.catalog import load_catalog_file  # noqa: E402

TABLE = ROOT / "rules" / "sdk_constants.yaml"

# id -> language, repository URL, owner (Go: module path without /vN), files to read (regex on the path).
SDKS: Dict[str, Dict[str, str]] = {
    "go-openai": {"language": "go", "url": "https://github.com/sashabaranov/go-openai",
                  "owner": "github.com/sashabaranov/go-openai", "files": r"^[^/]+\.go$"},
    "openai-go": {"language": "go", "url": "https://github.com/openai/openai-go",
                  "owner": "github.com/openai/openai-go", "files": r"^(?:[\w-]+/)?[\w-]+\.go$"},
    "anthropic-sdk-go": {"language": "go", "url": "https://github.com/anthropics/anthropic-sdk-go",
                         "owner": "github.com/anthropics/anthropic-sdk-go", "files": r"^(?:[\w-]+/)?[\w-]+\.go$"},
    "go-anthropic": {"language": "go", "url": "https://github.com/liushuangls/go-anthropic",
                     "owner": "github.com/liushuangls/go-anthropic", "files": r"^[^/]+\.go$"},
    "openai-java": {"language": "jvm", "url": "https://github.com/openai/openai-java",
                    "files": r"^openai-java-core/src/main/kotlin/com/openai/models/(?:\w+/)?\w*Model\.kt$"},
    "anthropic-java": {"language": "jvm", "url": "https://github.com/anthropics/anthropic-sdk-java",
                       "files": r"^anthropic-java-core/src/main/kotlin/com/anthropic/models/(?:\w+/)?Model\.kt$"},
    "langchain4j": {"language": "jvm", "url": "https://github.com/langchain4j/langchain4j",
                    "files": r"^langchain4j-[\w-]+/src/main/java/dev/langchain4j/model/\w+/\w*ModelName\.java$"},
    "spring-ai": {"language": "jvm", "url": "https://github.com/spring-projects/spring-ai",
                  "files": r"^(?:models/)?spring-ai-[\w-]+/src/main/java/org/springframework/ai/[\w/]+/\w+(?:Api|ChatModel|Options)\.java$"},
}

_GO_CONST = re.compile(r'^\s*(?:const\s+)?([A-Z]\w*)\s+(?:[\w.]+\s+)?=\s*"([^"\\]{1,120})"', re.M)
_GO_SKIP = re.compile(r"(?:^|/)(?:examples?|internal|testdata)/|_test\.go$")
_JAVA_ENUM = re.compile(r'^\s*([A-Z][A-Z0-9_]*)\s*\(\s*"([^"\\]{1,120})"')
_KOTLIN_OF = re.compile(r'\bval\s+([A-Z][A-Z0-9_]*)\s*=\s*of\(\s*"([^"\\]{1,120})"\s*\)')
_JAVA_FINAL = re.compile(r'\bstatic\s+final\s+String\s+([A-Z][A-Z0-9_]*)\s*=\s*"([^"\\]{1,120})"\s*;')
_DECLARATION = re.compile(r"\b(?:class|enum|interface|object|record)\s+([A-Za-z_]\w*)")
_PACKAGE = re.compile(r"^\s*package\s+([\w.]+)", re.M)
_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.){1,6}\'')  # strings and char literals ('}')


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout


def revisions(repo: Path) -> List[str]:
    """Every tag, oldest first, then HEAD."""
    tags = [t for t in git(repo, "for-each-ref", "--sort=creatordate", "--format=%(refname:short)", "refs/tags").split()
            if t]
    return tags + ["HEAD"]


def files_at(repo: Path, rev: str, pattern: str) -> List[str]:
    names = git(repo, "ls-tree", "-r", "--name-only", rev).splitlines()
    wanted = re.compile(pattern)
    return [n for n in names if wanted.search(n)]


def read_blobs(repo: Path, specs: List[str]) -> List[str]:
    """The text of ``rev:path`` for each spec, through one ``git cat-file --batch``."""
    if not specs:
        return []
    out = subprocess.run(["git", "-C", str(repo), "cat-file", "--batch"], input=("\n".join(specs) + "\n").encode(),
                         check=True, capture_output=True).stdout
    texts, at = [], 0
    for _ in specs:
        end = out.index(b"\n", at)
        header = out[at:end].split()
        at = end + 1
        if len(header) < 3 or header[1] != b"blob":
            texts.append("")
            continue
        size = int(header[2])
        texts.append(out[at:at + size].decode("utf-8", "replace"))
        at += size + 1
    return texts


def go_constants(path_texts: Iterable[Tuple[str, str]]) -> Dict[str, str]:
    found: Dict[str, str] = {}
    clashes = set()
    for path, text in path_texts:
        if _GO_SKIP.search(path):
            continue
        for name, value in _GO_CONST.findall(text):
            if found.get(name, value) != value:
                clashes.add(name)
            found[name] = value
    return {k: v for k, v in found.items() if k not in clashes}


def jvm_constants(text: str) -> Dict[str, Dict[str, str]]:
    """Class (fully qualified) -> {constant: value} in one Java or Kotlin file."""
    match = _PACKAGE.search(text)
    package = match.group(1) if match else ""
    out: Dict[str, Dict[str, str]] = {}
    stack: List[Optional[str]] = []  # one entry per open brace: the class it opens, or None
    pending: Optional[str] = None
    in_comment = False
    for raw in text.splitlines():
        line = _STRING.sub('""', raw)
        if in_comment:
            if "*/" not in line:
                continue
            line = line.split("*/", 1)[1]
            in_comment = False
        line = re.sub(r"/\*.*?\*/", "", line).split("//", 1)[0]
        if "/*" in line:
            line, in_comment = line.split("/*", 1)[0], True
        owner = ".".join([package] + [c for c in stack if c])
        for regex in (_JAVA_ENUM, _KOTLIN_OF, _JAVA_FINAL):
            hit = regex.search(raw)
            if hit and any(stack):
                out.setdefault(owner, {})[hit.group(1)] = hit.group(2)
                break
        declared = _DECLARATION.search(line)
        if declared and not re.search(r"\bcompanion\s+object\b", line):
            pending = declared.group(1)
        for ch in line:
            if ch == "{":
                stack.append(pending)
                pending = None
            elif ch == "}" and stack:
                stack.pop()
    return out


def read_sdk(sdk: str, repo: Path) -> Dict[str, Dict[str, str]]:
    spec = SDKS[sdk]
    table: Dict[str, Dict[str, str]] = {}
    for rev in revisions(repo):
        paths = files_at(repo, rev, spec["files"])
        texts = read_blobs(repo, [f"{rev}:{p}" for p in paths])
        if spec["language"] == "go":
            found = {spec["owner"]: go_constants(zip(paths, texts))}
        else:
            found = {}
            for text in texts:
                for owner, constants in jvm_constants(text).items():
                    found.setdefault(owner, {}).update(constants)
        for owner, constants in found.items():
            table.setdefault(owner, {}).update(constants)
    return table


def keep_model_ids(table: Dict[str, Dict[str, str]], catalog) -> Dict[str, Dict[str, str]]:
    out = {}
    for owner, constants in sorted(table.items()):
        kept = {n: v for n, v in sorted(constants.items()) if catalog.model(v, expected=True) is not None}
        if kept:
            out[owner] = kept
    return out


def render(sections: List[dict]) -> str:
    lines = [
        "# SDK constants that stand for model ids (openai.GPT4o, ChatModel.GPT_4O...): see rules/README.md.",
        "# Generated by scripts/sdk_constants.py from the SDKs' own source (every tag and HEAD); edit by rerunning it.",
        "schema_version: 1",
        "sdks:",
    ]
    for s in sections:
        lines += [f"  - id: {s['id']}", f"    language: {s['language']}", f"    source: {s['source']}",
                  f"    checked: {s['checked']}", f"    revision: \"{s['revision']}\"", "    constants:"]
        for owner, constants in s["constants"].items():
            lines.append(f"      {owner}:")
            lines += [f"        {name}: \"{value}\"" for name, value in constants.items()]
    return "\n".join(lines) + "\n"


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", action="append", default=[], metavar="SDK=GITDIR", help="an SDK and its git directory")
    parser.add_argument("--check", action="store_true", help="report what would change; write nothing")
    args = parser.parse_args(argv)
    catalog = load_catalog_file(ROOT / "rules" / "providers.yaml", shipped=True)
    current = safe_load_yaml(TABLE.read_text(encoding="utf-8"), True) if TABLE.is_file() else {"sdks": []}
    sections = {s["id"]: s for s in current.get("sdks", [])}
    for item in args.repo:
        sdk, _, where = item.partition("=")
        if sdk not in SDKS:
            parser.error(f"unknown SDK {sdk!r}; known: {', '.join(SDKS)}")
        repo = Path(where)
        head = git(repo, "rev-parse", "--short", "HEAD").strip()
        tags = len(revisions(repo)) - 1
        constants = keep_model_ids(read_sdk(sdk, repo), catalog)
        sections[sdk] = {"id": sdk, "language": SDKS[sdk]["language"], "source": SDKS[sdk]["url"],
                         "checked": date.today().isoformat(), "revision": f"HEAD {head} and {tags} tags",
                         "constants": constants}
        print(f"{sdk}: {sum(len(c) for c in constants.values())} constants in {len(constants)} owner(s)", file=sys.stderr)
    order = [s for s in SDKS if s in sections] + [s for s in sections if s not in SDKS]
    text = render([sections[s] for s in order])
    if args.check:
        same = TABLE.is_file() and TABLE.read_text(encoding="utf-8") == text
        print("up to date" if same else f"{TABLE} would change", file=sys.stderr)
        return 0 if same else 1
    TABLE.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
