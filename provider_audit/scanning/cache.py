"""A cache of per-file results, so that a repeated scan reads only the files that changed.

Each scanned folder has one cache file in the user's cache folder (``--cache-dir`` or
``PROVIDER_AUDIT_CACHE_DIR``, else ``$XDG_CACHE_HOME/provider-audit`` or ``~/.cache/provider-audit``;
``%LOCALAPPDATA%`` on Windows).
An entry holds a file's path, key (its context, and whether it got the light pass:
``analysis.cache_key``), stat signature, content digest (BLAKE2b) and the file's result.

A file's cached result is used without reading the file when its stat signature (size, mtime, ctime,
inode) is unchanged and the file was already older than the cache entry by ``RACY_NS`` when it was
recorded: a change within the file system's timestamp resolution would otherwise go unseen (git's
"racily clean" problem). Otherwise the file is read and hashed; an unchanged digest still reuses the
result (a fresh CI checkout of a restored cache). Anything else is analysed again.

The whole cache is dropped when the tool's code, Python, the catalog or the scan options change
(``salt``). It is JSON, never pickle: a cache restored from a shared CI store must not be able to run
code; a malformed one is ignored. A cache that cannot be read or written never fails a scan.
"""

from __future__ import annotations

import json
import os
import sys
import time
from functools import lru_cache
from dataclasses import fields
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

from provider_audit import __version__
from provider_audit.models import Evidence, FileReport, Skip, Suppression, interned
from provider_audit.redact import printable

FORMAT = 1
RACY_NS = 2_000_000_000  # a file changed less than 2 s before it was cached is hashed again
MAX_AGE_S = 30 * 24 * 3600  # cache files of folders not scanned for 30 days are removed

Signature = Tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode
_EVIDENCE_FIELDS = tuple(f.name for f in fields(Evidence))
_NONE = type(None)
# The type of each Evidence field, checked on load: a damaged or forged cache cannot feed the
# report values of the wrong type.
_EVIDENCE_TYPES = tuple((str, _NONE) if f.type.startswith("Optional") else (int if f.type == "int" else str)
                        for f in fields(Evidence))


def signature(info: os.stat_result) -> Signature:
    return info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino


def content_digest(data: bytes) -> str:
    return _hashlib().blake2b(data, digest_size=16).hexdigest()


def default_folder() -> Path:
    """The user's cache folder for provider-audit (``defaults.CACHE_DIR_ENV`` is read by the CLI's --cache-dir)."""
    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "provider-audit" / "Cache"
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "provider-audit"


def code_salt(*parts: str) -> str:
    """What a cached result depends on besides the file: this package's code, Python and ``parts``."""
    digest = _hashlib().sha256(f"{__version__}|{sys.version}|{'|'.join(parts)}".encode())
    package = Path(__file__).resolve().parent.parent
    for path in sorted(package.rglob("*.py")):  # a checkout under development changes without a new version
        info = path.stat()
        digest.update(f"|{path.relative_to(package)}:{info.st_size}:{info.st_mtime_ns}".encode())
    return digest.hexdigest()


class ResultCache:
    """The cached results of one scanned folder (see the module's docstring)."""

    def __init__(self, file: Path, salt: str):
        self.file = file
        self.salt = salt
        self.started_ns = time.time_ns()
        self._entries: Dict[str, list] = {}
        self._changed = False
        self.hits = 0

    @classmethod
    def open(cls, folder: Path, root: Path, salt: str) -> "ResultCache":
        name = _hashlib().sha256(os.fsencode(str(root))).hexdigest()[:32] + ".json"
        cache = cls(folder / name, salt)
        cache._load()
        return cache

    def _load(self) -> None:
        try:
            with open(self.file, "rb") as handle:
                data = json.loads(handle.read())
        except (OSError, ValueError, RecursionError):
            return
        if (isinstance(data, dict) and data.get("format") == FORMAT and data.get("salt") == self.salt
                and isinstance(data.get("entries"), dict)):
            self._entries = data["entries"]

    @property
    def empty(self) -> bool:
        """Nothing recorded (a first scan, or a cache dropped for another tool or option): no lookup can hit."""
        return not self._entries

    def lookup(self, rel: str, key: str, info: Optional[os.stat_result], read: Any) -> Optional[FileReport]:
        """The cached result of ``rel``, if still valid; ``read()`` gives the file's bytes when needed.

        ``key``: what the result depends on besides the bytes (the context and the pass, ``analysis.cache_key``)."""
        entry = self._entries.get(rel)
        if not (isinstance(entry, list) and len(entry) == 5 and entry[0] == key and info is not None):
            return None
        recorded, digest, checked_ns = entry[1], entry[2], entry[3]
        current = list(signature(info))
        if current != recorded or not isinstance(checked_ns, int) or info.st_mtime_ns > checked_ns - RACY_NS:
            data = read()
            if data is None or content_digest(data) != digest:
                return None
            entry[1], entry[3] = current, self.started_ns
            self._changed = True
        report = _decode(entry[4])
        if report is not None:
            self.hits += 1
        return report

    def store(self, rel: str, key: str, info: Optional[os.stat_result], report: FileReport) -> None:
        """Remember the result of a file just analysed (results without a content digest are not kept)."""
        if info is None or not report.digest:
            self._entries.pop(rel, None)
            return
        self._entries[rel] = [key, list(signature(info)), report.digest, self.started_ns, _encode(report)]
        self._changed = True

    def save(self, scanned: Sequence[str], complete: bool) -> None:
        """Write the cache if anything changed; ``complete``: ``scanned`` is every file of the folder."""
        if complete:
            keep = set(scanned)
            stale = [rel for rel in self._entries if rel not in keep]
            for rel in stale:
                del self._entries[rel]
            self._changed = self._changed or bool(stale)
        if not self._changed:
            return
        document = {"format": FORMAT, "salt": self.salt, "entries": self._entries}
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            _prune(self.file.parent)
            import tempfile

            fd, temporary = tempfile.mkstemp(dir=self.file.parent, prefix=".tmp-", suffix=".json")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    handle.write(json.dumps(document, separators=(",", ":")))  # one C call, not chunks
                os.replace(temporary, self.file)
            except BaseException:
                os.unlink(temporary)
                raise
        except OSError:
            pass  # a read-only home or a full disk: the next scan is simply not faster
        self._changed = False


