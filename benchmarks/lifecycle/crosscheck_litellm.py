#!/usr/bin/env python3
"""Cross-check rules/lifecycle/*.yaml against the deprecation dates in LiteLLM's model table.

Run by hand (it uses the network once, to download the wheel; it is not part of the test suite):

    python benchmarks/lifecycle/crosscheck_litellm.py > benchmarks/lifecycle/crosscheck-YYYY-MM-DD.txt

It downloads the newest `litellm` wheel with `pip download --no-deps` into a temporary directory (LiteLLM
is never installed and never imported), reads `model_prices_and_context_window.json` (or the
`_backup.json` copy) from inside the wheel, maps each LiteLLM key to one of our platforms and a model
id, and prints every disagreement:

* MISSING  LiteLLM gives the id a `deprecation_date` and our table for that platform has no entry;
* DIFFERS  both have a date for the id and the dates differ;
* NODATE   we list the id but record no shutdown date, LiteLLM has one.

LiteLLM is a lead, never a source: every line has to be settled against the vendor's own page.
Options: --wheel PATH uses a wheel already on disk; --rules DIR (repeatable) reads lifecycle tables
from other directories as well (for instance another branch's files before a merge).
"""
from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_RULES = ROOT / "rules" / "lifecycle"

# LiteLLM's `litellm_provider` value -> our platform id (catalog provider id of the service called).
PLATFORMS = {
    "openai": "openai", "text-completion-openai": "openai",
    "azure": "azure-openai", "azure_ai": "azure-openai", "azure_text": "azure-openai",
    "anthropic": "anthropic",
    "gemini": "google",
    "mistral": "mistral", "codestral": "mistral", "text-completion-codestral": "mistral",
    "cohere": "cohere", "cohere_chat": "cohere",
    "groq": "groq", "xai": "xai", "deepseek": "deepseek", "perplexity": "perplexity",
    "together_ai": "together",
    "dashscope": "alibaba-qwen",
    "ai21": "ai21", "ai21_chat": "ai21",
    "moonshot": "moonshot",
    "fireworks_ai": "fireworks",
    "cerebras": "cerebras",
    "sambanova": "sambanova",
    "deepinfra": "deepinfra",
    "github": "github-models",
    "watsonx": "watsonx",
}

# Leading path parts of LiteLLM keys that are not part of the model id: image size and quality for
# every platform, routing prefixes for Azure, regions and API styles for Bedrock.
ROUTING_PART = {
    None: re.compile(r"^(?:(?:\d+|max)-x-(?:\d+|max)|\d+-steps|standard|hd|low|medium|high)$"),
    "azure-openai": re.compile(r"^(?:eu|us|global|global-standard|data-zone|apac)$"),
    "aws-bedrock": re.compile(r"^(?:[a-z]{2}(?:-gov)?-[a-z]+-\d+|invoke|converse|openai|anthropic)$"),
}
BEDROCK_GEO = re.compile(r"^(?:us|eu|apac|au|ca|jp|us-gov|global)\.")  # cross-region inference profiles
AZURE_VERSION = re.compile(r"^(?:\d{4}-\d{2}-\d{2}(?:-[a-z0-9]+)?|\d{3,4}|\d)$")


def platform_of(provider: str) -> str | None:
    if provider in PLATFORMS:
        return PLATFORMS[provider]
    if provider.startswith("vertex_ai"):
        return "vertex-ai"
    if provider.startswith("bedrock"):
        return "aws-bedrock"
    return None


def model_id(key: str, provider: str) -> str:
    """The model id a request would carry, from a LiteLLM key such as `azure/eu/gpt-4o-2024-08-06`."""
    parts = key.split("/")
    prefixes = {provider, provider.split("-")[0]}
    for i, part in enumerate(parts[:-1]):  # cut everything up to the provider's own prefix
        if part in prefixes:
            parts = parts[i + 1:]
            break
    platform = platform_of(provider)
    while len(parts) > 1 and (ROUTING_PART[None].match(parts[0])
                              or (platform in ROUTING_PART and ROUTING_PART[platform].match(parts[0]))):
        parts = parts[1:]
    return "/".join(parts).lower()


def download_wheel(dest: Path) -> Path:
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--quiet",
                    "litellm", "-d", str(dest)], check=True)
    wheels = sorted(dest.glob("litellm-*.whl"))
    if not wheels:
        sys.exit("pip download produced no litellm wheel")
    return wheels[-1]


def read_table(wheel: Path) -> tuple[str, dict]:
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        for wanted in ("model_prices_and_context_window.json", "model_prices_and_context_window_backup.json"):
            hits = sorted(n for n in names if n.rsplit("/", 1)[-1] == wanted)
            if hits:
                return hits[0], json.loads(zf.read(hits[0]))
    sys.exit(f"{wheel.name} holds no model_prices_and_context_window json")


