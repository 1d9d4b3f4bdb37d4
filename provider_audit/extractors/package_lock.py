"""package-lock.json and npm-shrinkwrap.json.

v2/v3 (``packages`` map): one entry per installed ``node_modules/...`` path, the name being the last
path segment (``node_modules/a/node_modules/b`` is b) or the entry's ``name`` for an alias. The
project's own entries (the root ``""`` and workspace folders) declare dependencies: an entry
installed right under a project, or hoisted to the root, whose name a project declares is
direct=True with that declaration's range and group; others are direct=False, group "dev" or
"optional" from their flags. Workspace links (``link: true``) are skipped: the workspace is scanned
as its own package.json. v1 (nested ``dependencies`` tree) doesn't record what the project declared:
all entries are direct=False. Lines: each entry's key.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Tuple

from provider_audit.extractors._lines import Positions, json_document
from provider_audit.extractors._npm import declared, lock_group, resolve_alias
from provider_audit.extractors._util import expect, get
from provider_audit.extractors.base import Extractor, ParseError
from provider_audit.models import Dependency


def extract(relpath: str, text: str) -> List[Dependency]:
    data, positions = json_document(text)
    if data and "lockfileVersion" not in data:
        raise ParseError('no "lockfileVersion": not an npm lockfile')
    packages = get(data, "packages", dict, '"packages"')
    if packages:
        return _packages(packages, positions)
    return _tree(get(data, "dependencies", dict, '"dependencies"'), positions)


def _packages(packages: dict, positions: Positions) -> List[Dependency]:
    entries = {path: expect(entry, dict, f'"packages" "{path}"') for path, entry in packages.items()}
    by_project: Dict[Tuple[str, str], Tuple[str, Optional[str]]] = {}
    by_name: Dict[str, Tuple[str, Optional[str]]] = {}
    for path, entry in entries.items():
        if "node_modules/" not in path:  # the root "" or a workspace folder
            for _, group, key, spec in declared(entry, f'"packages" "{path}"'):
                declaration = (resolve_alias(key, spec)[1], group)
                by_project.setdefault((path, key), declaration)
                by_name.setdefault(key, declaration)
    deps = []
    for path, entry in entries.items():
        parent, marker, key = path.rpartition("node_modules/")
        if not marker or entry.get("link") is True:
            continue
        parent = parent.rstrip("/")
        found = None
        if "node_modules" not in parent:
            found = by_project.get((parent, key)) or (by_name.get(key) if parent == "" else None)
        name = get(entry, "name", str, f'"packages" "{path}" name') or key
        version = get(entry, "version", str, f'"packages" "{path}" version') or None
        line, column = positions.at("packages", path)
        deps.append(Dependency(name=name, ecosystem="npm", line=line, column=column,
                               specifier=found[0] if found else "", version=version, direct=found is not None,
                               group=found[1] if found else lock_group(entry)))
    return deps


def _tree(tree: dict, positions: Positions) -> List[Dependency]:
    deps = []
    pending = [(("dependencies",), tree)]
    for path, level in pending:  # grows while read: breadth first
        for key, entry in level.items():
            where = path + (key,)
            entry = expect(entry, dict, " ".join(f'"{p}"' for p in where))
            name, version = resolve_alias(key, get(entry, "version", str, f'"{key}" version'))
            line, column = positions.at(*where)
            deps.append(Dependency(name=name, ecosystem="npm", line=line, column=column, version=version or None,
                                   direct=False, group=lock_group(entry)))
            nested = get(entry, "dependencies", dict, f'"{key}" dependencies')
            if nested:
                pending.append((where + ("dependencies",), nested))
    return deps


EXTRACTOR = Extractor(name="npm/package-lock", ecosystem="npm", filenames=("package-lock.json", "npm-shrinkwrap.json"),
                      extract=extract, lockfile=True)
