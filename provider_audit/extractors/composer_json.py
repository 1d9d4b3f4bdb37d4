"""composer.json: ``require`` and ``require-dev`` (group "dev").

Platform requirements (``php``, ``ext-*``, ``lib-*``, ``composer-*``...) are skipped: real packages
are always ``vendor/name``. ``version`` only for an exact ``1.2.3``/``v1.2.3``/``=1.2.3``.
Lines: each package's key.
"""

from __future__ import annotations

from typing import List

from provider_audit.extractors._lines import json_document, pinned_version
from provider_audit.extractors._util import expect, get
from provider_audit.extractors.base import Extractor
from provider_audit.models import Dependency


def extract(relpath: str, text: str) -> List[Dependency]:
    data, positions = json_document(text)
    deps = []
    for section, group in (("require", None), ("require-dev", "dev")):
        for name, spec in get(data, section, dict, f'"{section}"').items():
            spec = expect(spec, str, f'"{section}" "{name}"')
            if "/" in name:
                line, column = positions.at(section, name)
                deps.append(Dependency(name=name, ecosystem="composer", line=line, column=column, specifier=spec,
                                       version=pinned_version(spec, prefixes=("==", "=", "v")), group=group))
    return deps


EXTRACTOR = Extractor(name="composer/composer-json", ecosystem="composer", filenames=("composer.json",),
                      extract=extract)
