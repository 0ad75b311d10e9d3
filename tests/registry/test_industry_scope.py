"""An item's industry scope (CheckItem.industries, 适用行业): the pure rule, no database.

A real 随机抽查事项清单 names the 检查对象 an item is for; the scope keeps 机动车排放检验机构检验行为 off a tannery's
task. The rule compares codes with their GB/T 4754-2017 section letters, however either side was written.
"""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shuangsuiji.registry.industry import (
    SECTIONS,
    ScopeError,
    industry_in_scope,
    normalise_scope,
    parse_scope,
    section_of,
)

# GB/T 4754-2017 门类 and their 大类, transcribed from the standard's table (checked against several copies of it:
# S 公共管理、社会保障和社会组织 is 91–96, T 国际组织 is 97; 97 divisions in all).
STANDARD = {"A": "01-05", "B": "06-12", "C": "13-43", "D": "44-46", "E": "47-50", "F": "51-52", "G": "53-60",
            "H": "61-62", "I": "63-65", "J": "66-69", "K": "70-70", "L": "71-72", "M": "73-75", "N": "76-79",
            "O": "80-82", "P": "83-83", "Q": "84-85", "R": "86-90", "S": "91-96", "T": "97-97"}


def test_the_section_table_is_the_standards():
    assert {letter: f"{first:02d}-{last:02d}" for letter, (first, last) in SECTIONS.items()} == STANDARD
    assert sum(last - first + 1 for first, last in SECTIONS.values()) == 97
    assert [section_of(d) for d in ("01", "05", "06", "12", "13", "43", "44", "50", "70", "96", "97")] == \
        ["A", "A", "B", "B", "C", "C", "D", "E", "K", "S", "T"]
    assert section_of("00") == section_of("98") == section_of("99") == ""


def test_a_scope_is_normalised_upper_case_one_space_each_code_once():
    assert normalise_scope("  b\te48，e48、m7452;C26 ") == "B E48 M7452 C26"
    assert normalise_scope("Ｍ７４５２") == "M7452"  # full-width as typed on a Chinese keyboard
    assert normalise_scope("") == "" and parse_scope("  、 ") == ()


@pytest.mark.parametrize(("typed", "reason"), [
    ("X", "format"), ("U12", "format"), ("C2", "format"), ("C26145", "format"), ("12345", "format"),
    ("7", "format"), ("M-74", "format"), ("机动车", "format"),
    ("99", "division"), ("00", "division"), ("9800", "division"),
    ("C06", "section"), ("M7723", "section"),  # 06 is B's, 77 is N's: such a code would never match
])
def test_a_bad_code_is_named(typed, reason):
    with pytest.raises(ScopeError) as caught:
        parse_scope(f"B {typed} C26")
    assert (caught.value.token, caught.value.reason) == (typed, reason)


@pytest.mark.parametrize(("scope", "code", "applies"), [
    # a letter with digits: the target's code, with or without its letter, starts with it
    ("M7452", "M7452", True), ("M7452", "7452", True), ("M7452", "C1910", False), ("M7452", "1910", False),
    ("M7452", "M7451", False), ("M745", "M7452", True), ("M74", "7452", True),
    # a section letter alone: every division of the section, written with or without the letter
    ("B E", "B0810", True), ("B E", "0810", True), ("B E", "E4811", True), ("B E", "4811", True),
    ("B E", "C1910", False), ("B E", "1910", False), ("B E", "A0313", False), ("B E", "4411", False),
    ("C", "1351", True), ("C", "4210", True), ("C", "1210", False), ("C", "4411", False),
    # letter-less scope codes mean their section's
    ("26", "C2614", True), ("26", "2614", True), ("2614", "C2614", True), ("2614", "C2613", False),
    ("19", "B1910", False),  # a code written with a letter not its division's is that other section's
    # blank on either side: every item (better one item too many than a check missed)
    ("", "C1910", True), ("", "", True), ("M7452", "", True), ("M7452", "  ", True),
    ("M7452", "99", True),  # a division no section has tells nothing
    # a target coded coarser than the scope: its class is not known, the item may apply
    ("M7452", "M", True), ("M7452", "M74", True), ("M7452", "C", False), ("B E", "C", False),
])
def test_the_matching_rule(scope, code, applies):
    assert industry_in_scope(scope, code) is applies


def test_codes_already_parsed_are_taken_as_they_are():
    assert industry_in_scope(("M7452",), "7452") and not industry_in_scope(("B", "E"), "1910")


divisions = st.sampled_from([(letter, f"{d:02d}") for letter, (first, last) in SECTIONS.items()
                             for d in range(first, last + 1)])
tails = st.text(alphabet="0123456789", min_size=0, max_size=2)


@given(divisions, tails, st.integers(min_value=0, max_value=3), st.booleans(), st.booleans())
def test_a_code_is_in_the_scope_of_its_own_beginnings_however_written(division, tail, cut, lettered_scope,
                                                                       lettered_target):
    """Any beginning of a target's code — its section letter, or the letter with 2–4 digits, or the digits —
    takes the target in, with or without the letter on either side."""
    letter, digits = division
    full = digits + tail
    target = (letter if lettered_target else "") + full
    prefix = full[:2 + min(cut, len(tail))]
    scope = letter if cut == 3 else (letter if lettered_scope else "") + prefix
    assert industry_in_scope(scope, target)
    assert industry_in_scope(normalise_scope(f"{scope.lower()}、{scope}"), target)


@given(divisions, divisions, tails)
def test_a_code_of_another_division_is_out_of_scope(mine, other, tail):
    """A scope of one division (with or without its letter) never takes in a target of another division."""
    if mine[1] == other[1]:
        return
    for scope in (mine[1], mine[0] + mine[1]):
        for target in (other[1] + tail, other[0] + other[1] + tail):
            assert not industry_in_scope(scope, target)


@given(st.text(max_size=30))
def test_parsing_never_fails_otherwise_and_its_result_parses_to_itself(text):
    try:
        codes = parse_scope(text)
    except ScopeError as error:
        assert error.token and error.reason in {"format", "division", "section"}
        return
    assert parse_scope(" ".join(codes)) == codes
    assert len(set(codes)) == len(codes)
