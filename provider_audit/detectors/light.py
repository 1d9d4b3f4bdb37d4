"""The light pass: JavaScript/TypeScript and Python files in contexts that do not decide the verdict
(tests, examples, docs by default: whatever ``decisive-contexts`` leaves out), read line by line
instead of parsed.

Only the lines holding a catalog keyword are read (``text.keyword_lines``, one pass over the file). On
each of them: what the text detector finds (model ids, API hosts, key variable names), plus the
imports written on that line (``import ... from "pkg"``, ``require("pkg")``, ``import("pkg")``,
``import "pkg"``; Python ``import pkg`` and ``from pkg import name``), attributed as the parsers
attribute them. Clients, endpoints passed to constructors and everything else that needs the
token stream or the syntax tree are not looked for. The evidence keeps its file's context, so it is
still reported where it was found; it never decides the verdict, which is why the parser can be
spared (a test file costs its keyword lines, not a lexer run). When a user makes tests decisive
(``decisive-contexts``), test files get the full pass again (``scanning/analysis.py`` decides).
"""

from __future__ import annotations

import re
from typing import List, Optional

from provider_audit.data.catalog import Attribution, Catalog
from provider_audit.detectors.literals import evidence_from_hit
from provider_audit.detectors.text import keyword_lines, line_hits
from provider_audit.models import Evidence, FileReport, client_facts
from provider_audit.redact import redact

# Module specifiers in JavaScript and TypeScript: after ``from``, ``require(``, ``import(`` or a bare
# ``import`` (side-effect imports, ``export ... from``). Bounded: one quoted run of at most 300 characters.
_JS_IMPORT_RE = re.compile(r"(?:\bfrom|\brequire\s*\(|\bimport\s*\(|\bimport)\s*([\"'])([^\"'\n\\]{1,300})\1")
# Python: ``import a.b as c, d`` and ``from a.b import (x as y, z``; the rest of the line is split by hand.
_PY_IMPORT_RE = re.compile(r"^(\s*)import\s+([\w.]+(?:\s+as\s+\w+)?(?:\s*,\s*[\w.]+(?:\s+as\s+\w+)?)*)")
_PY_FROM_RE = re.compile(r"^(\s*)from\s+([\w.]+)\s+import\s+\(?\s*([\w\s,]*)")
_COMMENT_STARTS = ("//", "/*", "*", "#", "<!--")

JS_EXTENSIONS = (".js", ".mjs", ".cjs", ".jsx", ".ts", ".tsx", ".mts", ".cts", ".vue", ".svelte", ".astro")
PYTHON_EXTENSIONS = (".py", ".pyi", ".pyw")
EXTENSIONS = frozenset(JS_EXTENSIONS + PYTHON_EXTENSIONS)


def supports(path: str) -> bool:
    """Whether the light pass can read this file (its imports are recognised line by line)."""
    base = path.rsplit("/", 1)[-1].lower()
    return "." in base and "." + base.rsplit(".", 1)[-1] in EXTENSIONS


def detect(path: str, text: str, context: str, catalog: Catalog) -> FileReport:
    """Evidence from the keyword lines of ``text``: the text detector's hits and the imports."""
    python = path.lower().endswith(PYTHON_EXTENSIONS)
    evidence: List[Evidence] = []
    for number, line in keyword_lines(text, catalog):
        imports = () if line.lstrip().startswith(_COMMENT_STARTS) else (
            _python_imports(line, catalog) if python else _js_imports(line, catalog))
        hits = line_hits(line, catalog)
        if not (imports or hits):
            continue
        snippet = redact(line)
        for column, attribution, detail in imports:
            evidence.append(Evidence(
                "import", path, number, column, context, attribution.provider, attribution.vendor,
                attribution.layer, detail=detail, confidence="low" if attribution.confidence == "low" else "high",
                snippet=snippet, **client_facts("import", detail)))
        for hit, column in hits:
            evidence.append(evidence_from_hit(hit, path, number, column, context, snippet))
    return FileReport(tuple(evidence))


def _js_imports(line: str, catalog: Catalog) -> List[tuple]:
    from provider_audit.detectors.js_ts import npm_package  # the parser's own reading of a specifier

    found = []
    for match in _JS_IMPORT_RE.finditer(line):
        package = npm_package(match.group(2))
        attribution = catalog.package("npm", package) if package else None
        if attribution is not None:
            found.append((match.start(1) + 1, attribution, package))
    return found


def _python_imports(line: str, catalog: Catalog) -> List[tuple]:
    match = _PY_FROM_RE.match(line)
    if match:
        module = match.group(2)
        column = len(match.group(1)) + 1
        if module.startswith("."):
            return []
        # ``from google import genai`` names a provider module that ``google`` alone does not.
        for name in match.group(3).replace("(", " ").split(","):
            words = name.split()
            if words:
                full = f"{module}.{words[0]}"
                attribution = catalog.python_module(full)
                if attribution is not None:
                    return [(column, attribution, full)]
        attribution = catalog.python_module(module)
        return [(column, attribution, module)] if attribution is not None else []
    match = _PY_IMPORT_RE.match(line)
    if not match:
        return []
    found = []
    column = len(match.group(1)) + 1
    for part in match.group(2).split(","):
        module = part.split()[0]
        attribution: Optional[Attribution] = catalog.python_module(module)
        if attribution is not None:
            found.append((column, attribution, module))
    return found
