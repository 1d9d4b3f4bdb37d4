"""Feature detection: one pass of its own over a file the language detector has already read.

The Python detector calls ``python_features`` with its syntax tree; the JavaScript/TypeScript, Go and
JVM detectors call ``token_features`` with their ``Source`` once their own passes are done. Both apply
the rules of ``rules/features.yaml`` (``data/features.py``) and add evidence of kind ``feature``:

* ``calls``: a call whose member chain contains the rule's names in a row (``client.beta.threads.runs
  .create(...)`` contains ``beta.threads``; Java's ``client.beta().threads().create()`` too). When
  rules of several features match one call, the longest wins (``messages.batches.create`` over
  ``batches.create``).
* ``arguments``: a keyword argument or dict key (Python), an object key (JS), a struct field (Go) or a
  builder method (``.cacheControl(...)``, JVM) of that name, with the rule's value, key and enclosing
  call conditions.
* ``names``: a class or function used (called, constructed, or its members read), never an import.
* ``strings``: string literals the rule's pattern finds (searched, so write anchors where needed); with
  ``key``, only a literal that is that key's value (``{"type": "file_search"}``).
* ``model_capability``: string literals that are model ids of that capability (``text-embedding-3-small``
  for ``embeddings``), only in files importing one of the feature's ``near`` modules.

Python and JS compare names exactly; Go and JVM without case and underscores (``CacheControl`` is
``cache_control``). The evidence has no provider yet: ``judging/features.py`` gives it the provider
the file reaches, once attribution is done. A gated rule's evidence is marked ``medium`` here and a
standalone rule's ``high``, which that step reads (and then sets the confidence the report shows).
One piece of evidence per feature and line.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import compress
from operator import itemgetter
from typing import AbstractSet, Dict, Iterable, List, Optional, Sequence, Set, Tuple

from provider_audit.data.catalog import Catalog
from provider_audit.data.features import GATED, STANDALONE, Argument, Feature, StringRule, load_features
from provider_audit.models import Evidence
from provider_audit.redact import redact

from provider_audit.detectors.tokenizer import ID, NUM, OP, STR

MAX_STRING = 500  # longer literals are never feature markers (and bound every pattern's cost)
MAX_CHAIN = 12
_MODEL_KEYS = frozenset({"model", "model_name", "model_id", "modelId", "modelName", "deployment_name",
                         "azure_deployment", "embedding_model"})
_NORMALISED = ("go", "jvm")  # languages whose SDKs change the case of the API's names
_CLOSERS = frozenset((")", "]", "}"))
_STOPS = frozenset((",", ";", "}", "]", ")"))
_IMPORT_WORDS = frozenset({"from", "import", "require"})
_TYPE_NAMES = ("string", "number", "boolean", "any", "unknown", "object", "undefined", "never", "void", "bigint")


def norm(name: str, language: str) -> str:
    return name.replace("_", "").lower() if language in _NORMALISED else name


MATCHING_MEMO = 10_000  # distinct string values remembered per language (each at most MAX_STRING characters)


@dataclass(frozen=True)
class _Rule:
    feature: str
    standalone: bool
    text: str  # what the evidence detail shows


@dataclass(frozen=True)
class _CallRule(_Rule):
    segments: Tuple[str, ...] = ()


@dataclass(frozen=True)
class _ArgRule(_Rule):
    argument: Argument = Argument("")
    within: Tuple[Tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class _StringRule(_Rule):
    rule: Optional[StringRule] = None


@dataclass
class Matcher:
    """One language's rules, indexed for the pass."""

    language: str
    calls: List[_CallRule] = field(default_factory=list)
    arguments: Dict[str, List[_ArgRule]] = field(default_factory=dict)
    names: Dict[str, List[_Rule]] = field(default_factory=dict)
    strings: List[_StringRule] = field(default_factory=list)
    keyed: Dict[str, List[_StringRule]] = field(default_factory=dict)  # key -> rules for the strings it holds
    capabilities: List[Tuple[_Rule, str]] = field(default_factory=list)
    near: Dict[str, Tuple[str, ...]] = field(default_factory=dict)  # feature -> imports it needs
    # string value -> the ``strings`` rules whose pattern it matches: string values recur in file after
    # file ("user", "gpt-4o", "text"...), each rule is a regex search (750,000 of them on vercel/ai).
    matching: Dict[str, Tuple[_StringRule, ...]] = field(default_factory=dict, repr=False, compare=False)
    # last segment -> (position in ``calls``, rule): ``calls_within``'s index, built on first use
    _calls_by_last: Optional[Dict[Optional[str], List[Tuple[int, _CallRule]]]] = field(default=None, repr=False,
                                                                                        compare=False)

    def calls_within(self, present: AbstractSet[str]) -> List[_CallRule]:
        """The ``calls`` rules (in order) whose every segment is in ``present`` (a file's names): looked
        up by each rule's last segment, instead of every rule asked about every file."""
        if self._calls_by_last is None:
            by_last: Dict[Optional[str], List[Tuple[int, _CallRule]]] = {}
            for position, rule in enumerate(self.calls):
                # (a rule without segments, were there one, would be every file's: kept under None)
                by_last.setdefault(rule.segments[-1] if rule.segments else None, []).append((position, rule))
            self._calls_by_last = by_last  # complete before anyone reads it
        index = self._calls_by_last
        candidates = [found for last in index.keys() & present for found in index[last]] + index.get(None, [])
        return [rule for _, rule in sorted(candidates, key=itemgetter(0)) if all(s in present for s in rule.segments)]

    def matching_strings(self, value: str) -> Tuple[_StringRule, ...]:
        """The ``strings`` rules whose pattern ``value`` matches, in order."""
        found = self.matching.get(value)
        if found is None:
            found = tuple(r for r in self.strings if r.rule.pattern.search(value))  # type: ignore[union-attr]
            if len(self.matching) < MATCHING_MEMO:
                self.matching[value] = found
        return found

    def __bool__(self) -> bool:
        return bool(self.calls or self.arguments or self.names or self.strings or self.keyed or self.capabilities)

    def chain(self, dotted: str) -> Tuple[str, ...]:
        return tuple(norm(part, self.language) for part in dotted.split("."))


