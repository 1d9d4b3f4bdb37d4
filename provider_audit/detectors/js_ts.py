"""JavaScript and TypeScript (also the scripts of Vue, Svelte and Astro files), read with a lexer.

Recognises:

* imports: ``import ... from "pkg"``, ``import "pkg"``, ``export ... from "pkg"``, ``require("pkg")``,
  ``import("pkg")``, TypeScript ``import x = require("pkg")``; the specifier becomes an npm package name
  (``@scope/name/sub`` -> ``@scope/name``, ``name/sub`` -> ``name``, ``npm:name@1`` -> ``name``, esm.sh /
  unpkg / jsDelivr / Skypack URLs too; relative, ``node:`` and other scheme specifiers are ignored).
  Evidence detail: the package name. ``langchain/chat_models/openai`` and other integrations inside
  the LangChain.js layer packages name their provider. An import of only a layer's non-routing parts
  (text splitters, document loaders, message/prompt classes, the AI SDK 2/3 ``OpenAIStream``-style
  adapters) or a type-only import of a layer has low confidence: it sends no request.
* clients: ``new X(...)`` where ``X`` was imported from a catalog package and is the default export
  or a client class (``OpenAI``, ``Anthropic``, ``GoogleGenAI``, ``BedrockRuntimeClient``, ``Chat*``
  LangChain models...), ``create*(...)`` factories (``createOpenAI``, ``createOpenAICompatible``...),
  and Vercel AI SDK provider functions (``openai("gpt-4o")``, ``anthropic.messages(...)``). An endpoint
  in the arguments (``baseURL``/``baseUrl``/``endpoint``/``host``... set to a literal, a constant or
  a variable, or a template such as ``https://${resource}.openai.azure.com`` or
  ``${endpoint}/openai/deployments/${name}`` for Azure OpenAI) re-attributes the client to the host's provider. Detail: ``"<package> <export>"`` plus
  ``" baseURL=<host>"`` (or ``=<configurable>`` / ``=<unknown host>``), so ``attribution.sdk_root``
  gives the package name for scoped and unscoped packages alike.
* string literals: model ids (strictly, or leniently where a model goes: ``model: "x"``, the first
  argument of an AI SDK provider function), hosts in URLs, key variable names;
  ``process.env.X``, ``process.env["X"]``, ``import.meta.env.X``, ``Bun.env.X``, ``Deno.env.get("X")``,
  ``const { X } = process.env`` (front-end prefixes such as ``VITE_`` and ``NEXT_PUBLIC_`` are looked
  through).
* ``model: NAME`` where ``NAME`` is imported by name from a file of the project (``import { MODEL } from
  "./config"``): a reference the scan resolves one hop later (``scanning/imported.py``) into model-id
  evidence here, when that file has ``export const MODEL = "<model id>"``.

Limits: bindings are per file and by name (no scopes, no re-exports followed); a client class reached
through a wrapper function or a variable holding the class is not seen; Vue/Svelte/Astro markup
outside ``<script>`` blocks (and Astro frontmatter) is not read.
"""

from __future__ import annotations

import dataclasses
import posixpath
import re
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

from provider_audit.data.catalog import Attribution, Catalog
from provider_audit.detectors import surfaces
from provider_audit.detectors.engine import Source, model_key
from provider_audit.detectors.features import token_features
from provider_audit.detectors.safety import guarded
from provider_audit.detectors.tokenizer import ID, OP, STR, Spec, lex
from provider_audit.models import FileReport, imported_reference

SPEC = Spec(line_comments=("//",), single_quote="string", backtick="template", regex_literals=True)

