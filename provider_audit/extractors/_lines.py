"""Helpers shared by the non-Python extractors: documents with key positions, comments, versions.

JSON and YAML parsers give no positions, so ``Positions`` maps each key path of a parsed document
(object keys and list indices, e.g. ``("packages", "node_modules/openai")``) to the 1-based line and
column of the key's first character. JSON paths come from a small tokenizer run over the text
after ``json`` accepted it, YAML paths from PyYAML's node marks; both are exact, where searching
the raw text for a quoted name could hit the same name elsewhere (nested lockfile trees). A lookup
falls back to the nearest enclosing key. TOML files use ``_util``'s section search instead.
"""

from __future__ import annotations

import json
import re
from typing import Any, Dict, Iterator, List, Optional, Set, Tuple

import yaml

from provider_audit.extractors._util import LineIndex, expect, load_json, reason
from provider_audit.extractors.base import ParseError

KeyPath = Tuple[Any, ...]

# On JSON already validated; the string loop unrolled (10 MB strings in ms, not seconds).
_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[{}\[\],:]')
# A one-line string, "..." or '...'. An unterminated one ends with its line, so that every quote
# starts a match and nothing is scanned twice (no quadratic time on hostile input).
_STRING = r""""(?:[^"\\\n]|\\.)*(?:"|\\?$)|'(?:[^'\\\n]|\\.)*(?:'|\\?$)"""
# A string, or a // or /* */ comment; an unterminated /* runs to the end.
_STRING_OR_COMMENT = re.compile(rf"{_STRING}|//[^\n]*|/\*.*?(?:\*/|\Z)", re.S | re.M)
_TRAILING_COMMA = re.compile(rf"{_STRING}|,(?=\s*[}}\]])", re.S | re.M)
_VERSION = re.compile(r"(?P<numeric>\d+(?:\.\d+)*)(?:[-+][0-9A-Za-z.+-]+|\.[A-Za-z][0-9A-Za-z.]*)?")
_WILDCARD = re.compile(r"(?:^|[.+-])[xX*](?:$|[.+-])")


class Positions:
    """Key paths of a parsed document -> (line, column) of the key's name, both 1-based."""

    def __init__(self, found: Dict[KeyPath, Tuple[int, int]]):
        self._found = found

    def at(self, *path: Any) -> Tuple[int, int]:
        """Where ``path`` is written, else its nearest recorded ancestor, else (1, 1)."""
        for end in range(len(path), 0, -1):
            if path[:end] in self._found:
                return self._found[path[:end]]
        return 1, 1


def blank_comments(text: str) -> str:
    """``text`` with ``//`` and ``/* */`` comments outside strings turned to spaces (newlines kept)."""
    def blank(match: "re.Match[str]") -> str:
        token = match.group()
        if token[0] in "\"'":
            return token
        if token.startswith("/*") and not token[2:].endswith("*/"):
            raise ParseError("unterminated /* comment")
        return re.sub(r"[^\n]", " ", token)
    return _STRING_OR_COMMENT.sub(blank, text)


def json_document(text: str, jsonc: bool = False) -> Tuple[dict, Positions]:
    """A JSON object and its key positions; blank text is an empty object. ``jsonc`` allows
    comments and trailing commas (blanked out, so positions still match the original)."""
    if jsonc:
        text = _TRAILING_COMMA.sub(lambda m: " " if m.group() == "," else m.group(), blank_comments(text))
    if not text.strip():
        return {}, Positions({})
    data = expect(load_json(text), dict, "the top level")
    return data, Positions(_json_keys(text))


def _json_keys(text: str) -> Dict[KeyPath, Tuple[int, int]]:
    found: Dict[KeyPath, Tuple[int, int]] = {}
    where = LineIndex(text)
    for path, _, key_at in _json_walk(text, values=False):
        found.setdefault(path, where(key_at))  # the name, after its quote
    return found


def json_string_members(text: str) -> Iterator[Tuple[KeyPath, str, Tuple[int, int]]]:
    """(key path, value, position of the key) of every string member, by the tokenizer alone: for a
    document the JSON parser refuses (nested too deeply), read without recursion, whatever its depth."""
    where = LineIndex(text)
    for path, value, key_at in _json_walk(text, values=True):
        if value is not None:
            yield path, value, where(key_at)


