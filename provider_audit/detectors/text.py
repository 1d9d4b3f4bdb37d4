"""Any text the scanner has no parser for: API hosts, key variable names and quoted model ids.

Also the fallback for source that does not parse. Only lines that contain a catalog keyword are
examined, so large files cost one pass of one regex.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Dict, Iterator, List, Optional, Sequence, Set, Tuple

from provider_audit.data.catalog import _LOOPBACK, Catalog
from provider_audit.detectors.literals import ENV_NAME_RE, Hit, classify_string, evidence_from_hit, hosts_in
from provider_audit.models import Evidence, FileReport
from provider_audit.redact import redact

QUOTED_RE = re.compile(r"\"([^\"\\\n]{2,160})\"|'([^'\\\n]{2,160})'|`([^`\\\n$]{2,160})`")
# `model: "x"`, `"model": "x"`, `modelId = 'x'`, `MODEL_NAME=x`, `deployment-name: x` (Azure deployments are
# usually named after their model): the value is expected to be a model id.
# The key is tried only where a word starts, and one lazy scan of the word looks for "model": a
# line of 20,000 word characters costs one pass, not one pass from each of its positions.
MODEL_VALUE_RE = re.compile(
    r"(?i)(?<![\w-])(?=[\w-]*?(?:model|deployment))[\w-]+[\"']?\s*(?::=|=>|[:=])\s*[\"'`]?([A-Za-z0-9][A-Za-z0-9._:/@+-]{1,159})")
MAX_LINE = 20_000

# A host written with a placeholder for a label: "{resource}.openai.azure.com" and "%s.openai.azure.com"
# (format strings), "YOUR_RESOURCE_NAME.openai.azure.com" (no host has an underscore), "<your-resource>...",
# "${RESOURCE}..." and "{{ .Values.x }}..." (shell, templates), "bedrock-runtime.{region}.amazonaws.com".
# JavaScript template substitutions reach here as "{}". Each placeholder becomes a sentinel label, the
# host around it is tried with the sentinel filled in (any label for "*." hosts; a region for Bedrock
# and Vertex AI), and the host is reported with "*" for the placeholder.
# Every alternative is bounded, and the underscore label starts only where a label starts: linear.
_PLACEHOLDER_RE = re.compile(r"\$?\{\{?[^{}\s'\"`/]{0,80}\}\}?|%[sdv]|<[A-Za-z0-9_.-]{1,80}>|\$[A-Za-z_][A-Za-z0-9_]{0,80}"
                             r"|(?<![A-Za-z0-9_-])[A-Za-z0-9-]{0,63}_[A-Za-z0-9_-]{0,63}(?![A-Za-z0-9_-])")
_PLACEHOLDER_HINT = re.compile(r"[{%<$_]")
_SENTINEL = "zzplaceholderzz"
_HOST_WITH_SENTINEL_RE = re.compile(r"(?<![\w.-])((?:[a-z0-9-]+\.)+[a-z]{2,})(?![\w-])")
_FILLS = ("x", "us-east-1", "us-central1")


def covered_by_placeholder(hit: Hit, placeholders: List[Hit]) -> bool:
    """``s.openai.azure.com`` read from ``%s.openai.azure.com``: the placeholder's host says it better."""
    return hit.kind == "endpoint" and any(
        hit.detail.endswith(p.detail.rsplit("*", 1)[-1]) and hit.attribution == p.attribution for p in placeholders)


def placeholder_hosts(text: str, catalog: Catalog) -> List[Tuple[Hit, int]]:
    """Known API hosts written with a placeholder label in ``text``, with 0-based offsets (approximate
    after a placeholder). Hosts without a placeholder are ``hosts_in``'s."""
    if "." not in text or not _PLACEHOLDER_HINT.search(text):
        return []
    text = text[:MAX_LINE]
    if _host_ending(catalog).search(text.lower()) is None:  # no known host's last label: none to find
        return []
    normal = _PLACEHOLDER_RE.sub(_SENTINEL, text).lower()
    if _SENTINEL not in normal:
        return []
    found: List[Tuple[Hit, int]] = []
    for match in _HOST_WITH_SENTINEL_RE.finditer(normal):
        host = match.group(1)
        if _SENTINEL not in host:
            continue
        for fill in _FILLS:
            attribution = catalog.host(host.replace(_SENTINEL, fill))
            if attribution is not None:
                found.append((Hit("endpoint", host.replace(_SENTINEL, "*"), attribution), match.start(1)))
                break
    return found


