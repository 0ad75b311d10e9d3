"""Quotas: the minimum number of targets each stratum of a quarterly plan must inspect, and why.

Given a policy, a jurisdiction's targets (plain data), its number of double-random inspectors, the
level and the planned quarter, and what was already done this year, ``compute_quotas`` returns one
``Quota`` per stratum (key, special, general, and the internal joint inspections), each with the ids
that may be drawn, the ids that must be included, the minimum, an explanation in Chinese for the plan
page and the citations it rests on.

Arithmetic is exact (``Fraction``) and every minimum rounds up: a quota of 10% of 37 units is 4, never
3.7 rounded down by a float. A minimum never exceeds the stratum's population; a plan may ask for more
(the policy sets no upper bound) and ``shortfall`` tells how far a request falls below the minimum.
"""

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from operator import attrgetter
from typing import Literal, NamedTuple

from shuangsuiji.engine import tickets
from shuangsuiji.engine.policy import Citation, Level, Policy, PositiveList

Category = Literal["general", "key", "special"]
Stratum = Literal["key", "special", "general", "joint"]
CATEGORIES: tuple[Category, ...] = ("key", "special", "general")
STRATA: tuple[Stratum, ...] = ("key", "special", "general", "joint")

_LEVEL_NAME = {"city": "市级", "county": "县级"}
_CATEGORY_NAME = {"key": "重点排污单位", "special": "特殊监管对象", "general": "一般排污单位"}


@dataclass(frozen=True)
class TargetFacts:
    """What the quota rules need to know about one target."""

    id: str
    category: Category
    positive_list: bool = False
    approved_clue: bool = False
    """An on-site inspection on a clue was approved: the target must be in the next draw."""
    last_on_site_inspection: date | None = None
    key_listed: bool = False
    """On the 重点排污单位名录 whatever its category this quarter: a key unit classified special (policy
    ``special_beats_key``) is still one of 辖区所有重点排污单位 the half-year coverage speaks of."""