def _json_walk(text: str, values: bool) -> Iterator[Tuple[KeyPath, Optional[str], int]]:
    """(path, None, offset) at each object key; with ``values``, also (path, string, offset of its key)
    at each string member. One pass of ``_JSON_TOKEN``, no recursion; text that is not valid JSON (a
    stray bracket, an invalid escape) is walked as far as it makes sense."""
    path: List[Any] = []
    containers: List[str] = []
    expect_key = after_colon = False
    key_at = 0
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        if token in ("{", "["):
            containers.append(token)
            path.append(None if token == "{" else 0)
            expect_key, after_colon = token == "{", False
        elif token in ("}", "]"):
            if containers:
                containers.pop()
                path.pop()
            expect_key = after_colon = False
        elif token == ",":
            if containers and containers[-1] == "[":
                path[-1] += 1
            expect_key, after_colon = bool(containers) and containers[-1] == "{", False
        elif token == ":":
            expect_key, after_colon = False, True
        elif (expect_key and path) or (values and after_colon and containers and containers[-1] == "{"):
            try:
                value = json.loads(token)
            except ValueError:  # an invalid escape: this member is skipped
                expect_key = after_colon = False
                continue
            if expect_key:
                path[-1], key_at = value, match.start() + 1
                yield tuple(path), None, key_at
            else:
                yield tuple(path), value, key_at
            expect_key = after_colon = False
        else:
            after_colon = False


# Nodes a file may reach through its aliases, counted as the document is composed (an alias counts every
# node of the value it repeats). Anchors are legal in the YAML the scan parses, and a hand-written file
# may share a few blocks; the lockfiles never use them. Past the limit the file is not read: a few hundred
# bytes of nested aliases stand for billions of nodes once anything walks (or ``str()``s) the value, and a
# few kilobytes of flat ones for millions of dependencies. With the limit, any walk of what is returned
# costs at most this many nodes more than the file holds.
ALIAS_NODE_LIMIT = 10_000


def yaml_documents(text: str) -> List[Tuple[Any, Positions]]:
    """Every document of a YAML stream, each with its key positions (PyYAML's safe constructor); aliases
    bounded by ``ALIAS_NODE_LIMIT`` and never recursive. Plain documents (lockfiles) take the one-pass
    reading (``_plain_documents``), which refuses anchors and aliases: the general path reads those."""
    if hasattr(yaml, "CSafeLoader"):
        try:
            return _plain_documents(text)
        except (_NotPlain, yaml.YAMLError, ValueError, TypeError, OverflowError, RecursionError, MemoryError):
            pass  # something unusual, or not valid: the general path reads it, and says what is wrong
    documents = []
    try:
        for node, loader in _yaml_nodes(text):
            documents.append((loader.construct_document(node), Positions(_yaml_keys(node))))
    except yaml.MarkedYAMLError as exc:
        where = f" at line {exc.problem_mark.line + 1}" if exc.problem_mark else ""
        raise ParseError(f"invalid YAML: {' '.join(str(exc.problem or exc.context).split())}{where}") from exc
    except (yaml.YAMLError, ValueError, TypeError, OverflowError, RecursionError) as exc:
        raise ParseError(f"invalid YAML: {reason(exc)}") from exc
    return documents


def load_yaml(text: str) -> Any:
    """The one document of a YAML file (None when blank), read as ``yaml_documents`` reads."""
    documents = yaml_documents(text)
    if len(documents) > 1:
        raise ParseError(f"invalid YAML: {len(documents)} documents, expected one")
    return documents[0][0] if documents else None


def _yaml_nodes(text: str) -> Iterator[Tuple[yaml.Node, Any]]:
    """(root node, loader) of each document; the loader constructs the node.

    Events come from libyaml's parser when PyYAML has it (about four times faster on a large lockfile;
    iterative, nesting capped at 1,000 levels by libyaml itself), else from PyYAML's pure-Python parser
    (iterative too), and nodes are composed here without recursion, as PyYAML's composer would, with
    aliases counted. Not libyaml's own composer: it recurses in C and kills the process on input such as
    ``[`` * 100000, and neither composer counts what aliases repeat.
    """
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    budget = [ALIAS_NODE_LIMIT]  # shared by the documents of the file
    try:
        loader.get_event()  # stream start
        while not loader.check_event(yaml.StreamEndEvent):
            loader.get_event()  # document start
            yield _compose(loader, budget), loader
    finally:
        loader.dispose()


