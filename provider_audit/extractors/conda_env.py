"""Conda environment files (environment*.yml/yaml, conda.yml/yaml): ``dependencies`` and its ``pip:`` list.

Conda-channel packages are reported with ecosystem "pypi" too: the LLM SDKs have the same names on
conda-forge. ``python`` itself is not reported. A conda spec (``channel::name>=1.0``, ``name=1.2``,
``name 1.2 build``) keeps everything after the name as its specifier; version only for ``==X`` or
``=X=build``. pip entries are read like requirements.txt lines. A mapping without ``dependencies``
(some other YAML with this name) yields nothing. Lines: each entry's text searched in order after
the ``dependencies:`` line.
"""

from __future__ import annotations

import re
from typing import List

from provider_audit.extractors._lines import load_yaml
from provider_audit.extractors._util import Scope, expect, from_requirement, get, literal
from provider_audit.extractors.base import Extractor
from provider_audit.extractors.requirements_txt import parse_line
from provider_audit.models import Dependency

CONDA_SPEC = re.compile(r"^(?:[^\s:]+::)?(?P<name>[A-Za-z0-9_][A-Za-z0-9_.-]*)\s*(?P<spec>.*)$")
EXACT = re.compile(r"^(?:==(?P<pinned>[^=<>!~*,|\s]+)|=(?P<built>[^=<>!~*,|\s]+)=\S+)$")


def extract(relpath: str, text: str) -> List[Dependency]:
    data = load_yaml(text)
    if data is None:
        return []
    entries = expect(data, dict, "the top level").get("dependencies")
    if entries is None:
        return []
    scope = Scope(text).at(r"^dependencies[ \t]*:")
    deps = []
    for entry in expect(entries, list, "dependencies"):
        if isinstance(entry, dict) and "pip" in entry:
            for pip_entry in get(entry, "pip", list, "the pip: list"):
                kind, req = parse_line(expect(pip_entry, str, "a pip: entry").strip())
                if kind == "req":
                    deps.append(from_requirement(req, scope.find(literal(pip_entry.strip()))))
            continue
        spec = CONDA_SPEC.match(expect(entry, str, "a dependencies entry").strip())
        if not spec or spec.group("name") == "python":
            continue
        specifier = spec.group("spec").strip()
        exact = EXACT.match(specifier)
        version = exact and (exact.group("pinned") or exact.group("built"))
        line, column = scope.find(literal(entry.strip()))
        deps.append(Dependency(name=spec.group("name"), ecosystem="pypi", line=line, column=column,
                               specifier=specifier, version=version))
    return deps


EXTRACTOR = Extractor(name="python/conda-environment", ecosystem="pypi", extract=extract,
                      filenames=("environment*.yml", "environment*.yaml", "conda.yml", "conda.yaml"))
