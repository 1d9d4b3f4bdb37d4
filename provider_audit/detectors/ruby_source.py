"""Ruby source, read with the shared lexer in its Ruby mode (``#`` and ``=begin`` comments, heredocs,
``%q()`` literals, regex literals approximated as in JavaScript).

Recognises:

* ``require "openai"`` / ``require 'aws-sdk-bedrockruntime'``: the first path element is looked up in
  the catalog's gems. Evidence detail: the gem name as required. (``require "openai"`` loads the
  official ``openai`` gem and the community ``ruby-openai`` alike: both reach OpenAI.)
* clients: ``OpenAI::Client.new(...)``, ``Anthropic::Client.new(...)``,
  ``Aws::BedrockRuntime::Client.new(...)`` (with or without parentheses), ``RubyLLM.chat(...)``. The root
  constant is mapped to a gem (``OpenAI`` -> ``openai``, ``RubyLLM`` -> ``ruby_llm``,
  ``Aws::BedrockRuntime`` -> ``aws-sdk-bedrockruntime``), with or without a ``require`` (Bundler apps
  rarely require their gems). The endpoint comes from the arguments (``uri_base:``, ``base_url:``,
  ``endpoint:``) or from the gem's ``configure`` block (``OpenAI.configure { |c| c.uri_base = "..." }``).
  Detail: ``"<gem> <Constant::Path>"`` plus the endpoint.
* string literals (model ids, hosts, key variable names: ``ENV["OPENAI_API_KEY"]``,
  ``ENV.fetch("ANTHROPIC_API_KEY")``).

Limits: ``#{}`` interpolation holes are read as part of their string (a quote inside one ends the
string early); a client class reached through a variable or ``const_get`` is not seen.
"""

from __future__ import annotations

import re
from typing import Dict, Optional, Tuple

from provider_audit.data.catalog import Attribution, Catalog
from provider_audit.detectors.engine import Endpoint, Source
from provider_audit.detectors.safety import simple_detector
from provider_audit.detectors.tokenizer import ID, Spec

SPEC = Spec(line_comments=("#",), block_comments=(), single_quote="string", multiline_strings=True,
            backtick="raw", regex_literals=True, heredoc="ruby", ruby=True)
LAYER_CALLS = frozenset({"chat", "embed", "paint", "transcribe", "moderate"})
_SNAKE = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def gem_for(parts, catalog: Catalog) -> Optional[Tuple[str, Attribution]]:
    """The gem a constant path belongs to: ``OpenAI`` -> openai, ``Aws::BedrockRuntime`` -> aws-sdk-bedrockruntime."""
    root = parts[0]
    candidates = [root.lower(), _SNAKE.sub("_", root).lower()]
    if root == "Aws" and len(parts) > 1:
        candidates.insert(0, "aws-sdk-" + parts[1].lower())
    for name in candidates:
        found = catalog.package("rubygems", name)
        if found is not None:
            return name, found
    return None


class _Ruby:
    def __init__(self, src: Source):
        self.src = src
        self.catalog = src.catalog
        self.configured: Dict[str, Endpoint] = {}  # gem -> endpoint set in its configure block

    def run(self) -> None:
        self.src.run(self.requires, self.configure_blocks, self.clients)

    def requires(self) -> None:
        src = self.src
        for i, t in enumerate(src.toks):
            if t.kind != ID or t.value not in ("require", "gem") or src.op(i - 1, ".", "::"):
                continue
            k = i + 2 if src.op(i + 1, "(") else i + 1
            if not src.string(k):
                continue
            src.used.add(k)
            if t.value == "gem":
                continue  # a Gemfile line in Ruby code: the manifest extractor reads Gemfiles
            name = src.toks[k].value.split("/", 1)[0]
            found = self.catalog.package("rubygems", name)
            if found is not None:
                src.add("import", k, found, name)

    def constant_path(self, i: int) -> Tuple[list, int]:
        """``A::B::C`` starting at ``i``: (names, index after the path)."""
        src = self.src
        parts = [src.toks[i].value]
        k = i + 1
        while src.op(k, "::") and src.ident(k + 1) and len(parts) < 8:
            parts.append(src.toks[k + 1].value)
            k += 2
        return parts, k

    def configure_blocks(self) -> None:
        """``OpenAI.configure do |config| config.uri_base = "..." end``: the gem's default endpoint."""
        src = self.src
        for i, t in enumerate(src.toks):
            if t.kind != ID or not t.value[:1].isupper() or src.op(i - 1, "::", "."):
                continue
            parts, k = self.constant_path(i)
            if not (src.op(k, ".") and src.ident(k + 1, "configure")):
                continue
            found = gem_for(parts, self.catalog)
            if found is None:
                continue
            j = k + 2
            while j < min(src.n, k + 400) and not src.ident(j, "end"):
                if src.op(j, ".") and src.ident(j + 1) and src.op(j + 2, "=") and src.at(j + 1).value in (
                        "uri_base", "base_url", "api_base", "endpoint"):
                    self.configured[found[0]] = src.endpoint_value(src.toks[j + 1].value, j + 3)
                    break
                j += 1

    def clients(self) -> None:
        src = self.src
        toks = src.toks
        for i, t in enumerate(toks):
            if t.kind != ID or not t.value[:1].isupper() or src.op(i - 1, "::", "."):
                continue
            parts, k = self.constant_path(i)
            if not (src.op(k, ".") and src.ident(k + 1)):
                continue
            method = toks[k + 1].value
            is_client = method == "new" and parts[-1].endswith("Client")
            found = gem_for(parts, self.catalog) if (is_client or method in LAYER_CALLS) else None
            if found is None:
                continue
            gem, attribution = found
            if not is_client and not (attribution.layer and attribution.provider is None):
                continue  # Module.chat(...) only for layers (RubyLLM.chat)
            lo, hi = self.arguments(k + 2)
            name = "::".join(parts) + ("" if is_client else f".{method}")
            detail = f"{gem} {name}"
            endpoint = src.find_endpoint(lo, hi) if hi > lo else None
            if endpoint is None and gem in self.configured:
                endpoint = self.configured[gem]
            confidence = "high"
            if endpoint is not None:
                attribution, detail, confidence = src.apply_endpoint(attribution, detail, endpoint)
            src.add("client", i, attribution, detail, confidence)

    def arguments(self, k: int) -> Tuple[int, int]:
        """Arguments after a method name: in parentheses, or up to the end of the (continued) line."""
        src = self.src
        if src.op(k, "("):
            return src.scope(k, chain=False)
        j = k
        while j < min(src.n, k + 400):
            if src.ident(j, "do") or src.op(j, "{") and j == k:
                break
            if j > k and src.newline_between(j - 1, j) and not src.op(j - 1, ",", "\\"):
                break
            j += 1
        return k, j


detect = simple_detector("Ruby", SPEC, _Ruby)
