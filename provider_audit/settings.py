"""Settings: every option of an audit, typed and frozen, built once from CLI > config file > defaults.

``Settings.build`` is the only place that reads the configuration file's keys; the pipeline
(``api.py``) and the CLI read typed attributes, never ``config.get("...")`` strings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Optional, Tuple, Union

from provider_audit.data.config import Acknowledgement, FileConfig, find_config, load_config
from provider_audit.data.safe_read import Confined
from provider_audit.defaults import DEFAULT_BASELINE
from provider_audit.models import DECISIVE_CONTEXTS
from provider_audit.risk.vocabulary import Scopes
from provider_audit.scanning.analysis import DEFAULT_MAX_FILE_SIZE, ScanOptions
from provider_audit.scanning.discovery import ContextRules

if TYPE_CHECKING:  # pragma: no cover - the event module loads when there is something to match
    from provider_audit.risk.events import Ignore

DEFAULT_FAIL_ON = ("single-provider",)


@dataclass(frozen=True)
class Settings:
    """What one audit does. Field names follow the command-line options."""

    format: str = "text"
    fail_on: Tuple[str, ...] = DEFAULT_FAIL_ON
    as_of: Optional[date] = None  # None: today
    rule_files: Tuple[Union[Path, Confined], ...] = ()  # extra event files, config's extra-rules first
    exclude: Tuple[str, ...] = ()
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    use_git: bool = True
    jobs: Optional[int] = None
    cache: bool = True
    cache_dir: Optional[Path] = None
    baseline: Optional[Path] = None  # the baseline to compare against (option > config > default name)
    baseline_follows_links: bool = True  # named on the command line; else the scanned repository's own file
    state_files: Tuple[Path, ...] = ()  # files the tool reads or writes as its own state: never evidence
    ignore_suppressions: bool = False
    decisive_contexts: Tuple[str, ...] = DECISIVE_CONTEXTS
    contexts: ContextRules = ContextRules()
    ignore: Tuple[str, ...] = ()  # finding codes never reported
    per_path_ignores: Mapping[str, Tuple[str, ...]] = field(default_factory=dict)
    ignore_events: Tuple[Ignore, ...] = ()
    allowed_providers: Optional[Tuple[str, ...]] = None
    acknowledge_lock_in: Optional[Acknowledgement] = None
    config_file: Optional[Path] = None  # where the file settings came from, if anywhere
    config_skipped: Tuple[Tuple[Path, str], ...] = ()  # broken pyproject.toml files passed over, and why
    max_rules_age: int = 30  # days; older rules are a warning (a failure under the stale-rules policy)
    since: Optional[date] = None  # list the matched risk items added or changed after this day
    data_dir: Optional[Path] = None  # where installed rules bundles live (None: environment, default)
    scopes: Scopes = Scopes()  # jurisdictions, customer-types, ownership declared in the config file
    show_informational: bool = False  # list informational events too (never hits)

    def today(self) -> date:
        return self.as_of or date.today()

    def scan_options(self) -> ScanOptions:
        return ScanOptions(max_file_size=self.max_file_size, excludes=self.exclude, contexts=self.contexts,
                           use_git=self.use_git, jobs=self.jobs, decisive=self.decisive_contexts)

    @classmethod
    def build(cls, options: Mapping[str, Any], config: FileConfig, root: Optional[Path] = None) -> "Settings":
        """Settings from command-line ``options`` (None or empty: not given) over ``config`` over defaults.

        The baseline is the one named by ``--baseline``, else by the config's ``baseline`` key, else
        ``DEFAULT_BASELINE`` at the scan ``root`` when that file exists; ``no_baseline`` or
        ``write_baseline`` (which records rather than compares) turn the comparison off. Every baseline
        so named, the file ``write_baseline`` names and the report file ``output`` are state files.
        """
        def given(name: str) -> Any:
            value = options.get(name)
            return None if value in (None, (), "") else value

        allowed = config.get("allowed-providers")
        default = root / DEFAULT_BASELINE if root is not None else None
        named = given("baseline") or config.get("baseline")
        baseline = Path(named) if named else (default if default is not None and default.is_file() else None)
        state = [p for p in (baseline, default) if p is not None]
        state += [Path(given(key)) for key in ("write_baseline", "output") if given(key) not in (None, "-")]
        if options.get("no_baseline") or given("write_baseline"):
            baseline = None
        cache_dir = given("cache_dir")
        return cls(
            format=given("format") or config.get("format", "text"),
            fail_on=tuple(given("fail_on") or config.get("fail-on", DEFAULT_FAIL_ON)),
            as_of=given("as_of"),
            rule_files=tuple(p if isinstance(p, Confined) else Path(p)  # the repository's own: kept inside it
                             for p in tuple(config.get("extra-rules", ())) + tuple(options.get("rule_files") or ())),
            exclude=tuple(config.get("exclude", ())) + tuple(options.get("exclude") or ()),
            max_file_size=given("max_file_size") or config.get("max-file-size", DEFAULT_MAX_FILE_SIZE),
            use_git=not options.get("no_git", False),
            jobs=options.get("jobs"),
            cache=not options.get("no_cache", False),
            cache_dir=Path(cache_dir) if cache_dir else None,
            baseline=baseline,
            baseline_follows_links=bool(given("baseline")),
            state_files=tuple(dict.fromkeys(state)),
            ignore_suppressions=bool(options.get("ignore_suppressions", False)),
            decisive_contexts=tuple(config.get("decisive-contexts", DECISIVE_CONTEXTS)),
            contexts=ContextRules(test=tuple(config.get("test-paths", ())), example=tuple(config.get("example-paths", ())),
                                  docs=tuple(config.get("docs-paths", ())), source=tuple(config.get("source-paths", ())),
                                  auxiliary=tuple(config.get("auxiliary-paths", ())),
                                  data=tuple(config.get("data-paths", ()))),
            ignore=tuple(config.get("ignore", ())),
            per_path_ignores=dict(config.get("per-path-ignores", {})),
            ignore_events=tuple(config.get("ignore-events", ())),
            allowed_providers=tuple(allowed) if allowed is not None else None,
            acknowledge_lock_in=config.get("acknowledge-lock-in"),
            config_file=config.path,
            config_skipped=config.skipped,
            max_rules_age=given("max_rules_age") if given("max_rules_age") is not None
            else config.get("max-rules-age", 30),
            since=given("since"),
            data_dir=Path(given("data_dir")) if given("data_dir") else None,
            scopes=Scopes.of(config.get("jurisdictions"), config.get("customer-types"), config.get("ownership")),
            show_informational=bool(options.get("show_informational", False)),
        )


def read_config(root: Path, config_path: Optional[str] = None, isolated: bool = False) -> FileConfig:
    """The configuration file in force for a scan of ``root``: none when isolated, the named one, or the
    nearest ``pyproject.toml`` with a ``[tool.provider-audit]`` table."""
    if isolated:
        return FileConfig(None, {})
    if config_path:
        return load_config(Path(config_path), explicit=True)
    return find_config(root.resolve())


