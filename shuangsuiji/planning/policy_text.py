"""A policy's rules said in words, for the 监管政策 page: each rule of ``engine.policy.RULES`` with a label,
each of its values with a label and in the words the policy means it (a share as 10%, an inspector ratio as
1:5, a switch as 是/否, a month-day as 1月31日, a count of working days as 5 个工作日), and its citations.

The wording lives here only: ``RULES`` below names every rule and every value field of the engine's ``RULES``
(a test holds them equal, so a new rule cannot reach the page without its words)."""

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.utils.dateformat import format as date_format
from django.utils.functional import Promise
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from shuangsuiji.engine.policy import Citation, MonthDay, Policy, Rule, SourceDocument

Say = Callable[[Any], str]


def _number(value: Fraction) -> str:
    """An exact number as a decimal where it has a finite one (12.5), else as a fraction (1/3)."""
    if value.denominator == 1:
        return str(value.numerator)
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return format(exact.normalize(), "f") if Fraction(exact) == value else f"{value.numerator}/{value.denominator}"


def percent(value: Fraction) -> str:
    return f"{_number(value * 100)}%"


def per_inspector(value: Fraction) -> str:
    """Units per inspector as the documents write it: 5 → 1:5 (执法人员:被抽查单位)."""
    return f"1:{_number(value)}"


def yes_no(value: bool) -> str:
    return gettext("是") if value else gettext("否")


def workdays(value: int) -> str:
    return ngettext("%(n)d 个工作日", "%(n)d 个工作日", value) % {"n": value}


def times(value: int) -> str:
    return ngettext("%(n)d 次", "%(n)d 次", value) % {"n": value}


def people(value: int) -> str:
    return ngettext("%(n)d 名", "%(n)d 名", value) % {"n": value}


def day_of_month(value: int) -> str:
    return gettext("每月 %(day)d 日前") % {"day": value}


def month_day(value: MonthDay) -> str:
    # A date format (n: month, j: day, no leading zeros): 1月31日; in English "January 31".
    return date_format(date(2000, value.month, value.day), gettext("n月j日"))


def month_days(values: tuple[MonthDay, ...]) -> str:
    return gettext("、").join(month_day(value) for value in values)


def choice(words: dict[str, Promise]) -> Say:
    def say(value: str) -> str:
        return str(words.get(value, value))

    return say


def at_least(say: Say) -> Say:
    def said(value: Any) -> str:
        return gettext("%(value)s及以上") % {"value": say(value)}

    return said


