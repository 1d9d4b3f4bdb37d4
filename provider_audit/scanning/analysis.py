"""Per-file analysis: read one file once (size-capped, regular files only), pick its detector or
extractor, and turn what it finds into a ``FileReport``. Used by the serial scan and by worker processes.

Files in a context that does not decide the verdict (not in ``ScanOptions.decisive``: tests,
examples and docs by default) get the light pass (``light_pass``): JavaScript/TypeScript, Python and
plain text are read by the light detector (``detectors/light.py``: keyword lines only, no parser;
other languages and config files keep their own detector), and each file's evidence is recorded
once per kind and detail (its first occurrence: a recorded API stream naming its model on each of
1,000 lines gives one usage, not 1,000). That evidence is still reported in its context. A user who makes tests decisive
gets the full pass for them. Manifests always get the full pass (one entry per dependency anyway).
"""

from __future__ import annotations

import codecs
import os
import posixpath
import stat
from dataclasses import dataclass, fields, replace
from functools import lru_cache
from operator import attrgetter
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

from provider_audit.scanning.cache import content_digest
from provider_audit.data.catalog import Catalog
from provider_audit.detectors import Detector, detector_for
from provider_audit.strict import strict
from provider_audit.scanning.discovery import ContextRules, path_context
from provider_audit.extractors import Extractor, ParseError, extractor_for
from provider_audit.extractors.base import PartialParse
from provider_audit.lazy import LazyFunction
from provider_audit.models import DECISIVE_CONTEXTS, Dependency, Evidence, FileReport, Skip, Suppression
from provider_audit.redact import printable, redact, redact_tokens
from provider_audit.scanning.comments import find_suppressions
from provider_audit.scanning.own_output import is_own_output

DEFAULT_MAX_FILE_SIZE = 5 * 1024 * 1024
BINARY_SNIFF = 8192
# Per file, at most this many items of identical evidence (the same in everything but the line, column and
# snippet) are kept; the rest are counted in one "+N more" note. A generated file of 77,000 identical
# ``OpenAI(model='gpt-4o')`` lines says nothing more than its first hundred, and kept whole it cost
# gigabytes downstream (every matched risk event lists its evidence).
MAX_IDENTICAL_EVIDENCE = 100

@dataclass(frozen=True)
class ScanOptions:
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    excludes: Tuple[str, ...] = ()
    contexts: ContextRules = ContextRules()
    use_git: bool = True
    jobs: Optional[int] = None  # processes; None: PROVIDER_AUDIT_JOBS, else one per core
    digests: bool = False  # record each file's content digest (for a cache)
    decisive: Tuple[str, ...] = DECISIVE_CONTEXTS  # contexts whose evidence decides (``decisive-contexts``)


@dataclass(frozen=True)
class Handler:
    kind: str  # manifest, python, env, config, text, source
    detector: Optional[Detector] = None
    extractor: Optional[Extractor] = None


def handler_for(relpath: str) -> Handler:
    extractor = extractor_for(relpath)
    if extractor is not None:
        return Handler("manifest", extractor=extractor)
    kind, detector = detector_for(relpath)
    return Handler(kind, detector)


# Extensions the light detector reads (``detectors.light.EXTENSIONS``, repeated here so that a scan
# served from the cache imports no detector).
LIGHT_EXTENSIONS = frozenset((".js", ".mjs", ".cjs", ".jsx", ".ts", ".tsx", ".mts", ".cts", ".vue", ".svelte",
                              ".astro", ".py", ".pyi", ".pyw"))
_LIGHT: Detector = LazyFunction("provider_audit.detectors.light", "detect")


def light_pass(handler: Handler, context: str, options: ScanOptions) -> bool:
    """Whether the file gets the light pass: read by a detector, in a context whose evidence does not
    decide (``decisive-contexts``)."""
    return context not in options.decisive and handler.extractor is None and handler.detector is not None


def light_reader(relpath: str, handler: Handler) -> bool:
    """Whether the light pass reads this file with the light detector (instead of the file's own):
    plain text, and the source languages whose imports it reads line by line."""
    if handler.kind == "text":
        return True
    if handler.kind not in ("source", "python"):
        return False
    base = relpath.rsplit("/", 1)[-1].lower()
    return "." in base and "." + base.rsplit(".", 1)[-1] in LIGHT_EXTENSIONS


def cache_key(handler: Handler, context: str, options: ScanOptions) -> str:
    """What a cached result depends on besides the file's bytes: its context, and the pass it got."""
    return context + "+light" if light_pass(handler, context, options) else context