def detect(path: str, text: str, context: str, catalog: Catalog, confidence: str = "medium") -> FileReport:
    """Evidence from plain text; hits here are less certain than a parser's, hence ``confidence``."""
    evidence: List[Evidence] = []
    for number, line in keyword_lines(text, catalog):
        hits = line_hits(line, catalog)
        if hits:
            snippet = redact(line)
            for hit, column in hits:
                evidence.append(evidence_from_hit(hit, path, number, column, context, snippet, confidence))
    return FileReport(tuple(evidence))


def keyword_lines(text: str, catalog: Catalog, lowered: Optional[str] = None,
                  ends: Optional[Sequence[int]] = None) -> Iterator[Tuple[int, str]]:
    """(number, line) of every line (as ``str.splitlines`` cuts them) that holds a catalog keyword,
    the line cut at MAX_LINE. ``lowered``: ``text.lower()``, if the caller has it; ``ends``: where the
    keywords in it end (``catalog.prefilter.ends`` or ``line_ends``), if known (in an ASCII ``text``,
    without ``lowered``: as asked of its lower-cased bytes).

    The same lines as asking the prefilter about each line, found with one search of the whole text:
    lines without a keyword cost nothing in Python.
    """
    has_keyword = catalog.prefilter
    if lowered is None:
        # ``ends`` without ``lowered``: offsets in ``text`` itself, an ASCII text (as the analysis asks one).
        assert ends is None or text.isascii()
        lowered = text if ends is not None else text.lower()
    crlf = "\r" in text
    if (not has_keyword.ascii or len(lowered) != len(text) or _other_breaks(text)
            or (crlf and text.count("\r") != text.count("\r\n"))):
        # Offsets in the lower-cased text would not be the line's, or lines break on more than
        # "\n" and "\r\n": ask line by line.
        for number, line in enumerate(text.splitlines(), 1):
            line = line[:MAX_LINE]
            if has_keyword(line.lower()):
                yield number, line
        return
    number, counted = 1, 0
    for hit in has_keyword.line_ends(lowered, ends):
        start = text.rfind("\n", 0, hit) + 1
        end = text.find("\n", hit)
        end = len(text) if end < 0 else end
        number += text.count("\n", counted, start)
        counted = start
        line = text[start:end - 1] if crlf and text.startswith("\r", end - 1) else text[start:end]
        # A line cut at MAX_LINE is asked again: its keyword may lie past the cut.
        if len(line) <= MAX_LINE or has_keyword(line[:MAX_LINE].lower()):
            yield number, line[:MAX_LINE]


# Line breaks of str.splitlines besides \n and \r\n.
_ASCII_BREAKS = "\x0b\x0c\x1c\x1d\x1e"
_OTHER_BREAKS = _ASCII_BREAKS + "\x85\u2028\u2029"


def _other_breaks(text: str) -> bool:
    """Whether ``text`` holds one of those breaks: a search for each (in ASCII text, where ``isascii``
    costs nothing, only the ASCII ones), each several times faster than a character class's search."""
    return any(char in text for char in (_ASCII_BREAKS if text.isascii() else _OTHER_BREAKS))


def line_hits(line: str, catalog: Catalog) -> Tuple[Tuple[Hit, int], ...]:
    """Hits on one line with their 1-based columns, each (kind, detail) once.

    Memoised for lines of up to MEMO_LINE characters (the memo stays under a few MB): the same keyword
    lines recur from file to file (an import of the provider's package in every test, the same recorded
    fields in every fixture): on vercel/ai, 21,000 distinct lines of 56,000.
    """
    if len(line) <= MEMO_LINE:
        return _memo_line_hits(line, catalog)
    return tuple(_line_hits(line, catalog))


MEMO_LINE = 400


@lru_cache(maxsize=1 << 13)
def _memo_line_hits(line: str, catalog: Catalog) -> Tuple[Tuple[Hit, int], ...]:
    return tuple(_line_hits(line, catalog))


