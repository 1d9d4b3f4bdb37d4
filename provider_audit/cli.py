"""Command line: parse options, load config, scan, render, and map the outcome to an exit code.

Exit codes: 0 the policy passed, 1 the policy failed, 2 usage, configuration or internal error.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import re
import sys
import traceback
from datetime import date
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import click

from provider_audit import __version__
from provider_audit.findings.baseline import BaselineError
from provider_audit.scanning.cache import CACHE_DIR_ENV, NO_CACHE_ENV
from provider_audit.data import resources
from provider_audit.data.catalog import CatalogError, load_catalog, load_catalog_file
from provider_audit.data.config import FORMAT_CHOICES, ConfigError, file_size_limit, parse_policies
from provider_audit.scanning.discovery import discover
from provider_audit.risk.events import KINDS as EVENT_KINDS
from provider_audit.risk.events import IMPACTS, Event, RulesError
from provider_audit.risk.lifecycle import LifecycleError
from provider_audit.feed import FeedError
from provider_audit.feed.store import DATA_DIR_ENV
from provider_audit.api import run
from provider_audit.formatters import render
from provider_audit.output import OutputError, write_file, write_output
from provider_audit.redact import printable, redact_tokens
from provider_audit.settings import Settings, read_config
from provider_audit.scanning.parallel import JOBS_ENV, few_collections
from provider_audit.findings.baseline import DEFAULT_BASELINE, baseline_document
from provider_audit.risk.check import load_database, load_lifecycle_table
from provider_audit.scanning.analysis import DEFAULT_MAX_FILE_SIZE

EXIT_PASS, EXIT_FAIL, EXIT_ERROR = 0, 1, 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it
CONTEXT = {"help_option_names": ["-h", "--help"]}


class UserError(click.ClickException):
    """A mistake in how the tool was called or configured: one line, exit 2."""

    exit_code = EXIT_ERROR

    def format_message(self) -> str:  # messages quote paths and values: one printable line, keys redacted
        return printable(redact_tokens(self.message))


def resolve_targets(paths: Sequence[str]) -> Tuple[Path, List[str]]:
    """The scan root and, when files were named, the files to scan relative to it."""
    if not paths:
        paths = (".",)
    for raw in paths:
        if not raw:
            raise UserError("'' (an empty path): no such file or directory")
        if not os.path.lexists(raw):
            raise UserError(f"{raw}: no such file or directory")
    if len(paths) == 1 and os.path.isdir(paths[0]):
        return Path(paths[0]), []
    root = Path.cwd()
    files: List[str] = []
    for raw in paths:
        absolute = Path(raw).resolve()
        try:
            relative = absolute.relative_to(root.resolve()).as_posix()
        except ValueError:
            raise UserError(f"{raw}: outside the current folder; run provider-audit from a folder that holds it")
        if absolute.is_dir():
            found = discover(absolute)
            files.extend(f"{relative}/{f}" if relative != "." else f for f in found.files)
        else:
            files.append(relative)
    return root, files


class DefaultToScan(click.Group):
    """``provider-audit [PATHS]`` means ``provider-audit scan [PATHS]``; ``rules`` is a subcommand."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:  # not click's "Aborted!" and exit 1, the code of a failed policy
            click.echo("provider-audit: interrupted; no report", err=True)
            parallel = sys.modules.get("provider_audit.scanning.parallel")
            if parallel is not None and parallel.stopped_a_pool:
                # The stopped pool's exit hook can fail on a closed pipe and print a traceback: leave now.
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(EXIT_INTERRUPTED)
            raise click.exceptions.Exit(EXIT_INTERRUPTED) from None

    def parse_args(self, ctx: click.Context, args: List[str]) -> List[str]:
        ctx.meta["provider_audit.args"] = tuple(args)  # as typed, for the "full report" hint
        if not args or (args[0] not in self.commands and args[0] not in ("-h", "--help", "--version")):
            args = ["scan", *args]
        return super().parse_args(ctx, args)


@click.group(cls=DefaultToScan, context_settings=CONTEXT)
@click.version_option(__version__, prog_name="provider-audit")
def main() -> None:
    """Find where a codebase is hard-wired to one LLM provider, and what to do about it.

    Run `provider-audit [PATHS]` (the `scan` command) or `provider-audit rules ...`.
    """
    resources.use_data_dir(None)  # each invocation chooses its rules afresh (--data-dir, the environment)


def _as_of(ctx: click.Context, param: click.Parameter, value: Optional[str]) -> Optional[date]:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


