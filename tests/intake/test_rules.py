"""The classification rules, as plain functions of the policy and a target's facts."""

import dataclasses
from datetime import date

import pytest

from shuangsuiji.engine import policy as policies
from shuangsuiji.intake import rules
from shuangsuiji.intake.rules import ComplaintFact, Evidence, Facts, KeyListing, OutletExceedances

POLICY = policies.load(policies.POLICY_DIR / "baoding-2021.toml")
PENALTY = Evidence("penalty", 1, "涞环罚〔2021〕1号")
KEY = KeyListing(Evidence("key_unit", 7, "2021年名录"), 2021, "保定市2021年重点排污单位名录")
LISTED = Evidence("positive_list", 3, "保环办〔2021〕20号")
CLUE = Evidence("clue", 9, "夜间异味")


def classify(facts: Facts, policy=POLICY, year: int = 2021, quarter: int = 2) -> rules.Outcome:
    return rules.classify(policy, facts, year=year, quarter=quarter)


def with_switch(rule: str, **values) -> policies.Policy:
    return dataclasses.replace(POLICY, **{rule: dataclasses.replace(getattr(POLICY, rule), **values)})


def test_threshold_comes_from_the_policy_and_is_inclusive():
    assert POLICY.special_criteria.exceedances_at_one_outlet == 5
    four = classify(Facts(1, outlets=(OutletExceedances(11, "DA001", 4),)))
    five = classify(Facts(1, outlets=(OutletExceedances(11, "DA001", 5),)))
    assert four.category == "general"
    assert five.category == "special"
    [reason] = [r for r in five.reasons if r.rule == "special_criteria.exceedances_at_one_outlet"]
    assert reason.evidence == (Evidence("exceedances", 11, "DA001：超标5次"),)
    assert "指导意见 二(二)" in reason.citation


def test_five_exceedances_spread_over_two_outlets_are_not_special():
    outcome = classify(Facts(1, outlets=(OutletExceedances(11, "DA001", 3), OutletExceedances(12, "DA002", 2))))
    assert outcome.category == "general"


def test_a_stricter_policy_threshold_is_obeyed():
    strict = with_switch("special_criteria", exceedances_at_one_outlet=3)
    assert classify(Facts(1, outlets=(OutletExceedances(11, "DA001", 3),)), strict).category == "special"


def test_penalty_and_complaint_make_special_and_can_be_switched_off_by_policy():
    complaint = ComplaintFact(Evidence("complaint", 2, "12369-1"), verified=False)
    assert classify(Facts(1, penalties=(PENALTY,))).category == "special"
    unverified = classify(Facts(1, complaints=(complaint,)))
    assert unverified.category == "special"
    assert "其中经核实属实0件" in unverified.reasons[0].text
    no_complaints = with_switch("special_criteria", public_complaint=False)
    assert classify(Facts(1, complaints=(complaint,)), no_complaints).category == "general"


def test_special_beats_key_when_the_policy_says_so():
    both = Facts(1, penalties=(PENALTY,), key_listing=KEY)
    outcome = classify(both)
    assert outcome.category == "special"
    assert [r.rule for r in outcome.reasons] == [
        "special_criteria.administrative_penalty", "key_directory", "special_beats_key"]
    assert classify(both, with_switch("special_beats_key", enabled=False)).category == "key"


def test_key_from_the_directory_otherwise_general():
    key = classify(Facts(1, key_listing=KEY))
    assert key.category == "key"
    assert key.reasons[0].citation == "保定市2021年重点排污单位名录"
    general = classify(Facts(1))
    assert (general.category, [r.rule for r in general.reasons]) == ("general", ["general"])


def test_positive_list_leaves_on_site_strata_unless_an_approved_clue():
    listed = classify(Facts(1, key_listing=KEY, positive_listing=LISTED))
    assert (listed.category, listed.positive_list, listed.on_site_eligible, listed.must_inspect) == (
        "key", True, False, False)
    clue = classify(Facts(1, positive_listing=LISTED, approved_clues=(CLUE,)))
    assert (clue.on_site_eligible, clue.must_inspect, clue.clues_used) == (True, True, (9,))
    assert clue.reasons[-1].evidence == (LISTED, CLUE)


def test_positive_list_rules_follow_the_policy_switches():
    stays = with_switch("positive_list", leaves_on_site_strata=False)
    outcome = classify(Facts(1, positive_listing=LISTED), stays)
    assert (outcome.on_site_eligible, outcome.must_inspect) == (True, False)
    no_clues = with_switch("positive_list", clue_makes_must_inspect=False)
    outcome = classify(Facts(1, positive_listing=LISTED, approved_clues=(CLUE,)), no_clues)
    assert (outcome.on_site_eligible, outcome.must_inspect, outcome.clues_used) == (False, False, ())


def test_a_clue_without_the_positive_list_changes_nothing():
    outcome = classify(Facts(1, approved_clues=(CLUE,)))
    assert (outcome.positive_list, outcome.on_site_eligible, outcome.must_inspect) == (False, True, False)


@pytest.mark.parametrize(("year", "quarter", "first", "last"), [
    (2021, 1, date(2020, 10, 1), date(2020, 12, 31)),
    (2021, 2, date(2021, 1, 1), date(2021, 3, 31)),
    (2021, 4, date(2021, 7, 1), date(2021, 9, 30)),
])
def test_the_window_is_the_previous_calendar_quarter(year, quarter, first, last):
    span = rules.window(POLICY, year, quarter)
    assert (span.first, span.last) == (first, last)


def test_a_previous_year_window():
    yearly = with_switch("special_criteria", window="previous_year")
    span = rules.window(yearly, 2021, 3)
    assert (span.first, span.last) == (date(2020, 1, 1), date(2020, 12, 31))
