"""Command line: parse options, load config, scan, render, and map the outcome to an exit code.

Exit codes: 0 the policy passed, 1 the policy failed, 2 usage, configuration or internal error.
"""

from __future__ import annotations

import os
import sys
import tempfile
import traceback
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

import click

from provider_audit import __version__
from provider_audit.catalog import CatalogError, load_catalog
from provider_audit.config import FAIL_ON_CHOICES, FORMAT_CHOICES, ConfigError, FileConfig, find_config, load_config
from provider_audit.discovery import ContextRules, discover
from provider_audit.formatters import render
from provider_audit.models import DECISIVE_CONTEXTS
from provider_audit.report import Report, build_report
from provider_audit.scan import DEFAULT_MAX_FILE_SIZE, ScanOptions, scan

EXIT_PASS, EXIT_FAIL, EXIT_ERROR = 0, 1, 2


class UserError(click.ClickException):
    """A mistake in how the tool was called or configured: one line, exit 2."""

    exit_code = EXIT_ERROR


def policy_failed(report: Report, fail_on: str) -> bool:
    verdict = report.lock_in.verdict
    if fail_on == "single-provider":
        return verdict == "single-provider"
    if fail_on == "not-abstracted":
        return verdict in ("single-provider", "multi-provider")
    if fail_on == "any-usage":
        return verdict != "none"
    return False


def resolve_targets(paths: Sequence[str]) -> Tuple[Path, List[str]]:
    """The scan root and, when files were named, the files to scan relative to it."""
    if not paths:
        paths = (".",)
    for raw in paths:
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


def write_output(text: str, output: Optional[str]) -> None:
    """Write the report to stdout, or atomically to ``output`` (created only once the scan succeeded)."""
    if output is None or output == "-":
        click.echo(text, nl=False)
        return
    target = Path(output)
    folder = target.parent if str(target.parent) else Path(".")
    try:
        handle = tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=folder, delete=False,
                                             prefix=f".{target.name}.", suffix=".tmp")
        with handle:
            handle.write(click.unstyle(text))
        os.replace(handle.name, target)
    except OSError as exc:
        raise UserError(f"{output}: cannot write: {exc.strerror or exc}") from None


def _config(config_path: Optional[str], isolated: bool, root: Path) -> FileConfig:
    if isolated:
        return FileConfig(None, {})
    if config_path:
        return load_config(Path(config_path), explicit=True)
    return find_config(root.resolve())


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(FORMAT_CHOICES), envvar="PROVIDER_AUDIT_FORMAT",
              help="Report format (default: text).")
@click.option("-o", "--output", metavar="FILE", envvar="PROVIDER_AUDIT_OUTPUT",
              help="Write the report to FILE instead of stdout (only after a successful scan).")
@click.option("--fail-on", type=click.Choice(FAIL_ON_CHOICES),
              help="Policy for exit code 1 (default: single-provider).")
@click.option("--exit-zero", is_flag=True, help="Report, but exit 0 even when the policy fails.")
@click.option("--config", "config_path", metavar="FILE", type=click.Path(dir_okay=False),
              help="Read settings from FILE instead of the nearest pyproject.toml.")
@click.option("--isolated", is_flag=True, help="Ignore all configuration files.")
@click.option("--exclude", multiple=True, metavar="GLOB", help="Skip paths matching GLOB (repeatable).")
@click.option("--max-file-size", type=click.IntRange(min=1), metavar="BYTES",
              help=f"Skip files larger than this (default: {DEFAULT_MAX_FILE_SIZE}).")
@click.option("--no-git", is_flag=True, help="Walk the folder instead of asking git which files it tracks.")
@click.option("--debug", is_flag=True, help="Show tracebacks for internal errors.")
@click.version_option(__version__, prog_name="provider-audit")
def main(paths: Tuple[str, ...], fmt: Optional[str], output: Optional[str], fail_on: Optional[str],
         exit_zero: bool, config_path: Optional[str], isolated: bool, exclude: Tuple[str, ...],
         max_file_size: Optional[int], no_git: bool, debug: bool) -> None:
    """Find where the code in PATHS (default: .) is hard-wired to one LLM provider."""
    try:
        code = run(paths, fmt, output, fail_on, exit_zero, config_path, isolated, exclude, max_file_size, no_git)
    except (ConfigError, CatalogError) as exc:
        raise UserError(str(exc)) from None
    except click.ClickException:
        raise
    except Exception as exc:  # an internal error: one line, and the traceback only on request
        if debug:
            traceback.print_exc()
        raise UserError(f"internal error: {type(exc).__name__}: {exc} (re-run with --debug for details)") from None
    sys.exit(code)


def run(paths: Tuple[str, ...], fmt: Optional[str], output: Optional[str], fail_on: Optional[str],
        exit_zero: bool, config_path: Optional[str], isolated: bool, exclude: Tuple[str, ...],
        max_file_size: Optional[int], no_git: bool) -> int:
    root, files = resolve_targets(paths)
    config = _config(config_path, isolated, root)
    fmt = fmt or config.get("format", "text")
    fail_on = fail_on or config.get("fail-on", "single-provider")
    contexts = ContextRules(
        test=config.get("test-paths", ()), example=config.get("example-paths", ()),
        docs=config.get("docs-paths", ()), source=config.get("source-paths", ()))
    options = ScanOptions(
        max_file_size=max_file_size or config.get("max-file-size", DEFAULT_MAX_FILE_SIZE),
        excludes=tuple(config.get("exclude", ())) + exclude,
        contexts=contexts,
        use_git=not no_git,
    )
    catalog = load_catalog()
    result = scan(root, files, options, catalog)
    report = build_report(result, catalog, config.get("decisive-contexts", DECISIVE_CONTEXTS))
    write_output(render(report, fmt), output)
    failed = policy_failed(report, fail_on)
    code = EXIT_FAIL if failed and not exit_zero else EXIT_PASS
    lock_in = report.lock_in
    who = f" ({', '.join(lock_in.providers)})" if lock_in.providers else ""
    outcome = "policy failed" if failed else "policy passed"
    click.echo(f"provider-audit: {lock_in.verdict}{who}; {len(result.evidence)} usages in "
               f"{result.files_scanned} files; {outcome} (--fail-on {fail_on}); exit {code}", err=True)
    return code
