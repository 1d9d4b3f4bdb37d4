#!/usr/bin/env python3
"""Where a cold scan's time goes: a serial run of provider-audit on one tree, broken down by stage
and by the kind of file analysed, then the functions with the most time of their own.

    python benchmarks/profile_scan.py /tmp/repos/ai            # Markdown to stdout
    python benchmarks/profile_scan.py /tmp/repos/ai --top 30 >> benchmarks/results-<date>.md

The scan runs in this process with ``PROVIDER_AUDIT_JOBS=1`` and ``--no-cache`` (every file analysed,
one core), so the figures add up: a parallel scan spreads the per-file part over the workers, and the
other stages stay serial. Stages are timed by wrapping the pipeline's functions (wall clock, no
profiler); the function table comes from a second run under cProfile, whose overhead inflates it
(compare its rows with each other, not with the stage times). Run by hand, like ``bench.py``; it
reads the package's internals, so a refactoring may need it updated.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from collections import defaultdict
from typing import Callable, Dict, List, Tuple

os.environ["PROVIDER_AUDIT_JOBS"] = "1"

STAGES = (  # (module, function, label): wrapped where the pipeline calls them (those a version lacks are skipped)
    ("provider_audit.api", "load_catalog", "load the catalog"),
    ("provider_audit.api", "load_database", "load risk events"),
    ("provider_audit.api", "load_lifecycle_table", "load model lifecycles"),
    ("provider_audit.risk.check", "load_database", "load risk events"),  # loaded on first use
    ("provider_audit.risk.check", "load_lifecycle_table", "load model lifecycles"),
    ("provider_audit.scanning.scan", "discover", "discover files"),
    ("provider_audit.scanning.scan", "scan_files", "analyse files"),
    ("provider_audit.scanning.scan", "resolve_imported_models", "resolve imported model ids"),
    ("provider_audit.scanning.scan", "finalize", "attribute evidence"),
    ("provider_audit.api", "check", "check risk"),
    ("provider_audit.api", "check_rules", "check risk"),
    ("provider_audit.api", "judge_scan", "judge"),
    ("provider_audit.result", "judge_scan", "judge"),  # imported where run reaches it
)


def _wrap(module: object, name: str, record: Callable[[float], None]) -> None:
    original = getattr(module, name)

    def timed(*args, **kwargs):
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            record(time.perf_counter() - start)

    setattr(module, name, timed)


def _kind(rel: str, handler, light: bool) -> str:
    if handler.extractor is not None:
        return f"dependency file ({handler.extractor.name})" if rel.endswith("-lock.yaml") else "dependency files"
    base = {"source": "source code", "python": "Python", "text": "plain text", "config": "configuration",
            "env": "environment files"}.get(handler.kind, handler.kind)
    return f"{base}, light pass" if light else f"{base}, full pass"


def run(tree: str, top: int) -> str:
    import importlib

    started = time.perf_counter()
    importlib.import_module("provider_audit.cli")  # the start-up being measured
    imported = time.perf_counter() - started
    from provider_audit.scanning import analysis

    stages: Dict[str, float] = defaultdict(float)
    for module_name, function, label in STAGES:
        module = importlib.import_module(module_name)
        if hasattr(module, function):
            _wrap(module, function, lambda seconds, label=label: stages.__setitem__(label, stages[label] + seconds))
    kinds: Dict[str, List[float]] = defaultdict(lambda: [0, 0.0, 0])  # files, seconds, bytes
    original = analysis._analyse_bytes

    def per_file(rel, data, handler, context, catalog, light=False):
        start = time.perf_counter()
        try:
            return original(rel, data, handler, context, catalog, light)
        finally:
            row = kinds[_kind(rel, handler, light)]
            row[0] += 1
            row[1] += time.perf_counter() - start
            row[2] += len(data)

    analysis._analyse_bytes = per_file
    argv = [tree, "--no-cache", "--exit-zero", "-q"]
    start = time.perf_counter()
    _main(argv)
    total = time.perf_counter() - start

    lines = [f"### Where the time goes: serial cold scan of {os.path.basename(tree.rstrip('/'))}\n",
             "`benchmarks/profile_scan.py`, `PROVIDER_AUDIT_JOBS=1 --no-cache`, wall clock per stage.\n",
             "| stage | ms | share |", "| --- | ---: | ---: |"]
    whole = imported + total
    lines.append(f"| import the package | {imported * 1000:.0f} | {imported / whole:.0%} |")
    counted = 0.0
    for label in dict.fromkeys(label for _, _, label in STAGES):
        if label in stages:
            counted += stages[label]
            lines.append(f"| {label} | {stages[label] * 1000:.0f} | {stages[label] / whole:.0%} |")
    rest = total - counted
    lines.append(f"| everything else (settings, output...) | {rest * 1000:.0f} | {rest / whole:.0%} |")
    lines.append(f"| **whole process less interpreter start** | {whole * 1000:.0f} | |\n")
    lines += ["Per-file analysis by kind of file:\n", "| files | count | MB | ms | share of analysis |",
              "| --- | ---: | ---: | ---: | ---: |"]
    analysed = sum(row[1] for row in kinds.values()) or 1.0
    for kind, (count, seconds, size) in sorted(kinds.items(), key=lambda kv: -kv[1][1]):
        lines.append(f"| {kind} | {count} | {size / 1e6:.1f} | {seconds * 1000:.0f} | {seconds / analysed:.0%} |")

    analysis._analyse_bytes = original
    profiler = cProfile.Profile()
    profiler.enable()
    _main(argv)
    profiler.disable()
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    stats.sort_stats("tottime").print_stats(top)
    rows = [line for line in text.getvalue().splitlines() if line.strip()]
    start_at = next((i for i, line in enumerate(rows) if line.lstrip().startswith("ncalls")), 0)
    lines += ["", f"Functions by own time (cProfile, second run, top {top}):\n", "```"]
    lines += [_short(line) for line in rows[start_at:]]
    lines.append("```\n")
    return "\n".join(lines)


def _short(line: str) -> str:
    """Paths shortened to the package (or the standard library's module)."""
    for marker in ("/provider_audit/", "/site-packages/", "/lib/python3"):
        at = line.find(marker)
        if at >= 0:
            head = line[:at]
            cut = head.rfind(" ")
            return head[:cut + 1] + line[at + 1:]
    return line


def _main(argv: List[str]) -> None:
    from provider_audit.cli import main

    try:
        main(argv, standalone_mode=True)
    except SystemExit:
        pass


def main(argv: Tuple[str, ...] = tuple(sys.argv[1:])) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("tree", help="the folder to scan")
    parser.add_argument("--top", type=int, default=25, help="functions listed (default 25)")
    args = parser.parse_args(argv)
    if not os.path.isdir(args.tree):
        parser.error(f"{args.tree}: not a folder")
    print(run(os.path.abspath(args.tree), args.top))


if __name__ == "__main__":
    main()