# Exports that are client classes whatever their package (besides names ending in Client, Chat* and
# *Embeddings models).
CLIENT_CLASSES = frozenset({
    "OpenAI", "AzureOpenAI", "Anthropic", "AnthropicBedrock", "AnthropicVertex", "AnthropicFoundry",
    "GoogleGenAI", "GoogleGenerativeAI", "VertexAI", "Mistral", "Cohere", "Groq", "Together", "Cerebras",
    "HfInference", "Ollama", "OpenRouter", "Perplexity", "ZhipuAI", "Portkey", "Gemini", "DeepSeek",
    "Fireworks", "Bedrock", "LlamaAPI", "OpenAIApi",  # OpenAIApi: the openai v3 SDK
})
_CLIENT_NAME = re.compile(r"^(?:[A-Z]\w*Client(?:V\d+)?|Chat[A-Z]\w*|[A-Z]\w*Embeddings)$")
_FACTORY = re.compile(r"^create[A-Z]\w*$")
_ENDPOINT_FACTORY = re.compile(r"Compatible|Gateway")
# Client classes of a package that reach another provider than the package's own.
CLIENT_OVERRIDES = {("openai", "AzureOpenAI"): ("azure-openai", "openai"),
                    ("openai", "AsyncAzureOpenAI"): ("azure-openai", "openai")}
_CDN_PREFIXES = ("https://esm.sh/", "https://cdn.skypack.dev/", "https://unpkg.com/", "https://cdn.jsdelivr.net/npm/",
                 "https://esm.run/", "https://jspm.dev/", "https://ga.jspm.io/npm:")
_DECLARATIONS = frozenset({"const", "let", "var"})
_MODULE_WORDS = frozenset({"import", "export", "require"})
_CALL_WORDS = frozenset({"new", "process", "Bun", "import"})
# Parts of a layer that route no request: text splitters and document loaders (LangChain), message and
# prompt classes, and the AI SDK 2/3 adapters that turn another SDK's response into a stream
# (``OpenAIStream(await openai.chat.completions.create(...))``: the request went through ``openai``).
# An import of only these (or a type-only import of a layer) is reported at low confidence, so it does
# not make code that calls one provider's SDK look abstracted.
_UTILITY_SUBPATHS = {
    "langchain": frozenset({"text_splitter", "document_loaders", "document_transformers", "document", "docstore"}),
    "@langchain/community": frozenset({"document_loaders", "document_transformers"}),
    "@langchain/core": frozenset({"documents", "messages", "prompts"}),
}
# LangChain.js before 0.2 shipped its provider integrations inside the layer's own packages:
# "langchain/chat_models/openai", "@langchain/community/chat_models/ollama". The module name -> provider.
_INTEGRATION_PACKAGES = ("langchain", "@langchain/community")
_INTEGRATION_KINDS = frozenset({"chat_models", "llms", "embeddings"})
_INTEGRATION_MODULES = {
    "openai": "openai", "azure_openai": "azure-openai", "anthropic": "anthropic", "googlegenai": "google",
    "googlegenerativeai": "google", "googlepalm": "google", "googlevertexai": "vertex-ai",
    "googlevertexai_web": "vertex-ai", "bedrock": "aws-bedrock", "ollama": "ollama", "mistralai": "mistral",
    "togetherai": "together", "fireworks": "fireworks", "groq": "groq", "cohere": "cohere",
    "deepinfra": "deepinfra", "hf": "huggingface", "zhipuai": "zhipu", "alibaba_tongyi": "alibaba-qwen",
    "moonshot": "moonshot", "minimax": "minimax", "perplexity": "perplexity",
}
_UTILITY_EXPORTS = {
    "ai": re.compile(r"(?:OpenAI|Anthropic|AnthropicMessages|AWSBedrock\w*|Cohere|GoogleGenerativeAI|HuggingFace|"
                     r"Inkeep|LangChain|Mistral|Replicate)Stream|StreamingTextResponse|(?:experimental_)?StreamData|"
                     r"createStreamDataTransformer|streamToResponse|nanoid"),
}
# Names that can start an API-surface chain after "client." (see detectors.surfaces.CHAINS).
_SURFACE_WORDS = frozenset({"beta", "threads", "responses", "batches", "fineTuning", "fine_tuning", "realtime",
                            "embeddings", "images", "audio", "vectorStores", "vector_stores", "evals", "files",
                            "moderations", "completions", "chat", "messages", "models", "live", "tunings"})
