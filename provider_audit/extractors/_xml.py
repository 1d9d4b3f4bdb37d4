"""Safe XML for manifests: refuse DTDs, then parse with expat into a small tree that keeps line numbers.

A document containing ``<!DOCTYPE`` or ``<!ENTITY`` (any case) is refused before parsing, which rules
out entity expansion (billion laughs) and external entities without a new dependency. As a second
guard expat never reads parameter entities, and a DTD or entity declaration reaching the parser
still aborts it. ElementTree keeps no line numbers, hence the tree here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, Iterator, List, Optional
from xml.parsers import expat

from provider_audit.extractors.base import ParseError

REFUSED = "DOCTYPE/entity declarations are not allowed"
_DECLARATION = re.compile(r"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)


@dataclass
class Element:
    tag: str  # local name, without its namespace
    attrib: Dict[str, str]
    line: int
    column: int  # of the "<", 1-based
    children: List["Element"] = field(default_factory=list)
    chunks: List[str] = field(default_factory=list)  # the character data directly inside

    @property
    def text(self) -> str:
        return "".join(self.chunks)

    def findall(self, path: str) -> List["Element"]:
        """Descendants along ``a/b/c`` (``*`` matches any tag), as ElementTree's findall."""
        found = [self]
        for tag in path.split("/"):
            found = [child for parent in found for child in parent.children if tag in ("*", child.tag)]
        return found

    def find(self, path: str) -> Optional["Element"]:
        found = self.findall(path)
        return found[0] if found else None

    def findtext(self, path: str) -> str:
        """The trimmed text of the first match, "" if none."""
        found = self.find(path)
        return found.text.strip() if found is not None else ""

    def iter(self) -> Iterator["Element"]:
        """This element and all its descendants, in document order."""
        stack = [self]
        while stack:
            element = stack.pop()
            yield element
            stack.extend(reversed(element.children))


def parse_xml(text: str, root: str, what: str) -> Optional[Element]:
    """The root element, which must be ``<root>`` (``what`` names the format in errors); None for blank text."""
    if not text.strip():
        return None
    if _DECLARATION.search(text):
        raise ParseError(REFUSED)
    parser = expat.ParserCreate(namespace_separator="}")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.buffer_text = True
    top: List[Element] = []
    stack: List[Element] = []

    def start(name: str, attributes: Dict[str, str]) -> None:
        element = Element(_local(name), {_local(k): v for k, v in attributes.items()},
                          parser.CurrentLineNumber, parser.CurrentColumnNumber + 1)
        (stack[-1].children if stack else top).append(element)
        stack.append(element)

    def characters(data: str) -> None:
        if stack:
            stack[-1].chunks.append(data)

    def refuse(*_: object) -> None:
        raise ParseError(REFUSED)

    parser.StartElementHandler = start
    parser.EndElementHandler = lambda name: stack.pop()
    parser.CharacterDataHandler = characters
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    try:
        parser.Parse(text, True)
    except expat.ExpatError as exc:
        raise ParseError(f"invalid XML at line {exc.lineno}: {expat.ErrorString(exc.code)}") from exc
    except ValueError as exc:  # text expat cannot take (lone surrogates)
        raise ParseError("invalid XML: text is not encodable") from exc
    if top[0].tag != root:
        raise ParseError(f"root element is <{top[0].tag}>, not <{root}>: not {what}")
    return top[0]


def expand(value: str, properties: Dict[str, str], reference: "re.Pattern[str]") -> str:
    """``value`` with property references (``reference`` group 1 is the name) replaced, nested ones
    too; stops rather than grow past 256 characters (no property bombs), unknown names stay."""
    for _ in range(8):
        expanded = reference.sub(lambda m: properties.get(m.group(1), m.group(0)), value)
        if expanded == value or len(expanded) > 256:
            break
        value = expanded
    return value


def _local(name: str) -> str:
    return name.rpartition("}")[2]
