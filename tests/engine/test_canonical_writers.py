"""orjson, when installed, writes exactly the bytes of the reference writer (the standard library's json) for
every canonical value: non-ASCII and control characters, keys beyond the Basic Multilingual Plane, integers
of any size (orjson refuses those beyond 64 bits and the reference writes them), nested empty containers."""

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shuangsuiji.engine import canonical

orjson = pytest.importorskip("orjson")

VECTORS = json.loads((Path(__file__).parent / "vectors" / "draw-vectors.json").read_text(encoding="utf-8"))

_CHARACTERS = st.one_of(
    st.characters(max_codepoint=0x7F),  # ASCII, with every control character, '"', '\\' and DEL
    st.characters(min_codepoint=0x80, max_codepoint=0x2FFF),  # accents, U+2028/2029, combining marks
    st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),  # CJK
    st.characters(min_codepoint=0xE000, max_codepoint=0x10FFFF),  # private use, U+FFFF, astral planes
)
_TEXTS = st.text(_CHARACTERS, max_size=12).map(canonical.nfc)
_INTEGERS = st.one_of(st.integers(-(2**64) - 2, 2**64 + 2), st.integers(), st.integers(-(10**80), 10**80))
CANONICAL = st.recursive(
    st.one_of(_TEXTS, _INTEGERS),
    lambda inner: st.one_of(st.lists(inner, max_size=6), st.dictionaries(_TEXTS, inner, max_size=6)),
    max_leaves=40,
)


@settings(max_examples=1500, deadline=None)
@given(CANONICAL)
def test_orjson_writes_the_reference_bytes(value):
    canonical.check(value)
    reference = canonical.dumps_reference(value)
    assert canonical.dumps(value) == reference
    assert canonical.dumps(value, check_first=False) == reference
    try:
        fast = canonical._orjson_dumps(value)
    except orjson.JSONEncodeError:  # refused only for an integer beyond 64 bits: dumps fell back above
        assert _beyond_64_bits(value)
        return
    assert fast == reference


def _beyond_64_bits(value) -> bool:
    if isinstance(value, int):
        return not -(2**63) <= value < 2**64
    if isinstance(value, dict):
        value = list(value.values())
    return isinstance(value, list) and any(map(_beyond_64_bits, value))


@pytest.mark.parametrize("value", [
    "".join(map(chr, range(0x80))), "\u2028\u2029\x7f\x80\xa0\ufeff\U0001f600", [[], {}, [[]], {"": {}}],
    {"\U0001f600": 1, "\uffff": 2, "é": 3, "e": 4, "": 5}, 2**63 - 1, -(2**63), 2**64 - 1, 2**64, -(2**64) - 1,
    10**80, [2**64, "x"],
])
def test_the_edges(value):
    assert canonical.dumps(value) == canonical.dumps_reference(value)


def test_the_writer_is_the_reference_without_orjson(monkeypatch):
    monkeypatch.setattr(canonical, "_fast", None)
    for case in VECTORS["canonical"]:
        assert canonical.dumps(case["value"]).decode("utf-8") == case["json"]


def test_the_vectors_with_orjson():
    assert canonical._fast is not None
    for case in VECTORS["canonical"]:
        assert canonical.dumps(case["value"]).decode("utf-8") == case["json"]
