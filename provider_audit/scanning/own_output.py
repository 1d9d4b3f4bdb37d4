"""The tool's own output is state, not evidence.

A baseline or a report that provider-audit wrote names providers, API-key variables and model ids on
every line; scanned like any other JSON or Markdown file it would report the repository's findings a
second time, and a baseline would make itself "new". Files named as state (``--baseline``, the
``baseline`` key, ``.provider-audit-baseline.json`` at the root, ``--write-baseline``, ``-o``) are
excluded by path before the scan (``api.state_excludes``). This module recognises the others, such as
a SARIF file an earlier CI step wrote, by their content: the exact shape the tool writes, not a
mention of its name, so an application's own configuration is still read.

| what | recognised by |
| --- | --- |
| baseline | a JSON object of exactly ``schema_version``, ``tool`` (name provider-audit) and ``findings`` (a list) |
| JSON report | ``schema_version``, ``tool`` (name provider-audit), ``summary``, ``lock_in`` and ``usages`` |
| SARIF | ``version`` 2.1.0 and every run's ``tool.driver.name`` is provider-audit |
| Markdown | first line ``## provider-audit: `VERDICT```, last line the ``<sub>provider-audit ...</sub>`` footer |
"""

from __future__ import annotations

import json
import re
from typing import Any

TOOL = "provider-audit"
HEAD = 4096  # the tool's name appears in the first lines of each of its JSON documents
_MARKDOWN_FIRST = re.compile(r"## provider-audit: `[A-Z-]+`")
_MARKDOWN_LAST = re.compile(r"<sub>provider-audit [^<>\n]{1,40}</sub>|_The report is too large for a GitHub summary; "
                            r"`--format json` has everything\._")


def is_own_output(rel: str, text: str) -> bool:
    """Whether the file ``rel`` holding ``text`` is a baseline or a report provider-audit wrote."""
    name = rel.rsplit("/", 1)[-1].lower()
    if name.endswith((".json", ".sarif")):
        return _own_json(text)
    if name.endswith((".md", ".markdown")):
        return _own_markdown(text)
    return False


def _tool(value: Any) -> bool:
    return isinstance(value, dict) and value.get("name") == TOOL


def _own_json(text: str) -> bool:
    head = text[:HEAD].lstrip()
    if not head.startswith("{") or f'"{TOOL}"' not in head:
        return False
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        return False
    if not isinstance(document, dict):
        return False
    keys = set(document)
    if isinstance(document.get("schema_version"), int) and _tool(document.get("tool")):
        baseline = keys == {"schema_version", "tool", "findings"} and isinstance(document["findings"], list)
        return baseline or {"summary", "lock_in", "usages"} <= keys
    runs = document.get("runs")
    return (document.get("version") == "2.1.0" and isinstance(runs, list) and bool(runs)
            and all(isinstance(run, dict) and isinstance(run.get("tool"), dict) and _tool(run["tool"].get("driver"))
                    for run in runs))


def _own_markdown(text: str) -> bool:
    lines = text.strip().splitlines()
    return bool(lines) and bool(_MARKDOWN_FIRST.fullmatch(lines[0].strip())) \
        and bool(_MARKDOWN_LAST.fullmatch(lines[-1].strip()))
