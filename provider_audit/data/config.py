"""Configuration from ``[tool.provider-audit]`` in pyproject.toml (or ``--config FILE``).

Keys are kebab-case. An unknown key or a wrong type is an error (exit 2): a gate must not silently
ignore a typo'd ``fail-on``. The command line overrides the file, the file overrides the defaults.

The scanned repository's own ``pyproject.toml`` is untrusted input: it is read by ``safe_read`` (a regular
file, size-capped, not through a link), the paths it names (``extra-rules``) must stay inside the
repository, and a broken one that does not mention ``tool.provider-audit`` is not configuration at all
(the scan reads it as a manifest and lists it as skipped). Every text it holds is made printable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

from provider_audit import _compat
from provider_audit.data.safe_read import Confined, InputError, confine, is_link, read_input
from provider_audit.models import CONTEXTS
from provider_audit.redact import PrintableError, printable

LOCK_IN_POLICIES = ("single-provider", "not-abstracted", "any-usage", "never")
RISK_POLICIES = ("risk:critical", "risk:high", "risk:medium", "risk:low")
# new-provider-state: a use of a feature that keeps state or data at a provider (with a baseline: a new one)
SWITCHING_POLICIES = ("new-provider-state",)
RULES_POLICIES = ("stale-rules",)  # the rules in use are older than max-rules-age
FAIL_ON_CHOICES = LOCK_IN_POLICIES + RISK_POLICIES + SWITCHING_POLICIES + RULES_POLICIES
FORMAT_CHOICES = ("text", "json", "sarif", "markdown", "github")
# The largest --max-file-size / max-file-size: a file of a gigabyte is not source code, and a larger limit
# is a typo (100000000000) that would otherwise look like a working setting.
LARGEST_MAX_FILE_SIZE = 1 << 30


class ConfigError(PrintableError):
    """A configuration file or value is wrong; the message names the file and the key (one printable line)."""


def _string_list(value: Any) -> Tuple[str, ...]:
    """A TOML array of strings. A bare string is an error, not a list of one: ``exclude = "*"`` is a
    typo for ``["*"]`` at best, and a per-path ``"PA"`` must not quietly become ``["PA"]``."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TypeError("expected a list of strings")
    return tuple(value)


