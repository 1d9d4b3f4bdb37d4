"""Keep secrets out of every report: snippets are redacted before they leave a detector.

Every pattern here runs in time linear in its input, and ``redact`` reads at most ``WINDOW``
characters of a line: a scanned file can hold lines of megabytes built to make regexes backtrack.
"""

from __future__ import annotations

import re
from functools import lru_cache

MAX_SNIPPET = 160
REDACTED = "<redacted>"
# The part of a line redaction reads: the snippet shows its first MAX_SNIPPET characters, and a
# secret starting there is still several hundred characters long inside the window, so it matches.
WINDOW = MAX_SNIPPET + 512

# Each prefixed token is matched where a word starts ("task-runner-..." holds no "sk-" key; a JWT
# glued to a word is caught as a long token): no pattern retries a long run from each of its positions.
_SECRET_TOKENS = re.compile(
    r"(?<![A-Za-z0-9])(?:sk-(?:ant-|proj-|or-)?[A-Za-z0-9_-]{12,}"  # OpenAI, Anthropic, OpenRouter
    r"|AKIA[0-9A-Z]{16}|ASIA[0-9A-Z]{16}"  # AWS access key ids
    r"|AIza[0-9A-Za-z_-]{30,}"  # Google API keys
    r"|(?:hf|gsk|xai|pplx|r8|fw|tgp_v1)_[A-Za-z0-9_-]{16,}"  # Hugging Face, Groq, xAI, Perplexity...
    r"|xai-[A-Za-z0-9_-]{16,}|gh[pousr]_[A-Za-z0-9]{20,})"
    r"|(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]*"  # JWTs
)
# Long opaque tokens: a run of 32+ token characters holding a digit and a letter (checked in code:
# lookaheads here would rescan the run from each of its positions).
_LONG_TOKEN = re.compile(r"[A-Za-z0-9+_-]{32,}={0,2}")
_DIGIT = re.compile(r"[0-9]")
_LETTER = re.compile(r"[A-Za-z]")
# `password = "..."`, `API_KEY: ...`, `'api_key' => '...'`, `token := "..."`, `?key=...`: whatever
# follows a key-like name is hidden, whatever its length. A name is key-like when it contains a
# secret-looking part or ends in "key" (`key`, `OPENAI_KEY`, `apiKey`, `x-api-key`, `private_key`); it
# is matched as a whole word (found by one lazy scan per word). A quoted value is hidden up to its
# closing quote, an unquoted one up to a separator.
_KEY_NAME = (r"(?<![A-Za-z0-9_-])(?=[A-Za-z0-9_-]*?(?:api[_-]?key|secret|token(?!s)|password|passwd|credential"
             r"|auth|key[\"']?\s*(?::=|=>|[:=])))[A-Za-z0-9_-]+")
_SECRET_ASSIGNMENT = re.compile(
    r"(?i)(" + _KEY_NAME + r"[\"']?\s*(?::=|=>|[:=])\s*)"
    r"(?!os\.|process\.|getenv|environ|\$\{|\$\(|None\b|null\b|undefined\b|true\b|false\b"
    # code that reads the secret from elsewhere, not the secret: env and settings access, calls
    r"|import\.meta\.env|ENV\b|Environment\.|System\.getenv|settings\.|config\.|self\.|this\."
    r"|[A-Za-z_$][\w$]*\(|<redacted>|(?:bearer|basic)\s)"
    r"(?:\"([^\"]*)\"?|'([^']*)'?|([^\"'\s,;&)}]+))"
)
# An argument in an API-key position: a call whose name ends in a key-like word (`.apiKey("...")`,
# `withApiKey`, `option.WithAPIKey`, `AzureKeyCredential`, `setToken`), and the clients that take the
# key as their first argument (PHP `OpenAI::client('...')`, Go `openai.NewClient("...")`, Java `OpenAiService`).
_KEY_ARGUMENT = re.compile(
    r"(?i)((?:(?<![A-Za-z0-9_$])[A-Za-z0-9_$]*(?:api_?key|secret|token|password|credential)|\b\w+::client|\bNewClient"
    r"|\bDefault(?:Azure)?Config|\bOpenAiService)\s*\(\s*)(?:\"[^\"]*\"?|'[^']*'?|`[^`]*`?)")
# `Authorization: Bearer abc`: the credential after an HTTP auth scheme, however short.
_AUTH_SCHEME = re.compile(r"(?i)(\b(?:bearer|basic)\s+)[A-Za-z0-9._~+/-]+=*")
# Dockerfile `ENV OPENAI_API_KEY value` (the old form, name and value separated by a space).
_DOCKER_ENV = re.compile(r"(?i)^((?:ENV|ARG)\s+" + _KEY_NAME.replace(r"key[\"']?\s*(?::=|=>|[:=])", r"key\b")
                         + r"\s+)\S.*")
