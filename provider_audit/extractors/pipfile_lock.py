"""Pipfile.lock (JSON): every category but ``_meta`` (``default``, ``develop`` as group "dev", custom).

Entries are direct=False: the lock doesn't say which were declared. ``"version": "==1.2.3"`` gives
version "1.2.3"; VCS/path entries have none. Lines: the ``"name":`` key after the category's key.
"""

from __future__ import annotations

import re
from typing import List

from provider_audit.extractors._util import Scope, expect, get, load_json, quoted, strings, version_of
from provider_audit.extractors.base import Extractor, ParseError
from provider_audit.models import Dependency

GROUPS = {"default": None, "develop": "dev"}


def extract(relpath: str, text: str) -> List[Dependency]:
    data = expect(load_json(text), dict, "the top level")
    if data and "_meta" not in data:
        raise ParseError('no "_meta" key: not a Pipfile.lock')
    deps = []
    for category, packages in data.items():
        if category == "_meta":
            continue
        scope = Scope(text).at(rf'"{re.escape(category)}"\s*:')
        for name, entry in expect(packages, dict, f'"{category}"').items():
            where = f'"{category}" "{name}"'
            expect(entry, dict, where)
            extras = strings(entry, "extras", f"{where} extras")
            line, column = scope.find(quoted(name) + r'"\s*:')
            deps.append(Dependency(name=name, ecosystem="pypi", line=line, column=column,
                                   version=version_of(get(entry, "version", str, f"{where} version")),
                                   direct=False, group=GROUPS.get(category, category),
                                   extras=tuple(sorted(extras))))
    return deps


EXTRACTOR = Extractor(name="python/pipfile-lock", ecosystem="pypi", filenames=("Pipfile.lock",),
                      extract=extract, lockfile=True)
