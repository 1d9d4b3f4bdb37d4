"""Manifest and lockfile extractors, one module per file format.

Each module defines ``EXTRACTOR`` (see ``base.Extractor``). They are discovered here, in module-name
order, so the registry needs no editing when a format is added.
"""

from __future__ import annotations

import fnmatch
import importlib
import pkgutil
import re
from functools import lru_cache
from typing import Optional, Tuple

from provider_audit.extractors.base import Extractor, ParseError

__all__ = ["Extractor", "ParseError", "all_extractors", "extractor_for"]


@lru_cache(maxsize=None)
def all_extractors() -> Tuple[Extractor, ...]:
    found = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name == "base" or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        extractor = getattr(module, "EXTRACTOR", None)
        if isinstance(extractor, Extractor):
            found.append(extractor)
    return tuple(found)


@lru_cache(maxsize=None)
def _any_manifest_name() -> "re.Pattern[str]":
    """One regex over every extractor's file-name patterns: most files are no manifest at all."""
    patterns = {fnmatch.translate(p) for e in all_extractors() for p in e.filenames}
    return re.compile("|".join(f"(?:{p})" for p in sorted(patterns)))


def extractor_for(relpath: str) -> Optional[Extractor]:
    """The extractor that understands this file, or None."""
    if not _any_manifest_name().match(relpath.rsplit("/", 1)[-1]):
        return None
    for extractor in all_extractors():
        if extractor.matches(relpath):
            return extractor
    return None
