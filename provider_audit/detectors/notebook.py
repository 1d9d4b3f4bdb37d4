"""Jupyter notebooks (``.ipynb``): the code cells, read by the detector of the notebook's language.

Only code cells count: markdown and raw cells are documentation, and outputs are what ran, not code.
nbformat 4 (``cells[].source``) and nbformat 3 (``worksheets[].cells[].input``) are read, with the
source as a list of lines or as one string.

Python notebooks (the default): IPython syntax is neutralised line by line (``%magic``, ``!shell``,
``x = !cmd``, ``?help`` lines become ``pass`` at the same indentation), so line numbers do not move.
Cell magics: cells run as Python under ``%%time``, ``%%timeit``, ``%%capture``, ``%%prun`` and the like
are read without their first line; any other cell magic (``%%bash``, ``%%writefile``, ``%%html``...)
means the cell is not Python and it is skipped. The cells that parse are joined and read by the Python
detector in one go, so an import in one cell and the client built in a later cell are seen together;
a cell that does not parse is read on its own (the Python detector then falls back to text for it and
says so). JavaScript/TypeScript notebooks (Deno, tslab) go to the JS/TS detector the same way; cells
of other kernels are read by the text detector.

Positions: every line of a cell's source is a JSON string in the file. The notebook is parsed by a
small position-keeping JSON reader (after ``json.loads`` has validated it), so each source string's
offset in the raw text is known: the evidence line is the ``.ipynb`` line of that string, and the
column is the column of the opening quote plus the length of the source line's prefix as JSON writes
it (exact for notebooks written by Jupyter; approximate when a tool escaped non-ASCII characters).
The detail is unchanged (attribution keys on it); the snippet is prefixed with ``[cell N]``, N the
1-based position of the cell in the notebook, markdown cells included.
"""

from __future__ import annotations

import bisect
import dataclasses
import json
import re
from json.decoder import scanstring
from typing import Any, Dict, List, Optional, Tuple

from provider_audit.data.catalog import Catalog
from provider_audit.detectors import python_ast, text as text_detector
from provider_audit.models import Evidence, FileReport, Skip
from provider_audit.redact import redact


# Cell magics whose body is Python.
PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug", "memit", "px", "pypy", "python",
                                "python3", "ipython"})
_SHELL_ASSIGNMENT = re.compile(r"^[\w.,\s]+=\s*[!%]\w")
_HELP = re.compile(r"^[\w.]+\?\??$")
_WHITESPACE = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?")


class Located(str):
    """A JSON string value that remembers the offset of its opening quote in the raw text."""

    offset: int = 0


@dataclasses.dataclass
class _Cell:
    number: int  # 1-based position among all cells
    lines: List[str]  # source lines, each without its line break
    origins: List[Tuple[int, str, int]]  # per line: (offset of its JSON string's quote, that string, where the line starts in it)


def detect(path: str, text: str, context: str, catalog: Catalog) -> FileReport:
    try:
        data = json.loads(text)
        root = _Reader(text).read()
    except (ValueError, RecursionError, MemoryError):
        found = text_detector.detect(path, text, context, catalog)
        return FileReport(found.evidence, found.skips + (Skip(path, "notebook is not valid JSON; read as text"),))
    if not isinstance(data, dict):
        found = text_detector.detect(path, text, context, catalog)
        return FileReport(found.evidence, found.skips + (Skip(path, "not a notebook (no JSON object); read as text"),))
    try:
        return _Notebook(path, text, context, catalog, root).run()
    except (RecursionError, MemoryError, ValueError, IndexError, KeyError, TypeError, AttributeError) as exc:
        found = text_detector.detect(path, text, context, catalog)
        return FileReport(found.evidence, found.skips + (
            Skip(path, f"notebook detector failed ({type(exc).__name__}); read as text"),))


