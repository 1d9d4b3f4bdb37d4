"""Configuration: YAML, TOML, JSON, INI, Terraform, compose files, CI workflows, Dockerfiles.

Read line by line rather than parsed: every format gives its line numbers, a malformed or hostile
file (YAML aliases, deep nesting) costs nothing more than its length, and the keys that matter
(``model:``, ``base_url:``, ``OPENAI_API_KEY``, ``${{ secrets.ANTHROPIC_API_KEY }}``) are on one line.

Two things need more than one line, and are read from the file's outline (keys by indentation, TOML
and INI ``[sections]``, dotted ``.properties`` keys), only when the file holds a model id whose
provider is not known yet:

* a model id takes the provider its key names (``spring.ai.ollama.chat.options.model``,
  ``langchain4j.azure-open-ai.chat-model.deployment-name``, ``quarkus.langchain4j.openai...``);
* else the provider of the endpoint set in the same block (``apis.ollama.base-url:
  http://localhost:11434`` makes the ``llama3.2`` under ``apis.ollama.models`` Ollama's, not Meta's),
  when the innermost such block names one provider.

A whole-line comment (``#``, ``//``, ``;``, ``!``) is read too, but its evidence has low confidence:
commented-out settings are not in effect. So is a long line of prose (documentation quoted in a JSON
corpus or eval set): it talks about a host or a key, it does not set one.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Dict, List, Optional, Sequence, Set, Tuple

from provider_audit.data.catalog import Attribution, Catalog
from provider_audit.detectors.engine import endpoint_key
from provider_audit.detectors.literals import Hit, evidence_from_hit, redirect_endpoint
from provider_audit.detectors.text import keyword_lines, line_hits
from provider_audit.models import Evidence, FileReport
from provider_audit.redact import redact

LIST_ITEM_RE = re.compile(r"^\s*-\s+[\"']?([A-Za-z0-9][A-Za-z0-9._:/@+-]{1,159})[\"']?\s*(?:#.*)?$")
# A mapping key that may be a model id (``gpt-4-32k:`` heading its settings in a model table); quoted keys
# are read as quoted strings already.
MODEL_KEY_RE = re.compile(r"^[ \t]*(?:-[ \t]+)?([A-Za-z0-9][A-Za-z0-9._/@+-]{1,159})[ \t]*:(?:[ \t]|$)")
KEY_RE = re.compile(r"^\s*(?:-\s*)?[\"']?([A-Za-z_][A-Za-z0-9_]*)[\"']?\s*[:=]")  # no \s*-?\s*: quadratic on blanks

COMMENT_MARKERS = ("#", "//", ";", "!")
# A key at the start of a line (YAML, JSON, TOML, properties), with its indentation and a list dash.
_OUTLINE_KEY = re.compile(r"""[ \t]*(-[ \t]+)?(?:"([^"\n]{1,200})"|'([^'\n]{1,200})'|([A-Za-z0-9_.$@/-]{1,200}))[ \t]*[:=]""")
_SECTION = re.compile(r"\[{1,2}[ \t]*([A-Za-z0-9_.\"' -]{1,200}?)[ \t]*\]{1,2}[ \t]*(?:[#;].*)?")
MAX_OUTLINE_LINES = 200_000
PROSE_LINE = 300

# Frameworks whose configuration keys name the provider: the key prefix, then provider names.
_FRAMEWORK_PREFIXES = ("spring.ai.", "quarkus.langchain4j.", "langchain4j.")
_KEY_PROVIDERS = {
    "openai": "openai", "open-ai": "openai", "azure.openai": "azure-openai", "azure-openai": "azure-openai",
    "azure-open-ai": "azure-openai", "anthropic": "anthropic", "ollama": "ollama", "bedrock": "aws-bedrock",
    "vertex.ai": "vertex-ai", "vertexai": "vertex-ai", "vertex-ai-gemini": "vertex-ai", "google.genai": "google",
    "google-ai-gemini": "google", "ai.gemini": "google", "mistralai": "mistral", "mistral-ai": "mistral",
    "deepseek": "deepseek", "zhipuai": "zhipu", "minimax": "minimax", "moonshot": "moonshot",
    "huggingface": "huggingface", "hugging-face": "huggingface",
}


