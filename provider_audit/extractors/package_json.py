"""package.json: dependencies, devDependencies (group "dev"), peerDependencies ("peer") and
optionalDependencies ("optional").

``specifier`` is the range as written; ``version`` only for an exact ``1.2.3``/``=1.2.3``. An alias
``"x": "npm:openai@^4"`` is reported as openai with range ^4. ``workspaces`` are not followed: each
workspace's own package.json is found and read by discovery. Lines: each dependency's key.

A file nested too deeply for the JSON parser (a hostile one, 200,000 levels) is not lost: its top-level
dependency maps are read by the JSON tokenizer alone, and the report says so.
"""

from __future__ import annotations

from typing import List, Optional

from provider_audit.extractors._lines import json_document, json_string_members
from provider_audit.extractors._npm import SECTIONS, declared, npm_version, resolve_alias
from provider_audit.extractors.base import Extractor, ParseError, PartialParse
from provider_audit.models import Dependency


def extract(relpath: str, text: str) -> List[Dependency]:
    try:
        data, positions = json_document(text)
    except ParseError as exc:
        if isinstance(exc.__cause__, RecursionError):
            raise PartialParse("invalid JSON: nested too deeply to parse; dependencies read by a key scan",
                               _scanned(text)) from None
        raise
    deps = []
    for section, group, key, spec in declared(data, "package.json"):
        deps.append(_dependency(key, spec, group, *positions.at(section, key)))
    return deps


def _dependency(key: str, spec: str, group: Optional[str], line: int, column: int) -> Dependency:
    name, specifier = resolve_alias(key, spec)
    return Dependency(name=name, ecosystem="npm", line=line, column=column, specifier=specifier,
                      version=npm_version(specifier), group=group)


def _scanned(text: str) -> List[Dependency]:
    """The top-level dependency maps' string members, found by the tokenizer (no recursion)."""
    groups = dict(SECTIONS)
    return [_dependency(path[1], value, groups[path[0]], line, column)
            for path, value, (line, column) in json_string_members(text)
            if len(path) == 2 and path[0] in groups and isinstance(path[1], str)]


EXTRACTOR = Extractor(name="npm/package-json", ecosystem="npm", filenames=("package.json",), extract=extract)
