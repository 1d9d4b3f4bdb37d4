"""go.sum, a fallback for folders without go.mod (the scanner ignores go.sum evidence when a go.mod
sits in the same folder).

Each ``module version h1:hash`` line is reported once per module version, direct=False, version
without its ``v``. A module version listed only by its ``/go.mod`` hash had just its go.mod read
for the module graph, none of its code built: it is not reported. Lines: the module's first line.
"""

from __future__ import annotations

from typing import Dict, List, Tuple

from provider_audit.extractors.base import Extractor, ParseError
from provider_audit.models import Dependency


def extract(relpath: str, text: str) -> List[Dependency]:
    found: Dict[Tuple[str, str], Tuple[int, int]] = {}
    for number, line in enumerate(text.splitlines(), 1):
        fields = line.split()
        if not fields:
            continue
        if len(fields) != 3 or not fields[1].startswith("v"):
            raise ParseError(f"line {number}: expected 'module version hash'")
        if not fields[1].endswith("/go.mod"):
            found.setdefault((fields[0], fields[1]), (number, line.find(fields[0]) + 1))
    return [Dependency(name=module, ecosystem="go", line=line, column=column, version=version[1:], direct=False)
            for (module, version), (line, column) in found.items()]


EXTRACTOR = Extractor(name="go/go-sum", ecosystem="go", filenames=("go.sum",), extract=extract, lockfile=True)
