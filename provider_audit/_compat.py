"""Shims for the supported Python versions (3.9+) and optional speed-ups; the one YAML loader.

The YAML parts load on first use (``safe_load_yaml``; ``SafeLoader`` on access): reading a TOML
configuration or starting the command line does not import PyYAML."""

from functools import lru_cache
from typing import Any


@lru_cache(maxsize=None)
def _toml() -> Any:
    """``tomllib`` (``tomli`` before Python 3.11), imported when a TOML file is first read."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python < 3.11
        import tomli as tomllib  # type: ignore[no-redef]
    return tomllib


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
    if name == "tomllib":
        return _toml()
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
        return _construct(loader, node)
    finally:
        loader.dispose()


_TAG = "tag:yaml.org,2002:"


def _construct(loader: Any, root: Any) -> Any:
    """``loader.construct_document(root)``, aliases refused (a node reached twice), in one walk: plain
    strings, lists and mappings are built here (most of a rules file, in a third of the constructor's
    time); any other node (numbers, dates, booleans, merge keys, other tags) by the loader itself."""
    import yaml
    from yaml.constructor import ConstructorError

    composer_error = _loaders()[2]
    scalar, sequence, mapping = yaml.ScalarNode, yaml.SequenceNode, yaml.MappingNode
    str_tag, seq_tag, map_tag, merge_tag = _TAG + "str", _TAG + "seq", _TAG + "map", _TAG + "merge"
    seen: set = set()

    def build(node: Any) -> Any:
        if id(node) in seen:
            raise composer_error(None, None, "YAML aliases are not allowed", node.start_mark)
        seen.add(id(node))
        kind, tag = type(node), node.tag
        if kind is scalar and tag == str_tag:
            return node.value
        if kind is sequence and tag == seq_tag:
            return [build(item) for item in node.value]
        if kind is mapping and tag == map_tag and not any(key.tag == merge_tag for key, _ in node.value):
            built = {}
            for key_node, value_node in node.value:
                key = build(key_node)
                try:
                    hash(key)
                except TypeError:
                    raise ConstructorError("while constructing a mapping", node.start_mark, "found unhashable key",
                                           key_node.start_mark) from None
                built[key] = build(value_node)
            return built
        seen.discard(id(node))
        _refuse_shared_nodes(node, seen)
        return loader.construct_object(node, deep=True)

    return build(root)


def _refuse_shared_nodes(root: Any, seen: set) -> None:
    import yaml

    composer_error = _loaders()[2]
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


__all__ = ["safe_load_yaml", "canonicalize_name"]  # and tomllib and SafeLoader, loaded on access
