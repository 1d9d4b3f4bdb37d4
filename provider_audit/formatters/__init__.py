"""Output formats. Each formatter is a pure function of the typed result: ``render(result) -> str``."""

from __future__ import annotations

from typing import Callable, Dict

from provider_audit.lazy import LazyFunction
from provider_audit.result import AuditResult

# format -> its module's render (imported when used)
FORMATTERS: Dict[str, Callable[[AuditResult], str]] = {
    fmt: LazyFunction(f"provider_audit.formatters.{module}", "render")
    for fmt, module in (("text", "text"), ("json", "json_format"), ("sarif", "sarif"), ("markdown", "markdown"),
                        ("github", "github"))
}


def render(result: AuditResult, fmt: str) -> str:
    return FORMATTERS[fmt](result)
