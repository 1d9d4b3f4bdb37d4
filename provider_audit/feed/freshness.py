"""What a report says about its rules (which, how old) and which risk items are new for this repository.

**Rules used.** Every report names the rules it used (an installed bundle or the rules shipped with
provider-audit), their date and their age on the audit's day; past ``--max-rules-age`` days
(default 30) that is a warning, and a failure only under the ``stale-rules`` policy.

**New for you.** After each scan of a folder (on today's date: an ``--as-of`` scan looks at another day
and neither reads nor records), the matched risk items are recorded in the cache folder
(``<cache>/risk-seen/<folder digest>.json``, JSON, written atomically, dropped after ``MAX_AGE_S``).
The next scan marks the items that were not matched then (**new**) or whose event or state changed
since (**changed**). The first scan of a folder has nothing to compare with, and marks nothing.
``--since DATE`` lists the matched items whose event was added or changed after DATE: the change day
of each item comes from the bundle's manifest (``items[...].modified``), else from the newest date
the event records (``bundle.own_date``); an item with no known day is not listed.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tempfile
import time
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

from provider_audit import __version__
from provider_audit.data.resources import RulesInUse

SEEN_FORMAT = 1
SEEN_FOLDER = "risk-seen"
MAX_AGE_S = 400 * 24 * 3600  # a folder scanned once a quarter still gets its "new for you"


# ------------------------------------------------------------------ the rules used


def _format_time(moment: datetime) -> str:
    from provider_audit.feed.bundle import format_time  # the bundle module: only where a bundle is in use

    return format_time(moment)

@dataclass(frozen=True)
class RulesUsed:
    source: str  # "bundle" or "shipped"
    location: str  # a bundle's download source; "provider-audit X.Y.Z" for the shipped rules
    day: Optional[date]
    age_days: Optional[int]  # on the audit's day (never negative)
    max_age_days: int
    newest: Optional[date] = None
    built: Optional[datetime] = None
    sha256: Optional[str] = None
    notes: Tuple[str, ...] = ()

    @property
    def stale(self) -> bool:
        return self.age_days is None or self.age_days > self.max_age_days

    def describe(self) -> str:
        """One line: which rules, their date and age."""
        which = "rules bundle" if self.source == "bundle" else f"rules shipped with {self.location},"
        day = f"dated {self.day.isoformat()}" if self.day else "undated"
        age = f"{self.age_days} day{'s' if self.age_days != 1 else ''} old" if self.age_days is not None else "age unknown"
        origin = f" from {self.location}" if self.source == "bundle" else ""
        return f"{which} {day} ({age}){origin}"

    def warnings(self) -> List[str]:
        out = list(self.notes)
        if self.age_days is None:
            out.append("the rules in use carry no date; run `provider-audit rules update`")
        elif self.age_days > self.max_age_days:
            out.append(f"the rules in use are {self.age_days} days old (more than {self.max_age_days}); "
                       "run `provider-audit rules update`")
        return out

    def as_json(self) -> Dict[str, object]:
        return {
            "source": self.source,
            "location": self.location,
            "date": self.day.isoformat() if self.day else None,
            "age_days": self.age_days,
            "max_age_days": self.max_age_days,
            "stale": self.stale,
            "newest_item": self.newest.isoformat() if self.newest else None,
            "built": _format_time(self.built) if self.built else None,
            "sha256": self.sha256,
        }


def rules_used(rules: RulesInUse, today: date, max_age: int) -> RulesUsed:
    age = max(0, (today - rules.day).days) if rules.day else None
    location = rules.location if rules.source == "bundle" else f"provider-audit {__version__}"
    return RulesUsed(rules.source, location, rules.day, age, max_age, rules.newest, rules.built,
                     rules.sha256 or None, rules.notes)


# ------------------------------------------------------------------ new for you


@dataclass(frozen=True)
class Novelty:
    tracked: bool  # a previous scan of this folder was compared with
    previous_scan: Optional[date] = None
    new: Tuple[str, ...] = ()  # matched now, not at the previous scan
    changed: Tuple[str, ...] = ()  # matched both times, but the event or its state changed
    since: Optional[date] = None
    since_items: Tuple[str, ...] = ()  # matched items whose event was added or changed after ``since``
    note: str = ""  # why nothing was compared, when nothing was

    def marked(self) -> Tuple[str, ...]:
        """Every id to flag, in report order (new, changed, then --since)."""
        return tuple(dict.fromkeys(self.new + self.changed + self.since_items))

    def headline(self) -> Optional[str]:
        """``2 new risk items since 2026-11-28`` (the previous scan, or --since), or None."""
        parts = []
        if self.tracked and (self.new or self.changed):
            count = len(self.new) + len(self.changed)
            parts.append(f"{count} new risk item{'s' if count != 1 else ''} since {self.previous_scan}")
        if self.since is not None:
            count = len(self.since_items)
            parts.append(f"{count} risk item{'s' if count != 1 else ''} added or changed after {self.since}")
        return "; ".join(parts) or None

    def as_json(self) -> Dict[str, object]:
        return {
            "tracked": self.tracked,
            "previous_scan": self.previous_scan.isoformat() if self.previous_scan else None,
            "new": list(self.new),
            "changed": list(self.changed),
            "since": self.since.isoformat() if self.since else None,
            "since_items": list(self.since_items),
            "note": self.note or None,
        }


def fingerprint(matched) -> str:
    """What "changed" compares: the event as loaded (its file excepted), its state and certainty."""
    event = {k: v for k, v in dataclasses.asdict(matched.event).items() if k != "file"}
    text = json.dumps([event, matched.state, matched.possible], sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def seen_file(cache_dir: Path, root: Path) -> Path:
    name = hashlib.sha256(os.fsencode(str(root))).hexdigest()[:32] + ".json"
    return cache_dir / SEEN_FOLDER / name


def _read_seen(path: Path) -> Optional[Tuple[date, Dict[str, str]]]:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        if raw.get("format") != SEEN_FORMAT or not isinstance(raw.get("items"), dict):
            return None
        items = {str(k): str(v) for k, v in raw["items"].items()}
        return date.fromisoformat(raw["scanned"]), items
    except (OSError, ValueError, TypeError, AttributeError, KeyError, RecursionError):
        return None  # missing or damaged: as if this were the first scan


def _write_seen(path: Path, today: date, items: Mapping[str, str]) -> None:
    document = {"format": SEEN_FORMAT, "scanned": today.isoformat(), "items": dict(sorted(items.items()))}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _prune(path.parent)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(json.dumps(document, separators=(",", ":")))
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError:
        pass  # a read-only cache: the next scan simply cannot say what is new


def _prune(folder: Path) -> None:
    limit = time.time() - MAX_AGE_S
    for path in folder.glob("*.json"):
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
        except OSError:
            pass


def track(root: Path, matched: Sequence, cache_dir: Optional[Path], today: date, record: bool,
          since: Optional[date], rules: RulesInUse) -> Novelty:
    """Compare the matched risk items with this folder's previous scan, record them, and apply --since.

    ``cache_dir`` None: not tracked (no cache); ``record`` False: an --as-of scan, not tracked either.
    """
    since_items: Tuple[str, ...] = ()
    if since is not None:
        days = change_days(rules, today)
        since_items = tuple(m.event.id for m in matched
                            if _changed_after(days.get(m.event.id, _own_day(m.event, today)), since))
    if cache_dir is None or not record:
        note = "not tracked without the cache (--no-cache)" if cache_dir is None else \
            "not tracked for a scan on another day (--as-of)"
        return Novelty(False, since=since, since_items=since_items, note=note)
    path = seen_file(cache_dir, root)
    current = {m.event.id: fingerprint(m) for m in matched}
    before = _read_seen(path)
    _write_seen(path, today, current)
    if before is None:
        return Novelty(False, since=since, since_items=since_items,
                       note="the first scan of this folder recorded here: nothing to compare with yet")
    scanned, previous = before
    new = tuple(i for i in current if i not in previous)
    changed = tuple(i for i in current if i in previous and previous[i] != current[i])
    return Novelty(True, scanned, new, changed, since, since_items)


def _changed_after(day: Optional[date], since: date) -> bool:
    return day is not None and day > since


def _own_day(event, today: date) -> Optional[date]:
    """An event's own newest date (announced; checked and status_as_of where the schema has them)."""
    days = [d for d in (getattr(event, k, None) for k in ("announced", "checked", "status_as_of", "modified"))
            if isinstance(d, date) and d <= today]
    return max(days) if days else None


def change_days(rules: RulesInUse, today: date) -> Dict[str, Optional[date]]:
    """Each risk item's change day in the rules in use (see the module's docstring)."""
    from provider_audit.feed import FeedError
    from provider_audit.feed.bundle import item_dates, load_manifest_file, parse_members, read_tree

    try:
        if rules.source == "bundle":
            items = load_manifest_file(rules.path.parent / "manifest.json").items
        else:
            items = item_dates(parse_members(read_tree(rules.path), fast=True), today)
    except FeedError:
        return {}
    out: Dict[str, Optional[date]] = {}
    for key, info in items.items():
        modified = info.get("modified")
        try:
            out[key] = date.fromisoformat(modified) if modified else None
        except ValueError:
            out[key] = None
    return out


__all__ = ["RulesUsed", "Novelty", "rules_used", "track", "change_days", "fingerprint"]