CITY, COUNTY = _("市级"), _("县级")
ENABLED = _("适用")
RULES: dict[str, tuple[Promise, dict[str, tuple[Promise, Say]]]] = {
    "key_quarterly": (_("重点排污单位每季度抽查比例"), {"city": (CITY, percent), "county": (COUNTY, percent)}),
    "key_half_year_coverage": (_("重点排污单位每半年全部检查一次"),
                               {"city": (CITY, yes_no), "county": (COUNTY, yes_no)}),
    "special_quarterly": (_("特殊监管对象每季度抽查比例"), {"city": (CITY, percent), "county": (COUNTY, percent)}),
    "special_criteria": (_("特殊监管对象的认定"), {
        "window": (_("认定期间"), choice({"previous_quarter": _("上一季度"), "previous_year": _("上一年度")})),
        "administrative_penalty": (_("受到行政处罚的列入"), yes_no),
        "public_complaint": (_("被群众投诉举报的列入"), yes_no),
        "exceedances_at_one_outlet": (_("同一排放口在线监测超标"), at_least(times)),
    }),
    "special_beats_key": (_("符合特殊监管条件的重点排污单位按特殊监管对象抽查"), {"enabled": (ENABLED, yes_no)}),
    "general_annual": (_("一般排污单位每年抽查比例（执法人员:被抽查单位）"),
                       {"city": (CITY, per_inspector), "county": (COUNTY, per_inspector)}),
    "positive_list": (_("正面清单"), {
        "leaves_on_site_strata": (_("不参加现场检查的随机抽取"), yes_no),
        "clue_makes_must_inspect": (_("有问题线索未核查的，下次抽取时列为必查"), yes_no),
    }),
    "clue_check": (_("正面清单单位问题线索的核查"), {"immediate": (_("立即开展现场检查（线索核查计划）"), yes_no)}),
    "ratio_uncapped": (_("抽查比例不设上限"), {"enabled": (ENABLED, yes_no)}),
    "joint_inspection": (_("内部联合抽查"), {
        "min_per_quarter": (_("每季度至少"), times),
        "annual_key_ratio": (_("每年联合抽查的重点排污单位不少于"), percent),
        "key_units_first": (_("优先抽查重点排污单位"), yes_no),
    }),
    "merged_visit": (_("市、县同一季度抽中同一单位时合并检查"), {"enabled": (ENABLED, yes_no)}),
    "draw_window": (_("抽取窗口"), {"workdays": (_("上一季度的最后"), workdays)}),
    "monthly_publication": (_("抽查结果月度公开"), {"workdays": (_("当月检查结束后的公开期限"), workdays)}),
    "annual_list": (_("年度抽查对象名录公开"), {"due": (_("公开截止日期"), month_day)}),
    "submitted_records": (_("提交后的现场检查记录"), {
        "immutable": (_("封存，不得撤销或修改，只能更正补充"), yes_no),
        "all_participants_sign": (_("全体参加人员签字"), yes_no),
    }),
    "registry_upkeep": (_("污染源名录动态管理"), {
        "defunct_report": (_("关停、注销单位的报告"), choice({"quarterly": _("每季度")})),
        "adjustment_due": (_("名录调整报送日期"), month_days),
    }),
    "reporting_calendar": (_("向市局报送"), {
        "monthly_detail_day": (_("上月明细表报送"), day_of_month),
        "quarterly_status_due": (_("各季度工作情况报送"), month_days),
        "shift_to_workday": (_("遇休息日顺延至下一个工作日"), yes_no),
    }),
    "inspection_team": (_("检查人员要求"), {
        "min_officers": (_("每次检查的执法人员至少"), people),
        "valid_certificate": (_("持有效执法证"), yes_no),
        "recusal": (_("执行回避"), yes_no),
        "experts_beyond_minimum": (_("专家等在执法人员人数之外参加"), yes_no),
    }),
}
"""Each rule of ``engine.policy.RULES``: its label, and each of its value fields' label and how it is said."""


# A 文号 as documents carry it: 保环办函〔2021〕13号 (its附件 too), or an order's number, 主席令第四十五号. A law's
# ``number`` in the policy file is how it was adopted ("2020年5月28日第十三届全国人民代表大会第三次会议通过"):
# no number to print after a clause, a sentence to look up when wanted.
_DOCUMENT_NUMBER = re.compile(r"[〔\[［(（]\s*\d{4}\s*[〕\]］)）]\s*\d+\s*号|令第[〇零一二三四五六七八九十百千\d]+号")


def is_document_number(number: str) -> bool:
    return bool(_DOCUMENT_NUMBER.search(number))


@dataclass(frozen=True)
class CitationText:
    """A citation as the page shows it: short (document and clause, and the 文号 where the document has one),
    with the document's full title and number or adoption line (``source``) at hand for whoever wants it."""

    document: str
    clause: str
    number: str
    """The 文号, or empty: a law's adoption sentence is no 文号 and stays in ``source``."""
    source: str
    """The document's full title and its 文号 or adoption line, e.g. "中华人民共和国民法典（2020年…通过）"."""
    quote: str
    interpretation: str

    @property
    def heading(self) -> str:
        return f"{self.document} {self.clause}"


def citation_text(citation: Citation, documents: Mapping[str, SourceDocument]) -> CitationText:
    found = documents.get(citation.document)
    title = found.title if found is not None else citation.document
    number = citation.number
    source = gettext("%(title)s（%(number)s）") % {"title": title, "number": number} if number else title
    return CitationText(citation.document, citation.clause, number if is_document_number(number) else "", source,
                        citation.quote, citation.interpretation)


@dataclass(frozen=True)
class RuleText:
    name: str
    label: str
    values: list[tuple[str, str]]
    """(field label, value in words), in the order of the rule's fields."""
    note: str
    citations: tuple[CitationText, ...]


def rule_text(rule: Rule, documents: Mapping[str, SourceDocument] | None = None) -> RuleText:
    label, fields = RULES[rule.name]
    return RuleText(rule.name, str(label), [(str(field_label), say(getattr(rule, field)))
                                            for field, (field_label, say) in fields.items()],
                    rule.note, tuple(citation_text(c, documents or {}) for c in rule.citations))


def rules_text(policy: Policy) -> list[RuleText]:
    documents = {d.key: d for d in policy.documents}
    return [rule_text(rule, documents) for rule in policy.rules()]
