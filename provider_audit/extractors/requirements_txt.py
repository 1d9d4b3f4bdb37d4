"""pip requirements and constraints files.

Each logical line (``\\`` continuations joined, ``#`` comments removed, as pip does) is one of: an
option (``-r``/``-c`` targets become includes, others are ignored), an ``-e``/URL/path line (named
only by an ``#egg=`` fragment or a wheel/sdist file name), or a requirement for ``packaging``, with
per-requirement options such as ``--hash`` cut off. Lines that don't parse are skipped. ParseError
only when the text has NUL bytes, or when nothing parsed and over half the lines are junk (neither a
requirement, an option, nor a URL or path). Entries of ``constraints*.txt`` files are direct=False.
"""

from __future__ import annotations

import posixpath
import re
from functools import lru_cache
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, Iterator, List, Optional, Tuple

from packaging.utils import (InvalidSdistFilename, InvalidWheelFilename, parse_sdist_filename,
                             parse_wheel_filename)
from packaging.version import InvalidVersion

from provider_audit.extractors._util import COMMENT, from_requirement, parse_requirement
from provider_audit.extractors.base import Extractor, ParseError
from provider_audit.models import Dependency

if TYPE_CHECKING:  # pragma: no cover - packaging.requirements is imported where a requirement is parsed
    from packaging.requirements import Requirement

NAMES = ("requirements*.txt", "requirements*.in", "constraints*.txt", "*-requirements.txt")
OPTION = re.compile(r"^(?:(?P<long>--requirement|--constraint|--editable)(?:=|\s+)|(?P<short>-[rce])\s*)"
                    r"(?P<arg>\S.*)$")
LOCATION = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|file:|\.|/|~)|\.(?:whl|zip|tar\.gz)(?:#|$)", re.I)


def logical_lines(text: str) -> Iterator[Tuple[int, int, str]]:
    """(line, column, content) of each non-blank logical line."""
    pending: List[str] = []
    first = 0
    for number, line in enumerate(text.splitlines(), 1):
        comment = line.lstrip().startswith("#")
        if line.endswith("\\") and not comment:
            first = first if pending else number
            pending.append(line[:-1])
            continue
        if pending:
            line = "".join(pending) + (" " + line if comment else line)
            number, pending = first, []
        content = COMMENT.sub("", line).strip()
        if content:
            yield number, len(line) - len(line.lstrip()) + 1, content
    if pending:
        content = COMMENT.sub("", "".join(pending)).strip()
        if content:
            yield first, len(pending[0]) - len(pending[0].lstrip()) + 1, content


def _named_location(location: str) -> Optional[Requirement]:
    egg = re.search(r"[#&]egg=([^&\s]+)", location)
    if egg:
        return parse_requirement(egg.group(1))
    filename = re.split(r"[#?]", location)[0].rstrip("/").rsplit("/", 1)[-1]
    try:
        if filename.endswith(".whl"):
            name, version = parse_wheel_filename(filename)[:2]
        else:
            name, version = parse_sdist_filename(filename)
    except (InvalidWheelFilename, InvalidSdistFilename, InvalidVersion):
        return None
    return parse_requirement(f"{name}=={version}")


@lru_cache(maxsize=4096)  # a generated file repeats lines: each distinct one is parsed once (read-only results)
def parse_line(line: str) -> Tuple[str, object]:
    """Classify a logical line: ("req", Requirement), ("include", path), ("ok", None) or ("junk", None)."""
    option = OPTION.match(line)
    if option and (option.group("long") or option.group("short")) in ("--editable", "-e"):
        req = _named_location(option.group("arg").split()[0])
        return ("req", req) if req else ("ok", None)
    if option:
        return "include", option.group("arg").strip()
    if line.startswith("-"):
        return "ok", None
    text = re.split(r"(?<=\s)-", line, maxsplit=1)[0].strip()
    req = parse_requirement(text) or (_named_location(text) if LOCATION.search(text) else None)
    if req:
        return "req", req
    return ("ok", None) if LOCATION.search(text) else ("junk", None)


def extract(relpath: str, text: str) -> List[Dependency]:
    if "\x00" in text:
        raise ParseError("binary content (NUL bytes), not a requirements file")
    direct = not fnmatchcase(posixpath.basename(relpath), "constraints*.txt")
    deps, junk, total = [], 0, 0
    for number, column, line in logical_lines(text):
        kind, value = parse_line(line)
        total += 1
        junk += kind == "junk"
        if kind == "req":
            deps.append(from_requirement(value, (number, column), direct=direct))
    if not deps and junk * 2 > total:
        raise ParseError(f"not a requirements file: {junk} of {total} lines are not requirements")
    return deps


def includes(relpath: str, text: str) -> List[str]:
    """Files named by -r/-c, relative to the root; absolute, URL and escaping targets are dropped."""
    found = []
    for _, _, line in logical_lines(text):
        kind, target = parse_line(line)
        if kind != "include" or target.startswith("/") or "://" in target:
            continue
        path = posixpath.normpath(posixpath.join(posixpath.dirname(relpath), target))
        if path != ".." and not path.startswith("../"):
            found.append(path)
    return list(dict.fromkeys(found))


def _in_requirements_dir(relpath: str) -> bool:
    parts = relpath.split("/")
    return any(fnmatchcase(parts[-1], name) for name in NAMES) or parts[-2:-1] == ["requirements"]


EXTRACTOR = Extractor(name="python/requirements", ecosystem="pypi", filenames=NAMES + ("*.txt", "*.in"),
                      extract=extract, includes=includes, path_filter=_in_requirements_dir)
