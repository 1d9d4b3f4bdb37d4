"""Python source, read with ``ast`` (never imported or run).

Finds imports of provider SDKs and agnostic layers, client construction (with ``base_url`` pointing
the client at another provider), model ids in ``model=`` arguments and model-ish assignments
(resolved through module-level constants), API-key variable reads and API hosts. A file that does not
parse falls back to the text detector and says so.
"""

from __future__ import annotations

import ast
import re
from typing import Callable, Dict, List, Optional, Set, Tuple

from provider_audit.data.catalog import Attribution, Catalog
from provider_audit.detectors import surfaces
from provider_audit.detectors import text as text_detector
from provider_audit.detectors.features import python_features
from provider_audit.detectors.literals import (ENV_NAME_RE, EndpointText, Hit, classify_string, evidence_from_hit,
                                               named_by_variable, named_endpoint, read_endpoint,
                                               unresolved_client)
from provider_audit.models import Evidence, FileReport, Skip, client_facts
from provider_audit.redact import redact

# Keyword arguments that carry a model id or a deployment name.
MODEL_KWARGS = frozenset({"model", "model_name", "model_id", "modelId", "deployment_name", "engine",
                          "azure_deployment", "deployment_id", "llm_model", "chat_model", "embedding_model",
                          "default_model", "model_type"})
# str methods whose string arguments are prefixes or suffixes to test, not values (``name.startswith("gpt-5")``).
AFFIX_METHODS = frozenset({"startswith", "endswith", "removeprefix", "removesuffix"})
# Keyword arguments that point a client at an endpoint.
ENDPOINT_KWARGS = frozenset({"base_url", "api_base", "baseURL", "base", "endpoint", "azure_endpoint",
                             "host", "server_url", "openai_api_base", "url", "api_url"})
# Calls that read an environment variable: os.getenv("X", default), os.environ.get("X"), decouple's
# config("X", default=...), environs' env.str("X"), Django-environ's env("X").
_ENV_READS = frozenset({"os.getenv", "os.environ.get", "getenv", "environ.get", "config", "env", "env.str",
                        "env.url", "os.environ.setdefault"})
_PASS_THROUGH = frozenset({"str", "rstrip", "strip", "removesuffix", "lower", "format", "join", "Field"})
_MAX_RESOLVE_DEPTH = 8
# Modules of an SDK that hold types only, and classes that are data or errors, not clients.
_TYPE_MODULES = frozenset({"types", "_types", "pagination", "_utils", "_models", "_exceptions", "_compat",
                           "_base_client", "type_defs"})
_TYPE_NAMES = re.compile(r"BaseModel|NotGiven|NOT_GIVEN|Omit|[A-Z]\w*(?:Error|Exception|Param|Params)")
# HTTP mocking and record/replay libraries: URLs in a file that uses them are routes of a fake server.
_MOCK_MODULES = frozenset({"respx", "responses", "httpretty", "requests_mock", "aioresponses", "pytest_httpx",
                           "vcr", "pook", "httmock", "mocket", "betamax", "pytest_recording", "openai_responses"})
_MODEL_NAME_RE = re.compile(r"(?i)(?:^|_)(?:model|models|llm|deployment|engine)(?:_|$)|model(?:name|id)$")
MAX_SOURCE_BYTES_FOR_AST = 2_000_000


def detect(path: str, text: str, context: str, catalog: Catalog) -> FileReport:
    if len(text) > MAX_SOURCE_BYTES_FOR_AST:
        return _fallback(path, text, context, catalog, "Python file too large to parse; read as text")
    try:
        tree = ast.parse(text, filename=path)
    except (SyntaxError, ValueError, MemoryError, RecursionError) as exc:
        reason = f"Python that does not parse ({type(exc).__name__}: {getattr(exc, 'msg', exc)}"
        line = getattr(exc, "lineno", None)
        reason += f", line {line}); read as text" if line else "); read as text"
        return _fallback(path, text, context, catalog, reason)
    try:
        visitor = _Visitor(path, text, context, catalog)
        visitor.visit(tree)
    except RecursionError:
        return _fallback(path, text, context, catalog, "Python nested too deeply to analyse; read as text")
    evidence = visitor.evidence
    if visitor.mocks:  # routes and canned answers of a fake server: not requests to the provider
        evidence = [e.but(confidence="low") if e.kind in ("endpoint", "model-id") else e for e in evidence]
    # In a module that itself sends requests (it uses an SDK or a layer), model-id constants it never
    # reads are a table of choices, not what it sends. A module without one (``config.py``) is read by
    # the others: its constants stay as they are.
    sends = any(e.kind in ("import", "client") and e.confidence == "high" for e in evidence)
    unsent = _unread_constant_lines(tree) if sends else set()
    if unsent:
        evidence = [e.but(confidence="low") if e.kind == "model-id" and e.line in unsent else e for e in evidence]
    defaults = _environment_defaults(tree, visitor.dotted)
    if defaults:  # os.getenv("BOT_MODEL", "<id>"), a settings-class field: the id is what runs unless it is set
        evidence = [e.but(default_of=defaults[(e.line, e.column)])
                    if e.kind == "model-id" and (e.line, e.column) in defaults else e for e in evidence]
    return FileReport(tuple(evidence) + tuple(python_features(tree, path, text, context, catalog)))


