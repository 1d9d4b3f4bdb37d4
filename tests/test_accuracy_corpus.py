"""The accuracy benchmark's offline parts: the labelled corpus stays valid against the catalog, and the
scorer counts what it says it counts. Nothing here fetches or scans a corpus repository."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

from provider_audit.data.catalog import load_catalog
from provider_audit.judging.verdict import VERDICTS

ACCURACY = Path(__file__).resolve().parent.parent / "benchmarks" / "accuracy"
if not ACCURACY.is_dir():  # an sdist ships tests/ without benchmarks/
    pytest.skip("benchmarks/accuracy is not in this tree", allow_module_level=True)


def _module(name):
    """Import a benchmark script as its siblings do (they import each other by plain name)."""
    sys.path.insert(0, str(ACCURACY))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(ACCURACY))


corpus = _module("corpus")
score = _module("score")


def test_corpus_labels_are_valid_catalog_ids_and_verdicts():
    entries = corpus.load_corpus(ACCURACY / "corpus.yaml", set(load_catalog().providers))
    assert len(entries) >= 30
    assert corpus.VERDICTS == tuple(VERDICTS)
    kinds = {e.kind for e in entries}
    assert {"python", "js-ts", "go", "jvm", "rust", "notebooks-only", "infra-only"} <= kinds
    assert {e.verdict for e in entries} == set(VERDICTS)
    assert any(corpus.OPENAI_COMPATIBLE in e.providers for e in entries)


@pytest.mark.parametrize("body, message", [
    ("repos:\n- repo: a/b\n  commit: " + "a" * 40 + "\n  kind: python\n  providers: [not-a-provider]\n"
     "  verdict: single-provider\n  why: x\n", "not catalog provider ids"),
    ("repos:\n- repo: a/b\n  commit: abc\n  kind: python\n  providers: []\n  verdict: none\n  why: x\n",
     "40 lower-case hex"),
    ("repos:\n- repo: a/b\n  commit: " + "a" * 40 + "\n  kind: python\n  providers: [openai]\n"
     "  verdict: none\n  why: x\n", "verdict none with providers"),
    ("repos:\n- &x\n  repo: a/b\n  commit: " + "a" * 40 + "\n  kind: python\n  providers: []\n"
     "  verdict: none\n  why: x\n- *x\n", "not allowed"),
])
def test_corpus_rejects_bad_entries(tmp_path, body, message):
    path = tmp_path / "corpus.yaml"
    path.write_text(body)
    with pytest.raises(corpus.CorpusError, match=message):
        corpus.load_corpus(path, {"openai"})


def _entry(providers, verdict, models=()):
    return corpus.Entry(repo="o/r", commit="a" * 40, kind="python", providers=tuple(providers),
                        verdict=verdict, models=tuple(models))


def _report(providers, verdict, usages=()):
    return {"summary": {"decisive_contexts": ["source", "config", "manifest"]},
            "providers": [{"id": p, "models": []} for p in providers],
            "lock_in": {"verdict": verdict}, "usages": list(usages)}


def test_openai_reported_for_an_openai_compatible_label_is_a_miss_and_a_false_positive():
    row = score.compare(_entry(["openai-compatible"], "abstracted"), _report(["openai"], "single-provider"))
    assert (row.tp, row.fp, row.fn, row.verdict_ok) == (0, ("openai",), ("openai-compatible",), False)


def test_model_ids_count_only_in_decisive_contexts_and_match_across_router_prefixes():
    usages = [{"kind": "model-id", "context": "source", "model": "gpt-4o", "detail": "gpt-4o"},
              {"kind": "model-id", "context": "docs", "model": "claude-3-haiku", "detail": "claude-3-haiku"}]
    row = score.compare(_entry(["openrouter"], "abstracted", ["openrouter/openai/gpt-4o", "claude-3-haiku"]),
                        _report(["openrouter"], "abstracted", usages))
    assert row.models_found == ("openrouter/openai/gpt-4o",)
    assert row.models_missed == ("claude-3-haiku",)
    assert not score.model_found("gpt-4o", ["gpt-4o-mini"])


def test_totals_are_micro_averaged_over_repositories():
    rows = [score.compare(_entry(["openai"], "single-provider"), _report(["openai", "meta"], "multi-provider")),
            score.compare(_entry(["anthropic", "groq"], "multi-provider"), _report(["anthropic"], "single-provider")),
            score.compare(_entry([], "none"), _report([], "none")),
            score.Row(_entry(["openai"], "single-provider"), status="missing")]
    total = score.totals(rows)
    assert (total["provider_true_positives"], total["provider_false_positives"], total["provider_misses"]) == (2, 1, 1)
    assert total["provider_precision"] == pytest.approx(2 / 3)
    assert total["provider_recall"] == pytest.approx(2 / 3)
    assert total["provider_f1"] == pytest.approx(2 / 3)
    assert (total["scored"], total["missing"], total["verdict_correct"]) == (3, 1, 1)