_SCRIPT = re.compile(r"<script\b[^>]*>", re.IGNORECASE)
_SCRIPT_END = re.compile(r"</script\s*>", re.IGNORECASE)


@dataclass(frozen=True)
class Binding:
    package: str
    imported: str  # "default", "*" (namespace) or the export's name
    attribution: Optional[Attribution]


def detect(path: str, text: str, context: str, catalog: Catalog) -> FileReport:
    return guarded("JavaScript/TypeScript", _detect, path, text, context, catalog)


def _detect(path: str, text: str, context: str, catalog: Catalog) -> FileReport:
    lower = path.lower()
    code = text
    if lower.endswith((".vue", ".svelte")):
        code = script_blocks(text)
    elif lower.endswith(".astro"):
        code = script_blocks(text, frontmatter=True)
    src = Source(path, text, context, catalog, lex(code, SPEC))
    _JS(src).run()
    return src.report()


def script_blocks(text: str, frontmatter: bool = False) -> str:
    """Only the ``<script>`` blocks (and Astro's ``---`` frontmatter) of a component; everything else
    blanked out with the line breaks kept, so offsets and line numbers stay those of the file."""
    keep: List[Tuple[int, int]] = []
    if frontmatter and text.lstrip().startswith("---"):
        first = text.index("---")
        end = text.find("\n---", first + 3)
        if end > 0:
            keep.append((first + 3, end))
    pos = 0
    while True:
        m = _SCRIPT.search(text, pos)
        if not m:
            break
        close = _SCRIPT_END.search(text, m.end())
        stop = close.start() if close else len(text)
        keep.append((m.end(), stop))
        pos = close.end() if close else len(text)
    parts: List[str] = []
    last = 0
    for start, end in sorted(keep):
        if start < last:
            continue
        parts.append(_blank(text[last:start]))
        parts.append(text[start:end])
        last = end
    parts.append(_blank(text[last:]))
    return "".join(parts)


def _blank(chunk: str) -> str:
    return re.sub(r"[^\n]", " ", chunk)


def npm_package(specifier: str) -> Optional[str]:
    """The npm package a module specifier names, or None (relative paths, node: and other schemes)."""
    spec = specifier.strip()
    if spec.startswith("npm:"):
        spec = spec[4:]
    elif spec.startswith(("http://", "https://")):
        for prefix in _CDN_PREFIXES:
            if spec.startswith(prefix):
                spec = spec[len(prefix):]
                break
        else:
            return None
        spec = spec.lstrip("v/") if spec.startswith("v") and spec[1:2].isdigit() else spec
    if not spec or spec.startswith((".", "/", "~", "#", "@/")) or ":" in spec or "\\" in spec:
        return None
    parts = spec.split("/")
    if spec.startswith("@"):
        if len(parts) < 2 or len(parts[0]) < 2 or not parts[1]:
            return None
        name = parts[0] + "/" + parts[1].split("@", 1)[0]
    else:
        name = parts[0].split("@", 1)[0]
    if not name or name.endswith("/") or any(c.isspace() for c in name):
        return None
    return name


