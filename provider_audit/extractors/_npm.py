"""npm names, ranges and aliases, shared by the package.json and npm-family lockfile extractors."""

from __future__ import annotations

from typing import Iterator, Optional, Tuple

from provider_audit.extractors._lines import pinned_version
from provider_audit.extractors._util import expect, get

# package.json dependency maps and the group each gives.
SECTIONS = (("dependencies", None), ("devDependencies", "dev"), ("optionalDependencies", "optional"),
            ("peerDependencies", "peer"))


def declared(manifest: dict, where: str) -> Iterator[Tuple[str, Optional[str], str, str]]:
    """(section, group, key, range) of each dependency a package.json-shaped mapping declares."""
    for section, group in SECTIONS:
        for key, spec in get(manifest, section, dict, f'{where} "{section}"').items():
            yield section, group, key, expect(spec, str, f'{where} "{section}" "{key}"')


def split_ident(ident: str) -> Tuple[str, str]:
    """("@scope/name", "range") from "@scope/name@range"; (ident, "") when there is no range."""
    at = ident.find("@", 1)
    return (ident, "") if at < 0 else (ident[:at], ident[at + 1:])


def resolve_alias(name: str, spec: str) -> Tuple[str, str]:
    """The real package and range behind ``npm:real@range``; ``npm:^1.0`` (yarn) is just ``^1.0``."""
    if not spec.startswith("npm:"):
        return name, spec
    real, real_spec = split_ident(spec[4:])
    return (real, real_spec) if real_spec else (name, spec[4:])


def lock_group(entry: dict) -> Optional[str]:
    """The group a lockfile entry's ``dev``/``devOptional``/``optional`` flags give."""
    if entry.get("dev") is True or entry.get("devOptional") is True:
        return "dev"
    return "optional" if entry.get("optional") is True else None


def npm_version(spec: str) -> Optional[str]:
    """The exact version of an npm range (``1.2.3``, ``=1.2.3``, ``v1.2.3``), else None."""
    return pinned_version(spec, prefixes=("=v", "=", "v"), parts=3)
