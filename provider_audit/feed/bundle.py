"""A rules bundle: every ``*.yaml`` under a rules folder and a manifest, in one JSON document.

The document (optionally gzip-compressed)::

    {"bundle": "provider-audit-rules",
     "manifest": {"format_version": 1, "built": "2026-12-07T09:30:00Z", "newest": "2026-12-05",
                  "tool": "0.1.0",
                  "members": {"providers.yaml": {"sha256": "...", "size": 123}, "events/openai.yaml": ...},
                  "counts": {"events": 94, "lifecycle": 840, "lifecycle_ids": 1210, "members": 37},
                  "items": {"openai-2026-11-evals-...": {"sha256": "...", "modified": "2026-12-07"},
                            "anthropic/claude-2.1": {...}}},
     "members": {"providers.yaml": "<the file's text>", ...}}

One JSON document needs no extraction step that could write outside the data directory: the reader
checks every member name (relative, ``/``-separated, no ``..``, no hidden or absolute parts, ``.yaml``
only, at most ``MAX_DEPTH`` deep), the member count and sizes (compressed and decompressed), that the
members and the manifest list the same files, and each member's SHA-256. The strict loaders
(``validate.py``) then check the content before anything is installed.

``newest`` is the newest date the data itself records (``checked``, ``status_as_of``, ``announced``,
``deprecated``, ``modified``, history ``date``), never later than the build day: the same measure is
computed for the shipped rules, so the two can be compared. ``items`` gives each risk item (an event
by id; a lifecycle entry as ``platform/model-id``) a content digest and the day it last changed: with
``previous`` (the manifest of the bundle published before) an unchanged item keeps its day and a new
or changed one gets the build day; without it, the item's own newest date (or null: unknown).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path, PurePosixPath
from typing import Any, Dict, List, Mapping, Optional, Tuple

from provider_audit import __version__
from provider_audit.data.resources import newest_date  # also this module's: bundles are dated the same way
from provider_audit.feed import FeedError

KIND = "provider-audit-rules"
FORMAT_VERSION = 1
MAX_MEMBERS = 1000
MAX_MEMBER_BYTES = 8 * 1024 * 1024
MAX_TOTAL_BYTES = 64 * 1024 * 1024  # decompressed
MAX_ITEMS = 200_000
MAX_DEPTH = 4
DATE_KEYS = frozenset(("announced", "checked", "status_as_of", "deprecated", "modified", "date"))

_PART_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}")
_HEX_RE = re.compile(r"[0-9a-f]{64}")

@dataclass(frozen=True)
class Member:
    sha256: str
    size: int


@dataclass(frozen=True)
class Manifest:
    built: datetime  # UTC
    newest: Optional[date]
    members: Mapping[str, Member]
    counts: Mapping[str, int]
    items: Mapping[str, Mapping[str, Optional[str]]] = field(default_factory=dict)
    tool: str = ""
    format_version: int = FORMAT_VERSION

    def as_json(self) -> Dict[str, Any]:
        return {
            "format_version": self.format_version,
            "built": format_time(self.built),
            "newest": self.newest.isoformat() if self.newest else None,
            "tool": self.tool,
            "members": {name: {"sha256": m.sha256, "size": m.size} for name, m in sorted(self.members.items())},
            "counts": dict(sorted(self.counts.items())),
            "items": {key: dict(value) for key, value in sorted(self.items.items())},
        }

    def key(self) -> Tuple[date, datetime]:
        """What "newer" means: the data's newest date first, then the build time."""
        return (self.newest or date.min, self.built)


@dataclass(frozen=True)
class Bundle:
    manifest: Manifest
    members: Mapping[str, str]  # name -> text
    digest: str = ""  # SHA-256 of the bundle file as read

    def dump(self, compress: bool = False) -> bytes:
        document = {"bundle": KIND, "manifest": self.manifest.as_json(), "members": dict(sorted(self.members.items()))}
        data = json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
        import gzip  # building a bundle only: scans read the manifest and the rules

        return gzip.compress(data, mtime=0) if compress else data


# ------------------------------------------------------------------ dates and items


def format_time(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: object) -> datetime:
    if not isinstance(text, str):
        raise ValueError("not a string")
    moment = datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ")
    return moment.replace(tzinfo=timezone.utc)


