"""Quotas: exact, rounded up, never above the population, and over a year they add up to the policy."""

import dataclasses
import random
import tomllib
from datetime import date, timedelta
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shuangsuiji.engine import policy as policy_module
from shuangsuiji.engine import quotas as quotas_module
from shuangsuiji.engine import tickets
from shuangsuiji.engine.quotas import (
    STRATA,
    QuarterQuotas,
    TargetFacts,
    YearProgress,
    ceil_fraction,
    compute_quotas,
    shortfall,
)
from tests.engine import quotas_reference

BAODING = policy_module.load(policy_module.POLICY_DIR / "baoding-2021.toml")


def population(keys: int = 0, specials: int = 0, generals: int = 0) -> list[TargetFacts]:
    targets = [TargetFacts(f"K{i:04d}", "key") for i in range(keys)]
    targets += [TargetFacts(f"S{i:04d}", "special") for i in range(specials)]
    targets += [TargetFacts(f"G{i:04d}", "general") for i in range(generals)]
    return targets


def quotas_for(targets, *, level="county", quarter=1, inspectors=10, progress=None, policy=BAODING) -> QuarterQuotas:
    return compute_quotas(
        policy, targets, inspectors=inspectors, level=level, year=2021, quarter=quarter, progress=progress
    )


# --- hand-checked examples ---------------------------------------------------------------------------------


def test_county_first_quarter_example():
    result = quotas_for(population(keys=37, specials=5, generals=300), inspectors=12)
    key, special, general, joint = (result.quota(s) for s in STRATA)
    assert (key.population, key.minimum, key.must_include) == (37, 19, ())  # ⌈50% × 37⌉ = ⌈18.5⌉
    assert (special.population, special.minimum) == (5, 3)  # ⌈2.5⌉
    assert (general.population, general.minimum) == (300, 30)  # 12 × 10 = 120 a year, ⌈120 / 4⌉
    assert (joint.population, joint.minimum) == (37, 1)  # ⌈5% × 37⌉ = 2 a year, ⌈2/4⌉ = 1, at least 1
    assert key.citation == "指导意见 二(一)；实施方案 二(三)"
    assert special.citation == "指导意见 二(二)；实施方案 二(三)"
    assert general.citation == "指导意见 二(三)；实施方案 二(三)"
    assert joint.citation == "实施方案 二(五)；附件 二(二)“制定联合抽查计划”"
    assert "县级每季度至少抽查 50%：⌈50% × 37⌉ = 19 家" in key.explanation
    assert "⌈12 × 10⌉ = 120 家" in general.explanation
    assert "⌈120 ÷ 4⌉ = 30 家" in general.explanation
    assert result.policy_fingerprint == BAODING.fingerprint


def test_city_level_example():
    result = quotas_for(population(keys=37, specials=5, generals=300), level="city", inspectors=7)
    assert result.quota("key").minimum == 4  # ⌈10% × 37⌉ = ⌈3.7⌉
    assert result.quota("special").minimum == 3
    assert result.quota("general").minimum == 9  # 7 × 5 = 35 a year, ⌈35/4⌉
    assert "市级每季度至少抽查 10%：⌈10% × 37⌉ = 4 家" in result.quota("key").explanation
    # the half-year coverage is a county rule: no must-include at city level even in Q2
    assert quotas_for(population(keys=37), level="city", quarter=2).quota("key").must_include == ()


def test_general_spreads_what_remains_over_the_remaining_quarters():
    targets = population(generals=500)
    progress = YearProgress(general_inspections={1: 10, 2: 40, 3: 50})
    q4 = quotas_for(targets, quarter=4, inspectors=12, progress=progress)
    assert q4.quota("general").minimum == 20  # 120 − 100 left for the last quarter
    assert "今年已抽查 100 家，尚需 20 家" in q4.quota("general").explanation
    ahead = quotas_for(targets, quarter=3, inspectors=12, progress=YearProgress(general_inspections={1: 80, 2: 60}))
    assert ahead.quota("general").minimum == 0


def test_county_half_year_coverage_makes_uninspected_key_units_must_include():
    inspected = {f"K{i:04d}": date(2021, 2, 15) for i in range(12)}
    inspected["K0012"] = date(2020, 12, 31)  # inspected, but before this half-year began
    targets = [TargetFacts(f"K{i:04d}", "key", last_on_site_inspection=inspected.get(f"K{i:04d}")) for i in range(20)]
    q2 = quotas_for(targets, quarter=2).quota("key")
    assert q2.must_include == tuple(f"K{i:04d}" for i in range(12, 20))
    assert q2.minimum == 10  # ⌈50% × 20⌉ = 10 ≥ 8 must-include
    many_uninspected = [TargetFacts(f"K{i:04d}", "key") for i in range(20)]
    assert quotas_for(many_uninspected, quarter=2).quota("key").minimum == 20
    q4 = quotas_for(targets, quarter=4).quota("key")
    assert len(q4.must_include) == 20  # nothing was inspected in the second half yet
    assert quotas_for(targets, quarter=3).quota("key").must_include == ()


