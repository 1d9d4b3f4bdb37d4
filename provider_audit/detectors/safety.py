"""The safety net around language detectors: a file too large to parse, or a detector that fails on it,
is read by the text detector instead (and says why). ``PROVIDER_AUDIT_STRICT=1`` turns the fallback off so
that tests and the fuzzer see the bug.
"""

from __future__ import annotations

from typing import Dict

from provider_audit.data.catalog import Catalog
from provider_audit.detectors import text as text_detector
from provider_audit.models import FileReport, Skip
from provider_audit.strict import strict

from provider_audit.detectors.tokenizer import (MAX_SOURCE_CHARS, Spec, lex)
from provider_audit.detectors.engine import (Source)

def text_fallback(path: str, text: str, context: str, catalog: Catalog, reason: str) -> FileReport:
    """Read a file with the text detector instead, and say why."""
    found = text_detector.detect(path, text, context, catalog)
    return FileReport(found.evidence, found.skips + (Skip(path, reason),))


def simple_detector(language: str, spec: "Spec | Dict[str, Spec]", analyser: type):
    """``detect`` for a language read as one token stream by ``analyser(src).run()``, behind ``guarded``.

    ``spec``: one for the language, or one per file extension (the first one for any other name).
    """
    specs = spec if isinstance(spec, dict) else {"": spec}
    default = next(iter(specs.values()))

    def analyse(path: str, text: str, context: str, catalog: Catalog) -> FileReport:
        extension = "." + path.rsplit(".", 1)[-1].lower() if "." in path else ""
        src = Source(path, text, context, catalog, lex(text, specs.get(extension, default)))
        analyser(src).run()
        return src.report()

    def detect(path: str, text: str, context: str, catalog: Catalog) -> FileReport:
        return guarded(language, analyse, path, text, context, catalog)

    return detect


def guarded(language: str, analyse, path: str, text: str, context: str, catalog: Catalog) -> FileReport:
    """Run a language detector; a file too large, or an internal error, falls back to the text detector."""
    if len(text) > MAX_SOURCE_CHARS:
        return text_fallback(path, text, context, catalog, f"{language} file too large to parse; read as text")
    try:
        return analyse(path, text, context, catalog)
    except (RecursionError, MemoryError, ValueError, IndexError, KeyError, TypeError, AttributeError) as exc:
        if strict():
            raise
        return text_fallback(path, text, context, catalog,
                             f"{language} detector failed ({type(exc).__name__}); read as text")
