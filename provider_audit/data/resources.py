"""Where the rules in use live: the shipped rules, or a newer installed bundle (``rules update``).

The shipped ``rules/`` folder is ``provider_audit/rules`` in a wheel and ``rules/`` beside the package
in a checkout. An installed bundle (``feed/store.py``) is used when it is intact (its files match its
manifest's checksums), loads with this code (checked once per code version: ``validated_with``), and
its data is at least as new as the shipped rules' (``newest``: the newest date the data records). Else
the shipped rules are used, with a note saying why. Choosing never touches the network.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Mapping, Optional, Tuple

_DATA_DIR: Optional[Path] = None  # set by the command line's --data-dir; else the environment decides
_RESOLVING = False
_RESOLVED: Optional[Path] = None


def shipped_rules_dir() -> Path:
    """The shipped ``rules/`` folder (``provider_audit/rules`` in a wheel, ``rules/`` in a checkout)."""
    package = Path(__file__).resolve().parent.parent
    packaged = package / "rules"
    if packaged.is_dir():
        return packaged
    return package.parent / "rules"


@dataclass(frozen=True)
class RulesInUse:
    """The rules a scan uses, and what the report says about them."""

    path: Path
    source: str  # "bundle" or "shipped"
    day: Optional[date]  # the rules' date: a bundle's build day, else the newest date the shipped data records
    newest: Optional[date]  # the newest date the data records
    built: Optional[datetime] = None
    location: str = ""  # a bundle's download source, or the shipped folder
    sha256: str = ""
    counts: Mapping[str, int] = field(default_factory=dict)
    notes: Tuple[str, ...] = ()  # problems: why an installed bundle could not be used (a warning in reports)
    why: str = ""  # why these rules were chosen, when an installed bundle was passed over without a problem

    def age(self, today: date) -> Optional[int]:
        return (today - self.day).days if self.day else None

    def key(self) -> Tuple[date, datetime]:
        """What "newer" means: the data's newest date first, then the build time (shipped: none)."""
        return (self.newest or date.min, self.built or datetime.min.replace(tzinfo=timezone.utc))


def use_data_dir(path: Optional[Path]) -> None:
    """Choose the data directory (None: ``PROVIDER_AUDIT_DATA_DIR`` or the default) and forget what
    was loaded from the previous choice."""
    global _DATA_DIR, _RESOLVED
    _DATA_DIR = Path(path) if path else None
    resolved = data_dir()
    if resolved != _RESOLVED:  # the same folder again keeps what was loaded (repeated commands in tests)
        _RESOLVED = resolved
        reset()


def data_dir() -> Path:
    """The data directory in use (``--data-dir``, else ``PROVIDER_AUDIT_DATA_DIR``, else the default)."""
    from provider_audit.feed.store import resolve_data_dir

    return resolve_data_dir(_DATA_DIR)


def reset() -> None:
    """Forget the rules in use and everything loaded from them (after an install, or in tests)."""
    rules_in_use.cache_clear()
    from provider_audit.data.catalog import load_catalog

    load_catalog.cache_clear()


def shipped_rules(today: Optional[date] = None) -> RulesInUse:
    base = shipped_rules_dir()
    texts = []
    for path in sorted(base.rglob("*.yaml")):
        try:
            texts.append(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            continue
    newest = newest_date(texts, today or date.today())
    return RulesInUse(base, "shipped", newest, newest, location=str(base))


# The word boundary before the key is checked by ``newest_date``: a leading \b would stop the regex engine
# from skipping ahead to the keys' first letters (three times slower over the shipped rules).
_DATE_FIELD_RE = re.compile(r"(?:announced|checked|status_as_of|deprecated|modified|date)[ \t]*:[ \t]*"
                            r"['\"]?(\d{4}-\d{2}-\d{2})(?!\d)")


def newest_date(texts: Iterable[str], cap: date) -> Optional[date]:
    """The newest date recorded under a dating key (``feed.bundle.DATE_KEYS``) in YAML ``texts``, not
    after ``cap``: the same measure for the shipped rules and for bundles (``feed.bundle.build``).

    A scan of the text, not a parse: the shipped rules are dated on every scan, in about a millisecond.
    """
    best: Optional[date] = None
    for text in texts:
        for match in _DATE_FIELD_RE.finditer(text):
            start = match.start()
            if start and (text[start - 1].isalnum() or text[start - 1] == "_"):  # inside a longer word
                continue
            try:
                day = date.fromisoformat(match.group(1))
            except ValueError:
                continue
            if day <= cap and (best is None or day > best):
                best = day
    return best


@lru_cache(maxsize=None)
def rules_in_use() -> RulesInUse:
    """The newest valid rules (see the module's docstring), chosen once per process."""
    global _RESOLVING
    _RESOLVING = True
    try:
        return _choose()
    finally:
        _RESOLVING = False


def _choose() -> RulesInUse:
    from provider_audit.feed import FeedError
    from provider_audit.feed.store import Store

    shipped = shipped_rules()
    store = Store(data_dir())
    try:
        installed = store.current()
    except FeedError as exc:
        return _with_note(shipped, f"installed rules ignored: {exc}")
    if installed is None:
        return shipped
    problem = store.verify(installed)
    if problem:
        return _with_note(shipped, f"installed rules bundle {installed.name} is damaged ({problem}); "
                                   "using the shipped rules; run `provider-audit rules update`")
    salt = _code_salt()
    if installed.validated_with != salt:
        from provider_audit.feed.validate import validate_tree

        try:
            validate_tree(installed.tree, store.read_members(installed), installed.manifest.counts)
        except (FeedError, OSError, UnicodeDecodeError) as exc:
            return _with_note(shipped, f"installed rules bundle {installed.name} does not load with this "
                                       f"provider-audit ({exc}); using the shipped rules")
        store.mark_validated(installed, salt)
    m = installed.manifest
    bundle = RulesInUse(installed.tree, "bundle", m.built.date(), m.newest, m.built, installed.source,
                        installed.sha256, dict(m.counts))
    if bundle.key()[0] < shipped.key()[0]:
        return dataclasses.replace(shipped, why=f"the shipped rules (data of {shipped.newest}) are newer than the "
                                                f"installed bundle {installed.name} (data of {m.newest})")
    return bundle


def _with_note(rules: RulesInUse, note: str) -> RulesInUse:
    return dataclasses.replace(rules, notes=rules.notes + (note,))


def _code_salt() -> str:
    from provider_audit.scanning.cache import code_salt

    return code_salt("rules-bundle")


def in_rules_in_use(path: Path) -> bool:
    """Whether ``path`` is a file of the rules in use. Those files were checked before this scan: the
    shipped rules by the tests and by ``provider-audit rules validate``; an installed bundle by
    ``feed.validate.validate_tree`` (every regex screened) when it was installed or first chosen by this
    code (``validated_with``), and its checksums are verified whenever it is chosen. So their loaders may
    use libyaml and skip the regex screen; anything else (``--rules``, a repository's rule files, a
    bundle being checked) goes through the pure-Python parser and the screen."""
    try:
        path.resolve().relative_to(rules_dir().resolve())
    except ValueError:
        return False
    return True


def rules_dir() -> Path:
    """The folder of the rules in use (the shipped folder while an installed bundle is being checked)."""
    if _RESOLVING:
        return shipped_rules_dir()
    return rules_in_use().path
