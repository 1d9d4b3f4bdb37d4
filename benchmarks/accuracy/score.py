#!/usr/bin/env python3
"""Score provider-audit against the hand-labelled corpus (see README.md).

Runs ``provider-audit <checkout> --format json --exit-zero --no-cache`` on every repository that
checkout.py put in DIR, and compares with the labels in corpus.yaml:

* providers: the ids in the report's ``providers[]`` against the labelled ones; precision, recall and
  F1 are micro-averaged over repositories (true and false positives and misses summed first);
* verdict: ``lock_in.verdict`` against the label; accuracy over repositories;
* model ids: each labelled hard-coded model id must be among the report's model-id usages in decisive
  contexts (or a footprint's ``models``); recall, micro-averaged. Only recall is scored: for large
  repositories the labels list a checked sample.

A label ``openai-compatible`` (an endpoint configured at run time or outside the catalog) is scored like
any provider id; while the tool reports such endpoints as ``openai``, that is a miss and a false positive.

    python benchmarks/accuracy/score.py                 # table
    python benchmarks/accuracy/score.py --json          # machine output
    python benchmarks/accuracy/score.py --save-reports /tmp/reports   # keep each raw JSON report

It never fetches anything: a repository that is not checked out (or not at its pinned commit) is
reported as missing and left out of the totals.
"""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Set, Tuple

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from checkout import DEFAULT_DIR, checkout_path, read_marker  # noqa: E402
from corpus import VERDICTS, Entry, load_corpus  # noqa: E402


def catalog_provider_ids() -> Set[str]:
    """The provider ids of the installed tool's catalog; also checks that the verdict lists agree."""
    from provider_audit.data.catalog import load_catalog
    from provider_audit.judging.verdict import VERDICTS as TOOL_VERDICTS

    if tuple(TOOL_VERDICTS) != VERDICTS:
        raise SystemExit(f"corpus.py VERDICTS {VERDICTS} differ from the tool's {tuple(TOOL_VERDICTS)}")
    return set(load_catalog().providers)


def _norm(model: str) -> str:
    return model.strip().lower()


def model_found(label: str, found: Iterable[str]) -> bool:
    """``label`` is among ``found``, ignoring case and a router or platform prefix on either side
    (``openrouter/openai/gpt-4o`` matches ``openai/gpt-4o`` and ``gpt-4o``)."""
    want = _norm(label)
    for model in found:
        have = _norm(model)
        if have == want or have.endswith("/" + want) or want.endswith("/" + have):
            return True
    return False


@dataclass
class Row:
    entry: Entry
    status: str = "ok"  # ok, missing, error
    detail: str = ""
    providers: Tuple[str, ...] = ()
    verdict: str = ""
    models: Tuple[str, ...] = ()  # model ids the tool found in decisive contexts
    tp: int = 0
    fp: Tuple[str, ...] = ()
    fn: Tuple[str, ...] = ()
    models_found: Tuple[str, ...] = ()
    models_missed: Tuple[str, ...] = ()

    @property
    def verdict_ok(self) -> bool:
        return self.verdict == self.entry.verdict

    def as_dict(self) -> dict:
        return {
            "repo": self.entry.repo, "commit": self.entry.commit, "kind": self.entry.kind,
            "status": self.status, "detail": self.detail,
            "label": {"providers": list(self.entry.providers), "verdict": self.entry.verdict,
                      "models": list(self.entry.models)},
            "tool": {"providers": list(self.providers), "verdict": self.verdict, "models": list(self.models)},
            "true_positives": self.tp, "false_positives": list(self.fp), "misses": list(self.fn),
            "verdict_ok": self.verdict_ok if self.status == "ok" else None,
            "models_found": list(self.models_found), "models_missed": list(self.models_missed),
        }


def tool_models(report: dict) -> Tuple[str, ...]:
    decisive = set(report.get("summary", {}).get("decisive_contexts") or ("source", "config", "manifest"))
    found: Set[str] = set()
    for usage in report.get("usages", []):
        if usage.get("kind") == "model-id" and usage.get("context") in decisive:
            found.add(usage.get("model") or usage.get("detail") or "")
    for footprint in report.get("providers", []):
        found.update(footprint.get("models") or ())
    found.discard("")
    return tuple(sorted(found))


def compare(entry: Entry, report: dict) -> Row:
    row = Row(entry)
    row.providers = tuple(p["id"] for p in report.get("providers", []))
    row.verdict = report.get("lock_in", {}).get("verdict", "")
    row.models = tool_models(report)
    label, tool = set(entry.providers), set(row.providers)
    row.tp = len(label & tool)
    row.fp = tuple(sorted(tool - label))
    row.fn = tuple(sorted(label - tool))
    row.models_found = tuple(m for m in entry.models if model_found(m, row.models))
    row.models_missed = tuple(m for m in entry.models if m not in row.models_found)
    return row


def run_tool(command: Sequence[str], path: Path) -> dict:
    done = subprocess.run([*command, str(path), "--format", "json", "--exit-zero", "--no-cache"],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"exit {done.returncode}: {done.stderr.strip()[-300:]}")
    return json.loads(done.stdout)


