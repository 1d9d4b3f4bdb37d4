"""composer.lock: ``packages`` and ``packages-dev`` (group "dev"), each with its locked version
(``v1.2.3`` read as 1.2.3; branch versions such as ``dev-main`` give none). direct=False: the lock
doesn't say which the project required. Lines: each package's ``"name"`` key.
"""

from __future__ import annotations

from typing import List

from provider_audit.extractors._lines import json_document, pinned_version
from provider_audit.extractors._util import expect, get
from provider_audit.extractors.base import Extractor, ParseError
from provider_audit.models import Dependency


def extract(relpath: str, text: str) -> List[Dependency]:
    data, positions = json_document(text)
    if data and "packages" not in data and "content-hash" not in data:
        raise ParseError('no "packages" or "content-hash": not a composer.lock')
    deps = []
    for section, group in (("packages", None), ("packages-dev", "dev")):
        for index, package in enumerate(get(data, section, list, f'"{section}"')):
            where = f'"{section}" #{index + 1}'
            package = expect(package, dict, where)
            name = expect(package.get("name"), str, f"{where} name")
            line, column = positions.at(section, index, "name")
            deps.append(Dependency(name=name, ecosystem="composer", line=line, column=column,
                                   version=pinned_version(get(package, "version", str, f"{where} version"),
                                                          prefixes=("v",)),
                                   direct=False, group=group))
    return deps


EXTRACTOR = Extractor(name="composer/composer-lock", ecosystem="composer", filenames=("composer.lock",),
                      extract=extract, lockfile=True)
