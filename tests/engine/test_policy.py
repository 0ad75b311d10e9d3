"""The policy file: Baoding 2021 transcribed with every rule cited; every defect named; a stable fingerprint."""

import copy
import dataclasses
import hashlib
import json
import re
import tomllib
from datetime import date
from fractions import Fraction
from pathlib import Path

import pytest

from shuangsuiji.engine import policy as policy_module
from shuangsuiji.engine.policy import RULES, MonthDay, PolicyError

BAODING_PATH = policy_module.POLICY_DIR / "baoding-2021.toml"
BAODING_TEXT = BAODING_PATH.read_text(encoding="utf-8")
BAODING = policy_module.load(BAODING_PATH)


def baoding_data() -> dict:
    return copy.deepcopy(tomllib.loads(BAODING_TEXT))


def problems_of(data: dict) -> dict[str, str]:
    with pytest.raises(PolicyError) as caught:
        policy_module.from_data(data, "test.toml")
    return {problem.where: problem.message for problem in caught.value.problems}


def test_baoding_has_every_rule_of_design_section_3_with_citations():
    assert {rule.name for rule in BAODING.rules()} == set(RULES)
    documents = {document.key for document in BAODING.documents}
    for rule in BAODING.rules():
        assert rule.citations, rule.name
        for citation in rule.citations:
            assert citation.document in documents
            assert citation.clause
            assert citation.quote or citation.interpretation


def test_baoding_header_and_documents():
    assert (BAODING.id, BAODING.version, BAODING.format) == ("baoding-2021", 2, 2)
    assert BAODING.jurisdiction_code == "130600"
    assert BAODING.effective == date(2021, 1, 1)
    assert BAODING.ends is None
    numbers = {document.key: document.number for document in BAODING.documents}
    assert numbers["指导意见"] == "保环办函〔2021〕13号"
    assert numbers["实施方案"] == "保环办发〔2021〕2号"


def test_baoding_values_are_those_of_the_seed():
    assert BAODING.key_quarterly.at("city") == Fraction(1, 10)
    assert BAODING.key_quarterly.at("county") == Fraction(1, 2)
    assert BAODING.key_half_year_coverage.at("county") is True
    assert BAODING.key_half_year_coverage.at("city") is False
    assert BAODING.special_quarterly.at("city") == BAODING.special_quarterly.at("county") == Fraction(1, 2)
    assert BAODING.special_criteria.exceedances_at_one_outlet == 5
    assert BAODING.special_criteria.window == "previous_quarter"
    assert BAODING.special_criteria.administrative_penalty and BAODING.special_criteria.public_complaint
    assert BAODING.special_beats_key.enabled
    assert BAODING.general_annual.at("city") == 5
    assert BAODING.general_annual.at("county") == 10
    assert BAODING.positive_list.leaves_on_site_strata and BAODING.positive_list.clue_makes_must_inspect
    assert BAODING.ratio_uncapped.enabled
    assert BAODING.joint_inspection.min_per_quarter == 1
    assert BAODING.joint_inspection.annual_key_ratio == Fraction(1, 20)
    assert BAODING.merged_visit.enabled
    assert BAODING.draw_window.workdays == 5
    assert BAODING.monthly_publication.workdays == 10
    assert BAODING.annual_list.due == MonthDay(1, 31)
    assert BAODING.submitted_records.immutable and BAODING.submitted_records.all_participants_sign
    assert BAODING.registry_upkeep.adjustment_due == tuple(MonthDay(m, 20) for m in (3, 6, 9, 12))
    assert BAODING.reporting_calendar.monthly_detail_day == 5
    assert BAODING.reporting_calendar.quarterly_status_due == (
        MonthDay(4, 10),
        MonthDay(7, 5),
        MonthDay(10, 11),
        MonthDay(12, 25),
    )
    assert BAODING.inspection_team.min_officers == 2


def test_citation_strings():
    assert BAODING.key_quarterly.citation == "指导意见 二(一)；实施方案 二(三)"
    assert BAODING.special_quarterly.citation == "指导意见 二(二)；实施方案 二(三)"
    assert BAODING.general_annual.citation == "指导意见 二(三)；实施方案 二(三)"
    assert BAODING.joint_inspection.citation == "实施方案 二(五)；附件 二(二)“制定联合抽查计划”"
    assert BAODING.draw_window.citation == "实施方案 二(四)"
    assert BAODING.key_quarterly.citations[0].number == "保环办函〔2021〕13号"


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text).replace("*", "")


