"""Rust source, read with the shared lexer (raw strings ``r#"..."#``, byte strings, nested block
comments, and lifetimes told apart from char literals).

Recognises:

* ``use`` trees (``use async_openai::{Client, config::OpenAIConfig};``, ``pub use``, ``as`` renames,
  ``extern crate x;``): the first path segment is a crate name, looked up in the catalog as written
  and with ``_`` read as ``-`` (``async_openai`` -> ``async-openai``). Evidence detail: the catalog's crate
  name (what ``Cargo.toml`` lists).
* clients: ``Client::new()``, ``Client::with_config(config)``, ``Client::from_env()``,
  ``Client::from_conf(conf)``, ``Client::default()``, ``Client::builder()`` and the like on a type whose
  name ends in ``Client`` and comes from a catalog crate (through ``use``, or a path starting with the
  crate: ``aws_sdk_bedrockruntime::Client::new(&config)``). The endpoint comes from the arguments or a
  config variable (``let config = OpenAIConfig::new().with_api_base("...")``). Detail:
  ``"<crate> <Type>::<fn>"`` plus the endpoint.
* string literals (model ids, hosts, key variable names: ``std::env::var("OPENAI_API_KEY")``,
  ``env!("...")``).

Limits: macros other than ``env!`` are not expanded; glob imports bind no names.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Tuple

from provider_audit.data.catalog import Attribution, Catalog
from provider_audit.detectors.engine import Source
from provider_audit.detectors.safety import simple_detector
from provider_audit.detectors.tokenizer import ID, OP, Spec

SPEC = Spec(single_quote="char", multiline_strings=True, rust_strings=True, nested_comments=True)
CONSTRUCTORS = frozenset({"new", "with_config", "from_env", "from_conf", "default", "builder", "from_url",
                          "with_api_key", "new_with_api_key", "new_with_config", "from_client"})
_NOT_CRATES = frozenset({"std", "core", "alloc", "crate", "self", "super", "Self"})


def crate(name: str, catalog: Catalog) -> Optional[Tuple[str, Attribution]]:
    if name in _NOT_CRATES:
        return None
    for candidate in (name.replace("_", "-"), name):  # Cargo.toml spells it with - (usually)
        found = catalog.package("crates", candidate)
        if found is not None:
            return candidate, found
    return None


class _Rust:
    def __init__(self, src: Source):
        self.src = src
        self.catalog = src.catalog
        self.names: Dict[str, Tuple[str, Attribution, str]] = {}  # local -> (crate, attribution, item)
        self.crates: Dict[str, Tuple[str, Attribution]] = {}  # crate as written in paths -> (crate, attr.)

    def run(self) -> None:
        self.src.run(self.uses, self.constructions)

    def uses(self) -> None:
        src = self.src
        toks = src.toks
        for i, t in enumerate(toks):
            if t.kind != ID:
                continue
            if t.value == "extern" and src.ident(i + 1, "crate") and src.ident(i + 2):
                found = crate(toks[i + 2].value, self.catalog)
                if found:
                    src.add("import", i + 2, found[1], found[0])
                    local = toks[i + 4].value if src.ident(i + 3, "as") and src.ident(i + 4) else toks[i + 2].value
                    self.crates[local] = found
                continue
            if t.value != "use" or src.op(i - 1, ".", "::"):
                continue
            k = i + 1
            if src.op(k, "::"):
                k += 1
            if not src.ident(k):
                continue
            found = crate(toks[k].value, self.catalog)
            if found is None:
                continue
            src.add("import", k, found[1], found[0])
            self.crates[toks[k].value] = found
            end = k
            while end < min(src.n, k + 2000) and not src.op(end, ";"):
                end += 1
            self.bind_tree(k, end, [], found)

    def bind_tree(self, k: int, end: int, prefix: List[str], found: Tuple[str, Attribution]) -> None:
        """Bind the leaves of a use tree in tokens [k, end)."""
        src = self.src
        path = list(prefix)
        while k < end:
            t = src.toks[k]
            if t.kind == ID and t.value != "as":
                path.append(t.value)
                if src.ident(k + 1, "as") and src.ident(k + 2):
                    self.leaf(src.toks[k + 2].value, path, found)
                    k += 3
                    continue
                if not src.op(k + 1, "::"):
                    self.leaf(path[-1] if path[-1] != "self" else (path[-2] if len(path) > 1 else ""), path, found)
                k += 1
                continue
            if t.kind == OP and t.value == "{":
                close = src.close(k)
                # each comma-separated branch starts from the current path
                j = k + 1
                start = j
                while j <= close and j < end:
                    if src.op(j, ",") or j == close:
                        self.bind_tree(start, j, path, found)
                        start = j + 1
                    elif src.op(j, "{"):
                        j = src.close(j)
                    j += 1
                return
            if t.kind == OP and t.value in (",", "}"):
                path = list(prefix)
            k += 1

    def leaf(self, local: str, path: List[str], found: Tuple[str, Attribution]) -> None:
        if local and local != "*":
            self.names[local] = (found[0], found[1], path[-1] if path[-1] != "self" else path[-2])

    def constructions(self) -> None:
        """``Type::ctor(`` where Type (its last path segment) is a client type from a catalog crate."""
        src = self.src
        toks = src.toks
        for i, t in enumerate(toks):
            if t.kind != ID or not src.op(i + 1, "::") or src.op(i - 1, "::"):
                continue
            # read the path a::b::C::ctor
            parts = [t.value]
            k = i + 1
            while src.op(k, "::") and src.ident(k + 1) and len(parts) < 8:
                parts.append(toks[k + 1].value)
                k += 2
            if len(parts) < 2 or parts[-1] not in CONSTRUCTORS or not src.op(k, "("):
                continue
            type_name = parts[-2]
            if not type_name.endswith("Client"):
                continue
            found = self.resolve(parts)
            if found is None:
                continue
            crate_name, attribution = found
            lo, hi = src.scope(k, chain=True)
            src.client(i, attribution, f"{crate_name} {type_name}::{parts[-1]}", lo, hi)

    def resolve(self, parts: List[str]) -> Optional[Tuple[str, Attribution]]:
        head = parts[0]
        if head in self.names:
            name = self.names[head]
            return name[0], name[1]
        if head in self.crates:
            return self.crates[head]
        return crate(head, self.catalog)


detect = simple_detector("Rust", SPEC, _Rust)