def as_date(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        return None


class Tables:
    """Our lifecycle entries, looked up by platform and model id."""

    def __init__(self, dirs: list[Path]):
        self.entries: dict[str, list[dict]] = collections.defaultdict(list)
        self.files: list[Path] = []
        for directory in dirs:
            for path in sorted(directory.glob("*.yaml")):
                data = yaml.safe_load(path.read_text(encoding="utf-8"))
                self.files.append(path)
                for entry in data.get("models") or []:
                    self.entries[data["platform"]].append(entry)

    def platforms(self) -> set[str]:
        return set(self.entries)

    def find(self, platform: str, model: str) -> list[dict]:
        """Entries naming `model` exactly (or by pattern); for Azure OpenAI models, failing that, entries whose
        name plus one of their versions (or, without `versions`, any version-like suffix) spells `model`."""
        exact, composite = [], []
        for entry in self.entries.get(platform, []):
            ids = [i.lower() for i in entry.get("ids") or []]
            versions = [str(v).lower() for v in entry.get("versions") or []]
            if model in ids or any(re.fullmatch(p, model, re.IGNORECASE) for p in entry.get("patterns") or []):
                exact.append(entry)
            elif platform == "azure-openai" and entry.get("vendor") in (None, "openai"):
                # Azure OpenAI names take their version as a suffix; partner names (mistral-small-2503) do not
                for i in ids:
                    rest = model[len(i) + 1:] if model.startswith(i + "-") else None
                    if rest and (rest in versions if versions else AZURE_VERSION.match(rest)):
                        composite.append(entry)
                        break
        return exact or composite


def compare(table: dict, tables: Tables):
    """Yield (platform, kind, model, litellm_date, ours, keys) and collect counts."""
    dated: dict[tuple[str, str], dict] = {}
    unmapped = collections.Counter()
    for key, spec in table.items():
        if not isinstance(spec, dict) or not spec.get("deprecation_date"):
            continue
        provider = str(spec.get("litellm_provider") or "")
        platform = platform_of(provider)
        date = as_date(spec["deprecation_date"])
        if platform is None or date is None:
            unmapped[provider or "?"] += 1
            continue
        model = model_id(key, provider)
        slot = dated.setdefault((platform, model), {"dates": set(), "keys": []})
        slot["dates"].add(date)
        slot["keys"].append(key)
    results, counts = [], collections.defaultdict(collections.Counter)
    covered = tables.platforms()
    for (platform, model), slot in sorted(dated.items()):
        if platform not in covered:
            counts[platform]["no table"] += 1
            continue
        counts[platform]["litellm dated"] += 1
        entries = tables.find(platform, model)
        if not entries and platform == "aws-bedrock" and BEDROCK_GEO.match(model):
            entries = tables.find(platform, BEDROCK_GEO.sub("", model))  # the profile of a listed model
        ours = sorted({e.get("shutdown") for e in entries if e.get("shutdown")}, key=str)
        theirs = sorted(slot["dates"])
        if not entries:
            kind = "MISSING"
        elif any(d in theirs for d in ours):
            counts[platform]["agree"] += 1
            continue
        elif not ours:
            kind = "NODATE"
        else:
            kind = "DIFFERS"
        counts[platform][kind] += 1
        statuses = sorted({str(e.get("status")) for e in entries})
        results.append((platform, kind, model, theirs, ours, statuses, slot["keys"]))
    return results, counts, unmapped


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--wheel", type=Path, help="use this litellm wheel instead of downloading one")
    ap.add_argument("--rules", type=Path, action="append", default=[],
                    help="extra directory of lifecycle tables (repeatable); rules/lifecycle is always read")
    args = ap.parse_args(argv)
    tables = Tables([DEFAULT_RULES, *args.rules])
    with tempfile.TemporaryDirectory() as tmp:
        wheel = args.wheel or download_wheel(Path(tmp))
        member, table = read_table(wheel)
        results, counts, unmapped = compare(table, tables)
    print(f"# LiteLLM cross-check, run {dt.date.today().isoformat()}")
    print(f"# wheel: {wheel.name}  table: {member}  ({len(table)} keys)")
    dirs = sorted({str(f.parent.relative_to(ROOT)) if f.is_relative_to(ROOT) else str(f.parent) for f in tables.files})
    print(f"# our tables: {len(tables.files)} files from {', '.join(dirs)}")
    print(f"# platforms: {', '.join(sorted(tables.platforms()))}")
    print("# MISSING = LiteLLM dates an id we do not list; DIFFERS = both dated, dates differ;"
          " NODATE = we list it without a shutdown date")
    print()
    print(f"{'platform':<14} {'dated':>6} {'agree':>6} {'missing':>8} {'differs':>8} {'nodate':>7}")
    for platform in sorted(counts):
        c = counts[platform]
        if "no table" in c:
            continue
        print(f"{platform:<14} {c['litellm dated']:>6} {c['agree']:>6} {c['MISSING']:>8} {c['DIFFERS']:>8} {c['NODATE']:>7}")
    skipped = {p: c["no table"] for p, c in counts.items() if "no table" in c}
    if skipped:
        print("# platforms LiteLLM dates but we have no table for: "
              + ", ".join(f"{p} ({n})" for p, n in sorted(skipped.items())))
    if unmapped:
        print("# LiteLLM providers not mapped to a platform: "
              + ", ".join(f"{p} ({n})" for p, n in sorted(unmapped.items())))
    current = None
    for platform, kind, model, theirs, ours, statuses, keys in results:
        if platform != current:
            print(f"\n## {platform}")
            current = platform
        ours_text = ",".join(str(d) for d in ours) or "-"
        print(f"{kind:<8} {model}  litellm={','.join(str(d) for d in theirs)}  ours={ours_text}"
              f"  status={','.join(statuses) or '-'}  keys={' '.join(sorted(keys)[:3])}"
              + (f" (+{len(keys) - 3})" if len(keys) > 3 else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