def _compose(loader: Any, budget: List[int]) -> yaml.Node:
    """One document's node tree from the loader's events, up to and including its end. Each node's
    expanded size (itself and everything under it, aliases expanded) is known when it ends; an alias
    takes its anchor's from ``budget``, and one to an unfinished node (a value containing itself) is
    refused."""
    anchors: Dict[str, yaml.Node] = {}
    sizes: Dict[int, int] = {}  # id(anchored node) -> expanded size, once the node has ended
    unfinished: Set[int] = set()  # anchored collections not yet ended
    stack: List[List[Any]] = []  # [collection node, pending mapping key or None, expanded size so far]
    root: Any = None
    while True:
        event = loader.get_event()
        if isinstance(event, yaml.DocumentEndEvent):
            return root
        if isinstance(event, yaml.AliasEvent):
            if event.anchor not in anchors:
                raise yaml.composer.ComposerError(None, None, f"found undefined alias {event.anchor!r}",
                                                  event.start_mark)
            node = anchors[event.anchor]
            if id(node) in unfinished:
                raise ParseError(f"YAML alias *{event.anchor} at line {event.start_mark.line + 1} is recursive "
                                 "(a value containing itself); not read")
            size = sizes[id(node)]
            budget[0] -= size
            if budget[0] < 0:
                raise ParseError(f"YAML aliases repeat more than {ALIAS_NODE_LIMIT:,} nodes (an alias bomb?), "
                                 f"the limit passed at line {event.start_mark.line + 1}; not read")
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            node, _, size = stack.pop()
            node.end_mark = event.end_mark
            if id(node) in unfinished:  # anchored: aliases may repeat it from now on
                unfinished.discard(id(node))
                sizes[id(node)] = size
        else:
            if event.anchor is not None and event.anchor in anchors:
                raise yaml.composer.ComposerError(
                    f"found duplicate anchor {event.anchor!r}; first occurrence",
                    anchors[event.anchor].start_mark, "second occurrence", event.start_mark)
            node = _new_node(loader, event)
            size = 1
            if not isinstance(node, yaml.ScalarNode):
                if event.anchor is not None:
                    anchors[event.anchor] = node
                    unfinished.add(id(node))
                stack.append([node, None, 1])
                continue
            if event.anchor is not None:
                anchors[event.anchor], sizes[id(node)] = node, 1
        if not stack:
            root = node
            continue
        top = stack[-1]
        top[2] += size
        if isinstance(top[0], yaml.SequenceNode):
            top[0].value.append(node)
        elif top[1] is None:
            top[1] = node
        else:
            top[0].value.append((top[1], node))
            top[1] = None


def _new_node(loader: Any, event: Any) -> yaml.Node:
    tag = event.tag
    if isinstance(event, yaml.ScalarEvent):
        if tag is None or tag == "!":
            tag = loader.resolve(yaml.ScalarNode, event.value, event.implicit)
        return yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, style=event.style)
    kind = yaml.SequenceNode if isinstance(event, yaml.SequenceStartEvent) else yaml.MappingNode
    if tag is None or tag == "!":
        tag = loader.resolve(kind, None, event.implicit)
    return kind(tag, [], event.start_mark, None, flow_style=event.flow_style)


class _NotPlain(Exception):
    """The document uses something ``_plain_documents`` leaves to the general path."""


_STR_TAG = "tag:yaml.org,2002:str"
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"