@lru_cache(maxsize=None)
def matcher(language: str) -> Matcher:
    """The shipped feature rules for ``language``, indexed."""
    return build_matcher(load_features(), language)


def build_matcher(features: Iterable[Feature], language: str) -> Matcher:
    found = Matcher(language)
    for feature in features:
        gated, alone = feature.rules(language)
        for rules, standalone in ((gated, False), (alone, True)):
            for dotted in rules.calls:
                found.calls.append(_CallRule(feature.id, standalone, dotted, found.chain(dotted)))
            for argument in rules.arguments:
                found.arguments.setdefault(norm(argument.name, language), []).append(
                    _ArgRule(feature.id, standalone, argument.name, argument,
                             tuple(found.chain(c) for c in argument.within)))
            for name in rules.names:
                found.names.setdefault(norm(name, language), []).append(_Rule(feature.id, standalone, name))
            for rule in rules.strings:
                item = _StringRule(feature.id, standalone, "", rule)
                if rule.key is None:
                    found.strings.append(item)
                else:
                    found.keyed.setdefault(norm(rule.key, language), []).append(item)
            if rules.model_capability:
                found.capabilities.append((_Rule(feature.id, standalone, ""), rules.model_capability))
        if language in feature.near:
            found.near[feature.id] = feature.near[language]
    return found


def contains(chain: Sequence[str], segments: Sequence[str]) -> bool:
    """Whether ``segments`` occur in ``chain`` in a row."""
    size = len(segments)
    return any(tuple(chain[k:k + size]) == tuple(segments) for k in range(len(chain) - size + 1))


class _Found:
    """The evidence of one file, one item per feature and line (a standalone rule's wins)."""

    def __init__(self, path: str, context: str):
        self.path = path
        self.context = context
        self.items: Dict[Tuple[str, int], Evidence] = {}

    def add(self, rule: _Rule, line: int, column: int, snippet: str, what: str, model: Optional[str] = None) -> None:
        key = (rule.feature, line)
        old = self.items.get(key)
        confidence = STANDALONE if rule.standalone else GATED
        if old is not None and (old.confidence == STANDALONE or confidence == GATED):
            if model and not old.model:
                self.items[key] = old.but(model=model)
            return
        self.items[key] = Evidence("feature", self.path, line, column, self.context, None,
                                   detail=f"{rule.feature} {what}", model=model or (old.model if old else None),
                                   confidence=confidence, snippet=snippet, feature=rule.feature)

    def evidence(self, imports: Set[str], near: Dict[str, Tuple[str, ...]]) -> List[Evidence]:
        """The items whose feature's ``near`` imports (if any) the file has."""
        out = []
        for (feature, _), item in sorted(self.items.items(), key=lambda kv: (kv[0][1], kv[0][0])):
            needed = near.get(feature)
            if needed and not any(_imports(imports, module) for module in needed):
                continue
            out.append(item)
        return out


