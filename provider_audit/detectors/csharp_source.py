"""C#, F# and Visual Basic source, read with the shared lexer (C# verbatim ``@"..."``, interpolated
``$"..."`` and raw triple-quoted strings; F# ``(* *)`` comments; VB ``'`` comments and ``""`` escapes).

Recognises:

* namespace imports (``using OpenAI.Chat;``, ``global using``, ``using static``, ``using X = A.B;``,
  F# ``open``, VB ``Imports``): the namespace is mapped to a NuGet package by the longest catalog
  package id that is a dotted prefix of it (``Azure.AI.OpenAI.Chat`` -> ``Azure.AI.OpenAI``,
  ``Anthropic.SDK`` -> ``Anthropic``); AWS packages are named ``AWSSDK.X`` but their namespace is
  ``Amazon.X``. Evidence detail: the package id, spelled as in the source.
* clients: ``new X(...)`` (with an object initializer ``{ Endpoint = new Uri("...") }``) where X is a
  known client type of an imported package (``OpenAIClient``/``ChatClient`` -> OpenAI,
  ``AzureOpenAIClient`` -> Azure.AI.OpenAI, ``AnthropicClient``, ``AmazonBedrockRuntimeClient``,
  ``OllamaApiClient``, Google.GenAI's ``Client``...: ``CLIENT_TYPES``), or written fully qualified
  (``new OpenAI.Chat.ChatClient(...)``); Semantic Kernel connectors (``builder.AddOpenAIChatCompletion(...)``,
  ``AddAzureOpenAIChatCompletion``). ``new Uri("...")``, ``Endpoint = ...`` or ``endpoint: ...`` in the
  arguments or in an options variable re-attributes the client. Detail: ``"<package> <Type>"`` plus
  the endpoint.
* string literals (model ids, hosts, key variable names:
  ``Environment.GetEnvironmentVariable("OPENAI_API_KEY")``).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Dict, List, Optional, Tuple

from provider_audit.data.catalog import Catalog
from provider_audit.detectors.engine import Source, catalog_packages
from provider_audit.detectors.safety import simple_detector
from provider_audit.detectors.tokenizer import ID, Spec

SPECS = {
    ".cs": Spec(single_quote="char", triple_quotes=True, csharp_strings=True),
    ".fs": Spec(block_comments=(("(*", "*)"), ("/*", "*/")), nested_comments=True, single_quote="char",
                triple_quotes=True, csharp_strings=True),
    ".vb": Spec(line_comments=("'",), block_comments=(), single_quote="none", escapes=False),
}
SPECS[".fsx"] = SPECS[".fs"]

# Client types and the package that defines them (used when that package's namespace is imported).
CLIENT_TYPES = {
    "OpenAIClient": ("openai", "azure.ai.openai"),  # Azure.AI.OpenAI v1 had its own OpenAIClient
    "ChatClient": ("openai",),
    "EmbeddingClient": ("openai",),
    "ImageClient": ("openai",),
    "AudioClient": ("openai",),
    "OpenAIResponseClient": ("openai",),
    "AzureOpenAIClient": ("azure.ai.openai",),
    "AnthropicClient": ("anthropic",),
    "AmazonBedrockRuntimeClient": ("awssdk.bedrockruntime",),
    "AmazonBedrockClient": ("awssdk.bedrock",),
    "AmazonBedrockAgentRuntimeClient": ("awssdk.bedrockagentruntime",),
    "OllamaApiClient": ("ollamasharp",),
    "ChatCompletionsClient": ("azure.ai.inference",),
    "EmbeddingsClient": ("azure.ai.inference",),
    "OpenAIService": ("betalgo.ranul.openai",),
    "Client": ("google.genai",),
}
# Semantic Kernel extension methods (namespace Microsoft.SemanticKernel) -> connector package.
KERNEL_CONNECTORS = {
    re.compile(r"^Add(?:OpenAI)(?:ChatCompletion|ChatClient|TextEmbeddingGeneration|EmbeddingGenerator|"
               r"TextToImage|AudioToText|TextToAudio|Files)$"): "microsoft.semantickernel.connectors.openai",
    re.compile(r"^AddAzureOpenAI\w*$"): "microsoft.semantickernel.connectors.azureopenai",
}
_NAMESPACE_ALIASES = (("amazon.", "awssdk."),)


@lru_cache(maxsize=8)
def nuget_ids(catalog: Catalog) -> frozenset:
    return frozenset(catalog_packages(catalog, "nuget"))


def resolve_namespace(parts: List[str], ids: frozenset) -> Optional[Tuple[str, str]]:
    """(package id as the catalog has it, the same spelled as in the source) for a namespace."""
    for end in range(len(parts), 0, -1):
        written = ".".join(parts[:end])
        lowered = written.lower()
        if lowered in ids:
            return lowered, written
        for namespace, package in _NAMESPACE_ALIASES:
            if lowered.startswith(namespace) and package + lowered[len(namespace):] in ids:
                return package + lowered[len(namespace):], "AWSSDK." + written[len(namespace):]
    return None


class _CSharp:
    def __init__(self, src: Source):
        self.src = src
        self.catalog = src.catalog
        self.ids = nuget_ids(src.catalog)
        self.imported: Dict[str, str] = {}  # package id (lower) -> as spelled in the source
        self.kernel = False

    def run(self) -> None:
        self.src.run(self.usings, self.clients)

    def usings(self) -> None:
        src = self.src
        toks = src.toks
        for i, t in enumerate(toks):
            if t.kind != ID or t.value not in ("using", "open", "Imports") or src.op(i - 1, "."):
                continue
            if src.op(i + 1, "("):  # using (var x = ...) statement
                continue
            k = i + 1
            if src.ident(k, "static"):
                k += 1
            if src.ident(k) and src.op(k + 1, "="):  # using Alias = A.B;
                k += 2
            start = k
            parts: List[str] = []
            while src.ident(k) and len(parts) < 20:
                parts.append(toks[k].value)
                if src.op(k + 1, "."):
                    k += 2
                else:
                    break
            if not parts or src.ident(k + 1) and not src.newline_between(k, k + 1):
                continue  # `using var x = ...`, `open class` (not a namespace import)
            if parts[:2] == ["Microsoft", "SemanticKernel"]:
                self.kernel = True
            found = resolve_namespace(parts, self.ids)
            if found is None:
                continue
            package, written = found
            attribution = self.catalog.package("nuget", package)
            if attribution is None:
                continue
            self.imported.setdefault(package, written)
            src.add("import", start, attribution, written)

    def clients(self) -> None:
        src = self.src
        toks = src.toks
        for i, t in enumerate(toks):
            if t.kind != ID:
                continue
            if t.value == "new":
                self.construction(i)
            elif self.kernel and t.value.startswith("Add") and src.op(i - 1, ".") and src.op(i + 1, "("):
                for pattern, package in KERNEL_CONNECTORS.items():
                    if pattern.match(t.value):
                        attribution = self.catalog.package("nuget", package)
                        if attribution is not None:
                            lo, hi = src.scope(i + 1, chain=False)
                            written = self.imported.get(package) or _spell(package)
                            src.client(i, attribution, f"{written} {t.value}", lo, hi)
                        break

    def construction(self, i: int) -> None:
        src = self.src
        k = i + 1
        parts: List[str] = []
        while src.ident(k) and len(parts) < 12:
            parts.append(src.toks[k].value)
            if src.op(k + 1, "."):
                k += 2
            else:
                k += 1
                break
        if not parts and src.op(k, "(") and src.op(i - 1, "=") and src.ident(i - 2) and src.ident(i - 3):
            parts = [src.toks[i - 3].value]  # target-typed: AzureOpenAIClient client = new(...)
        if not parts or not src.op(k, "("):
            return
        name = parts[-1]
        package = self.package_of(parts)
        if package is None:
            return
        attribution = self.catalog.package("nuget", package)
        if attribution is None:
            return
        lo, hi = src.scope(k, chain=False, initializer=True)
        written = self.imported.get(package) or _spell(package)
        src.client(i, attribution, f"{written} {name}", lo, hi)

    def package_of(self, parts: List[str]) -> Optional[str]:
        name = parts[-1]
        if len(parts) > 1:  # new OpenAI.Chat.ChatClient(...)
            found = resolve_namespace(parts[:-1], self.ids)
            if found is not None:
                return found[0]
        for package in CLIENT_TYPES.get(name, ()):
            if package in self.imported:
                return package
        return None  # not "any *Client": new HttpClient() beside `using OpenAI;` is no OpenAI client


def _spell(package: str) -> str:
    """A package id for display when the source did not spell it (Semantic Kernel connectors)."""
    known = {"microsoft.semantickernel.connectors.openai": "Microsoft.SemanticKernel.Connectors.OpenAI",
             "microsoft.semantickernel.connectors.azureopenai": "Microsoft.SemanticKernel.Connectors.AzureOpenAI"}
    return known.get(package, package)


detect = simple_detector("C#", SPECS, _CSharp)