def _plain_documents(text: str) -> List[Tuple[Any, Positions]]:
    """``yaml_documents`` in one pass over libyaml's events, for the documents lockfiles are: no
    anchors, aliases or explicit tags, scalar keys each once per mapping, no merge keys. Values and
    positions are exactly what composing nodes, PyYAML's safe constructor and ``_yaml_keys`` give
    (each scalar is built by the same constructor function), without making a node per value: a
    third of the time on a 1.8 MB pnpm-lock.yaml. Anything else raises ``_NotPlain`` (the general
    path then reads the file). Iterative: nesting depth costs no recursion (libyaml caps it)."""
    loader = yaml.CSafeLoader(text)
    constructors = loader.yaml_constructors
    tags: Dict[str, str] = {}  # plain scalar -> its resolved tag (values and keys recur)
    documents: List[Tuple[Any, Positions]] = []
    try:
        loader.get_event()  # stream start
        while not loader.check_event(yaml.StreamEndEvent):
            loader.get_event()  # document start
            found: Dict[KeyPath, Tuple[int, int]] = {}
            # [container, its path, pending key (mappings), the key's path]
            stack: List[List[Any]] = []
            root: Any = None
            while True:
                event = loader.get_event()
                kind = type(event)
                if kind is yaml.DocumentEndEvent:
                    break
                if kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                    top = stack.pop()
                    if top[2] is not _NO_KEY:
                        raise _NotPlain("a key without a value")
                    value = top[0]
                elif kind is yaml.ScalarEvent:
                    if event.anchor is not None or (event.tag is not None and event.tag != "!"):
                        raise _NotPlain("an anchor or an explicit tag")
                    raw = event.value
                    if event.implicit[0]:
                        tag = tags.get(raw)
                        if tag is None:
                            tag = tags[raw] = loader.resolve(yaml.ScalarNode, raw, event.implicit)
                    else:
                        tag = loader.resolve(yaml.ScalarNode, raw, event.implicit)
                    if tag == _STR_TAG:
                        value = raw
                    else:
                        if tag not in constructors or tag.endswith((":merge", ":value")):
                            raise _NotPlain("a merge key or an unknown tag")
                        value = constructors[tag](loader, yaml.ScalarNode(tag, raw, event.start_mark,
                                                                          event.end_mark, style=event.style))
                    if stack and stack[-1][2] is _NO_KEY and type(stack[-1][0]) is dict:
                        top = stack[-1]
                        # A key: recorded as _yaml_keys records it (its raw text), once per mapping.
                        path = top[1] + (raw,)
                        if path in found or value in top[0]:
                            raise _NotPlain("a repeated key")
                        mark = event.start_mark
                        found[path] = (mark.line + 1, mark.column + 1 + bool(event.style))
                        top[2], top[3] = value, path
                        continue
                elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                    if event.anchor is not None or (event.tag is not None and event.tag != "!"):
                        raise _NotPlain("an anchor or an explicit tag")
                    if stack and type(stack[-1][0]) is dict and stack[-1][2] is _NO_KEY:
                        raise _NotPlain("a collection as a key")
                    container: Any = {} if kind is yaml.MappingStartEvent else []
                    if not stack:
                        path = ()
                    elif type(stack[-1][0]) is dict:
                        path = stack[-1][3]
                    else:
                        path = stack[-1][1] + (len(stack[-1][0]),)
                    stack.append([container, path, _NO_KEY, None])
                    continue
                else:
                    raise _NotPlain("an alias")
                if not stack:
                    root = value
                elif type(stack[-1][0]) is dict:
                    top = stack[-1]
                    top[0][top[2]] = value
                    top[2] = _NO_KEY
                else:
                    stack[-1][0].append(value)
            documents.append((root, Positions(found)))
    finally:
        loader.dispose()
    return documents


_NO_KEY = object()


def _yaml_keys(root: yaml.Node) -> Dict[KeyPath, Tuple[int, int]]:
    found: Dict[KeyPath, Tuple[int, int]] = {}
    stack: List[Tuple[KeyPath, yaml.Node]] = [((), root)]
    seen = set()  # an alias shares its node: walk each node once, and an alias's keys fall back to its own key
    while stack:  # in document order, so that a node is first reached where it is written (at its anchor)
        path, node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            pairs = [(path + (key.value,), key, value) for key, value in node.value if isinstance(key, yaml.ScalarNode)]
            for child, key, _ in pairs:  # a repeated key (or one merged in with ``<<``): the last, as in the value
                found[child] = (key.start_mark.line + 1, key.start_mark.column + 1 + bool(key.style))
            stack.extend((child, value) for child, _, value in reversed(pairs))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((path + (index,), item) for index, item in reversed(list(enumerate(node.value))))
    return found


def pinned_version(spec: Optional[str], prefixes: Tuple[str, ...] = (), bare: bool = True, parts: int = 1,
                   brackets: bool = False) -> Optional[str]:
    """The exact version a non-PEP 440 constraint pins, else None.

    ``prefixes``: operators meaning "exactly" (tried in order, e.g. ``("=v", "=", "v")``); ``bare``:
    a plain version is exact; ``parts``: the fewest numeric parts an exact version has (npm's
    ``1.2`` is a range); ``brackets``: ``[1.2.3]`` is exact (NuGet, Maven).
    """
    spec = (spec or "").strip()
    if brackets and spec.startswith("[") and spec.endswith("]") and "," not in spec:
        spec, bare = spec[1:-1].strip(), True
    for prefix in prefixes:
        if spec.startswith(prefix):
            spec, bare = spec[len(prefix):].strip(), True
            break
    match = _VERSION.fullmatch(spec)
    if not bare or not match or _WILDCARD.search(spec) or match.group("numeric").count(".") + 1 < parts:
        return None
    return spec
