"""The ``rules`` commands: validate, list and show risk events; bundle, update, inspect and roll back
the rules in use. ``cli.py`` loads this module only when ``provider-audit rules ...`` runs."""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import re
import sys
from datetime import date
from pathlib import Path
from typing import Any, Dict, Optional, Tuple

import click

from provider_audit.cli import CONTEXT, EXIT_PASS, UserError, _as_of, _data_dir_option, _guarded
from provider_audit.data import resources
from provider_audit.data.catalog import load_catalog, load_catalog_file
from provider_audit.feed import FeedError
from provider_audit.output import write_file
from provider_audit.risk.check import load_database, load_lifecycle_table
from provider_audit.risk.events import KINDS as EVENT_KINDS
from provider_audit.risk.events import IMPACTS, Event
from provider_audit.settings import read_config


@click.group(context_settings=CONTEXT)
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
