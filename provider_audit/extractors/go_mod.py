"""go.mod: ``require`` lines and blocks, and ``replace`` directives.

A requirement marked ``// indirect`` is direct=False. ``specifier`` is the version as written
(``v1.2.3``) and ``version`` the same without its ``v``: Go selects exactly the listed versions.
``replace old [v] => new v`` also reports ``new`` (direct as ``old`` is, False if ``old`` is not
required); a replacement by a local directory adds nothing. Unknown directives, unterminated
blocks and malformed lines are ParseErrors, as for ``go`` itself. Lines: each module path.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Dict, List, Optional, Tuple

from provider_audit.extractors.base import Extractor, ParseError
from provider_audit.models import Dependency

_DIRECTIVES = frozenset({"module", "go", "toolchain", "godebug", "require", "replace", "exclude", "retract",
                         "tool", "ignore"})


def _module(raw: str, field: str) -> Tuple[str, int]:
    """A module path, unquoted, and its column on the line."""
    return field.strip('"`'), raw.find(field) + 1 + (field[:1] in '"`')


def _version(field: str, number: int) -> str:
    if not field.startswith("v"):
        raise ParseError(f"line {number}: {field!r} is not a version (vX.Y.Z)")
    return field


def extract(relpath: str, text: str) -> List[Dependency]:
    required: Dict[str, Dependency] = {}
    replaced: List[Tuple[str, Dependency]] = []
    block: Optional[str] = None
    for number, raw in enumerate(text.splitlines(), 1):
        code, _, comment = raw.partition("//")
        fields = code.replace("(", " ( ").replace(")", " ) ").split()
        if not fields:
            continue
        if block is None:
            directive = fields.pop(0)
            if directive not in _DIRECTIVES:
                raise ParseError(f"line {number}: unknown directive {directive!r}")
            if fields == ["("]:
                block = directive
                continue
        elif fields == [")"]:
            block = None
            continue
        else:
            directive = block
        if directive == "require":
            if len(fields) != 2:
                raise ParseError(f"line {number}: expected 'require module version'")
            name, column = _module(raw, fields[0])
            indirect = comment.strip().split(";")[0].strip() == "indirect"
            required[name] = Dependency(name=name, ecosystem="go", line=number, column=column, specifier=fields[1],
                                        version=_version(fields[1], number)[1:], direct=not indirect)
        elif directive == "replace":
            arrow = fields.index("=>") if "=>" in fields else 0
            target = fields[arrow + 1:]
            if arrow not in (1, 2) or len(target) not in (1, 2):
                raise ParseError(f"line {number}: expected 'replace module [version] => target [version]'")
            if len(target) == 2:  # a module; a lone target is a local directory
                name, column = _module(raw, target[0])
                replaced.append((fields[0].strip('"`'), Dependency(
                    name=name, ecosystem="go", line=number, column=column, specifier=target[1],
                    version=_version(target[1], number)[1:])))
    if block is not None:
        raise ParseError(f"unterminated {block} ( block")
    deps = list(required.values())
    deps += [replace(dep, direct=old in required and required[old].direct) for old, dep in replaced]
    return deps


EXTRACTOR = Extractor(name="go/go-mod", ecosystem="go", filenames=("go.mod",), extract=extract)
