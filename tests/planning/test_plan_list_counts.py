"""The staff's plan list says each drawn stratum as the public portal does, "重点排污单位 40 家（最低 40）" /
"40 key units (minimum 40)": it showed the label and two bare numbers ("Key unit 40 (40)"), which read as an
identifier and a mystery, and said "1 key units" nowhere only because it said no unit at all."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from shuangsuiji.disclosure import public
from shuangsuiji.planning import models, services
from shuangsuiji.planning.models import PlanStratum, Stratum
from tests.clients import signed_in

pytestmark = pytest.mark.django_db


def strata_cell(html: str) -> str:
    """The text of the first row's 计划抽查 cell, tags dropped."""
    cell = re.search(r'<td data-label="(?:计划抽查|Requested)"[^>]*>(.*?)</td>', html, re.S)
    assert cell is not None, html
    return re.sub(r"<[^>]+>", "", cell.group(1))


@pytest.fixture
def plan(city):
    plan = services.do_create_plan(jurisdiction=city["tree"]["a"], year=2021, quarter=2, acting_user=None)
    # one unit in one stratum, several in another: each takes its own plural
    PlanStratum.objects.filter(plan=plan, stratum=Stratum.KEY).update(requested=3, minimum=2)
    PlanStratum.objects.filter(plan=plan, stratum=Stratum.SPECIAL).update(requested=1, minimum=1)
    return plan


@pytest.mark.parametrize(("language", "heading", "key", "special"), [
    ("zh-hans", "计划抽查", "重点排污单位 3 家（最低 2）", "特殊监管对象 1 家（最低 1）"),
    ("en", "Requested", "3 key units (minimum 2)", "1 special-supervision unit (minimum 1)"),
])
def test_each_stratum_is_a_phrase_with_its_minimum(city, plan, language, heading, key, special):
    html = signed_in(city["users"]["county_admin"], language).get(reverse("planning:plan_list")).content.decode()
    headings = [re.sub(r"<[^>]+>", "", h) for h in re.findall(r"<th[^>]*>(.*?)</th>", html, re.S)]
    assert headings[3] == heading, headings
    cell = strata_cell(html)
    assert key in cell and special in cell, cell
    general = plan.strata.get(stratum=Stratum.GENERAL)
    with translation.override(language):
        assert models.stratum_count(Stratum.GENERAL, general.requested) in cell, cell


def test_the_portal_and_the_staff_list_say_it_through_one_function():
    # the portal's open-data and plan pages call the planning function, not a copy of it
    assert public.stratum_count is models.stratum_count
    with translation.override("en"):
        assert public.strata_counts([PlanStratum(stratum=Stratum.KEY, requested=1),
                                     PlanStratum(stratum=Stratum.GENERAL, requested=2)]) == (
            "1 key unit; 2 general units")