# A JSON array of this many records or more is data (eval results, recorded responses, a dump), not settings.
DATA_RECORDS = 20


def is_record_array(path: str, text: str) -> bool:
    """A ``.json`` file holding a top-level array of many objects."""
    return path.lower().endswith(".json") and text.lstrip()[:1] == "[" and text.count("{") >= DATA_RECORDS


def detect(path: str, text: str, context: str, catalog: Catalog) -> FileReport:
    evidence: List[Evidence] = []
    if context in ("source", "config") and is_record_array(path, text):
        context = "data"
    for number, line in keyword_lines(text, catalog):
        hits = list(line_hits(line, catalog))  # a copy: the memoised tuple is shared
        item = LIST_ITEM_RE.match(line)
        if item and not any(h.kind == "model-id" for h, _ in hits):
            model = catalog.model(item.group(1))
            if model is not None:
                hits.append((Hit("model-id", model.model, model=model), item.start(1) + 1))
        keyed = MODEL_KEY_RE.match(line)
        if keyed and not any(h.kind == "model-id" and h.detail == keyed.group(1) for h, _ in hits):
            model = catalog.model(keyed.group(1))
            if model is not None:
                hits.append((Hit("model-id", model.model, model=model), keyed.start(1) + 1))
        key = KEY_RE.match(line)
        if key and key.group(1) in catalog.base_url_env:
            # OPENAI_BASE_URL: https://api.deepseek.com redirects the SDK: say which variable did it.
            hits = [(Hit(h.kind, f"{key.group(1)}={h.detail}", h.attribution), c) if h.kind == "endpoint" else (h, c)
                    for h, c in hits]
        if hits:
            snippet = redact(line)
            confidence = "low" if line.lstrip().startswith(COMMENT_MARKERS) or is_prose(line) else None
            for hit, column in hits:
                evidence.append(evidence_from_hit(hit, path, number, column, context, snippet, confidence))
    evidence.extend(_redirects(path, text, context, catalog))
    evidence = _azure_resources(path, text, context, evidence, catalog)
    if any(_unplaced(e, catalog) for e in evidence):
        evidence = place_models(text, evidence, catalog)
    if _LIST_KEY_HINT.search(text) and any(e.kind == "model-id" and e.confidence != "low" for e in evidence):
        evidence = mark_listed_models(text, evidence)
    return FileReport(tuple(evidence))


# Keys of allow- and deny-lists (a proxy's ``param_whitelist.model``, ``allowed_models``): the models they
# name are ones clients may (or may not) ask for, not models this configuration sends.
_LIST_KEY_HINT = re.compile(r"(?i)(?:white|allow|black|block|deny)[-_]?list|allowed[-_]?models|blocked[-_]?models")
_LIST_KEY = re.compile(r"(?i)(?:^|[-_])(?:white|allow|black|block|deny)[-_]?list(?:$|[-_])|^(?:allowed|blocked|denied)[-_]?models$")


def mark_listed_models(text: str, evidence: Sequence[Evidence]) -> List[Evidence]:
    """Model ids under an allow- or deny-list key, at low confidence: mentioned, not sent."""
    paths = outline(text)
    out: List[Evidence] = []
    for e in evidence:
        path = paths[e.line] if e.kind == "model-id" and e.line < len(paths) else None
        if path and any(_LIST_KEY.search(part) for part in path.split(".")):
            e = dataclasses.replace(e, confidence="low")
        out.append(e)
    return out