class _Reader:
    """A JSON reader that keeps the offsets of strings (``Located``); the input is already known valid."""

    def __init__(self, text: str):
        self.text = text

    def read(self) -> Any:
        value, _ = self.value(_WHITESPACE.match(self.text, 0).end())
        return value

    def value(self, i: int) -> Tuple[Any, int]:
        text = self.text
        c = text[i]
        if c == '"':
            raw, end = scanstring(text, i + 1, True)
            found = Located(raw)
            found.offset = i
            return found, end
        if c == "{":
            out: Dict[str, Any] = {}
            i = _WHITESPACE.match(text, i + 1).end()
            if text[i] == "}":
                return out, i + 1
            while True:
                key, i = scanstring(text, _WHITESPACE.match(text, i).end() + 1, True)
                i = _WHITESPACE.match(text, i).end() + 1  # the colon
                out[key], i = self.value(_WHITESPACE.match(text, i).end())
                i = _WHITESPACE.match(text, i).end()
                if text[i] == "}":
                    return out, i + 1
                i += 1  # the comma
        if c == "[":
            items: List[Any] = []
            i = _WHITESPACE.match(text, i + 1).end()
            if text[i] == "]":
                return items, i + 1
            while True:
                item, i = self.value(_WHITESPACE.match(text, i).end())
                items.append(item)
                i = _WHITESPACE.match(text, i).end()
                if text[i] == "]":
                    return items, i + 1
                i += 1
        for word, value in (("true", True), ("false", False), ("null", None), ("NaN", None),
                            ("Infinity", None), ("-Infinity", None)):
            if text.startswith(word, i):
                return value, i + len(word)
        m = _NUMBER.match(text, i)
        if not m:
            raise ValueError(f"unexpected character at {i}")
        return m.group(0), m.end()


