"""Pipfile (TOML): ``[packages]``, ``[dev-packages]`` (group "dev") and custom categories (group = name).

Values are a specifier string ("*" means none) or a table with ``version``/``extras``. Lines: the
``name =`` key within the category's section. A TOML file with none of ``[packages]``,
``[dev-packages]``, ``[[source]]`` or ``[requires]`` is rejected as not a Pipfile.
"""

from __future__ import annotations

from typing import List

from provider_audit.extractors._util import expect, get, key, load_toml, strings, toml_table, version_of
from provider_audit.extractors.base import Extractor, ParseError
from provider_audit.models import Dependency

NOT_CATEGORIES = ("source", "requires", "scripts", "pipenv")


def extract(relpath: str, text: str) -> List[Dependency]:
    data = load_toml(text)
    if data and not any(k in data for k in ("packages", "dev-packages", "source", "requires")):
        raise ParseError("no [packages], [dev-packages], [[source]] or [requires]: not a Pipfile")
    deps = []
    for category, packages in data.items():
        if category in NOT_CATEGORIES:
            continue
        scope = toml_table(text, category)
        for name, value in expect(packages, dict, f"[{category}]").items():
            where = f"[{category}] {name}"
            extras: List[str] = []
            if isinstance(value, dict):
                extras = strings(value, "extras", f"{where} extras")
                value = get(value, "version", str, f"{where} version")
            specifier = expect(value, str, where).strip()
            specifier = "" if specifier == "*" else specifier
            line, column = scope.find(key(name))
            deps.append(Dependency(name=name, ecosystem="pypi", line=line, column=column, specifier=specifier,
                                   version=version_of(specifier),
                                   group={"packages": None, "dev-packages": "dev"}.get(category, category),
                                   extras=tuple(sorted(extras))))
    return deps


EXTRACTOR = Extractor(name="python/pipfile", ecosystem="pypi", filenames=("Pipfile",), extract=extract)
