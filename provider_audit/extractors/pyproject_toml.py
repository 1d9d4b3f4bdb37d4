"""pyproject.toml: PEP 621, PEP 735 groups, Poetry, PDM and uv dependency tables.

TOML parsers give no positions, so lines come from searching the raw text: within the table's section
(its ``[header]`` line to the next header), from the array's ``key =`` line, for the quoted name
(PEP 508 strings) or the ``name =`` key (Poetry); a repeated name takes the next hit. Failing that,
the line of the key, then of the header or of the nearest ancestor header (tables written inline or as
dotted keys), then line 1. PEP 508 strings that don't parse are skipped. ``[tool.uv.sources]`` only
says where declared packages come from; Dependency has no field for that, so it is not read.
Groups: extras and group names as written; Poetry/uv ``dev-dependencies`` are "dev"; Poetry
``optional = true`` main deps take the ``[tool.poetry.extras]`` name listing them, else "optional".
"""

from __future__ import annotations

from typing import Dict, Iterator, List, Optional, Tuple

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from provider_audit.extractors._util import (expect, from_requirement, get, key, load_toml, parse_requirement,
                                             quoted, strings, toml_table)
from provider_audit.extractors.base import Extractor
from provider_audit.models import Dependency


def _pep508(text: str, value: object, table: Tuple[str, ...], name: str, group: Optional[str],
             includes_ok: bool = False) -> Iterator[Dependency]:
    where = f"[{'.'.join(table)}] {name}"
    scope = toml_table(text, *table).at(key(name))
    for item in [] if value is None else expect(value, list, where):
        if includes_ok and isinstance(item, dict) and "include-group" in item:
            continue
        req = parse_requirement(expect(item, str, f"an entry of {where}"))
        if req:
            yield from_requirement(req, scope.find(quoted(req.name)), group=group)


def _poetry_version(specifier: str) -> Optional[str]:
    """Poetry pins with a bare version or ``==``/``=`` before it."""
    pinned = specifier.lstrip("=").strip()
    try:
        Version(pinned)
    except InvalidVersion:
        return None
    return pinned


def _poetry(text: str, deps: object, table: Tuple[str, ...], group: Optional[str],
            extras_of: Dict[str, str]) -> Iterator[Dependency]:
    where = f"[{'.'.join(table)}]"
    scope = toml_table(text, *table)
    for name, value in expect(deps, dict, where).items():
        if name == "python":
            continue
        versions, extras, optional = [], [], False
        for constraint in value if isinstance(value, list) else [value]:
            if isinstance(constraint, dict):
                extras += strings(constraint, "extras", f"{where} {name} extras")
                optional = optional or constraint.get("optional") is True
                constraint = get(constraint, "version", str, f"{where} {name} version")
            versions.append(expect(constraint, str, f"{where} {name}").strip())
        specifier = " || ".join(dict.fromkeys(v for v in versions if v not in ("", "*")))
        dep_group = group or (extras_of.get(canonicalize_name(name), "optional") if optional else None)
        line, column = scope.find(key(name))
        yield Dependency(name=name, ecosystem="pypi", line=line, column=column, specifier=specifier,
                         version=_poetry_version(specifier) if len(versions) == 1 else None,
                         group=dep_group, extras=tuple(sorted(set(extras))))


def _dependencies(text: str) -> Iterator[Dependency]:
    data = load_toml(text)
    project = get(data, "project", dict, "[project]")
    yield from _pep508(text, project.get("dependencies"), ("project",), "dependencies", None)
    for extra, reqs in get(project, "optional-dependencies", dict, "[project.optional-dependencies]").items():
        yield from _pep508(text, reqs, ("project", "optional-dependencies"), extra, extra)
    for group, reqs in get(data, "dependency-groups", dict, "[dependency-groups]").items():
        yield from _pep508(text, reqs, ("dependency-groups",), group, group, includes_ok=True)

    tool = get(data, "tool", dict, "[tool]")
    poetry = get(tool, "poetry", dict, "[tool.poetry]")
    extras = get(poetry, "extras", dict, "[tool.poetry.extras]")
    extras_of: Dict[str, str] = {}
    for extra in extras:
        for name in strings(extras, extra, f"[tool.poetry.extras] {extra}"):
            extras_of.setdefault(canonicalize_name(name), extra)
    for table, group in (("dependencies", None), ("dev-dependencies", "dev")):
        if table in poetry:
            yield from _poetry(text, poetry[table], ("tool", "poetry", table), group, extras_of)
    for group, table in get(poetry, "group", dict, "[tool.poetry.group]").items():
        deps = get(expect(table, dict, f"[tool.poetry.group.{group}]"), "dependencies", dict,
                   f"[tool.poetry.group.{group}.dependencies]")
        yield from _poetry(text, deps, ("tool", "poetry", "group", group, "dependencies"), group, extras_of)

    pdm = get(tool, "pdm", dict, "[tool.pdm]")
    for group, reqs in get(pdm, "dev-dependencies", dict, "[tool.pdm.dev-dependencies]").items():
        yield from _pep508(text, reqs, ("tool", "pdm", "dev-dependencies"), group, group)
    uv = get(tool, "uv", dict, "[tool.uv]")
    yield from _pep508(text, uv.get("dev-dependencies"), ("tool", "uv"), "dev-dependencies", "dev")


def extract(relpath: str, text: str) -> List[Dependency]:
    return list(_dependencies(text))


EXTRACTOR = Extractor(name="python/pyproject", ecosystem="pypi", filenames=("pyproject.toml",),
                      extract=extract)
