"""Evidence helpers that the whole pipeline leans on."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from provider_audit.models import Evidence, interned, sorted_evidence

_evidence = st.builds(
    Evidence,
    kind=st.sampled_from(["import", "client", "model-id"]),
    path=st.sampled_from(["a.py", "b/c.ts", "b/d.ts"]),
    line=st.integers(1, 4),
    column=st.integers(1, 3),
    context=st.sampled_from(["source", "test"]),
    provider=st.sampled_from([None, "openai", "anthropic"]),
    layer=st.sampled_from([None, "litellm"]),
    detail=st.sampled_from(["", "openai", "x"]),
    model=st.sampled_from([None, "gpt-4o"]),
    confidence=st.sampled_from(["high", "low"]),
)


@given(st.lists(_evidence, max_size=60))
def test_sorted_evidence_is_the_sort_key_order_without_duplicates(items):
    result = sorted_evidence(items)
    assert set(result) == set(items) and len(result) == len(set(items))
    assert [e.sort_key() for e in result] == sorted(e.sort_key() for e in set(items))
    assert result == sorted(dict.fromkeys(items), key=Evidence.sort_key)  # first copies, in input order among ties


def test_sorted_evidence_keeps_input_order_among_items_equal_by_key():
    """Two items the sort key cannot tell apart keep the order they came in (never a hash order)."""
    first = Evidence("import", "a.py", 1, 1, "source", "openai", confidence="high")
    second = Evidence("import", "a.py", 1, 1, "source", "openai", confidence="low")
    assert sorted_evidence([first, second, first]) == [first, second]
    assert sorted_evidence([second, first]) == [second, first]


def test_interned_shares_short_strings_only():
    long = "x" * 300
    a, b = interned(["".join(["pa", "th"]), 1, None, long]), interned(["".join(["p", "ath"]), 2, None, long])
    assert a[0] is b[0] and a[1:3] == [1, None]
    assert a[3] is long