def _checked(convert: Callable[[Any], Any]) -> Callable[[click.Context, click.Parameter, Any], Any]:
    """An option callback: ``convert(value)``, its TypeError a usage error (the same checks as the config file)."""
    def callback(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        if value is None:
            return None
        try:
            return convert(value)
        except TypeError as exc:
            raise click.BadParameter(str(exc)) from None
    return callback


@main.command("scan", context_settings=CONTEXT)
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(FORMAT_CHOICES), envvar="PROVIDER_AUDIT_FORMAT",
              help="Report format (default: text).")
@click.option("-o", "--output", metavar="FILE", envvar="PROVIDER_AUDIT_OUTPUT",
              help="Write the report to FILE instead of stdout (only after a successful scan).")
@click.option("--fail-on", callback=_checked(parse_policies), metavar="POLICY[,POLICY]",
              help="When to exit 1: single-provider (default), not-abstracted, any-usage, never, "
                   "risk:critical|high|medium|low, new-provider-state, stale-rules; comma-separated, any "
                   "failing policy fails.")
@click.option("--exit-zero", is_flag=True, help="Report, but exit 0 even when the policy fails.")
@click.option("--as-of", callback=_as_of, metavar="DATE", help="Evaluate risk events as of DATE (default: today).")
@click.option("--rules", "rule_files", multiple=True, type=click.Path(dir_okay=True), metavar="FILE",
              help="Extra risk-event file or folder (repeatable), on top of the shipped database.")
@click.option("--config", "config_path", metavar="FILE", type=click.Path(dir_okay=False),
              help="Read settings from FILE instead of the nearest pyproject.toml.")
@click.option("--isolated", is_flag=True, help="Ignore all configuration files.")
@click.option("--exclude", multiple=True, metavar="GLOB", help="Skip paths matching GLOB (repeatable).")
@click.option("--max-file-size", type=int, callback=_checked(file_size_limit), metavar="BYTES",
              help=f"Skip files larger than this (default: {DEFAULT_MAX_FILE_SIZE}).")
@click.option("--no-git", is_flag=True, help="Walk the folder instead of asking git which files it tracks.")
@click.option("--jobs", "-j", type=click.IntRange(min=0), envvar=JOBS_ENV, metavar="N",
              help="Processes to scan with: 0 = one per core (default), 1 = serial. Small trees always run serially.")
@click.option("--no-cache", is_flag=True, envvar=NO_CACHE_ENV,
              help="Analyse every file, neither reading nor writing the cache of per-file results.")
@click.option("--cache-dir", type=click.Path(file_okay=False), envvar=CACHE_DIR_ENV, metavar="DIR",
              help="Where the cache of per-file results lives (default: ~/.cache/provider-audit).")
@click.option("--baseline", "baseline_path", metavar="FILE", type=click.Path(dir_okay=False),
              help="Report and fail only on findings not recorded in FILE.")
@click.option("--write-baseline", "write_baseline_path", metavar="FILE", type=click.Path(dir_okay=False),
              help="Record today's findings in FILE (fingerprints without line numbers) and exit 0; no report.")
@click.option("--no-baseline", is_flag=True,
              help=f"Compare with no baseline, not even a configured one or {DEFAULT_BASELINE}.")
@click.option("-q", "--quiet", is_flag=True,
              help="Text format: a short failure message (verdict, deciding findings) instead of the full report. "
                   "The default under pre-commit (PRE_COMMIT=1).")
@click.option("-v", "--verbose", is_flag=True, envvar="PROVIDER_AUDIT_VERBOSE",
              help="Text format: the full report, even under pre-commit (env PROVIDER_AUDIT_VERBOSE=1).")
@click.option("--ignore-suppressions", is_flag=True,
              help="Ignore inline provider-audit: ignore comments (to audit them).")
@click.option("--max-rules-age", type=click.IntRange(min=0), metavar="DAYS",
              help="Warn when the rules in use are older than DAYS (default: 30; fail with --fail-on stale-rules).")
@click.option("--since", callback=_as_of, metavar="DATE",
              help="List the matched risk items whose event was added or changed after DATE.")
@click.option("--data-dir", type=click.Path(file_okay=False), metavar="DIR",
              help=f"Where `rules update` installed the rules bundle (default: ${DATA_DIR_ENV}, "
                   "else ~/.local/share/provider-audit).")
@click.option("--show-informational", is_flag=True,
              help="Also list informational risk events (news, letters, proposed rules): never hits, never a gate.")