@dataclass(frozen=True)
class YearProgress:
    """Done so far this year, per earlier quarter (quarter number → count)."""

    general_inspections: Mapping[int, int] = field(default_factory=dict)
    joint_key_inspections: Mapping[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Quota:
    stratum: Stratum
    eligible: tuple[str, ...]
    """Ids that may be drawn in this stratum, sorted."""
    minimum: int
    maximum: int
    """The population when the policy sets no upper bound (the usual case), else the minimum itself."""
    must_include: tuple[str, ...]
    explanation: str
    citations: tuple[Citation, ...]

    @property
    def population(self) -> int:
        return len(self.eligible)

    @property
    def citation(self) -> str:
        return "；".join(dict.fromkeys(str(citation) for citation in self.citations))


@dataclass(frozen=True)
class QuarterQuotas:
    policy_id: str
    policy_version: int
    policy_fingerprint: str
    level: Level
    year: int
    quarter: int
    inspectors: int
    quotas: tuple[Quota, ...]
    exempt: tuple[str, ...]
    """Positive-list targets left out of the on-site strata this quarter."""

    def quota(self, stratum: Stratum) -> Quota:
        return next(quota for quota in self.quotas if quota.stratum == stratum)


def ceil_fraction(value: Fraction) -> int:
    return -(-value.numerator // value.denominator)


def _ceil_times(ratio: Fraction, count: int) -> int:
    """``ceil_fraction(ratio * count)``, without making the product (a plan computes several, a national
    quarter has three thousand plans)."""
    return -(-(ratio.numerator * count) // ratio.denominator)


# the policy's few ratios, written out again for every plan: remembered
@lru_cache(maxsize=256)
def _number(value: Fraction) -> str:
    """A fraction as people write it: 5, 2.5, or 1/3 when the decimal would not end."""
    if 10**12 % value.denominator:
        return f"{value.numerator}/{value.denominator}"
    text = f"{Decimal(value.numerator) / Decimal(value.denominator):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@lru_cache(maxsize=256)
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
_CANONICAL: dict[str, Category] = {category: category for category in CATEGORIES}


def _validate_counts(inspectors: int, quarter: int) -> None:
    if quarter not in (1, 2, 3, 4):
        raise ValueError(f"季度应为 1–4，实为 {quarter}")
    if inspectors < 0:
        raise ValueError(f"双随机执法人员数不能为负，实为 {inspectors}")


def _validate_progress(quarter: int, progress: YearProgress) -> None:
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


def _validate_inputs(targets: list[TargetFacts], inspectors: int, quarter: int,
                     progress: YearProgress) -> list[Category]:
    """Refuse what cannot be counted; the targets' categories, in their order."""
    _validate_counts(inspectors, quarter)
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
    _validate_progress(quarter, progress)
    return categories


_Split = tuple[tuple[tuple[str, ...], ...], tuple[list[TargetFacts] | None, ...], list[int]]
"""What ``_split_targets`` gives: per category, the sorted ids and (when kept) the targets, in their order, of
the targets with no flag set; and the positions of the others."""

_KEEP = (True, False, False)
"""Of which categories ``compute_quotas`` needs the targets, not only their ids: the key units' last
inspections decide the half-year coverage."""


def _split_targets(targets: list[TargetFacts], categories: tuple[str, ...] = CATEGORIES,
                   keep: tuple[bool, ...] = _KEEP) -> _Split | None:
    """The targets split by category in one pass, for the common case: every id and category a str, no id with
    a code point above U+00FF, every category one of ``categories``, no id twice. Each target with
    ``positive_list``, ``approved_clue`` and ``key_listed`` all ``False`` (nearly all) goes to its category, the
    others are left, by position, to the rules. None when it is not the common case: then ``compute_quotas``
    reads the targets its slower way, which says what is wrong. ``_native.split_targets`` does the same in C
    (where ids of one byte per code point sort without reading their strings); this is its reference."""
    ids: tuple[list[str], ...] = tuple([] for _ in categories)
    members: tuple[list[TargetFacts], ...] = tuple([] for _ in categories)
    odd: list[int] = []
    seen: set[str] = set()
    for k, target in enumerate(targets):
        try:
            id, category = target.id, target.category
            flags = (target.positive_list, target.approved_clue, target.key_listed)
        except MemoryError:
            raise
        except Exception:
            return None
        if (type(id) is not str or type(category) is not str or category not in categories or id in seen
                or (not id.isascii() and max(map(ord, id)) > 0xFF)):
            return None
        seen.add(id)
        if flags[0] is False and flags[1] is False and flags[2] is False:
            c = categories.index(category)
            ids[c].append(id)
            members[c].append(target)
        else:
            odd.append(k)
    return (tuple(tuple(sorted(group)) for group in ids),
            tuple(group if kept else None for group, kept in zip(members, keep, strict=True)), odd)


def _split(targets: list[TargetFacts]) -> _Split | None:
    """``_native.split_targets``; None without the accelerator: then the rules' loop reads every target, which in
    Python is faster than ``_split_targets`` (a reference, written to be read)."""
    native = tickets._native
    if native is not None:
        return native.split_targets(targets, CATEGORIES, _KEEP)  # type: ignore[no-any-return]
    return None


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
    split = _split(targets)
    if split is None:  # no accelerator, something to refuse or an unusual input: the rules read every target
        return _compute_quotas_slowly(policy, targets, inspectors=inspectors, level=level, year=year,
                                      quarter=quarter, progress=progress)
    # what _validate_inputs checks besides the targets, which the split found fine
    _validate_counts(inspectors, quarter)
    _validate_progress(quarter, progress)
    positive = policy.positive_list
    plain_ids, (key_members, _, _), odd = split
    assert key_members is not None
    joined: dict[Category, list[TargetFacts]] = {category: [] for category in CATEGORIES}
    exempt: list[str] = []
    exempted: Counter[str] = Counter()
    clue: dict[Category, list[str]] = {category: [] for category in CATEGORIES}
    local_key_units = len(plain_ids[0])
    # The few targets on the positive list, with a clue or on the key directory: the loop of
    # _compute_quotas_slowly, for them alone.
    leaves = positive.leaves_on_site_strata
    for target in map(targets.__getitem__, odd):
        category = _CANONICAL[target.category]  # the split found it equal to one of CATEGORIES
        if category == "key":
            local_key_units += 1
        on_list, with_clue, key_listed = target.positive_list, target.approved_clue, target.key_listed
        if on_list is True and with_clue is False and key_listed is False and leaves:
            # nearly all of them (the positive list is long): what the general case below does with it
            exempt.append(target.id)
            exempted[category] += 1
            continue
        if not (on_list or with_clue or key_listed):
            joined[category].append(target)
            continue
        if key_listed and category != "key":
            local_key_units += 1
        has_clue = with_clue and positive.clue_makes_must_inspect
        if on_list and leaves and not has_clue:
            exempt.append(target.id)
            exempted[category] += 1
            continue
        if has_clue:
            clue[category].append(target.id)
        joined[category].append(target)
    eligible = {
        # the joined ids are few: sorting them onto the sorted plain ones is a merge
        category: tuple(sorted(ids + tuple(map(_ID, joined[category])))) if joined[category] else ids
        for category, ids in zip(CATEGORIES, plain_ids, strict=True)
    }
    listed = [target for target in joined["special"] if target.key_listed]

    def clues(category: Category) -> _Clues:
        return _clue_note(positive, tuple(sorted(clue[category])), exempted[category])

    quotas = [
        _key_quota(policy, key_members + joined["key"], eligible["key"], clues("key"), level, year, quarter),
        _special_quota(policy, listed, eligible["special"], clues("special"), level, year, quarter),
        _general_quota(policy, eligible["general"], clues("general"), level, inspectors, quarter, progress),
        _joint_quota(policy, listed, eligible, local_key_units, quarter, progress),
    ]
    return _quarter_quotas(policy, level, year, quarter, inspectors, quotas, exempt)


def _clue_note(positive: PositiveList, ids: tuple[str, ...], exempted: int) -> _Clues:
    note = f"正面清单企业 {exempted} 家不参加现场随机抽查。" if exempted else ""
    note += f"经批准核查线索的 {len(ids)} 家必查。" if ids else ""
    return _Clues(ids, note, positive.citations if (ids or exempted) else ())


def _quarter_quotas(policy: Policy, level: Level, year: int, quarter: int, inspectors: int, quotas: list[Quota],
                    exempt: list[str]) -> QuarterQuotas:
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


def _compute_quotas_slowly(policy: Policy, targets: list[TargetFacts], *, inspectors: int, level: Level,
                           year: int, quarter: int, progress: YearProgress) -> QuarterQuotas:
    """compute_quotas target by target: without the accelerator, and for the inputs the split leaves to the rules
    (those to refuse among them), where each check says what it found."""
    categories = _validate_inputs(targets, inspectors, quarter, progress)
    positive = policy.positive_list

    exempt: list[str] = []
    exempted: Counter[str] = Counter()
    clue: set[str] = set()
    strata: dict[Category, list[TargetFacts]] = {category: [] for category in CATEGORIES}
    append = {category: strata[category].append for category in CATEGORIES}
    listed_elsewhere = 0  # on the key directory, classified other than key
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
        return _clue_note(positive, ids, exempted[category])

    eligible = {category: tuple(sorted(map(_ID, strata[category]))) for category in CATEGORIES}
    listed = [target for target in strata["special"] if target.key_listed]
    quotas = [
        _key_quota(policy, strata["key"], eligible["key"], clues("key"), level, year, quarter),
        _special_quota(policy, listed, eligible["special"], clues("special"), level, year, quarter),
        _general_quota(policy, eligible["general"], clues("general"), level, inspectors, quarter, progress),
        # joint_annual_minimum's count, from the pass above
        _joint_quota(policy, listed, eligible, categories.count("key") + listed_elsewhere, quarter, progress),
    ]
    return _quarter_quotas(policy, level, year, quarter, inspectors, quotas, exempt)


def _make_quota(
    policy: Policy,
    stratum: Stratum,
    eligible: tuple[str, ...],
    required: int,
    must_include: Iterable[str],
    explanation: str,
    citations: tuple[Citation, ...],
) -> Quota:
    """``eligible``: the stratum's ids, sorted."""
    must = tuple(sorted(set(must_include)))
    minimum = max(min(required, len(eligible)), len(must))
    if required > len(eligible):
        explanation += f"本类可抽对象仅 {len(eligible)} 家，最低数以此为限。"
    explanation += f"本季度最低抽查 {minimum} 家。"
    maximum = len(eligible) if policy.ratio_uncapped.enabled else minimum
    return Quota(stratum, eligible, minimum, maximum, must, explanation, citations)


def _key_quota(
    policy: Policy, members: list[TargetFacts], eligible: tuple[str, ...], clues: _Clues, level: Level, year: int,
    quarter: int,
) -> Quota:
    ratio = policy.key_quarterly.at(level)
    required = _ceil_times(ratio, len(members))
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
    return _make_quota(policy, "key", eligible, required, must, explanation, citations + clues.citations)


def _not_inspected_this_half(members: Iterable[TargetFacts], year: int, quarter: int) -> list[str]:
    """Ids of the members not inspected on site since the half-year of (year, quarter) began."""
    half_start = date(year, 1 if quarter <= 2 else 7, 1)
    return [
        target.id
        for target in members
        if target.last_on_site_inspection is None or target.last_on_site_inspection < half_start
    ]


def _special_quota(
    policy: Policy, listed: list[TargetFacts], eligible: tuple[str, ...], clues: _Clues, level: Level, year: int,
    quarter: int,
) -> Quota:
    """``listed``: the members on the key directory."""
    ratio = policy.special_quarterly.at(level)
    required = _ceil_times(ratio, len(eligible))
    explanation = (
        f"特殊监管对象 {len(eligible)} 家。{clues.note}{_LEVEL_NAME[level]}每季度至少抽查 {_percent(ratio)}："
        f"⌈{_percent(ratio)} × {len(eligible)}⌉ = {required} 家。"
    )
    citations = policy.special_quarterly.citations + clues.citations
    must = list(clues.ids)
    # The half-year coverage is owed to every unit on the key directory (指导意见 二(一): 辖区所有重点排污单位);
    # one classified special this quarter must not escape it because its stratum's 50% draw passed it over.
    if listed and policy.key_half_year_coverage.at(level) and quarter in (2, 4):
        half = "上半年" if quarter == 2 else "下半年"
        uncovered = _not_inspected_this_half(listed, year, quarter)
        must += uncovered
        citations += policy.key_half_year_coverage.citations
        explanation += f"其中列入重点排污单位名录的 {len(listed)} 家，{half}尚未现场检查的 {len(uncovered)} 家必查。"
    return _make_quota(policy, "special", eligible, required, must, explanation, citations)


def _spread(annual: int, done: int, quarter: int) -> tuple[int, int, int]:
    """What is left of an annual number after ``done``, and its share for this quarter (rounded up)."""
    remaining = max(0, annual - done)
    quarters_left = 5 - quarter
    return remaining, quarters_left, -(-remaining // quarters_left)


def _general_quota(
    policy: Policy,
    eligible: tuple[str, ...],
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
        f"一般排污单位 {len(eligible)} 家。{clues.note}{_LEVEL_NAME[level]}全年至少按 1:{_number(per_inspector)}"
        f"（双随机执法人员数 : 被抽查单位数）抽查：⌈{inspectors} × {_number(per_inspector)}⌉ = {annual} 家；"
        f"今年已抽查 {done} 家，尚需 {remaining} 家，分摊到剩余 {quarters_left} 个季度："
        f"⌈{remaining} ÷ {quarters_left}⌉ = {share} 家。"
    )
    citations = policy.general_annual.citations + clues.citations
    return _make_quota(policy, "general", eligible, share, clues.ids, explanation, citations)


def joint_annual_minimum(policy: Policy, targets: Iterable[TargetFacts]) -> tuple[int, int]:
    """The place's key units and the internal joint inspections of key units the year asks for:
    ⌈annual_key_ratio × key units⌉. 当地重点排污单位 are the directory's units, those classified special this
    quarter (special_beats_key) included. The joint quota and the city's completion page both count it here."""
    local_key_units = sum(1 for target in targets if target.category == "key" or target.key_listed)
    return local_key_units, ceil_fraction(policy.joint_inspection.annual_key_ratio * local_key_units)


def _joint_quota(
    policy: Policy,
    listed: list[TargetFacts],
    eligible: Mapping[Category, tuple[str, ...]],
    local_key_units: int,
    quarter: int,
    progress: YearProgress,
) -> Quota:
    joint = policy.joint_inspection
    annual = _ceil_times(joint.annual_key_ratio, local_key_units)  # as joint_annual_minimum counts it
    done = sum(progress.joint_key_inspections.values())
    remaining, quarters_left, share = _spread(annual, done, quarter)
    # the pool's ids, sorted: the key stratum's, with those of the special one's key units merged in
    key_units = tuple(sorted(eligible["key"] + tuple(map(_ID, listed)))) if listed else eligible["key"]
    if joint.key_units_first and key_units:
        pool, pool_note = key_units, "联合抽查对象为重点排污单位。"
    else:
        pool = tuple(sorted(eligible["key"] + eligible["special"] + eligible["general"]))
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


def shortfall(quota: Quota, requested: int) -> int:
    """How many the requested count falls short of the minimum (0 if it meets it).

    A request larger than the stratum (or, under a policy with an upper bound, than the minimum) cannot be
    honoured at all and raises ValueError. A shortfall is allowed only with a recorded, approved reason.
    """
    if requested < 0:
        raise ValueError(f"抽查数不能为负，实为 {requested}")
    if requested > quota.maximum:
        limit = "可抽对象数" if quota.maximum == quota.population else "政策规定的上限"
        raise ValueError(f"{quota.stratum}: 抽查数 {requested} 超过{limit} {quota.maximum}")
    return max(0, quota.minimum - requested)
