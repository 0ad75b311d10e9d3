"""The quota rules as compute_quotas read them before it split the targets in one pass (commit 0c89ab47, verbatim
but for this docstring and the imports): the reference tests/engine/test_quotas.py holds the fast path to, on
random populations. Not used by the engine."""

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from fractions import Fraction
from operator import attrgetter
from typing import NamedTuple

from shuangsuiji.engine.policy import Citation, Level, Policy
from shuangsuiji.engine.quotas import (
    CATEGORIES,
    Category,
    QuarterQuotas,
    Quota,
    Stratum,
    TargetFacts,
    YearProgress,
)

_LEVEL_NAME = {"city": "市级", "county": "县级"}


def ceil_fraction(value: Fraction) -> int:
    return -(-value.numerator // value.denominator)


def _number(value: Fraction) -> str:
    """A fraction as people write it: 5, 2.5, or 1/3 when the decimal would not end."""
    if 10**12 % value.denominator:
        return f"{value.numerator}/{value.denominator}"
    text = f"{Decimal(value.numerator) / Decimal(value.denominator):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _percent(ratio: Fraction) -> str:
    scaled = ratio * 100
    return f"{_number(scaled)}%" if 10**12 % scaled.denominator == 0 else _number(ratio)


class _Clues(NamedTuple):
    """Per category: the clue targets that must be inspected, a sentence about them, and their citations."""

    ids: tuple[str, ...]
    note: str
    citations: tuple[Citation, ...]


_ID = attrgetter("id")
_CATEGORY = attrgetter("category")
_CATEGORY_SET = set(CATEGORIES)


def _validate_inputs(targets: list[TargetFacts], inspectors: int, quarter: int,
                     progress: YearProgress) -> list[Category]:
    """Refuse what cannot be counted; the targets' categories, in their order."""
    if quarter not in (1, 2, 3, 4):
        raise ValueError(f"季度应为 1–4，实为 {quarter}")
    if inspectors < 0:
        raise ValueError(f"双随机执法人员数不能为负，实为 {inspectors}")
    # a national run checks a million targets: the common case in C, the culprit found by the loop below
    ids = list(map(_ID, targets))
    categories = list(map(_CATEGORY, targets))
    try:
        fine = set(categories) <= _CATEGORY_SET and len(set(ids)) == len(ids)
    except TypeError:  # an unhashable category or id: the loop names it
        fine = False
    seen: set[str] = set()
    for target in [] if fine else targets:
        if target.category not in CATEGORIES:
            raise ValueError(f"{target.id}: 类别应为 general / key / special，实为 {target.category!r}")
        if target.id in seen:
            raise ValueError(f"检查对象 {target.id} 出现了两次")
        seen.add(target.id)
    counted = (
        ("general_inspections", progress.general_inspections),
        ("joint_key_inspections", progress.joint_key_inspections),
    )
    for name, counts in counted:
        for done_quarter, count in counts.items():
            if not 1 <= done_quarter < quarter:
                raise ValueError(f"{name}: 只能填写计划季度（第{quarter}季度）之前的季度，实为第{done_quarter}季度")
            if count < 0:
                raise ValueError(f"{name}: 第{done_quarter}季度的数量不能为负")
    return categories


def compute_quotas(
    policy: Policy,
    targets: Iterable[TargetFacts],
    *,
    inspectors: int,
    level: Level,
    year: int,
    quarter: int,
    progress: YearProgress | None = None,
) -> QuarterQuotas:
    """Each stratum's minimum for the plan of one jurisdiction, one level, one quarter."""
    targets = list(targets)
    progress = progress or YearProgress()
    categories = _validate_inputs(targets, inspectors, quarter, progress)
    positive = policy.positive_list

    exempt: list[str] = []
    exempted: Counter[str] = Counter()
    clue: set[str] = set()
    strata: dict[Category, list[TargetFacts]] = {category: [] for category in CATEGORIES}
    append = {category: strata[category].append for category in CATEGORIES}
    listed_elsewhere = 0  # on the key directory, classified other than key
    # One pass over the targets (a national quarter counts two million): one that is neither on the positive
    # list, nor has a clue, nor is on the key directory (nearly all) only joins its stratum.
    for target, category in zip(targets, categories, strict=True):
        if not (target.positive_list or target.approved_clue or target.key_listed):
            append[category](target)
            continue
        if target.key_listed and category != "key":
            listed_elsewhere += 1
        has_clue = target.approved_clue and positive.clue_makes_must_inspect
        if target.positive_list and positive.leaves_on_site_strata and not has_clue:
            exempt.append(target.id)
            exempted[category] += 1
            continue
        if has_clue:
            clue.add(target.id)
        append[category](target)

    def clues(category: Category) -> _Clues:
        # most plans have no clues: then the stratum is not scanned
        ids = tuple(sorted(target.id for target in strata[category] if target.id in clue)) if clue else ()
        note = f"正面清单企业 {exempted[category]} 家不参加现场随机抽查。" if exempted[category] else ""
        note += f"经批准核查线索的 {len(ids)} 家必查。" if ids else ""
        return _Clues(ids, note, positive.citations if (ids or exempted[category]) else ())

    quotas = [
        _key_quota(policy, strata["key"], clues("key"), level, year, quarter),
        _special_quota(policy, strata["special"], clues("special"), level, year, quarter),
        _general_quota(policy, strata["general"], clues("general"), level, inspectors, quarter, progress),
        # joint_annual_minimum's count, from the pass above
        _joint_quota(policy, strata, categories.count("key") + listed_elsewhere, quarter, progress),
    ]
    return QuarterQuotas(
        policy_id=policy.id,
        policy_version=policy.version,
        policy_fingerprint=policy.fingerprint,
        level=level,
        year=year,
        quarter=quarter,
        inspectors=inspectors,
        quotas=tuple(quotas),
        exempt=tuple(sorted(exempt)),
    )


def _make_quota(
    policy: Policy,
    stratum: Stratum,
    members: Iterable[TargetFacts],
    required: int,
    must_include: Iterable[str],
    explanation: str,
    citations: tuple[Citation, ...],
) -> Quota:
    eligible = tuple(sorted(map(_ID, members)))
    must = tuple(sorted(set(must_include)))
    minimum = max(min(required, len(eligible)), len(must))
    if required > len(eligible):
        explanation += f"本类可抽对象仅 {len(eligible)} 家，最低数以此为限。"
    explanation += f"本季度最低抽查 {minimum} 家。"
    maximum = len(eligible) if policy.ratio_uncapped.enabled else minimum
    return Quota(stratum, eligible, minimum, maximum, must, explanation, citations)


def _key_quota(
    policy: Policy, members: list[TargetFacts], clues: _Clues, level: Level, year: int, quarter: int
) -> Quota:
    ratio = policy.key_quarterly.at(level)
    required = ceil_fraction(ratio * len(members))
    explanation = (
        f"重点排污单位 {len(members)} 家。{clues.note}{_LEVEL_NAME[level]}每季度至少抽查 {_percent(ratio)}："
        f"⌈{_percent(ratio)} × {len(members)}⌉ = {required} 家。"
    )
    citations = policy.key_quarterly.citations
    must = list(clues.ids)
    if policy.key_half_year_coverage.at(level):
        half = "上半年" if quarter <= 2 else "下半年"
        citations += policy.key_half_year_coverage.citations
        if quarter in (2, 4):
            uncovered = _not_inspected_this_half(members, year, quarter)
            must += uncovered
            explanation += f"本季度是{half}的第二个季度，{half}尚未现场检查的 {len(uncovered)} 家全部必查。"
        else:
            explanation += f"{half}每家重点排污单位至少检查一次，本季度未抽到的下季度必查。"
    return _make_quota(policy, "key", members, required, must, explanation, citations + clues.citations)


def _not_inspected_this_half(members: Iterable[TargetFacts], year: int, quarter: int) -> list[str]:
    """Ids of the members not inspected on site since the half-year of (year, quarter) began."""
    half_start = date(year, 1 if quarter <= 2 else 7, 1)
    return [
        target.id
        for target in members
        if target.last_on_site_inspection is None or target.last_on_site_inspection < half_start
    ]


def _special_quota(
    policy: Policy, members: list[TargetFacts], clues: _Clues, level: Level, year: int, quarter: int
) -> Quota:
    ratio = policy.special_quarterly.at(level)
    required = ceil_fraction(ratio * len(members))
    explanation = (
        f"特殊监管对象 {len(members)} 家。{clues.note}{_LEVEL_NAME[level]}每季度至少抽查 {_percent(ratio)}："
        f"⌈{_percent(ratio)} × {len(members)}⌉ = {required} 家。"
    )
    citations = policy.special_quarterly.citations + clues.citations
    must = list(clues.ids)
    # The half-year coverage is owed to every unit on the key directory (指导意见 二(一): 辖区所有重点排污单位);
    # one classified special this quarter must not escape it because its stratum's 50% draw passed it over.
    listed = [target for target in members if target.key_listed]
    if listed and policy.key_half_year_coverage.at(level) and quarter in (2, 4):
        half = "上半年" if quarter == 2 else "下半年"
        uncovered = _not_inspected_this_half(listed, year, quarter)
        must += uncovered
        citations += policy.key_half_year_coverage.citations
        explanation += f"其中列入重点排污单位名录的 {len(listed)} 家，{half}尚未现场检查的 {len(uncovered)} 家必查。"
    return _make_quota(policy, "special", members, required, must, explanation, citations)


def _spread(annual: int, done: int, quarter: int) -> tuple[int, int, int]:
    """What is left of an annual number after ``done``, and its share for this quarter (rounded up)."""
    remaining = max(0, annual - done)
    quarters_left = 5 - quarter
    return remaining, quarters_left, ceil_fraction(Fraction(remaining, quarters_left))


def _general_quota(
    policy: Policy,
    members: list[TargetFacts],
    clues: _Clues,
    level: Level,
    inspectors: int,
    quarter: int,
    progress: YearProgress,
) -> Quota:
    per_inspector = policy.general_annual.at(level)
    annual = ceil_fraction(per_inspector * inspectors)
    done = sum(progress.general_inspections.values())
    remaining, quarters_left, share = _spread(annual, done, quarter)
    explanation = (
        f"一般排污单位 {len(members)} 家。{clues.note}{_LEVEL_NAME[level]}全年至少按 1:{_number(per_inspector)}"
        f"（双随机执法人员数 : 被抽查单位数）抽查：⌈{inspectors} × {_number(per_inspector)}⌉ = {annual} 家；"
        f"今年已抽查 {done} 家，尚需 {remaining} 家，分摊到剩余 {quarters_left} 个季度："
        f"⌈{remaining} ÷ {quarters_left}⌉ = {share} 家。"
    )
    citations = policy.general_annual.citations + clues.citations
    return _make_quota(policy, "general", members, share, clues.ids, explanation, citations)


def _joint_quota(
    policy: Policy,
    strata: Mapping[Category, list[TargetFacts]],
    local_key_units: int,
    quarter: int,
    progress: YearProgress,
) -> Quota:
    joint = policy.joint_inspection
    annual = ceil_fraction(joint.annual_key_ratio * local_key_units)  # as joint_annual_minimum counts it
    done = sum(progress.joint_key_inspections.values())
    remaining, quarters_left, share = _spread(annual, done, quarter)
    key_units = [*strata["key"], *(target for target in strata["special"] if target.key_listed)]
    if joint.key_units_first and key_units:
        pool, pool_note = key_units, "联合抽查对象为重点排污单位。"
    else:
        pool = [target for members in strata.values() for target in members]
        pool_note = (
            "本辖区无可现场检查的重点排污单位，联合抽查对象为其他检查对象。"
            if joint.key_units_first
            else "联合抽查对象为全部可现场检查的对象。"
        )
    ratio = _percent(joint.annual_key_ratio)
    explanation = (
        f"内部联合抽查每季度至少 {joint.min_per_quarter} 家次；全年联合抽查的重点排污单位不少于本地重点排污单位"
        f"（{local_key_units} 家）的 {ratio}：⌈{ratio} × {local_key_units}⌉ = {annual} 家；今年已完成 {done} 家，"
        f"尚需 {remaining} 家，分摊到剩余 {quarters_left} 个季度：⌈{remaining} ÷ {quarters_left}⌉ = {share} 家。"
        f"{pool_note}"
    )
    required = max(joint.min_per_quarter, share)
    return _make_quota(policy, "joint", pool, required, (), explanation, joint.citations)