def classify(relpath: str, options: ScanOptions) -> Tuple[Handler, str]:
    """The file's handler and its context under ``options``."""
    handler = handler_for(relpath)
    return handler, file_context(relpath, handler, options.contexts)


def file_context(relpath: str, handler: Handler, rules: ContextRules) -> str:
    context = path_context(relpath, rules)
    if context is not None:
        return context
    return {"manifest": "manifest", "env": "config", "config": "config"}.get(handler.kind, "source")


def scan_file(root: Path, rel: str, handler: Handler, context: str, catalog: Catalog,
              options: ScanOptions) -> FileReport:
    """Read one file once and run its detector; every failure becomes a recorded skip.

    Whatever the file holds, this does not raise: an error a detector or extractor should not have
    raised becomes a one-line skip naming it (the type only: a message may quote the file), so one
    hostile file cannot end the scan. Paths and texts in the report are made printable. In strict mode
    (``PROVIDER_AUDIT_STRICT=1``: the tests and the fuzzer) the error is raised instead, so a bug shows.
    """
    try:
        report = analyse_file(root, rel, handler, context, catalog, options)
    except MemoryError:  # a limit, not a bug: it falls back in strict mode too
        report = FileReport(skips=(Skip(rel, f"{_handler_name(handler)}: too large to analyse; not read"),))
    except Exception as exc:  # noqa: BLE001 - a bug on hostile input must not end the scan
        if strict() and not isinstance(exc, RecursionError):
            raise  # strict mode: a bug must not hide behind a skip
        report = FileReport(skips=(Skip(rel, f"{_handler_name(handler)}: internal error "
                                             f"({type(exc).__name__}); not read"),))
    return _printable_report(rel, report)


def analyse_file(root: Path, rel: str, handler: Handler, context: str, catalog: Catalog,
                 options: ScanOptions) -> FileReport:
    """``scan_file`` without its safety net (the fuzzer calls this to see the tracebacks)."""
    data, problem = read_bytes(os.path.join(root, rel), options.max_file_size)  # a str: no Path per file
    if data is None:
        return FileReport(skips=(Skip(rel, problem),)) if problem else FileReport()
    light = light_pass(handler, context, options)
    report = _analyse_bytes(rel, data, handler, context, catalog, light)
    return replace(report, digest=content_digest(data)) if options.digests else report


def _analyse_bytes(rel: str, data: bytes, handler: Handler, context: str, catalog: Catalog,
                   light: bool = False) -> FileReport:
    if b"\0" in data[:BINARY_SNIFF] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Images, archives...: not text, and not meant to be, unless the name promised a parsed format.
        return FileReport() if handler.kind == "text" else FileReport(skips=(Skip(rel, BINARY),))
    if not data:
        return FileReport()
    # The light pass reads the lines where keywords end (the first of each line); any other reader only
    # needs to know that there is one (the search stops at the first).
    prefilter = catalog.prefilter
    reads_lines = light and light_reader(rel, handler)
    lowered: Optional[str] = None
    decoded: Optional[str] = None
    note = ""
    if prefilter.ascii and data.isascii():  # asked of the bytes: nothing to decode first, the same offsets
        searched: Union[str, bytes] = data.lower()
    else:
        decoded, note = decode(data)
        if decoded is None:
            return FileReport(skips=(Skip(rel, note),))
        searched = lowered = decoded.lower()
    ends = prefilter.line_ends(searched) if reads_lines else []
    if not (ends or (not reads_lines and prefilter.has(searched))):
        return FileReport(skips=(Skip(rel, note),) if note else ())
    if decoded is None:
        decoded = data.decode("ascii")
    if is_own_output(rel, decoded):  # a baseline or report the tool wrote: state, not evidence
        # Said, not silent: a file shaped like a report is not read, and a reviewer should see that.
        return FileReport(skips=(Skip(rel, OWN_OUTPUT),))
    notes = (Skip(rel, note),) if note else ()
    suppressions = find_suppressions(rel, decoded)
    cap = IdenticalCap(suppressions)
    try:
        if handler.extractor is not None:
            report = _extract(rel, decoded, handler.extractor, context, catalog, cap)
        else:
            assert handler.detector is not None
            if reads_lines:
                report = _LIGHT(rel, decoded, context, catalog, lowered, ends)
            else:
                report = handler.detector(rel, decoded, context, catalog)
            if light:  # each kind and detail once (the light detector does it as it reads)
                from provider_audit.detectors.light import first_of_each

                report = replace(report, evidence=first_of_each(report.evidence))
    except ParseError as exc:
        # One line, secrets redacted: a parser's message may quote the file.
        return FileReport(skips=notes + (Skip(rel, f"{_handler_name(handler)}: {redact(' '.join(str(exc).split()), 300)}"),))
    except RecursionError:
        return FileReport(skips=notes + (Skip(rel, "nested too deeply to read"),))
    evidence = report.evidence if handler.extractor is not None else tuple(filter(cap.admit, report.evidence))
    kept, capped = cap.finish(rel, suppressions)
    return FileReport(evidence, notes + report.skips + capped, report.includes, kept)


