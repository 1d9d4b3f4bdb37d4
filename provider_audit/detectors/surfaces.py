"""Which API surface a call, a package or a URL path uses, and which provider features a call asks for.

Risk events can be scoped to surfaces (the Assistants API, fine-tuning, batches...) and features
(streaming, reasoning summaries...): an event for a surface applies only where the code uses it. The
detectors record what they see here as ``api-call`` evidence (``Evidence.surface``/``feature``) and
put a surface on dependency and import evidence of agent packages.

A call is recognised by its attribute chain (``client.beta.assistants.create``, camelCase folded to
snake_case so ``openai.fineTuning.jobs.create`` reads the same), and only in a file that imports one of
``SDK_ROOTS``: ``db.files.create`` in a file without an LLM SDK is nobody's API. Plain chat calls are
not recorded (every API user makes them: the ``api``/``chat`` surfaces mean any use) unless they ask
for a feature (``stream=True``, ``reasoning={"summary": ...}``).
"""

from __future__ import annotations

import re
from typing import Iterable, List, Optional, Sequence, Tuple

# Python module roots and npm packages whose clients have these surfaces.
SDK_ROOTS = frozenset({"openai", "anthropic", "google.genai"})
SDK_PACKAGES = frozenset({"openai", "@anthropic-ai/sdk", "@google/genai"})

# Attribute chains (snake_case) -> surface, feature, and for one-word chains the names that may follow
# (``self.responses.append`` is a list, ``client.responses.create`` the Responses API). The first chain
# found wins, in this order.
_CRUD = frozenset({"create", "retrieve", "list", "update", "delete", "cancel", "stream", "parse", "get", "connect",
                   "search", "results", "runs", "files", "file_batches", "jobs", "input_items", "compact",
                   "checkpoints", "tune", "upload", "with_raw_response", "with_streaming_response"})
CHAINS: Tuple[Tuple[Tuple[str, ...], str, Optional[str], Optional[frozenset]], ...] = (
    (("beta", "assistants"), "assistants", None, None),
    (("beta", "threads"), "assistants", None, None),
    (("threads", "runs"), "assistants", None, None),
    (("beta", "realtime"), "realtime", None, None),
    (("beta", "vector_stores"), "vector-stores", None, None),
    (("beta", "files"), "files", None, None),
    (("messages", "batches"), "batch", None, None),
    (("fine_tuning", "jobs"), "fine-tuning", None, None),
    (("fine_tuning",), "fine-tuning", None, _CRUD | {"alpha"}),
    (("tunings",), "fine-tuning", None, _CRUD),
    (("responses",), "responses", None, _CRUD),
    (("batches",), "batch", None, _CRUD),
    (("realtime",), "realtime", None, _CRUD | {"client_secrets", "sessions", "calls"}),
    (("live", "connect"), "realtime", None, None),
    (("embeddings", "create"), "embeddings", None, None),
    (("models", "embed_content"), "embeddings", None, None),
    (("images", "generate"), "images", "image-generation", None),
    (("models", "generate_images"), "images", "image-generation", None),
    (("images", "edit"), "images", None, None),
    (("images", "create_variation"), "images", None, None),
    (("audio", "transcriptions"), "audio", None, None),
    (("audio", "translations"), "audio", None, None),
    (("audio", "speech"), "audio", None, None),
    (("vector_stores",), "vector-stores", None, _CRUD),
    (("evals",), "evals", None, _CRUD),
    (("files", "create"), "files", None, None),
    (("files", "upload"), "files", None, None),
    (("moderations", "create"), "moderation", None, None),
)
# Chat calls: recorded only with a feature.
CHAT_CHAINS = (("chat", "completions"), ("messages", "create"), ("messages", "stream"), ("models", "generate_content"),
               ("models", "generate_content_stream"))
STREAM_METHODS = frozenset({"stream", "generate_content_stream"})
# Tool types that are provider-hosted features (tools=[{"type": "web_search"}]).
TOOL_FEATURES = {"web_search": "web-search", "web_search_preview": "web-search", "file_search": "file-search",
                 "code_interpreter": "code-interpreter", "computer_use_preview": "computer-use",
                 "image_generation": "image-generation"}