def _prune(folder: Path) -> None:
    """Remove the cache files of folders not scanned for ``MAX_AGE_S``."""
    limit = time.time() - MAX_AGE_S
    for path in folder.glob("*.json"):
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
        except OSError:
            pass


def _encode(report: FileReport) -> list:
    return [[[getattr(e, name) for name in _EVIDENCE_FIELDS] for e in report.evidence],
            [[s.path, s.reason] for s in report.skips],
            list(report.includes),
            [[s.path, s.line, s.target, list(s.codes)] for s in report.suppressions]]


def _decode(raw: Any) -> Optional[FileReport]:
    """The report, or None when the entry is not what ``_encode`` writes (the file is then analysed
    again): a row of the wrong shape or type, or with an impossible line or column (a forged cache
    must not feed the report negative lines or columns no format can hold). Texts are made printable
    again, as ``analysis`` makes them: a forged snippet cannot drive a terminal or forge report lines."""
    try:
        rows, skips, includes, suppressions = raw
        if not all(map(_valid_row, rows)):
            return None
        evidence = tuple(map(_evidence, rows))
        decoded = tuple(Suppression(printable(str(path)), int(line), int(target), tuple(printable(str(c)) for c in codes))
                        for path, line, target, codes in suppressions)
        if not all(_position(s.line) and _position(s.target) for s in decoded):
            return None
        return FileReport(
            evidence,
            tuple(Skip(printable(str(path)), printable(str(reason))) for path, reason in skips),
            tuple(str(p) for p in includes),
            decoded)
    except (TypeError, ValueError):
        return None


_LARGEST_POSITION = 2 ** 31 - 1  # SARIF and most consumers hold lines and columns in 32 bits


def _position(value: int) -> bool:
    return 1 <= value <= _LARGEST_POSITION


def _evidence(row: list) -> Evidence:
    """``Evidence(*row)`` in half the time (a warm scan of a large tree loads tens of thousands), its
    strings printable and shared (``models.interned``)."""
    item = object.__new__(Evidence)
    item.__dict__.update(zip(_EVIDENCE_FIELDS, interned([printable(v) if type(v) is str else v for v in row])))
    return item


_LINE, _COLUMN = _EVIDENCE_FIELDS.index("line"), _EVIDENCE_FIELDS.index("column")


def _valid_row(row: Any) -> bool:
    return (type(row) is list and len(row) == len(_EVIDENCE_TYPES) and all(map(isinstance, row, _EVIDENCE_TYPES))
            and type(row[_LINE]) is int and type(row[_COLUMN]) is int
            and _position(row[_LINE]) and _position(row[_COLUMN]))


def open_cache(folder: Optional[Path], root: Path, salt_parts: List[str]) -> Optional[ResultCache]:
    """The cache of ``root`` in ``folder`` (default: ``default_folder()``), or None when disabled."""
    try:
        return ResultCache.open(folder or default_folder(), root, code_salt(*salt_parts))
    except OSError:
        return None


@lru_cache(maxsize=None)
def _hashlib():  # -> the hashlib module, imported once a scan uses the cache (OpenSSL takes a few ms)
    import hashlib

    return hashlib
