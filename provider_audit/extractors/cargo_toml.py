"""Cargo.toml: ``[dependencies]``, ``[dev-dependencies]`` (group "dev"), ``[build-dependencies]``
("build"), the same under ``[target.'cfg(...)'.*]``, and ``[workspace.dependencies]`` ("managed").

A dependency is ``"range"`` or a table (``version``, ``package``, ``features``, ``optional``,
``workspace = true``...). ``package = "real-name"`` renames: the real name is reported. ``features``
go in ``extras``; ``optional = true`` gives group "optional" in ``[dependencies]``. ``version`` only
for ``=x.y.z``: a bare ``1.2.3`` is a caret range in Cargo. Lines: each key in its table.
"""

from __future__ import annotations

from typing import List, Optional, Tuple

from provider_audit.extractors._lines import pinned_version
from provider_audit.extractors._util import expect, get, key, load_toml, toml_table
from provider_audit.extractors.base import Extractor
from provider_audit.models import Dependency

_KINDS = (("dependencies", None), ("dev-dependencies", "dev"), ("build-dependencies", "build"))


def extract(relpath: str, text: str) -> List[Dependency]:
    data = load_toml(text)
    tables: List[Tuple[Tuple[str, ...], Optional[str]]] = [((kind,), group) for kind, group in _KINDS]
    for cfg in get(data, "target", dict, "[target]"):
        tables += [(("target", cfg, kind), group) for kind, group in _KINDS]
    tables.append((("workspace", "dependencies"), "managed"))
    deps = []
    for path, group in tables:
        table = data
        for depth, part in enumerate(path, 1):
            table = get(table, part, dict, f"[{'.'.join(path[:depth])}]")
        scope = toml_table(text, *path)
        for name, value in table.items():
            where = f"[{'.'.join(path)}] {name}"
            if isinstance(value, str):
                value = {"version": value}
            value = expect(value, dict, where)
            features = get(value, "features", list, f"{where} features")
            spec = get(value, "version", str, f"{where} version")
            line, column = scope.find(key(name))
            deps.append(Dependency(
                name=get(value, "package", str, f"{where} package") or name, ecosystem="crates", line=line,
                column=column, specifier=spec, version=pinned_version(spec, prefixes=("=",), bare=False, parts=3),
                group=group or ("optional" if value.get("optional") is True else None),
                extras=tuple(expect(f, str, f"{where} feature") for f in features)))
    return deps


EXTRACTOR = Extractor(name="crates/cargo-toml", ecosystem="crates", filenames=("Cargo.toml",), extract=extract)
