"""setup.cfg: ``[options] install_requires`` and ``[options.extras_require]`` (group = extra).

Read with configparser (no interpolation) and split like setuptools: one requirement a line, or ``;``
between them when the value is on one line. Lines that aren't PEP 508 are skipped. Lines are found by
searching each requirement's text after its key within its section.
"""

from __future__ import annotations

import configparser
import re
from typing import List

from provider_audit.extractors._util import (COMMENT, Scope, from_requirement, key, literal,
                                             parse_requirement, reason, section)
from provider_audit.extractors.base import Extractor, ParseError
from provider_audit.models import Dependency


def extract(relpath: str, text: str) -> List[Dependency]:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keep extras' case
    try:
        parser.read_string(text)
    except configparser.Error as exc:
        raise ParseError(f"invalid setup.cfg: {reason(exc)}") from exc
    wanted = [("options", "install_requires", None)]
    if parser.has_section("options.extras_require"):
        wanted += [("options.extras_require", extra, extra) for extra in parser["options.extras_require"]]
    deps = []
    for name, option, group in wanted:
        if not parser.has_option(name, option):
            continue
        scope = (section(text, re.escape(name)) or Scope(text)).at(key(option, "=:"))
        value = parser.get(name, option)
        for raw in value.splitlines() if "\n" in value else value.split(";"):
            line = COMMENT.sub("", raw).strip()
            req = parse_requirement(line) if line else None
            if req:
                deps.append(from_requirement(req, scope.find(literal(line)), group=group))
    return deps


EXTRACTOR = Extractor(name="python/setup-cfg", ecosystem="pypi", filenames=("setup.cfg",), extract=extract)