def test_every_quote_is_word_for_word_in_its_source_document():
    sources = {document.key: document.source for document in BAODING.documents}
    missing = []
    for rule in BAODING.rules():
        for citation in rule.citations:
            text = squash((BAODING_PATH.parent / sources[citation.document]).read_text(encoding="utf-8"))
            if citation.quote and squash(citation.quote) not in text:
                missing.append(f"{rule.name}: {citation} {citation.quote}")
    assert missing == []


def test_policy_is_immutable():
    with pytest.raises(dataclasses.FrozenInstanceError):
        BAODING.version = 2
    with pytest.raises(dataclasses.FrozenInstanceError):
        BAODING.key_quarterly.city = Fraction(0)


def test_missing_rule_is_named():
    data = baoding_data()
    del data["rules"]["draw_window"]
    assert problems_of(data) == {"rules.draw_window": "缺少此规则"}


def test_clue_check_rule_is_required_and_checked():
    # 实施方案 二(三) "应立即开展现场检查": the rule that lets a clue get its check at once is part of every policy.
    assert BAODING.clue_check.immediate is True
    assert [(c.document, c.clause) for c in BAODING.clue_check.citations] == [("实施方案", "二(三)")]
    assert "应立即开展现场检查" in BAODING.clue_check.citations[0].quote
    data = baoding_data()
    del data["rules"]["clue_check"]
    assert problems_of(data) == {"rules.clue_check": "缺少此规则"}
    data = baoding_data()
    data["rules"]["clue_check"]["immediate"] = "yes"
    data["rules"]["clue_check"]["days"] = 3
    found = problems_of(data)
    assert found["rules.clue_check.immediate"].startswith("应为true 或 false")
    assert found["rules.clue_check.days"].startswith("未知的键")
    data = baoding_data()
    del data["rules"]["clue_check"]["immediate"]
    del data["rules"]["clue_check"]["cite"]
    found = problems_of(data)
    assert found["rules.clue_check.immediate"] == "缺少此项"
    assert "rules.clue_check.cite" in found


def test_wrong_types_are_named():
    data = baoding_data()
    data["rules"]["draw_window"]["workdays"] = "5"
    data["rules"]["merged_visit"]["enabled"] = 1
    data["rules"]["inspection_team"]["min_officers"] = True
    found = problems_of(data)
    assert found["rules.draw_window.workdays"] == "应为整数，实为 '5'"
    assert found["rules.merged_visit.enabled"].startswith("应为true 或 false")
    assert found["rules.inspection_team.min_officers"].startswith("应为整数")


def test_a_rule_the_system_always_applies_cannot_be_switched_off():
    # Were false accepted, the system would go on applying the rule (or not applying the city's variant) with
    # nobody told: a city whose policy differs needs the system changed first, and the loader says which rule.
    data = baoding_data()
    for name in ("valid_certificate", "recusal", "experts_beyond_minimum"):
        data["rules"]["inspection_team"][name] = False
    data["rules"]["submitted_records"]["immutable"] = False
    data["rules"]["registry_upkeep"]["defunct_report"] = "monthly"
    found = problems_of(data)
    assert found["rules.inspection_team.valid_certificate"].startswith("本系统始终只派执法证在有效期内的人员")
    assert found["rules.inspection_team.recusal"].startswith("本系统始终执行回避")
    assert found["rules.inspection_team.experts_beyond_minimum"].endswith("不支持设为 false")
    assert found["rules.submitted_records.immutable"].startswith("本系统始终在记录提交后封存")
    assert found["rules.registry_upkeep.defunct_report"] == "应为 quarterly 之一，实为 'monthly'"
    assert len(found) == 5
    # a flag of the wrong type is still named as one
    data = baoding_data()
    data["rules"]["inspection_team"]["recusal"] = "yes"
    assert problems_of(data)["rules.inspection_team.recusal"].startswith("应为true 或 false")


def test_ratio_outside_unit_interval_or_inexact_is_refused():
    data = baoding_data()
    data["rules"]["key_quarterly"]["city"] = "150%"
    data["rules"]["key_quarterly"]["county"] = 0.5
    data["rules"]["special_quarterly"]["city"] = "-1/2"
    data["rules"]["joint_inspection"]["annual_key_ratio"] = "5 percent"
    found = problems_of(data)
    assert found["rules.key_quarterly.city"] == "比例 150% 超出 [0, 1]"
    assert "应写成字符串" in found["rules.key_quarterly.county"]
    assert "超出 [0, 1]" in found["rules.special_quarterly.city"]
    assert "百分数" in found["rules.joint_inspection.annual_key_ratio"]