def _imports(imports: Set[str], module: str) -> bool:
    return any(name == module or name.startswith(module + ".") or name.startswith(module + "/") for name in imports)


def _capability_id(catalog: Catalog, value: str, expected: bool) -> Optional[Tuple[str, str]]:
    """(model id, capability id) of the model ``value`` names, when the catalog gives it a capability."""
    found = catalog.model(value, expected=expected)
    if found is None:
        return None
    capability = catalog.capability_of(found.model)
    return (found.model, capability.id) if capability is not None else None


def _display(text: str) -> str:
    return text if len(text) <= 80 else text[:77] + "..."


# -- Python ------------------------------------------------------------------------------------------------


def python_features(tree: ast.AST, path: str, text: str, context: str, catalog: Catalog) -> List[Evidence]:
    """Feature evidence in a parsed Python file (``python_ast`` calls this once, with its tree)."""
    rules = matcher("python")
    if not rules:
        return []
    visitor = _PythonPass(rules, path, text, context, catalog)
    try:
        visitor.visit(tree)
    except RecursionError:  # the detector already read this tree; a deeper one is not worth failing over
        return []
    return visitor.found.evidence(visitor.imports, rules.near)


def _py_chain(node: ast.AST) -> List[str]:
    """``['client', 'beta', 'threads', 'create']`` for ``client.beta.threads.create``; through calls and
    subscripts in the chain (``client.with_options(x).batches.create``)."""
    parts: List[str] = []
    while len(parts) < MAX_CHAIN:
        if isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Subscript):
            node = node.value
        elif isinstance(node, ast.Name):
            parts.append(node.id)
            break
        else:
            break
    return parts[::-1]