def _line_hits(line: str, catalog: Catalog) -> List[Tuple[Hit, int]]:
    found: List[Tuple[Hit, int]] = []
    seen: Set[Tuple[str, str]] = set()

    def keep(hit: Hit, column: int) -> None:
        key = (hit.kind, hit.detail)
        if key not in seen:
            seen.add(key)
            found.append((hit, column))

    lowered = line.lower()
    if "model" in lowered or "deployment" in lowered:  # what MODEL_VALUE_RE's key must contain
        for match in model_values(line, lowered):
            model = catalog.model(match.group(1).rstrip(".,;"), expected=True)
            if model is not None:
                keep(Hit("model-id", model.model, model=model), match.start(1) + 1)
    if _CLASSIFIED[0] is not catalog:
        _CLASSIFIED[:] = [catalog, {}]
    classified = _CLASSIFIED[1]
    for match in QUOTED_RE.finditer(line):
        start = match.lastindex or 1  # the one group that matched
        value = match.group(start)
        hits = classified.get(value)
        if hits is None:
            hits = _classified(value, catalog, classified)
        for hit in hits:
            keep(hit, match.start(start) + 1)
    if "." in line or "://" in line:  # a bare host has a dot, a URL its scheme (http://localhost:1234)
        # A bare host ends in the last label of a known one, and so does a host with a placeholder (whose
        # search asks again, on the line cut at MAX_LINE): a line without one is searched for URLs only.
        host_like = _host_ending(catalog).search(lowered) is not None
        placeholders = placeholder_hosts(line, catalog) if host_like else []
        if host_like or "://" in line:
            for hit in hosts_in(line, catalog):
                if not covered_by_placeholder(hit, [h for h, _ in placeholders]):
                    keep(hit, lowered.find(hit.detail.split(":")[0]) + 1)
        for hit, offset in placeholders:
            keep(hit, offset + 1)
    for match in () if line.islower() else ENV_NAME_RE.finditer(line):  # a name needs capitals
        name = match.group(0)
        attribution = catalog.env_var(name)
        if attribution is not None:
            keep(Hit("env-var", name, attribution), match.start() + 1)
    return found


def model_values(line: str, lowered: str) -> List["re.Match[str]"]:
    """``MODEL_VALUE_RE.finditer(line)``, tried only where it can match: at the start of each word that
    holds "model" or "deployment" (found with ``str.find`` in ``lowered``, ``line.lower()``), instead of
    at every word start. Same matches, in the same order: a word start inside an earlier match is
    skipped, as ``finditer`` skips it. Each character is looked at once at most."""
    if len(lowered) != len(line):  # lower-casing moved the offsets: the plain search
        return list(MODEL_VALUE_RE.finditer(line))
    keys = []
    for key in ("model", "deployment"):
        at = lowered.find(key)
        while at >= 0:
            keys.append(at)
            at = lowered.find(key, at + 1)
    if len(keys) > 1:
        keys.sort()
    found = []
    resume = 0  # where finditer would go on after the last match
    previous = -1  # the last key's offset: its word was tried (or skipped) already
    for at in keys:
        floor = max(resume, previous + 1)
        previous = at
        if at < floor:
            continue  # inside the last match
        start = at
        while start > floor and _is_word(line[start - 1]):
            start -= 1
        if start == floor and floor > 0 and _is_word(line[floor - 1]):
            continue  # the word starts before: inside the last match, or the last key's word
        match = MODEL_VALUE_RE.match(line, start)
        if match is not None:
            found.append(match)
            resume = match.end()
    return found


def _is_word(char: str) -> bool:
    """``[\\w-]`` for one character (``str.isalnum`` is the regular expression module's word test)."""
    return char.isalnum() or char == "_" or char == "-"


@lru_cache(maxsize=None)
def _host_ending(catalog: Catalog) -> "re.Pattern[str]":
    """A dot and the last label of a host the catalog knows, not followed by a letter or digit: what a
    lower-cased text holds wherever ``hosts_in`` finds a bare host or ``placeholder_hosts`` a host (whose
    last label is never a placeholder's: no known host ends in a fill)."""
    names = [h.split(":")[0] for h in catalog._hosts] + [suffix for suffix, _ in catalog._wild_hosts]
    names += [h for h in _LOOPBACK if "." in h]
    endings = sorted({n.rsplit(".", 1)[-1] for n in names if "." in n})
    return re.compile(r"\.(?:%s)(?![a-z0-9])" % "|".join(map(re.escape, endings)))


def _classified(value: str, catalog: Catalog, memo: Dict[str, Tuple[Hit, ...]]) -> Tuple[Hit, ...]:
    """``classify_string``, memoised in ``memo`` (``_CLASSIFIED``'s; emptied when full): the same quoted
    strings ("id", "content", "gpt-4o"...) recur on line after line (a recorded API stream holds 100,000
    quoted strings, 8,000 of them distinct). A dictionary asked before the call: cheaper than
    ``lru_cache`` for each of them."""
    if len(memo) >= 1 << 15:
        memo.clear()
    hits = memo[value] = tuple(classify_string(value, catalog))
    return hits


_CLASSIFIED: List[Any] = [None, {}]  # the catalog the memo is for (the last one asked about), the memo
