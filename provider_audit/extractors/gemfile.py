"""Gemfile (and gems.rb): ``gem "name", "constraint", ..., options`` lines.

Read line by line, by regular expression (it is Ruby; nothing is evaluated). Groups come from
``group :a, :b do ... end`` blocks (nested ``do``/``end`` and ``if``... blocks are tracked) or a
``group:``/``groups:`` option, several joined with ","; ``#`` and ``=begin``/``=end`` comments are
skipped. ``specifier`` joins the constraints with ", "; ``version`` only for a single exact one
(``"1.2.3"`` or ``"= 1.2.3"``). A ``gem`` line whose name string is unterminated is a ParseError;
gems named by variables are skipped. Lines: each ``gem`` line.
"""

from __future__ import annotations

import re
from typing import List, Optional

from provider_audit.extractors._lines import pinned_version
from provider_audit.extractors.base import Extractor, ParseError
from provider_audit.models import Dependency

_GEM = re.compile(r"""^\s*gem\s*(?:\(\s*)?(["'])(?P<name>[^"'\s]+)\1(?P<rest>.*)$""")
_GEM_STRING = re.compile(r"""^\s*gem\s*(?:\(\s*)?["']""")
_CONSTRAINT = re.compile(r"""\s*,\s*(["'])([^"']*)\1""")
_GROUP_OPTION = re.compile(r""",\s*(?:groups?:|:groups?\s*=>)\s*(\[[^\]]*\]|:\w+|["'][^"']*["'])""")
_GROUP_BLOCK = re.compile(r"^\s*group\b(?P<names>.*?)\bdo\b")
_NAMES = re.compile(r""":(\w+)|["'](\w+)["']""")
_OPENS = re.compile(r"\bdo\s*(?:\|[^|]*\|\s*)?(?:#.*)?$|^\s*(?:if|unless|case|while|until|begin|def|class|module)\b")
_ENDS = re.compile(r"^\s*end\b")


def _names(text: str) -> Optional[str]:
    return ",".join(a or b for a, b in _NAMES.findall(text)) or None


def extract(relpath: str, text: str) -> List[Dependency]:
    deps = []
    blocks: List[Optional[str]] = []  # the group each open block sets, None if not a group block
    in_comment = False
    for number, line in enumerate(text.splitlines(), 1):
        if in_comment or line.startswith("=begin"):
            in_comment = not line.startswith("=end")
            continue
        if line.lstrip().startswith("#"):
            continue
        if _ENDS.match(line):
            blocks = blocks[:-1]
            continue
        gem = _GEM.match(line)
        if not gem and _GEM_STRING.match(line):
            raise ParseError(f"line {number}: unterminated gem name")
        if _OPENS.search(line):
            group_block = _GROUP_BLOCK.match(line)
            blocks.append(_names(group_block.group("names")) if group_block else None)
        if not gem:
            continue
        rest, end, constraints = gem.group("rest"), 0, []
        while constraint := _CONSTRAINT.match(rest, end):
            constraints.append(constraint.group(2).strip())
            end = constraint.end()
        option = _GROUP_OPTION.search(rest, end)
        group = _names(option.group(1)) if option else next((g for g in reversed(blocks) if g), None)
        exact = pinned_version(constraints[0], prefixes=("=",)) if len(constraints) == 1 else None
        deps.append(Dependency(name=gem.group("name"), ecosystem="rubygems", line=number,
                               column=gem.start("name") + 1, specifier=", ".join(constraints), version=exact,
                               group=group))
    return deps


EXTRACTOR = Extractor(name="rubygems/gemfile", ecosystem="rubygems", filenames=("Gemfile", "gems.rb"), extract=extract)