def test_key_units_classified_special_still_owe_the_half_year_coverage():
    """A unit on the key directory that the quarter classifies special (special_beats_key) is still one of
    辖区所有重点排污单位 (指导意见 二(一)): in the half-year's second quarter, if it was not inspected on site since
    the half began, it must be drawn in its special stratum. Before, only the key stratum carried the rule, so a
    key unit special in both quarters of a half could go uninspected, passed over twice by the 50% draw."""
    targets = [
        *population(keys=4, specials=6),
        TargetFacts("KS-NEW", "special", key_listed=True),
        TargetFacts("KS-OLD", "special", key_listed=True, last_on_site_inspection=date(2020, 12, 1)),
        TargetFacts("KS-DONE", "special", key_listed=True, last_on_site_inspection=date(2021, 2, 1)),
    ]
    special = quotas_for(targets, quarter=2).quota("special")
    assert special.must_include == ("KS-NEW", "KS-OLD")
    assert "其中列入重点排污单位名录的 3 家，上半年尚未现场检查的 2 家必查。" in special.explanation
    assert "指导意见 二(一)" in special.citation
    assert quotas_for(targets, quarter=4).quota("special").must_include == ("KS-DONE", "KS-NEW", "KS-OLD")
    # the first quarter of a half owes nothing yet, the city level owes no coverage, and plain specials never do
    assert quotas_for(targets, quarter=1).quota("special").must_include == ()
    assert quotas_for(targets, quarter=2, level="city").quota("special").must_include == ()
    plain = quotas_for(population(specials=6), quarter=2).quota("special")
    assert plain.must_include == () and "重点排污单位名录" not in plain.explanation


def test_positive_list_leaves_on_site_strata_unless_a_clue_was_approved():
    targets = [
        *population(keys=10, generals=10),
        TargetFacts("P-KEY", "key", positive_list=True),
        TargetFacts("P-GEN", "general", positive_list=True),
        TargetFacts("P-CLUE", "general", positive_list=True, approved_clue=True),
    ]
    result = quotas_for(targets, inspectors=1)
    assert result.exempt == ("P-GEN", "P-KEY")
    assert "P-KEY" not in result.quota("key").eligible
    general = result.quota("general")
    assert "P-CLUE" in general.eligible and general.must_include == ("P-CLUE",)
    assert general.minimum == 3  # 1 × 10 = 10 a year → 3 this quarter; the clue target counts among them
    assert "正面清单企业 1 家不参加现场随机抽查" in general.explanation
    assert "经批准核查线索的 1 家必查" in general.explanation
    assert "实施方案 二(三)" in general.citation and "实施方案 二(二)" in general.citation
    assert result.quota("key").population == 10


def test_joint_inspections_at_least_one_a_quarter_and_five_percent_a_year():
    targets = population(keys=100)
    assert quotas_for(targets).quota("joint").minimum == 2  # ⌈5% × 100⌉ = 5 a year, ⌈5/4⌉ = 2
    done = YearProgress(joint_key_inspections={1: 5})
    assert quotas_for(targets, quarter=2, progress=done).quota("joint").minimum == 1  # the quarterly floor
    few_keys = population(keys=0, generals=4)
    joint = quotas_for(few_keys).quota("joint")
    assert (joint.population, joint.minimum) == (4, 1)
    assert "无可现场检查的重点排污单位" in joint.explanation
    assert quotas_for([]).quota("joint").minimum == 0