def build_time() -> datetime:
    """Now, or ``SOURCE_DATE_EPOCH`` (reproducible builds), in UTC, to the second."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), timezone.utc)
    return datetime.now(timezone.utc).replace(microsecond=0)


def _as_date(value: object) -> Optional[date]:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def own_date(entry: object, cap: date) -> Optional[date]:
    """The newest date an entry records under a dating key, nested ones included, not after ``cap``."""
    best: Optional[date] = None
    stack = [entry]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if key in DATE_KEYS:
                    day = _as_date(value)
                    if day is not None and day <= cap and (best is None or day > best):
                        best = day
                if isinstance(value, (dict, list)):
                    stack.append(value)
        elif isinstance(node, list):
            stack.extend(node)
    return best


def _digest_entry(entry: object) -> str:
    text = json.dumps(entry, sort_keys=True, default=str, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def risk_items(documents: Mapping[str, object]) -> Dict[str, object]:
    """The risk items of parsed member documents: events by id, lifecycle entries as ``platform/id``."""
    out: Dict[str, object] = {}
    for name, data in sorted(documents.items()):
        if not isinstance(data, dict):
            continue
        top = PurePosixPath(name).parts[0]
        if top == "events" and isinstance(data.get("events"), list):
            for entry in data["events"]:
                if isinstance(entry, dict) and isinstance(entry.get("id"), str):
                    out[entry["id"]] = entry
        elif top == "lifecycle" and isinstance(data.get("models"), list):
            platform = data.get("platform") if isinstance(data.get("platform"), str) else PurePosixPath(name).stem
            for entry in data["models"]:
                ids = entry.get("ids") if isinstance(entry, dict) else None
                for model in ids if isinstance(ids, list) else ():
                    if isinstance(model, str):
                        out[f"{platform}/{model}"] = entry
    return out


def count_items(documents: Mapping[str, object]) -> Dict[str, int]:
    """Events, lifecycle entries and the model ids they list, and members, for ``rules status``."""
    counts = {"members": len(documents), "events": 0, "lifecycle": 0, "lifecycle_ids": 0}
    for name, data in documents.items():
        if not isinstance(data, dict):
            continue
        top = PurePosixPath(name).parts[0]
        if top == "events" and isinstance(data.get("events"), list):
            counts["events"] += len(data["events"])
        elif top == "lifecycle" and isinstance(data.get("models"), list):
            counts["lifecycle"] += len(data["models"])
            counts["lifecycle_ids"] += sum(len(e["ids"]) for e in data["models"]
                                           if isinstance(e, dict) and isinstance(e.get("ids"), list))
    return counts


def item_dates(documents: Mapping[str, object], cap: date,
               previous: Optional[Manifest] = None) -> Dict[str, Dict[str, Optional[str]]]:
    """Each risk item's digest and the day it last changed (see the module's docstring)."""
    out: Dict[str, Dict[str, Optional[str]]] = {}
    before = previous.items if previous is not None else None
    for key, entry in risk_items(documents).items():
        digest = _digest_entry(entry)
        if before is not None:
            old = before.get(key)
            modified = old.get("modified") if old and old.get("sha256") == digest else cap.isoformat()
        else:
            day = own_date(entry, cap)
            modified = day.isoformat() if day else None
        out[key] = {"sha256": digest, "modified": modified}
    return out


# ------------------------------------------------------------------ building


def member_names(rules_dir: Path) -> List[str]:
    """Every ``*.yaml`` under ``rules_dir`` (relative, ``/``-separated, sorted); symlinks are refused."""
    if not (rules_dir / "providers.yaml").is_file():
        raise FeedError(f"{rules_dir}: not a rules folder (no providers.yaml)")
    names = []
    for path in sorted(rules_dir.rglob("*.yaml")):
        name = path.relative_to(rules_dir).as_posix()
        if path.is_symlink() or not path.is_file():
            raise FeedError(f"{path}: not a regular file (links are not bundled)")
        problem = name_problem(name)
        if problem:
            raise FeedError(f"{path}: cannot be bundled: {problem}")
        names.append(name)
    return names


def read_tree(rules_dir: Path) -> Dict[str, str]:
    members = {}
    for name in member_names(rules_dir):
        path = rules_dir / name
        try:
            members[name] = path.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise FeedError(f"{path}: cannot read: {exc}") from None
    return members


def parse_members(members: Mapping[str, str], fast: bool = False) -> Dict[str, object]:
    """Each member's YAML (safe loader; ``validate.strict_yaml`` for untrusted bundles)."""
    import yaml

    from provider_audit._compat import safe_load_yaml

    out = {}
    for name, text in members.items():
        try:
            out[name] = safe_load_yaml(text, shipped=fast)
        except (yaml.YAMLError, ValueError, RecursionError) as exc:
            raise FeedError(f"{name}: invalid YAML: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None
    return out


def build(rules_dir: Path, built: Optional[datetime] = None, previous: Optional[Manifest] = None) -> Bundle:
    """The bundle of ``rules_dir`` (its YAML is parsed here to count and date the items)."""
    built = (built or build_time()).astimezone(timezone.utc).replace(microsecond=0)
    members = read_tree(rules_dir)
    documents = parse_members(members, fast=True)
    cap = built.date()
    manifest = Manifest(
        built=built,
        newest=newest_date(members.values(), cap),
        members={name: Member(hashlib.sha256(text.encode("utf-8")).hexdigest(), len(text.encode("utf-8")))
                 for name, text in members.items()},
        counts=count_items(documents),
        items=item_dates(documents, cap, previous),
        tool=__version__,
    )
    return Bundle(manifest, members)


# ------------------------------------------------------------------ reading


def name_problem(name: object) -> Optional[str]:
    """Why a member name is unsafe or unexpected, or None."""
    if not isinstance(name, str) or not name:
        return "empty name"
    if "\\" in name or "\x00" in name or name.startswith("/") or ":" in name:
        return "absolute or non-portable name"
    parts = name.split("/")
    if len(parts) > MAX_DEPTH:
        return f"nested deeper than {MAX_DEPTH} levels"
    for part in parts:
        if part in ("", ".", "..") or not _PART_RE.fullmatch(part):
            return f"unsafe path part {part!r}"
    if not name.endswith(".yaml"):
        return "not a .yaml file"
    return None


def _no_duplicates(pairs: List[Tuple[str, Any]]) -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {key!r}")
        out[key] = value
    return out


def _decompress(data: bytes) -> bytes:
    engine = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = engine.decompress(data, MAX_TOTAL_BYTES + 1)
    except zlib.error as exc:
        raise FeedError(f"corrupt bundle (gzip: {exc})") from None
    if len(out) > MAX_TOTAL_BYTES or engine.unconsumed_tail:
        raise FeedError(f"bundle larger than {MAX_TOTAL_BYTES} bytes when decompressed")
    if not engine.eof:
        raise FeedError("truncated bundle (the gzip stream ends early)")
    if engine.unused_data:
        raise FeedError("corrupt bundle (data after the gzip stream)")
    return out


def _manifest(raw: object) -> Manifest:
    if not isinstance(raw, dict):
        raise FeedError("not a rules bundle (no manifest)")
    version = raw.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise FeedError("manifest: format_version is missing")
    if version > FORMAT_VERSION:
        raise FeedError(f"bundle format {version} is newer than this provider-audit reads ({FORMAT_VERSION}); "
                        "upgrade provider-audit")
    if version != FORMAT_VERSION:
        raise FeedError(f"bundle format {version} is not supported")
    try:
        built = parse_time(raw.get("built"))
    except ValueError:
        raise FeedError("manifest: 'built' is not a UTC time (YYYY-MM-DDTHH:MM:SSZ)") from None
    newest = raw.get("newest")
    if newest is not None:
        newest = _as_date(newest) if isinstance(newest, str) else None
        if newest is None:
            raise FeedError("manifest: 'newest' is not a date")
    members = raw.get("members")
    if not isinstance(members, dict) or len(members) > MAX_MEMBERS:
        raise FeedError(f"manifest: 'members' must map at most {MAX_MEMBERS} names to checksums")
    listed = {}
    for name, info in members.items():
        if not (isinstance(info, dict) and isinstance(info.get("sha256"), str) and _HEX_RE.fullmatch(info["sha256"])
                and isinstance(info.get("size"), int) and 0 <= info["size"] <= MAX_MEMBER_BYTES):
            raise FeedError(f"manifest: member {name!r}: expected {{sha256, size}}")
        listed[name] = Member(info["sha256"], info["size"])
    counts = raw.get("counts")
    if not isinstance(counts, dict) or not all(isinstance(v, int) and not isinstance(v, bool) for v in counts.values()):
        raise FeedError("manifest: 'counts' must map names to integers")
    items = raw.get("items", {})
    if not isinstance(items, dict) or len(items) > MAX_ITEMS:
        raise FeedError("manifest: 'items' must be a mapping")
    for key, info in items.items():
        if not (isinstance(info, dict) and isinstance(info.get("sha256"), str)
                and (info.get("modified") is None or _as_date(info.get("modified")) is not None)):
            raise FeedError(f"manifest: item {key!r}: expected {{sha256, modified}}")
    tool = raw.get("tool") if isinstance(raw.get("tool"), str) else ""
    return Manifest(built, newest, listed, counts, items, tool, version)


def load(data: bytes) -> Bundle:
    """Parse and check a bundle file (see the module's docstring); FeedError says what is wrong."""
    digest = hashlib.sha256(data).hexdigest()
    if data[:2] == b"\x1f\x8b":
        data = _decompress(data)
    elif len(data) > MAX_TOTAL_BYTES:
        raise FeedError(f"bundle larger than {MAX_TOTAL_BYTES} bytes")
    try:
        document = json.loads(data.decode("utf-8"), object_pairs_hook=_no_duplicates)
    except UnicodeDecodeError:
        raise FeedError("corrupt bundle (not UTF-8)") from None
    except json.JSONDecodeError as exc:
        where = "truncated" if exc.pos >= len(data) - 1 else "corrupt"
        raise FeedError(f"{where} bundle (JSON error at byte {exc.pos}: {exc.msg})") from None
    except (ValueError, RecursionError) as exc:
        raise FeedError(f"corrupt bundle ({exc})") from None
    if not isinstance(document, dict) or document.get("bundle") != KIND:
        raise FeedError(f"not a provider-audit rules bundle (expected \"bundle\": \"{KIND}\")")
    manifest = _manifest(document.get("manifest"))
    members = document.get("members")
    if not isinstance(members, dict) or len(members) > MAX_MEMBERS:
        raise FeedError(f"'members' must map at most {MAX_MEMBERS} file names to their text")
    folded: Dict[str, str] = {}
    total = 0
    for name, text in members.items():
        problem = name_problem(name)
        if problem:
            raise FeedError(f"member {name!r} refused: {problem}")
        if name.lower() in folded:
            raise FeedError(f"members {folded[name.lower()]!r} and {name!r} differ only in case")
        folded[name.lower()] = name
        if not isinstance(text, str):
            raise FeedError(f"member {name!r}: not text")
        try:
            raw = text.encode("utf-8")
        except UnicodeEncodeError:
            raise FeedError(f"member {name!r}: not valid text") from None
        total += len(raw)
        if len(raw) > MAX_MEMBER_BYTES or total > MAX_TOTAL_BYTES:
            raise FeedError(f"member {name!r}: too large")
        expected = manifest.members.get(name)
        if expected is None:
            raise FeedError(f"member {name!r} is not in the manifest")
        if hashlib.sha256(raw).hexdigest() != expected.sha256 or len(raw) != expected.size:
            raise FeedError(f"checksum mismatch for {name!r}: the bundle was altered or damaged")
    missing = sorted(set(manifest.members) - set(members))
    if missing:
        raise FeedError(f"the manifest lists {missing[0]!r} but the bundle does not hold it")
    if "providers.yaml" not in members:
        raise FeedError("the bundle holds no providers.yaml")
    return Bundle(manifest, dict(members), digest)


def load_manifest_file(path: Path) -> Manifest:
    """An installed bundle's ``manifest.json``."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"), object_pairs_hook=_no_duplicates)
    except (OSError, ValueError, RecursionError) as exc:
        raise FeedError(f"{path}: cannot read the manifest: {exc}") from None
    return _manifest(raw)
