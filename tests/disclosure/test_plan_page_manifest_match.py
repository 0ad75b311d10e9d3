"""The plan page tells a reader which plan a manifest is: the inputs hash of the draw in force under the title (the
verifier prints it first), and a joint plan's departments (the verifier names them with the kind). A quarter's
regular and joint plans of one place have the same year, quarter and division code; their hashes stood only in
the draw records, among those of superseded draws."""

import re

import pytest

from shuangsuiji.planning.models import Plan, PlanKind
from shuangsuiji.registry.models import Department
from tests.disclosure.test_portal import make_plan

pytestmark = pytest.mark.django_db


def under_title(page: str) -> str:
    """The page from its title to the strata table: what a reader sees first."""
    return page[page.index("<h1"):page.index("各类别抽查数量" if "各类别抽查数量" in page else "Numbers per stratum")]


def test_the_inputs_hash_of_the_draw_in_force_stands_under_the_title(client, tree):
    plan = make_plan(tree["a"], 2, draws=2)  # draw 1 superseded (hash 111…), draw 2 in force (222…)
    top = under_title(client.get(f"/public/plans/{plan.pk}/").content.decode())
    assert re.search(r'id="plan-inputs-hash">第 2 次抽取的输入哈希：<a class="font-monospace text-break" '
                     r'href="#draw-2">' + "2" * 64 + "</a>", top)
    assert "1" * 64 not in top and "验证程序写出的输入哈希与此相同" in top
    english = under_title(client.get(f"/public/plans/{plan.pk}/", headers={"cookie": "django_language=en"})
                          .content.decode())
    assert "Inputs hash of draw 2: <a" in english and "2" * 64 in english
    assert 'id="plan-departments"' not in top  # a regular plan has no departments taking part


def test_a_joint_plans_departments_are_listed_as_its_manifest_names_them(client, tree):
    plan = make_plan(tree["a"], 2)
    county = tree["a"]
    lead = tree["departments"][county.code]
    water = Department.objects.create(jurisdiction=county, name="水生态环境股")
    Plan.objects.filter(pk=plan.pk).update(kind=PlanKind.JOINT, department=lead)
    plan.departments.set([lead, water])
    top = under_title(client.get(f"/public/plans/{plan.pk}/").content.decode())
    assert 'id="plan-departments">参加科室：执法大队、水生态环境股</p>' in top


def test_a_plan_not_drawn_yet_shows_no_hash_under_its_title(client, tree):
    plan = make_plan(tree["a"], 2, draws=0)
    assert 'id="plan-inputs-hash"' not in client.get(f"/public/plans/{plan.pk}/").content.decode()
