"""Strict mode, for tests and the fuzzer: safety nets re-raise the bugs they would otherwise hide."""

from __future__ import annotations

import os

STRICT_ENV = "PROVIDER_AUDIT_STRICT"


def strict() -> bool:
    """Strict mode (``PROVIDER_AUDIT_STRICT=1``, set by the test suite and the fuzzer): safety nets that
    would turn a detector's bug into a degraded read re-raise instead. Resource limits (a recursion or
    memory limit on hostile input) still fall back: they are the input's doing, not a bug."""
    return os.environ.get(STRICT_ENV, "") == "1"
