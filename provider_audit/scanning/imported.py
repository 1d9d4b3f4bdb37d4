"""One hop across JavaScript/TypeScript files: ``model: MODEL`` where ``MODEL`` is imported from a file of
the project (``import { MODEL } from "./config"``).

The detector sees one file at a time (and its result is cached by that file's bytes), so it records a
reference (``models.imported_reference``); after every file is read, the scan resolves each reference
here: it reads the target (``./config`` as ``config.ts``, ``config.js``... or ``config/index.ts``, only
below the scan root, with the scan's size cap, never following a link), finds
``export const MODEL = "..."`` (``let``/``var``, an optional type annotation), and when the catalog reads
the value as a model id, the reference becomes model-id evidence at the use site, where the client call
sends it. Anything else (no such export, not a string, not a model id, an unreadable file) drops the
reference. Only one hop: a re-export (``export { MODEL } from "./models"``) is not followed.
"""

from __future__ import annotations

from itertools import compress
from pathlib import Path
from typing import Dict, Iterable, List, Optional

from provider_audit.data.catalog import Catalog
from provider_audit.models import IMPORTED_PREFIX, Evidence, is_imported_reference

EXTENSIONS = ("", ".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".cts",
              "/index.ts", "/index.tsx", "/index.js", "/index.mjs")


def resolve_imported_models(root: Path, evidence: List[Evidence], catalog: Catalog, max_file_size: int,
                            exports: Optional[Dict[str, Dict[str, str]]] = None) -> List[Evidence]:
    """``evidence`` with every imported reference replaced by the model id it names, or dropped.
    ``exports``: each target file's string exports, as far as ``read_exports`` has read them already."""
    if not any(map(is_imported_reference, evidence)):
        return evidence
    exports = read_exports(root, evidence, max_file_size, exports)
    out = []
    for e in evidence:
        if not is_imported_reference(e):
            out.append(e)
            continue
        target, _, name = e.detail[len(IMPORTED_PREFIX):].rpartition("#")
        value = exports[target].get(name)
        match = catalog.model(value, expected=True) if value else None
        if match is not None:
            out.append(e.but(detail=value, model=match.model, model_vendor=match.vendor, provider=match.provider,
                             confidence="medium" if match.ambiguous else e.confidence))
    return out


def read_exports(root: Path, evidence: Iterable[Evidence], max_file_size: int,
                 exports: Optional[Dict[str, Dict[str, str]]] = None) -> Dict[str, Dict[str, str]]:
    """``exports`` (a new dictionary if None) with the string exports of every file an imported reference
    in ``evidence`` names: a pooled scan reads them while the workers go on."""
    exports = {} if exports is None else exports
    for e in evidence:
        if is_imported_reference(e):
            target = e.detail[len(IMPORTED_PREFIX):].rpartition("#")[0]
            if target not in exports:
                exports[target] = _exports(root, target, max_file_size)
    return exports


def _exports(root: Path, target: str, max_file_size: int) -> Dict[str, str]:
    from provider_audit.scanning.analysis import read_bytes  # analysis imports the scan's modules

    text = None
    base = root.resolve()
    for ext in EXTENSIONS:
        path = root / (target + ext)
        try:
            if not path.is_file() or path.is_symlink() or base not in path.resolve().parents:
                continue
        except OSError:
            continue
        data, _ = read_bytes(path, max_file_size)
        if data is not None:
            text = data.decode("utf-8", "replace")
            break
    return _string_exports(text) if text else {}


def _string_exports(text: str) -> Dict[str, str]:
    """``export const NAME[: T] = "value"`` at the top of a module: NAME -> value."""
    # Loaded only when a reference needs them: a scan without JS/TS imports no detector it does not use.
    from provider_audit.detectors.js_ts import SPEC
    from provider_audit.detectors.tokenizer import ID, OP, STR, lex

    toks = lex(text, SPEC)
    kinds, values = toks.kinds, toks.values
    found: Dict[str, str] = {}
    n = len(kinds)
    for i in compress(range(n), map("export".__eq__, values)):  # the few "export" tokens, found in C
        if kinds[i] != ID or i + 3 >= n:
            continue
        if not (kinds[i + 1] == ID and values[i + 1] in ("const", "let", "var") and kinds[i + 2] == ID):
            continue
        name, k = values[i + 2], i + 3
        if kinds[k] == OP and values[k] == ":":  # a type annotation: skip to the "="
            k = _skip_type(values, k + 1)
        if k + 1 < n and kinds[k] == OP and values[k] == "=" and kinds[k + 1] == STR \
                and not (k + 2 < n and kinds[k + 2] == OP and values[k + 2] in ("+", ".", "[", "?", "??", "||")):
            found.setdefault(name, values[k + 1])
    return found


def _skip_type(values: List[str], k: int) -> int:
    limit = min(len(values), k + 20)
    while k < limit and values[k] not in ("=", ";"):
        k += 1
    return k