def test_missing_or_broken_citations_are_named():
    data = baoding_data()
    del data["rules"]["key_quarterly"]["cite"]
    data["rules"]["draw_window"]["cite"] = [{"doc": "通知", "clause": "一", "quote": "x"}]
    data["rules"]["annual_list"]["cite"] = [{"doc": "指导意见", "clause": "五(十一)"}]
    data["rules"]["monthly_publication"]["cite"][0]["page"] = 3
    found = problems_of(data)
    assert found["rules.key_quarterly.cite"].startswith("缺少出处")
    assert found["rules.draw_window.cite[0].doc"].startswith("“通知”不在 [[documents]] 中")
    assert "quote" in found["rules.annual_list.cite[0]"] and "interpretation" in found["rules.annual_list.cite[0]"]
    assert found["rules.monthly_publication.cite[0].page"].startswith("未知的键")


def test_unknown_keys_are_named_everywhere():
    data = baoding_data()
    data["rules"]["key_quarterly"]["ciy"] = "10%"
    data["rules"]["key_inspections"] = {"city": "10%"}
    data["author"] = "someone"
    found = problems_of(data)
    assert found["rules.key_quarterly.ciy"].startswith("未知的键")
    assert found["rules.key_inspections"].startswith("未知的键")
    assert found["author"].startswith("未知的键")


def test_header_problems_are_named():
    data = baoding_data()
    del data["title"]
    data["format"] = 3
    data["jurisdiction_code"] = "1306"
    data["effective"] = "2021-01-01"
    data["ends"] = date(2020, 1, 1)
    found = problems_of(data)
    assert found["policy.title"] == "缺少此项"
    assert found["policy.format"].startswith("本程序只认识格式 1")
    assert found["policy.jurisdiction_code"].startswith("应为6位行政区划代码")
    assert found["policy.effective"].startswith("应为 TOML 日期")


def test_dates_and_lists_are_checked():
    data = baoding_data()
    data["rules"]["reporting_calendar"]["quarterly_status_due"] = ["04-10", "07-05", "10-11"]
    data["rules"]["registry_upkeep"]["adjustment_due"] = ["03-20", "02-30"]
    data["rules"]["annual_list"]["due"] = "1-31"
    data["rules"]["reporting_calendar"]["monthly_detail_day"] = 31
    found = problems_of(data)
    assert found["rules.reporting_calendar.quarterly_status_due"].startswith('应为 4 个 "MM-DD" 日期（每季度一个）')
    assert found["rules.registry_upkeep.adjustment_due"] == "“02-30”不是有效的月-日"
    assert found["rules.annual_list.due"].startswith('日期应写成 "MM-DD"')
    assert found["rules.reporting_calendar.monthly_detail_day"].startswith("每月的日期应在 1–28 之间")


def test_every_problem_is_reported_at_once_and_in_the_message():
    data = baoding_data()
    del data["rules"]["draw_window"]
    data["rules"]["key_quarterly"]["city"] = "150%"
    with pytest.raises(PolicyError) as caught:
        policy_module.from_data(data, "broken.toml")
    message = str(caught.value)
    assert "broken.toml 有 2 处问题" in message
    assert "rules.draw_window：缺少此规则" in message
    assert "rules.key_quarterly.city：比例 150% 超出 [0, 1]" in message


def test_invalid_toml_is_refused():
    with pytest.raises(PolicyError, match="不是有效的 TOML"):
        policy_module.loads("id = ", "bad.toml")