@click.option("--debug", is_flag=True, help="Show tracebacks for internal errors.")
def scan_command(debug: bool, **options: Any) -> None:
    """Scan PATHS (default: .) and report the LLM providers they are wired to."""
    with few_collections():
        code = _guarded(debug, run_scan, **options)
    sys.exit(code)


def _guarded(debug: bool, action: Callable[..., int], **kwargs: Any) -> int:
    """Run ``action``; user mistakes become one line and exit 2, internal errors too (traceback on --debug)."""
    try:
        return action(**kwargs)
    except (ConfigError, CatalogError, RulesError, LifecycleError, BaselineError, FeedError, OutputError) as exc:
        raise UserError(str(exc)) from None
    except click.ClickException:
        raise
    except Exception as exc:  # an internal error: one line, and the traceback only on request
        if debug:
            traceback.print_exc()
        raise UserError(f"internal error: {type(exc).__name__}: {printable(str(exc))} "
                        "(re-run with --debug for details)") from None


def run_scan(paths: Tuple[str, ...], fmt: Optional[str], output: Optional[str], fail_on: Optional[Tuple[str, ...]],
             exit_zero: bool, config_path: Optional[str], isolated: bool, baseline_path: Optional[str],
             write_baseline_path: Optional[str], quiet: bool, verbose: bool, **options: Any) -> int:
    """The scan command: settings from the options and the config file, ``api.run``, render, exit code."""
    if isolated and config_path:  # which one would win is a guess, and a guess may drop the stricter policy
        raise click.UsageError("--config and --isolated contradict each other: --isolated ignores every "
                               "configuration file; pass one of them")
    root, files = resolve_targets(paths)
    config = read_config(root, config_path, isolated)
    settings = Settings.build(dict(options, format=fmt, fail_on=fail_on, baseline=baseline_path,
                                   write_baseline=write_baseline_path, output=output), config, root)
    result = run(root, settings, files)
    if write_baseline_path:
        return _write_baseline(result, write_baseline_path)
    outcome = result.policy
    assert outcome is not None
    code = EXIT_FAIL if outcome.failed and not exit_zero else EXIT_PASS
    short = settings.format == "text" and output in (None, "-") and not verbose and (quiet or under_pre_commit())
    if short:
        from provider_audit.formatters.short import short_report  # formatters load when used

        click.echo(short_report(result, code, full_report_command()), nl=False)
        return code
    write_output(render(result, settings.format), output)
    lock_in = result.lock_in
    who = f" ({', '.join(lock_in.providers)})" if lock_in.providers else ""
    said = f"policy failed: {', '.join(outcome.failed)}" if outcome.failed else "policy passed"
    if outcome.comparison is not None:
        said += f"; baseline: {len(outcome.comparison.new)} new, {outcome.comparison.known} known"
    cached = f" ({result.cache_hits} unchanged, from the cache)" if result.cache_hits else ""
    items = len(result.risk.items()) if result.risk else 0
    click.echo(f"provider-audit: {lock_in.verdict}{who}; {len(result.usages)} usages in "
               f"{result.summary.files_scanned} files{cached}; {items} risk item{'s' if items != 1 else ''}; "
               f"{said}; exit {code}", err=True)
    rules_warnings = result.rules.warnings() if result.rules else []
    for warning in (result.risk.warnings if result.risk else []) + outcome.warnings + rules_warnings:
        click.echo(f"provider-audit: warning: {printable(warning)}", err=True)
    return code


def _use_data_dir(ctx: click.Context, param: click.Parameter, value: Optional[str]) -> Optional[str]:
    if value or isinstance(ctx.command, click.Group):  # the group's option resets; a command's may set
        resources.use_data_dir(Path(value) if value else None)
    return value


_data_dir_option = click.option(
    "--data-dir", type=click.Path(file_okay=False), metavar="DIR", is_eager=True, expose_value=False,
    callback=_use_data_dir,
    help=f"Where `rules update` installs rules bundles (default: ${DATA_DIR_ENV}, else ~/.local/share/provider-audit).")


def _write_baseline(result: Any, target: str) -> int:
    """Record the findings in ``target``; one line says how many and where; exit 0 whatever the policy."""
    document = baseline_document(result)
    write_output(json.dumps(document, indent=2) + "\n", target)
    count = len(document["findings"])
    lock_in = result.lock_in
    who = f": {', '.join(lock_in.providers)}" if lock_in.providers else ""
    click.echo(f"provider-audit: recorded {count} finding{'' if count == 1 else 's'} in {target} "
               f"({lock_in.verdict}{who}); exit 0", err=True)
    return EXIT_PASS


