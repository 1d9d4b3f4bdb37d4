"""Scan files on several cores when it pays: a process pool over chunks of files.

``scan_files`` returns one ``FileReport`` per file, in the order given, whichever way it ran, so a
report is byte-for-byte the same serial or parallel (each file's result depends only on the file, its
handler and context, the catalog and the options).

The pool is used only above a threshold (``MIN_FILES`` files and ``MIN_BYTES`` bytes to read): below
it, starting workers costs more than it saves. ``PROVIDER_AUDIT_JOBS`` sets the number of processes:
unset or ``0`` is automatic (the usable cores, at most ``MAX_AUTO_JOBS``), ``1`` is serial.

Workers are forked where the platform allows it (they inherit the loaded catalog, its compiled
patterns and the detectors the first files need, and start in a few milliseconds); elsewhere they are
spawned and load the catalog once, in their initializer. Files are sent in chunks of contiguous paths,
the largest chunks first, so one big lockfile does not finish last. Without a cache (or with an empty
one), ``Feed`` starts the pool while discovery is still listing the tree (``scan.py`` feeds it each file
as it is found).
"""

from __future__ import annotations

import gc
import importlib
import os
import signal
import sys
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

from provider_audit.defaults import JOBS_ENV
from provider_audit.models import FileReport
from provider_audit.scanning.analysis import classify, handler_for, light_pass, scan_file

if TYPE_CHECKING:  # pragma: no cover
    from concurrent.futures import Future, ProcessPoolExecutor

    from provider_audit.data.catalog import Catalog
    from provider_audit.scanning.analysis import ScanOptions
    from provider_audit.scanning.discovery import ContextRules

# Below these a scan runs in the calling process. Measured on 2 cores: a forked pool costs about
# 30 ms to start and stop; a scan reads roughly 20-60 MB per CPU-second.
MIN_FILES = 200
MIN_BYTES = 4 * 1024 * 1024
MAX_AUTO_JOBS = 4
# A chunk holds contiguous files up to this many bytes (or CHUNK_FILES files), and at least one file.
CHUNK_BYTES = 1024 * 1024
CHUNK_FILES = 128
# Allocations between two young-generation collections during a scan (Python's default is 700).
GC_THRESHOLD = 20_000

def jobs_from_env(value: Optional[str] = None) -> int:
    """The number of processes to use: ``PROVIDER_AUDIT_JOBS``, 0 or unset meaning one per usable core."""
    raw = os.environ.get(JOBS_ENV, "") if value is None else value
    try:
        jobs = int(raw.strip() or "0")
    except ValueError:
        raise ValueError(f"{JOBS_ENV}={raw!r}: expected a whole number (0 = automatic, 1 = serial)") from None
    if jobs < 0:
        raise ValueError(f"{JOBS_ENV}={raw!r}: expected 0 (automatic) or more")
    return jobs or _automatic_jobs()


def jobs_for(options: "ScanOptions") -> int:
    """The number of processes a scan with ``options`` uses (their ``jobs``, else the variable's)."""
    jobs = options.jobs if options.jobs is not None else jobs_from_env()
    return jobs or _automatic_jobs()  # options.jobs 0 means automatic, as the variable's 0 does


def _automatic_jobs() -> int:
    """One process per usable core, at most MAX_AUTO_JOBS."""
    return min(_usable_cores(), MAX_AUTO_JOBS)


def _usable_cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))  # type: ignore[attr-defined]
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def scan_files(root: Path, files: Sequence[str], catalog: "Catalog", options: "ScanOptions",
               jobs: Optional[int] = None, sizes: Optional[Sequence[int]] = None,
               meanwhile: Optional[Callable[[], object]] = None) -> List[FileReport]:
    """One report per file (relative paths), in order; in a process pool when there are enough files and
    bytes. Each file's handler and context are picked where it is analysed (``analysis.classify``).

    ``sizes``: each file's size, when the caller has them already. ``meanwhile``: work for this process
    while the workers scan (loading the risk tables the scan's result is checked against); called once,
    in a pooled scan only (a serial scan leaves it to the caller). What it raises stops the scan.
    """
    if not files:
        return []
    jobs = jobs_for(options) if jobs is None else jobs or _automatic_jobs()
    if jobs > 1 and len(files) >= MIN_FILES:
        sizes = list(sizes) if sizes is not None else _sizes(root, files)
    else:
        sizes = None
    with few_collections():
        if sizes is None or sum(sizes) < MIN_BYTES:
            return [scan_file(root, rel, *classify(rel, options), catalog, options) for rel in files]
        return _pooled(root, files, sizes, catalog, options, jobs, meanwhile)


def _pooled(root: Path, files: Sequence[str], sizes: List[int], catalog: "Catalog", options: "ScanOptions",
            jobs: int, meanwhile: Optional[Callable[[], object]] = None) -> List[FileReport]:
    chunks = _chunks(sizes)
    feed = Feed(root, catalog, options, min(jobs, len(chunks)))
    feed.start(files)
    try:
        for start, end, _ in sorted(chunks, key=lambda c: -c[2]):
            feed.send(list(files[start:end]))
    except BaseException:
        feed.stop()
        raise
    found = feed.finish(meanwhile)
    return [found.get(rel, FileReport()) for rel in files]


