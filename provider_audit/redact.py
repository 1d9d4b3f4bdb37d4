"""Keep secrets out of every report: snippets are redacted before they leave a detector."""

from __future__ import annotations

import re

MAX_SNIPPET = 160
REDACTED = "<redacted>"

_SECRET_TOKENS = re.compile(
    r"(?:sk-(?:ant-|proj-|or-)?[A-Za-z0-9_-]{12,}"  # OpenAI, Anthropic, OpenRouter
    r"|AKIA[0-9A-Z]{16}|ASIA[0-9A-Z]{16}"  # AWS access key ids
    r"|AIza[0-9A-Za-z_-]{30,}"  # Google API keys
    r"|(?:hf|gsk|xai|pplx|r8|fw|tgp_v1)_[A-Za-z0-9_-]{16,}"  # Hugging Face, Groq, xAI, Perplexity...
    r"|xai-[A-Za-z0-9_-]{16,}|gh[pousr]_[A-Za-z0-9]{20,}"
    r"|eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]*"  # JWTs
    r"|(?=[A-Za-z0-9+_-]*[0-9])(?=[A-Za-z0-9+_-]*[A-Za-z])[A-Za-z0-9+_-]{32,}={0,2})"  # long opaque tokens
)
# `password = "..."`, `API_KEY: ...`: whatever follows a secret-looking name is hidden.
_SECRET_ASSIGNMENT = re.compile(
    r"(?i)((?:api[_-]?key|secret|token(?!s)|password|passwd|credential|auth)[A-Za-z0-9_]*[\"']?\s*[:=]\s*)"
    r"(?!os\.|process\.|getenv|environ|\$\{|\$\(|None\b|null\b|undefined\b|true\b|false\b)"
    r"([\"']?)([^\"'\s,;)}]+)"
)
_URL_CREDENTIALS = re.compile(r"(://)[^/@\s:'\"]+:[^/@\s'\"]+@")


def redact(line: str) -> str:
    """The line, trimmed, with anything that may be a secret replaced."""
    text = line.strip()
    text = _URL_CREDENTIALS.sub(r"\1" + REDACTED + "@", text)
    text = _SECRET_ASSIGNMENT.sub(lambda m: m.group(1) + m.group(2) + REDACTED, text)
    text = _SECRET_TOKENS.sub(REDACTED, text)
    if len(text) > MAX_SNIPPET:
        text = text[: MAX_SNIPPET - 1] + "…"
    return text