# Infrastructure as code that creates Azure OpenAI: a Cognitive Services account of kind OpenAI (Terraform
# ``azurerm_cognitive_account``, Bicep or ARM ``Microsoft.CognitiveServices/accounts``) and its model
# deployments (``azurerm_cognitive_deployment``, ``.../accounts/deployments``).
_AZURE_ACCOUNT = re.compile(r"azurerm_cognitive_account|Microsoft\.CognitiveServices/accounts(?!/)", re.I)
_AZURE_DEPLOYMENT = re.compile(r"azurerm_cognitive_deployment|Microsoft\.CognitiveServices/accounts/deployments", re.I)
_OPENAI_KIND = re.compile(r"""^\s*["']?kind["']?\s*[:=]\s*["']OpenAI["']""")


def _azure_resources(path: str, text: str, context: str, evidence: List[Evidence],
                     catalog: Catalog) -> List[Evidence]:
    """An Azure OpenAI account declared in Terraform, Bicep or ARM is Azure OpenAI's endpoint (at its
    ``kind = "OpenAI"`` line), and the model ids of its deployments in the same file are Azure's."""
    if "azure-openai" not in catalog.providers or "ognitive" not in text:
        return evidence
    account, deployment = _AZURE_ACCOUNT.search(text), _AZURE_DEPLOYMENT.search(text)
    if account is None and deployment is None:
        return evidence
    out = list(evidence)
    info = catalog.providers["azure-openai"]
    if account is not None:
        for number, line in enumerate(text.splitlines(), 1):
            if _OPENAI_KIND.match(line):
                hit = Hit("endpoint", "Azure OpenAI account (infrastructure code)", Attribution("azure-openai", info.vendor))
                out.append(evidence_from_hit(hit, path, number, line.find("kind") + 1, context, redact(line)))
    if deployment is not None and (account is None or any(e.provider == "azure-openai" for e in out)):
        out = [dataclasses.replace(e, provider="azure-openai") if e.kind == "model-id" else e for e in out]
    return out


_ENV_ITEM = re.compile(r"""^\s*-?\s*name:\s*["']?([A-Z][A-Z0-9_]{2,})["']?\s*$""")
_VALUE = re.compile(r"""^\s*value:\s*(.+?)\s*$""")


def _redirects(path: str, text: str, context: str, catalog: Catalog) -> List[Evidence]:
    """``OPENAI_BASE_URL: <value>`` (compose, CI, TOML) or a Kubernetes/Helm ``- name: OPENAI_API_BASE_URL``
    with its ``value:`` on the next line, set to something that is no known host: the deployment points the
    OpenAI SDK at an endpoint of its own choosing (``openai-compatible``)."""
    if "openai" not in text.lower():
        return []
    found: List[Evidence] = []
    lines = text.splitlines()
    for number, line in enumerate(lines, 1):
        if "OPENAI" not in line or line.lstrip().startswith(COMMENT_MARKERS):
            continue
        item = _ENV_ITEM.match(line)
        if item is not None:
            following = _VALUE.match(lines[number]) if number < len(lines) else None
            name, value = item.group(1), following.group(1) if following else ""
        else:
            key = KEY_RE.match(line)
            if key is None:
                continue
            name, value = key.group(1), line[key.end():].split(" #", 1)[0]
        hit = redirect_endpoint(name, value, catalog)
        if hit is not None:
            found.append(evidence_from_hit(hit, path, number, line.find(name) + 1, context, redact(line)))
    return found


def is_prose(line: str) -> bool:
    """A long line of words (documentation quoted in a JSON corpus, an eval set's answers): what it names
    is talked about, not configured. Settings are short; minified data has few spaces."""
    return len(line) > PROSE_LINE and line.count(" ") * 8 > len(line)


def _unplaced(e: Evidence, catalog: Catalog) -> bool:
    """A model id with no provider yet, and no routing prefix to decide it later."""
    if e.kind != "model-id" or e.provider is not None or e.confidence == "low":
        return False
    match = catalog.model(e.model or "", expected=True)
    return match is not None and match.prefix_provider is None