_IMPORT_LINE = re.compile(r"^[ \t]*(?:from[ \t]+([A-Za-z_][\w.]*)[ \t]+import[ \t]+([\w, \t]+)|import[ \t]+([A-Za-z_][\w.]*))",
                          re.MULTILINE)


def _fallback(path: str, text: str, context: str, catalog: Catalog, reason: str) -> FileReport:
    """The text detector, plus the import statements read line by line (medium confidence): a file that
    does not parse still says which SDKs it imports."""
    found = text_detector.detect(path, text, context, catalog)
    evidence = list(found.evidence)
    lines = text.splitlines()
    for match in _IMPORT_LINE.finditer(text[:MAX_SOURCE_BYTES_FOR_AST]):
        module, names, plain = match.group(1), match.group(2), match.group(3)
        candidates = [f"{module}.{n.strip()}" for n in names.split(",") if n.strip()] + [module] if module else [plain]
        for dotted in candidates:
            attribution = catalog.python_client(dotted) if module else None
            attribution = attribution if attribution is not None and attribution.provider else catalog.python_module(dotted)
            if attribution is not None:
                line = text.count("\n", 0, match.start()) + 1
                evidence.append(Evidence(
                    "import", path, line, 1, context, attribution.provider, attribution.vendor, attribution.layer,
                    detail=dotted, confidence="low" if attribution.confidence == "low" else "medium",
                    snippet=redact(lines[line - 1]) if line <= len(lines) else "", **client_facts("import", dotted)))
                break
    return FileReport(tuple(evidence), found.skips + (Skip(path, reason),))