def test_joint_inspections_count_and_prefer_key_units_classified_special():
    """附件 二(二) and 实施方案 二(五): 年度内部联合抽查重点排污单位数量不低于当地重点排污单位数量的5%, key units first.
    A unit on the key directory classified special this quarter is still one of the local key units: it counts in
    the 5% base and may be jointly inspected as a key unit. Before, the base counted only the key stratum (here
    0, so the annual 5% vanished) and the pool fell back to every target, saying there was no key unit."""
    targets = [*population(generals=10), *(TargetFacts(f"KS{i:03d}", "special", key_listed=True) for i in range(60))]
    joint = quotas_for(targets).quota("joint")
    assert "本地重点排污单位（60 家）" in joint.explanation
    assert joint.minimum == 1  # ⌈5% × 60⌉ = 3 a year, ⌈3/4⌉ = 1 this quarter
    assert joint.eligible == tuple(f"KS{i:03d}" for i in range(60))
    assert "联合抽查对象为重点排污单位。" in joint.explanation
    mixed = [*population(keys=100), *(TargetFacts(f"KS{i:03d}", "special", key_listed=True) for i in range(60))]
    assert quotas_for(mixed).quota("joint").minimum == 2  # ⌈5% × 160⌉ = 8 a year, ⌈8/4⌉ = 2
    assert quotas_for(mixed).quota("joint").population == 160
    # plain specials are no key units
    assert "本地重点排污单位（0 家）" in quotas_for(population(specials=5)).quota("joint").explanation


def test_minimum_never_exceeds_population():
    result = quotas_for(population(specials=1, generals=3), inspectors=50)
    assert result.quota("general").minimum == 3
    assert "本类可抽对象仅 3 家" in result.quota("general").explanation
    assert result.quota("special").minimum == 1
    assert result.quota("key").minimum == 0


def test_shortfall_and_requests_above_the_minimum():
    general = quotas_for(population(generals=100), inspectors=12).quota("general")
    assert general.minimum == 30
    assert shortfall(general, 30) == 0
    assert shortfall(general, 80) == 0  # no upper bound: a plan may ask for more
    assert shortfall(general, 25) == 5
    with pytest.raises(ValueError, match="超过可抽对象数 100"):
        shortfall(general, 101)
    with pytest.raises(ValueError, match="不能为负"):
        shortfall(general, -1)


def test_a_policy_with_an_upper_bound_refuses_more_than_the_minimum():
    data = tomllib.loads((policy_module.POLICY_DIR / "baoding-2021.toml").read_text(encoding="utf-8"))
    data["rules"]["ratio_uncapped"]["enabled"] = False
    capped = policy_module.from_data(data)
    general = quotas_for(population(generals=100), inspectors=12, policy=capped).quota("general")
    assert general.maximum == general.minimum == 30
    with pytest.raises(ValueError, match="政策规定的上限 30"):
        shortfall(general, 31)


def test_bad_inputs_are_refused():
    with pytest.raises(ValueError, match="出现了两次"):
        quotas_for([TargetFacts("A", "key"), TargetFacts("A", "general")])
    with pytest.raises(ValueError, match="季度应为 1–4"):
        quotas_for([], quarter=5)
    with pytest.raises(ValueError, match="之前的季度"):
        quotas_for([], quarter=2, progress=YearProgress(general_inspections={2: 3}))
    with pytest.raises(ValueError, match="类别"):
        quotas_for([TargetFacts("A", "important")])


def test_ceil_fraction_is_exact():
    assert ceil_fraction(Fraction(37, 10)) == 4
    assert ceil_fraction(Fraction(40, 10)) == 4
    assert ceil_fraction(Fraction(0)) == 0
    # 0.1 × 30 in binary floating point is 3.0000000000000004 and would round up to 4
    assert ceil_fraction(Fraction(1, 10) * 30) == 3


# --- properties --------------------------------------------------------------------------------------------

categories = st.sampled_from(["key", "special", "general"])
target_lists = st.lists(
    st.builds(
        lambda category, positive, clue, days: (category, positive, clue, days),
        categories,
        st.booleans(),
        st.booleans(),
        st.one_of(st.none(), st.integers(min_value=0, max_value=364)),
    ),
    max_size=60,
).map(
    lambda rows: [
        TargetFacts(
            f"T{index:03d}",
            category,
            positive_list=positive,
            approved_clue=clue,
            last_on_site_inspection=None if days is None else date(2021, 1, 1) + timedelta(days=days),
        )
        for index, (category, positive, clue, days) in enumerate(rows)
    ]
)
levels = st.sampled_from(["city", "county"])
quarters = st.integers(min_value=1, max_value=4)


