"""poetry.lock (TOML ``[[package]]`` entries, all direct=False: the lock doesn't say which were declared).

Group: None for "main", else the ``groups`` (Poetry 2, comma-joined) or ``category`` (Poetry < 1.5).
Line: the package's ``name = "..."`` line, found in order so repeated names get their own lines.
"""

from __future__ import annotations

from typing import List

from provider_audit.extractors._util import Scope, expect, get, load_toml, name_line, strings
from provider_audit.extractors.base import Extractor, ParseError
from provider_audit.models import Dependency


def extract(relpath: str, text: str) -> List[Dependency]:
    data = load_toml(text)
    if data and "package" not in data and "metadata" not in data:
        raise ParseError("no [[package]] or [metadata]: not a poetry.lock")
    scope = Scope(text)
    deps = []
    for package in get(data, "package", list, "package"):
        expect(package, dict, "a [[package]] entry")
        name = expect(package.get("name"), str, "a [[package]] name")
        where = f"[[package]] {name}"
        groups = strings(package, "groups", f"{where} groups")
        groups = groups or [get(package, "category", str, f"{where} category") or "main"]
        line, column = scope.find(name_line(name))
        deps.append(Dependency(name=name, ecosystem="pypi", line=line, column=column,
                               version=expect(package.get("version"), str, f"{where} version"), direct=False,
                               group=None if "main" in groups else ",".join(groups)))
    return deps


EXTRACTOR = Extractor(name="python/poetry-lock", ecosystem="pypi", filenames=("poetry.lock",),
                      extract=extract, lockfile=True)