def score(entries: Sequence[Entry], root: Path, command: Sequence[str],
          save: Optional[Path] = None) -> List[Row]:
    rows = []
    for entry in entries:
        path = checkout_path(root, entry.repo)
        marker = read_marker(path)
        if not marker or marker.get("commit") != entry.commit:
            rows.append(Row(entry, status="missing",
                            detail="not checked out at the pinned commit (run checkout.py)"))
            continue
        try:
            report = run_tool(command, path)
        except (RuntimeError, ValueError) as error:
            rows.append(Row(entry, status="error", detail=str(error)))
            continue
        if save is not None:
            save.mkdir(parents=True, exist_ok=True)
            (save / f"{path.name}.json").write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
        row = compare(entry, report)
        if marker.get("missing"):
            row.detail = f"{len(marker['missing'])} file(s) absent from the mirror"
        rows.append(row)
    return rows


def _ratio(num: float, den: float) -> Optional[float]:
    return num / den if den else None


def totals(rows: Sequence[Row]) -> dict:
    scored = [r for r in rows if r.status == "ok"]
    tp = sum(r.tp for r in scored)
    fp = sum(len(r.fp) for r in scored)
    fn = sum(len(r.fn) for r in scored)
    precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    if precision is None or recall is None:
        f1 = None
    else:
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    labelled_models = sum(len(r.entry.models) for r in scored)
    found_models = sum(len(r.models_found) for r in scored)
    by_kind: Dict[str, Dict[str, int]] = {}
    for r in scored:
        k = by_kind.setdefault(r.entry.kind, {"repos": 0, "verdict_ok": 0, "fp": 0, "fn": 0})
        k["repos"] += 1
        k["verdict_ok"] += r.verdict_ok
        k["fp"] += len(r.fp)
        k["fn"] += len(r.fn)
    return {
        "repos": len(rows), "scored": len(scored),
        "missing": sum(r.status == "missing" for r in rows), "errors": sum(r.status == "error" for r in rows),
        "provider_true_positives": tp, "provider_false_positives": fp, "provider_misses": fn,
        "provider_precision": precision, "provider_recall": recall, "provider_f1": f1,
        "verdict_correct": sum(r.verdict_ok for r in scored),
        "verdict_accuracy": _ratio(sum(r.verdict_ok for r in scored), len(scored)),
        "models_labelled": labelled_models, "models_found": found_models,
        "model_recall": _ratio(found_models, labelled_models),
        "by_kind": by_kind,
    }


def _fmt(value: Optional[float]) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _ids(items: Iterable[str]) -> str:
    return ",".join(items) or "-"


def print_table(rows: Sequence[Row], total: dict, out=sys.stdout) -> None:
    print("| repository | kind | label providers | tool providers | false positives | misses "
          "| label verdict | tool verdict | models found |", file=out)
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |", file=out)
    for r in rows:
        if r.status != "ok":
            print(f"| {r.entry.repo} | {r.entry.kind} | {_ids(r.entry.providers)} | {r.status.upper()} "
                  f"| | | {r.entry.verdict} | | {r.detail} |", file=out)
            continue
        mark = "" if r.verdict_ok else " ✗"
        models = f"{len(r.models_found)}/{len(r.entry.models)}" if r.entry.models else "-"
        print(f"| {r.entry.repo} | {r.entry.kind} | {_ids(r.entry.providers)} | {_ids(r.providers)} "
              f"| {_ids(r.fp)} | {_ids(r.fn)} | {r.entry.verdict} | {r.verdict}{mark} | {models} |", file=out)
    t = total
    print(file=out)
    print(f"repositories: {t['repos']} ({t['scored']} scored, {t['missing']} missing, {t['errors']} errors)",
          file=out)
    print(f"providers: precision {_fmt(t['provider_precision'])}, recall {_fmt(t['provider_recall'])}, "
          f"F1 {_fmt(t['provider_f1'])} (micro: {t['provider_true_positives']} right, "
          f"{t['provider_false_positives']} false positives, {t['provider_misses']} misses)", file=out)
    print(f"verdict accuracy: {_fmt(t['verdict_accuracy'])} ({t['verdict_correct']} of {t['scored']})", file=out)
    print(f"model-id recall: {_fmt(t['model_recall'])} ({t['models_found']} of {t['models_labelled']})", file=out)
    kinds = ", ".join(f"{k} {v['verdict_ok']}/{v['repos']}" for k, v in sorted(t["by_kind"].items()))
    print(f"verdicts right by kind: {kinds}", file=out)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=HERE / "corpus.yaml", help="the labelled corpus")
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help=f"where checkout.py put the repositories ({DEFAULT_DIR})")
    parser.add_argument("--only", action="append", default=[], metavar="OWNER/NAME", help="just these (repeatable)")
    parser.add_argument("--tool", default="provider-audit", help="the command to run (default: provider-audit)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of the table")
    parser.add_argument("--save-reports", type=Path, metavar="DIR", help="also write each raw JSON report into DIR")
    args = parser.parse_args(argv)

    entries = load_corpus(args.corpus, catalog_provider_ids())
    if args.only:
        unknown = sorted(set(args.only) - {e.repo for e in entries})
        if unknown:
            parser.error(f"not in the corpus: {', '.join(unknown)}")
        entries = [e for e in entries if e.repo in args.only]
    rows = score(entries, args.dir, shlex.split(args.tool), args.save_reports)
    total = totals(rows)
    if args.json:
        json.dump({"corpus": str(args.corpus), "repos": [r.as_dict() for r in rows], "totals": total},
                  sys.stdout, indent=1)
        print()
    else:
        print_table(rows, total)
    return 0


if __name__ == "__main__":
    sys.exit(main())
