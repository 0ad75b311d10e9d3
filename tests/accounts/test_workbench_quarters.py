"""The workbench across a quarter's turn: an overdue task of a quarter gone by stays where a person acts on it, with
its quarter named and counted once; and on a quarter's first days the plans not yet drawn say that the draw is what is
late, since when — their lateness still shown."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from shuangsuiji.accounts import completion, workbench
from shuangsuiji.engine.workdays import quarter_of
from shuangsuiji.planning.models import Draw, Plan, PlanLevel, TaskPlan, quarter_text
from tests.accounts.test_workbench import _city_plan, a_task, county_b_team, long_ago  # noqa: F401
from tests.fieldwork.conftest import items, team  # noqa: F401

pytestmark = pytest.mark.django_db


def day_one() -> datetime.date:
    """The first day of the quarter after today's: today's tasks are then of a quarter gone by."""
    today = timezone.localdate()
    year, quarter = workbench.next_quarter(today.year, quarter_of(today))
    return datetime.date(year, 3 * quarter - 2, 1)


def on(monkeypatch, day: datetime.date) -> None:
    """Make ``day`` the pages' today (the workbench asks ``timezone.localdate()``)."""
    real = timezone.localdate
    monkeypatch.setattr(timezone, "localdate", lambda value=None, *args, **kwargs:
                        day if value is None else real(value, *args, **kwargs))


def section(bench: workbench.Workbench, key: str) -> workbench.Section | None:
    return next((s for s in bench.sections if s.key == key), None)


def cells(bench: workbench.Workbench, heading: str = "逾期任务") -> dict[str, workbench.Cell]:
    column = bench.columns.index(heading)
    return {row.jurisdiction.code: row.cells[column] for row in bench.rows}


@pytest.fixture
def last_quarters(tree, items, team, users, county_b_team):  # noqa: F811
    """County A: a task overdue now (of today's quarter), and one the city and the county both drew (a merged
    visit); county B: one overdue task. On ``day_one`` all three are of a quarter gone by."""
    a_late = a_task(tree["a"], [team["first"], team["second"]], name="涞水逾期厂", deadline=long_ago(), items=items)
    b_late = a_task(tree["b"], county_b_team, name="阜平逾期厂", deadline=long_ago(), items=items)
    merged = a_task(tree["a"], [team["first"], team["second"]], name="合并逾期厂", deadline=long_ago(), items=items)
    county_selection = TaskPlan.objects.get(task=merged)
    _city_plan(tree, merged)
    TaskPlan.objects.create(task=merged, plan=Plan.objects.get(jurisdiction=tree["a"]),
                            draw=Draw.objects.get(plan__jurisdiction=tree["a"]), stratum=county_selection.stratum,
                            rank=9)
    return {"a_late": a_late, "b_late": b_late, "merged": merged}


def test_an_overdue_task_of_a_quarter_gone_by_stays_on_every_workbench_with_its_quarter(
        last_quarters, tree, users):
    """The quarter turns: the task's plan leaves the table's 本季度计划 column, and the task is still to be done. It
    stays in 逾期任务 for the county admin, the city admin and the leader, its quarter named on the section and in
    the cell, each task once (the merged visit on both bureaus' rows, once in the totals)."""
    today = timezone.localdate()
    gone = (today.year, quarter_of(today))
    first = day_one()
    for role, total in (("county_admin", 2), ("city_admin", 3), ("leader", 3)):
        bench = workbench.for_user(users[role], first)
        overdue = section(bench, "overdue_tasks")
        assert overdue.items.total == total, role
        assert overdue.items.earlier == {gone: total}, role
        assert quarter_text(*gone) in overdue.hint and f"{total} 项" in overdue.hint, role
    for role in ("city_admin", "leader"):
        bench = workbench.for_user(users[role], first)
        by_code = cells(bench)
        assert (by_code[tree["a"].code].n, by_code[tree["a"].code].earlier) == (2, 2), role
        assert (by_code[tree["b"].code].n, by_code[tree["b"].code].earlier) == (1, 1), role
        assert (by_code[tree["city"].code].n, by_code[tree["city"].code].earlier) == (1, 1), role
        assert quarter_text(*gone) in by_code[tree["a"].code].earlier_note
        # The cell's 往季 figure is what 完成情况 counts as that quarter's 逾期 for the same bureau.
        counts = completion.task_counts(users[role], [tree["city"], tree["a"], tree["b"]], *gone, first)
        assert {code: cell.earlier for code, cell in by_code.items()} == {
            place.code: counts[place.pk].get("overdue", 0) for place in (tree["city"], tree["a"], tree["b"])}


def test_this_quarters_overdue_tasks_are_not_said_to_be_of_an_earlier_quarter(last_quarters, tree, users):
    bench = workbench.for_user(users["city_admin"])
    overdue = section(bench, "overdue_tasks")
    assert overdue.items.total == 3 and overdue.items.earlier == {} and "往季度" not in overdue.hint
    assert all(cell.earlier == 0 and not cell.earlier_note for cell in cells(bench).values())