class IdenticalCap:
    """At most ``MAX_IDENTICAL_EVIDENCE`` items of each identical evidence per file (the first ones),
    admitted one at a time, so an extractor's evidence is capped as it is made, never all held.

    Identical: equal in everything but line, column and snippet, and covered by the same inline
    suppressions; a hundred suppressed copies must not push out one that is not suppressed, which
    would pass a gate it fails. A comment covering only dropped copies is neither used nor unused
    (``finish`` leaves it out); the dropped items are counted in one "+N more" note."""

    # Every field but the varying ones (line, column, snippet), in order, read in C.
    _SAME = attrgetter(*(f.name for f in fields(Evidence) if f.name not in ("line", "column", "snippet")))

    def __init__(self, suppressions: Sequence[Suppression]):
        self._cover: Dict[int, Tuple[Tuple[str, ...], ...]] = {}
        for s in suppressions:
            self._cover[s.target] = self._cover.get(s.target, ()) + (s.codes,)
        self._seen: Dict[tuple, int] = {}
        self._kept_lines: set = set()
        self._dropped_lines: set = set()
        self.dropped = 0

    def admit(self, item: Evidence) -> bool:
        key = (self._SAME(item), self._cover.get(item.line))
        count = self._seen.get(key, 0)
        if count < MAX_IDENTICAL_EVIDENCE:
            self._seen[key] = count + 1
            self._kept_lines.add(item.line)
            return True
        self.dropped += 1
        self._dropped_lines.add(item.line)
        return False

    def finish(self, rel: str, suppressions: Sequence[Suppression]) -> Tuple[Tuple[Suppression, ...], Tuple[Skip, ...]]:
        """The suppressions still worth reporting, and the note on what was dropped (if anything)."""
        if not self.dropped:
            return tuple(suppressions), ()
        forgotten = self._dropped_lines - self._kept_lines
        note = Skip(rel, f"+{self.dropped} more usages identical to listed ones (at most {MAX_IDENTICAL_EVIDENCE} "
                         "of each per file); not listed")
        return tuple(s for s in suppressions if s.target not in forgotten), (note,)


def _handler_name(handler: Handler) -> str:
    return handler.extractor.name if handler.extractor is not None else handler.kind


def _printable_report(rel: str, report: FileReport) -> FileReport:
    """The report with the file's path and every text taken from the file made safe to print: no
    control characters, bidirectional overrides or undecodable bytes (a file name or a value holding
    a newline or a terminal escape cannot forge report lines), and no credentials in a specifier,
    a version or a model id (``redact_tokens``; snippets are redacted where they are made)."""
    shown = printable(rel)

    def clean(item: Any, fields: Tuple[str, ...]) -> Any:
        changes = {}
        for name in fields:
            value = getattr(item, name)
            if value:
                cleaned = _printable_text(value) if name != "reason" else printable(value)
                if cleaned != value:
                    changes[name] = cleaned
        if getattr(item, "path", None) == rel and shown != rel:
            changes["path"] = shown
        return replace(item, **changes) if changes else item

    evidence = tuple(clean(e, _EVIDENCE_TEXTS) for e in report.evidence)
    skips = tuple(clean(s, ("reason",)) for s in report.skips)
    if shown == rel and evidence == report.evidence and skips == report.skips:
        return report
    return FileReport(evidence, skips, report.includes, tuple(clean(s, ()) for s in report.suppressions),
                      report.digest)


_EVIDENCE_TEXTS = ("detail", "model", "version", "specifier", "snippet")


@lru_cache(maxsize=1 << 14)
def _printable_text(value: str) -> str:
    """``printable(redact_tokens(value))``, remembered: details, model ids and versions recur in file after file."""
    return printable(redact_tokens(value))


