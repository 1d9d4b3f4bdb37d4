"""Python source, read with ``ast`` (never imported or run).

Finds imports of provider SDKs and agnostic layers, client construction (with ``base_url`` pointing
the client at another provider), model ids in ``model=`` arguments and model-ish assignments
(resolved through module-level constants), API-key variable reads and API hosts. A file that does not
parse falls back to the text detector and says so.
"""

from __future__ import annotations

import ast
import re
from typing import Dict, List, Optional, Set, Tuple

from provider_audit.data.catalog import Attribution, Catalog
from provider_audit.detectors import surfaces
from provider_audit.detectors import text as text_detector
from provider_audit.detectors.features import python_features
from provider_audit.detectors.literals import Hit, classify_string, evidence_from_hit, hosts_in
from provider_audit.models import Evidence, FileReport, Skip, client_facts
from provider_audit.redact import redact

# Keyword arguments that carry a model id or a deployment name.
MODEL_KWARGS = frozenset({"model", "model_name", "model_id", "modelId", "deployment_name", "engine",
                          "azure_deployment", "deployment_id", "llm_model", "chat_model", "embedding_model",
                          "default_model", "model_type"})
# Keyword arguments that point a client at an endpoint.
ENDPOINT_KWARGS = frozenset({"base_url", "api_base", "baseURL", "base", "endpoint", "azure_endpoint",
                             "host", "server_url", "openai_api_base", "url", "api_url"})
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
    return FileReport(tuple(visitor.evidence) + tuple(python_features(tree, path, text, context, catalog)))


def _fallback(path: str, text: str, context: str, catalog: Catalog, reason: str) -> FileReport:
    found = text_detector.detect(path, text, context, catalog)
    return FileReport(found.evidence, found.skips + (Skip(path, reason),))


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

    def add_hits(self, hits: List[Hit], node: ast.AST) -> None:
        for hit in hits:
            self.evidence.append(evidence_from_hit(
                hit, self.path, getattr(node, "lineno", 1), getattr(node, "col_offset", 0) + 1, self.context,
                self.snippet(node)))

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

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.asname:
                self.aliases[alias.asname] = alias.name
            else:
                root = alias.name.split(".")[0]
                self.aliases.setdefault(root, root)
            self.note_import(alias.name, node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level or not node.module:
            return
        attributed = False
        for alias in node.names:
            full = f"{node.module}.{alias.name}"
            self.aliases[alias.asname or alias.name] = full
            # ``from google import genai`` names a provider module that ``google`` alone does not.
            if not attributed and self.catalog.python_module(full) is not None:
                attributed = self.note_import(full, node)
        if not attributed:
            self.note_import(node.module, node)

    def note_import(self, module: str, node: ast.AST) -> bool:
        if module.split(".")[0] in ("boto3", "aioboto3", "botocore"):
            self.uses_boto = True
        found = self.catalog.python_module(module)
        if found is None:
            return False
        self.add("import", node, found, module, surface=surfaces.module_surface(module))
        return True

    def visit_Call(self, node: ast.Call) -> None:
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
        self.generic_visit(node)

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
            found = self.literal(keyword.value)
            if found is None:
                detail += f" {keyword.arg}=<configurable>"
                confidence = "medium"
                continue
            value, origin = found
            hosts = list(hosts_in(value, self.catalog))
            if hosts and hosts[0].attribution is not None:
                target = hosts[0].attribution
                client = Attribution(target.provider, target.vendor, target.layer or client.layer)
                detail += f" {keyword.arg}={hosts[0].detail}"
                if id(origin) not in self.seen_strings:
                    self.add_hits(hosts[:1], origin)
            elif value.startswith(("http://", "https://")):
                detail += f" {keyword.arg}=<unknown host>"
                confidence = "medium"
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

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str) and id(node) not in self.seen_strings:
            self.add_hits(classify_string(node.value, self.catalog), node)
