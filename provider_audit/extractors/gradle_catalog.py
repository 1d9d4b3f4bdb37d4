"""Gradle version catalogs (gradle/libs.versions.toml and other ``*.versions.toml``): ``[libraries]``.

An entry is ``"group:artifact:version"``, or a table with ``module = "group:artifact"`` or
``group``/``name``, and ``version = "..."``, ``version.ref`` (resolved from ``[versions]``; an unknown
ref is a ParseError, as for Gradle) or a rich version (``strictly``, then ``require``, then
``prefer``). ``version`` only for a plain version. Lines: each library's key in ``[libraries]``.
"""

from __future__ import annotations

from typing import List

from provider_audit.extractors._lines import pinned_version
from provider_audit.extractors._util import expect, get, key, load_toml, toml_table
from provider_audit.extractors.base import Extractor, ParseError
from provider_audit.models import Dependency


def _rich(version: object, where: str) -> str:
    """The version text of a plain or rich (``{strictly|require|prefer = ...}``) version."""
    if isinstance(version, str):
        return version
    version = expect(version, dict, where)
    return next((version[k] for k in ("strictly", "require", "prefer") if isinstance(version.get(k), str)), "")


def extract(relpath: str, text: str) -> List[Dependency]:
    data = load_toml(text)
    versions = get(data, "versions", dict, "[versions]")
    scope = toml_table(text, "libraries")
    deps = []
    for alias, entry in get(data, "libraries", dict, "[libraries]").items():
        where = f"library {alias!r}"
        if isinstance(entry, str):
            parts = entry.split(":")
            module, spec = ":".join(parts[:2]), ":".join(parts[2:])
        else:
            entry = expect(entry, dict, where)
            module = get(entry, "module", str, f"{where} module") or (
                f'{get(entry, "group", str, f"{where} group")}:{get(entry, "name", str, f"{where} name")}')
            version = entry.get("version")
            if isinstance(version, dict) and "ref" in version:
                ref = expect(version["ref"], str, f"{where} version.ref")
                if ref not in versions:
                    raise ParseError(f"{where}: unknown version.ref {ref!r}")
                version = versions[ref]
            spec = "" if version is None else _rich(version, f"{where} version")
        group_id, _, artifact_id = module.partition(":")
        if not group_id or not artifact_id or ":" in artifact_id:
            raise ParseError(f"{where}: {module!r} is not 'group:artifact'")
        line, column = scope.find(key(alias))
        deps.append(Dependency(name=module, ecosystem="maven", line=line, column=column, specifier=spec,
                               version=pinned_version(spec)))
    return deps


EXTRACTOR = Extractor(name="maven/gradle-catalog", ecosystem="maven", filenames=("*.versions.toml",), extract=extract)
