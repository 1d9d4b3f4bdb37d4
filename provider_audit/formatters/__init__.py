"""Output formats. Each formatter is a pure function of the report: ``render(report) -> str``."""

from __future__ import annotations

from typing import Callable, Dict

from provider_audit.lazy import LazyFunction
from provider_audit.report import Report

# format -> its module's render (imported when used)
FORMATTERS: Dict[str, Callable[[Report], str]] = {
    fmt: LazyFunction(f"provider_audit.formatters.{module}", "render")
    for fmt, module in (("text", "text"), ("json", "json_format"), ("sarif", "sarif"), ("markdown", "markdown"),
                        ("github", "github"))
}


def render(report: Report, fmt: str) -> str:
    return FORMATTERS[fmt](report)
