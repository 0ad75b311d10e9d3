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