# A PEM private key: everything after the BEGIN line up to the END marker (or the end of the line).
_PRIVATE_KEY = re.compile(r"(-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----)[^-]*")
# The user information of a URL, "user:password@" or a token alone ("https://TOKEN@github.com").
_URL_CREDENTIALS = re.compile(r"(://)[^/@\s:'\"]+(?::[^/@\s'\"]+)?@")


def _long_token(match: "re.Match[str]") -> str:
    token = match.group()
    return REDACTED if _DIGIT.search(token) and _LETTER.search(token) else token


def _hidden_value(match: "re.Match[str]") -> str:
    head = match.group(1)
    if match.group(2) is not None:
        return f'{head}"{REDACTED}"'
    if match.group(3) is not None:
        return f"{head}'{REDACTED}'"
    return head + REDACTED


def _hidden_argument(match: "re.Match[str]") -> str:
    quote = match.group()[len(match.group(1))]
    return f"{match.group(1)}{quote}{REDACTED}{quote}"


def redact(line: str, limit: int = MAX_SNIPPET) -> str:
    """The line, trimmed to at most ``limit`` characters, with anything that may be a secret replaced."""
    # The same lines recur across files (imports, recorded fields): short ones are memoised.
    return _memo_redact(line, limit) if len(line) <= _MEMO_LINE else _redact(line, limit)


_MEMO_LINE = 400


@lru_cache(maxsize=4096)
def _memo_redact(line: str, limit: int) -> str:
    return _redact(line, limit)


def _redact(line: str, limit: int) -> str:
    text = line.strip()
    cut = len(text) > limit + WINDOW - MAX_SNIPPET
    if cut:
        text = text[:limit + WINDOW - MAX_SNIPPET]
    # Each rule runs only where its pattern can match (what it cannot match without, checked first:
    # a snippet seldom holds a URL with "@", a "(", a long token...). "bearer" and "basic" are looked
    # for in ASCII text only: case-insensitive matching takes "\u017f" for "s" and "\u0130" for "i".
    if "@" in text and "://" in text:
        text = _URL_CREDENTIALS.sub(r"\1" + REDACTED + "@", text)
    if "-----BEGIN " in text:
        text = _PRIVATE_KEY.sub(r"\1" + REDACTED, text)
    if not text.isascii() or "bearer" in text.lower() or "basic" in text.lower():
        text = _AUTH_SCHEME.sub(r"\1" + REDACTED, text)
    if text[:3].lower() in ("env", "arg"):  # no other character matches these letters
        text = _DOCKER_ENV.sub(r"\1" + REDACTED, text)
    if "(" in text:
        text = _KEY_ARGUMENT.sub(_hidden_argument, text)
    if ":" in text or "=" in text:
        text = _SECRET_ASSIGNMENT.sub(_hidden_value, text)
    if len(text) >= 32:
        text = _LONG_TOKEN.sub(_long_token, text)
    if _may_hold_token(text):
        text = _SECRET_TOKENS.sub(REDACTED, text)
    if cut or len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def redact_tokens(text: str) -> str:
    """``text`` (a package specifier, a model id, a detail) with URL credentials and known key formats
    replaced; not trimmed, and without the long-token rule that would eat long model ids and hashes."""
    if "@" in text:
        text = _URL_CREDENTIALS.sub(r"\1" + REDACTED + "@", text)
    return _SECRET_TOKENS.sub(REDACTED, text) if _may_hold_token(text) else text


def _may_hold_token(text: str) -> bool:
    """What every ``_SECRET_TOKENS`` format holds: most texts hold none, and are not searched."""
    return "_" in text or "-" in text or "AKIA" in text or "ASIA" in text or "AIza" in text or "eyJ" in text


# What must not reach a report as is: control characters (a newline would start a forged line, an
# escape sequence would drive the terminal), bidirectional overrides and line separators, and lone
# surrogates (undecodable bytes of a file name; no UTF-8 output can encode them). Tabs are fine.
_UNPRINTABLE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
                          "\ud800-\udfff]")
_ESCAPES = {"\n": "\\n", "\r": "\\r"}


def _escape(match: "re.Match[str]") -> str:
    char = match.group()
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte os.fsdecode could not decode: show the byte
        return f"\\x{code - 0xDC00:02x}"
    return _ESCAPES.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def printable(text: str) -> str:
    """``text`` with unprintable characters written as Python escapes (``\\n``, ``\\x1b``, ``\\xe9``
    for an undecodable byte); unchanged, and cheap, when there are none."""
    return _UNPRINTABLE.sub(_escape, text) if _UNPRINTABLE.search(text) else text


class PrintableError(Exception):
    """An error whose message may quote untrusted text (a file name, a key, a value): ``str()`` is one
    printable line, wherever it is shown (the command line prints it on stderr, where a newline could
    start a GitHub Actions workflow command and an escape sequence would drive the terminal), with
    known key formats redacted (a key pasted into a config value must not reach a CI log)."""

    def __str__(self) -> str:
        return printable(redact_tokens(super().__str__()))
