"""Read and validate corpus.yaml, the hand-labelled list of repositories (shared by checkout.py and score.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional, Set, Tuple

import yaml

# The tool's verdicts (provider_audit/judging/verdict.py VERDICTS), repeated here so that checkout.py runs
# without the package installed; score.py checks that the two lists agree.
VERDICTS = ("none", "single-provider", "multi-provider", "abstracted")
# A label the tool does not report yet: an OpenAI-compatible endpoint whose host is configured at run
# time or is not in the catalog (issue 14). Today the tool reports such endpoints as "openai".
OPENAI_COMPATIBLE = "openai-compatible"
KINDS = ("python", "js-ts", "go", "jvm", "rust", "notebooks-only", "infra-only", "monorepo")
_REPO = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9_.-]+$")
_COMMIT = re.compile(r"^[0-9a-f]{40}$")
_FIELDS = {"repo", "commit", "kind", "providers", "verdict", "models", "layers", "tags", "why"}


@dataclass(frozen=True)
class Entry:
    repo: str
    commit: str
    kind: str
    providers: Tuple[str, ...]
    verdict: str
    models: Tuple[str, ...] = ()
    layers: Tuple[str, ...] = ()
    tags: Tuple[str, ...] = ()
    why: str = field(default="", compare=False)


class CorpusError(ValueError):
    pass


class _NoAliasLoader(yaml.SafeLoader):
    """The safe loader, refusing anchors and aliases (the project's rule for every YAML it reads)."""

    def compose_node(self, parent, index):  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            raise CorpusError(f"aliases are not allowed ({self.peek_event().start_mark})")
        event = self.peek_event()
        if getattr(event, "anchor", None):
            raise CorpusError(f"anchors are not allowed ({event.start_mark})")
        return super().compose_node(parent, index)


def _strings(value: object, where: str) -> Tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise CorpusError(f"{where}: expected a list of strings")
    if len(set(value)) != len(value):
        raise CorpusError(f"{where}: duplicates")
    return tuple(value)


def load_corpus(path: Path, provider_ids: Optional[Set[str]] = None) -> List[Entry]:
    """The entries of ``path``; ``provider_ids`` (the catalog's) also checks every provider label."""
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=_NoAliasLoader)  # noqa: S506 - a safe loader
    if not isinstance(data, dict) or not isinstance(data.get("repos"), list) or not data["repos"]:
        raise CorpusError(f"{path}: expected a mapping with a non-empty `repos` list")
    entries: List[Entry] = []
    seen: Set[str] = set()
    for index, raw in enumerate(data["repos"]):
        where = f"{path.name} repos[{index}]"
        if not isinstance(raw, dict):
            raise CorpusError(f"{where}: expected a mapping")
        extra = set(raw) - _FIELDS
        if extra:
            raise CorpusError(f"{where}: unknown field(s) {sorted(extra)}")
        repo, commit = raw.get("repo"), raw.get("commit")
        if not isinstance(repo, str) or not _REPO.match(repo):
            raise CorpusError(f"{where}: repo must be owner/name")
        where = f"{path.name} {repo}"
        if repo.lower() in seen:
            raise CorpusError(f"{where}: listed twice")
        seen.add(repo.lower())
        if not isinstance(commit, str) or not _COMMIT.match(commit):
            raise CorpusError(f"{where}: commit must be 40 lower-case hex digits (quote it if it has no letter)")
        if raw.get("kind") not in KINDS:
            raise CorpusError(f"{where}: kind must be one of {', '.join(KINDS)}")
        if raw.get("verdict") not in VERDICTS:
            raise CorpusError(f"{where}: verdict must be one of {', '.join(VERDICTS)}")
        if not isinstance(raw.get("why"), str) or not raw["why"].strip():
            raise CorpusError(f"{where}: why is required")
        if "providers" not in raw:
            raise CorpusError(f"{where}: providers is required (an empty list for none)")
        providers = _strings(raw["providers"], f"{where} providers")
        if provider_ids is not None:
            unknown = [p for p in providers if p not in provider_ids and p != OPENAI_COMPATIBLE]
            if unknown:
                raise CorpusError(f"{where}: not catalog provider ids: {', '.join(unknown)}")
        if raw["verdict"] == "none" and providers:
            raise CorpusError(f"{where}: verdict none with providers")
        if raw["verdict"] == "multi-provider" and len(providers) < 2:
            raise CorpusError(f"{where}: multi-provider needs two providers or more")
        if raw["verdict"] == "single-provider" and len(providers) != 1:
            raise CorpusError(f"{where}: single-provider needs exactly one provider")
        entries.append(Entry(
            repo=repo, commit=commit, kind=raw["kind"], providers=providers, verdict=raw["verdict"],
            models=_strings(raw.get("models"), f"{where} models"),
            layers=_strings(raw.get("layers"), f"{where} layers"),
            tags=_strings(raw.get("tags"), f"{where} tags"), why=raw["why"].strip()))
    return entries
