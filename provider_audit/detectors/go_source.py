"""Go source, read with the shared lexer (raw backtick strings included).

Recognises:

* imports, single and in blocks, with or without an alias: the import path is looked up in the
  catalog's Go modules exactly, then without a trailing major-version element (``/v4``), then each
  parent path in turn (``github.com/openai/openai-go/v3/option`` -> ``github.com/openai/openai-go/v3``).
  Evidence detail: the module path as the import spells it (what ``go.mod`` lists).
* clients: ``pkg.NewClient(...)``, ``pkg.NewClientWithConfig(...)``, ``pkg.New(...)``,
  ``pkg.NewFromConfig(...)``, ``pkg.ClientFromEnvironment()`` and other ``New...Client...``
  constructors of an imported catalog module. The endpoint comes from the arguments
  (``option.WithBaseURL("...")``, ``openai.WithBaseURL(...)`` in LangChainGo, a struct literal field
  ``BaseURL: "..."``) or from a config variable (``config := openai.DefaultConfig(key)`` then
  ``config.BaseURL = "..."`` for go-openai); ``DefaultAzureConfig`` makes the client Azure OpenAI and
  ``Backend: genai.BackendVertexAI`` makes a genai client Vertex AI. Detail: ``"<module> <pkg>.<Func>"``
  plus the endpoint.
* string literals (model ids, hosts, key variable names, so ``os.Getenv("OPENAI_API_KEY")``).

Limits: the local name of an import without alias is guessed from its last path element
(``go-openai`` -> ``openai``, ``anthropic-sdk-go`` -> ``anthropic``); model constants of the SDKs
(``openai.GPT4o``, ``anthropic.ModelClaudeSonnet4_0``) are identifiers, not strings, and are not read.
A package used only for its types here (no call, no client named) is a low-confidence import.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Dict, Iterator, List, Optional, Tuple

from provider_audit.data.catalog import Attribution, Catalog
from provider_audit.detectors.engine import Source
from provider_audit.detectors.features import token_features
from provider_audit.detectors.safety import simple_detector
from provider_audit.detectors.tokenizer import ID, Spec

SPEC = Spec(line_comments=("//",), single_quote="char", backtick="raw")

_CONSTRUCTOR = re.compile(r"^(?:New|NewFromConfig|ClientFromEnvironment|New\w*Client\w*)$")
_CONFIG_FACTORY = re.compile(r"^Default\w*Config$")
_MAJOR = re.compile(r"/v\d+$")


def resolve_module(path: str, catalog: Catalog) -> Optional[Tuple[str, Attribution]]:
    """(module path as imported, attribution) for an import path inside a catalog module."""
    parts = path.strip().split("/")
    if len(parts) < 2 or not all(parts) or any(c.isspace() for c in path):
        return None
    for end in range(len(parts), 1, -1):
        prefix = "/".join(parts[:end])
        found = catalog.package("go", prefix)
        if found is None and _MAJOR.search(prefix):
            found = catalog.package("go", _MAJOR.sub("", prefix))
        if found is not None:
            return prefix, found
    return None


def local_names(path: str) -> Iterator[str]:
    """The names a package imported from ``path`` is likely used under, without an alias."""
    last = _MAJOR.sub("", path).rsplit("/", 1)[-1]
    seen = set()
    for name in (last, re.sub(r"^go-|-go$", "", last), re.sub(r"(?:-sdk)?-go$|^go-", "", last).split("-")[0],
                 last.replace("-", "").replace(".", "")):
        if name and name.isidentifier() and name not in seen:
            seen.add(name)
            yield name


class _Go:
    def __init__(self, src: Source):
        self.src = src
        self.catalog = src.catalog
        self.packages: Dict[str, Tuple[str, Attribution]] = {}  # local name -> (module, attribution)
        self.azure_configs: set = set()
        self.imported: List[Tuple[int, List[str]]] = []  # (position of the import evidence, its local names)

    def run(self) -> None:
        self.src.run(self.imports, self.calls, self.types_only)
        token_features(self.src, "go")

    def imports(self) -> None:
        src = self.src
        for i, t in enumerate(src.toks):
            if t.kind != ID or t.value != "import" or src.op(i - 1, "."):
                continue
            if src.op(i + 1, "("):
                end = src.close(i + 1)
                k = i + 2
                while k < end:
                    k = self.import_spec(k) + 1
            else:
                self.import_spec(i + 1)

    def import_spec(self, k: int) -> int:
        """One ``[alias] "path"`` at ``k``; returns the index of its path (or ``k`` when none)."""
        src = self.src
        alias = None
        if src.ident(k) or src.op(k, "."):
            alias = src.toks[k].value
            k += 1
        if not src.string(k):
            return k
        src.used.add(k)
        path = src.toks[k].value
        found = resolve_module(path, self.catalog)
        if found is None or "/internal/" in path[len(found[0]):] + "/":
            return k  # .../internal/... is importable only from inside the module: this is the SDK itself
        module, attribution = found
        src.add("import", k, attribution, module)
        if alias not in ("_", "."):
            names = [alias] if alias else list(local_names(path))
            for name in names:
                self.packages[name] = (module, attribution)
            self.imported.append((len(src.evidence) - 1, names))
        return k

    def types_only(self) -> None:
        """An SDK whose package is used here only for its types (``openai.ChatCompletionMessage`` in an
        adapter for another provider) sends nothing from this file: its import is low confidence. A use
        is live when it calls (``pkg.NewClient(``, ``pkg.F(``) or names the client (``*pkg.Client``,
        passed around to be called)."""
        src = self.src
        toks = src.toks
        live = set()
        for i, t in enumerate(toks):
            if t.kind == ID and t.value in self.packages and not src.op(i - 1, ".") and src.op(i + 1, ".") \
                    and src.ident(i + 2) and (src.op(i + 3, "(") or "Client" in toks[i + 2].value):
                live.add(t.value)
        for position, names in self.imported:
            if not live.intersection(names):
                evidence = src.evidence[position]
                src.evidence[position] = dataclasses.replace(evidence, confidence="low")

    def calls(self) -> None:
        src = self.src
        toks = src.toks
        for i, t in enumerate(toks):
            if t.kind != ID or t.value not in self.packages or src.op(i - 1, "."):
                continue
            if not (src.op(i + 1, ".") and src.ident(i + 2) and src.op(i + 3, "(")):
                continue
            func = toks[i + 2].value
            module, attribution = self.packages[t.value]
            if _CONFIG_FACTORY.match(func):
                if "Azure" in func and src.op(i - 1, "=", ":=") and src.ident(i - 2):
                    self.azure_configs.add(toks[i - 2].value)
                continue
            if not _CONSTRUCTOR.match(func):
                continue
            lo, hi = src.scope(i + 3, chain=False)
            detail = f"{module} {t.value}.{func}"
            attribution, detail = self.platform(attribution, detail, lo, hi)
            src.client(i, attribution, detail, lo, hi)

    def platform(self, attribution: Attribution, detail: str, lo: int, hi: int) -> Tuple[Attribution, str]:
        """Azure configs (go-openai) and the Vertex AI backend (genai) in a constructor's arguments."""
        src = self.src
        providers = self.catalog.providers
        for k in range(lo, min(hi, lo + 400)):
            t = src.toks[k]
            if t.kind != ID:
                continue
            if (t.value in self.azure_configs or _CONFIG_FACTORY.match(t.value) and "Azure" in t.value) \
                    and "azure-openai" in providers:
                return Attribution("azure-openai", attribution.vendor, attribution.layer, attribution.confidence), \
                    detail + " config=azure"
            if t.value == "BackendVertexAI" and "vertex-ai" in providers:
                return Attribution("vertex-ai", attribution.vendor or "google", attribution.layer,
                                   attribution.confidence), detail + " Backend=VertexAI"
        return attribution, detail


detect = simple_detector("Go", SPEC, _Go)