class _Visitor(ast.NodeVisitor):
    def __init__(self, path: str, text: str, context: str, catalog: Catalog):
        self.path = path
        self.lines = text.splitlines()
        self.context = context
        self.catalog = catalog
        self.aliases: Dict[str, str] = {}  # local name -> dotted module/class path
        self.constants: Dict[str, Tuple[str, ast.AST]] = {}  # module-level NAME = "literal"
        self.evidence: List[Evidence] = []
        self.seen_strings: Set[int] = set()  # ids of Constant nodes already interpreted
        self.uses_boto = False
        self.instances: Dict[str, Attribution] = {}  # client = OpenAI(...) / self.client = ...: the client's target
        self.made: Dict[int, Attribution] = {}  # id of a client construction Call -> where it goes
        self.sdk_imported: Optional[int] = None  # how many aliases ``uses_sdk`` was computed for
        self.uses_sdk = False  # the file imports an SDK with API surfaces (detectors.surfaces.SDK_ROOTS)
        # What names and attributes can hold, for resolving a client's endpoint statically: module-level
        # assignments, class attributes and ``self.x = ...`` (by attribute name, anywhere in the file), and
        # the parameters and local assignments of the functions being visited.
        self.module_values: Dict[str, List[ast.AST]] = {}
        self.attribute_values: Dict[str, List[ast.AST]] = {}
        self.scopes: List[Dict[str, List[ast.AST]]] = []
        self.runtime_names: Set[str] = set()  # names read outside annotations
        self.type_checking = 0  # depth inside ``if TYPE_CHECKING:``
        self.mocks = False  # the file imports an HTTP mocking or record/replay library
        self.not_references: Set[int] = set()  # called names, annotations, isinstance and except targets
        self.referenced: Set[str] = set()  # client classes reported as referenced

    # -- helpers ----------------------------------------------------------------------------------

    def snippet(self, node: ast.AST) -> str:
        line = getattr(node, "lineno", 1)
        return redact(self.lines[line - 1]) if 0 < line <= len(self.lines) else ""

    def add(self, kind: str, node: ast.AST, attribution: Attribution, detail: str, confidence: str = "high",
            **facts: Optional[str]) -> None:
        self.evidence.append(Evidence(
            kind, self.path, getattr(node, "lineno", 1), getattr(node, "col_offset", 0) + 1, self.context,
            attribution.provider, attribution.vendor, attribution.layer, detail=detail,
            confidence="low" if attribution.confidence == "low" else confidence, snippet=self.snippet(node),
            **{**client_facts(kind, detail), **facts}))

    def add_hits(self, hits: List[Hit], node: ast.AST, confidence: Optional[str] = None) -> None:
        for hit in hits:
            self.evidence.append(evidence_from_hit(
                hit, self.path, getattr(node, "lineno", 1), getattr(node, "col_offset", 0) + 1, self.context,
                self.snippet(node), confidence))

    def dotted(self, node: ast.AST) -> Optional[str]:
        """``openai.OpenAI`` for ``openai.OpenAI``/``OpenAI`` after the matching import."""
        parts: List[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        base = self.aliases.get(node.id, node.id)
        return ".".join([base] + parts[::-1])

    def literal(self, node: Optional[ast.AST]) -> Optional[Tuple[str, ast.AST]]:
        """The string a node holds: a literal, or a module-level constant it names."""
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value, node
        if isinstance(node, ast.Name) and node.id in self.constants:
            return self.constants[node.id]
        return None

    def model_literal(self, node: Optional[ast.AST]) -> None:
        found = self.literal(node)
        if found is None:
            return
        value, origin = found
        if id(origin) in self.seen_strings:
            return
        self.seen_strings.add(id(origin))
        match = self.catalog.model(value, expected=True)
        if match is not None:
            # Reported where the literal stands: that is the line to change.
            self.add_hits([Hit("model-id", value, model=match)], origin)

    # -- visitors ---------------------------------------------------------------------------------

    def visit_Module(self, node: ast.Module) -> None:
        self.collect_values(node)
        for statement in node.body:
            if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
                target, value = statement.targets[0], statement.value
            elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
                target, value = statement.target, statement.value
            else:
                continue
            if isinstance(target, ast.Name) and isinstance(value, ast.Constant) and isinstance(value.value, str):
                self.constants[target.id] = (value.value, value)
        self.generic_visit(node)

    def collect_values(self, tree: ast.Module) -> None:
        self.runtime_names, self.not_references = _runtime_names(tree)
        for statement in tree.body:
            for target, value in _assignments(statement):
                if isinstance(target, ast.Name):
                    self.module_values.setdefault(target.id, []).append(value)
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                for statement in node.body:
                    for target, value in _assignments(statement):
                        if isinstance(target, ast.Name):
                            self.attribute_values.setdefault(target.id, []).append(value)
            elif isinstance(node, (ast.Assign, ast.AnnAssign)):
                for target, value in _assignments(node):
                    if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) \
                            and target.value.id in ("self", "cls"):
                        self.attribute_values.setdefault(target.attr, []).append(value)

    def visit_FunctionDef(self, node) -> None:
        scope: Dict[str, List[ast.AST]] = {}
        arguments = node.args
        positional = arguments.posonlyargs + arguments.args
        for argument, default in zip(positional[len(positional) - len(arguments.defaults):], arguments.defaults):
            scope.setdefault(argument.arg, []).append(default)
        for argument, default in zip(arguments.kwonlyargs, arguments.kw_defaults):
            if default is not None:
                scope.setdefault(argument.arg, []).append(default)
        for inner in ast.walk(node):
            if isinstance(inner, (ast.Assign, ast.AnnAssign)):
                for target, value in _assignments(inner):
                    if isinstance(target, ast.Name):
                        scope.setdefault(target.id, []).append(value)
        self.scopes.append(scope)
        try:
            self.generic_visit(node)
        finally:
            self.scopes.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    # -- static resolution of endpoints ------------------------------------------------------------

    def resolve_endpoint(self, node: ast.AST) -> Tuple[EndpointText, Optional[ast.AST]]:
        """What an endpoint argument can be read as, statically, and the literal it was read from."""
        found = self._resolve(node, 0, set())
        return found if found is not None else (EndpointText("configurable"), None)

    def _resolve(self, node: Optional[ast.AST], depth: int, seen: Set[int]) -> Optional[Tuple[EndpointText, Optional[ast.AST]]]:
        if node is None or depth > _MAX_RESOLVE_DEPTH or id(node) in seen:
            return None
        seen.add(id(node))
        step = depth + 1
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            read = read_endpoint(node.value, self.catalog)
            return (read, node) if read.state != "configurable" else None
        if isinstance(node, (ast.JoinedStr, ast.BinOp)):
            text = self._text(node, step, seen)
            read = read_endpoint(text, self.catalog) if text else None
            if read is not None and read.state != "configurable":
                return read, None
            # f"{base}/v1", base + "/v1": the base's own resolution (a variable named for its provider)
            head = node.left if isinstance(node, ast.BinOp) else next(
                (v.value for v in node.values if isinstance(v, ast.FormattedValue)), None)
            found = self._resolve(head, step, seen)
            return (found[0], None) if found is not None and found[0].state == "host" else None
        if isinstance(node, (ast.Name, ast.Attribute)):
            name = node.id if isinstance(node, ast.Name) else node.attr
            values = self._candidates(name) if isinstance(node, ast.Name) else self.attribute_values.get(name, [])
            # A value that cannot be read: a settings field or variable named after its provider
            # (``settings.OPENAI_BASE_URL``, ``self.deepseek_base_url``) is read from that provider's variable.
            return self._first(values, step, seen) or self._named(name.upper())
        if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
            return self._first(node.values, step, seen)
        if isinstance(node, ast.IfExp):
            return self._first([node.body, node.orelse], step, seen)
        if isinstance(node, ast.Subscript):  # os.environ["X"]
            key = node.slice
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                return self._named(key.value)
            return None
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr in _PASS_THROUGH and func.attr != "format":
                return self._resolve(func.value, step, seen)  # os.environ["X"].rstrip("/")
            name = self.dotted(func) or ""
            short = name.rsplit(".", 1)[-1]
            if name in _ENV_READS or short in ("getenv",) or name.endswith(("environ.get", ".getenv")):
                default = node.args[1] if len(node.args) > 1 else next(
                    (k.value for k in node.keywords if k.arg in ("default", "fallback")), None)
                found = self._resolve(default, step, seen)
                if found is not None:
                    return found
                first = node.args[0] if node.args else None
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    return self._named(first.value)
                return None
            if short in _PASS_THROUGH or name in _PASS_THROUGH:
                if isinstance(node.func, ast.Attribute) and short != "Field":
                    return self._resolve(node.func.value, step, seen)
                inner = node.args[0] if node.args else next(
                    (k.value for k in node.keywords if k.arg in ("default",)), None)
                return self._resolve(inner, step, seen)
        return None

    def _candidates(self, name: str) -> List[ast.AST]:
        for scope in reversed(self.scopes):
            if name in scope:
                return scope[name]
        return self.module_values.get(name, [])

    def _first(self, nodes, depth: int, seen: Set[int]) -> Optional[Tuple[EndpointText, Optional[ast.AST]]]:
        """The first of ``nodes`` that resolves, a known host before an unknown one."""
        unknown = None
        for candidate in nodes:
            found = self._resolve(candidate, depth, set(seen))
            if found is not None and found[0].state == "host":
                return found
            unknown = unknown or found
        return unknown

    def _named(self, variable: str) -> Optional[Tuple[EndpointText, Optional[ast.AST]]]:
        if not ENV_NAME_RE.fullmatch(variable):
            return None
        hit = named_endpoint(variable, self.catalog)
        return (EndpointText("host", hit), None) if hit is not None else None

    def _text(self, node: ast.AST, depth: int, seen: Set[int]) -> str:
        """An f-string or a concatenation with what can be read of its parts (``{}`` for the rest)."""
        if depth > _MAX_RESOLVE_DEPTH:
            return "{}"
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.JoinedStr):
            return "".join(self._text(v, depth + 1, seen) for v in node.values)
        if isinstance(node, ast.FormattedValue):
            return self._text(node.value, depth + 1, seen)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return self._text(node.left, depth + 1, seen) + self._text(node.right, depth + 1, seen)
        if isinstance(node, (ast.Name, ast.Attribute)):
            found = self._resolve(node, depth + 1, set(seen))
            if found is not None and found[0].state == "host" and found[1] is not None:
                value = getattr(found[1], "value", None)
                if isinstance(value, str):
                    return value
        return "{}"

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.asname:
                self.aliases[alias.asname] = alias.name
            else:
                root = alias.name.split(".")[0]
                self.aliases.setdefault(root, root)
            bound = alias.asname or alias.name.split(".")[0]
            self.note_import(alias.name, node, self.import_confidence(alias.name, [bound], [alias.name]))

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level or not node.module:
            return
        attributed = False
        confidence = self.import_confidence(node.module, [a.asname or a.name for a in node.names],
                                            [a.name for a in node.names])
        for alias in node.names:
            full = f"{node.module}.{alias.name}"
            self.aliases[alias.asname or alias.name] = full
            if attributed:
                continue
            # ``from langchain_openai import AzureChatOpenAI`` imports Azure's client, not OpenAI's.
            client = self.catalog.python_client(full)
            module = self.catalog.python_module(full)
            if client is not None and module is not None and client.provider and client.provider != module.provider:
                self.add("import", node, Attribution(client.provider, client.vendor, module.layer or client.layer,
                                                     module.confidence), full, confidence)
                attributed = True
            # ``from google import genai`` names a provider module that ``google`` alone does not.
            elif module is not None:
                attributed = self.note_import(full, node, confidence)
        if not attributed:
            self.note_import(node.module, node, confidence)

    def import_confidence(self, module: str, bound: List[str], imported: List[str]) -> str:
        """Low for an import that cannot send a request: under ``if TYPE_CHECKING:``, of type modules
        (``openai.types.chat``), of only model/error classes, or whose names the file never uses at run
        time (only in annotations, or not at all)."""
        if self.type_checking or set(module.split(".")[1:]) & _TYPE_MODULES:
            return "low"
        if imported and all(_TYPE_NAMES.fullmatch(name) for name in imported):
            return "low"
        if not any(name in self.runtime_names for name in bound):
            return "low"
        return "high"

    def visit_If(self, node: ast.If) -> None:
        test = node.test
        if (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
                isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"):
            self.visit(test)
            self.type_checking += 1
            try:
                for statement in node.body:
                    self.visit(statement)
            finally:
                self.type_checking -= 1
            for statement in node.orelse:
                self.visit(statement)
            return
        self.generic_visit(node)

    def note_import(self, module: str, node: ast.AST, confidence: str = "high") -> bool:
        if module.split(".")[0] in ("boto3", "aioboto3", "botocore"):
            self.uses_boto = True
        if module.split(".")[0] in _MOCK_MODULES:
            self.mocks = True
        found = self.catalog.python_module(module)
        if found is None:
            return False
        self.add("import", node, found, module, confidence, surface=surfaces.module_surface(module))
        return True

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Load):
            self.reference(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if isinstance(node.ctx, ast.Load) and self.reference(node):
            return
        self.generic_visit(node)

    def reference(self, node: ast.AST) -> bool:
        """A client class named but not called here (``factory = {"azure": AzureOpenAI}``, ``cls = AzureOpenAI``,
        ``return AzureOpenAI``): a factory builds it elsewhere. Reported once per class, at medium confidence."""
        if id(node) in self.not_references:
            return False
        name = self.dotted(node)
        client = self.catalog.python_client(name) if name else None
        if client is None or client.provider is None or name in self.referenced:
            return client is not None
        self.referenced.add(name or "")
        self.add("client", node, client, name or "", "medium")
        return True

    def visit_Call(self, node: ast.Call) -> None:
        self.not_references.add(id(node.func))
        name = self.dotted(node.func)
        client = self.catalog.python_client(name) if name else None
        if client is None and name:
            client = self.service_client(name, node)
        if client is not None:
            self.made[id(node)] = self.note_client(node, name or "", client)
        elif isinstance(node.func, ast.Attribute):
            self.api_call(node)
        for keyword in node.keywords:
            if keyword.arg in MODEL_KWARGS:
                self.model_literal(keyword.value)
        if isinstance(node.func, ast.Attribute) and node.func.attr in AFFIX_METHODS:
            self.affixes(node)
        self.generic_visit(node)

    def affixes(self, node: ast.Call) -> None:
        """``model.startswith(("gpt-5", "gpt-4"))``: prefixes and suffixes tested, not models sent: talked
        about (low confidence), like a docstring."""
        for arg in node.args:
            for item in (arg.elts if isinstance(arg, (ast.Tuple, ast.List, ast.Set)) else [arg]):
                if isinstance(item, ast.Constant) and isinstance(item.value, str) and id(item) not in self.seen_strings:
                    self.seen_strings.add(id(item))
                    self.add_hits(classify_string(item.value, self.catalog), item, "low")

    def api_call(self, node: ast.Call) -> None:
        """``client.beta.assistants.create(...)``, ``client.responses.create(...)``, a chat call with
        ``stream=True``...: the API surface and the features a call uses (``detectors.surfaces``)."""
        if self.sdk_imported is None or self.sdk_imported != len(self.aliases):  # imports seen so far
            self.sdk_imported, self.uses_sdk = len(self.aliases), surfaces.uses_sdk(self.aliases.values())
        if not self.uses_sdk:
            return
        parts: List[str] = []
        inner: ast.AST = node.func
        while isinstance(inner, ast.Attribute):
            parts.append(inner.attr)
            inner = inner.value
        parts.append(inner.id if isinstance(inner, ast.Name) else "<expr>")
        parts.reverse()
        surface, feature, at = surfaces.call_surface(parts)
        if surface is None:
            return
        features = ([feature] if feature else []) + surfaces.method_features(parts)
        for keyword in node.keywords:
            value = keyword.value
            if keyword.arg == "stream" and isinstance(value, ast.Constant) and value.value is True:
                features.append("streaming")
            elif keyword.arg == "reasoning" and isinstance(value, ast.Dict) and any(
                    isinstance(k, ast.Constant) and k.value == "summary" for k in value.keys):
                features.append("reasoning-summaries")
            elif keyword.arg == "prompt" and surface == "responses" and isinstance(value, ast.Dict) and any(
                    isinstance(k, ast.Constant) and k.value == "id" for k in value.keys):
                self.add_call(node, parts, at, "prompts", None)
            elif keyword.arg == "tools":
                features += [f for c in ast.walk(value) if isinstance(c, ast.Constant) and isinstance(c.value, str)
                             for f in [surfaces.tool_feature(c.value)] if f]
        if surface == "chat" and not features:
            return
        for one in list(dict.fromkeys(features)) or [None]:
            self.add_call(node, parts, at, surface, one)

    def add_call(self, node: ast.Call, parts: List[str], at: int, surface: str, feature: Optional[str]) -> None:
        receiver = ".".join(parts[:at])
        attribution = self.instances.get(receiver)
        facts: Dict[str, Optional[str]] = {"surface": surface, "feature": feature}
        confidence = "high"
        if attribution is None:  # a client made elsewhere: the file's one SDK, else placed by the risk check
            roots = sorted(r for r in surfaces.SDK_ROOTS if any(
                m == r or m.startswith(r + ".") for m in self.aliases.values()))
            found = self.catalog.python_module(roots[0]) if len(roots) == 1 else None
            attribution = Attribution(found.provider, found.vendor) if found else Attribution(None)
            facts["package"] = roots[0] if len(roots) == 1 else None
            confidence = "medium"
        self.add("api-call", node, attribution, ".".join(parts[at:]), confidence, **facts)

    def service_client(self, name: str, node: ast.Call) -> Optional[Attribution]:
        """``boto3.client("bedrock-runtime")`` and ``session.client(service_name=...)``."""
        if not self.uses_boto or not name.endswith((".client", ".resource")):
            return None
        argument = node.args[0] if node.args else next(
            (k.value for k in node.keywords if k.arg == "service_name"), None)
        found = self.literal(argument)
        provider = self.catalog.python_services.get(found[0]) if found else None
        return Attribution(provider) if provider else None

    def note_client(self, node: ast.Call, name: str, client: Attribution) -> Attribution:
        detail = name
        confidence = "high"
        for keyword in node.keywords:
            if keyword.arg == "vertexai" and isinstance(keyword.value, ast.Constant) and keyword.value.value is True:
                client = Attribution("vertex-ai", client.vendor or "google", client.layer)
                detail += " vertexai=True"
            if keyword.arg not in ENDPOINT_KWARGS:
                continue
            read, origin = self.resolve_endpoint(keyword.value)
            if read.state == "host" and read.hit is not None and read.hit.attribution is not None:
                target = read.hit.attribution
                if named_by_variable(read.hit, client):
                    client = Attribution(target.provider, target.vendor, target.layer or client.layer)
                detail += f" {keyword.arg}={read.hit.detail}"
                if origin is not None and id(origin) not in self.seen_strings:
                    self.add_hits([read.hit], origin)
            else:
                client = unresolved_client(client, detail, self.catalog)
                detail += f" {keyword.arg}={read.label}"
                confidence = "medium"
            if origin is not None:
                self.seen_strings.add(id(origin))
        self.add("client", node, client, detail, confidence)
        # A key variable read in the client's own arguments is that client's key, whatever its name
        # (``OpenAI(api_key=os.getenv("OPENAI_API_KEY"), base_url=<DeepSeek>)`` uses a DeepSeek key).
        for argument in list(node.args) + [k.value for k in node.keywords]:
            for inner in ast.walk(argument):
                if isinstance(inner, ast.Constant) and isinstance(inner.value, str) and id(inner) not in self.seen_strings:
                    if self.catalog.env_var(inner.value) is not None:
                        self.seen_strings.add(id(inner))
                        self.add("env-var", inner, client, inner.value)
        return client

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self.assignment(target, node.value)
        self.generic_visit(node)
        made = self.made.get(id(node.value))
        if made is not None:
            for target in node.targets:
                key = self.dotted_target(target)
                if key:
                    self.instances[key] = made

    @staticmethod
    def dotted_target(node: ast.AST) -> Optional[str]:
        """``client`` or ``self.client`` for an assignment target."""
        if isinstance(node, ast.Name):
            return node.id
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            return f"{node.value.id}.{node.attr}"
        return None

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self.assignment(node.target, node.value)
        elif isinstance(node.target, ast.Name):
            # Settings classes (pydantic BaseSettings) read OPENAI_API_KEY into ``openai_api_key``.
            found = self.catalog.env_var(node.target.id.upper())
            if found is not None:
                self.add("env-var", node, found, node.target.id.upper(), "medium")
        self.generic_visit(node)
        made = self.made.get(id(node.value)) if node.value is not None else None
        key = self.dotted_target(node.target)
        if made is not None and key:
            self.instances[key] = made

    def assignment(self, target: ast.AST, value: ast.AST) -> None:
        name = target.id if isinstance(target, ast.Name) else target.attr if isinstance(target, ast.Attribute) else None
        if name and _MODEL_NAME_RE.search(name):
            self.model_literal(value)

    def visit_Dict(self, node: ast.Dict) -> None:
        for key, value in zip(node.keys, node.values):
            if isinstance(key, ast.Constant) and isinstance(key.value, str) and key.value in MODEL_KWARGS:
                self.model_literal(value)
        self.generic_visit(node)

    def visit_Expr(self, node: ast.Expr) -> None:
        """A string standing as a statement (a docstring) is prose: what it names is talked about."""
        value = node.value
        if isinstance(value, ast.Constant) and isinstance(value.value, str) and id(value) not in self.seen_strings:
            self.seen_strings.add(id(value))
            self.add_hits(classify_string(value.value, self.catalog), value, "low")
            return
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str) and id(node) not in self.seen_strings:
            hits = classify_string(node.value, self.catalog)
            if any(h.kind == "endpoint" for h in hits):
                self.seen_strings.add(id(node))  # a client's endpoint resolved to it later is not told twice
            self.add_hits(hits, node)