def test_the_pages_name_the_earlier_quarter_to_each_role_that_sees_the_tasks(last_quarters, tree, users, client,
                                                                            monkeypatch):
    gone = quarter_text(timezone.localdate().year, quarter_of(timezone.localdate()))
    on(monkeypatch, day_one())
    for role in ("county_admin", "city_admin", "leader"):
        client.force_login(users[role])
        html = client.get(reverse("home")).content.decode()
        assert "其中往季度的任务" in html and gone in html, role
        if role != "county_admin":  # the table of counties
            assert "（均为往季）" in html, role
    for role in ("inspector", "department_user"):  # neither has the overdue list nor the table
        client.force_login(users[role])
        html = client.get(reverse("home")).content.decode()
        assert "其中往季度的任务" not in html and "均为往季" not in html, role


def test_on_a_quarters_first_day_the_plans_say_the_draw_is_late_and_since_when(tree, users, client, monkeypatch):
    """Day one of a quarter, nothing drawn: its plans are overdue — the draw window was the quarter before's last
    working days. The section says so and since when; the items stay red and counted."""
    first = day_one()
    window = workbench.draw_window(first.year, quarter_of(first))
    since = (window.last + datetime.timedelta(days=1)).isoformat()
    for role in ("city_admin", "county_admin", "department_user"):
        plans = section(workbench.for_user(users[role], first), "plans")
        assert plans.items.overdue == len(plans.items.items) > 0, role  # the lateness is not hidden
        assert all(item.overdue and item.badge == "尚未编制" for item in plans.items.items), role
        assert "逾期的是抽取" in plans.hint and since in plans.hint, role
        assert window.days[0].isoformat() in plans.hint and window.last.isoformat() in plans.hint, role
    # The city's table says it too, above its red 未编制 cells.
    bench = workbench.for_user(users["city_admin"], first)
    assert all(row.current_missing_late for row in bench.rows) and since in bench.draw_late
    on(monkeypatch, first)
    client.force_login(users["city_admin"])
    html = client.get(reverse("home")).content.decode()
    assert html.count("逾期的是抽取") == 2 and f"{since} 起仍未抽取" in html


def test_nothing_is_said_of_the_draw_while_its_window_is_open_or_the_plans_are_drawn(tree, users):
    first = day_one()
    window = workbench.draw_window(first.year, quarter_of(first))
    assert window.late_hint(window.days[0]) == "" and window.late_hint(window.last) == ""
    # The window open (its first day): the next quarter's plans are not late, and their section says when it ends.
    following = section(workbench.for_user(users["city_admin"], window.days[0]), "next")
    assert not following.items.overdue and "逾期的是抽取" not in following.hint
    # A leader makes no plan: nothing of his is missing, so nothing is said to him on day one.
    plans = section(workbench.for_user(users["leader"], first), "plans")
    assert not plans.items.overdue and not plans.hint
    # The inspector has no plans at all.
    assert section(workbench.for_user(users["inspector"], first), "plans") is None


def _joint(place, level, department, status: str, day: datetime.date) -> Plan:
    return Plan.objects.create(jurisdiction=place, level=level, year=day.year, quarter=quarter_of(day), kind="joint",
                               department=department, policy_id="baoding-2021", policy_version=1,
                               policy_fingerprint="0" * 64, policy_title="保定市2021", inspectors_counted=2,
                               status=status)


def test_a_joint_plan_not_drawn_after_its_window_is_late_on_the_citys_table(tree, users, client, monkeypatch):
    """A county's joint plan still 编制中 once the draw window has closed: its own workbench lists it overdue and
    完成情况 says 未达标, while the city's table read "1 个计划" as if all were well. Red there too, and the county
    counted among those behind; a drawn one is not."""
    first = day_one()
    _joint(tree["a"], PlanLevel.COUNTY, tree["departments"]["130623"], "draft", first)
    _joint(tree["b"], PlanLevel.COUNTY, tree["departments"]["130624"], "dispatched", first)
    county = section(workbench.for_user(users["county_admin"], first), "plans")
    assert any(item.overdue and "内部联合抽查" in item.title and item.badge == "编制中" for item in county.items.items)
    for role in ("city_admin", "leader"):
        rows = {row.jurisdiction.code: row for row in workbench.for_user(users[role], first).rows}
        assert (rows[tree["a"].code].joint.n, rows[tree["a"].code].joint.late) == (1, 1), role
        assert (rows[tree["b"].code].joint.n, rows[tree["b"].code].joint.late) == (1, 0), role
        assert rows[tree["city"].code].joint.late == 1  # none at all: late as before
    on(monkeypatch, first)
    client.force_login(users["city_admin"])
    html = client.get(reverse("home")).content.decode()
    assert "（1 个逾期未抽取）" in html
