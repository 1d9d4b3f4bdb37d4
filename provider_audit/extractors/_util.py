"""Helpers shared by the Python-ecosystem extractors: safe loading, PEP 508, and finding lines."""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from typing import TYPE_CHECKING, Any, List, Optional, Tuple

from packaging.specifiers import InvalidSpecifier, SpecifierSet

from provider_audit import _compat
from provider_audit.extractors.base import ParseError
from provider_audit.models import Dependency

if TYPE_CHECKING:  # pragma: no cover
    from packaging.requirements import Requirement

_KINDS = {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean", int: "a number",
          float: "a number"}  # how values of each type are named in errors
COMMENT = re.compile(r"(?:^|(?<=\s))#.*$")  # pip's rule: a ``#`` at a line start or after whitespace


def reason(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200] or type(exc).__name__


def load_toml(text: str) -> dict:
    try:
        return _compat.tomllib.loads(text)
    except (ValueError, RecursionError) as exc:  # TOMLDecodeError is a ValueError
        raise ParseError(f"invalid TOML: {reason(exc)}") from exc


def load_json(text: str) -> Any:
    """Parsed JSON; ``{}`` for a blank file."""
    if not text.strip():
        return {}
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise ParseError(f"invalid JSON: {reason(exc)}") from exc


def expect(value: Any, kind: type, what: str) -> Any:
    """``value`` if it is a ``kind``, else ParseError naming ``what`` and what it is instead."""
    if value is None or not isinstance(value, kind):
        what = " ".join(what.split())[:200]  # keys may hold newlines; messages are one line
        got = _KINDS.get(type(value), type(value).__name__)
        raise ParseError(f"{what} is missing" if value is None
                         else f"{what} is {got}, expected {_KINDS[kind]}")
    return value


def get(mapping: dict, key: str, kind: type, what: str) -> Any:
    """``mapping[key]`` checked to be a ``kind``; an empty ``kind`` when absent or null."""
    value = mapping.get(key)
    return kind() if value is None else expect(value, kind, what)


def strings(mapping: dict, key: str, what: str) -> List[str]:
    """``mapping[key]`` checked to be a list of strings; [] when absent or null."""
    return [expect(item, str, f"an entry of {what}") for item in get(mapping, key, list, what)]


def parse_requirement(text: str) -> Optional[Requirement]:
    # Imported here: its parser costs start-up time, and only files that hold requirements need it.
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        return Requirement(text)
    except InvalidRequirement:
        return None


def exact_version(specifier: SpecifierSet) -> Optional[str]:
    """The pinned version of a single ``==`` (not wildcard) or ``===`` specifier."""
    specs = list(specifier)
    if len(specs) == 1 and specs[0].operator in ("==", "===") and not specs[0].version.endswith(".*"):
        return specs[0].version
    return None


def version_of(specifier: str) -> Optional[str]:
    try:
        return exact_version(SpecifierSet(specifier))
    except InvalidSpecifier:
        return None


def from_requirement(req: Requirement, position: Tuple[int, int], **fields: Any) -> Dependency:
    return Dependency(name=req.name, ecosystem="pypi", line=position[0], column=position[1],
                      specifier=str(req.specifier), version=exact_version(req.specifier),
                      extras=tuple(sorted(req.extras)), **fields)


class LineIndex:
    """1-based (line, column) of character offsets into one text, by binary search."""

    def __init__(self, text: str):
        self._starts = [0] + [match.end() for match in re.finditer("\n", text)]

    def __call__(self, offset: int) -> Tuple[int, int]:
        line = bisect_right(self._starts, offset)
        return line, offset - self._starts[line - 1] + 1


def position(text: str, offset: int) -> Tuple[int, int]:
    """1-based (line, column) of a character offset."""
    return text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset)


# Search patterns; group ``n`` marks where the entry's column is.
def quoted(name: str) -> str:
    """A name at the start of a quoted string: a PEP 508 string or a JSON key."""
    return rf"""["'][ \t]*(?P<n>{re.escape(name)})(?![\w.-])"""


def key(name: str, sep: str = "=") -> str:
    """``name =`` at the start of a line, the name bare or quoted."""
    return rf"""^[ \t]*["']?(?P<n>{re.escape(name)})["']?[ \t]*[{sep}]"""


def name_line(name: str) -> str:
    """A lockfile's ``name = "..."`` line."""
    return rf"""^[ \t]*name[ \t]*=[ \t]*["'](?P<n>{re.escape(name)})["']"""


class Literal(str):
    """A pattern matching ``text`` exactly (``Scope`` finds it without a regular expression)."""

    text: str


def literal(text: str) -> str:
    pattern = Literal(f"(?P<n>{re.escape(text)})")
    pattern.text = text
    return pattern


class Scope:
    """A region of a file's text in which entries are located, in order, by regular expression.

    ``find`` searches from just after the previous hit (so repeated names get their own lines),
    then from the region's start, and falls back to the region's own line.
    """

    def __init__(self, text: str, start: int = 0, end: Optional[int] = None, line: int = 1,
                 _index: Optional[List[LineIndex]] = None):
        self.text, self.start, self.end, self.line = text, start, len(text) if end is None else end, line
        self._pos = start
        # Built on first use and shared with the scopes made from this one: a file of 100,000 entries
        # never counts lines from its start per entry.
        self._index: List[LineIndex] = [] if _index is None else _index

    def _search(self, pattern: str, begin: int) -> Optional["re.Match[str]"]:
        return re.compile(pattern, re.M).search(self.text, begin, self.end)

    def _offset(self, pattern: str, begin: int) -> int:
        """Where ``pattern`` (its group ``n``, if any) matches from ``begin``, else -1; ``_pos`` moves past it."""
        if isinstance(pattern, Literal):  # no regular expression to compile per entry
            found = self.text.find(pattern.text, begin, self.end)
            if found >= 0:
                self._pos = found + len(pattern.text)
            return found
        match = self._search(pattern, begin)
        if not match:
            return -1
        self._pos = match.end()
        return match.start("n") if "n" in match.re.groupindex else match.start()

    def _position(self, offset: int) -> Tuple[int, int]:
        if not self._index:
            self._index.append(LineIndex(self.text))
        return self._index[0](offset)

    def find(self, pattern: str) -> Tuple[int, int]:
        for begin in (self._pos, self.start):
            found = self._offset(pattern, begin)
            if found >= 0:
                return self._position(found)
        return self.line, 1

    def at(self, pattern: str) -> "Scope":
        """The rest of this region from the first match of ``pattern`` (this region if none)."""
        match = self._search(pattern, self.start)
        if not match:
            return self
        return Scope(self.text, match.start(), self.end, self._position(match.start())[0], self._index)


def section(text: str, header: str) -> Optional[Scope]:
    """The region from a ``[header]`` line (``header`` is a regex) to the next ``[`` line."""
    match = re.search(rf"^[ \t]*\[[ \t]*{header}[ \t]*\][ \t]*(?:#.*)?$", text, re.M)
    if not match:
        return None
    following = re.compile(r"^[ \t]*\[", re.M).search(text, match.end())
    return Scope(text, match.start(), following.start() if following else len(text),
                 position(text, match.start())[0])


def toml_table(text: str, *keys: str) -> Scope:
    """The section of TOML table ``keys``, else of its nearest ancestor written as a header, else all."""
    for depth in range(len(keys), 0, -1):
        dotted = r"[ \t]*\.[ \t]*".join(
            rf"""(?:{re.escape(k)}|"{re.escape(k)}"|'{re.escape(k)}')""" for k in keys[:depth])
        found = section(text, dotted)
        if found:
            return found
    return Scope(text)
