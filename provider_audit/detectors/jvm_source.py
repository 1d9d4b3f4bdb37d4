"""Java, Kotlin, Scala and Groovy source, read with the shared lexer.

Recognises:

* imports (``import a.b.C;``, ``import static ...``, ``import a.b.*``, Kotlin ``import a.b.C as D``,
  Scala ``import a.b.{C, D => E}``): the Java package is mapped to the Maven artifact that provides
  it by the longest matching prefix. The prefixes are (1) the catalog's Maven group ids where every
  artifact of the group reaches the same provider/layer and the group is not a broad umbrella
  (``com.openai``, ``com.google.genai``, ``com.cohere``), and (2) ``JAVA_PACKAGES`` below, for artifacts
  whose Java package is not their group id or whose group mixes providers (Spring AI, LangChain4j,
  the AWS SDK, ``com.anthropic`` with its Bedrock/Vertex/Foundry backends). Entries whose artifact
  the catalog does not list are ignored. Evidence detail: the Maven coordinate ``group:artifact``
  (what the build file's dependency evidence carries).
* clients: construction of a client class imported by name (``new X(...)``, ``X.builder()...build()``,
  ``X.fromEnv()``, ``X.create(...)``, Kotlin/Scala ``X(...)``) whose name ends in Client, ChatModel,
  LanguageModel, EmbeddingModel, Api... The builder chain or the arguments are searched for an
  endpoint (``.baseUrl("...")``, ``.endpoint("...")``, ``.endpointOverride(URI.create("..."))``), and
  for an Anthropic backend (``.backend(BedrockBackend.fromEnv())`` -> Amazon Bedrock). Detail:
  ``"<group:artifact> <Class>"`` plus the endpoint.
* model constants of the SDKs (``ChatModel.GPT_4O`` of openai-java, ``OpenAiChatModelName.GPT_4_O`` of
  LangChain4j, ``OpenAiApi.ChatModel.GPT_4_O`` of Spring AI, a static import of one): a constant of a class
  imported by name that ``rules/sdk_constants.yaml`` lists is model-id evidence for the id it holds.
* string literals (model ids, hosts, key variable names, so ``System.getenv("OPENAI_API_KEY")``).

Limits: classes used fully qualified, or imported with a wildcard, are not resolved (the import
still counts), and neither are their constants.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Dict, List, Optional, Tuple

from provider_audit.data.catalog import Attribution, Catalog
from provider_audit.data.sdk_constants import load_sdk_constants
from provider_audit.detectors.engine import Source, catalog_packages
from provider_audit.detectors.features import token_features
from provider_audit.detectors.literals import sdk_constant_hit
from provider_audit.detectors.safety import simple_detector
from provider_audit.detectors.tokenizer import ID, Spec

SPECS = {
    ".java": Spec(single_quote="char", triple_quotes=True),
    ".kt": Spec(single_quote="char", triple_quotes=True, nested_comments=True, backtick="ident"),
    ".kts": Spec(single_quote="char", triple_quotes=True, nested_comments=True, backtick="ident"),
    ".scala": Spec(single_quote="char", triple_quotes=True, nested_comments=True, backtick="ident"),
    ".groovy": Spec(single_quote="string", triple_quotes=True),
}

# Java package prefix -> Maven artifact, where the group id does not tell (see the module docstring).
JAVA_PACKAGES = {
    "com.anthropic": "com.anthropic:anthropic-java",
    "com.anthropic.bedrock": "com.anthropic:anthropic-java-bedrock",
    "com.anthropic.vertex": "com.anthropic:anthropic-java-vertex",
    "com.anthropic.foundry": "com.anthropic:anthropic-java-foundry",
    "com.alibaba.dashscope": "com.alibaba:dashscope-sdk-java",
    "com.azure.ai.openai": "com.azure:azure-ai-openai",
    "software.amazon.awssdk.services.bedrockruntime": "software.amazon.awssdk:bedrockruntime",
    "software.amazon.awssdk.services.bedrock": "software.amazon.awssdk:bedrock",
    "software.amazon.awssdk.services.bedrockagentruntime": "software.amazon.awssdk:bedrockagentruntime",
    "org.springframework.ai": "org.springframework.ai:spring-ai-model",
    "org.springframework.ai.chat.client": "org.springframework.ai:spring-ai-client-chat",
    "org.springframework.ai.openai": "org.springframework.ai:spring-ai-openai",
    "org.springframework.ai.anthropic": "org.springframework.ai:spring-ai-anthropic",
    "org.springframework.ai.google.genai": "org.springframework.ai:spring-ai-google-genai",
    "org.springframework.ai.vertexai.gemini": "org.springframework.ai:spring-ai-vertex-ai-gemini",
    "org.springframework.ai.azure.openai": "org.springframework.ai:spring-ai-azure-openai",
    "org.springframework.ai.bedrock.converse": "org.springframework.ai:spring-ai-bedrock-converse",
    "org.springframework.ai.mistralai": "org.springframework.ai:spring-ai-mistral-ai",
    "org.springframework.ai.ollama": "org.springframework.ai:spring-ai-ollama",
    "dev.langchain4j": "dev.langchain4j:langchain4j",
    "dev.langchain4j.model.openai": "dev.langchain4j:langchain4j-open-ai",
    "dev.langchain4j.model.anthropic": "dev.langchain4j:langchain4j-anthropic",
    "dev.langchain4j.model.googleai": "dev.langchain4j:langchain4j-google-ai-gemini",
    "dev.langchain4j.model.vertexai": "dev.langchain4j:langchain4j-vertex-ai-gemini",
    "dev.langchain4j.model.azure": "dev.langchain4j:langchain4j-azure-open-ai",
    "dev.langchain4j.model.bedrock": "dev.langchain4j:langchain4j-bedrock",
    "dev.langchain4j.model.mistralai": "dev.langchain4j:langchain4j-mistral-ai",
    "dev.langchain4j.model.ollama": "dev.langchain4j:langchain4j-ollama",
    "dev.langchain4j.model.cohere": "dev.langchain4j:langchain4j-cohere",
    "dev.langchain4j.model.huggingface": "dev.langchain4j:langchain4j-hugging-face",
    "dev.langchain4j.model.voyageai": "dev.langchain4j:langchain4j-voyage-ai",
}
# Groups too broad to stand for one artifact's Java packages, even with one artifact in the catalog.
BROAD_GROUPS = frozenset({"com.alibaba", "com.azure", "software.amazon.awssdk", "com.google", "com.amazonaws",
                          "com.microsoft", "org.springframework", "com.github", "io.github", "org.apache",
                          "com.fasterxml", "io.micronaut", "io.quarkus"})

_CLIENT_NAME = re.compile(r"^(?:[A-Z]\w*(?:Client|ClientBuilder|ChatModel|LanguageModel|EmbeddingModel|ImageModel|"
                          r"ModerationModel|Api)|Client|Cohere|Generation|MultiModalConversation|TextEmbedding)$")
_FACTORIES = frozenset({"builder", "fromEnv", "create", "newBuilder", "withApiKey", "withDefaults"})


@lru_cache(maxsize=8)
def package_index(catalog: Catalog) -> Dict[str, str]:
    """Java package prefix -> Maven coordinate, for every catalog artifact we can place."""
    groups: Dict[str, List[str]] = {}
    for coordinate in catalog_packages(catalog, "maven"):
        group, _, artifact = coordinate.partition(":")
        if artifact:
            groups.setdefault(group, []).append(coordinate)
    index: Dict[str, str] = {}
    for group, coordinates in groups.items():
        owners = {(a.provider, a.layer) for a in (catalog.package("maven", c) for c in coordinates) if a}
        if len(owners) == 1 and group not in BROAD_GROUPS and group.count(".") >= 1:
            index[group] = min(coordinates, key=lambda c: (len(c), c))
    for prefix, coordinate in JAVA_PACKAGES.items():
        if catalog.package("maven", coordinate) is not None:
            index[prefix] = coordinate
    return index


def resolve_package(dotted: str, index: Dict[str, str]) -> Optional[str]:
    parts = dotted.split(".")
    for end in range(len(parts), 1, -1):
        found = index.get(".".join(parts[:end]))
        if found is not None:
            return found
    return None


class _Jvm:
    def __init__(self, src: Source):
        self.src = src
        self.catalog = src.catalog
        self.index = package_index(src.catalog)
        self.classes: Dict[str, Tuple[str, str]] = {}  # local name -> (coordinate, class name)
        self.table = load_sdk_constants()
        self.qualified: Dict[str, str] = {}  # local name -> the fully qualified class it imports
        self.static: Dict[str, str] = {}  # statically imported constant -> the model id it holds

    def run(self) -> None:
        self.src.run(self.imports, self.constructions, self.constants)
        token_features(self.src, "jvm")

    def imports(self) -> None:
        src = self.src
        toks = src.toks
        for i, t in enumerate(toks):
            if t.kind != ID or t.value != "import" or src.op(i - 1, ".") or src.op(i + 1, "("):
                continue
            k = i + 1
            if src.ident(k, "static"):
                k += 1
            start = k
            parts: List[str] = []
            while src.ident(k) and len(parts) < 30:
                parts.append(toks[k].value)
                if src.op(k + 1, ".") and (src.ident(k + 2) or src.op(k + 2, "*", "{")):
                    k += 2
                else:
                    k += 1
                    break
            wildcard = src.op(k, "*")
            if parts and parts[-1] == "_":  # Scala: import a.b._
                parts.pop()
                wildcard = True
            if len(parts) < 2:
                continue
            dotted = ".".join(parts)
            self.sdk_import(parts, wildcard, toks[k + 1].value if src.ident(k, "as") and src.ident(k + 1) else None)
            coordinate = resolve_package(dotted, self.index)
            if coordinate is None:
                continue
            attribution = self.catalog.package("maven", coordinate)
            if attribution is None:
                continue
            src.add("import", start, attribution, coordinate)
            if wildcard:
                continue  # the import counts; the names it brings are unknown
            if src.op(k, "{"):
                self.scala_selectors(k, coordinate)
            else:
                local = parts[-1]
                if src.ident(k, "as") and src.ident(k + 1):
                    local = toks[k + 1].value
                self.classes[local] = (coordinate, parts[-1])

    def sdk_import(self, parts: List[str], wildcard: bool, alias: Optional[str]) -> None:
        """Imports of a class the constants table lists, or of its constants (``import static ...ChatModel.GPT_4O``)."""
        table = self.table
        dotted = ".".join(parts)
        if wildcard:
            self.static.update(table.jvm_class(dotted) or {})
            return
        if table.jvm_class(dotted) is not None or any(owner.startswith(dotted + ".") for owner in table.jvm_owners):
            self.qualified[alias or parts[-1]] = dotted
            return
        model_id = (table.jvm_class(".".join(parts[:-1])) or {}).get(parts[-1])
        if model_id is not None:
            self.static[alias or parts[-1]] = model_id

    def constants(self) -> None:
        """``ChatModel.GPT_4O``, ``OpenAiApi.ChatModel.GPT_4_O`` or a statically imported ``GPT_4_O``: the
        model id the SDK constant holds (``rules/sdk_constants.yaml``)."""
        src = self.src
        toks = src.toks
        names = set(self.qualified) | set(self.static)
        for i in src.find(names) if names else ():
            if src.op(i - 1, ".", "::") or src.ident(i - 1, "import"):
                continue
            name = toks[i].value
            model_id = None
            if name in self.qualified:
                owner, k = self.qualified[name], i
                while model_id is None and src.op(k + 1, ".") and src.ident(k + 2) and k < i + 8:
                    model_id = (self.table.jvm_class(owner) or {}).get(toks[k + 2].value)
                    owner, k = f"{owner}.{toks[k + 2].value}", k + 2
            elif not src.op(i + 1, "(", "="):
                model_id = self.static[name]
            hit = sdk_constant_hit(model_id, self.catalog) if model_id else None
            if hit is not None:
                src.add_hits([hit], i)

    def scala_selectors(self, k: int, coordinate: str) -> None:
        src = self.src
        end = src.close(k)
        j = k + 1
        while j < end:
            if src.ident(j):
                name = src.toks[j].value
                local = name
                if src.op(j + 1, "=>") and src.ident(j + 2):
                    local = src.toks[j + 2].value
                    j += 2
                if name != "_":
                    self.classes[local] = (coordinate, name)
            j += 1

    def lookup(self, name: str) -> Optional[Tuple[str, str]]:
        # Only single-type imports bind names: after `import com.openai.client.okhttp.*`, an HttpClient or
        # S3Client could come from anywhere (java.net.http, another wildcard, the same package).
        return self.classes.get(name)

    def constructions(self) -> None:
        src = self.src
        toks = src.toks
        for i, t in enumerate(toks):
            if t.kind != ID or src.op(i - 1, ".", "::"):
                continue
            found = self.lookup(t.value)
            if found is None or not _CLIENT_NAME.match(found[1]):  # the class, not its local alias
                continue
            coordinate, name = found
            if src.ident(i - 1, "new"):
                k = i + 1
                if src.op(k, "<"):  # new Foo<Bar>(...)
                    while k < min(src.n, i + 40) and not src.op(k, ">"):
                        k += 1
                    k += 1
                if not src.op(k, "("):
                    continue
                at, paren = i - 1, k
            elif src.op(i + 1, ".") and src.ident(i + 2) and toks[i + 2].value in _FACTORIES and src.op(i + 3, "("):
                at, paren = i, i + 3
            elif src.op(i + 1, "(") and not src.ident(i - 1, "fun", "class", "interface", "object", "def", "val", "var"):
                at, paren = i, i + 1  # Kotlin / Scala constructor call
            else:
                continue
            attribution = self.catalog.package("maven", coordinate)
            if attribution is None:
                continue
            lo, hi = src.scope(paren)
            detail = f"{coordinate} {name}"
            attribution, detail = self.backend(attribution, detail, lo, hi)
            src.client(at, attribution, detail, lo, hi)

    def backend(self, attribution: Attribution, detail: str, lo: int, hi: int) -> Tuple[Attribution, str]:
        """``.backend(BedrockBackend.fromEnv())``: the Anthropic client talks to that platform."""
        src = self.src
        for k in range(lo, min(hi, lo + 400)):
            t = src.toks[k]
            if t.kind == ID and t.value.endswith("Backend") and t.value in self.classes:
                other = self.catalog.package("maven", self.classes[t.value][0])
                if other is not None and other.provider and other.provider != attribution.provider:
                    return (Attribution(other.provider, attribution.vendor or other.vendor, attribution.layer,
                                        attribution.confidence), f"{detail} backend={t.value}")
        return attribution, detail


detect = simple_detector("JVM", SPECS, _Jvm)