class Feed:
    """A process pool fed chunks of files as its caller finds them: ``add`` each file as discovery finds
    it, and the pool starts once there are enough files and bytes (``MIN_FILES``, ``MIN_BYTES``), so
    that the workers read files while the rest of the tree is still being listed; ``finish`` returns
    each file's report (None if the pool never started: the tree is small, the caller scans serially).

    Files below a ``templates`` folder are held back until ``finish``: whether they are a Helm chart's
    (``discovery.helm_templates``) is known once every file has been listed, and they go with the
    contexts that say so."""

    def __init__(self, root: Path, catalog: "Catalog", options: "ScanOptions", jobs: int):
        self.root, self.catalog, self.options, self.jobs = root, catalog, options, jobs
        self.pool: Optional["ProcessPoolExecutor"] = None
        self.futures: List[Tuple[List[str], "Future"]] = []
        self.pending: List[Tuple[str, int]] = []
        self.pending_bytes = 0
        self.held: List[str] = []
        self.files = 0
        self.bytes = 0
        self.light = 0  # files the workers gave the light pass (``analysis.light_pass``)

    def add(self, rel: str, size: int) -> None:
        self.files += 1
        self.bytes += size
        if rel.startswith("templates/") or "/templates/" in rel:
            self.held.append(rel)
            return
        self.pending.append((rel, size))
        self.pending_bytes += size
        if self.pool is None:
            if self.jobs > 1 and self.files >= MIN_FILES and self.bytes >= MIN_BYTES:
                self.start(rel for rel, _ in self.pending)
                self._send_pending(largest_first=True)
        elif len(self.pending) >= CHUNK_FILES or self.pending_bytes >= CHUNK_BYTES:
            self._send_pending()

    def start(self, files: Iterable[str]) -> None:
        """Start the workers, ready for ``files`` (the first ones they will read)."""
        from concurrent.futures import ProcessPoolExecutor  # here: importing it costs start-up time

        # Once here, not once per forked worker: the catalog's compiled patterns, and the detectors the
        # files need (imported on first use otherwise).
        self.catalog.compile()
        _import_detectors(files)
        # Objects that exist now are never garbage: keep the collector off them, here and in the forked
        # workers (where touching them would copy the pages they share with this process).
        gc.freeze()
        try:
            self.pool = ProcessPoolExecutor(max_workers=self.jobs, mp_context=_context(), initializer=_init_worker,
                                            initargs=(_shippable(self.catalog), self.root, self.options))
        except BaseException:
            gc.unfreeze()
            raise

    def send(self, chunk: List[str], contexts: Optional["ContextRules"] = None) -> None:
        assert self.pool is not None
        self.futures.append((chunk, self.pool.submit(_scan_chunk, chunk, contexts)))

    def _send_pending(self, largest_first: bool = False) -> None:
        sizes = [size for _, size in self.pending]
        chunks = _chunks(sizes)
        for start, end, _ in sorted(chunks, key=lambda c: -c[2]) if largest_first else chunks:
            self.send([rel for rel, _ in self.pending[start:end]])
        self.pending = []
        self.pending_bytes = 0

    def finish(self, meanwhile: Optional[Callable[[], object]] = None,
               contexts: Optional["ContextRules"] = None,
               arrived: Optional[Callable[[List[FileReport]], object]] = None) -> Optional[Dict[str, FileReport]]:
        """Each file's report by path once every chunk is back (None if the pool never started), the held
        files read with ``contexts`` (the final ones; default: the options'). ``meanwhile`` runs here while
        the workers scan; what it raises stops the scan (see ``scan_files``). ``arrived`` is told each
        chunk's reports as they come back (while later chunks are still being read)."""
        if self.pool is None:
            return None
        pool = self.pool
        meanwhile_failed = False
        found: Dict[str, FileReport] = {}
        try:
            if self.pending:
                self._send_pending()
            for start in range(0, len(self.held), CHUNK_FILES):
                changed = contexts if contexts is not None and contexts != self.options.contexts else None
                self.send(self.held[start:start + CHUNK_FILES], changed)
            if meanwhile is not None:
                try:
                    meanwhile()
                except Exception:
                    meanwhile_failed = True
                    raise
            for chunk, future in self.futures:
                light, reports = future.result()
                self.light += light
                reports = [report or _EMPTY for report in reports]
                found.update(zip(chunk, reports))
                if arrived is not None:
                    arrived(reports)
        except BaseException:
            if meanwhile_failed:
                # A user's mistake (a rules file that does not load): the chunks under way finish, the rest are
                # cancelled, and the pool closes as usual, so the one-line message is all the user sees.
                pool.shutdown(wait=True, cancel_futures=True)
            else:
                # Ctrl-C or an error: stop now. ``with`` would wait for every queued chunk (seconds to minutes).
                _stop(pool)
            raise
        else:
            pool.shutdown()
        finally:
            gc.unfreeze()
            self.pool = None
        return found

    def stop(self) -> None:
        """End a started pool now (the caller failed before ``finish``)."""
        if self.pool is not None:
            _stop(self.pool)
            gc.unfreeze()
            self.pool = None