def outline(text: str) -> List[Optional[str]]:
    """The dotted key path of every line (index = line number; None for blank and comment lines):
    YAML/JSON keys by indentation (list items and JSON objects in arrays apart), TOML/INI sections, dotted
    properties keys."""
    paths: List[Optional[str]] = [None]
    stack: List[Tuple[int, str]] = []  # (indent, key); a section has indent -1
    for number, line in enumerate(text.splitlines(), 1):
        if number > MAX_OUTLINE_LINES:
            break
        stripped = line.strip()
        if not stripped or stripped.startswith(COMMENT_MARKERS):
            paths.append(None)
            continue
        if stripped.startswith("[") and not line[:1].isspace():
            section = _SECTION.fullmatch(stripped)
            if section is not None:
                stack = [(-1, section.group(1).replace('"', "").replace("'", "").strip())]
                paths.append(stack[0][1])
                continue
        indent = len(line) - len(line.lstrip())
        found = _OUTLINE_KEY.match(line)
        dash = found.group(1) if found else ("- " if stripped.startswith(("- ", "{")) else None)
        if dash:
            while stack and stack[-1][0] >= indent:
                stack.pop()
            stack.append((indent, f"[{number}]"))
            indent += len(dash)
        if found:
            key = found.group(2) or found.group(3) or found.group(4)
            while stack and stack[-1][0] >= indent:
                stack.pop()
            stack.append((indent, key))
        else:
            while stack and stack[-1][0] > indent:
                stack.pop()
        paths.append(".".join(k for _, k in stack))
    return paths


def key_provider(path: str, catalog: Catalog) -> Optional[str]:
    """The provider a framework's configuration key names: ``spring.ai.ollama.chat.options.model``."""
    lowered = path.lower()
    for prefix in _FRAMEWORK_PREFIXES:
        if lowered.startswith(prefix):
            parts = lowered[len(prefix):].split(".")
            for size in (2, 1):
                provider = _KEY_PROVIDERS.get(".".join(parts[:size]))
                if provider is not None and provider in catalog.providers:
                    return provider
            return None
    return None


def _innermost_block(path: str, blocks: Dict[str, Set[str]]) -> Optional[Set[str]]:
    """The providers of the innermost block enclosing ``path`` (itself, a dotted ancestor, or the top
    ""), found by walking up its ancestors: a lookup per level, not a pass over every block (a list of
    thousands of items is thousands of blocks)."""
    candidate = path
    while candidate not in blocks:
        if not candidate:
            return None
        cut = candidate.rfind(".")
        candidate = candidate[:cut] if cut >= 0 else ""
    return blocks[candidate]


def place_models(text: str, evidence: Sequence[Evidence], catalog: Catalog) -> List[Evidence]:
    """Give unplaced model ids the provider their key names, or that of their block's endpoint."""
    paths = outline(text)

    def path_of(line: int) -> Optional[str]:
        return paths[line] if line < len(paths) else None

    blocks: Dict[str, Set[str]] = {}  # block path -> providers of the endpoints set directly in it
    for e in evidence:
        path = path_of(e.line)
        if e.kind == "endpoint" and e.provider and e.confidence != "low" and path:
            block, _, key = path.rpartition(".")
            # base_url / base-url / api_base / baseURL / endpoint: a client's setting. An environment
            # variable (OPENAI_BASE_URL among a job's variables) redirects one SDK, not its neighbours.
            if endpoint_key(key) and not key.isupper():
                blocks.setdefault(block, set()).add(e.provider)
    out: List[Evidence] = []
    for e in evidence:
        path = path_of(e.line)
        if path is not None and _unplaced(e, catalog):
            provider = key_provider(path, catalog)
            if provider is None:
                innermost = _innermost_block(path, blocks)
                if innermost is not None:
                    provider = next(iter(innermost)) if len(innermost) == 1 else None
            if provider is not None:
                e = dataclasses.replace(e, provider=provider)
        out.append(e)
    return out
