"""Manifest and lockfile extractors, one module per file format.

Each module defines ``EXTRACTOR`` (see ``base.Extractor``). They are discovered here, in module-name
order (``all_extractors``). Picking a file's extractor (``extractor_for``, asked for every file of
every scan, a cached one included) reads ``FILENAMES``, each module's file-name patterns, and imports
only the module whose patterns match: importing all of them and their parsers would cost every scan
tens of milliseconds at start-up. A new format adds its module and its line in ``FILENAMES``
(``tests/extractors/test_registry.py`` checks the two agree).
"""

from __future__ import annotations

import fnmatch
import importlib
import pkgutil
import re
from functools import lru_cache
from typing import Dict, Optional, Tuple

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


# Each extractor module's ``EXTRACTOR.filenames``, in module-name order (the order they are tried in).
FILENAMES: Dict[str, Tuple[str, ...]] = {
    "bun_lock": ("bun.lock",),
    "cargo_lock": ("Cargo.lock",),
    "cargo_toml": ("Cargo.toml",),
    "composer_json": ("composer.json",),
    "composer_lock": ("composer.lock",),
    "conda_env": ("environment*.yml", "environment*.yaml", "conda.yml", "conda.yaml"),
    "gemfile": ("Gemfile", "gems.rb"),
    "gemfile_lock": ("Gemfile.lock", "gems.locked"),
    "go_mod": ("go.mod",),
    "go_sum": ("go.sum",),
    "gradle": ("*.gradle", "*.gradle.kts"),
    "gradle_catalog": ("*.versions.toml",),
    "maven_pom": ("pom.xml",),
    "msbuild": ("*.csproj", "*.fsproj", "*.vbproj", "Directory.Packages.props", "Directory.Build.props",
                "Directory.Build.targets"),
    "package_json": ("package.json",),
    "package_lock": ("package-lock.json", "npm-shrinkwrap.json"),
    "packages_config": ("packages.config",),
    "pipfile": ("Pipfile",),
    "pipfile_lock": ("Pipfile.lock",),
    "pnpm_lock": ("pnpm-lock.yaml",),
    "poetry_lock": ("poetry.lock",),
    "pyproject_toml": ("pyproject.toml",),
    "requirements_txt": ("requirements*.txt", "requirements*.in", "constraints*.txt", "*-requirements.txt", "*.txt",
                         "*.in"),
    "setup_cfg": ("setup.cfg",),
    "uv_lock": ("uv.lock",),
    "yarn_lock": ("yarn.lock",),
}


@lru_cache(maxsize=None)
def _any_manifest_name() -> "re.Pattern[str]":
    """One regex over every extractor's file-name patterns: most files are no manifest at all."""
    patterns = {fnmatch.translate(p) for names in FILENAMES.values() for p in names}
    return re.compile("|".join(f"(?:{p})" for p in sorted(patterns)))


@lru_cache(maxsize=None)
def _extractor(module: str) -> Extractor:
    return importlib.import_module(f"{__name__}.{module}").EXTRACTOR


def extractor_for(relpath: str) -> Optional[Extractor]:
    """The extractor that understands this file, or None."""
    base = relpath.rsplit("/", 1)[-1]
    if not _any_manifest_name().match(base):
        return None
    for module, names in FILENAMES.items():
        if any(fnmatch.fnmatchcase(base, pattern) for pattern in names):
            extractor = _extractor(module)
            if extractor.matches(relpath):
                return extractor
    return None