def under_pre_commit() -> bool:
    """pre-commit sets PRE_COMMIT=1 in the environment of the hooks it runs."""
    return os.environ.get("PRE_COMMIT", "") not in ("", "0")


def full_report_command() -> str:
    """How to see the full report: under pre-commit, the hook again with PROVIDER_AUDIT_VERBOSE=1
    (provider-audit may be installed only in pre-commit's environment); else this command without --quiet."""
    import shlex

    if under_pre_commit():
        return "PROVIDER_AUDIT_VERBOSE=1 pre-commit run provider-audit --all-files"
    args = [a for a in _invocation() if a not in ("-q", "--quiet")]
    if args[:1] == ["scan"]:
        args = args[1:]
    return " ".join(["provider-audit", *(shlex.quote(a) for a in args)])


def _invocation() -> List[str]:
    context = click.get_current_context(silent=True)
    root = context.find_root() if context is not None else None
    return list(root.meta.get("provider_audit.args", ())) if root is not None else []


@main.group(context_settings=CONTEXT)
@_data_dir_option
def rules() -> None:
    """Validate, list and show provider-risk events; bundle, update and inspect the rules in use."""


@rules.command("validate")
@_data_dir_option
@click.argument("files", nargs=-1, type=click.Path())
@click.option("--debug", is_flag=True, help="Show tracebacks for internal errors.")
def rules_validate(files: Tuple[str, ...], debug: bool) -> None:
    """Check event FILES (default: the shipped events and lifecycle tables) against the schema; exit 2 on the
    first error."""

    def action() -> int:
        from provider_audit.data.features import features_path, load_features_file

        # Every regex through the safety screen, those of the rules in use too (scans do not screen them again).
        catalog = load_catalog_file(resources.rules_dir() / "providers.yaml", shipped=True, screen=True)
        load_features_file(features_path(), catalog, shipped=True, screen=True)
        for raw in files:
            if not os.path.exists(raw):
                raise UserError(f"{raw}: no such file or directory")
        events = load_database(catalog, tuple(Path(f) for f in files), screen=True)
        providers = {p for e in events for p in e.providers}
        click.echo(f"{len(events)} events over {len(providers)} providers: valid")
        if not files:  # the shipped database: its model lifecycle tables too
            table = load_lifecycle_table(catalog, screen=True)
            sizes = table.count_ids()
            click.echo(f"{sum(sizes.values())} model ids over {len(sizes)} platforms (lifecycle): valid")
        return EXIT_PASS

    sys.exit(_guarded(debug, action))


@rules.command("list")
@_data_dir_option
@click.option("--provider", help="Only events hitting this provider or model vendor.")
@click.option("--kind", type=click.Choice(EVENT_KINDS), help="Only events of this kind.")
@click.option("--impact", type=click.Choice(IMPACTS), help="Only events of this impact (informational included).")
@click.option("--rules", "rule_files", multiple=True, type=click.Path(), metavar="FILE",
              help="Extra event file (repeatable).")
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True)
def rules_list(provider: Optional[str], kind: Optional[str], impact: Optional[str], rule_files: Tuple[str, ...],
               fmt: str) -> None:
    """List the known risk events, informational ones included, newest first."""

    def action() -> int:
        events = load_database(load_catalog(), tuple(Path(f) for f in rule_files))
        chosen = [e for e in events if (not provider or provider in e.providers or provider in e.vendors)
                  and (not kind or e.kind == kind) and (not impact or e.impact == impact)]
        chosen.sort(key=lambda e: (-(e.start or date.min).toordinal(), e.id))
        if fmt == "json":
            click.echo(json.dumps([_event_json(e) for e in chosen], indent=2))
        else:
            for e in chosen:
                when = e.start.isoformat() if e.start else "undated   "
                click.echo(f"{when}  {e.severity:<8} {e.impact:<13} {e.status:<10} {e.kind:<24} {e.id}")
            click.echo(f"{len(chosen)} events", err=True)
        return EXIT_PASS

    sys.exit(_guarded(False, action))


@rules.command("show")
@_data_dir_option
@click.argument("event_id")
@click.option("--rules", "rule_files", multiple=True, type=click.Path(), metavar="FILE",
              help="Extra event file (repeatable).")