def _assignments(statement: ast.AST):
    """(target, value) pairs a statement assigns: ``a = b = v``, ``a: T = v``."""
    if isinstance(statement, ast.Assign):
        for target in statement.targets:
            yield target, statement.value
    elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
        yield statement.target, statement.value


_GETENV = frozenset({"os.getenv", "os.environ.get"})
_SETTINGS_BASES = frozenset({"pydantic_settings.BaseSettings", "pydantic.BaseSettings"})


def _environment_defaults(tree: ast.Module, dotted: Callable[[ast.AST], Optional[str]]) -> Dict[Tuple[int, int], str]:
    """(line, column) of string literals that are defaults an environment variable replaces -> that
    variable: ``os.getenv("X", "...")`` and ``os.environ.get("X", "...")``, and the fields of a
    pydantic ``BaseSettings`` class (read from the upper-cased field name, after a literal ``env_prefix``).
    ``dotted`` names a node through the file's imports (``getenv`` -> ``os.getenv``)."""
    found: Dict[Tuple[int, int], str] = {}

    def note(value: Optional[ast.AST], name: str) -> None:
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            found[(value.lineno, value.col_offset + 1)] = name

    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and len(node.args) >= 2 and dotted(node.func) in _GETENV \
                and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
            note(node.args[1], node.args[0].value)
        elif isinstance(node, ast.ClassDef) and any(dotted(b) in _SETTINGS_BASES for b in node.bases):
            prefix = ""
            for inner in ast.walk(node):
                if isinstance(inner, ast.keyword) and inner.arg == "env_prefix" and \
                        isinstance(inner.value, ast.Constant) and isinstance(inner.value.value, str):
                    prefix = inner.value.value
            for statement in node.body:
                if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
                    value = statement.value
                    if isinstance(value, ast.Call) and dotted(value.func) in ("Field", "pydantic.Field"):
                        value = value.args[0] if value.args else next(
                            (k.value for k in value.keywords if k.arg == "default"), None)
                    note(value, (prefix + statement.target.id).upper())
    return found


