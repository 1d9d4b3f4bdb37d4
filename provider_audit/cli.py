"""Command line: parse options, load config, scan, render, and map the outcome to an exit code.

Exit codes: 0 the policy passed, 1 the policy failed, 2 usage, configuration or internal error.
"""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path
from typing import Any, Callable, List, Optional, Sequence, Tuple

import click

from provider_audit import __version__
from provider_audit.data import resources
from provider_audit.data.config import FORMAT_CHOICES, file_size_limit, parse_policies
from provider_audit.defaults import CACHE_DIR_ENV, DATA_DIR_ENV, DEFAULT_BASELINE, JOBS_ENV, NO_CACHE_ENV
from provider_audit.output import write_output
from provider_audit.redact import printable, redact_tokens

# The scan pipeline (settings, api, formatters) loads in ``run_scan`` and the ``rules`` commands in their
# module (``cli_rules.py``) when they run: ``--help``, ``--version`` and a mistyped option do not pay for them.

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
            from provider_audit.scanning.discovery import discover  # the pipeline: see the imports

            found = discover(absolute)
            files.extend(f"{relative}/{f}" if relative != "." else f for f in found.files)
        else:
            files.append(relative)
    return root, files


class DefaultToScan(click.Group):
    """``provider-audit [PATHS]`` means ``provider-audit scan [PATHS]``; ``rules`` is a subcommand, loaded
    from ``cli_rules.py`` when named."""

    LAZY = {"rules": "provider_audit.cli_rules"}  # subcommand -> the module defining it

    def list_commands(self, ctx: click.Context) -> List[str]:
        return sorted(set(super().list_commands(ctx)) | set(self.LAZY))

    def get_command(self, ctx: click.Context, name: str) -> Optional[click.Command]:
        if name in self.LAZY and name not in self.commands:
            import importlib

            self.add_command(getattr(importlib.import_module(self.LAZY[name]), name), name)
        return super().get_command(ctx, name)

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
        if not args or (args[0] not in self.commands and args[0] not in self.LAZY
                        and args[0] not in ("-h", "--help", "--version")):
            args = ["scan", *args]
        return super().parse_args(ctx, args)


@click.group(cls=DefaultToScan, context_settings=CONTEXT)
@click.version_option(__version__, prog_name="provider-audit")
def main() -> None:
    """Find where a codebase is hard-wired to one LLM provider, and what to do about it.

    Run `provider-audit [PATHS]` (the `scan` command) or `provider-audit rules ...`.
    """
    resources.use_data_dir(None)  # each invocation chooses its rules afresh (--data-dir, the environment)


def console() -> None:
    """The ``provider-audit`` command (console script and ``python -m provider_audit``): ``main``, then
    leave at once. Tearing the interpreter down (freeing every object a scan made) costs 20 ms on a
    small tree and more on a large one, and does nothing a finished run needs: by the time ``main``
    ends, the report is written (flushed here), the cache and state files are closed where they were
    written, and the worker pool is shut down (or ended). ``main`` itself, which tests and embedders
    call, returns or raises as click makes it."""
    try:
        main()  # standalone: click ends every run with SystemExit (results, usage errors, --help)
        code: object = 0
    except SystemExit as exc:
        code = exc.code
    if code is None:
        code = 0
    elif not isinstance(code, int):
        print(code, file=sys.stderr)  # what sys.exit("message") prints
        code = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a reader that stopped early (| head), or a closed stream
            pass
    os._exit(code)


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


class _SizeOption(click.Option):
    """``--max-file-size``: its help names the scan's default (``scanning.analysis``), filled in when help
    is shown, so that the pipeline defining it is not imported with the command line."""

    def get_help_record(self, ctx: click.Context) -> Optional[Tuple[str, str]]:
        from provider_audit.scanning.analysis import DEFAULT_MAX_FILE_SIZE

        self.help = (self.help or "").replace("{}", str(DEFAULT_MAX_FILE_SIZE))
        return super().get_help_record(ctx)


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
@click.option("--max-file-size", type=int, callback=_checked(file_size_limit), metavar="BYTES", cls=_SizeOption,
              help="Skip files larger than this (default: {}).")
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
    from provider_audit.scanning.parallel import few_collections

    with few_collections():
        code = _guarded(debug, run_scan, **options)
    sys.exit(code)


def _guarded(debug: bool, action: Callable[..., int], **kwargs: Any) -> int:
    """Run ``action``; user mistakes become one line and exit 2, internal errors too (traceback on --debug)."""
    try:
        return action(**kwargs)
    except click.ClickException:
        raise
    except Exception as exc:
        if isinstance(exc, _user_errors()):
            raise UserError(str(exc)) from None
        if debug:  # an internal error: one line, and the traceback only on request
            import traceback

            traceback.print_exc()
        raise UserError(f"internal error: {type(exc).__name__}: {printable(str(exc))} "
                        "(re-run with --debug for details)") from None


# The errors that are the user's mistake (a line, exit 2), by module: an error can only be raised once its
# module is imported, so those not imported yet are not looked up.
_USER_ERRORS = (("provider_audit.data.config", "ConfigError"), ("provider_audit.data.catalog", "CatalogError"),
                ("provider_audit.risk.events", "RulesError"), ("provider_audit.risk.lifecycle", "LifecycleError"),
                ("provider_audit.findings.baseline", "BaselineError"), ("provider_audit.feed", "FeedError"),
                ("provider_audit.output", "OutputError"))


def _user_errors() -> Tuple[type, ...]:
    return tuple(getattr(sys.modules[module], name) for module, name in _USER_ERRORS if module in sys.modules)


def run_scan(paths: Tuple[str, ...], fmt: Optional[str], output: Optional[str], fail_on: Optional[Tuple[str, ...]],
             exit_zero: bool, config_path: Optional[str], isolated: bool, baseline_path: Optional[str],
             write_baseline_path: Optional[str], quiet: bool, verbose: bool, **options: Any) -> int:
    """The scan command: settings from the options and the config file, ``api.run``, render, exit code."""
    if isolated and config_path:  # which one would win is a guess, and a guess may drop the stricter policy
        raise click.UsageError("--config and --isolated contradict each other: --isolated ignores every "
                               "configuration file; pass one of them")
    from provider_audit import api  # the pipeline, when a scan runs (see the imports)
    from provider_audit.settings import Settings, read_config

    root, files = resolve_targets(paths)
    config = read_config(root, config_path, isolated)
    settings = Settings.build(dict(options, format=fmt, fail_on=fail_on, baseline=baseline_path,
                                   write_baseline=write_baseline_path, output=output), config, root)
    result = api.run(root, settings, files)
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
    from provider_audit.formatters import render  # after the scan: its workers start without it

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
    import json

    from provider_audit.findings.baseline import baseline_document

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