def _import_detectors(files: Iterable[str]) -> None:
    """Import the detectors (and the light pass) the files' handlers use: forked workers inherit them.
    (One file per extension is asked: a warm-up, not a promise; a worker imports what it lacks.)"""
    from provider_audit.lazy import LazyFunction

    by_extension: Dict[str, str] = {}
    for rel in files:
        by_extension.setdefault(rel[rel.rfind("."):] if "." in rel else "", rel)
    seen = set()
    for rel in by_extension.values():
        detector = handler_for(rel).detector
        if isinstance(detector, LazyFunction) and detector.module not in seen:
            seen.add(detector.module)
            detector.resolve()
    if seen:  # most trees have files in light-pass contexts
        importlib.import_module("provider_audit.detectors.light")


# Set once a pool has been stopped short: the executor's own exit hook may then fail on a closed pipe
# and print a traceback at interpreter exit, so the command line leaves without running exit hooks.
stopped_a_pool = False


def _stop(pool: "ProcessPoolExecutor") -> None:
    """End the workers and cancel what has not started (Python 3.14 has ``terminate_workers`` for it;
    before, the processes are ended first: ``shutdown`` forgets them)."""
    global stopped_a_pool
    stopped_a_pool = True
    terminate = getattr(pool, "terminate_workers", None)
    if terminate is not None:
        terminate()
        return
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        try:
            process.terminate()
        except (OSError, AttributeError):  # already gone
            pass
    pool.shutdown(wait=False, cancel_futures=True)


@contextmanager
def few_collections() -> Iterator[None]:
    """Collect less often: detectors allocate millions of short-lived tokens, a cached scan loads
    tens of thousands of long-lived results, and neither makes cycles worth looking for that often."""
    threshold = gc.get_threshold()
    gc.set_threshold(max(threshold[0], GC_THRESHOLD), *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)


def _sizes(root: Path, files: Sequence[str]) -> List[int]:
    base = str(root)
    join, lstat = os.path.join, os.lstat
    sizes = []
    for rel in files:
        try:
            sizes.append(lstat(join(base, rel)).st_size)
        except OSError:
            sizes.append(0)
    return sizes


def _chunks(sizes: Sequence[int]) -> List[Tuple[int, int, int]]:
    """(start, end, bytes) runs of contiguous files, each up to CHUNK_BYTES or CHUNK_FILES."""
    chunks = []
    start, total = 0, 0
    for index, size in enumerate(sizes):
        if index > start and (total + size > CHUNK_BYTES or index - start >= CHUNK_FILES):
            chunks.append((start, index, total))
            start, total = index, 0
        total += size
    if start < len(sizes):
        chunks.append((start, len(sizes), total))
    return chunks


def _context():  # -> multiprocessing.context.BaseContext
    import multiprocessing

    # fork: workers inherit the catalog and imports, so they start in milliseconds. Not on macOS
    # (system libraries are not fork-safe there) nor Windows, which have no safe fork.
    if sys.platform.startswith("linux") or "bsd" in sys.platform:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()


def _shippable(catalog: "Catalog") -> Optional["Catalog"]:
    """None for the shipped catalog (a worker loads it, or has it already); a custom one is sent."""
    from provider_audit.data.catalog import load_catalog

    return None if catalog is load_catalog() else catalog


# -- in the worker --------------------------------------------------------------------------------

_WORKER: dict = {}


def _init_worker(catalog: Optional["Catalog"], root: Path, options: "ScanOptions") -> None:
    from provider_audit.data.catalog import load_catalog

    gc.set_threshold(max(gc.get_threshold()[0], GC_THRESHOLD), *gc.get_threshold()[1:])
    # Ctrl-C reaches the whole process group: the parent alone handles it (it ends the workers); a
    # worker would turn it into a failed chunk and go on with the next one.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _WORKER.update(catalog=catalog if catalog is not None else load_catalog(), root=root, options=options)


def _scan_chunk(chunk: Sequence[str], contexts: Optional["ContextRules"] = None
                ) -> Tuple[int, List[Optional[FileReport]]]:
    """How many of a chunk of paths got the light pass, and their reports, in order, None for an empty
    one (most files name no provider: None pickles in a byte). Handler and context are picked from the
    path and the options (with ``contexts`` instead of theirs, when given), exactly as ``scan`` picks them."""

    catalog, root, options = _WORKER["catalog"], _WORKER["root"], _WORKER["options"]
    if contexts is not None:
        options = replace(options, contexts=contexts)
    reports: List[Optional[FileReport]] = []
    light = 0
    for rel in chunk:
        handler, context = classify(rel, options)
        light += light_pass(handler, context, options)
        report = scan_file(root, rel, handler, context, catalog, options)
        reports.append(report if report != _EMPTY else None)
    return light, reports


_EMPTY = FileReport()