class _JS:
    def __init__(self, src: Source):
        self.src = src
        self.catalog = src.catalog
        self.bindings: Dict[str, Binding] = {}
        self.instances: Dict[str, Attribution] = {}  # const groq = createOpenAI(...): provider functions
        self.layer_imports: Dict[int, int] = {}  # specifier token -> position of its (pure layer) import evidence
        self.import_at: Dict[int, int] = {}  # specifier token -> position of its import evidence
        self.clients: Dict[str, Attribution] = {}  # const client = new OpenAI(...) / this.client = ...
        self.relative: Dict[str, Tuple[str, str]] = {}  # import { X } from "./config": local -> (file, name)

    def run(self) -> None:
        self.src.run(self.imports, self.calls, self.api_calls, self.imported_models)
        token_features(self.src, "js")

    def imported_models(self) -> None:
        """``model: MODEL`` where ``MODEL`` is imported by name from a file of the project
        (``import { MODEL } from "./config"``): a reference the scan resolves one hop later
        (``scanning/imported.py``), as model-id evidence here when that file exports a model id."""
        src = self.src
        toks = src.toks
        for i in src.find(set(self.relative)) if self.relative else ():
            if not (src.op(i - 1, ":") and src.ident(i - 2) and model_key(toks[i - 2].value)) \
                    or src.op(i + 1, ".", "(", "[", "?.") or src.op(i - 3, "."):
                continue
            target, name = self.relative[toks[i].value]
            src.add("model-id", i, Attribution(None), imported_reference(target, name))

    # -- API surfaces -------------------------------------------------------------------------------

    def api_calls(self) -> None:
        """``client.beta.assistants.create(...)``, ``openai.fineTuning.jobs.create(...)``, a chat call with
        ``stream: true``...: the API surface and features a call uses (``detectors.surfaces``), in a file
        that imports one of the SDKs that have them."""
        sdks = sorted({b.package for b in self.bindings.values() if b.package in surfaces.SDK_PACKAGES})
        if not sdks:
            return
        src = self.src
        done: set = set()
        for i in src.find(_SURFACE_WORDS):
            if i in done or not src.op(i - 1, ".", "?."):
                continue
            k = i - 1
            back: List[str] = []
            while src.op(k, ".", "?.") and (src.ident(k - 1) or src.op(k - 1, ")")) and len(back) < 8:
                if src.op(k - 1, ")"):  # new OpenAI().beta...: a receiver made in place
                    back.append("<expr>")
                    break
                back.append(src.toks[k - 1].value)
                k -= 2
            start = i if back and back[-1] == "<expr>" else k + 1
            names, j = [src.toks[i].value], i
            done.add(i)
            while src.op(j + 1, ".", "?.") and src.ident(j + 2) and len(names) < 8:
                names.append(src.toks[j + 2].value)
                j += 2
                done.add(j)
            if not src.op(j + 1, "("):
                continue
            parts = list(reversed(back)) + names
            surface, feature, at = surfaces.call_surface(parts)
            if surface is None:
                continue
            lo, hi = src.scope(j + 1, chain=False)
            features = ([feature] if feature else []) + surfaces.method_features(parts)
            features += self.call_features(lo, hi)
            if surface == "responses" and self.object_key(lo, hi, "prompt", "id"):
                self.add_call(start, parts, at, "prompts", None, sdks)
            if surface == "chat" and not features:
                continue
            for one in list(dict.fromkeys(features)) or [None]:
                self.add_call(start, parts, at, surface, one, sdks)

    def call_features(self, lo: int, hi: int) -> List[str]:
        src = self.src
        out: List[str] = []
        for k in range(lo, min(hi, lo + 400)):
            t = src.toks[k]
            if t.kind == ID and t.value == "stream" and src.op(k + 1, ":") and src.ident(k + 2, "true"):
                out.append("streaming")
            elif t.kind == STR and surfaces.tool_feature(t.value):
                out.append(surfaces.tool_feature(t.value) or "")
        if self.object_key(lo, hi, "reasoning", "summary"):
            out.append("reasoning-summaries")
        return out

    def object_key(self, lo: int, hi: int, key: str, inner: str) -> bool:
        """Whether the arguments in [lo, hi) hold ``key: { ... inner: ... }``."""
        src = self.src
        for k in range(lo, min(hi, lo + 400)):
            if src.toks[k].kind in (ID, STR) and src.toks[k].value == key and src.op(k + 1, ":") and src.op(k + 2, "{"):
                end = src.close(k + 2)
                return any(src.toks[m].kind in (ID, STR) and src.toks[m].value == inner and src.op(m + 1, ":")
                           for m in range(k + 3, min(end, k + 200)))
        return False

    def add_call(self, i: int, parts: List[str], at: int, surface: str, feature: Optional[str],
                 sdks: List[str]) -> None:
        receiver = parts[at - 1] if at > 0 else ""
        attribution = self.clients.get(receiver)
        facts: Dict[str, Optional[str]] = {"surface": surface, "feature": feature}
        confidence = "high"
        if attribution is None:  # a client made elsewhere: the file's one SDK, else placed by the risk check
            found = self.catalog.package("npm", sdks[0]) if len(sdks) == 1 else None
            attribution = Attribution(found.provider, found.vendor) if found else Attribution(None)
            facts["package"] = sdks[0] if len(sdks) == 1 else None
            confidence = "medium"
        self.src.add("api-call", i, attribution, ".".join(parts[at:]), confidence, **facts)

    # -- imports ----------------------------------------------------------------------------------

    def note_import(self, index: int) -> Optional[Tuple[str, Optional[Attribution]]]:
        """The specifier string at ``index``: mark it read; import evidence for a catalog package."""
        src = self.src
        src.used.add(index)
        package = npm_package(src.toks[index].value)
        if package is None:
            return None
        attribution = self.catalog.package("npm", package)
        if attribution is not None:
            subpath = src.toks[index].value.strip()[len(package):].lstrip("/").split("/")
            if attribution.layer is not None and attribution.provider is None and package in _INTEGRATION_PACKAGES \
                    and len(subpath) >= 2 and subpath[0] in _INTEGRATION_KINDS:
                provider = _INTEGRATION_MODULES.get(subpath[1])
                if provider in self.catalog.providers:
                    attribution = Attribution(provider, self.catalog.providers[provider].vendor, attribution.layer,
                                              attribution.confidence)
            src.add("import", index, attribution, package, surface=surfaces.package_surface("npm", package))
            self.import_at[index] = len(src.evidence) - 1
            if attribution.layer is not None and attribution.provider is None:
                self.layer_imports[index] = len(src.evidence) - 1
                if subpath[0] in _UTILITY_SUBPATHS.get(package, ()):
                    self.utility(index)
        return package, attribution

    def utility(self, index: int, any_package: bool = False) -> None:
        """The layer import whose specifier is token ``index`` routes no request: low confidence. With
        ``any_package``, a provider SDK's import too (``import type``: nothing of it exists at run time)."""
        position = (self.import_at if any_package else self.layer_imports).get(index)
        if position is not None:
            evidence = self.src.evidence[position]
            self.src.evidence[position] = dataclasses.replace(evidence, confidence="low")

    def utility_names(self, index: int, package: str, names: List[str], type_only: bool) -> None:
        """``import type {...} from "ai"`` or ``import { OpenAIStream } from "ai"``: a utility import."""
        pattern = _UTILITY_EXPORTS.get(package)
        if names and (type_only or (pattern is not None and all(pattern.fullmatch(n) for n in names))):
            self.utility(index)

    def bind(self, local: str, found: Optional[Tuple[str, Optional[Attribution]]], imported: str) -> None:
        if found is not None and found[1] is not None and local:
            self.bindings[local] = Binding(found[0], imported, found[1])

    def imports(self) -> None:
        src = self.src
        for i in src.find(_MODULE_WORDS):
            t = src.toks[i]
            if src.op(i - 1, ".", "?."):  # obj.require(...), not the module system
                continue
            if t.value == "require":
                if src.op(i + 1, "(") and src.string(i + 2) and src.op(i + 3, ")"):
                    self.declared(i, self.note_import(i + 2), after=i + 4)
                continue
            if t.value == "import":
                if src.string(i + 1):
                    self.note_import(i + 1)
                    continue
                if src.op(i + 1, "("):
                    if src.string(i + 2) and src.op(i + 3, ")", ","):
                        start = i - 1 if src.ident(i - 1, "await") else i
                        self.declared(start, self.note_import(i + 2), after=src.close(i + 1) + 1)
                    continue
                if src.op(i + 1, "."):  # import.meta
                    continue
            self.static_import(i)

    def static_import(self, i: int) -> None:
        """``import a, { b as c } from "x"`` / ``export * from "x"``: find ``from "x"``, bind names."""
        src = self.src
        kinds, values = src.kinds, src.values
        limit = min(src.n, i + 400)
        k = i + 1
        names: List[Tuple[str, str]] = []  # (local, imported)
        is_export = values[i] == "export"
        # import type {...} / import type X from: nothing of it exists at run time
        type_only = src.ident(i + 1, "type") and (src.op(i + 2, "{", "*") or src.ident(i + 2) and not src.ident(i + 2, "from"))
        typed: List[bool] = []
        while k < limit:
            kind, value = kinds[k], values[k]
            if kind == ID and value == "from" and src.string(k + 1):
                found = self.note_import(k + 1)
                if not is_export:
                    for local, imported in names:
                        self.bind(local, found, imported)
                    self.relative_names(values[k + 1], names, type_only)
                    if found is not None:
                        type_only = type_only or (bool(typed) and all(typed) and len(typed) == len(names))
                        self.utility_names(k + 1, found[0], [imported for _, imported in names], type_only)
                        if type_only:
                            self.utility(k + 1, any_package=True)
                return
            if kind == OP and value in (";", "(", "=") or kind == STR:
                return
            if kind == ID and value in ("function", "class", "const", "let", "var", "interface", "enum",
                                            "async", "default", "abstract", "declare", "namespace"):
                return
            if kind == OP and value == "{":
                end = src.close(k)
                found_names = self.specifiers(k + 1, end, typed)
                names.extend(found_names)
                k = end + 1
                continue
            if kind == OP and value == "*" and src.ident(k + 1, "as") and src.ident(k + 2):
                names.append((values[k + 2], "*"))
                k += 3
                continue
            if kind == ID and value not in ("type", "typeof") and not is_export:
                names.append((value, "default"))
            k += 1

    def relative_names(self, specifier: str, names: List[Tuple[str, str]], type_only: bool) -> None:
        """Names imported from a relative specifier (``"./config"``): the file they come from, below the scan root."""
        spec = specifier.strip()
        if type_only or not spec.startswith(("./", "../")):
            return
        target = posixpath.normpath(posixpath.join(posixpath.dirname(self.src.path), spec))
        if target.startswith("../") or target == ".." or target.startswith("/"):
            return
        for local, imported in names:
            if imported not in ("default", "*"):
                self.relative[local] = (target, imported)

    def specifiers(self, lo: int, hi: int, typed: Optional[List[bool]] = None) -> List[Tuple[str, str]]:
        """``a, b as c, type d, default as e`` -> [(local, imported)]; ``typed`` gets, per name, whether
        it is a ``type`` specifier."""
        src = self.src
        out: List[Tuple[str, str]] = []
        k = lo
        while k < hi:
            is_type = src.ident(k, "type") and src.ident(k + 1) and not src.op(k + 1, ",")
            if is_type:
                k += 1
            t = src.at(k)
            if t is not None and t.kind in (ID, STR) and typed is not None:
                typed.append(bool(is_type))
            if t is not None and t.kind in (ID, STR):
                imported = t.value
                if src.ident(k + 1, "as") and src.ident(k + 2):
                    out.append((src.toks[k + 2].value, imported))
                    k += 3
                else:
                    out.append((imported, imported))
                    k += 1
                continue
            k += 1
        return out

    def declared(self, start: int, found, after: int) -> None:
        """Bindings made by ``const X = require("p")`` / ``const { A, B: C } = await import("p")``."""
        if found is None or found[1] is None:
            return
        src = self.src
        member = None
        if src.op(after, ".") and src.ident(after + 1):  # require("p").default / .OpenAI
            member = src.toks[after + 1].value
        if not src.op(start - 1, "="):
            return
        target = start - 2
        if src.ident(target):
            if src.ident(target - 1, "import") or src.ident(target - 1, *_DECLARATIONS) or src.op(target - 1, ",", ";"):
                imported = "default" if member in (None, "default") else member
                self.bind(src.toks[target].value, found, imported)
            return
        if src.op(target, "}"):
            opener = src.pair[target]
            if opener < 0:
                return
            keys = [src.toks[k].value for k in range(opener + 1, target)
                    if src.toks[k].kind in (ID, STR) and not src.op(k - 1, ":")]
            spec = next((j for j in range(start, min(after, src.n)) if src.string(j)), None)
            if spec is not None:
                self.utility_names(spec, found[0], keys, False)
            k = opener + 1
            while k < target:
                t = src.toks[k]
                if t.kind in (ID, STR):
                    if src.op(k + 1, ":") and src.ident(k + 2):
                        self.bind(src.toks[k + 2].value, found, t.value)
                        k += 3
                        continue
                    if t.kind == ID:
                        self.bind(t.value, found, t.value)
                k += 1

    # -- calls --------------------------------------------------------------------------------------

    def calls(self) -> None:
        src = self.src
        # The names a call can start with: keywords, imported names, and the variables a bound call may
        # assign an instance to (``const groq = createOpenAI(...)``), which are known once it is seen.
        # (One search for the keywords and the imported names; another only for assigned names not among them.)
        found = src.find(_CALL_WORDS.union(self.bindings))
        assigned = {src.values[i - 2] for i in found
                    if src.values[i] in self.bindings and src.op(i - 1, "=") and src.ident(i - 2)}
        extra = assigned.difference(_CALL_WORDS, self.bindings)
        for i in sorted(found + src.find(extra)) if extra else found:
            v = src.values[i]
            if v == "new":
                self.construction(i)
                continue
            if v in ("process", "Bun") and src.op(i + 1, ".") and src.ident(i + 2, "env") \
                    and not src.op(i - 1, ".", "?."):
                self.env_read(i, i + 3)
                continue
            if v == "import" and src.op(i + 1, ".") and src.ident(i + 2, "meta") and src.op(i + 3, ".") \
                    and src.ident(i + 4, "env"):
                self.env_read(i, i + 5)
                continue
            binding = self.bindings.get(v)
            if binding is None and v not in self.instances:
                continue  # an assigned name that holds no instance (yet)
            if src.op(i - 1, ".", "?.") or src.ident(i - 1, "new", "function", "class"):
                continue
            if binding is not None:
                self.bound_call(i, binding)
            else:
                self.instance_call(i)

    def env_read(self, i: int, k: int) -> None:
        """``process.env`` at ``i``; ``k`` is the token after ``env``."""
        src = self.src
        if src.op(k, ".", "?.") and src.ident(k + 1):
            src.env(src.toks[k + 1].value, k + 1)
        elif src.op(k, "[") and src.string(k + 1) and src.op(k + 2, "]"):
            src.used.add(k + 1)
            src.env(src.toks[k + 1].value, k + 1)
        elif src.op(i - 1, "=") and src.op(i - 2, "}"):  # const { A, B: b } = process.env
            opener = src.pair[i - 2]
            if opener >= 0:
                for j in range(opener + 1, i - 2):
                    if src.ident(j) and not src.op(j - 1, ":") and src.op(j + 1, ",", "}", ":", "="):
                        src.env(src.toks[j].value, j)

    def construction(self, i: int) -> None:
        """``new X(...)`` / ``new ns.X(...)`` with X bound to a catalog package."""
        src = self.src
        k = i + 1
        names: List[str] = []
        while src.ident(k) and len(names) < 4:
            names.append(src.toks[k].value)
            if src.op(k + 1, "."):
                k += 2
            else:
                k += 1
                break
        if not names or names[0] not in self.bindings:
            return
        binding = self.bindings[names[0]]
        if len(names) == 1:
            name = names[0] if binding.imported in ("default", "*") else binding.imported
            if not (binding.imported == "default" or self.client_class(name)):
                return
        elif len(names) == 2 and binding.imported in ("default", "*"):
            name = names[1]
            if not self.client_class(name):
                return
        else:
            return
        if src.op(k, "<"):  # new Client<Options>(...)
            close = k
            while close < min(src.n, k + 40) and not src.op(close, ">"):
                close += 1
            k = close + 1
        lo, hi = src.scope(k) if src.op(k, "(") else (k, k)
        self.client(i, binding, name, lo, hi)

    @staticmethod
    def client_class(name: str) -> bool:
        return name in CLIENT_CLASSES or bool(_CLIENT_NAME.match(name))

    def client(self, i: int, binding: Binding, name: str, lo: int, hi: int) -> Attribution:
        made = self._client(i, binding, name, lo, hi)
        src = self.src
        if src.op(i - 1, "=") and src.ident(i - 2):  # const client = new OpenAI(...), this.client = ...
            self.clients[src.toks[i - 2].value] = made
        return made

    def _client(self, i: int, binding: Binding, name: str, lo: int, hi: int) -> Attribution:
        src = self.src
        attribution = binding.attribution
        assert attribution is not None
        override = CLIENT_OVERRIDES.get((binding.package, name))
        if override is not None and override[0] in self.catalog.providers:
            attribution = Attribution(override[0], override[1], attribution.layer, attribution.confidence)
        detail = f"{binding.package} {name}"
        for k in range(lo, min(hi, lo + 400)):
            if src.ident(k, "vertexai") and src.op(k + 1, ":") and src.ident(k + 2, "true") \
                    and "vertex-ai" in self.catalog.providers:
                attribution = Attribution("vertex-ai", attribution.vendor or "google", attribution.layer,
                                          attribution.confidence)
                detail += " vertexai=true"
                break
        return src.client(i, attribution, detail, lo, hi)

    def bound_call(self, i: int, binding: Binding) -> None:
        """A call of an imported name: a factory, an AI SDK provider function, or ``ModelClient(...)``."""
        src = self.src
        attribution = binding.attribution
        assert attribution is not None
        name = src.toks[i].value if binding.imported in ("default", "*") else binding.imported
        if src.op(i + 1, "("):
            lo, hi = src.scope(i + 1, chain=False)
            if self.factory(binding, name) or (binding.imported == "default" and _CLIENT_NAME.match(name)):
                made = self.client(i, binding, name, lo, hi)
                self.remember_instance(i, made)
                return
            if self.provider_function(binding, name):
                self.client(i, binding, name, i + 1, i + 1)
                self.expect_first_argument(i + 1)
            return
        if src.op(i + 1, ".") and src.ident(i + 2) and src.op(i + 3, "(") and self.provider_function(binding, name):
            # openai.chat("gpt-4o"), anthropic.messages("claude-..."): only with a model argument
            if src.string(i + 4) or src.ident(i + 4) and src.toks[i + 4].value in src.constants:
                self.client(i, binding, f"{name}.{src.toks[i + 2].value}", i + 3, i + 3)
                self.expect_first_argument(i + 3)

    @staticmethod
    def factory(binding: Binding, name: str) -> bool:
        """``createOpenAI(...)`` of a provider package, or a layer's endpoint-taking factory
        (``createOpenAICompatible``, ``createGateway``); not ``createDataStream`` of the core ``ai``."""
        attribution = binding.attribution
        return bool(_FACTORY.match(name)) and attribution is not None and (
            attribution.provider is not None or bool(_ENDPOINT_FACTORY.search(name)))

    def provider_function(self, binding: Binding, name: str) -> bool:
        """An AI SDK provider instance exported by an integration package (``openai`` from @ai-sdk/openai)."""
        attribution = binding.attribution
        return (attribution is not None and attribution.layer is not None and attribution.provider is not None
                and name[:1].islower() and not _FACTORY.match(name))

    def remember_instance(self, i: int, attribution: Attribution) -> None:
        src = self.src
        if src.op(i - 1, "=") and src.ident(i - 2) and not src.op(i - 3, "."):
            self.instances[src.toks[i - 2].value] = attribution

    def instance_call(self, i: int) -> None:
        """``groq("llama-3.3-70b")`` / ``groq.chat(...)`` on an instance a factory made: the model argument."""
        src = self.src
        if src.op(i + 1, "("):
            self.expect_first_argument(i + 1)
        elif src.op(i + 1, ".") and src.ident(i + 2) and src.op(i + 3, "("):
            self.expect_first_argument(i + 3)

    def expect_first_argument(self, paren: int) -> None:
        src = self.src
        t = src.at(paren + 1)
        if t is None:
            return
        if t.kind == STR:
            src.expected.add(paren + 1)
        elif t.kind == ID and t.value in src.constants and not src.op(paren + 2, ".", "("):
            src.expected.add(src.constants[t.value])

