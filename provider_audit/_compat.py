"""Shims for the supported Python versions (3.9+) and optional speed-ups; the one YAML loader.

The YAML parts load on first use (``safe_load_yaml``; ``SafeLoader`` on access): reading a TOML
configuration or starting the command line does not import PyYAML."""

from functools import lru_cache
from typing import Any

try:
    import tomllib
except ModuleNotFoundError:  # Python < 3.11
    import tomli as tomllib  # type: ignore[no-redef]


def canonicalize_name(name: str) -> str:
    """A Python distribution name as PEP 503 compares it (``re.sub(r"[-_.]+", "-", name).lower()``), as
    ``packaging.utils.canonicalize_name`` gives it: importing that module costs a cached scan's start-up
    ``packaging.tags`` (platform, subprocess, logging), about 6 ms, for one line."""
    value = name.lower().replace("_", "-").replace(".", "-")
    while "--" in value:
        value = value.replace("--", "-")
    return value


@lru_cache(maxsize=None)
def _loaders() -> Any:
    """(SafeLoader, the libyaml loader or None, ComposerError), built on first use."""
    import yaml
    from yaml.composer import Composer, ComposerError
    from yaml.events import AliasEvent

    class _NoAliases(Composer):
        """Composition that refuses anchors and aliases before any node exists: an alias bomb (a few hundred
        bytes that expand to billions of nodes once walked) is an error at the first ``&``, not a value that
        later code walks for minutes. Rules, catalog and configuration files never need them."""

        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(AliasEvent):
                event = self.get_event()
                raise ComposerError(None, None, f"YAML anchors and aliases are not allowed (found *{event.anchor})",
                                    event.start_mark)
            event = self.peek_event()
            if event.anchor is not None:
                raise ComposerError(None, None, f"YAML anchors and aliases are not allowed (found &{event.anchor})",
                                    event.start_mark)
            return super().compose_node(parent, index)

    class SafeLoader(_NoAliases, yaml.SafeLoader):
        """The pure-Python safe loader, without anchors and aliases."""

    # libyaml: the same safe constructors, about six times faster; for the files this package ships only.
    return SafeLoader, getattr(yaml, "CSafeLoader", None), ComposerError


def __getattr__(name: str) -> Any:
    if name == "SafeLoader":
        return _loaders()[0]
    if name == "_FAST_SAFE_LOADER":
        return _loaders()[1]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def safe_load_yaml(text: str, shipped: bool = False) -> Any:
    """Safe-load YAML (never an unsafe loader; aliases refused). libyaml parses only ``shipped``
    (trusted) files: it crashes the process (no exception) on pathological nesting, so anything a user
    or a scanned repository supplies goes through the pure-Python parser, which also refuses anchors."""
    import yaml

    SafeLoader, fast_loader, _ = _loaders()  # noqa: N806 - the class
    if not shipped or fast_loader is None:
        return yaml.load(text, Loader=SafeLoader)  # noqa: S506 - a safe loader
    # libyaml composes in C, so aliases are found afterwards: an alias is a node reached twice. The
    # walk stops at the first one, so it is linear in the file, never in the expansion.
    loader = fast_loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _refuse_shared_nodes(node)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _refuse_shared_nodes(root: Any) -> None:
    import yaml

    composer_error = _loaders()[2]
    seen = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            raise composer_error(None, None, "YAML aliases are not allowed", node.start_mark)
        seen.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.extend((key, value))


__all__ = ["tomllib", "safe_load_yaml", "canonicalize_name"]  # and SafeLoader, on access
