"""Check an unpacked bundle with the strict loaders the scan uses, before it is installed.

Every member is parsed by the pure-Python safe loader with anchors and aliases refused (no libyaml:
it crashes the process on pathological nesting), its items are counted and compared with the
manifest, then the catalog and the events go through their own validating loaders, and so does
every loader registered in ``LOADERS`` (lifecycle tables and other rule kinds register theirs). Every
regex goes through the safety screen here: once the bundle is in use, scans do not screen it again
(``data.resources.in_rules_in_use``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Dict, List, Mapping

import yaml

from provider_audit._compat import safe_load_yaml
from provider_audit.feed import FeedError
from provider_audit.feed.bundle import count_items

# Extra validating loaders, each called as loader(rules_dir, catalog); any exception refuses the bundle.
LOADERS: List[Callable[[Path, object], object]] = []


def strict_yaml(text: str) -> object:
    """``yaml.safe_load`` without anchors and aliases: the pure-Python loader of ``_compat``, the one the
    scan reads every user rules file with."""
    return safe_load_yaml(text)


def validate_tree(rules_dir: Path, members: Mapping[str, str], counts: Mapping[str, int]) -> Dict[str, int]:
    """Validate the rules unpacked at ``rules_dir``; the item counts, or FeedError naming the problem."""
    from provider_audit.data.catalog import CatalogError, load_catalog_file
    from provider_audit.data.features import load_features_file
    from provider_audit.data.sdk_constants import SdkConstantsError, validate_bundle
    from provider_audit.risk.check import load_database, load_lifecycle_table
    from provider_audit.risk.events import RulesError

    documents = {}
    for name, text in sorted(members.items()):
        try:
            documents[name] = strict_yaml(text)
        except (yaml.YAMLError, ValueError, RecursionError) as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise FeedError(f"{name}: invalid YAML: {first}") from None
        if not isinstance(documents[name], dict) or "schema_version" not in documents[name]:
            raise FeedError(f"{name}: expected a mapping with a schema_version")
    found = count_items(documents)
    for key, value in counts.items():
        if key in found and found[key] != value:
            raise FeedError(f"the manifest counts {value} {key} but the bundle holds {found[key]}")
    try:
        catalog = load_catalog_file(rules_dir / "providers.yaml", screen=True)
        paths = [p for p in (rules_dir / "events", rules_dir / "events.yaml") if p.exists()]
        load_database(catalog, paths=paths, screen=True)
        if (rules_dir / "lifecycle").is_dir():
            load_lifecycle_table(catalog, paths=[rules_dir / "lifecycle"], screen=True)
        if (rules_dir / "features.yaml").is_file():
            load_features_file(rules_dir / "features.yaml", catalog, screen=True)
        validate_bundle(rules_dir, catalog)
        for loader in LOADERS:
            loader(rules_dir, catalog)
    except (CatalogError, RulesError, SdkConstantsError) as exc:
        raise FeedError(f"invalid rules: {_relative(str(exc), rules_dir)}") from None
    except FeedError:
        raise
    except Exception as exc:  # a registered loader's own error type
        raise FeedError(f"invalid rules: {_relative(str(exc), rules_dir)}") from None
    return found


def _relative(message: str, rules_dir: Path) -> str:
    """The message with the staging folder's path taken out (it is gone once refused)."""
    return message.replace(str(rules_dir) + "/", "").replace(str(rules_dir), ".")
