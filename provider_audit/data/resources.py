"""Where the shipped rules live: inside the wheel, or beside the package in a checkout."""

from __future__ import annotations

from pathlib import Path


def rules_dir() -> Path:
    """The shipped ``rules/`` folder (``provider_audit/rules`` in a wheel, ``rules/`` in a checkout)."""
    package = Path(__file__).resolve().parent.parent
    packaged = package / "rules"
    if packaged.is_dir():
        return packaged
    return package.parent / "rules"
