#!/usr/bin/env python3
"""What the keyword prefilter keeps a scan from seeing: each tree scanned twice, as usual and with the
prefilter off (every file read, every line of a light-pass file looked at), and the evidence that only
the second scan finds listed.

    python benchmarks/prefilter_recall.py /tmp/repos/ai ~/.cache/provider-audit-corpus/*/

A file holding no keyword is not read, and a light-pass file is read on its keyword lines only: that is
sound only if every piece of evidence holds a keyword. Each row of "missed" is a place where it does
not (a package name too short to be a keyword, a variable named after a provider, a REST path...):
a recall bug of the prefilter, to fix in the catalog's keywords (``data/catalog.py``). "Only with the
prefilter" rows are usually the light pass reporting a later first occurrence of something it already
reports. Both scans run in this process, serially (``PROVIDER_AUDIT_JOBS=1``), without a cache; the
second one takes several times the first. Run by hand, like ``bench.py``; it patches the package's
internals, so a refactoring may need it updated.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Set, Tuple, Union

os.environ["PROVIDER_AUDIT_JOBS"] = "1"

Row = Tuple[str, int, str, str, str, str]


def usages(path: str) -> Set[Row]:
    import provider_audit

    result = provider_audit.audit(path, isolated=True, no_cache=True)
    return {(e.path, e.line, e.kind, e.detail, e.provider or "-", e.context) for e in result.usages}


def prefilter_off() -> None:
    """Every text holds a keyword, and every line of it is a keyword line."""
    from provider_audit.data.catalog import Prefilter

    def has(self: Prefilter, lowered: Union[str, bytes]) -> bool:
        return True

    def line_starts(self: Prefilter, lowered: Union[str, bytes], ends: object = None) -> list:
        newline = b"\n" if isinstance(lowered, bytes) else "\n"
        found = [0] if lowered else []
        at = lowered.find(newline)  # type: ignore[arg-type]
        while 0 <= at < len(lowered) - 1:
            found.append(at + 1)
            at = lowered.find(newline, at + 1)  # type: ignore[arg-type]
        return found

    Prefilter.has = has  # type: ignore[method-assign]
    Prefilter.__call__ = has  # type: ignore[method-assign]
    Prefilter.line_ends = line_starts  # type: ignore[method-assign]
    Prefilter.ends = lambda self, lowered: line_starts(self, lowered)  # type: ignore[method-assign]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("trees", nargs="+")
    parser.add_argument("--show", type=int, default=15, help="rows listed per tree and kind (default 15)")
    args = parser.parse_args()
    trees = [os.path.abspath(t) for t in args.trees if os.path.isdir(t)]
    normal = {}
    for tree in trees:  # all the usual scans first: the patch below cannot be undone
        print(f"# {tree}: usual scan", file=sys.stderr)
        normal[tree] = usages(tree)
    prefilter_off()
    print("## Prefilter recall: evidence found only with the prefilter off\n")
    print("| tree | usages | with the prefilter off | missed by the prefilter | only with the prefilter |")
    print("| --- | ---: | ---: | ---: | ---: |")
    details = []
    for tree in trees:
        print(f"# {tree}: prefilter off", file=sys.stderr)
        everything = usages(tree)
        missed, extra = sorted(everything - normal[tree]), sorted(normal[tree] - everything)
        name = os.path.basename(tree.rstrip("/"))
        print(f"| {name} | {len(normal[tree])} | {len(everything)} | {len(missed)} | {len(extra)} |")
        for label, rows in (("missed", missed), ("only with the prefilter", extra)):
            details += [f"- {name}, {label}: `{p}:{line}` {kind} `{detail}` ({provider}, {context})"
                        for p, line, kind, detail, provider, context in rows[:args.show]]
    if details:
        print()
        print("\n".join(details))
    return 0


if __name__ == "__main__":
    sys.exit(main())
