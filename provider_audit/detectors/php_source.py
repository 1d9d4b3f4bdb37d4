"""PHP source, read with the shared lexer (``//``, ``#`` and ``/* */`` comments, ``#[...]``
attributes, single/double-quoted strings over several lines, heredoc and nowdoc).

Recognises:

* ``use`` imports (``use OpenAI;``, ``use OpenAI\\Client;``, ``use Anthropic\\Client as Claude;``,
  grouped ``use OpenAI\\{Client, Factory};``) and fully qualified names (``\\OpenAI::client(...)``): the
  root namespace is mapped to a Composer package through ``NAMESPACES`` below (used only when the
  catalog lists the package). Evidence detail: the Composer package name.
* clients: ``OpenAI::client(...)``, ``OpenAI::factory()->withBaseUri('...')->...->make()``, and
  ``new Client(...)`` of a class imported from a mapped namespace whose name ends in ``Client``. The
  arguments and the method chain are searched for an endpoint (``->withBaseUri('...')``,
  ``baseUrl: '...'``). Detail: ``"<package> <Class>::<method>"`` or ``"<package> <Class>"`` plus the
  endpoint.
* string literals (model ids, hosts, key variable names: ``getenv('OPENAI_API_KEY')``,
  ``$_ENV['ANTHROPIC_API_KEY']``, Laravel ``env('...')``).
"""

from __future__ import annotations

from typing import Dict, List, Optional, Tuple

from provider_audit.data.catalog import Attribution
from provider_audit.detectors.engine import Source
from provider_audit.detectors.safety import simple_detector
from provider_audit.detectors.tokenizer import ID, Spec

SPEC = Spec(line_comments=("//", "#"), single_quote="string", multiline_strings=True, backtick="raw",
            heredoc="php", hash_attribute=True)
# Root namespace -> Composer package. The packages' namespaces are not derivable from their names.
NAMESPACES = {
    "OpenAI": "openai-php/client",  # also openai-php/laravel's facade OpenAI\Laravel\...
    "Anthropic": "anthropic-ai/sdk",
}
FACTORIES = frozenset({"client", "factory"})


class _Php:
    def __init__(self, src: Source):
        self.src = src
        self.catalog = src.catalog
        self.classes: Dict[str, Tuple[str, Attribution, str]] = {}  # local -> (package, attribution, class)

    def run(self) -> None:
        self.src.run(self.uses, self.clients)

    def package(self, root: str) -> Optional[Tuple[str, Attribution]]:
        name = NAMESPACES.get(root)
        found = self.catalog.package("composer", name) if name else None
        return (name, found) if name and found else None

    def qualified(self, k: int) -> Tuple[List[str], int]:
        """``A\\B\\C`` starting at ``k`` (a leading ``\\`` skipped): (names, index after)."""
        src = self.src
        if src.op(k, "\\"):
            k += 1
        parts: List[str] = []
        while src.ident(k) and len(parts) < 20:
            parts.append(src.toks[k].value)
            if src.op(k + 1, "\\") and (src.ident(k + 2) or src.op(k + 2, "{")):
                k += 2
            else:
                k += 1
                break
        return parts, k

    def uses(self) -> None:
        src = self.src
        toks = src.toks
        for i, t in enumerate(toks):
            if t.kind != ID or t.value != "use" or src.op(i - 1, "->", "::", "\\") or src.op(i + 1, "("):
                continue
            k = i + 1
            if src.ident(k, "function", "const"):
                k += 1
            start = k + (1 if src.op(k, "\\") else 0)
            parts, k = self.qualified(k)
            if not parts:
                continue
            found = self.package(parts[0])
            if found is None:
                continue
            package, attribution = found
            src.add("import", start, attribution, package)
            if src.op(k, "{"):  # use OpenAI\{Client, Factory};
                end = src.close(k)
                j = k + 1
                while j < end:
                    sub, after = self.qualified(j)
                    if sub:
                        local = sub[-1]
                        if src.ident(after, "as") and src.ident(after + 1):
                            local = toks[after + 1].value
                            after += 2
                        self.classes[local] = (package, attribution, sub[-1])
                        j = after
                    j += 1
                continue
            local = parts[-1]
            if src.ident(k, "as") and src.ident(k + 1):
                local = toks[k + 1].value
            self.classes[local] = (package, attribution, parts[-1])

    def resolve(self, parts: List[str]) -> Optional[Tuple[str, Attribution, str]]:
        if len(parts) == 1 and parts[0] in self.classes:
            return self.classes[parts[0]]
        if parts[0] in self.classes and len(parts) > 1:
            package, attribution, _ = self.classes[parts[0]]
            return package, attribution, parts[-1]
        found = self.package(parts[0])
        if found is not None and (len(parts) > 1 or parts[0] in NAMESPACES):
            return found[0], found[1], parts[-1]
        return None

    def clients(self) -> None:
        src = self.src
        toks = src.toks
        for i, t in enumerate(toks):
            if t.kind != ID or src.op(i - 1, "->", "::") or (src.op(i - 1, "\\") and src.ident(i - 2)):
                continue
            if t.value == "new":
                parts, k = self.qualified(i + 1)
                if not parts or not src.op(k, "("):
                    continue
                found = self.resolve(parts)
                if found is None or not found[2].endswith("Client"):  # the class, not its local alias
                    continue
                package, attribution, name = found
                lo, hi = src.scope(k, chain=True)
                src.client(i, attribution, f"{package} {name}", lo, hi)
                continue
            parts, k = self.qualified(i)
            if not parts or not src.op(k, "::") or not src.ident(k + 1) or toks[k + 1].value not in FACTORIES \
                    or not src.op(k + 2, "("):
                continue
            found = self.resolve(parts)
            if found is None:
                continue
            package, attribution, name = found
            lo, hi = src.scope(k + 2, chain=True)
            src.client(i, attribution, f"{package} {name}::{toks[k + 1].value}", lo, hi)


detect = simple_detector("PHP", SPEC, _Php)
