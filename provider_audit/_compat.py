"""Shims for the supported Python versions (3.9+) and optional speed-ups."""

from typing import Any

import yaml

try:
    import tomllib
except ModuleNotFoundError:  # Python < 3.11
    import tomli as tomllib  # type: ignore[no-redef]

# libyaml's loader: the same safe constructors, about ten times faster; used only for the files this
# package ships. libyaml crashes the process (no exception) on pathological nesting, so anything a
# user or a scanned repository supplies goes through the pure-Python safe loader.
_FAST_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load_yaml(text: str, shipped: bool = False) -> Any:
    """``yaml.safe_load`` (never an unsafe loader); libyaml only for ``shipped`` (trusted) files."""
    loader = _FAST_SAFE_LOADER if shipped else yaml.SafeLoader
    return yaml.load(text, Loader=loader)  # noqa: S506 - both loaders are safe loaders


__all__ = ["tomllib", "safe_load_yaml"]
