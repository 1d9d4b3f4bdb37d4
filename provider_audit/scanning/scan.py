"""The scan: discover files, serve unchanged ones from the cache, analyse the rest (serially or in a
process pool, ``parallel.py``), follow includes, and attribute the evidence found.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from provider_audit.data.catalog import Catalog, load_catalog
from provider_audit.judging.attribution import finalize
from provider_audit.models import FileReport, ScanResult, Skip
from provider_audit.redact import printable
from provider_audit.scanning import analysis
from provider_audit.scanning.analysis import Handler, ScanOptions, scan_file
from provider_audit.scanning.cache import ResultCache
from provider_audit.scanning.discovery import discover, helm_templates
from provider_audit.scanning.imported import read_exports, resolve_imported_models
from provider_audit.scanning.parallel import Feed, jobs_for, scan_files


def scan(root: Path, paths: Sequence[str] = (), options: ScanOptions = ScanOptions(),
         catalog: Optional[Catalog] = None, cache: Optional[ResultCache] = None,
         meanwhile: Optional[Callable[[], object]] = None) -> ScanResult:
    """Scan ``root`` (or only ``paths`` below it, when given) and return the evidence found.

    With a ``cache``, files unchanged since it recorded them are not analysed again (``cache.py``).
    ``meanwhile``: work for this process while worker processes scan (``parallel.scan_files``).
    """
    catalog = catalog or load_catalog()
    root = root.resolve()
    result = ScanResult(root=str(root))
    feed = None
    try:
        if paths:
            files = sorted(set(paths))
            stats = {rel: info for rel, info in ((rel, _lstat(root / rel)) for rel in files) if info is not None}
        else:
            # Without a cache (or with an empty one: nothing to look up first), workers start reading files
            # while discovery lists the rest (``parallel.Feed``).
            if cache is None or cache.empty:
                feed = Feed(root, catalog, replace(options, digests=cache is not None), jobs_for(options))
            found = discover(root, options.excludes, options.use_git, found=feed.add if feed is not None else None)
            files, stats = found.files, found.stats
            result.skips.extend(found.skips)
        return _scan_found(root, paths, files, stats, result, options, catalog, cache, meanwhile, feed)
    except BaseException:
        if feed is not None:
            feed.stop()  # a pool started during discovery must not outlive the scan (a no-op once it finished)
        raise


def _scan_found(root: Path, paths: Sequence[str], files: List[str], stats: dict, result: ScanResult,
                options: ScanOptions, catalog: Catalog, cache: Optional[ResultCache],
                meanwhile: Optional[Callable[[], object]], feed: Optional[Feed]) -> ScanResult:
    """``scan`` once the files are known (a pool may already be reading them: ``feed``)."""
    scanned = set(files)
    charts = helm_templates(root, files)
    if charts:  # a chart's templates/ is the deployment config production runs
        options = replace(options, contexts=replace(options.contexts, source=options.contexts.source + charts))
    pending_includes: List[Tuple[str, Handler, str]] = []
    items: List[Tuple[str, Handler, str]] = []

    def classify_all() -> None:
        """Each file's handler and context (the workers pick their own), and how many get the light pass."""
        items[:] = [(rel, *analysis.classify(rel, options)) for rel in files]
        result.files_light = sum(analysis.light_pass(handler, context, options) for _, handler, context in items)

    reports: List[Optional[FileReport]] = [None] * len(files)
    keys: List[str] = []

    def cache_keys() -> List[str]:
        # A cached result is valid for the same context and the same pass (light or full, ``analysis.light_pass``).
        return [analysis.cache_key(handler, context, options) for _, handler, context in items]

    if cache is not None and feed is None:  # files to look up first
        classify_all()
        keys = cache_keys()
        for index, rel in enumerate(files):
            reports[index] = cache.lookup(rel, keys[index], stats.get(rel),
                                          lambda rel=rel: analysis.read_bytes(root / rel, options.max_file_size)[0])

    def while_workers_scan() -> None:
        if cache is not None:  # the keys it stores results under (without a cache, the workers count)
            classify_all()
        if meanwhile is not None:
            meanwhile()

    exports: Dict[str, Dict[str, str]] = {}  # imported model ids: the files they come from, read as reports arrive

    def arrived(reports: List[FileReport]) -> None:
        read_exports(root, (e for report in reports for e in report.evidence), options.max_file_size, exports)

    fed = feed.finish(while_workers_scan, options.contexts, arrived) if feed is not None else None
    if fed is not None:  # the workers had the files discovery found (any other is read below)
        reports = [fed.get(rel) for rel in files]
    if cache is not None and feed is not None:  # an empty cache: what the workers read is recorded
        if len(items) < len(files):
            classify_all()
        keys = cache_keys()
        for index, report in enumerate(reports):
            if report is not None:
                cache.store(files[index], keys[index], stats.get(files[index]), report)
    options = replace(options, digests=cache is not None)
    todo = [index for index, report in enumerate(reports) if report is None]
    # Serial, or in a process pool for large trees; either way one report per file, in order.
    sizes = [stats[files[i]].st_size if files[i] in stats else 0 for i in todo]
    for index, report in zip(todo, scan_files(root, [files[i] for i in todo], catalog, options, sizes=sizes,
                                              meanwhile=meanwhile if cache is not None else while_workers_scan)):
        reports[index] = report
        if cache is not None:
            cache.store(files[index], keys[index], stats.get(files[index]), report)
    if len(items) < len(files):
        if fed is not None and feed is not None:  # the workers counted the light passes of what they read
            result.files_light = feed.light + sum(analysis.light_pass(*analysis.classify(files[i], options), options)
                                                  for i in todo)
        else:  # a serial scan without a cache
            classify_all()
    for index, report in enumerate(reports):
        assert report is not None
        _collect(result, report)
        if report.includes:  # an include is read with its includer's handler and context
            handler, context = items[index][1:] if items else analysis.classify(files[index], options)
            for include in report.includes:
                if include not in scanned:
                    scanned.add(include)
                    pending_includes.append((include, handler, context))
    if cache is not None:
        cache.save(files, complete=not paths)
    for rel, handler, context in pending_includes:
        if (root / rel).is_file():
            if _outside(root, rel):  # through a linked folder: not followed, as discovery does
                result.skips.append(Skip(printable(rel), "included through a symbolic link pointing outside "
                                                         "the scanned folder; not followed"))
                continue
            _collect(result, scan_file(root, rel, handler, context, catalog, options))
    result.files_scanned = len(scanned)
    result.evidence = resolve_imported_models(root, result.evidence, catalog, options.max_file_size, exports)
    result.evidence = finalize(result.evidence, catalog, options.decisive)
    result.skips = sorted(set(result.skips), key=lambda s: (s.path, s.reason))
    return result


def _lstat(path: Path) -> Optional[os.stat_result]:
    try:
        return os.lstat(path)
    except OSError:
        return None


def _collect(result: ScanResult, report: FileReport) -> None:
    result.evidence.extend(report.evidence)
    result.skips.extend(report.skips)
    result.suppressions.extend(report.suppressions)


def _outside(root: Path, rel: str) -> bool:
    """Whether ``rel`` (below the resolved ``root``) really lives elsewhere, reached through a link."""
    real = os.path.realpath(root / rel)
    return os.path.commonpath([real, str(root)]) != str(root)