class _PythonPass(ast.NodeVisitor):
    def __init__(self, rules: Matcher, path: str, text: str, context: str, catalog: Catalog):
        self.rules = rules
        self.lines = text.splitlines()
        self.catalog = catalog
        self.found = _Found(path, context)
        self.calls: List[List[str]] = []  # chains of the calls enclosing the current node
        self.imports: Set[str] = set()
        self.constants: Dict[str, str] = {}
        self.used: Set[int] = set()  # string constants already read as a call's model

    def snippet(self, node: ast.AST) -> str:
        line = getattr(node, "lineno", 1)
        return redact(self.lines[line - 1]) if 0 < line <= len(self.lines) else ""

    def add(self, rule: _Rule, node: ast.AST, what: str, model: Optional[str] = None) -> None:
        self.found.add(rule, getattr(node, "lineno", 1), getattr(node, "col_offset", 0) + 1, self.snippet(node),
                       _display(what), model)

    def visit_Module(self, node: ast.Module) -> None:
        for statement in node.body:
            if isinstance(statement, ast.Assign) and len(statement.targets) == 1 \
                    and isinstance(statement.targets[0], ast.Name) and isinstance(statement.value, ast.Constant) \
                    and isinstance(statement.value.value, str):
                self.constants[statement.targets[0].id] = statement.value.value
        self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        self.imports.update(alias.name for alias in node.names)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.module and not node.level:
            self.imports.add(node.module)
            self.imports.update(f"{node.module}.{alias.name}" for alias in node.names)

    def model_of(self, node: ast.Call) -> Optional[str]:
        for keyword in node.keywords:
            if keyword.arg in _MODEL_KEYS:
                value = keyword.value
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    self.used.add(id(value))
                    return value.value
                if isinstance(value, ast.Name) and value.id in self.constants:
                    return self.constants[value.id]
        return None

    def visit_Call(self, node: ast.Call) -> None:
        chain = _py_chain(node.func)
        if chain:
            matches = [r for r in self.rules.calls if contains(chain, r.segments)]
            if matches:
                longest = max(len(r.segments) for r in matches)
                model = self.model_of(node)
                for rule in matches:
                    if len(rule.segments) == longest:
                        self.add(rule, node, ".".join(chain[1:] if len(chain) > 1 else chain), model)
        self.calls.append(chain)
        try:
            for keyword in node.keywords:
                if keyword.arg is not None:
                    self.argument(keyword.arg, keyword.value, keyword.value)
            self.generic_visit(node)
        finally:
            self.calls.pop()

    def visit_Assign(self, node: ast.Assign) -> None:
        """``block["cache_control"] = {...}``: a key set on a request dict built step by step."""
        for target in node.targets:
            key = target.slice if isinstance(target, ast.Subscript) else None
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                self.argument(key.value, node.value, key)
        self.generic_visit(node)

    def visit_Dict(self, node: ast.Dict) -> None:
        for key, value in zip(node.keys, node.values):
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                self.used.add(id(key))
                self.argument(key.value, value, key)
        self.generic_visit(node)

    def argument(self, name: str, value: ast.AST, where: ast.AST) -> None:
        if isinstance(value, ast.Constant) and isinstance(value.value, str) and len(value.value) <= MAX_STRING:
            for rule in self.rules.keyed.get(name, ()):
                assert rule.rule is not None
                if rule.rule.pattern.search(value.value):
                    self.add(rule, value, value.value, value.value if rule.rule.model else None)
        if isinstance(value, ast.Constant) and value.value is None:
            return  # previous_response_id=None: the feature is not used here
        for rule in self.rules.arguments.get(name, ()):
            argument = rule.argument
            if argument.value is not None and _py_literal(value) != argument.value:
                continue
            if argument.has_key is not None and not _py_has_key(value, argument.has_key):
                continue
            # a keyword's own call is on the stack already, as are the calls around a dict key
            if rule.within and not any(contains(chain, w) for chain in self.calls for w in rule.within):
                continue
            self.add(rule, where, name)

    def visit_Name(self, node: ast.Name) -> None:
        for rule in self.rules.names.get(node.id, ()):
            self.add(rule, node, node.id)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        for rule in self.rules.names.get(node.attr, ()):
            self.add(rule, node, node.attr)
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        value = node.value
        if not isinstance(value, str) or not value or len(value) > MAX_STRING:
            return
        for rule in self.rules.strings:
            assert rule.rule is not None
            if rule.rule.pattern.search(value):
                self.add(rule, node, value, value if rule.rule.model else None)
        if id(node) in self.used:
            return
        capability = _capability_id(self.catalog, value, False) if self.rules.capabilities else None
        if capability is not None:
            for rule, wanted in self.rules.capabilities:
                if capability[1] == wanted:
                    self.add(rule, node, capability[0], capability[0])


def _py_literal(node: ast.AST) -> Optional[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, (str, bool, int, float)):
        value = node.value
        return ("true" if value else "false") if isinstance(value, bool) else str(value).lower()
    return None


def _py_has_key(node: ast.AST, key: str) -> bool:
    if isinstance(node, ast.Dict):
        return any(isinstance(k, ast.Constant) and k.value == key for k in node.keys)
    if isinstance(node, ast.Call):  # types.CitationsConfig(enabled=True), dict(type="ephemeral")
        return any(k.arg == key for k in node.keywords)
    return False


# -- token languages (JS/TS, Go, JVM) -------------------------------------------------------------------


def token_features(src, language: str) -> None:
    """Add feature evidence to ``src`` (an ``engine.Source`` its detector has run)."""
    rules = matcher(language)
    if not rules or not src.n:
        return
    _TokenPass(src, rules, language).run()