def test_fingerprint_is_sha256_of_canonical_content():
    data = tomllib.loads(BAODING_TEXT)
    canonical = json.dumps(
        json.loads(json.dumps(data, default=lambda value: value.isoformat())),
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    assert BAODING.fingerprint == hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    reformatted = "# a comment that changes nothing\n\n" + BAODING_TEXT.replace('city = "10%"', 'city   =   "10%"')
    assert policy_module.loads(reformatted).fingerprint == BAODING.fingerprint
    changed = BAODING_TEXT.replace("version = 2", "version = 3")
    assert policy_module.loads(changed).fingerprint != BAODING.fingerprint
    assert BAODING.label == f"baoding-2021 v2 ({BAODING.fingerprint[:12]})"


def test_load_all_and_select_by_date(tmp_path: Path):
    (tmp_path / "baoding-2021.toml").write_text(BAODING_TEXT, encoding="utf-8")
    later = BAODING_TEXT.replace("version = 2", "version = 3").replace(
        "effective = 2021-01-01", "effective = 2022-01-01"
    )
    (tmp_path / "baoding-2022.toml").write_text(later, encoding="utf-8")
    policies = policy_module.load_all(tmp_path)
    assert policy_module.select(policies, date(2021, 6, 1)).version == 2
    assert policy_module.select(policies, date(2022, 6, 1)).version == 3
    with pytest.raises(LookupError, match="没有生效的政策文件"):
        policy_module.select(policies, date(2020, 6, 1))
    (tmp_path / "copy.toml").write_text(BAODING_TEXT, encoding="utf-8")
    with pytest.raises(PolicyError, match="版本 2 出现在两个文件中"):
        policy_module.load_all(tmp_path)


def test_a_policy_file_is_parsed_once_and_read_afresh_when_edited(tmp_path: Path):
    path = tmp_path / "baoding-2021.toml"
    path.write_text(BAODING_TEXT, encoding="utf-8")
    first = policy_module.load(path)
    assert policy_module.load(path) is first  # one parsed copy while the text is unchanged
    path.write_text(BAODING_TEXT.replace("version = 2", "version = 3"), encoding="utf-8")
    assert policy_module.load(path).version == 3
    path.write_text(BAODING_TEXT.replace("version = 2", 'version = "x"'), encoding="utf-8")
    with pytest.raises(PolicyError):  # a broken edit is refused, not hidden behind the parsed copy
        policy_module.load(path)


def test_the_repository_policies_all_load():
    assert BAODING.id in {policy.id for policy in policy_module.load_all()}


# The fingerprint of version 1 as the plans made under it recorded it (before version 2 existed): the file may not
# change by a byte of content, or those plans would name a policy nobody can find.
BAODING_V1_FINGERPRINT = "bcb44b51c029"


def test_version_1_stays_as_plans_recorded_it_and_version_2_is_in_force():
    first = policy_module.load(policy_module.POLICY_DIR / "baoding-2021-v1.toml")
    assert (first.format, first.version, first.fingerprint[:12]) == (1, 1, BAODING_V1_FINGERPRINT)
    assert first.clue_check is None and not first.immediate_clue_check
    assert sorted(rule.name for rule in BAODING.rules()) == sorted([*(r.name for r in first.rules()), "clue_check"])
    # the two differ only by the rule and the positive-list interpretation that points to it
    same = [name for name in policy_module.RULES if name not in ("clue_check", "positive_list")]
    assert all(getattr(first, name) == getattr(BAODING, name) for name in same)
    assert first.positive_list.clue_makes_must_inspect == BAODING.positive_list.clue_makes_must_inspect
    for day in (date(2021, 1, 1), date(2026, 12, 1)):
        assert policy_module.select(policy_module.load_all(), day).version == 2


def test_a_rule_newer_than_the_files_format_is_named():
    """A format-1 file has no clue_check: reading one with it is refused (the rule would have to go into a new
    version in the current format), and a current-format file without it lacks a rule."""
    data = baoding_data()
    data["format"] = 1
    assert problems_of(data) == {
        "rules.clue_check": "格式 1 的文件没有此规则（自格式 2 起）：新增规则须复制为新版本并使用格式 2"}
    del data["rules"]["clue_check"]
    assert policy_module.from_data(data).clue_check is None
    data["format"] = 2
    assert problems_of(data) == {"rules.clue_check": "缺少此规则"}


# A fictitious Guangzhou-like policy written from scratch in the compact inline-table style: other cities
# use other numbers (重点 12.5% a quarter, 一般 1:2.5 a year, 特殊 25% a quarter, no half-year coverage).
GUANGZHOU_LIKE_RULES = {
    "key_quarterly": ('city = "12.5%", county = "12.5%"', "一", "重点排污单位每季度不低于12.5%"),
    "key_half_year_coverage": ("city = false, county = false", "一", "无半年全覆盖要求"),
    "special_quarterly": ('city = "25%", county = "25%"', "二", "特殊监管对象每季度不低于25%"),
    "special_criteria": (
        'window = "previous_year", administrative_penalty = true, public_complaint = true, '
        "exceedances_at_one_outlet = 3",
        "二",
        "上年度超标3次以上",
    ),
    "special_beats_key": ("enabled = false", "二", "重点排污单位优先"),
    "general_annual": ('city = "1:2.5", county = "1:2.5"', "三", "一般排污单位1:2.5"),
    "positive_list": ("leaves_on_site_strata = false, clue_makes_must_inspect = true", "四", "仍参加抽取"),
    "clue_check": ("immediate = false", "四", "线索纳入下次抽取"),
    "ratio_uncapped": ("enabled = true", "五", "不设上限"),
    "joint_inspection": ('min_per_quarter = 2, annual_key_ratio = "1/10", key_units_first = true', "六", "联合"),
    "merged_visit": ("enabled = false", "六", "市县分别检查"),
    "draw_window": ("workdays = 10", "七", "抽取时限"),
    "monthly_publication": ("workdays = 20", "八", "20个工作日内公开"),
    "annual_list": ('due = "02-15"', "八", "2月15日前公开名单"),
    "submitted_records": ("immutable = true, all_participants_sign = true", "九", "不得修改"),
    "registry_upkeep": ('defunct_report = "quarterly", adjustment_due = ["01-10", "07-10"]', "十", "每半年调整"),
    "reporting_calendar": (
        'monthly_detail_day = 10, quarterly_status_due = ["04-15", "07-15", "10-15", "12-28"], shift_to_workday = true',
        "十一",
        "报送",
    ),
    "inspection_team": (
        "min_officers = 2, valid_certificate = true, recusal = true, experts_beyond_minimum = true",
        "十二",
        "两名以上执法人员",
    ),
}
GUANGZHOU_LIKE = (
    """
format = 2
id = "guangzhou-like-test"
version = 3
title = "示例：广州式比例"
jurisdiction = "示例市"
jurisdiction_code = "440100"
issuer = "示例市生态环境局"
effective = 2021-01-01
ends = 2021-12-31

[[documents]]
key = "方案"
title = "示例市污染源双随机抽查方案（测试用）"
number = "示环〔2021〕1号"
issuer = "示例市生态环境局"

[rules]
"""
    + "\n".join(
        f'{name} = {{ {values}, cite = [{{ doc = "方案", clause = "{clause}", quote = "{quote}" }}] }}'
        for name, (values, clause, quote) in GUANGZHOU_LIKE_RULES.items()
    )
    + "\n"
)


def test_quarterly_status_dates_must_follow_their_quarter():
    data = tomllib.loads(GUANGZHOU_LIKE)
    data["rules"]["reporting_calendar"]["quarterly_status_due"][3] = "01-15"
    found = problems_of(data)
    assert found["rules.reporting_calendar.quarterly_status_due"] == "第4季度的报送日期 1月15日 应在10月至12月之间"


def test_a_second_city_policy_changes_the_quotas():
    from shuangsuiji.engine.quotas import TargetFacts, compute_quotas

    other = policy_module.loads(GUANGZHOU_LIKE, "guangzhou-like.toml")
    assert other.key_quarterly.at("county") == Fraction(1, 8)
    assert other.general_annual.at("city") == Fraction(5, 2)
    assert other.in_force(date(2021, 12, 31)) and not other.in_force(date(2022, 1, 1))
    assert other.fingerprint != BAODING.fingerprint

    targets = [TargetFacts(f"K{i}", "key") for i in range(40)]
    targets += [TargetFacts(f"S{i}", "special") for i in range(10)]
    targets += [TargetFacts(f"G{i}", "general") for i in range(200)]
    targets += [TargetFacts("P1", "general", positive_list=True)]

    def minimums(policy: policy_module.Policy) -> dict[str, int]:
        result = compute_quotas(policy, targets, inspectors=10, level="county", year=2021, quarter=2)
        return {quota.stratum: quota.minimum for quota in result.quotas}

    # second quarter, nothing done yet: Baoding's county must see all 40 uninspected key units (half-year
    # coverage); 10 × 10 = 100 general a year → ⌈100/3⌉ = 34
    assert minimums(BAODING) == {"key": 40, "special": 5, "general": 34, "joint": 1}
    # 12.5% of 40 = 5, no half-year must-include; 25% of 10 → 3; 10 × 2.5 = 25 a year → ⌈25/3⌉ = 9 (the
    # positive-list target stays in the draw here); joint 10% of 40 = 4 a year → ⌈4/3⌉ = 2, at least 2
    assert minimums(other) == {"key": 5, "special": 3, "general": 9, "joint": 2}
    general = compute_quotas(other, targets, inspectors=10, level="county", year=2021, quarter=2).quota("general")
    assert "P1" in general.eligible
    assert "1:2.5" in general.explanation and "⌈10 × 2.5⌉ = 25 家" in general.explanation
    assert general.citation == "方案 三"
