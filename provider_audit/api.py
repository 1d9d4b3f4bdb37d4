"""The pipeline, start to end: ``audit(path) -> AuditResult``. Read this first.

    settings   Settings.build(options, config file)              settings.py
    scan       discover files, analyse each, attribute            scanning/
    suppress   inline comments and configured ignores             findings/suppress.py
    risk       match provider-risk events to production evidence  risk/
    judge      footprint, lock-in verdict, layers, advice         judging/, result.py
    gate       policies, allowed providers, baseline              findings/policy.py

The CLI (``cli.py``) is a thin edge around this: it parses options, calls ``run``, renders the result
with a formatter (``formatters/``) and maps the policy outcome to an exit code.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
import importlib
from typing import TYPE_CHECKING, Any, Iterable, List, Optional, Sequence, Union

from provider_audit.data import resources
from provider_audit.data.catalog import Catalog, load_catalog
from provider_audit.data.config import ConfigError
from provider_audit.data.features import features_path
from provider_audit.data.sdk_constants import sdk_constants_path
from provider_audit.findings.suppress import apply_suppressions
from provider_audit.models import ScanResult, Skip
from provider_audit.redact import printable
from provider_audit.risk.check import RiskRules, check_rules
from provider_audit.scanning.cache import default_folder, open_cache
from provider_audit.scanning.scan import scan
from provider_audit.settings import Settings, read_config

if TYPE_CHECKING:  # pragma: no cover
    from provider_audit.result import AuditResult

# The stages after the scan (judge, gate, freshness) are imported where ``run`` reaches them: while
# worker processes scan a large tree, this process imports them meanwhile (``_AFTER_THE_SCAN``).
_AFTER_THE_SCAN = ("provider_audit.result", "provider_audit.findings.policy", "provider_audit.findings.baseline",
                   "provider_audit.feed.freshness")


def audit(path: Union[str, Path] = ".", *, config: Optional[str] = None, isolated: bool = False,
          **options: Any) -> AuditResult:
    """Audit the folder ``path`` as ``provider-audit PATH`` would, and return the typed result.

    ``options`` are the command line's, by their Python names (``fail_on=("risk:high",)``,
    ``exclude=("legacy/**",)``, ``no_cache=True``, ``as_of=date(2026, 12, 1)``...); ``config`` names a
    configuration file, and ``isolated=True`` ignores every configuration file. Nothing is printed.
    """
    root = Path(path)
    if not root.is_dir():
        raise ConfigError(f"{path}: not a folder")
    settings = Settings.build(options, read_config(root, config, isolated), root)
    return run(root, settings)


def run(root: Path, settings: Settings, files: Sequence[str] = (), catalog: Optional[Catalog] = None
        ) -> AuditResult:
    """The audit of ``root`` (or of ``files`` below it) under ``settings``."""
    if settings.data_dir is not None:
        resources.use_data_dir(settings.data_dir)
    catalog = catalog or load_catalog()
    check_provider_ids(catalog, settings)
    rules = RiskRules(catalog, settings.rule_files)  # the user's files load now, the rules in use when needed
    known = None
    if settings.baseline:
        from provider_audit.findings.baseline import load_baseline

        known = load_baseline(settings.baseline, settings.baseline_follows_links)
    options = settings.scan_options()
    options = replace(options, excludes=options.excludes + state_excludes(root, settings.state_files))
    cache = None
    if settings.cache:
        salt = [_digest(Path(catalog.source)), _digest(features_path()), _digest(sdk_constants_path()),
                str(options.max_file_size)]
        cache = open_cache(settings.cache_dir, root.resolve(), salt)
    def meanwhile() -> None:
        # While worker processes scan a large tree, this one loads the risk tables the result is checked
        # against (a tree that large has evidence to check; a serial scan loads them only if it has), and
        # the modules of the stages after the scan.
        rules.load()
        for module in _AFTER_THE_SCAN:
            importlib.import_module(module)

    scanned = scan(root, files, options, catalog, cache, meanwhile=meanwhile)
    _list_skipped_config(root, settings, scanned)
    silenced = apply_suppressions(scanned.evidence, scanned.suppressions, settings.ignore, settings.per_path_ignores,
                                  honour_inline=not settings.ignore_suppressions)
    scanned.evidence = silenced.kept
    today = settings.today()
    names = {pid: p.name for pid, p in catalog.providers.items()}
    risk = check_rules(scanned.evidence, rules, settings.ignore_events, today, settings.decisive_contexts,
                       scopes=settings.scopes, names=names)
    risk.show_informational = settings.show_informational
    from provider_audit.feed.freshness import rules_used, track
    from provider_audit.findings.policy import evaluate_policy
    from provider_audit.result import judge_scan

    result = judge_scan(scanned, catalog, settings.decisive_contexts, risk, silenced)
    in_use = resources.rules_in_use()
    result.rules = rules_used(in_use, today, settings.max_rules_age)
    result.novelty = track(root.resolve(), risk.matched, (settings.cache_dir or default_folder()) if settings.cache else None,
                           today, settings.as_of is None, settings.since, in_use)
    result.policy = evaluate_policy(result, settings.fail_on, settings.allowed_providers,
                                    settings.acknowledge_lock_in, today, known)
    result.baseline_file = printable(str(settings.baseline)) if settings.baseline else None
    result.cache_hits = cache.hits if cache is not None else 0
    return result


def _list_skipped_config(root: Path, settings: Settings, scanned: ScanResult) -> None:
    """A broken pyproject.toml passed over as configuration is listed as skipped, once."""
    base = root.resolve()
    for path, reason in settings.config_skipped:
        try:
            shown = printable(path.resolve().relative_to(base).as_posix())
        except ValueError:
            shown = printable(str(path))
        if not any(skip.path == shown for skip in scanned.skips):
            scanned.skips.append(Skip(shown, reason))
            scanned.skips.sort(key=lambda s: (s.path, s.reason))


def state_excludes(root: Path, files: Iterable[Path]) -> tuple:
    """Exclude patterns for the tool's own state files (baselines, report files) inside ``root``:
    anchored, with gitignore's special characters escaped, so they match those files and nothing else."""
    base = root.resolve()
    patterns: List[str] = []
    for path in files:
        try:
            relative = path.resolve().relative_to(base).as_posix()
        except (ValueError, OSError, RuntimeError):
            continue  # outside the scanned folder: never discovered anyway
        if relative != ".":
            patterns.append("/" + "".join("\\" + c if c in "\\*?[" else c for c in relative))
    return tuple(patterns)


def check_provider_ids(catalog: Catalog, settings: Settings) -> None:
    """Provider ids named in the configuration must exist (a typo must not weaken a gate)."""
    named = list(settings.allowed_providers or ())
    if settings.acknowledge_lock_in is not None:
        named.append(settings.acknowledge_lock_in.provider)
    for provider in named:
        if provider not in catalog.providers:
            import difflib

            close = difflib.get_close_matches(provider, sorted(catalog.providers), n=1)
            raise ConfigError(f"{settings.config_file}: unknown provider id {provider!r}"
                              + (f" (did you mean '{close[0]}'?)" if close else ""))


def _digest(path: Path) -> str:
    try:
        import hashlib

        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""
