"""Strict mode: ``PROVIDER_AUDIT_STRICT=1`` turns the safety nets off.

Users get safety nets: a detector that fails on a file falls back to the text detector
(``detectors/safety.py``), and any other error on one file becomes a one-line skip
(``scanning/analysis.scan_file``), so one hostile file cannot end a scan. The test suite
(``tests/conftest.py``) and the fuzzer (``tests/hostile/fuzz.py``) set this variable, so that such an
error fails them instead of hiding a bug.
"""

import os

STRICT_ENV = "PROVIDER_AUDIT_STRICT"


def strict() -> bool:
    """Whether the safety nets re-raise (read at each use: worker processes inherit it)."""
    return os.environ.get(STRICT_ENV) == "1"
