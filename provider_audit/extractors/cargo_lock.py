"""Cargo.lock: every ``[[package]]`` with its version, direct=False (the lock doesn't say which the
project declared; Cargo.toml does). Lines: each package's ``name = "..."`` line, found in order.
"""

from __future__ import annotations

from typing import List

from provider_audit.extractors._util import Scope, expect, get, load_toml, name_line
from provider_audit.extractors.base import Extractor, ParseError
from provider_audit.models import Dependency


def extract(relpath: str, text: str) -> List[Dependency]:
    data = load_toml(text)
    if data and "version" not in data and "package" not in data:
        raise ParseError("no version or [[package]]: not a Cargo.lock")
    scope = Scope(text)
    deps = []
    for package in get(data, "package", list, "[[package]]"):
        name = expect(expect(package, dict, "a [[package]] entry").get("name"), str, "a [[package]] name")
        line, column = scope.find(name_line(name))
        deps.append(Dependency(name=name, ecosystem="crates", line=line, column=column,
                               version=get(package, "version", str, f"[[package]] {name} version") or None,
                               direct=False))
    return deps


EXTRACTOR = Extractor(name="crates/cargo-lock", ecosystem="crates", filenames=("Cargo.lock",), extract=extract,
                      lockfile=True)
