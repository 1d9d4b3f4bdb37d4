"""The JSON report's layout: the indented document, with each usage on one line (a large repository's
report stays a few MB); the data is exactly what ``document`` gives."""

from __future__ import annotations

import json
from datetime import date

import pytest

from provider_audit import audit
from provider_audit.formatters import json_format

from conftest import PROJECTS


def _result(case):
    return audit(PROJECTS / case, isolated=True, no_git=True, as_of=date.fromisoformat("2026-11-01"))


@pytest.mark.parametrize("case", ["mixed", "docs_tests_only", "polyglot"])
def test_same_data_and_the_rest_indented_as_before(case):
    result = _result(case)
    data = json_format.document(result)
    text = json_format.render(result)
    assert json.loads(text) == json.loads(json.dumps(data))
    # Every key but usages is laid out as json.dumps(indent=2) lays out the whole document.
    without = json.dumps(dict(data, usages=[]), indent=2, ensure_ascii=False) + "\n"
    usage_lines = [line for line in text.splitlines() if line.startswith("    {") and line.rstrip(",").endswith("}")
                   and line.count("\"path\"") == 1]
    rest = [line for line in text.splitlines() if line not in usage_lines]
    expected = without.splitlines()
    if data["usages"]:
        expected[expected.index('  "usages": [],')] = '  "usages": ['
        expected.insert(expected.index('  "usages": [') + 1, "  ],")
    assert rest == expected


def test_each_usage_is_one_line():
    result = _result("mixed")
    text = json_format.render(result)
    usages = json.loads(text)["usages"]
    assert len(usages) > 1
    lines = text.splitlines()
    start = lines.index('  "usages": [')
    rows = lines[start + 1:start + 1 + len(usages)]
    assert [json.loads(row.strip().rstrip(",")) for row in rows] == usages
    assert lines[start + 1 + len(usages)] == "  ],"


def test_strings_with_line_breaks_stay_escaped():
    class Fake:
        pass

    data = {"a": {"text": "one\ntwo\r\n\u2028"}, "usages": [{"snippet": "x\ny", "path": "p"}], "z": []}
    original = json_format.document
    try:
        json_format.document = lambda result: data
        text = json_format.render(Fake())
    finally:
        json_format.document = original
    assert json.loads(text) == data
    assert '"text": "one\\ntwo\\r\\n' in text  # escaped, so indenting the document's lines never reaches them
    assert '    {"snippet": "x\\ny", "path": "p"}\n' in text
