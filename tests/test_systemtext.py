"""What the system writes in Chinese reads in English on an English page (``shuangsuiji.systemtext``): the
engine's quota explanations, credit-code problems and reporting deadlines, the classification's reasons, the
services' stored reasons — while a Chinese page shows them byte for byte and what a person typed is never
touched."""

import re
from datetime import date

import pytest
from django.utils import translation

from shuangsuiji import systemtext
from shuangsuiji.engine import creditcode
from shuangsuiji.engine import policy as policies
from shuangsuiji.engine.quotas import TargetFacts, YearProgress, compute_quotas
from shuangsuiji.engine.workdays import WorkCalendar
from shuangsuiji.intake import rules
from shuangsuiji.intake.rules import ComplaintFact, Evidence, Facts, KeyListing, OutletExceedances
from shuangsuiji.systemtext import system_text

POLICY = policies.load(policies.POLICY_DIR / "baoding-2021.toml")
CJK = re.compile(r"[\u4e00-\u9fff]")


def english(text: str) -> str:
    with translation.override("en"):
        return system_text(text)


def chinese(text: str) -> str:
    with translation.override("zh-hans"):
        return system_text(text)


def assert_english(text: str) -> str:
    said = english(text)
    assert not CJK.search(said), f"{text!r} → {said!r}"
    assert chinese(text) == text
    return said


def test_every_message_has_english():
    with translation.override("en"):
        for msgid in (*systemtext.WRITTEN_BY_SERVICES, *systemtext.WRITTEN_IN_CHINESE):
            if msgid in systemtext.COUNTED:  # an English singular and plural, each its own
                one, many = (translation.ngettext(msgid, msgid, n) for n in (1, 2))
                assert msgid not in (one, many) and one != many, msgid
            else:
                assert translation.gettext(msgid) != msgid, msgid
    assert set(systemtext.COUNTED) <= {*systemtext.WRITTEN_BY_SERVICES, *systemtext.WRITTEN_IN_CHINESE}


@pytest.mark.parametrize(("stored", "one"), [
    ("重点排污单位 1 家。", "1 key unit."),
    ("特殊监管对象 1 家。", "1 special-supervision unit."),
    ("一般排污单位 1 家。", "1 general unit."),
    ("正面清单企业 1 家不参加现场随机抽查。", "1 unit on the positive list stays out of the on-site random draw."),
    ("本季度是上半年的第二个季度，上半年尚未现场检查的 1 家全部必查。",
     "This is the second quarter of the first half-year: the 1 unit not yet inspected on site in it must be "
     "inspected."),
    ("其中列入重点排污单位名录的 1 家，下半年尚未现场检查的 1 家必查。",
     "1 of them is on the key-unit directory: the 1 not yet inspected on site in the second half-year must be "
     "inspected."),
    ("正面清单企业原则上不进行现场检查；经批准核查线索的 1 家已作为必查对象计入各类别。",
     "Positive-list targets are not inspected on site in principle; the 1 with an approved clue is must-include in "
     "its stratum."),
])
def test_a_count_of_one_reads_in_the_singular_and_more_in_the_plural(stored, one):
    assert english(stored) == one
    many = english(stored.replace(" 1 ", " 3 ", 1))
    assert many != one and "3" in many and not CJK.search(many)
    assert chinese(stored) == stored


def test_a_quota_explanation_of_one_unit_reads_in_the_singular():
    [key] = [quota for quota in compute_quotas(POLICY, [TargetFacts("k", "key")], inspectors=2, level="county",
                                               year=2021, quarter=2, progress=YearProgress()).quotas
             if quota.stratum == "key"]
    said = assert_english(key.explanation)
    assert said.startswith("1 key unit. ") and "the 1 unit not yet inspected on site" in said, said


def test_a_count_placeholder_takes_digits_only():
    """A %(n)s counted in English is digits: what else stands there is no message of the system, shown as stored."""
    typed = "正面清单企业原则上不进行现场检查；经批准核查线索的 若干 家已作为必查对象计入各类别。"
    assert english(typed) == typed