def rules_show(event_id: str, rule_files: Tuple[str, ...]) -> None:
    """Show one event in full."""

    def action() -> int:
        events = {e.id: e for e in load_database(load_catalog(), tuple(Path(f) for f in rule_files))}
        if event_id not in events:
            close = difflib.get_close_matches(event_id, sorted(events), n=1)
            raise UserError(f"no event '{event_id}'" + (f" (did you mean '{close[0]}'?)" if close else ""))
        for key, value in _event_json(events[event_id]).items():
            if value in (None, [], ""):
                continue
            if isinstance(value, list):
                value = "\n  ".join([""] + [str(v) for v in value])
            click.echo(f"{key}: {value}")
        return EXIT_PASS

    sys.exit(_guarded(False, action))


def _event_json(e: Event) -> Dict[str, Any]:
    day = lambda d: d.isoformat() if d else None  # noqa: E731
    return {
        "id": e.id, "title": e.title, "kind": e.kind, "impact": e.impact, "severity": e.severity,
        "status": e.status, "status_as_of": day(e.status_as_of), "confidence": e.confidence,
        "providers": list(e.providers), "vendors": list(e.vendors),
        "announced": day(e.announced), "effective": day(e.effective), "ends": day(e.ends),
        "history": [f"{h.date.isoformat()} {h.status}" + (f": {h.note}" if h.note else "") for h in e.history],
        "superseded_by": e.superseded_by,
        "models": list(e.models), "packages": [f"{p.ecosystem}:{p.name}{p.versions}" for p in e.packages],
        "surfaces": list(e.surfaces), "features": list(e.features), "jurisdictions": list(e.jurisdictions),
        "customer_types": list(e.customer_types), "ownership": list(e.ownership),
        "regions": list(e.regions), "accounts": list(e.accounts), "summary": e.summary,
        "mitigation": e.mitigation, "sources": list(e.sources),
        "source_types": [r.type for r in e.references], "checked": day(e.checked), "file": e.file,
    }


def _sha256(ctx: click.Context, param: click.Parameter, value: Optional[str]) -> Optional[str]:
    if value is not None and not re.fullmatch(r"[0-9a-fA-F]{64}", value):
        raise click.BadParameter("expected 64 hexadecimal digits")
    return value.lower() if value else None


@rules.command("bundle")
@_data_dir_option
@click.argument("rules_dir", required=False, type=click.Path(exists=True, file_okay=False))
@click.option("-o", "--output", required=True, metavar="FILE",
              help="Where to write the bundle (gzip-compressed when FILE ends in .gz).")
@click.option("--previous", metavar="URL_OR_PATH",
              help="The bundle published before: unchanged risk items keep their change day (a warning if unavailable).")
@click.option("--debug", is_flag=True, help="Show tracebacks for internal errors.")
def rules_bundle(rules_dir: Optional[str], output: str, previous: Optional[str], debug: bool) -> None:
    """Build one file holding the rules in RULES_DIR (default: the rules in use) and their manifest."""

    def action() -> int:
        from provider_audit.feed import bundle as bundles
        from provider_audit.feed.update import fetch
        from provider_audit.feed.validate import validate_tree

        source = Path(rules_dir) if rules_dir else resources.rules_dir()
        before = None
        if previous:
            try:
                before = bundles.load(fetch(previous)).manifest
            except FeedError as exc:  # the first publication has no previous bundle
                click.echo(f"provider-audit: warning: no previous bundle ({exc}); each item's change day is "
                           "the newest date it records", err=True)
        built = bundles.build(source, previous=before)
        validate_tree(source, built.members, built.manifest.counts)
        data = built.dump(compress=output.endswith(".gz"))
        write_file(data, output, mode=0o644)  # a file to publish, not a private one
        m = built.manifest
        click.echo(f"{output}: {m.counts.get('members', 0)} files, {m.counts.get('events', 0)} events, "
                   f"{m.counts.get('lifecycle', 0)} lifecycle entries; built {bundles.format_time(m.built)}, "
                   f"newest item {m.newest}; sha256 {hashlib.sha256(data).hexdigest()}")
        return EXIT_PASS

    sys.exit(_guarded(debug, action))


@rules.command("update")
@_data_dir_option
@click.option("--from", "source", metavar="URL_OR_PATH",
              help="Where the bundle is: http(s):// or file:// URL, or a path (default: PROVIDER_AUDIT_RULES_URL, "
                   "the rules-url config key, else the project's published bundle).")
