"""The quarterly classification rules: plain data in, plain data out (no Django).

Every value that a city may set differently comes from the loaded ``Policy``: which of last quarter's
facts make a target 特殊监管对象 and the window they are counted in (``special_criteria``), how many
online-monitoring exceedances at one outlet are enough, whether special beats key
(``special_beats_key``), and what the 正面清单 means for on-site draws (``positive_list``). The shell
(``intake.services``) gathers each target's facts for the window, calls ``classify`` and stores the
outcome; the reasons it returns cite the rule they come from, so the target's page can say why.

Decisions taken here, where the documents are silent:

- Complaints count whether or not they were verified: the policy says 因环境污染问题被群众举报的
  (reported, not found guilty), and the higher inspection ratio of special supervision is how an
  unverified complaint gets checked. The evidence says which complaints were verified.
- Exceedances are counted per outlet over all pollutants: each reading of a pollutant above its limit
  is one exceedance (two pollutants above their limits in the same hour are two).
- "Last quarter" is the calendar quarter before the classified one; a window of "previous_year" is
  the calendar year before the classified quarter's year.
- The 正面清单 status is the one on the first day of the classified quarter.
"""

from dataclasses import dataclass
from datetime import date
from typing import Literal

from shuangsuiji.engine.policy import Policy

# Intake's views read the next quarter as rules'; the one definition is the engine's.
from shuangsuiji.engine.workdays import next_quarter as next_quarter
from shuangsuiji.engine.workdays import previous_quarter, quarter_end, quarter_start

Category = Literal["general", "key", "special"]


@dataclass(frozen=True)
class Evidence:
    """A record a reason rests on: its kind (penalty, complaint, exceedances, key_unit, positive_list,
    clue), its id (for exceedances: the outlet's id) and a label a person can read."""

    kind: str
    id: int
    label: str


@dataclass(frozen=True)
class ComplaintFact:
    evidence: Evidence
    verified: bool


@dataclass(frozen=True)
class OutletExceedances:
    """How many exceedances one outlet had in the window."""

    outlet_id: int
    label: str
    count: int


@dataclass(frozen=True)
class KeyListing:
    evidence: Evidence
    year: int
    directory: str
    """The directory's name and document number: the legal basis of the key category."""


@dataclass(frozen=True)
class Facts:
    """What the window and the lists say about one target."""

    target_id: int
    penalties: tuple[Evidence, ...] = ()
    complaints: tuple[ComplaintFact, ...] = ()
    outlets: tuple[OutletExceedances, ...] = ()
    key_listing: KeyListing | None = None
    positive_listing: Evidence | None = None
    """The 正面清单 entry covering the first day of the quarter, if any."""
    approved_clues: tuple[Evidence, ...] = ()
    """Approved clues not yet used by an earlier quarter's classification."""


@dataclass(frozen=True)
class Reason:
    rule: str
    """The policy rule (dotted, as in the policy file) or the list the reason comes from."""
    text: str
    citation: str
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class Outcome:
    category: Category
    positive_list: bool
    on_site_eligible: bool
    must_inspect: bool
    reasons: tuple[Reason, ...]
    clues_used: tuple[int, ...] = ()
    """Ids of the approved clues this quarter's draw takes up."""


@dataclass(frozen=True)
class Window:
    """The days whose penalties, complaints and exceedances count, both ends included."""

    first: date
    last: date
    label: str


def quarter_text(year: int, quarter: int) -> str:
    return f"{year}年第{quarter}季度"


def window(policy: Policy, year: int, quarter: int) -> Window:
    """The window of the special-supervision criteria for classifying (year, quarter)."""
    if policy.special_criteria.window == "previous_year":
        return Window(date(year - 1, 1, 1), date(year - 1, 12, 31), f"上一年度（{year - 1}年）")
    last_year, last_quarter = previous_quarter(year, quarter)
    return Window(quarter_start(last_year, last_quarter), quarter_end(last_year, last_quarter),
                  f"上一季度（{quarter_text(last_year, last_quarter)}）")


