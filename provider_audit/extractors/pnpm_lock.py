"""pnpm-lock.yaml, lockfileVersion 5.x, 6.x and 9.x.

The project's direct dependencies come from ``importers`` (or, in single-project 5.x/6.x files,
the top level): ``dependencies``, ``devDependencies`` (group "dev"), ``optionalDependencies``
("optional"), each ``{specifier, version}`` (6+) or a version with the range in ``specifiers``
(5.x); ``link:`` versions are other workspace projects and are skipped. Every other ``packages``
key is a locked package, direct=False: ``/name/1.0.0_peer`` (5.x), ``/name@1.0.0(peer)`` (6.x),
``name@1.0.0`` (9.x). Peer suffixes are dropped; an alias (``npm:real@range``) is reported as the
real package.
pnpm 11+ may write two YAML documents (an "env" one first): all are read. Lines: each entry's key.
9.x's ``snapshots`` (each locked package again, with what it depends on: half the file) names nothing
the other sections do not: when it is the last top-level key of the file, it is not parsed (so invalid
YAML there no longer keeps the rest of the file from being read).
"""

from __future__ import annotations

import re
from typing import List, Optional, Set, Tuple

from provider_audit.extractors._lines import yaml_documents
from provider_audit.extractors._npm import lock_group, npm_version, resolve_alias, split_ident
from provider_audit.extractors._util import expect, get
from provider_audit.extractors.base import Extractor, ParseError
from provider_audit.models import Dependency

_SECTIONS = (("dependencies", None), ("devDependencies", "dev"), ("optionalDependencies", "optional"))


def _split(ref: str, v5: bool) -> Tuple[str, Optional[str]]:
    """(name, exact version) of a package reference; the version is None when not a registry one."""
    ref = ref.lstrip("/")
    if v5:
        name, _, version = ref.rpartition("/")
        version = version.split("_", 1)[0]
    else:
        name, version = split_ident(ref.split("(", 1)[0])
    return name or ref, npm_version(version)


def _locked(key: str, version: str, v5: bool) -> Tuple[str, Optional[str]]:
    """(name, exact version) of an importer's dependency ``key`` locked at ``version``."""
    plain = npm_version(version.split("_", 1)[0] if v5 else version.split("(", 1)[0])
    if plain:
        return key, plain
    name, exact = _split(version, v5)  # an alias: the version names the real package
    return (name, exact) if exact else (key, None)


def without_snapshots(text: str) -> str:
    """``text`` cut before a top-level ``snapshots:`` key that nothing at the top level follows (no other
    key, no document marker: every later line is indented, blank or a comment); else ``text``."""
    found = _SNAPSHOTS.search(text)
    if found is None or _TOP_LEVEL.search(text, found.end()) is not None:
        return text
    return text[:found.start()]


_SNAPSHOTS = re.compile(r"^snapshots:[ \t\r]*(?:#[^\n]*)?$", re.M)
_TOP_LEVEL = re.compile(r"\n[^\s#]")


def extract(relpath: str, text: str) -> List[Dependency]:
    deps: List[Dependency] = []
    seen: Set[Tuple[str, Optional[str]]] = set()
    for data, positions in yaml_documents(without_snapshots(text)):
        if data is None:
            continue
        data = expect(data, dict, "the top level")
        if "lockfileVersion" not in data:
            raise ParseError('no "lockfileVersion": not a pnpm lockfile')
        v5 = str(data["lockfileVersion"]).startswith("5")
        importers = get(data, "importers", dict, "importers")
        projects = [(("importers", path), expect(project, dict, f"importer {path!r}"))
                    for path, project in importers.items()] or [((), data)]
        for prefix, project in projects:
            specifiers = get(project, "specifiers", dict, "specifiers")
            for section, group in _SECTIONS:
                for key, value in get(project, section, dict, section).items():
                    key = str(key)
                    where = f"{section} {key!r}"
                    if isinstance(value, dict):
                        specifier = get(value, "specifier", str, f"{where} specifier")
                        version = get(value, "version", str, f"{where} version")
                    else:
                        specifier = specifiers.get(key, "")
                        version = expect(value, str, f"{where} version")
                    if version.startswith("link:"):
                        continue
                    name, exact = _locked(key, version, v5)
                    seen.add((name, exact))
                    line, column = positions.at(*prefix, section, key)
                    deps.append(Dependency(name=name, ecosystem="npm", line=line, column=column,
                                           specifier=resolve_alias(key, str(specifier))[1], version=exact,
                                           group=group))
        for key, entry in get(data, "packages", dict, "packages").items():
            key, entry = str(key), expect(entry, dict, f"package {key!r}")
            if isinstance(entry.get("name"), str):  # tarball and git packages
                name, exact = entry["name"], npm_version(str(entry.get("version", "")))
            else:
                name, exact = _split(key, v5)
            if (name, exact) in seen:
                continue
            seen.add((name, exact))
            line, column = positions.at("packages", key)
            deps.append(Dependency(name=name, ecosystem="npm", line=line, column=column, version=exact,
                                   direct=False, group=lock_group(entry)))
    return deps


EXTRACTOR = Extractor(name="npm/pnpm-lock", ecosystem="npm", filenames=("pnpm-lock.yaml",), extract=extract,
                      lockfile=True)
