"""uv.lock (TOML ``[[package]]`` entries).

The workspace's own packages (source ``editable`` or ``virtual``) name the direct dependencies in
``dependencies``, ``[package.optional-dependencies]`` (group = extra) and ``[package.dev-dependencies]``
(group = group name): those are direct=True, all others False. The project at ``.`` itself is not
reported. Line: the package's ``name = "..."`` line, found in order.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Tuple

from packaging.utils import canonicalize_name

from provider_audit.extractors._util import Scope, expect, get, load_toml, name_line
from provider_audit.extractors.base import Extractor, ParseError
from provider_audit.models import Dependency


def _declared(package: dict, where: str) -> List[Tuple[str, Optional[str]]]:
    """(name, group) of each dependency a workspace package declares."""
    lists = [(None, get(package, "dependencies", list, f"{where} dependencies"))]
    for table in ("optional-dependencies", "dev-dependencies"):
        lists += [(group, expect(entries, list, f"{where} {table} {group}"))
                  for group, entries in get(package, table, dict, f"{where} {table}").items()]
    found = []
    for group, entries in lists:
        for entry in entries:
            name = expect(entry, dict, f"a dependency of {where}").get("name")
            found.append((expect(name, str, f"a dependency name of {where}"), group))
    return found


def extract(relpath: str, text: str) -> List[Dependency]:
    data = load_toml(text)
    if data and "version" not in data and "package" not in data:
        raise ParseError("no version or [[package]]: not a uv.lock")
    packages = get(data, "package", list, "package")
    declared = []
    for package in packages:
        where = f"[[package]] {expect(package, dict, 'a [[package]] entry').get('name')}"
        source = get(package, "source", dict, f"{where} source")
        if "editable" in source or "virtual" in source:
            declared += _declared(package, where)
    direct: Dict[str, Optional[str]] = {}
    for name, group in sorted(declared, key=lambda d: d[1] is not None):  # main dependencies first
        direct.setdefault(canonicalize_name(name), group)
    scope = Scope(text)
    deps = []
    for package in packages:
        name = expect(package.get("name"), str, "a [[package]] name")
        source = package.get("source", {})
        version = package.get("version")
        version = None if version is None else expect(version, str, f"[[package]] {name} version")
        line, column = scope.find(name_line(name))
        if "." in (source.get("editable"), source.get("virtual")):
            continue
        key = canonicalize_name(name)
        deps.append(Dependency(name=name, ecosystem="pypi", line=line, column=column, version=version,
                               direct=key in direct, group=direct.get(key)))
    return deps


EXTRACTOR = Extractor(name="python/uv-lock", ecosystem="pypi", filenames=("uv.lock",), extract=extract,
                      lockfile=True)
