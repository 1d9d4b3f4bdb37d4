"""Detectors: one per source kind, each turning a file's text into evidence.

``detector_for`` picks one by file name. Manifests and lockfiles go through
``provider_audit.extractors`` instead (the scan asks them first).
"""

from __future__ import annotations

from typing import Callable, Dict, Tuple

from provider_audit.data.catalog import Catalog
from provider_audit.lazy import LazyFunction
from provider_audit.models import FileReport

Detector = Callable[[str, str, str, Catalog], FileReport]

PYTHON_EXTENSIONS = (".py", ".pyi", ".pyw")
CONFIG_EXTENSIONS = (".yaml", ".yml", ".toml", ".json", ".jsonc", ".json5", ".ini", ".cfg", ".conf",
                     ".properties", ".tf", ".tfvars", ".hcl", ".bicep", ".xml", ".plist")
CONFIG_NAMES = ("dockerfile", "containerfile", "procfile", "makefile", "justfile", ".envrc")


def detector_for(relpath: str) -> Tuple[str, Detector]:
    """(kind, detector) for a file that is not a manifest: kind is python, env, config, or text."""
    base = relpath.rsplit("/", 1)[-1].lower()
    extension = "." + base.rsplit(".", 1)[-1] if "." in base else ""
    language = LANGUAGE_DETECTORS.get(extension)
    if language is not None:
        return language
    if extension in PYTHON_EXTENSIONS:
        return "python", _DETECTORS["python_ast"]
    if base == ".env" or base.startswith(".env.") or base.endswith(".env"):
        return "env", _DETECTORS["env_file"]
    if extension in CONFIG_EXTENSIONS or base in CONFIG_NAMES or base.startswith(("dockerfile", "docker-compose")):
        return "config", _DETECTORS["config_file"]
    return "text", _DETECTORS["text"]


# Source languages with a detector of their own: module -> the extensions it reads.
LANGUAGES: Dict[str, Tuple[str, ...]] = {
    "js_ts": (".js", ".mjs", ".cjs", ".jsx", ".ts", ".tsx", ".mts", ".cts", ".vue", ".svelte", ".astro"),
    "go_source": (".go",),
    "jvm_source": (".java", ".kt", ".kts", ".scala", ".groovy"),
    "rust_source": (".rs",),
    "ruby_source": (".rb", ".rake"),
    "csharp_source": (".cs", ".fs", ".fsx", ".vb"),
    "php_source": (".php", ".phtml"),
    "notebook": (".ipynb",),
}
# Every detector's ``detect``, imported on first use: a scan served from the cache runs none.
_DETECTORS: Dict[str, Detector] = {
    module: LazyFunction(f"provider_audit.detectors.{module}", "detect")
    for module in (*LANGUAGES, "python_ast", "env_file", "config_file", "text")
}
LANGUAGE_DETECTORS: Dict[str, Tuple[str, Detector]] = {
    extension: ("source", _DETECTORS[module]) for module, extensions in LANGUAGES.items() for extension in extensions
}
