"""Detectors: one per source kind, each turning a file's text into evidence.

``detector_for`` picks one by file name. Manifests and lockfiles go through
``provider_audit.extractors`` instead (the scan asks them first).
"""

from __future__ import annotations

from typing import Callable, Dict, Tuple

from provider_audit.catalog import Catalog
from provider_audit.models import FileReport

Detector = Callable[[str, str, str, Catalog], FileReport]

PYTHON_EXTENSIONS = (".py", ".pyi", ".pyw")
CONFIG_EXTENSIONS = (".yaml", ".yml", ".toml", ".json", ".jsonc", ".json5", ".ini", ".cfg", ".conf",
                     ".properties", ".tf", ".tfvars", ".hcl", ".xml", ".plist")
CONFIG_NAMES = ("dockerfile", "containerfile", "procfile", "makefile", "justfile", ".envrc")


def detector_for(relpath: str) -> Tuple[str, Detector]:
    """(kind, detector) for a file that is not a manifest: kind is python, env, config, or text."""
    from provider_audit.detectors import config_file, env_file, python_ast, text

    base = relpath.rsplit("/", 1)[-1].lower()
    extension = "." + base.rsplit(".", 1)[-1] if "." in base else ""
    language = LANGUAGE_DETECTORS.get(extension)
    if language is not None:
        return language
    if extension in PYTHON_EXTENSIONS:
        return "python", python_ast.detect
    if base == ".env" or base.startswith(".env.") or base.endswith(".env"):
        return "env", env_file.detect
    if extension in CONFIG_EXTENSIONS or base in CONFIG_NAMES or base.startswith(("dockerfile", "docker-compose")):
        return "config", config_file.detect
    return "text", text.detect


# Source languages with a detector of their own: extension -> ("source", detector). Filled in by
# the language modules as they are added.
LANGUAGE_DETECTORS: Dict[str, Tuple[str, Detector]] = {}


def _register_languages() -> None:
    """Fill LANGUAGE_DETECTORS from the language modules (imported here: they import the catalog and
    the shared detectors, never the other way round)."""
    from provider_audit.detectors import (csharp_source, go_source, js_ts, jvm_source, notebook, php_source,
                                          ruby_source, rust_source)

    for module in (js_ts, go_source, jvm_source, rust_source, ruby_source, csharp_source, php_source, notebook):
        for extension in module.EXTENSIONS:
            LANGUAGE_DETECTORS[extension] = ("source", module.detect)


_register_languages()