@given(target_lists, levels, quarters, st.integers(min_value=0, max_value=40))
def test_minimum_bounds_and_must_include(targets, level, quarter, inspectors):
    result = quotas_for(targets, level=level, quarter=quarter, inspectors=inspectors)
    exempt = set(result.exempt)
    assert exempt == {t.id for t in targets if t.positive_list and not t.approved_clue}
    for quota in result.quotas:
        assert 0 <= quota.minimum <= quota.population <= quota.maximum
        assert set(quota.must_include) <= set(quota.eligible)
        assert quota.minimum >= len(quota.must_include)
        assert not set(quota.eligible) & exempt
        assert quota.citations
    for stratum, rule in (("key", BAODING.key_quarterly), ("special", BAODING.special_quarterly)):
        quota = result.quota(stratum)
        assert quota.minimum >= min(quota.population, ceil_fraction(rule.at(level) * quota.population))
        assert set(quota.must_include) == {t.id for t in targets if t.category == stratum and t.approved_clue} | (
            {
                t.id
                for t in targets
                if stratum == "key"
                and level == "county"
                and quarter in (2, 4)
                and t.category == "key"
                and t.id not in exempt
                and (t.last_on_site_inspection is None or t.last_on_site_inspection < date(2021, 3 * quarter - 5, 1))
            }
        )


@given(target_lists, categories, st.booleans(), levels, quarters, st.integers(min_value=0, max_value=40))
def test_minimum_is_monotone_in_population(targets, category, uninspected, level, quarter, inspectors):
    extra = TargetFacts("NEW", category, last_on_site_inspection=None if uninspected else date(2021, 12, 31))
    before = quotas_for(targets, level=level, quarter=quarter, inspectors=inspectors)
    after = quotas_for([*targets, extra], level=level, quarter=quarter, inspectors=inspectors)
    for stratum in STRATA:
        assert after.quota(stratum).minimum >= before.quota(stratum).minimum, stratum
    assert after.quota(category).population == before.quota(category).population + 1


@settings(max_examples=60, deadline=None)
@given(
    st.integers(min_value=0, max_value=60),
    st.integers(min_value=0, max_value=400),
    st.integers(min_value=0, max_value=30),
    levels,
    st.randoms(use_true_random=False),
)
def test_a_simulated_year_meets_the_annual_and_half_year_rules(keys, generals, inspectors, level, rng: random.Random):
    last_seen: dict[str, date | None] = {f"K{i:03d}": rng.choice([None, date(2020, 11, 3)]) for i in range(keys)}
    general_ids = [f"G{i:03d}" for i in range(generals)]
    progress_general: dict[int, int] = {}
    progress_joint: dict[int, int] = {}
    inspected_in_half = {1: set(), 2: set()}
    annual_general = ceil_fraction(BAODING.general_annual.at(level) * inspectors)
    for quarter in (1, 2, 3, 4):
        targets = [TargetFacts(kid, "key", last_on_site_inspection=seen) for kid, seen in last_seen.items()]
        targets += [TargetFacts(gid, "general") for gid in general_ids]
        result = quotas_for(
            targets,
            level=level,
            quarter=quarter,
            inspectors=inspectors,
            progress=YearProgress(dict(progress_general), dict(progress_joint)),
        )
        key = result.quota("key")
        others = [kid for kid in key.eligible if kid not in key.must_include]
        chosen = list(key.must_include) + rng.sample(others, key.minimum - len(key.must_include))
        inspection_day = date(2021, 3 * quarter - 1, 15)
        for kid in chosen:
            last_seen[kid] = inspection_day
            inspected_in_half[1 if quarter <= 2 else 2].add(kid)
        progress_general[quarter] = result.quota("general").minimum
        progress_joint[quarter] = result.quota("joint").minimum
        if result.quota("joint").population:
            assert result.quota("joint").minimum >= 1
    assert all(count <= generals for count in progress_general.values())
    if generals >= annual_general:
        assert sum(progress_general.values()) >= annual_general
    assert sum(progress_joint.values()) >= ceil_fraction(Fraction(5, 100) * keys)
    if level == "county":
        assert inspected_in_half[1] == set(last_seen) and inspected_in_half[2] == set(last_seen)


# --- the one-pass split against the rules' loop ----------------------------------------------------------------
# compute_quotas splits a plan's targets in one pass (in C when the accelerator is built) and reads only the few
# flagged targets one by one; tests/engine/quotas_reference.py keeps the loop it read every target with before.
# Both paths must give the very same quotas (ids, order, minimums, explanations, citations) or the very same
# refusal, on any population: flags, key units classified special, duplicate ids, bad categories, odd values.


def _variant(positive_leaves: bool, clue_must: bool, key_first: bool, uncapped: bool, coverage: bool):
    return dataclasses.replace(
        BAODING,
        positive_list=dataclasses.replace(BAODING.positive_list, leaves_on_site_strata=positive_leaves,
                                          clue_makes_must_inspect=clue_must),
        joint_inspection=dataclasses.replace(BAODING.joint_inspection, key_units_first=key_first),
        ratio_uncapped=dataclasses.replace(BAODING.ratio_uncapped, enabled=uncapped),
        key_half_year_coverage=dataclasses.replace(BAODING.key_half_year_coverage, city=coverage, county=coverage),
    )


