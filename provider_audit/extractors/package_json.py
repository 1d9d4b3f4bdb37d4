"""package.json: dependencies, devDependencies (group "dev"), peerDependencies ("peer") and
optionalDependencies ("optional").

``specifier`` is the range as written; ``version`` only for an exact ``1.2.3``/``=1.2.3``. An alias
``"x": "npm:openai@^4"`` is reported as openai with range ^4. ``workspaces`` are not followed: each
workspace's own package.json is found and read by discovery. Lines: each dependency's key.
"""

from __future__ import annotations

from typing import List

from provider_audit.extractors._lines import json_document
from provider_audit.extractors._npm import declared, npm_version, resolve_alias
from provider_audit.extractors.base import Extractor
from provider_audit.models import Dependency


def extract(relpath: str, text: str) -> List[Dependency]:
    data, positions = json_document(text)
    deps = []
    for section, group, key, spec in declared(data, "package.json"):
        name, specifier = resolve_alias(key, spec)
        line, column = positions.at(section, key)
        deps.append(Dependency(name=name, ecosystem="npm", line=line, column=column, specifier=specifier,
                               version=npm_version(specifier), group=group))
    return deps


EXTRACTOR = Extractor(name="npm/package-json", ecosystem="npm", filenames=("package.json",), extract=extract)