def _general_citation(policy: Policy) -> str:
    """The clause that makes "the rest" general units. The policy file has no rule of its own for it; the
    rule that orders the categories (special_beats_key) quotes it, so cite that quote where it is there."""
    citations = policy.special_beats_key.citations
    defining = [str(citation) for citation in citations if "一般排污单位" in citation.quote]
    return "；".join(defining) or policy.special_beats_key.citation


def special_reasons(policy: Policy, facts: Facts, span: Window) -> list[Reason]:
    """The special-supervision criteria the target meets in the window, one reason per criterion."""
    criteria = policy.special_criteria
    reasons = []
    if criteria.administrative_penalty and facts.penalties:
        reasons.append(Reason(
            "special_criteria.administrative_penalty",
            f"{span.label}因环境违法问题被行政处罚（{len(facts.penalties)}次）",
            criteria.citation, facts.penalties,
        ))
    if criteria.public_complaint and facts.complaints:
        verified = sum(1 for complaint in facts.complaints if complaint.verified)
        reasons.append(Reason(
            "special_criteria.public_complaint",
            f"{span.label}因环境污染问题被群众举报（{len(facts.complaints)}件，其中经核实属实{verified}件）",
            criteria.citation, tuple(complaint.evidence for complaint in facts.complaints),
        ))
    threshold = criteria.exceedances_at_one_outlet
    over = [outlet for outlet in facts.outlets if outlet.count >= threshold]
    if over:
        worst = max(outlet.count for outlet in over)
        reasons.append(Reason(
            "special_criteria.exceedances_at_one_outlet",
            f"{span.label}同一排口在线监测数据超标{threshold}次以上（{len(over)}个排口，最多{worst}次）",
            criteria.citation,
            tuple(Evidence("exceedances", outlet.outlet_id, f"{outlet.label}：超标{outlet.count}次")
                  for outlet in sorted(over, key=lambda outlet: (-outlet.count, outlet.label))),
        ))
    return reasons


def classify(policy: Policy, facts: Facts, *, year: int, quarter: int) -> Outcome:
    """The category and on-site status of one target for (year, quarter), with the reasons in order."""
    span = window(policy, year, quarter)
    special = special_reasons(policy, facts, span)
    reasons: list[Reason] = list(special)
    key = facts.key_listing
    if key is not None:
        reasons.append(Reason(
            "key_directory", f"列入{key.year}年重点排污单位名录", key.directory, (key.evidence,),
        ))
    category: Category
    if special and key is not None:
        beats = policy.special_beats_key
        category = "special" if beats.enabled else "key"
        text = ("同时符合特殊监管对象条件和重点排污单位名录，按政策从严归为特殊监管对象" if beats.enabled
                else "同时符合特殊监管对象条件和重点排污单位名录，按政策仍归为重点排污单位")
        reasons.append(Reason("special_beats_key", text, beats.citation))
    elif special:
        category = "special"
    elif key is not None:
        category = "key"
    else:
        category = "general"
        reasons.append(Reason(
            "general", f"{span.label}未发生特殊监管情形，且未列入重点排污单位名录，为一般排污单位",
            _general_citation(policy),
        ))

    positive = policy.positive_list
    on_list = facts.positive_listing is not None
    on_site, must_inspect, clues_used = True, False, ()
    if on_list:
        listing = (facts.positive_listing,)
        if facts.approved_clues and positive.clue_makes_must_inspect:
            must_inspect = True
            clues_used = tuple(clue.id for clue in facts.approved_clues)
            reasons.append(Reason(
                "positive_list.clue_makes_must_inspect",
                "列入正面清单，但发现违法问题线索并经执法机构负责人批准现场检查，作为必查对象纳入本季度抽查",
                positive.citation, listing + facts.approved_clues,
            ))
        elif positive.leaves_on_site_strata:
            on_site = False
            reasons.append(Reason(
                "positive_list.leaves_on_site_strata",
                "列入正面清单：“无事不扰”，以非现场监管为主，不参加本季度现场随机抽查",
                positive.citation, listing,
            ))
        else:
            reasons.append(Reason("positive_list", "列入正面清单；本政策不将正面清单企业移出现场随机抽查",
                                  positive.citation, listing))
    return Outcome(category, on_list, on_site, must_inspect, tuple(reasons), clues_used)
