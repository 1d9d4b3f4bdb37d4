"""Gradle build scripts (Groovy and Kotlin DSL): dependency declarations with literal coordinates.

Read by regular expression over the script with comments blanked out: a configuration
(``implementation``, ``api``, ``compileOnly``, ``runtimeOnly``, ``annotationProcessor``, ``kapt``,
``ksp``, and any ``xxxImplementation``-style name; ``test``/``androidTest`` ones give group "test")
followed by ``"group:artifact[:version]"`` (also inside ``platform(...)``/``enforcedPlatform(...)``)
or by ``group: 'g', name: 'a', version: 'v'`` / ``group = "g", name = "a"`` arguments. Version
catalog references (``libs.openai``) are left to the catalog extractor, ``project(...)`` and
computed coordinates are skipped. ``specifier`` is the version as written (``$var`` too),
``version`` when it is a plain version. Lines: each coordinate (or ``group``) string.
"""

from __future__ import annotations

import re
from typing import List

from provider_audit.extractors._lines import LineIndex, blank_comments, pinned_version
from provider_audit.extractors.base import Extractor
from provider_audit.models import Dependency

_CONFIGURATION = (r"(?:api|implementation|compile|runtime|compileOnly|runtimeOnly|annotationProcessor|kapt|ksp"
                  r"|[a-z]\w*(?:Implementation|Api|CompileOnly|RuntimeOnly|AnnotationProcessor))")
_DECLARATION = re.compile(
    rf"\b(?P<conf>{_CONFIGURATION})\s*(?:\(\s*)?(?:(?:platform|enforcedPlatform)\s*\(\s*)?"
    r"""(?:(?P<q>["'])(?P<coordinates>[^"'\n]*)(?P=q)|(?=group\s*[:=]))""")
_ARGUMENTS_SPAN = 500  # characters searched for group/name/version arguments
_ARGUMENT = re.compile(r"""\b(group|name|version)\s*[:=]\s*(["'])([^"'\n]*)\2""")


def extract(relpath: str, text: str) -> List[Dependency]:
    code = blank_comments(text)
    where = LineIndex(text)
    deps = []
    for match in _DECLARATION.finditer(code):
        if match.group("q"):
            parts = [p.split("@", 1)[0] for p in match.group("coordinates").split(":")]
            start = match.start("coordinates")
        else:
            limit = match.end() + _ARGUMENTS_SPAN
            end = code.find("\n", match.end(), limit)  # the rest of the line, within bounds
            arguments = {m.group(1): m for m in _ARGUMENT.finditer(code, match.end(), limit if end < 0 else end)}
            parts = [arguments[k].group(3) if k in arguments else "" for k in ("group", "name", "version")]
            start = arguments["group"].start(3) if "group" in arguments else match.end()
        if len(parts) < 2 or not parts[0] or not parts[1] or "$" in parts[0] + parts[1]:
            continue
        spec = parts[2] if len(parts) > 2 else ""
        line, column = where(start)
        group = "test" if match.group("conf").startswith(("test", "androidTest")) else None
        deps.append(Dependency(name=f"{parts[0]}:{parts[1]}", ecosystem="maven", line=line, column=column,
                               specifier=spec, version=pinned_version(spec), group=group))
    return deps


EXTRACTOR = Extractor(name="maven/gradle", ecosystem="maven", filenames=("*.gradle", "*.gradle.kts"), extract=extract)
