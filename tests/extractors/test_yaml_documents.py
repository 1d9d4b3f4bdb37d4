"""YAML documents with key positions: the one-pass reading of plain documents (lockfiles) gives
exactly what composing nodes, PyYAML's safe constructor and ``_yaml_keys`` give; anything else is
left to that general path."""

from __future__ import annotations

import pytest
import yaml

from provider_audit.extractors import _lines
from provider_audit.extractors.base import ParseError

pytestmark = pytest.mark.skipif(not hasattr(yaml, "CSafeLoader"), reason="the one-pass reading needs libyaml")

PLAIN = [
    "",
    "---\n",
    "a: 1\n",
    "a:\n",
    "[1, 2]\n",
    "- \n- - - x\n",
    "a:\n  - 1\n  - {b: 2, c: [x, 'y', \"z\"]}\n",
    "- a\n- b: c\n  d: 2020-01-01\n",
    "x: yes\ny: ~\nz: 0x1f\nw: 1.5e3\nv: '1'\nu: .inf\nt: 0b101\ns: 190:20:30\nr: 1_000\n",
    "a: 2001-12-14t21:59:43.10-05:00\n",
    "3: a\n'2': b\nnull: c\ntrue: d\n",
    "'q': 1\n\"r\": 2\n",
    "k: |\n  text\n  more\nl: >\n  folded\n",
    "--- a\n--- b\n",
    "a: [1, 2, [3, {b: c}]]\nd: {e: {f: {g: [1, {h: i}]}}}\n",
    "a: !\n",
    # a pnpm-lock.yaml in small
    "lockfileVersion: '9.0'\nimporters:\n  .:\n    dependencies:\n      openai:\n        specifier: ^4.0.0\n"
    "        version: 4.2.0(zod@3.22.0)\npackages:\n  openai@4.2.0:\n    resolution: {integrity: sha512-x}\n"
    "    engines: {node: '>=18'}\n",
]

NOT_PLAIN = [
    "a: &x 1\nb: *x\n",  # anchors and aliases
    "a: 1\na: 2\n",  # a repeated key
    "1: a\n'1': b\n",  # the same key text twice
    "1: a\n0x1: b\n",  # the same key value twice
    "1: a\ntrue: b\n",  # equal keys (True == 1)
    "<<: {a: 1}\nb: 2\n",  # a merge key
    "a: !!str 1\n",  # an explicit tag
    "? [a]\n: 1\n",  # a collection as a key
    "=: 1\n",  # the value key
]


def general(text):
    """The general path: nodes, the safe constructor, the node walk."""
    return [(loader.construct_document(node), _lines._yaml_keys(node)) for node, loader in _lines._yaml_nodes(text)]


def plain(text):
    return [(data, positions._found) for data, positions in _lines._plain_documents(text)]


@pytest.mark.parametrize("text", PLAIN)
def test_plain_documents_read_as_the_general_path_reads_them(text):
    expected, got = general(text), plain(text)
    assert got == expected
    assert repr([data for data, _ in got]) == repr([data for data, _ in expected])  # types and key order too
    assert [(d, p._found) for d, p in _lines.yaml_documents(text)] == expected


@pytest.mark.parametrize("text", NOT_PLAIN)
def test_anything_else_is_left_to_the_general_path(text):
    with pytest.raises(_lines._NotPlain):
        _lines._plain_documents(text)
    try:
        expected = general(text)
    except yaml.YAMLError:
        with pytest.raises(ParseError):
            _lines.yaml_documents(text)
        return
    assert [(d, p._found) for d, p in _lines.yaml_documents(text)] == expected


def test_deep_nesting_needs_no_recursion():
    depth = 900  # under libyaml's own cap of 1,000 levels
    text = "[" * depth + "1" + "]" * depth + "\n"
    (data, _), = plain(text)
    for _ in range(depth - 1):
        data = data[0]
    assert data == [1]


@pytest.mark.parametrize("text", ["a: [1, 2\n", "a: b: c\n", "[" * 5000 + "]" * 5000])
def test_invalid_yaml_is_reported_by_the_general_path(text):
    with pytest.raises(ParseError):
        _lines.yaml_documents(text)
