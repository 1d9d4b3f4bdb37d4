"""The light pass: files in contexts that do not decide the verdict (tests, examples, docs by default:
whatever ``decisive-contexts`` leaves out) are read line by line instead of parsed, and each file's
evidence is recorded once per kind and detail (``first_of_each``).

Only the lines holding a catalog keyword are read (``text.keyword_lines``, one pass over the file). On
each of them: what the text detector finds (model ids, API hosts, key variable names) and, in
JavaScript/TypeScript and Python, the imports written on that line (``import ... from "pkg"``,
``require("pkg")``, ``import("pkg")``, ``import "pkg"``; Python ``import pkg`` and ``from pkg import
name``), attributed as the parsers attribute them. Clients, endpoints passed to constructors and
everything else that needs the token stream or the syntax tree are not looked for. Only a line that
adds something new is redacted into a snippet. The evidence keeps its file's context, so it is still
reported where it was found; it never decides the verdict, which is why the parser can be spared (a
test file costs its keyword lines, not a lexer run). When a user makes tests decisive
(``decisive-contexts``), test files get the full pass again (``scanning/analysis.py`` decides).
"""

from __future__ import annotations

import re
from typing import Iterable, List, Optional, Sequence, Set, Tuple

from provider_audit.data.catalog import Attribution, Catalog
from provider_audit.detectors.literals import Hit, evidence_from_hit
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

Key = Tuple[str, Optional[str], Optional[str], str, Optional[str]]


def key(e: Evidence) -> Key:
    """What makes two pieces of a file's evidence the same for the light pass."""
    return e.kind, e.provider, e.layer, e.detail, e.model


def first_of_each(evidence: Tuple[Evidence, ...]) -> Tuple[Evidence, ...]:
    """The evidence of one file with each ``key`` once: its first occurrence (order kept)."""
    seen: Set[Key] = set()
    kept = [e for e in evidence if not (key(e) in seen or seen.add(key(e)))]
    return tuple(kept) if len(kept) < len(evidence) else evidence


def detect(path: str, text: str, context: str, catalog: Catalog, lowered: Optional[str] = None,
           ends: Optional[Sequence[int]] = None) -> FileReport:
    """Evidence from the keyword lines of ``text``, each kind and detail once (see the module).
    ``lowered`` and ``ends``: ``text.lower()`` and where its keywords end, if the caller knows."""
    name = path.lower()
    python = name.endswith(PYTHON_EXTENSIONS)
    source = python or name.endswith(JS_EXTENSIONS)
    # Hits read from code keep the confidence a parser gives them; from other text, "medium" (as the
    # text detector says).
    confidence = None if source else "medium"
    evidence: List[Evidence] = []
    seen: Set[Key] = set()
    for number, line in keyword_lines(text, catalog, lowered, ends):
        found: List[Evidence] = []
        if source and not line.lstrip().startswith(_COMMENT_STARTS):
            for column, attribution, detail in (_python_imports(line, catalog) if python else _js_imports(line, catalog)):
                found.append(Evidence(
                    "import", path, number, column, context, attribution.provider, attribution.vendor,
                    attribution.layer, detail=detail, confidence="low" if attribution.confidence == "low" else "high",
                    **client_facts("import", detail)))
        new = _unseen(found, seen) if found else found
        new_hits = []
        for hit, column in line_hits(line, catalog):
            k = hit_key(hit)
            if k not in seen:  # evidence is made only for what is new: a file repeats its lines
                seen.add(k)
                new_hits.append((hit, column))
        if new or new_hits:
            snippet = redact(line)
            evidence.extend(e.but(snippet=snippet) for e in new)
            evidence.extend(evidence_from_hit(hit, path, number, column, context, snippet, confidence)
                            for hit, column in new_hits)
    return FileReport(tuple(evidence))


def hit_key(hit: Hit) -> Key:
    """``key`` of the evidence ``evidence_from_hit`` makes of ``hit``, without making it."""
    if hit.model is not None:
        return "model-id", hit.model.provider, None, hit.detail, hit.model.model
    assert hit.attribution is not None
    return hit.kind, hit.attribution.provider, hit.attribution.layer, hit.detail, None


def _unseen(found: Iterable[Evidence], seen: Set[Key]) -> List[Evidence]:
    new = []
    for e in found:
        k = key(e)
        if k not in seen:
            seen.add(k)
            new.append(e)
    return new


def _js_imports(line: str, catalog: Catalog) -> List[tuple]:
    found: List[tuple] = []
    if "import" not in line and "from" not in line and "require" not in line:  # what _JS_IMPORT_RE needs
        return found
    for match in _JS_IMPORT_RE.finditer(line):
        from provider_audit.detectors.js_ts import npm_package  # the parser's reading of a specifier

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