@click.option("--sha256", callback=_sha256, metavar="HEX", help="Refuse the file unless its SHA-256 is HEX.")
@click.option("--allow-downgrade", is_flag=True, help="Install a bundle older than the rules in use.")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=60.0, show_default=True, metavar="SECONDS",
              help="Give up a download after this long.")
@click.option("--max-size", type=click.IntRange(min=1), metavar="BYTES", help="Refuse a larger download (default: 16 MiB).")
@click.option("--config", "config_path", metavar="FILE", type=click.Path(dir_okay=False),
              help="Read rules-url from FILE instead of the nearest pyproject.toml.")
@click.option("--debug", is_flag=True, help="Show tracebacks for internal errors.")
def rules_update(source: Optional[str], sha256: Optional[str], allow_downgrade: bool, timeout: float,
                 max_size: Optional[int], config_path: Optional[str], debug: bool) -> None:
    """Download, check and install a rules bundle; on any failure exit 2 and keep the rules as they were."""

    def action() -> int:
        from provider_audit.feed.update import MAX_DOWNLOAD, default_source, update

        config = read_config(Path.cwd(), config_path)
        where = source or default_source(config.get("rules-url"))
        data_dir = resources.data_dir()
        result = update(where, data_dir, sha256, allow_downgrade, timeout, max_size or MAX_DOWNLOAD)
        m = result.installed.manifest
        if result.action == "unchanged":
            click.echo(f"rules already up to date: bundle {result.installed.name} (built {m.built:%Y-%m-%d})")
        else:
            click.echo(f"installed rules bundle {result.installed.name} from {result.installed.source}: built {m.built:%Y-%m-%d}, "
                       f"newest item {m.newest}, {m.counts.get('events', 0)} events, "
                       f"{m.counts.get('lifecycle', 0)} lifecycle entries (was: {result.replaced.source}, "
                       f"{result.replaced.day})")
        return EXIT_PASS

    sys.exit(_guarded(debug, action))


@rules.command("status")
@_data_dir_option
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True)
@click.option("--max-rules-age", type=click.IntRange(min=0), default=30, show_default=True, metavar="DAYS",
              help="Warn when the rules in use are older than this.")
@click.option("--as-of", callback=_as_of, metavar="DATE", help="Compute ages as of DATE (default: today).")
def rules_status(fmt: str, max_rules_age: int, as_of: Optional[date]) -> None:
    """Which rules are in use, from where, their date, age and counts, and the previous bundle."""

    def action() -> int:
        from provider_audit.feed.update import status

        info = status(resources.data_dir(), as_of or date.today(), max_rules_age)
        if fmt == "json":
            click.echo(json.dumps(info, indent=2))
            return EXIT_PASS
        used, counts = info["in_use"], info["in_use"]["counts"]
        age = f"{used['age_days']} days old" if used["age_days"] is not None else "age unknown"
        which = "rules bundle" if used["source"] == "bundle" else "shipped rules"
        click.echo(f"in use:    {which}, {used['date'] or 'undated'} ({age})")
        click.echo(f"from:      {used['location']}")
        if used["built"]:
            click.echo(f"built:     {used['built']}; sha256 {used['sha256']}")
        click.echo(f"newest:    {used['newest_item'] or 'unknown'} (the newest date the data records)")
        click.echo(f"contents:  {counts.get('events', 0)} events, {counts.get('lifecycle', 0)} lifecycle entries "
                   f"({counts.get('lifecycle_ids', 0)} model ids), {counts.get('members', 0)} files")
        click.echo(f"data dir:  {info['data_dir']}")
        for label, key in (("installed", "installed"), ("previous", "previous")):
            bundle = info[key]
            click.echo(f"{label + ':':<10} " + (f"{bundle['name']} from {bundle['source']} (installed {bundle['installed']})"
                                               if bundle else "none"))
        click.echo(f"shipped:   data of {info['shipped']['newest']} in {info['shipped']['path']}")
        for note in info["notes"]:
            click.echo(f"note: {note}")
        for warning in info["warnings"]:
            click.echo(f"provider-audit: warning: {warning}", err=True)
        return EXIT_PASS

    sys.exit(_guarded(False, action))


@rules.command("rollback")
@_data_dir_option
def rules_rollback() -> None:
    """Use the previous installed bundle again (the current one becomes the previous)."""

    def action() -> int:
        from provider_audit.feed.store import Store

        back = Store(resources.data_dir()).rollback()
        resources.reset()
        click.echo(f"rules bundle {back.name} (built {back.manifest.built:%Y-%m-%d}) is in use again")
        return EXIT_PASS

    sys.exit(_guarded(False, action))
