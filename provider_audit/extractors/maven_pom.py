"""pom.xml: ``dependencies`` and ``dependencyManagement`` (group "managed"), of the project and of
its profiles; plugin dependencies are not read.

Name ``groupId:artifactId``. ``${property}`` references (in names too) are resolved from
``<properties>`` and ``project.version``/``groupId`` (falling back to the parent's); what stays
unresolved is kept as written. ``specifier`` is the resolved version text, ``version`` that text
when it is a plain (or ``[1.2.3]``) version, as Maven resolves it. group: the scope unless compile,
else "optional" for ``<optional>true``. XML safety: see ``_xml``. Lines: each ``<artifactId>``.
"""

from __future__ import annotations

import re
from typing import List

from provider_audit.extractors._lines import pinned_version
from provider_audit.extractors._xml import expand, parse_xml
from provider_audit.extractors.base import Extractor, ParseError
from provider_audit.models import Dependency

_PROPERTY = re.compile(r"\$\{([^}]+)\}")
_LISTS = (("dependencies/dependency", False), ("dependencyManagement/dependencies/dependency", True))  # (path, managed)


def extract(relpath: str, text: str) -> List[Dependency]:
    project = parse_xml(text, "project", "a Maven POM")
    if project is None:
        return []
    properties = {p.tag: p.text.strip() for p in project.findall("properties/*")}
    for key in ("groupId", "artifactId", "version"):
        properties.setdefault(f"project.{key}", project.findtext(key) or project.findtext(f"parent/{key}"))
    properties.setdefault("project.parent.version", project.findtext("parent/version"))
    deps = []
    for holder in [project] + project.findall("profiles/profile"):
        for path, managed in _LISTS:
            for dep in holder.findall(path):
                group_id, artifact_id, spec = (expand(dep.findtext(t), properties, _PROPERTY)
                                               for t in ("groupId", "artifactId", "version"))
                if not group_id or not artifact_id:
                    raise ParseError(f"line {dep.line}: <dependency> without groupId or artifactId")
                scope = dep.findtext("scope")
                group = "managed" if managed else scope if scope not in ("", "compile") else (
                    "optional" if dep.findtext("optional") == "true" else None)
                where = dep.find("artifactId")
                deps.append(Dependency(name=f"{group_id}:{artifact_id}", ecosystem="maven", line=where.line,
                                       column=where.column, specifier=spec,
                                       version=pinned_version(spec, brackets=True), group=group))
    return deps


EXTRACTOR = Extractor(name="maven/pom", ecosystem="maven", filenames=("pom.xml",), extract=extract)
