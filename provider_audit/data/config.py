"""Configuration from ``[tool.provider-audit]`` in pyproject.toml (or ``--config FILE``).

Keys are kebab-case. An unknown key or a wrong type is an error (exit 2): a gate must not silently
ignore a typo'd ``fail-on``. The command line overrides the file, the file overrides the defaults.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable, Dict, Optional, Tuple

from provider_audit._compat import tomllib
from provider_audit.models import CONTEXTS

LOCK_IN_POLICIES = ("single-provider", "not-abstracted", "any-usage", "never")
RISK_POLICIES = ("risk:critical", "risk:high", "risk:medium", "risk:low")
# new-provider-state: a use of a feature that keeps state or data at a provider (with a baseline: a new one)
SWITCHING_POLICIES = ("new-provider-state",)
RULES_POLICIES = ("stale-rules",)  # the rules in use are older than max-rules-age
FAIL_ON_CHOICES = LOCK_IN_POLICIES + RISK_POLICIES + SWITCHING_POLICIES + RULES_POLICIES
FORMAT_CHOICES = ("text", "json", "sarif", "markdown", "github")


class ConfigError(Exception):
    """A configuration file or value is wrong; the message names the file and the key."""


def _string_list(value: Any) -> Tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
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
    items = [p.strip() for p in value.split(",")] if isinstance(value, str) else _string_list(value)
    for item in items:
        if item not in FAIL_ON_CHOICES:
            raise TypeError(f"unknown policy {item!r} (one of {', '.join(FAIL_ON_CHOICES)})")
    if not items:
        raise TypeError("expected at least one policy")
    return tuple(items)


def _positive_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise TypeError("expected a positive integer (bytes)")
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


_CODE_RE = __import__("re").compile(r"PA[0-9]{0,3}(?:/[a-z0-9-]+)?")


def _codes(value: Any) -> Tuple[str, ...]:
    items = _string_list(value)
    for item in items:
        if not _CODE_RE.fullmatch(item):
            raise TypeError(f"{item!r} is not a finding code or code prefix (PA106, PA1...)")
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
    if isinstance(until, str):
        try:
            until = date.fromisoformat(until)
        except ValueError:
            raise TypeError(f"'until' {until!r} is not a date (YYYY-MM-DD)") from None
    if until is not None and (not isinstance(until, date) or isinstance(until, datetime)):
        raise TypeError("'until' must be a date (YYYY-MM-DD)")
    return Acknowledgement(provider, reason.strip(), until)


# key -> converter; the converter raises TypeError with a human message.
KEYS: Dict[str, Callable[[Any], Any]] = {
    "exclude": _string_list,
    "fail-on": parse_policies,
    "format": _choice(FORMAT_CHOICES),
    "max-file-size": _positive_int,
    "test-paths": _string_list,
    "example-paths": _string_list,
    "docs-paths": _string_list,
    "source-paths": _string_list,
    "auxiliary-paths": _string_list,  # eval/benchmark harnesses, legacy code, one-off scripts
    "data-paths": _string_list,  # results, recorded responses, dumps: never decisive by default
    "decisive-contexts": _contexts,
    "extra-rules": _string_list,  # event files, relative to the config file
    "ignore-events": _ignores,
    "ignore": _codes,  # finding codes (or prefixes) never reported
    "per-path-ignores": _per_path,  # glob -> codes ignored under it
    "allowed-providers": _string_list,  # reaching any other provider fails the policy
    "acknowledge-lock-in": _acknowledgement,  # single-provider on purpose, for a while
    "max-rules-age": _days,  # warn (or fail under stale-rules) when the rules in use are older
    "rules-url": _url,  # where `rules update` downloads the rules bundle from
    "baseline": _string,  # the baseline file, relative to the config file, inside its repository
}


@dataclass(frozen=True)
class FileConfig:
    path: Optional[Path]
    values: Dict[str, Any]

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)


def load_config(path: Path, explicit: bool) -> FileConfig:
    """Read ``path``: a pyproject.toml (its ``[tool.provider-audit]`` table) or a file of top-level keys."""
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: invalid TOML: not UTF-8 text") from None
    except RecursionError:
        raise ConfigError(f"{path}: invalid TOML: nested too deeply") from None
    if path.name == "pyproject.toml":
        tool = data.get("tool", {})
        if not isinstance(tool, dict):
            raise ConfigError(f"{path}: key 'tool' must be a table")
        table = tool.get("provider-audit")
        if table is None:
            if explicit:
                raise ConfigError(f"{path}: no [tool.provider-audit] table")
            return FileConfig(None, {})
    else:
        table = data
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.provider-audit] must be a table")
    values: Dict[str, Any] = {}
    for key, raw in table.items():
        if key not in KEYS:
            close = difflib.get_close_matches(key, sorted(KEYS), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise ConfigError(f"{path}: unknown key '{key}'{hint}")
        try:
            values[key] = KEYS[key](raw)
        except TypeError as exc:
            raise ConfigError(f"{path}: key '{key}': {exc}") from None
    if "extra-rules" in values:
        values["extra-rules"] = tuple(str(path.parent / p) for p in values["extra-rules"])
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


def find_config(start: Path) -> FileConfig:
    """The nearest pyproject.toml with a ``[tool.provider-audit]`` table, from ``start`` up to the repo root."""
    folder = start if start.is_dir() else start.parent
    for candidate in [folder, *folder.parents]:
        pyproject = candidate / "pyproject.toml"
        if pyproject.is_file():
            found = load_config(pyproject, explicit=False)
            if found.path is not None:
                return found
        if (candidate / ".git").exists():
            break
    return FileConfig(None, {})
