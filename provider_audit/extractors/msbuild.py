"""MSBuild project files: *.csproj, *.fsproj, *.vbproj, Directory.Build.props/.targets and
Directory.Packages.props (central package management).

Items anywhere in the project: ``PackageReference`` and ``GlobalPackageReference`` (references),
``PackageVersion`` (central versions: group "managed"); ``Include`` names the package (``Update``/
``Remove`` items change existing ones and are skipped). The version is the ``VersionOverride``
or ``Version`` attribute or child element, ``$(Property)`` resolved from the project's
``PropertyGroup``s (same file only). ``version`` for a plain or ``[1.2.3]`` version: NuGet restores
the lowest version allowed, which for ``1.2.3`` is 1.2.3. XML safety: see ``_xml``. Lines: each item.
"""

from __future__ import annotations

import re
from typing import List

from provider_audit.extractors._lines import pinned_version
from provider_audit.extractors._xml import expand, parse_xml
from provider_audit.extractors.base import Extractor
from provider_audit.models import Dependency

_PROPERTY = re.compile(r"\$\(([^)]+)\)")
_ITEMS = {"PackageReference": None, "GlobalPackageReference": None, "PackageVersion": "managed"}


def extract(relpath: str, text: str) -> List[Dependency]:
    project = parse_xml(text, "Project", "an MSBuild project")
    if project is None:
        return []
    properties = {p.tag: p.text.strip() for p in project.findall("PropertyGroup/*")}
    deps = []
    for item in project.iter():
        if item.tag not in _ITEMS or not item.attrib.get("Include"):
            continue
        spec = next((v for v in (item.attrib.get("VersionOverride"), item.findtext("VersionOverride"),
                                 item.attrib.get("Version"), item.findtext("Version")) if v), "")
        spec = expand(spec.strip(), properties, _PROPERTY)
        for name in expand(item.attrib["Include"], properties, _PROPERTY).split(";"):
            if name.strip():
                deps.append(Dependency(name=name.strip(), ecosystem="nuget", line=item.line, column=item.column,
                                       specifier=spec, version=pinned_version(spec, brackets=True),
                                       group=_ITEMS[item.tag]))
    return deps


EXTRACTOR = Extractor(name="nuget/msbuild", ecosystem="nuget",
                      filenames=("*.csproj", "*.fsproj", "*.vbproj", "Directory.Packages.props",
                                 "Directory.Build.props", "Directory.Build.targets"),
                      extract=extract)
