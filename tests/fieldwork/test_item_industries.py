"""A task's items follow the items' industry scope: a tannery's task does not carry 机动车排放检验机构检验行为,
an emission-testing station's does; the record started from the task gets the same items, and one already
started keeps its own."""

import pytest
from django.urls import reverse

from shuangsuiji.fieldwork import services
from shuangsuiji.fieldwork.demo import task_items
from shuangsuiji.planning.models import MemberRole, Task
from shuangsuiji.registry.models import CheckItem, Target
from tests.clients import signed_in
from tests.fieldwork.conftest import code_for, make_task


@pytest.fixture
def scoped(tree, items):
    """The fixture's two items for every industry, plus 14 (M7452) and 16 (B E)."""
    department = tree["departments"]["130600"]
    vehicle = CheckItem.objects.create(code="HB-014", name="机动车排放检验机构检验行为", legal_basis="大气法第五十四条",
                                       content="检验行为是否合规", jurisdiction=tree["city"], industries="M7452",
                                       responsible_department=department)
    nature = CheckItem.objects.create(code="HB-016", name="自然保护地内开发建设活动情况", legal_basis="自然保护区条例",
                                      content="核心区有无建设", jurisdiction=tree["city"], industries="B E",
                                      responsible_department=department)
    return [*items, vehicle, nature]


def firm(tree, serial: int, name: str, industry: str) -> Target:
    return Target.objects.create(credit_code=code_for("130623", serial), name=name, jurisdiction=tree["a"],
                                 industry_code=industry)


def officers(team):
    return [(team["first"], MemberRole.OFFICER), (team["second"], MemberRole.OFFICER)]


def codes(items) -> list[str]:
    return [item.code for item in items]


def test_a_tanneries_task_lacks_the_testing_station_item_which_the_station_has(tree, scoped, team):
    tannery = make_task(firm(tree, 11, "涞水县甲皮革有限公司", "C1910"), scoped, officers(team))
    station = make_task(firm(tree, 12, "涞水县乙机动车检测有限公司", "M7452"), scoped, officers(team))
    mine = make_task(firm(tree, 13, "涞水县丙矿业有限公司", "1011"), scoped, officers(team))  # letter-less: B
    unknown = make_task(firm(tree, 14, "涞水县丁有限公司", ""), scoped, officers(team))
    assert codes(tannery.check_items()) == ["HB-001", "HB-002"]
    assert codes(station.check_items()) == ["HB-001", "HB-002", "HB-014"]
    assert codes(mine.check_items()) == ["HB-001", "HB-002", "HB-016"]
    assert codes(unknown.check_items()) == ["HB-001", "HB-002", "HB-014", "HB-016"]  # better too many than one missed
    # the demo's bulk version says the same
    tasks = list(Task.objects.select_related("target").filter(pk__in=[tannery.pk, station.pk, mine.pk, unknown.pk]))
    assert {pk: codes(found) for pk, found in task_items(tasks).items()} == {
        task.pk: codes(task.check_items()) for task in tasks}


def test_a_record_started_gets_only_the_items_that_apply_and_a_started_one_keeps_its_own(tree, scoped, team, users):
    target = firm(tree, 11, "涞水县甲皮革有限公司", "C1910")
    task = make_task(target, scoped, officers(team))
    record = services.do_start_record(task, acting_user=users["inspector"])
    assert list(record.items.order_by("order").values_list("code", flat=True)) == ["HB-001", "HB-002"]
    # the registry learns the firm tests vehicles after the visit began: the record keeps the items it started with
    Target.objects.filter(pk=target.pk).update(industry_code="M7452")
    task.refresh_from_db()
    assert codes(task.check_items()) == ["HB-001", "HB-002", "HB-014"]
    again = services.do_start_record(task, acting_user=users["inspector"])
    assert again.pk == record.pk
    assert list(again.items.values_list("code", flat=True).order_by("order")) == ["HB-001", "HB-002"]


def test_the_brief_the_task_page_and_the_api_list_the_same_items(tree, scoped, team, users):
    task = make_task(firm(tree, 11, "涞水县甲皮革有限公司", "C1910"), scoped, officers(team))
    inspector = signed_in(users["inspector"])
    brief = inspector.get(reverse("fieldwork:task_brief", args=[task.pk]))
    assert codes(brief.context["items"]) == ["HB-001", "HB-002"]
    assert "机动车排放检验机构检验行为" not in brief.content.decode()
    admin = signed_in(users["county_admin"])
    page = admin.get(reverse("planning:task_detail", args=[task.pk]))
    assert codes(page.context["items"]) == ["HB-001", "HB-002"]
    row = next(r for r in admin.get("/api/planning/tasks/").json()["results"] if r["id"] == task.pk)
    assert [i["code"] for i in row["items"]] == ["HB-001", "HB-002"]


def test_a_visit_whose_items_all_lie_outside_the_firms_industry_keeps_them(tree, scoped, team, users):
    """A plan on 机动车排放检验机构检验行为 alone still draws from every unit of its strata: its tannery visit keeps
    the item (to be marked 不涉及) rather than start a record with nothing to check."""
    vehicle = next(item for item in scoped if item.code == "HB-014")
    tannery = Target.objects.create(credit_code=code_for("130681", 21), name="涿州市甲皮革有限公司",
                                    jurisdiction=tree["b"], industry_code="C1910")
    task = make_task(tannery, [vehicle], officers(team))
    assert codes(task.check_items()) == ["HB-014"]
    loaded = Task.objects.select_related("target").get(pk=task.pk)
    assert codes(task_items([loaded])[task.pk]) == ["HB-014"]
    record = services.do_start_record(task, acting_user=users["inspector"])
    assert list(record.items.values_list("code", flat=True)) == ["HB-014"]
