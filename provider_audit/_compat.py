"""Shims for the supported Python versions (3.9+) and optional speed-ups."""

from typing import Any

import yaml

try:
    import tomllib
except ModuleNotFoundError:  # Python < 3.11
    import tomli as tomllib  # type: ignore[no-redef]

# libyaml's loader when PyYAML was built with it: the same safe constructors, about ten times faster.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load_yaml(text: str) -> Any:
    """``yaml.safe_load`` (never the unsafe loader), with libyaml when available."""
    return yaml.load(text, Loader=_SAFE_LOADER)  # noqa: S506 - a safe loader


__all__ = ["tomllib", "safe_load_yaml"]
