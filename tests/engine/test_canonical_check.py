"""canonical.check walks a small value member by member and a large one in groups (``_items_fine``): both
judge every value alike, canonical or not, and a refusal names the same culprit whichever walked it."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shuangsuiji.engine import canonical
from shuangsuiji.engine.canonical import CanonicalError

_TEXTS = st.text(max_size=6)  # not normalised: some are not NFC, some hold lone surrogates
_LEAVES = st.one_of(_TEXTS.map(canonical.nfc), st.integers(), _TEXTS, st.booleans(), st.none(), st.floats(),
                    st.binary(max_size=2))
_KEYS = st.one_of(_TEXTS.map(canonical.nfc), _TEXTS, st.integers())
VALUES = st.recursive(_LEAVES, lambda inner: st.one_of(
    st.lists(inner, max_size=8), st.lists(inner, max_size=8).map(tuple), st.dictionaries(_KEYS, inner, max_size=6),
    st.lists(_TEXTS.map(canonical.nfc), min_size=canonical._SMALL - 3, max_size=canonical._SMALL + 3)),
    max_leaves=30)


@settings(max_examples=300, deadline=None)
@given(VALUES)
def test_the_member_walk_judges_as_the_grouped_walk(value):
    fine = canonical._items_fine([value])
    assert canonical._small_fine(value) in (fine, None)
    if fine:
        canonical.check(value)
    else:
        with pytest.raises(CanonicalError):
            canonical.check(value)


@pytest.mark.parametrize("size", [3, canonical._SMALL + 1])
@pytest.mark.parametrize(("bad", "message"), [
    ("e\u0301", "$.rows[2][1]: string 'e\u0301' is not in Unicode NFC"),
    (1.5, "$.rows[2][1]: float 1.5 has no canonical form (only objects, arrays, strings and integers)"),
    (True, "$.rows[2][1]: bool True has no canonical form (only objects, arrays, strings and integers)"),
])
def test_a_refusal_names_the_culprit_in_a_small_value_and_in_a_large_one(size, bad, message):
    rows = [[f"id{k:04d}", k] for k in range(size)]
    rows[2][1] = bad
    value = {"rows": rows}
    assert canonical._small_fine(value) is (False if size < canonical._SMALL else None)
    with pytest.raises(CanonicalError) as refused:
        canonical.check(value)
    assert str(refused.value) == message
