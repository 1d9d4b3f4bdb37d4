"""packages.config (legacy NuGet): ``<package id="..." version="..."/>`` entries, each pinned to its
version; ``developmentDependency="true"`` gives group "dev". XML safety: see ``_xml``.
Lines: each ``<package>``.
"""

from __future__ import annotations

from typing import List

from provider_audit.extractors._lines import pinned_version
from provider_audit.extractors._xml import parse_xml
from provider_audit.extractors.base import Extractor, ParseError
from provider_audit.models import Dependency


def extract(relpath: str, text: str) -> List[Dependency]:
    packages = parse_xml(text, "packages", "a packages.config")
    if packages is None:
        return []
    deps = []
    for package in packages.findall("package"):
        name, spec = package.attrib.get("id", "").strip(), package.attrib.get("version", "").strip()
        if not name:
            raise ParseError(f"line {package.line}: <package> without id")
        deps.append(Dependency(name=name, ecosystem="nuget", line=package.line, column=package.column, specifier=spec,
                               version=pinned_version(spec),
                               group="dev" if package.attrib.get("developmentDependency") == "true" else None))
    return deps


EXTRACTOR = Extractor(name="nuget/packages-config", ecosystem="nuget", filenames=("packages.config",), extract=extract)