class _TokenPass:
    def __init__(self, src, rules: Matcher, language: str):
        self.src = src
        self.rules = rules
        self.language = language
        self.found = _Found(src.path, src.context)
        self.used: Set[int] = set()  # string tokens read as a call's model

    def norm(self, value: str) -> str:
        return norm(value, self.language)

    def add(self, rule: _Rule, i: int, what: str, model: Optional[str] = None) -> None:
        line, column = self.src.where(self.src.toks[i].start)
        self.found.add(rule, line, column, self.src.snippet(line, column), _display(what), model)

    def run(self) -> None:
        src = self.src
        # Each distinct name once: a file repeats its names (the values of 847,000 tokens on vercel/ai).
        # (Operators are among the values too: a normalised operator names no rule.) In a language whose
        # names are compared as written, each value is its own key.
        normed: Optional[Dict[str, str]] = None
        if self.language in _NORMALISED:
            normed = {v: self.norm(v) for v in src.distinct()}
            present = set(normed.values())
        else:
            present = src.distinct()
        calls = self.rules.calls_within(present)
        if calls:
            self.calls(calls)
        names = {n: r for n, r in self.rules.names.items() if n in present}
        arguments = {n: r for n, r in self.rules.arguments.items() if n in present}
        if names or arguments:
            # Only the tokens whose value names a rule, found without a Python step per token.
            if normed is None:
                wanted = names.keys() | arguments.keys()
            else:
                wanted = {v for v, key in normed.items() if key in names or key in arguments}
            for i in compress(range(src.n), map(wanted.__contains__, src.values)):
                kind = src.kinds[i]
                if kind not in (ID, STR):
                    continue
                key = normed[src.values[i]] if normed is not None else src.values[i]
                if key in names and kind == ID:
                    self.name(i, names[key])
                if key in arguments:
                    self.argument(i, arguments[key])
        if self.rules.strings or self.rules.keyed or self.rules.capabilities:
            self.strings()
        src.evidence.extend(self.found.evidence(self.imports(), self.rules.near))

    # -- chains

    def chain_before(self, paren: int) -> Tuple[List[str], int]:
        """The member chain of the call whose "(" is at ``paren``, and the index of its first name."""
        src = self.src
        k = paren - 1
        if not src.ident(k):
            return [], paren
        parts = [src.values[k]]
        first = k
        while len(parts) < MAX_CHAIN and src.op(k - 1, ".", "?.", "::", "->"):
            j = k - 2
            if src.op(j, ")") and src.pair[j] >= 0:  # a call in the chain: x.beta().threads()
                j = src.pair[j] - 1
            if not src.ident(j):
                break
            parts.append(src.values[j])
            k = first = j
        return [self.norm(p) for p in reversed(parts)], first

    def calls(self, rules: List[_CallRule]) -> None:
        src = self.src
        for paren in src.find(frozenset("("), (OP,)):
            chain, first = self.chain_before(paren)
            if not chain:
                continue
            matches = [r for r in rules if contains(chain, r.segments)]
            if not matches:
                continue
            longest = max(len(r.segments) for r in matches)
            model = self.model_in(paren)
            what = ".".join(chain[1:] if len(chain) > 1 else chain)
            for rule in matches:
                if len(rule.segments) == longest:
                    self.add(rule, first, what, model)

    def model_in(self, paren: int) -> Optional[str]:
        """A model id written in the call's arguments (``model: "x"``), if any."""
        src = self.src
        end = min(src.close(paren), paren + 400)
        for k in range(paren + 1, end):
            if src.kinds[k] in (ID, STR) and src.values[k] in _MODEL_KEYS and src.op(k + 1, ":") \
                    and src.string(k + 2):
                self.used.add(k + 2)
                return src.values[k + 2]
        return None

    def enclosing(self, i: int) -> Iterable[List[str]]:
        """The chains of the calls around token ``i``, innermost first (bounded)."""
        src = self.src
        k = i - 1
        low = max(0, i - 3000)
        depth = 0
        while k >= low and depth < 8:
            if src.kinds[k] == OP:
                value = src.values[k]
                if value in _CLOSERS and src.pair[k] >= 0:
                    k = src.pair[k] - 1
                    continue
                if value in ("(", "[", "{"):
                    depth += 1
                    if value == "(":
                        chain, _ = self.chain_before(k)
                        if chain:
                            yield chain
            k -= 1

    # -- arguments and names

    def value_start(self, i: int) -> Optional[int]:
        """Where the value of the key or builder at ``i`` starts: ``key: value``, ``.key(value)``; not a
        TypeScript annotation (``knowledgeBaseId: string``)."""
        src = self.src
        if src.op(i + 1, ":") and not src.op(i - 1, "?", "?.") and not src.op(i + 2, ":"):
            if src.ident(i + 2, *_TYPE_NAMES) and src.op(i + 3, ",", ")", ";", "}", "=", "|", "[", ">"):
                return None
            return i + 2
        if src.kinds[i] == ID and src.op(i - 1, ".", "?.") and src.op(i + 1, "("):
            return i + 2
        return None

    def literal(self, start: int) -> Optional[str]:
        src = self.src
        for k in range(start, min(src.n, start + 6)):
            kind, value = src.kinds[k], src.values[k]
            if kind in (STR, NUM):
                return value.lower()
            if kind == ID and value in ("true", "false", "True", "False"):
                return value.lower()
            if kind == OP and value in _STOPS:
                return None
        return None

    def has_key(self, start: int, key: str) -> bool:
        src = self.src
        wanted = self.norm(key)
        for k in range(start, min(src.n, start + 8)):
            if src.op(k, "{", "("):
                end = min(src.close(k), k + 400)
                return any(src.kinds[j] in (ID, STR) and self.norm(src.values[j]) == wanted
                           and (src.op(j + 1, ":") or (src.op(j - 1, ".") and src.op(j + 1, "(")))
                           for j in range(k + 1, end))
            if src.kinds[k] == OP and src.values[k] in _STOPS:
                return False
        return False

    def argument(self, i: int, rules: List[_ArgRule]) -> None:
        start = self.value_start(i)
        if start is None or self.src.ident(start, "null", "undefined", "nil", "None") and \
                self.src.op(start + 1, ",", "}", ")", ";"):
            return  # previousResponseId: null: the feature is not used here
        for rule in rules:
            argument = rule.argument
            if argument.value is not None and self.literal(start) != argument.value:
                continue
            if argument.has_key is not None and not self.has_key(start, argument.has_key):
                continue
            if rule.within and not any(contains(chain, w) for chain in self.enclosing(i) for w in rule.within):
                continue
            self.add(rule, i, self.src.values[i])

    def name(self, i: int, rules: List[_Rule]) -> None:
        src = self.src
        if not (src.op(i + 1, "(", "{", ".", "::", "<") or src.ident(i - 1, "new")):
            return  # listed in an import or a type position, not used
        for rule in rules:
            self.add(rule, i, src.values[i])

    # -- strings and imports

    def strings(self) -> None:
        src = self.src
        capabilities = self.rules.capabilities
        for i in src.string_tokens():
            value = src.values[i]
            if not value or len(value) > MAX_STRING:
                continue
            for rule in self.rules.matching_strings(value):
                self.add(rule, i, value, value if rule.rule.model else None)  # type: ignore[union-attr]
            if self.rules.keyed and src.op(i - 1, ":") and src.kinds[i - 2] in (ID, STR):
                for rule in self.rules.keyed.get(self.norm(src.values[i - 2]), []):
                    assert rule.rule is not None
                    if rule.rule.pattern.search(value):
                        self.add(rule, i, value, value if rule.rule.model else None)
            if capabilities and i not in self.used:
                capability = _capability_id(src.catalog, value, i in src.expected)
                if capability is not None:
                    for rule, wanted in capabilities:
                        if capability[1] == wanted:
                            self.add(rule, i, capability[0], capability[0])

    def imports(self) -> Set[str]:
        """Module specifiers the file imports (JS: ``from "x"``, ``require("x")``, ``import("x")``)."""
        if not self.rules.near:
            return set()
        src = self.src
        kinds, values = src.kinds, src.values
        found = set()
        for k in src.find(_IMPORT_WORDS):  # the string after ``from``/``import``, or in ``require(``/``import(``
            if values[k] != "require" and k + 1 < src.n and kinds[k + 1] == STR:
                found.update((_package(values[k + 1]), values[k + 1].strip()))
            elif values[k] != "from" and src.op(k + 1, "(") and k + 2 < src.n and kinds[k + 2] == STR:
                found.update((_package(values[k + 2]), values[k + 2].strip()))
        return found


def _package(specifier: str) -> str:
    """``@scope/name`` or ``name`` of a module specifier (``@pinecone-database/pinecone/x`` -> the first two)."""
    parts = specifier.strip().split("/")
    return "/".join(parts[:2]) if specifier.startswith("@") else parts[0]
