"""Output formats. Each formatter is a pure function of the report: ``render(report) -> str``."""

from __future__ import annotations

from typing import Callable, Dict

from provider_audit.report import Report

from provider_audit.formatters import github, json_format, markdown, sarif, text

FORMATTERS: Dict[str, Callable[[Report], str]] = {
    "text": text.render,
    "json": json_format.render,
    "sarif": sarif.render,
    "markdown": markdown.render,
    "github": github.render,
}


def render(report: Report, fmt: str) -> str:
    return FORMATTERS[fmt](report)