# Packages and modules that are a surface of their own.
PACKAGE_SURFACES = {
    ("pypi", "claude-agent-sdk"): "agent-sdk", ("pypi", "claude-code-sdk"): "agent-sdk",
    ("npm", "@anthropic-ai/claude-agent-sdk"): "agent-sdk", ("npm", "@anthropic-ai/claude-code"): "coding-agent",
}
MODULE_SURFACES = {"claude_agent_sdk": "agent-sdk", "claude_code_sdk": "agent-sdk"}

# REST paths: /v1/assistants, /v1/fine_tuning/jobs, /v1/messages/batches...
_PATH_SURFACES = (("assistants", "assistants"), ("threads", "assistants"), ("responses", "responses"),
                  ("batches", "batch"), ("messages/batches", "batch"), ("fine_tuning", "fine-tuning"),
                  ("fine-tunes", "fine-tuning"), ("realtime", "realtime"), ("embeddings", "embeddings"),
                  ("images", "images"), ("audio", "audio"), ("vector_stores", "vector-stores"), ("evals", "evals"),
                  ("prompts", "prompts"), ("files", "files"), ("moderations", "moderation"),
                  ("completions", "completions"))
_PATH_RE = re.compile(r"/v1/(" + "|".join(re.escape(p) for p, _ in sorted(_PATH_SURFACES, key=lambda x: -len(x[0])))
                      + r")(?![A-Za-z0-9_-])")
_PATHS = dict(_PATH_SURFACES)
_CAMEL = re.compile(r"(?<=[a-z0-9])([A-Z])")


def snake(name: str) -> str:
    """``fineTuning`` -> ``fine_tuning``, ``embedContent`` -> ``embed_content``."""
    return _CAMEL.sub(r"_\1", name).lower()


def call_surface(parts: Sequence[str]) -> Tuple[Optional[str], Optional[str], int]:
    """(surface, feature, index where the chain starts) for a call's attribute chain (receiver first,
    method last), or (None, None, -1). ``chat`` for a chat call (recorded only with a feature)."""
    names = [snake(p) for p in parts]
    for chain, surface, feature, then in CHAINS:
        at = _find(names, chain)
        if at >= 0 and (then is None or (at + len(chain) < len(names) and names[at + len(chain)] in then)):
            return surface, feature, at
    at = _find(names, ("completions", "create"))
    if at >= 0 and names[at - 1] != "chat":
        return "completions", None, at
    for chain in CHAT_CHAINS:
        at = _find(names, chain)
        if at >= 0:
            return "chat", None, at
    return None, None, -1


def method_features(parts: Sequence[str]) -> List[str]:
    """Features the method name itself asks for (``.stream(...)``)."""
    return ["streaming"] if parts and snake(parts[-1]) in STREAM_METHODS else []


def tool_feature(value: str) -> Optional[str]:
    return TOOL_FEATURES.get(value)


def _find(names: Sequence[str], chain: Tuple[str, ...]) -> int:
    n = len(chain)
    for i in range(1, len(names) - n + 1):  # names[0] is the receiver, never part of a chain
        if tuple(names[i:i + n]) == chain:
            return i
    return -1


def path_surfaces(text: str) -> List[Tuple[str, str]]:
    """(path, surface) for each REST API path in a string (``https://api.openai.com/v1/assistants``)."""
    return [(m.group(0), _PATHS[m.group(1)]) for m in _PATH_RE.finditer(text)] if "/v1/" in text else []


def path_keywords() -> Tuple[str, ...]:
    """Texts every REST path ``path_surfaces`` finds contains (prefilter keywords: a file that only builds
    ``f"{base}/v1/assistants"`` names a surface all the same)."""
    return tuple(f"/v1/{path}" for path, _ in _PATH_SURFACES)


def package_surface(ecosystem: str, name: str) -> Optional[str]:
    return PACKAGE_SURFACES.get((ecosystem, name.lower() if ecosystem != "go" else name))


def module_surface(module: str) -> Optional[str]:
    return MODULE_SURFACES.get(module.split(".", 1)[0])


def uses_sdk(modules: Iterable[str]) -> bool:
    """Whether any of the imported dotted modules belongs to one of ``SDK_ROOTS``."""
    return any(m == root or m.startswith(root + ".") for m in modules for root in SDK_ROOTS)