def read_bytes(path: Union[str, Path], limit: int) -> Tuple[Optional[bytes], str]:
    """The file's bytes, or None and why not (too large, not a regular file, unreadable)."""
    # O_NOFOLLOW: a link swapped in after discovery is not followed. O_NONBLOCK: opening a FIFO
    # does not wait for a writer (it is then refused as not a regular file).
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        return None, "vanished during the scan"
    except OSError as exc:
        return None, f"cannot read: {exc.strerror or exc}"
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return None, f"not a regular file ({_FILE_TYPES.get(stat.S_IFMT(info.st_mode), 'special file')}); not read"
        if info.st_size > limit:
            return None, f"larger than the size limit ({info.st_size} > {limit} bytes); not read"
        # Read what the file holds, never the limit up front (a limit of 1 GiB must not reserve 1 GiB
        # per file), and one byte past it at most: a file that grew meanwhile is still caught.
        chunks = []
        left = limit + 1
        size = min(info.st_size, limit) + 1
        while left > 0:
            chunk = os.read(fd, min(left, max(size, 1 << 16)))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
    except OSError as exc:
        return None, f"cannot read: {exc.strerror or exc}"
    finally:
        os.close(fd)
    if len(data) > limit:
        return None, f"larger than the size limit ({limit} bytes); not read"
    return data, ""


BINARY = "binary content (NUL bytes); not read"
OWN_OUTPUT = "a provider-audit report or baseline (recognised by its structure): state, not evidence; not read"
_FILE_TYPES = {stat.S_IFIFO: "a FIFO", stat.S_IFSOCK: "a socket", stat.S_IFCHR: "a character device",
               stat.S_IFBLK: "a block device", stat.S_IFDIR: "a folder"}


def decode(data: bytes) -> Tuple[Optional[str], str]:
    """Text from bytes: UTF-8 (with or without BOM), UTF-16 with a BOM, else UTF-8 with replacements."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), ""
        except UnicodeDecodeError:
            return None, "UTF-16 byte-order mark but invalid UTF-16; not read"
    try:
        return data.decode("utf-8-sig"), ""
    except UnicodeDecodeError:
        return data.decode("utf-8", errors="replace"), "not valid UTF-8; read with replacement characters"


def _extract(rel: str, text_: str, extractor: Extractor, context: str, catalog: Catalog,
             cap: "IdenticalCap") -> FileReport:
    evidence: List[Evidence] = []
    lines = text_.splitlines()
    notes: Tuple[Skip, ...] = ()
    try:
        for dep in extractor.extract(rel, text_):
            _add_dependency(evidence, rel, dep, lines, context, catalog, cap)
    except PartialParse as exc:  # refused by the parser (before any dependency), read another way
        notes = (Skip(rel, f"{extractor.name}: {exc}"),)
        for dep in exc.dependencies:
            _add_dependency(evidence, rel, dep, lines, context, catalog, cap)
    includes: Tuple[str, ...] = ()
    if extractor.includes is not None:
        includes = tuple(p for p in (_normal(p) for p in extractor.includes(rel, text_)) if p)
    return FileReport(tuple(evidence), notes, includes)


def _add_dependency(evidence: List[Evidence], rel: str, dep: Dependency, lines: List[str], context: str,
                    catalog: Catalog, cap: "IdenticalCap") -> None:
    """The evidence of one dependency, if its package is a provider's or a layer's and the cap admits it
    (the snippet is redacted only then: a generated manifest may repeat one line 300,000 times)."""
    attribution = catalog.package(dep.ecosystem, dep.name)
    if attribution is None:
        return
    weak = attribution.confidence == "low" or not dep.direct
    line = dep.line if 0 < dep.line <= max(len(lines), 1) else 1
    from provider_audit.detectors.surfaces import package_surface  # detectors load only when used
    item = Evidence("dependency", rel, line, dep.column, context, attribution.provider, attribution.vendor,
                    attribution.layer, detail=dep.name, version=dep.version, specifier=dep.specifier,
                    confidence="low" if weak else "high", ecosystem=dep.ecosystem, package=dep.name,
                    surface=package_surface(dep.ecosystem, dep.name))
    if cap.admit(item):
        evidence.append(item.but(snippet=redact(lines[line - 1]) if lines else ""))  # a URL may hold credentials


def _normal(path: str) -> Optional[str]:
    path = posixpath.normpath(path)
    return None if path.startswith(("../", "/")) or path in ("..", ".") else path