def quota_cases():
    targets = ([TargetFacts(f"k{n}", "key", last_on_site_inspection=date(2021, 1, 5) if n % 2 else None)
                for n in range(37)]
               + [TargetFacts(f"s{n}", "special") for n in range(9)]
               + [TargetFacts(f"g{n}", "general", positive_list=n < 3, approved_clue=n == 0) for n in range(120)]
               + [TargetFacts("kp", "key", positive_list=True)])
    for level in ("city", "county"):
        for quarter in (1, 2, 3, 4):
            progress = YearProgress({q: 7 for q in range(1, quarter)}, {q: 1 for q in range(1, quarter)})
            yield compute_quotas(POLICY, targets, inspectors=9, level=level, year=2021, quarter=quarter,
                                 progress=progress)
    # a stratum smaller than its minimum, and a jurisdiction without key units for the joint inspections
    yield compute_quotas(POLICY, [TargetFacts("g", "general")], inspectors=40, level="county", year=2021,
                         quarter=3)


def test_every_quota_explanation_of_the_engine_reads_in_english():
    seen = set()
    for quotas in quota_cases():
        for quota in quotas.quotas:
            said = assert_english(quota.explanation)
            seen.add(said)
    assert "County level, at least 50% each quarter: ⌈50% × 37⌉ = 19." in " ".join(seen)
    assert any("Only 1 can be drawn in this stratum" in s for s in seen)
    assert any("joint inspections visit the other targets" in s for s in seen)


def test_every_classification_reason_reads_in_english():
    penalty = Evidence("penalty", 1, "涞环罚〔2021〕1号")
    key = KeyListing(Evidence("key_unit", 7, "2021年名录"), 2021, "保定市2021年重点排污单位名录（保环函〔2021〕1号）")
    listed = Evidence("positive_list", 3, "保环办〔2021〕20号")
    facts = [
        Facts(1, penalties=(penalty,), complaints=(ComplaintFact(Evidence("complaint", 2, "A-1"), True),),
              outlets=(OutletExceedances(11, "DA001", 7),), key_listing=key),
        Facts(2), Facts(3, key_listing=key, positive_listing=listed),
        Facts(4, positive_listing=listed, approved_clues=(Evidence("clue", 9, "夜间异味"),)),
    ]
    texts = []
    for policy in (POLICY, policies.load(policies.POLICY_DIR / "baoding-2021.toml")):
        for fact in facts:
            for quarter in (1, 3):
                texts += [reason.text for reason in rules.classify(policy, fact, year=2021, quarter=quarter).reasons]
    for text in texts:
        assert_english(text)
    assert english("列入2021年重点排污单位名录") == "On the 2021 key-unit directory"
    # the key category's basis is the directory's own title and number: a document's name, shown as it is
    assert english(key.directory) == key.directory


def test_a_stored_classification_reason_reads_whole():
    stored = ("2026年第3季度分类：上一季度（2026年第2季度）同一排口在线监测数据超标5次以上（1个排口，最多6次）；"
              "列入2026年重点排污单位名录；同时符合特殊监管对象条件和重点排污单位名录，按政策从严归为特殊监管对象")
    said = assert_english(stored)
    assert said.startswith("Classification of Q3 2026: 5 or more online-monitoring exceedances at one outlet in "
                           "the last quarter (Q2 2026)")
    assert english("2026年第1季度分类：2026-01-01 不在正面清单中") == \
        "Classification of Q1 2026: not on the positive list on 2026-01-01"


@pytest.mark.parametrize("code", ["", "9113060", " 91130608MA0A000019", "91130608MA0A00001X", "91130608ma0A000019",
                                  "91130608MA0Ａ000019", "9113 608MA0A000019", "91130608MA0I000019",
                                  "0113060800000000X1", "9Z130608MA0A000019", "911306A8MA0A000019",
                                  "91130608MA0A00001#"])
def test_every_credit_code_problem_reads_in_english(code):
    problem = creditcode.validate(code)
    assert problem
    said = english(problem)
    assert said != problem and chinese(problem) == problem
    # what stays is the code's own characters (quoted) and a registration authority's name from the code table
    assert not CJK.search(re.sub(r'"[^"]*"|\([^)]*\)', "", said)), said


def test_every_reporting_deadline_reads_in_english():
    for deadline in WorkCalendar().reporting_deadlines(POLICY, 2021):
        assert_english(deadline.description)


@pytest.mark.parametrize("typed", ["近亲属在该单位担任管理职务", "2026年第3季度分类：随手写的",
                                   "关停（2026年，企业注销）", "本季度最低抽查 3 家。随后另行安排",
                                   "上季度因超标排放被行政处罚"])
def test_what_a_person_typed_is_shown_as_typed(typed):
    assert english(typed) == typed == chinese(typed)
