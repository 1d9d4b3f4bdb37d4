"""bun.lock (the text lockfile; JSON with comments and trailing commas, blanked before parsing).

``workspaces`` hold each workspace's package.json maps; ``packages`` maps a key (the name, or a
``parent/name`` path for a non-hoisted copy) to ``["name@version", ...]``. Each package is reported
once: direct=True with the declared range and group when a workspace declares its key, else
direct=False. ``workspace:`` packages are the project itself and are skipped; non-registry versions
(git, tarball) give no version. The binary ``bun.lockb`` is not read. Lines: each package's key.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Tuple

from provider_audit.extractors._lines import json_document
from provider_audit.extractors._npm import declared, npm_version, resolve_alias, split_ident
from provider_audit.extractors._util import expect, get
from provider_audit.extractors.base import Extractor, ParseError
from provider_audit.models import Dependency


def extract(relpath: str, text: str) -> List[Dependency]:
    data, positions = json_document(text, jsonc=True)
    if data and "lockfileVersion" not in data:
        raise ParseError('no "lockfileVersion": not a bun.lock')
    direct: Dict[str, Tuple[str, Optional[str]]] = {}
    for path, workspace in get(data, "workspaces", dict, '"workspaces"').items():
        for _, group, key, spec in declared(expect(workspace, dict, f'workspace "{path}"'), f'workspace "{path}"'):
            direct.setdefault(key, (resolve_alias(key, spec)[1], group))
    deps = []
    for key, entry in get(data, "packages", dict, '"packages"').items():
        entry = expect(entry, list, f'package "{key}"')
        name, version = split_ident(expect(entry[0] if entry else None, str, f'package "{key}" identifier'))
        if version.startswith("workspace:"):
            continue
        specifier, group = direct.get(key, ("", None))
        line, column = positions.at("packages", key)
        deps.append(Dependency(name=name, ecosystem="npm", line=line, column=column, specifier=specifier,
                               version=npm_version(version), direct=key in direct, group=group))
    return deps


EXTRACTOR = Extractor(name="npm/bun-lock", ecosystem="npm", filenames=("bun.lock",), extract=extract, lockfile=True)