def _unread_constant_lines(tree: ast.Module) -> Set[int]:
    """Lines of module-level ``NAME = "..."`` (or ``NAME = OTHER``) assignments whose name the module
    never reads, counting a read only from a live place: ``MODEL = CLAUDE`` with ``MODEL`` unread leaves
    ``CLAUDE`` unread too. Names listed in ``__all__`` and names assigned more than once are read."""
    assigned: Dict[str, ast.stmt] = {}
    twice: Set[str] = set()
    exported: Set[str] = set()
    for statement in tree.body:
        for target, value in _assignments(statement):
            if not isinstance(target, ast.Name):
                continue
            if target.id == "__all__" and isinstance(value, (ast.List, ast.Tuple)):
                exported.update(e.value for e in value.elts if isinstance(e, ast.Constant) and isinstance(e.value, str))
            elif isinstance(value, ast.Name) or (isinstance(value, ast.Constant) and isinstance(value.value, str)):
                if target.id in assigned:
                    twice.add(target.id)
                assigned[target.id] = statement
    candidates = {name: st for name, st in assigned.items() if name not in twice and name not in exported
                  and not name.startswith("__")}
    if not candidates:
        return set()
    reads: Dict[str, int] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            reads[node.id] = reads.get(node.id, 0) + 1
        elif isinstance(node, ast.Global):  # assigned in a function: read or written elsewhere
            for name in node.names:
                reads[name] = reads.get(name, 0) + 1
    dead: Set[str] = set()
    changed = True
    while changed:
        changed = False
        for name, statement in candidates.items():
            if name not in dead and reads.get(name, 0) == 0:
                dead.add(name)
                changed = True
                value = getattr(statement, "value", None)
                if isinstance(value, ast.Name) and value.id in reads:
                    reads[value.id] -= 1
    return {line for name in dead for line in range(candidates[name].lineno,
                                                     (candidates[name].end_lineno or candidates[name].lineno) + 1)}


def _runtime_names(tree: ast.AST) -> Tuple[Set[str], Set[int]]:
    """Names the module reads outside annotations (what an import must bind to be used at run time), and
    the nodes that name a class without using it as a value (annotations, isinstance and except targets)."""
    annotations: Set[int] = set()
    names = []
    for node in ast.walk(tree):
        parts = []
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("isinstance", "issubclass"):
            parts.extend(node.args[1:])
        elif isinstance(node, ast.ExceptHandler) and node.type is not None:
            parts.append(node.type)
        if isinstance(node, ast.arg) and node.annotation is not None:
            parts.append(node.annotation)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.returns is not None:
            parts.append(node.returns)
        elif isinstance(node, ast.AnnAssign):
            parts.append(node.annotation)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            names.append(node)
        for part in parts:
            annotations.update(id(inner) for inner in ast.walk(part))
    runtime = {n.id for n in names if id(n) not in annotations}
    return runtime, annotations
