"""The one shape checker for the data files in ``rules/``: the catalog, the risk events and the model
lifecycle tables. Each loader keeps its own error type (its messages name the file, the entry and the
key); the checks, their wording and the regular-expression safety screen are shared here.

No schema library: the files are small, their rules (a date after another, a regex that cannot hang,
an id that must exist elsewhere) are not JSON Schema's strengths, and a missing dependency cannot
break a scan.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, Callable, Collection, Iterable, Optional, Sequence, Tuple
from urllib.parse import urlparse

from provider_audit.redact import printable

try:  # the regex parser moved in 3.11; the old name warns there
    from re import _constants as _sre_constants, _parser as _sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - Python < 3.11
    import sre_constants as _sre_constants  # type: ignore[no-redef]
    import sre_parse as _sre_parse  # type: ignore[no-redef]

# Longest chain of unbounded repeats that may consume the same characters one after another
# (``[a-z]*[a-z0-9]*``: quadratic); three (``.*.*.*x``) is cubic on a 160-character id.
MAX_REPEAT_CHAIN = 2
_LONG_REPEAT = 16  # a repeat allowing more than this many matches counts as unbounded
_REPEATS = tuple(getattr(_sre_constants, n) for n in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")
                 if hasattr(_sre_constants, n))
_PREFIX_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_-")


def close_hint(value: object, allowed: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` when ``value`` is close to one of ``allowed``, else ``""``."""
    import difflib  # for a mistake's hint only

    close = difflib.get_close_matches(str(value), sorted(allowed), n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


def regex_problem(pattern: str, *, max_length: int = 200, literal_prefix: int = 0) -> Optional[str]:
    """Why a data-file regex is unacceptable, or None. The one screen for every regex in ``rules/``
    and in users' rule files: too long, does not compile, can backtrack catastrophically (a repeat
    inside a repeat, an ambiguous alternation under a repeat, more than ``MAX_REPEAT_CHAIN`` unbounded
    repeats that can take the same characters in a row). ``literal_prefix``: the pattern must start
    with that many literal characters from ``[a-z0-9_-]`` and have no top-level ``|`` (lifecycle
    tables, where a pattern must stay close to the ids it stands for)."""
    if not isinstance(pattern, str) or not pattern:
        return "must be a non-empty regular expression"
    if len(pattern) > max_length:
        return f"pattern longer than {max_length} characters"
    try:
        re.compile(pattern, re.IGNORECASE)
        parsed = _sre_parse.parse(pattern, re.IGNORECASE)
    except (re.error, RecursionError, OverflowError) as exc:
        return f"invalid regex (does not compile): {exc}"
    items = list(parsed)
    if _risky(items, False):
        return "regex may backtrack catastrophically (nested quantifier or ambiguous repeated alternation)"
    if _chain(items) > MAX_REPEAT_CHAIN:
        return (f"regex may backtrack catastrophically (more than {MAX_REPEAT_CHAIN} unbounded repeats such as "
                ".*, + or {n,} that can match the same text in a row)")
    if literal_prefix:
        if any(op is _sre_constants.BRANCH for op, _ in items):
            return "no top-level '|': write one pattern per alternative"
        prefix = ""
        for op, av in items:
            if op is not _sre_constants.LITERAL or chr(av) not in _PREFIX_CHARS:
                break
            prefix += chr(av)
        if len(prefix) < literal_prefix:
            return (f"must start with at least {literal_prefix} literal characters from [a-z0-9_-] "
                    "(a pattern stands for a family of ids, not for anything)")
    return None


def _children(op, av) -> list:
    """The nested sub-patterns of one parsed regex node."""
    if op in _REPEATS:
        return [av[2]]
    if op is _sre_constants.SUBPATTERN:
        return [av[-1]]
    if op is _sre_constants.BRANCH:
        return list(av[1])
    if isinstance(av, _sre_parse.SubPattern):  # atomic group
        return [av]
    if isinstance(av, tuple):  # assertions, conditional groups
        return [x for x in av if isinstance(x, _sre_parse.SubPattern)]
    return []


def _risky(items, in_repeat: bool) -> bool:
    """A repeat (even ``?``: ``(a?){30}a{30}``) inside a repeat with max > 1, or alternation with
    overlapping starts under one."""
    for op, av in items:
        many = op in _REPEATS and (av[1] is _sre_constants.MAXREPEAT or av[1] > 1)
        if op in _REPEATS and in_repeat:
            return True
        if op is _sre_constants.BRANCH and in_repeat:
            firsts = [_first(b) for b in av[1]]
            if any(a is None or b is None or a & b for i, a in enumerate(firsts) for b in firsts[i + 1:]):
                return True
        if any(_risky(sub, in_repeat or many) for sub in _children(op, av)):
            return True
    return False


def _first(items) -> Optional[frozenset]:
    """The literal characters a sequence can start with; None when unknown or possibly empty."""
    for op, av in items:
        if op is _sre_constants.LITERAL:
            return frozenset((chr(av).lower(),))
        if op is _sre_constants.SUBPATTERN:
            return _first(av[-1])
        return None
    return None


# -- chains of repeats ---------------------------------------------------------------------------
# Characters as code points 0..127, and 128 for "anything beyond ASCII".
_ALL = frozenset(range(129))
_CATEGORY_CHARS = {
    "CATEGORY_DIGIT": frozenset(range(48, 58)),
    "CATEGORY_WORD": frozenset(list(range(48, 58)) + list(range(65, 91)) + list(range(97, 123)) + [95, 128]),
    "CATEGORY_SPACE": frozenset([9, 10, 11, 12, 13, 32, 128]),
}


def _chars(items) -> frozenset:
    """Every character a (small) sub-pattern may consume; ``_ALL`` when unsure."""
    out: set = set()
    for op, av in items:
        if op is _sre_constants.LITERAL:
            out |= _fold(min(av, 128))
        elif op is _sre_constants.NOT_LITERAL or op is _sre_constants.ANY:
            return _ALL
        elif op is _sre_constants.IN:
            out |= _set_chars(av)
        elif op in _REPEATS or op is _sre_constants.SUBPATTERN or op is _sre_constants.BRANCH:
            for sub in _children(op, av):
                out |= _chars(sub)
        elif op in (_sre_constants.ASSERT, _sre_constants.ASSERT_NOT, _sre_constants.AT):
            continue
        else:
            return _ALL
    return frozenset(out)


def _set_chars(av) -> frozenset:
    out: set = set()
    negate = False
    for kind, value in av:
        if kind is _sre_constants.NEGATE:
            negate = True
        elif kind is _sre_constants.LITERAL:
            out |= _fold(min(value, 128))
        elif kind is _sre_constants.RANGE:
            low, high = value
            for c in range(min(low, 128), min(high, 128) + 1):
                out |= _fold(c)
        elif kind is _sre_constants.CATEGORY:
            name = str(value).rsplit(".", 1)[-1].upper()
            found = next((chars for key, chars in _CATEGORY_CHARS.items() if name == key), None)
            out |= _ALL if found is None or name.startswith("CATEGORY_NOT") else found
        else:
            return _ALL
    return frozenset(_ALL - out) if negate else frozenset(out)


def _fold(c: int) -> set:
    ch = chr(c) if c < 128 else ""
    return {c, ord(ch.lower()), ord(ch.upper())} if ch.isalpha() else {c}


def _chain(items) -> int:
    """The longest run of unbounded repeats a match can go through one after another, each able to take
    characters the previous one could take (nothing mandatory and foreign to it in between).

    A small dynamic programme over the pattern: a state is (run length, characters of the run's last
    repeat); optional parts and alternatives fork the states; lookarounds are measured on their own."""
    best = [0]

    def walk(seq, states):
        for op, av in seq:
            if op in _REPEATS and (av[1] is _sre_constants.MAXREPEAT or av[1] > _LONG_REPEAT):
                chars = _chars(av[2])
                states = {(n + 1 if last and last & chars else 1, chars) for n, last in states}
            elif op in _REPEATS:
                inner = walk(av[2], states)
                states = inner | states if av[0] == 0 else inner
            elif op is _sre_constants.SUBPATTERN:
                states = walk(av[-1], states)
            elif op is _sre_constants.BRANCH:
                states = set().union(*(walk(branch, states) for branch in av[1]))
            elif op in (_sre_constants.ASSERT, _sre_constants.ASSERT_NOT):
                walk(av[1], {(0, frozenset())})
            elif op is _sre_constants.AT:
                continue
            else:  # one mandatory character: it ends every run whose last repeat cannot take it
                chars = _chars([(op, av)])
                states = {(n, last) if last & chars else (0, frozenset()) for n, last in states}
            for n, _ in states:
                best[0] = max(best[0], n)
            if len(states) > 64:  # keep the longest run per character set
                kept: dict = {}
                for n, last in states:
                    kept[last] = max(kept.get(last, 0), n)
                states = {(n, last) for last, n in kept.items()}
        return states

    walk(items, {(0, frozenset())})
    return best[0]


# -- shapes ----------------------------------------------------------------------------------------

class Shape:
    """Checks values of one entry; every failure goes through ``fail(key, message)``, which returns the
    loader's own exception (so the message names its file, entry and key). Every text it returns is one
    printable line (``redact.printable``): a rules file's title or URL reaches terminals and reports.

    ``screen=False`` skips the regex screen (``pattern``) for files of the rules in use, which were
    screened before (``data.resources.in_rules_in_use``); every other file is screened."""

    def __init__(self, fail: Callable[[str, str], Exception], screen: bool = True):
        self.fail = fail
        self.screen = screen

    def keys(self, mapping: Any, allowed: Collection[str], required: Sequence[str] = (), prefix: str = "") -> dict:
        if not isinstance(mapping, dict):
            raise self.fail(prefix.rstrip(".") or "-", "must be a mapping")
        for key in mapping:
            if key not in allowed:
                hint = close_hint(key, allowed) or f"; allowed: {', '.join(sorted(allowed))}"
                raise self.fail(f"{prefix}{key}", f"unknown key{hint}")
        for key in required:
            if key not in mapping:
                raise self.fail(f"{prefix}{key}", "missing required key")
        return mapping

    def text(self, value: Any, key: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, "must be a non-empty string")
        return printable(" ".join(value.split()))

    def optional_text(self, value: Any, key: str) -> Optional[str]:
        return None if value is None else self.text(value, key)

    def choice(self, value: Any, allowed: Sequence[str], key: str) -> str:
        if value not in allowed:
            raise self.fail(key, f"'{value}' is not one of: {', '.join(allowed)}{close_hint(value, allowed)}")
        return value

    def day(self, value: Any, key: str) -> Optional[date]:
        """An ISO date (YAML reads it as a date) or null."""
        if value is None:
            return None
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        raise self.fail(key, f"'{value}' is not an ISO date (YYYY-MM-DD) or null")

    def strings(self, value: Any, key: str, *, allow_empty: bool = True) -> Tuple[str, ...]:
        if value is None and allow_empty:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value) \
                or (not allow_empty and not value):
            raise self.fail(key, "must be a list of non-empty strings" if allow_empty
                            else "must be a non-empty list of non-empty strings")
        return tuple(map(printable, value))

    def members(self, value: Any, allowed: Collection[str], key: str, what: str) -> Tuple[str, ...]:
        """A list of ids, each one of ``allowed``."""
        if value is None:
            return ()
        if not isinstance(value, list):
            raise self.fail(key, f"must be a list of {what}s")
        items = value
        for item in items:
            if not isinstance(item, str) or item not in allowed:
                raise self.fail(key, f"unknown {what} '{item}'{close_hint(item, allowed)}")
        return tuple(dict.fromkeys(items))

    def url(self, value: Any, key: str) -> str:
        parsed = urlparse(value) if isinstance(value, str) else None
        if parsed is None or parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise self.fail(key, f"'{value}' is not an http(s) URL")
        return printable(value)

    def pattern(self, value: Any, key: str, **limits: Any) -> str:
        problem = regex_problem(value, **limits) if self.screen else None
        if problem:
            raise self.fail(key, problem)
        return value

    def boolean(self, value: Any, key: str) -> bool:
        if not isinstance(value, bool):
            raise self.fail(key, "must be true or false")
        return value
