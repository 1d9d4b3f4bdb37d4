"""The extractor registry: its file-name table agrees with the modules, and picking an extractor imports
only the module that reads the file."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import provider_audit.extractors as registry
from provider_audit.extractors import FILENAMES, all_extractors


def test_the_file_name_table_is_every_modules_own():
    modules = sorted(m.name for m in pkgutil.iter_modules(registry.__path__)
                     if m.name != "base" and not m.name.startswith("_"))
    assert list(FILENAMES) == modules, "add the new extractor module's file names to extractors.FILENAMES"
    assert [e.filenames for e in all_extractors()] == list(FILENAMES.values())


def test_picking_extractors_imports_only_the_modules_that_match():
    code = ("import sys\n"
            "from provider_audit.extractors import extractor_for\n"
            "for path in ('src/app.py', 'README.md', 'docs/index.html', 'package.json', 'a/b/Cargo.toml'):\n"
            "    extractor_for(path)\n"
            "print(sorted(m.rsplit('.', 1)[1] for m in sys.modules if m.startswith('provider_audit.extractors.')"
            " and not m.rsplit('.', 1)[1].startswith('_')))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["['base',", "'cargo_toml',", "'package_json']"]