_policies = st.one_of(st.just(BAODING), st.builds(_variant, *[st.booleans()] * 5))
# credit-code-like ids and short ones over a small alphabet (twins; ids that are prefixes of others; a NUL, which
# the C keys pad with), now and then one beyond Latin-1 or not a str at all
_ids = st.one_of(
    st.from_regex(r"91130[0-9]{3}MA[0-9A-Z]{8}", fullmatch=True),
    st.text("ab\x00é", max_size=20),
    st.text("a字", min_size=1, max_size=3),
    st.sampled_from([1, None, ("a",)]),
)
_categories = st.one_of(
    st.sampled_from(["key", "special", "general"]).map(lambda c: "".join(list(c))),  # equal text, other objects
    st.sampled_from(["key", "special", "general"]),
    st.sampled_from(["important", "", None, ["key"]]),
)
_flags = st.one_of(st.booleans(), st.booleans(), st.booleans(), st.sampled_from([0, 1, None, "yes"]))
_facts = st.builds(
    TargetFacts,
    id=_ids,
    category=_categories,
    positive_list=_flags,
    approved_clue=_flags,
    last_on_site_inspection=st.one_of(st.none(), st.dates(date(2020, 6, 1), date(2021, 12, 31))),
    key_listed=_flags,
)


def _populations(draw_facts=_facts):
    # mostly well-formed populations (the fast path), sometimes anything (the refusals)
    good = st.builds(
        TargetFacts,
        id=st.from_regex(r"91130[0-9]{3}MA[0-9A-Z]{8}", fullmatch=True),
        category=st.sampled_from(["key", "special", "general"]),
        positive_list=st.booleans(),
        approved_clue=st.booleans(),
        last_on_site_inspection=st.one_of(st.none(), st.dates(date(2020, 6, 1), date(2021, 12, 31))),
        key_listed=st.booleans(),
    )
    return st.one_of(st.lists(good, max_size=80, unique_by=lambda t: t.id), st.lists(st.one_of(good, draw_facts),
                                                                                      max_size=40))


def _outcome(function, *args, **kwargs):
    try:
        return function(*args, **kwargs)
    except Exception as error:  # the same refusal: its type and its words
        return type(error), str(error)


@settings(max_examples=400, deadline=None)
@given(targets=_populations(), policy=_policies, level=levels, quarter=st.integers(0, 5),
       inspectors=st.integers(-1, 40), done=st.dictionaries(st.integers(0, 4), st.integers(-1, 9), max_size=3))
def test_the_one_pass_gives_what_the_rules_loop_gave(targets, policy, level, quarter, inspectors, done):
    progress = YearProgress(general_inspections=done, joint_key_inspections={q: 1 for q in done if q >= 1})
    arguments = dict(inspectors=inspectors, level=level, year=2021, quarter=quarter, progress=progress)
    expected = _outcome(quotas_reference.compute_quotas, policy, targets, **arguments)
    assert _outcome(compute_quotas, policy, targets, **arguments) == expected
    with pytest.MonkeyPatch.context() as reference:  # the split's pure reference instead of the C one
        reference.setattr(quotas_module, "_split", quotas_module._split_targets)
        assert _outcome(compute_quotas, policy, targets, **arguments) == expected
    with pytest.MonkeyPatch.context() as pure:  # the pure path (no C compiler, or SHUANGSUIJI_ENGINE_PURE=1)
        pure.setattr(tickets, "_native", None)
        assert _outcome(compute_quotas, policy, targets, **arguments) == expected


def test_the_one_pass_is_taken_for_a_plain_population(monkeypatch):
    # the rules' loop is only for what the split leaves to it: a plain population never reaches it
    targets = population(keys=30, specials=10, generals=200)
    targets[3] = dataclasses.replace(targets[3], positive_list=True)
    targets[40] = dataclasses.replace(targets[40], key_listed=True, approved_clue=True)
    expected = quotas_reference.compute_quotas(BAODING, targets, inspectors=12, level="county", year=2021, quarter=2)
    splits = [quotas_module._split_targets] + ([quotas_module._split] if tickets._native is not None else [])
    for split in splits:
        with monkeypatch.context() as patched:
            patched.setattr(quotas_module, "_split", split)
            patched.setattr(quotas_module, "_compute_quotas_slowly", None)
            assert compute_quotas(BAODING, targets, inspectors=12, level="county", year=2021, quarter=2) == expected
