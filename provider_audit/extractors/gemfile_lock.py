"""Gemfile.lock (and gems.locked).

The ``specs:`` of the GEM, GIT, PATH and PLUGIN SOURCE sections list every locked gem as
``    name (version[-platform])`` (4 spaces; their own dependencies, at 6, are skipped). A gem named in
DEPENDENCIES is direct=True with its constraint as ``specifier``; others direct=False. A gem locked
for several platforms is reported once. Lines: each gem's first spec line.
"""

from __future__ import annotations

import re
from typing import Dict, List, Optional, Set, Tuple

from provider_audit.extractors.base import Extractor, ParseError
from provider_audit.models import Dependency

_SECTION = re.compile(r"[A-Z][A-Z ]*")
_SPEC = re.compile(r"    (?P<name>[^\s(]+) \((?P<version>[^)\s]+)\)")
_DEPENDENCY = re.compile(r"  (?P<name>[^\s(!]+)!?(?: \((?P<spec>[^)]*)\))?")
_SOURCES = ("GEM", "GIT", "PATH", "PLUGIN SOURCE")


def extract(relpath: str, text: str) -> List[Dependency]:
    specs: List[Tuple[int, str, str]] = []
    declared: Dict[str, str] = {}
    section: Optional[str] = None
    in_specs = False
    for number, line in enumerate(text.rstrip().splitlines(), 1):
        line = line.rstrip()
        if not line:
            continue
        if not line[0].isspace():
            if not _SECTION.fullmatch(line):
                raise ParseError(f"line {number}: expected a section name such as GEM or DEPENDENCIES")
            section, in_specs = line, False
        elif section in _SOURCES:
            in_specs = in_specs or line == "  specs:"
            if in_specs and line.startswith("    ") and not line.startswith("      "):
                spec = _SPEC.fullmatch(line)
                if not spec:
                    raise ParseError(f"line {number}: expected '    name (version)' in specs")
                specs.append((number, spec.group("name"), spec.group("version").split("-", 1)[0]))
        elif section == "DEPENDENCIES":
            dependency = _DEPENDENCY.fullmatch(line)
            if not dependency:
                raise ParseError(f"line {number}: expected '  name (constraint)' in DEPENDENCIES")
            declared.setdefault(dependency.group("name"), dependency.group("spec") or "")
    deps: List[Dependency] = []
    seen: Set[Tuple[str, str]] = set()
    for number, name, version in specs:
        if (name, version) not in seen:
            seen.add((name, version))
            deps.append(Dependency(name=name, ecosystem="rubygems", line=number, column=5,
                                   specifier=declared.get(name, ""), version=version, direct=name in declared))
    return deps


EXTRACTOR = Extractor(name="rubygems/gemfile-lock", ecosystem="rubygems", filenames=("Gemfile.lock", "gems.locked"),
                      extract=extract, lockfile=True)