def _string(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise TypeError("expected a non-empty string")
    return value


def _choice(choices: Tuple[str, ...]) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if value not in choices:
            raise TypeError(f"expected one of {', '.join(choices)}")
        return value
    return check


def parse_policies(value: Any) -> Tuple[str, ...]:
    """``"single-provider,risk:high"`` or a list of the same: each must be a known policy."""
    if not isinstance(value, (str, list)):
        raise TypeError('expected a string such as "single-provider,risk:high" (or a list of such strings)')
    items = [p.strip() for p in value.split(",")] if isinstance(value, str) else _string_list(value)
    for item in items:
        if item not in FAIL_ON_CHOICES:
            raise TypeError(f"unknown policy {item!r} (one of {', '.join(FAIL_ON_CHOICES)})")
    if not items:
        raise TypeError("expected at least one policy")
    return tuple(items)


def file_size_limit(value: Any) -> int:
    """A ``max-file-size``: a whole number of bytes, at least 1, at most ``LARGEST_MAX_FILE_SIZE``."""
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise TypeError("expected a positive integer (bytes)")
    if value > LARGEST_MAX_FILE_SIZE:
        raise TypeError(f"{value} bytes: at most {LARGEST_MAX_FILE_SIZE} (1 GiB)")
    return value


def _days(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise TypeError("expected a number of days (0 or more)")
    return value


def _url(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise TypeError("expected a URL or a path")
    return value.strip()


def _contexts(value: Any) -> Tuple[str, ...]:
    items = _string_list(value)
    if not items:
        raise TypeError("expected at least one context (with none, nothing decides and every gate passes)")
    for item in items:
        if item not in CONTEXTS:
            raise TypeError(f"unknown context {item!r} (one of {', '.join(CONTEXTS)})")
    return items


def _ignores(value: Any) -> Tuple[Any, ...]:
    from provider_audit.risk.events import RulesError, parse_ignores

    try:
        return parse_ignores(value, "ignore-events")
    except RulesError as exc:
        raise TypeError(str(exc)) from None


_EVENT_RULE_RE = re.compile(r"PA201/[a-z0-9]+(?:-[a-z0-9]+)*")


def _codes(value: Any) -> Tuple[str, ...]:
    """Finding codes: a real code (``PA106``), ``PA201/<event-id>``, or a prefix of a real code with at
    least one digit (``PA1``). ``PA`` alone would silence everything; ``PA5`` matches nothing."""
    from provider_audit.findings.codes import CODES

    items = _string_list(value)
    for item in items:
        real = len(item) >= 3 and any(code.id.startswith(item) for code in CODES)
        if not (real or _EVENT_RULE_RE.fullmatch(item)):
            raise TypeError(f"{item!r} is not a finding code or a prefix of one "
                            f"(PA106, PA1..., PA201/<event-id>; codes: {', '.join(c.id for c in CODES)})")
    return items


def _per_path(value: Any) -> Dict[str, Tuple[str, ...]]:
    if not isinstance(value, dict):
        raise TypeError('expected a table of glob = [codes], e.g. {"scripts/**" = ["PA106"]}')
    return {str(glob): _codes(codes) for glob, codes in value.items()}


@dataclass(frozen=True)
class Acknowledgement:
    """A team's deliberate choice of one provider, for a while."""

    provider: str
    reason: str
    until: Optional[date]

    def expired(self, today: date) -> bool:
        return self.until is not None and self.until < today


def _acknowledgement(value: Any) -> Acknowledgement:
    if not isinstance(value, dict):
        raise TypeError('expected a table {provider = "...", reason = "...", until = 2027-01-31}')
    unknown = set(value) - {"provider", "reason", "until"}
    if unknown:
        raise TypeError(f"unknown field {sorted(unknown)[0]!r} (provider, reason, until)")
    provider, reason, until = value.get("provider"), value.get("reason"), value.get("until")
    if not isinstance(provider, str) or not provider:
        raise TypeError("'provider' must name the provider id")
    if not isinstance(reason, str) or not reason.strip():
        raise TypeError("'reason' must say why the lock-in is accepted")
    reason = printable(" ".join(reason.split()))
    if isinstance(until, str):
        try:
            until = date.fromisoformat(until)
        except ValueError:
            raise TypeError(f"'until' {until!r} is not a date (YYYY-MM-DD)") from None
    if until is not None and (not isinstance(until, date) or isinstance(until, datetime)):
        raise TypeError("'until' must be a date (YYYY-MM-DD)")
    return Acknowledgement(printable(provider), reason, until)


_COUNTRY_RE = __import__("re").compile(r"[A-Za-z]{2}")
_KEBAB_RE = __import__("re").compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def _countries(allow_eu: bool) -> Callable[[Any], Tuple[str, ...]]:
    """ISO 3166 alpha-2 codes (any case; ``EU`` too for jurisdictions), upper-cased."""
    def check(value: Any) -> Tuple[str, ...]:
        items = _string_list(value)
        for item in items:
            if not _COUNTRY_RE.fullmatch(item) or (not allow_eu and item.upper() == "EU"):
                raise TypeError(f"{item!r} is not a two-letter ISO 3166 country code"
                                + (" or EU" if allow_eu else "") + ' (e.g. ["DE"])')
        return tuple(dict.fromkeys(i.upper() for i in items))
    return check


def _customer_types(value: Any) -> Tuple[str, ...]:
    items = _string_list(value)
    for item in items:
        if not _KEBAB_RE.fullmatch(item):
            raise TypeError(f"{item!r} is not a kebab-case customer type (public-sector, defence, free-tier, "
                            "enterprise, or a company id)")
    return tuple(dict.fromkeys(items))


# key -> converter; the converter raises TypeError with a human message.
KEYS: Dict[str, Callable[[Any], Any]] = {
    "exclude": _string_list,
    "fail-on": parse_policies,
    "format": _choice(FORMAT_CHOICES),
    "max-file-size": file_size_limit,
    "test-paths": _string_list,
    "example-paths": _string_list,
    "docs-paths": _string_list,
    "source-paths": _string_list,
    "auxiliary-paths": _string_list,  # eval/benchmark harnesses, legacy code, one-off scripts
    "data-paths": _string_list,  # results, recorded responses, dumps: never decisive by default
    "decisive-contexts": _contexts,
    "extra-rules": _string_list,  # event files, relative to the config file (inside the repository: ``root``)
    "ignore-events": _ignores,
    "ignore": _codes,  # finding codes (or prefixes) never reported
    "per-path-ignores": _per_path,  # glob -> codes ignored under it
    "allowed-providers": _string_list,  # reaching any other provider fails the policy
    "acknowledge-lock-in": _acknowledgement,  # single-provider on purpose, for a while
    "max-rules-age": _days,  # warn (or fail under stale-rules) when the rules in use are older
    "rules-url": _url,  # where `rules update` downloads the rules bundle from
    # Who you are, for risk events scoped to it (absent: such events are conditional, counted, not hits)
    "jurisdictions": _countries(True),  # where you operate or serve users: ISO codes or EU
    "customer-types": _customer_types,  # public-sector, defence, free-tier, enterprise, a company id...
    "ownership": _countries(False),  # countries of your company's ownership
    "baseline": _string,  # the baseline file, relative to the config file, inside its repository
}


@dataclass(frozen=True)
class FileConfig:
    path: Optional[Path]
    values: Dict[str, Any]
    # Broken pyproject.toml files passed over on the way (not configuration: they never mention our
    # table), each with a one-line reason, to be listed with the scan's skipped files.
    skipped: Tuple[Tuple[Path, str], ...] = ()

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)


def load_config(path: Path, explicit: bool) -> FileConfig:
    """Read ``path``: a pyproject.toml (its ``[tool.provider-audit]`` table) or a file of top-level keys.

    ``explicit``: the file was named (``--config``), so a link is followed and a pyproject without the
    table is an error. Otherwise it belongs to the scanned repository (``find_config``): read without
    following a link, the paths it names kept inside its repository, and when it is not valid TOML
    (or ``tool`` is not a table) and does not mention ``tool.provider-audit``, it configures nothing.
    """
    try:
        raw = read_input(path, follow=explicit)
    except InputError as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    discovered_pyproject = not explicit and path.name == "pyproject.toml"
    try:
        data = _compat.tomllib.loads(raw.decode("utf-8"))
        if path.name == "pyproject.toml" and not isinstance(data.get("tool", {}), dict):
            raise ConfigError(f"{path}: key 'tool' must be a table")
    except (_compat.tomllib.TOMLDecodeError, UnicodeDecodeError, RecursionError, ConfigError) as exc:
        problem = {UnicodeDecodeError: "not UTF-8 text", RecursionError: "nested too deeply"}.get(type(exc), exc)
        if discovered_pyproject and not _names_our_table(raw):
            # A broken manifest, not a broken policy: the scan goes on and lists it.
            what = "key 'tool' is not a table" if isinstance(exc, ConfigError) else f"invalid TOML ({problem})"
            reason = printable(" ".join(f"{what}; not read as configuration (no tool.provider-audit table)".split()))
            return FileConfig(None, {}, ((path, reason),))
        if isinstance(exc, ConfigError):
            raise
        raise ConfigError(f"{path}: invalid TOML: {problem}") from None
    if path.name == "pyproject.toml":
        table = data.get("tool", {}).get("provider-audit")
        if table is None:
            if explicit:
                raise ConfigError(f"{path}: no [tool.provider-audit] table")
            return FileConfig(None, {})
    else:
        table = data
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.provider-audit] must be a table")
    values: Dict[str, Any] = {}
    for key, value in table.items():
        if key not in KEYS:
            import difflib  # for a mistake's hint only

            close = difflib.get_close_matches(key, sorted(KEYS), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise ConfigError(f"{path}: unknown key '{key}'{hint}")
        try:
            values[key] = KEYS[key](value)
        except TypeError as exc:
            raise ConfigError(f"{path}: key '{key}': {exc}") from None
    if "extra-rules" in values:
        values["extra-rules"] = _rule_paths(path, values["extra-rules"], explicit)
    if "baseline" in values:
        values["baseline"] = str(_inside_repository(path, values["baseline"]))
    return FileConfig(path, values)


def repository_of(path: Path) -> Path:
    """The repository holding the file ``path``: the nearest folder with ``.git``, else its own folder."""
    folder = path.resolve().parent
    for candidate in [folder, *folder.parents]:
        if (candidate / ".git").exists():
            return candidate
    return folder


def _inside_repository(config: Path, value: str) -> Path:
    """``value`` relative to the config file's folder; it must stay inside that file's repository, so a
    scanned repository's configuration can neither read files elsewhere nor name them."""
    target = config.parent / value
    repository = repository_of(config)
    try:
        target.resolve().relative_to(repository)
    except ValueError:
        raise ConfigError(f"{config}: key 'baseline': {value!r} is outside the repository ({repository})") from None
    return target


# ``[tool.provider-audit]``, ``[tool."provider-audit"]``, ``tool.provider-audit.x = ...``, or a key
# ``provider-audit`` (inside ``[tool]``): a file that may hold our table, so breaking it is an error.
_OUR_TABLE = re.compile(rb"""tool\s*\.\s*["']?provider-audit|^\s*["']?provider-audit["']?\s*[=.]""", re.M)


def _names_our_table(raw: bytes) -> bool:
    return _OUR_TABLE.search(raw) is not None


def _rule_paths(path: Path, items: Tuple[str, ...], explicit: bool) -> Tuple[Any, ...]:
    """``extra-rules`` relative to the config file; when the scanned repository named them, ``Confined``
    to its repository (checked lexically here, and component by component, links refused, when read)."""
    if explicit:
        return tuple(str(path.parent / p) for p in items)
    root, base = repository_of(path), path.resolve().parent
    confined: List[Confined] = []
    for item in items:
        try:
            confined.append(confine(root, item, base))
        except InputError as exc:
            raise ConfigError(f"{path}: key 'extra-rules': {item!r}: {exc}") from None
    return tuple(confined)


def find_config(start: Path) -> FileConfig:
    """The nearest pyproject.toml with a ``[tool.provider-audit]`` table, from ``start`` up to the repo
    root (the folder holding ``.git``). A pyproject.toml that is a symbolic link is not followed: a
    repository could point it at a file anywhere. Paths it names stay inside the repository."""
    folder = start if start.is_dir() else start.parent
    skipped: Tuple[Tuple[Path, str], ...] = ()
    for candidate in [folder, *folder.parents]:
        pyproject = candidate / "pyproject.toml"
        if not is_link(pyproject) and pyproject.is_file():
            found = load_config(pyproject, explicit=False)
            skipped += found.skipped
            if found.path is not None:
                return FileConfig(found.path, found.values, skipped)
        if (candidate / ".git").exists():
            break
    return FileConfig(None, {}, skipped)