class _Notebook:
    def __init__(self, path: str, text: str, context: str, catalog: Catalog, root: Any):
        self.path = path
        self.text = text
        self.context = context
        self.catalog = catalog
        self.root = root if isinstance(root, dict) else {}
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.skips: List[Skip] = []

    def language(self) -> str:
        metadata = self.root.get("metadata")
        metadata = metadata if isinstance(metadata, dict) else {}
        for key in ("kernelspec", "language_info"):
            info = metadata.get(key)
            if isinstance(info, dict):
                name = info.get("language") or info.get("name")
                if isinstance(name, str) and name:
                    return name.lower()
        return "python"

    def cells(self) -> List[Tuple[int, dict, Any]]:
        """(number, cell, source) of the notebook's code cells."""
        found: List[Tuple[int, dict, Any]] = []
        cells = self.root.get("cells")
        key = "source"
        if not isinstance(cells, list):  # nbformat 3
            cells = []
            key = "input"
            for sheet in self.root.get("worksheets") or ():
                if isinstance(sheet, dict) and isinstance(sheet.get("cells"), list):
                    cells.extend(sheet["cells"])
        for number, cell in enumerate(cells, 1):
            if isinstance(cell, dict) and cell.get("cell_type") == "code":
                found.append((number, cell, cell.get(key)))
        return found

    def split(self, number: int, source: Any) -> Optional[_Cell]:
        """A cell's source lines with the raw-text origin of each."""
        pieces = [source] if isinstance(source, str) else source if isinstance(source, list) else []
        lines: List[str] = []
        origins: List[Tuple[int, str, int]] = []
        pending = ""  # a line continued in the next list item (no line break at the end)
        pending_origin: Optional[Tuple[int, str, int]] = None
        for piece in pieces:
            if not isinstance(piece, str):
                continue
            offset = getattr(piece, "offset", 0)
            position = 0
            for part in piece.splitlines(keepends=True):
                body = part.rstrip("\r\n")
                origin = pending_origin or (offset, piece, position)
                if part != body:  # a complete line
                    lines.append(pending + body)
                    origins.append(origin)
                    pending, pending_origin = "", None
                else:
                    pending, pending_origin = pending + body, origin
                position += len(part)
        if pending or pending_origin:
            lines.append(pending)
            origins.append(pending_origin or (0, "", 0))
        return _Cell(number, lines, origins) if lines else None

    def run(self) -> FileReport:
        language = self.language()
        cells = [c for c in (self.split(n, s) for n, _, s in self.cells()) if c is not None]
        if language.startswith(("python", "ipython")) or language in ("", "pyspark"):
            return self.python(cells)
        if language in ("javascript", "typescript", "js", "ts", "deno"):
            from provider_audit.detectors import js_ts
            return self.joined(cells, js_ts.detect, ".ts" if language in ("typescript", "ts", "deno") else ".js")
        return self.joined(cells, text_detector.detect, "")

    # -- Python ------------------------------------------------------------------------------------

    def python(self, cells: List[_Cell]) -> FileReport:
        good: List[_Cell] = []
        evidence: List[Evidence] = []
        for cell in cells:
            code = self.neutralise(cell)
            if code is None:
                continue
            cell.lines = code
            try:
                compile_ok = _parses("\n".join(code) + "\n")
            except (RecursionError, MemoryError):
                compile_ok = False
            if compile_ok:
                good.append(cell)
            else:
                found = python_ast.detect(self.path, "\n".join(code) + "\n", self.context, self.catalog)
                evidence.extend(self.remap(found.evidence, [cell]))
                self.skips.extend(Skip(self.path, f"cell {cell.number}: {s.reason}") for s in found.skips)
        if good:
            joined = "\n".join(line for cell in good for line in cell.lines) + "\n"
            found = python_ast.detect(self.path, joined, self.context, self.catalog)
            evidence.extend(self.remap(found.evidence, good))
            self.skips.extend(Skip(self.path, s.reason) for s in found.skips)
        return FileReport(tuple(evidence), tuple(self.skips))

    def neutralise(self, cell: _Cell) -> Optional[List[str]]:
        """The cell as plain Python (IPython lines become ``pass``), or None for a non-Python cell magic."""
        lines = list(cell.lines)
        first = next((i for i, line in enumerate(lines) if line.strip()), None)
        if first is not None and lines[first].lstrip().startswith("%%"):
            magic = lines[first].lstrip()[2:].split(None, 1)
            if not magic or magic[0] not in PYTHON_CELL_MAGICS:
                return None
            lines[first] = ""
        out = []
        for line in lines:
            if _is_ipython(line):
                out.append(line[:len(line) - len(line.lstrip())] + "pass")
            else:
                out.append(line)
        return out

    # -- other languages ---------------------------------------------------------------------------

    def joined(self, cells: List[_Cell], detector, extension: str) -> FileReport:
        code = "\n".join(line for cell in cells for line in cell.lines) + "\n"
        found = detector(self.path + extension if extension else self.path, code, self.context, self.catalog)
        evidence = [dataclasses.replace(e, path=self.path) for e in self.remap(found.evidence, cells)]
        self.skips.extend(Skip(self.path, s.reason) for s in found.skips)
        return FileReport(tuple(evidence), tuple(self.skips))

    # -- positions ---------------------------------------------------------------------------------

    def remap(self, evidence, cells: List[_Cell]) -> List[Evidence]:
        """Evidence found in the joined cells, moved to the notebook's own lines and columns."""
        index: List[Tuple[_Cell, int]] = [(cell, k) for cell in cells for k in range(len(cell.lines))]
        out: List[Evidence] = []
        for e in evidence:
            if not 0 < e.line <= len(index):
                continue
            cell, k = index[e.line - 1]
            line, column = self.position(cell, k, e.column)
            snippet = redact(f"[cell {cell.number}] {cell.lines[k].strip()[:2000]}")
            out.append(dataclasses.replace(e, path=self.path, line=line, column=column, snippet=snippet))
        return out

    def position(self, cell: _Cell, k: int, column: int) -> Tuple[int, int]:
        offset, piece, start = cell.origins[k]
        line = bisect.bisect_right(self.starts, offset)
        quote_column = offset - self.starts[line - 1] + 1
        prefix = piece[:start] + cell.lines[k][:max(0, column - 1)]
        return line, quote_column + 1 + _json_length(prefix)


def _json_length(text: str) -> int:
    """How many characters ``text`` takes inside a JSON string, as Jupyter writes it."""
    return len(json.dumps(text, ensure_ascii=False)) - 2


def _parses(code: str) -> bool:
    import ast

    try:
        ast.parse(code)
    except (SyntaxError, ValueError):
        return False
    return True


def _is_ipython(line: str) -> bool:
    """Whether a line is IPython syntax rather than Python (``%run``, ``!pip``, ``x = !ls``, ``obj?``)."""
    stripped = line.strip()
    return bool(stripped) and (stripped.startswith(("%", "!", "?")) or bool(_SHELL_ASSIGNMENT.match(stripped))
                               or bool(_HELP.match(stripped)))
