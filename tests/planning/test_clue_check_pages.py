"""线索核查 on the pages: the clue's button for those who may open it, the workbench and approvals page until it
is opened, the plan list, the plan and task pages labelled 线索核查, and the public portal saying so too."""

import pytest
from django.urls import reverse
from django.utils import timezone

from shuangsuiji.accounts import workbench
from shuangsuiji.planning import services
from shuangsuiji.planning.models import Plan, PlanKind, Task

from .conftest import ceremony
from .test_clue_check import approved_clue

OPEN_BUTTON = "立即安排现场检查"


def page(client, user, url) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


@pytest.mark.parametrize("role, offered", [
    ("county_admin", True), ("city_admin", True), ("inspector", False), ("leader", False)])
def test_the_clue_page_offers_the_check_right_after_approval_to_those_who_may_open_it(city, client, role, offered):
    clue = approved_clue(city)
    shown = page(client, city["users"][role], clue.get_absolute_url())
    assert (OPEN_BUTTON in shown) is offered
    assert (reverse("planning:clue_check_open", args=[clue.pk]) in shown) is offered
    if offered:  # the items that apply to the firm, all ticked
        assert shown.count('name="check_items"') == 3 and "A-02" in shown and "C-02" not in shown
    else:
        assert "待管理员安排线索核查" in shown


def test_a_pending_clue_offers_no_check_yet(city, client):
    clue = approved_clue(city, decide=False)
    shown = page(client, city["users"]["county_admin"], clue.get_absolute_url())
    assert reverse("planning:clue_check_open", args=[clue.pk]) not in shown and "提交审批" in shown
    assert "立即安排现场检查（线索核查）" in shown  # the decision form says what approval leads to


def test_opening_from_the_clue_page_leads_to_the_plan_and_a_second_press_is_told_who_was_first(city, client):
    clue = approved_clue(city)
    county = city["users"]["county_admin"]
    client.force_login(county)
    items = [city["items"]["permit"], city["items"]["risk"]]
    response = client.post(reverse("planning:clue_check_open", args=[clue.pk]),
                           {"check_items": [str(i.pk) for i in items], "require_specialties": "on"})
    plan = Plan.objects.get(kind=PlanKind.CLUE)
    assert response.status_code == 302 and response["Location"] == plan.get_absolute_url()
    assert set(plan.check_items.all()) == set(items) and plan.require_specialties
    shown = client.get(plan.get_absolute_url()).content.decode()
    assert 'id="clue-check-notice"' in shown and clue.target.name in shown and "线索核查" in shown
    assert "不计入任何随机抽查比例" in shown and "规定的抽取期" not in shown
    assert 'name="requested_clue"' not in shown and "保存计划抽查数" not in shown  # one target, quota 1
    assert "freeze" in shown  # the ceremony starts on this page like any plan's
    # the clue's page now shows the check instead of the button
    shown = client.get(clue.get_absolute_url()).content.decode()
    assert OPEN_BUTTON not in shown and plan.get_absolute_url() in shown and "已由此次核查使用" in shown
    # a second press (an old page) is refused with who opened it
    response = client.post(reverse("planning:clue_check_open", args=[clue.pk]),
                           {"check_items": [str(items[0].pk)]}, follow=True)
    assert "已由county_admin于" in response.content.decode()
    assert Plan.objects.filter(kind=PlanKind.CLUE).count() == 1


@pytest.mark.parametrize("role, status", [
    # the inspector's clue is not the department user's section's: for him it does not exist (intake ClueQuerySet)
    ("other_county_admin", 404), ("department_user", 404), ("inspector", 403), ("leader", 403)])
def test_opening_is_refused_to_everyone_else(city, client, role, status):
    clue = approved_clue(city)
    client.force_login(city["users"][role])
    response = client.post(reverse("planning:clue_check_open", args=[clue.pk]),
                           {"check_items": [str(city["items"]["permit"].pk)]})
    assert response.status_code == status
    assert not Plan.objects.exists()


def test_an_item_that_does_not_apply_is_refused_on_the_page(city, client):
    clue = approved_clue(city)
    client.force_login(city["users"]["county_admin"])
    response = client.post(reverse("planning:clue_check_open", args=[clue.pk]),
                           {"check_items": [str(city["items"]["air"].pk)]}, follow=True)
    assert "所选抽查事项已不适用于该企业" in response.content.decode() and not Plan.objects.exists()


