"""yarn.lock, classic (v1) and berry (v2+, YAML with ``__metadata``).

Classic, read by hand: each unindented ``pattern, pattern:`` header (``name@range``, possibly
quoted, ``alias@npm:real@range`` for aliases) opens an entry whose ``  version "x"`` line gives the
version. It doesn't record what the project declared: all entries are direct=False.

Berry, read with the safe YAML loader: entry keys are descriptors (``name@npm:^1.0.0``, comma-joined),
``resolution`` names the package, ``version`` the version. Workspace entries (``@workspace:``) are
the project itself: not reported, but an entry one of their ``dependencies`` resolves to is
direct=True with that range (a ``patch:`` range counts for the range it patches). ``@patch:`` entries
repeat a package already listed and are skipped.
Lines: each entry's header.
"""

from __future__ import annotations

import re
from typing import List, Set, Tuple
from urllib.parse import unquote

from provider_audit.extractors._lines import yaml_documents
from provider_audit.extractors._npm import resolve_alias, split_ident
from provider_audit.extractors._util import expect, get
from provider_audit.extractors.base import Extractor, ParseError
from provider_audit.models import Dependency

_BERRY = re.compile(r"^__metadata:", re.M)
_VERSION_LINE = re.compile(r'  version:? +"?([^"\s]+)"?')


def extract(relpath: str, text: str) -> List[Dependency]:
    return _berry(text) if _BERRY.search(text) else _classic(text)


def _descriptor(name: str, spec: str) -> Tuple[str, str]:
    """(real name, range without the default npm: protocol) of ``name`` at ``spec``; a berry
    ``patch:name@npm%3A^1.0#...`` range stands for the range it patches."""
    if spec.startswith("patch:"):
        name, spec = split_ident(unquote(spec[6:].split("#", 1)[0]))
    return resolve_alias(name, spec)


def _classic(text: str) -> List[Dependency]:
    deps: List[Dependency] = []
    entry = None  # (name, line, column) of the open entry until its version is seen
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace():
            if entry:
                raise ParseError(f"line {entry[1]}: entry {entry[0]!r} has no version")
            name, spec = _descriptor(*split_ident(line.rstrip().rstrip(":").split(",")[0].strip('"')))
            if not line.rstrip().endswith(":") or not name or not spec:
                raise ParseError(f"line {number}: expected a 'name@range:' entry header")
            entry = (name, number, 2 if line.startswith('"') else 1)
        elif entry and (found := _VERSION_LINE.fullmatch(line.rstrip())):
            deps.append(Dependency(name=entry[0], ecosystem="npm", line=entry[1], column=entry[2],
                                   version=found.group(1), direct=False))
            entry = None
        elif not deps and not entry:
            raise ParseError(f"line {number}: indented line outside an entry")
    if entry:
        raise ParseError(f"line {entry[1]}: entry {entry[0]!r} has no version")
    return deps


def _berry(text: str) -> List[Dependency]:
    deps = []
    for data, positions in yaml_documents(text):
        entries = {str(key): expect(entry, dict, f"entry {key!r}")
                   for key, entry in expect(data, dict, "the top level").items() if key != "__metadata"}
        declared: Set[Tuple[str, str]] = set()  # (name, range) the workspaces depend on
        for key, entry in entries.items():
            if "@workspace:" in get(entry, "resolution", str, f"entry {key!r} resolution"):
                for name, spec in get(entry, "dependencies", dict, f"entry {key!r} dependencies").items():
                    declared.add(_descriptor(str(name), expect(spec, str, f"entry {key!r} dependency {name!r}")))
        for key, entry in entries.items():
            resolution = get(entry, "resolution", str, f"entry {key!r} resolution")
            if "@workspace:" in resolution or "@patch:" in resolution:
                continue
            name = split_ident(resolution)[0]
            if not name:
                raise ParseError(f"entry {key!r} has no resolution")
            version = get(entry, "version", str, f"entry {key!r} version") or None
            matches = [d for d in (_descriptor(*split_ident(d.strip())) for d in key.split(",")) if d in declared]
            line, column = positions.at(key)
            deps.append(Dependency(name=name, ecosystem="npm", line=line, column=column,
                                   specifier=matches[0][1] if matches else "", version=version, direct=bool(matches)))
    return deps


EXTRACTOR = Extractor(name="npm/yarn-lock", ecosystem="npm", filenames=("yarn.lock",), extract=extract, lockfile=True)
