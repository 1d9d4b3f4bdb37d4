"""provider-audit: find where a codebase is hard-wired to one LLM provider.

The library API is one function (``api.py``)::

    import provider_audit
    result = provider_audit.audit("path/to/repo")
    result.lock_in.verdict        # "single-provider", "multi-provider", "abstracted" or "none"
"""

from typing import Any

__version__ = "0.1.0"
__all__ = ["__version__", "audit"]


def __getattr__(name: str) -> Any:
    # ``audit`` is imported on first use, so ``provider-audit --version`` and cached scans start fast.
    if name == "audit":
        from provider_audit.api import audit

        return audit
    raise AttributeError(f"module 'provider_audit' has no attribute {name!r}")
