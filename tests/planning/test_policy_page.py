"""监管政策 (/planning/policies/): every policy version, which one this quarter's and the next quarter's plans follow,
and the plans of the reader's scope made under each; linked from the menu and from a plan's page."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from shuangsuiji.engine import policy as policies
from shuangsuiji.planning.models import Plan, PlanLevel, PlanStatus
from tests.clients import signed_in

pytestmark = pytest.mark.django_db
URL = "/planning/policies/"


def quarter(day: datetime.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def card(html: str, policy) -> str:
    return html.split(f'id="policy-{policy.id}-v{policy.version}"', 1)[1].split('<div class="card mb-3', 1)[0]


def plan_under(policy, jurisdiction) -> Plan:
    year, q = quarter(timezone.localdate())
    return Plan.objects.create(jurisdiction=jurisdiction, level=PlanLevel.COUNTY, year=year, quarter=q, kind="regular",
                               policy_id=policy.id, policy_version=policy.version,
                               policy_fingerprint=policy.fingerprint, policy_title=policy.title,
                               inspectors_counted=1, status=PlanStatus.DRAFT)


@pytest.mark.parametrize("role", ["city_admin", "county_admin", "other_county_admin", "department_user", "inspector",
                                  "leader"])
def test_every_signed_in_role_reads_which_version_applies_and_a_visitor_signs_in_first(users, role):
    known = policies.load_all()
    html = signed_in(users[role]).get(URL).content.decode()
    year, q = quarter(timezone.localdate())
    in_force = policies.select(known, datetime.date(year, 3 * q - 2, 1))
    assert f"{year}年第{q}季度的计划依据此版" in card(html, in_force)
    for policy in known:  # every version is listed, the file it is kept in and its whole fingerprint
        assert policy.fingerprint in card(html, policy)
        if policy is not in_force:
            assert f"{year}年第{q}季度" not in card(html, policy)
    assert "policies/baoding-2021-v1.toml" in html
    assert 'href="/planning/policies/"' in html  # the 更多 menu
    assert Client().get(URL).status_code == 302


def test_the_plans_under_each_version_are_counted_in_the_readers_scope_only(users, tree):
    v1 = next(p for p in policies.load_all() if p.version == 1)
    plan_under(v1, tree["a"])
    plan_under(v1, tree["b"])
    counted = {role: card(signed_in(users[role]).get(URL).content.decode(), v1)
               for role in ("city_admin", "county_admin", "inspector")}
    assert "本范围内 2 个" in counted["city_admin"]
    assert "本范围内 1 个" in counted["county_admin"]
    assert "本范围内" not in counted["inspector"]  # an inspector reads no plans, so none are counted for him


def test_a_plans_page_links_the_version_it_names(users, tree):
    v1 = next(p for p in policies.load_all() if p.version == 1)
    plan = plan_under(v1, tree["a"])
    html = signed_in(users["county_admin"]).get(f"/planning/{plan.pk}/").content.decode()
    assert f'href="/planning/policies/#policy-{v1.id}-v1"' in html


def test_a_quarter_without_a_policy_in_force_is_said(users, monkeypatch):
    monkeypatch.setattr(policies, "select", lambda known, day: (_ for _ in ()).throw(LookupError(day)))
    html = signed_in(users["city_admin"], "en").get(URL).content.decode()
    year, q = quarter(timezone.localdate())
    assert f"No policy file is in force for Q{q} {year}: that quarter can be neither classified nor planned." in html


def rules_of(html: str, policy) -> str:
    return html.split(f'id="policy-rules-{policy.id}-v{policy.version}"', 1)[1].split("</details>", 1)[0]


def rule_of(html: str, policy, name: str) -> str:
    return html.split(f'id="rule-{policy.id}-v{policy.version}-{name}"', 1)[1].split("</li>\n        </ul>", 1)[0]


def test_each_versions_rules_are_said_in_words_with_their_citations_open_for_the_version_in_force(users):
    known = policies.load_all()
    v2 = next(p for p in known if p.version == 2)
    v1 = next(p for p in known if p.version == 1)
    html = signed_in(users["leader"]).get(URL).content.decode()
    year, q = quarter(timezone.localdate())
    assert policies.select(known, datetime.date(year, 3 * q - 2, 1)) is v2
    assert f'id="policy-rules-{v2.id}-v2" open>' in html  # the version in force shows its rules
    assert f'id="policy-rules-{v1.id}-v1">' in html  # an older one keeps them folded
    key = rule_of(html, v2, "key_quarterly")
    assert "重点排污单位每季度抽查比例" in key
    assert "市级</span> <strong>10%</strong>" in key and "县级</span> <strong>50%</strong>" in key
    general = rule_of(html, v2, "general_annual")
    assert "市级</span> <strong>1:5</strong>" in general and "县级</span> <strong>1:10</strong>" in general
    assert "<strong>5 个工作日</strong>" in rule_of(html, v2, "draw_window")
    assert "<strong>1月31日</strong>" in rule_of(html, v2, "annual_list")
    assert "本政策的理解：</em>“年初”未给出日期" in rule_of(html, v2, "annual_list")
    assert "同一排放口在线监测超标</span> <strong>5 次及以上</strong>" in rule_of(html, v2, "special_criteria")
    for rule in v2.rules():  # every rule, each of its citations with its clause and its quote
        shown = rule_of(html, v2, rule.name)
        for citation in rule.citations:
            assert f"{citation.document} {citation.clause}" in shown
            assert citation.quote in shown
    assert "clue_check" not in rules_of(html, v1)  # a format-1 version has no such rule
    assert len(v1.rules()) == rules_of(html, v1).count('<li class="border-top py-2"') == 17


def test_the_rules_read_in_english(users):
    v2 = next(p for p in policies.load_all() if p.version == 2)
    html = signed_in(users["city_admin"], "en").get(URL).content.decode()
    assert "Rules and their sources (18)" in html
    assert "City</span> <strong>10%</strong>" in rule_of(html, v2, "key_quarterly")
    assert "<strong>5 working days</strong>" in rule_of(html, v2, "draw_window")
    assert "<strong>January 31</strong>" in rule_of(html, v2, "annual_list")
    assert "<strong>Yes</strong>" in rule_of(html, v2, "ratio_uncapped")
    assert "Key pollutant dischargers: minimum share inspected each quarter" in rule_of(html, v2, "key_quarterly")
    assert "重点排污单位每季度抽查比例" not in html  # the labels are translated (the quotes are the documents')


def test_every_rule_and_every_value_of_it_has_its_words():
    from shuangsuiji.planning import policy_text

    assert set(policy_text.RULES) == set(policies.RULES)
    for name, (_kind, fields) in policies.RULES.items():
        assert set(policy_text.RULES[name][1]) == set(fields), name


def test_a_citation_reads_as_document_and_clause_with_the_adoption_sentence_at_hand(users):
    """A law's ``number`` in the policy file is how it was adopted, no 文号: it is not printed after the clause as
    if it were one, but kept in the citation's title; a document's 文号 still follows its clause."""
    v2 = next(p for p in policies.load_all() if p.version == 2)
    law = next(d for d in v2.documents if d.key == "民法典")
    assert "通过" in law.number  # what the policy file stores for a law
    criteria = rule_of(signed_in(users["county_admin"]).get(URL).content.decode(), v2, "special_criteria")
    cited = criteria.split("民法典 第一千二百五十九条</span>", 1)
    assert cited[0].endswith(f'<span class="fw-semibold" title="{law.title}（{law.number}）">')
    assert law.number not in cited[1].split("</li>", 1)[0]  # nothing after the heading repeats the sentence
    guidance = next(d for d in v2.documents if d.key == "指导意见")
    assert (f'指导意见 二(二)</span> <span class="text-secondary">{guidance.number}</span>') in criteria


@pytest.mark.parametrize(("number", "expected"), [
    ("保环办函〔2021〕13号", True), ("保环办函〔2021〕13号附件", True), ("冀环执法[2020]101号", True),
    ("中华人民共和国主席令第四十五号", True),
    ("2020年5月28日第十三届全国人民代表大会第三次会议通过", False), ("", False),
])
def test_what_counts_as_a_document_number(number, expected):
    from shuangsuiji.planning.policy_text import is_document_number

    assert is_document_number(number) is expected
