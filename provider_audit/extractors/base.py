"""The contract every manifest or lockfile extractor follows.

An extractor module in this package defines one module-level ``EXTRACTOR``. The registry in
``__init__`` finds them all, so adding an ecosystem means adding one module.
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Callable, Iterable, Optional, Tuple

from provider_audit.models import Dependency


class ParseError(Exception):
    """The file is not a valid instance of its format; the message says why, in one line."""


class PartialParse(ParseError):
    """The structured parse was refused, but ``dependencies`` were read another way; the message (a
    one-line note for the report) says how. Raised before any dependency is yielded."""

    def __init__(self, message: str, dependencies: Iterable[Dependency]):
        super().__init__(message)
        self.dependencies = tuple(dependencies)


@dataclass(frozen=True)
class Extractor:
    name: str  # stable, "ecosystem/format", e.g. "python/poetry-lock"
    ecosystem: str
    filenames: Tuple[str, ...]  # fnmatch patterns on the file's base name, case-sensitive
    extract: Callable[[str, str], Iterable[Dependency]]  # (relative path, text) -> dependencies
    lockfile: bool = False  # True when entries may be transitive (Dependency.direct says which)
    # Optional: (relative path, text) -> relative POSIX paths of other files this one includes.
    includes: Optional[Callable[[str, str], Iterable[str]]] = None
    # Optional finer test on the relative path, after the base name matched.
    path_filter: Optional[Callable[[str], bool]] = None

    def matches(self, relpath: str) -> bool:
        base = relpath.rsplit("/", 1)[-1]
        if not any(fnmatchcase(base, pattern) for pattern in self.filenames):
            return False
        return self.path_filter is None or self.path_filter(relpath)