def test_the_workbench_item_lasts_until_the_check_is_opened(city):
    clue = approved_clue(city)
    today = timezone.localdate()
    county, other = city["users"]["county_admin"], city["users"]["other_county_admin"]
    waiting = [i for i in workbench.approvals(county, today).items if i.badge == "待安排线索核查"]
    assert [i.url for i in waiting] == [clue.get_absolute_url() + "#clue-check"]
    assert [i for i in workbench.approvals(city["users"]["city_admin"], today).items if i.badge == "待安排线索核查"]
    assert not [i for i in workbench.approvals(other, today).items if i.badge == "待安排线索核查"]
    services.do_open_clue_check(clue, acting_user=county)
    assert not [i for i in workbench.approvals(county, today).items if i.badge == "待安排线索核查"]


def test_the_clue_list_says_which_clues_wait_for_their_check_and_links_the_check_once_opened(city, client):
    clue = approved_clue(city)
    county = city["users"]["county_admin"]
    listed = page(client, county, reverse("intake:clue_list"))
    assert f'href="{clue.get_absolute_url()}#clue-check">待安排线索核查</a>' in listed
    plan = services.do_open_clue_check(clue, acting_user=county)
    listed = page(client, county, reverse("intake:clue_list"))
    assert "待安排线索核查" not in listed
    link = f'<a href="{plan.get_absolute_url()}">线索核查</a>'
    assert f'{link} <span class="text-secondary small">编制中</span>' in listed


def test_a_rejected_clue_waits_for_no_check_in_the_list(city, client):
    approved_clue(city, approve=False)
    listed = page(client, city["users"]["county_admin"], reverse("intake:clue_list"))
    assert "待安排线索核查" not in listed and "线索核查</a>" not in listed


def test_plan_list_task_pages_and_the_public_portal_say_clue_check(city, client):
    county = city["users"]["county_admin"]
    clue = approved_clue(city)
    plan = services.do_open_clue_check(clue, acting_user=county)
    listed = page(client, county, reverse("planning:plan_list") + "?kind=clue")
    assert plan.get_absolute_url() in listed and "线索核查" in listed
    assert plan.get_absolute_url() not in page(client, county, reverse("planning:plan_list") + "?kind=regular")
    form = page(client, county, reverse("planning:plan_create"))
    assert 'value="clue"' not in form  # opened from its clue only
    ceremony(plan, user=county, day=timezone.localdate())
    services.do_dispatch(plan, acting_user=county)
    [task] = Task.objects.all()
    shown = page(client, county, task.get_absolute_url())
    assert "线索核查" in shown
    assert "线索核查" in page(client, county, reverse("planning:task_list"))
    # the public portal: a published plan is called a 线索核查, never a random draw of its own, and not by its firm
    client.logout()
    public = client.get(reverse("public:plan_detail", args=[plan.pk])).content.decode()
    assert "线索核查计划" in public and clue.target.name not in public
    rows = client.get("/api/public/plans/").json()
    rows = rows.get("results", rows)
    assert [(row["kind"], "线索核查" in row["title"]) for row in rows if row["id"] == plan.pk] == [("线索核查", True)]
    # open data says the kind in a column of its own, so a reader can leave targeted checks out of the ratios
    csv = b"".join(client.get("/public/plans/", {"format": "csv"}).streaming_content).decode("utf-8-sig")
    header, *lines = csv.splitlines()
    assert header.split(",")[:3] == ["计划编号", "计划", "类型"]
    assert [line.split(",")[2] for line in lines if line.startswith(f"{plan.pk},")] == ["线索核查"]


def test_an_undrawn_clue_check_is_not_late_for_a_draw_window_it_does_not_have(city):
    """Opened mid-quarter, long after the quarter's draw window closed: this quarter's plans on the workbench do
    not call it overdue (the regular plan's window has no say over it)."""
    county = city["users"]["county_admin"]
    plan = services.do_open_clue_check(approved_clue(city), acting_user=county)
    today = timezone.localdate()
    window = workbench.draw_window(plan.year, plan.quarter)
    items = workbench.quarter_plans(county, plan.year, plan.quarter, window, today).items
    [item] = [i for i in items if i.url == plan.get_absolute_url()]
    assert (item.overdue, item.due) == (False, None) and "线索核查" in item.title


def test_the_planning_api_says_which_tasks_are_clue_checks(city, client):
    county = city["users"]["county_admin"]
    plan = services.do_open_clue_check(approved_clue(city), acting_user=county)
    ceremony(plan, user=county, day=timezone.localdate())
    client.force_login(county)
    rows = client.get("/api/planning/tasks/?is_clue_check=true").json()["results"]
    assert [row["is_clue_check"] for row in rows] == [True]
    assert [p["kind"] for p in rows[0]["plans"]] == ["clue"]
    assert client.get("/api/planning/tasks/?is_clue_check=false").json()["results"] == []
