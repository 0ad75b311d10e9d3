"""跨部门联合抽查 (国发〔2019〕5号; 实施方案 二(五); 指导意见 (十)): the targets are drawn by the initiating
department on the 部门协同监管平台 and entered here by credit code; every one is must-include in one stratum
``cross``, the teams are drawn by the unchanged engine through the usual ceremony, and the check counts toward
no random-inspection ratio."""

import datetime
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from shuangsuiji.audit.models import Event
from shuangsuiji.audit.services import verify_chain
from shuangsuiji.disclosure import report_books, reports
from shuangsuiji.engine import manifest
from shuangsuiji.planning import gather, services
from shuangsuiji.planning.models import CrossCheck, Plan, PlanKind, PlanStatus, Stratum, Task, TaskStatus

from .conftest import ceremony, credit_code

REPO = Path(__file__).resolve().parents[2]
MARKET = "保定市市场监督管理局"


def today() -> datetime.date:
    return timezone.localdate()


def this_quarter() -> tuple[int, int]:
    return services.current_quarter()


def next_quarter() -> tuple[int, int]:
    return services.cross_check_quarters()[1]


def codes(city, *keys: str) -> list[str]:
    return [city["targets"][key].credit_code for key in keys]


def keys_a(city, category: str, n: int) -> list[str]:
    return [f"{city['tree']['a'].code}-{category}-{i}" for i in range(n)]


def create(city, *, user: str = "county_admin", text: str | None = None, jurisdiction=None, period=None,
           **kwargs) -> Plan:
    year, quarter = period or this_quarter()
    if text is None:
        text = "\n".join(codes(city, *keys_a(city, "key", 2), *keys_a(city, "general", 1)))
    kwargs.setdefault("initiator", MARKET)
    kwargs.setdefault("participants", [])
    return services.do_create_cross_check(
        jurisdiction=jurisdiction or city["tree"]["a"], year=year, quarter=quarter,
        acting_user=city["users"][user], targets_text=text, **kwargs)


def test_a_cross_department_check_is_entered_drawn_for_its_teams_and_dispatched(city):
    county = city["users"]["county_admin"]
    key0, key1, general0 = codes(city, *keys_a(city, "key", 2), *keys_a(city, "general", 1))
    # pasted from a spreadsheet's column: spaces, a blank line, lower case, a tab
    text = f"  {key0.lower()}  \n\n{key1}\t\r\n   \n{general0}\n"
    deadline = min(gather.quarter_end(*this_quarter()), today() + datetime.timedelta(days=20))
    plan = create(city, text=text, participants=["保定市应急管理局", " 保定市市场监督管理局 "],
                  platform_ref="BD-2026-XT-0007", deadline=deadline)
    year, quarter = this_quarter()
    assert (plan.kind, plan.jurisdiction, plan.level, plan.year, plan.quarter, plan.status) == (
        PlanKind.CROSS, city["tree"]["a"], "county", year, quarter, PlanStatus.DRAFT)
    assert plan.is_cross_department and plan.targets_given and not plan.is_clue_check and not plan.is_joint
    assert "跨部门联合抽查" in str(plan) and f"第{plan.pk}号" in str(plan)
    cross = plan.cross
    # the outside initiator takes part, listed once; the bureau itself is not an "other" department
    assert (cross.initiator, cross.initiated_here, cross.participants, cross.platform_ref, cross.deadline) == (
        MARKET, False, [MARKET, "保定市应急管理局"], "BD-2026-XT-0007", deadline)
    assert sorted(cross.targets.values_list("credit_code", flat=True)) == sorted([key0, key1, general0])
    [row] = plan.strata.all()
    assert (row.stratum, row.population, row.minimum, row.must_include, row.requested, row.drawn) == (
        Stratum.CROSS, 3, 3, 3, 3, True)
    assert "不计入本局任何随机抽查比例" in row.explanation and "国发〔2019〕5号" in row.citation
    # default items: every item that applies to one of the targets (key and general units of county A)
    assert sorted(plan.check_items.values_list("code", flat=True)) == ["A-01", "A-02", "C-01", "C-02"]
    event = Event.objects.get(action="plan.create_cross_check")
    assert (event.actor, event.changes["initiator"], sorted(event.changes["targets"])) == (
        county, MARKET, sorted([key0, key1, general0]))

    draw = ceremony(plan, user=county, day=today())
    assert draw.window_warning == ""  # no draw window: drawn when the platform's targets arrive
    assert manifest.verify(draw.manifest) == []
    [stratum] = draw.manifest["strata"]
    assert stratum["name"] == "cross" and sorted(p["id"] for p in stratum["selected"]) == sorted(
        [key0, key1, general0])
    assert {p["via"] for p in stratum["selected"]} == {"must"}
    assert draw.inputs["assignment"]["deadline"] == deadline.isoformat()
    tasks = list(Task.objects.all())
    assert len(tasks) == 3
    assert {(t.is_cross_department, t.is_clue_check, t.is_joint, t.deadline) for t in tasks} == {
        (True, False, False, deadline)}
    for task in tasks:
        team = list(task.members.filter(active=True))
        assert len({m.inspector_id for m in team}) == len(team) >= 2
        assert all(m.inspector.jurisdiction == city["tree"]["a"] for m in team)
    services.do_dispatch(plan, acting_user=county)
    assert set(Task.objects.values_list("status", flat=True)) == {TaskStatus.DISPATCHED}
    assert verify_chain() == []


def test_the_standalone_verifier_accepts_a_cross_department_draw(city, tmp_path):
    county = city["users"]["county_admin"]
    draw = ceremony(create(city), user=county, day=today())
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(draw.manifest, ensure_ascii=False), encoding="utf-8")
    done = subprocess.run([sys.executable, str(REPO / "tools" / "verify_draw.py"), str(path)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_each_wrong_line_is_named_by_its_number_code_and_what_is_wrong(city):
    a = city["tree"]["a"]
    good = codes(city, *keys_a(city, "key", 1))[0]
    other_county = city["targets"][f"{city['tree']['b'].code}-general-0"].credit_code
    closed = city["targets"][f"{a.code}-general-1"]
    closed.status, closed.defunct_date = "defunct", today()
    closed.save(update_fields=["status", "defunct_date"])
    unknown = credit_code(a.code, 777)
    bad_digit = good[:-1] + ("0" if good[-1] != "0" else "1")
    text = "\n".join([good, unknown, other_county, "", closed.credit_code, good.lower(), bad_digit])
    with pytest.raises(ValidationError) as refused:
        create(city, text=text)
    problems = refused.value.message_dict["targets"]
    assert problems[0] == f"第2行 {unknown}：名录库中没有该代码的检查对象"
    assert problems[1].startswith(f"第3行 {other_county}：") and "登记在阜平县，不在涞水县辖区内" in problems[1]
    assert problems[2].startswith(f"第5行 {closed.credit_code}：") and "已注销/关停" in problems[2]
    assert problems[3] == f"第6行 {good}：与第1行重复"
    assert problems[4].startswith(f"第7行 {bad_digit}：不是有效的统一社会信用代码") and "校验码" in problems[4]
    assert len(problems) == 5
    assert not Plan.objects.exists() and not CrossCheck.objects.exists()


def test_an_english_page_says_why_a_code_is_invalid_in_english(city):
    """The engine says why a code is invalid in Chinese; the line's message is the reader's language throughout."""
    good = codes(city, *keys_a(city, "key", 1))[0]
    bad_digit = good[:-1] + ("0" if good[-1] != "0" else "1")
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        create(city, text=bad_digit)
    [problem] = refused.value.message_dict["targets"]
    assert "not a valid unified social credit code" in problem and "the check character" in problem
    assert not re.search(r"[\u4e00-\u9fff]", problem), problem


def test_a_city_plan_takes_the_targets_of_its_counties(city):
    text = "\n".join(codes(city, f"{city['tree']['a'].code}-general-0", f"{city['tree']['b'].code}-general-0"))
    plan = create(city, user="city_admin", text=text, jurisdiction=city["tree"]["city"])
    assert (plan.level, plan.cross.targets.count()) == ("city", 2)


@pytest.mark.parametrize("case, field, message", [
    ("no_outside", "participants", "跨部门联合抽查须有本局以外的部门参加"),
    ("bureau_listed", "participants", "是本局：只填写本局以外的部门"),
    ("no_targets", "targets", "请填写发起部门在协同监管平台抽取的检查对象的统一社会信用代码"),
    ("deadline_outside", "deadline", "不在"),
    ("deadline_past", "deadline", "早于今天"),
    ("quarter_far", "quarter", "只能登记在本季度"),
    ("item_not_applying", "check_items", "不适用于这些检查对象"),
    ("empty_items", "check_items", "请至少选择一项抽查事项"),
    ("county_level_only", "jurisdiction", "市级或县级"),
])
def test_each_refusal_says_what_is_wrong_and_stores_nothing(city, case, field, message):
    kwargs: dict = {}
    year, quarter = this_quarter()
    if case == "no_outside":
        kwargs.update(initiator="", participants=["  ", ""])
    elif case == "bureau_listed":
        city["tree"]["a"].bureau_name = "保定市生态环境局涞水县分局"
        city["tree"]["a"].save(update_fields=["bureau_name"])
        kwargs.update(participants=["保定市生态环境局涞水县分局"])
    elif case == "no_targets":
        kwargs.update(text="\n  \n")
    elif case == "deadline_outside":
        kwargs.update(deadline=gather.quarter_end(year, quarter) + datetime.timedelta(days=1))
    elif case == "deadline_past":
        # judged on a day with a past day inside the quarter (on its first day, yesterday is outside it)
        day = max(today(), gather.quarter_start(year, quarter) + datetime.timedelta(days=1))
        kwargs.update(today=day, deadline=day - datetime.timedelta(days=1))
    elif case == "quarter_far":
        after = services.cross_check_quarters()[1]
        kwargs.update(period=(after[0] + 1, 1) if after[1] == 4 else (after[0], after[1] + 1))
    elif case == "item_not_applying":
        kwargs.update(text=codes(city, *keys_a(city, "key", 1))[0], check_items=[city["items"]["noise"]])
    elif case == "empty_items":
        kwargs.update(check_items=[])
    elif case == "county_level_only":
        kwargs.update(jurisdiction=city["tree"]["province"], user="city_admin")
    with pytest.raises((ValidationError, PermissionDenied)) as refused:
        create(city, **kwargs)
    error = refused.value
    assert isinstance(error, ValidationError), error
    assert message in " ".join(error.message_dict[field]), error.message_dict
    assert not Plan.objects.exists() and not Event.objects.filter(action="plan.create_cross_check").exists()


def test_the_bureau_initiating_needs_one_outside_participant(city):
    plan = create(city, initiator="", participants=["保定市应急管理局"])
    assert (plan.cross.initiated_here, plan.cross.participants) == (True, ["保定市应急管理局"])
    assert plan.cross.initiator_name == plan.jurisdiction.bureau_name or "生态环境局" in plan.cross.initiator_name


def test_the_next_quarter_may_be_entered_and_its_deadline_defaults_to_its_end(city):
    year, quarter = next_quarter()
    plan = create(city, period=(year, quarter))
    assert (plan.year, plan.quarter, plan.cross.deadline) == (year, quarter, None)
    assert services.plan_deadline(plan) == gather.quarter_end(year, quarter)


@pytest.mark.parametrize("role, jurisdiction, allowed", [
    ("city_admin", "a", True), ("city_admin", "city", True), ("county_admin", "a", True),
    ("county_admin", "b", False), ("county_admin", "city", False), ("other_county_admin", "a", False),
    ("department_user", "a", False), ("inspector", "a", False), ("leader", "a", False)])
def test_only_an_admin_of_the_plan_s_jurisdiction_enters_one(city, role, jurisdiction, allowed):
    place = city["tree"][jurisdiction]
    text = next(t.credit_code for t in city["targets"].values() if t.jurisdiction.path.startswith(place.path))
    if allowed:
        assert create(city, user=role, jurisdiction=place, text=text).created_by == city["users"][role]
    else:
        with pytest.raises(PermissionDenied):
            create(city, user=role, jurisdiction=place, text=text)
        assert not Plan.objects.exists()


def test_two_cross_checks_of_one_quarter_may_share_a_jurisdiction(city):
    """No unique key: an initiator may ask for several in a quarter (and two admins entering at once get two)."""
    first, second = create(city), create(city)
    assert first.pk != second.pk and str(first) != str(second)


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_admins_entering_from_the_same_form_at_once_make_two_checks(city):
    """Nothing to serialise: no unique key, each gets his own plan, both drawn and verified afterwards."""
    from tests.concurrency import collide, require_postgres

    require_postgres()
    first, second = collide(lambda: create(city), lambda: create(city, user="city_admin"))
    assert first.error is None and second.error is None, (first.error, second.error)
    plans = list(Plan.objects.filter(kind=PlanKind.CROSS).order_by("pk"))
    assert len(plans) == 2 and len({str(plan) for plan in plans}) == 2
    assert Event.objects.filter(action="plan.create_cross_check").count() == 2
    for plan in plans:
        draw = ceremony(plan, user=city["users"]["county_admin"], day=today())
        assert manifest.verify(draw.manifest) == []


def test_a_cross_department_check_counts_toward_no_quota_nor_the_quarterly_status(city):
    """Drawn by another department, not under the bureau's strata: the quotas' "already done", the key units'
    half-year coverage and the quarterly 落实情况's random figures leave it out; it has a column of its own."""
    county = city["users"]["county_admin"]
    a = city["tree"]["a"]
    year, quarter = this_quarter()
    targets = gather.scope_targets(a)
    done_before = gather.year_progress(a, a.level, year, 5)
    covered_before = gather.last_on_site(targets, year)
    plan = create(city)
    ceremony(plan, user=county, day=today())
    services.do_dispatch(plan, acting_user=county)
    Task.objects.update(inspected_on=today())
    done_after = gather.year_progress(a, a.level, year, 5)
    assert (done_after.general_inspections, done_after.joint_key_inspections) == (
        done_before.general_inspections, done_before.joint_key_inspections) == ({}, {})
    assert gather.last_on_site(targets, year) == covered_before == {}
    status = reports.quarterly_status(city["tree"]["city"], year, quarter)
    [place] = [p for p in status.places if p.jurisdiction == a]
    assert all(count.drawn == 0 and count.minimum == 0 for count in place.strata.values())
    assert (place.joint_tasks, place.clue_tasks, place.cross_tasks, place.cross_inspected) == (0, 0, 3, 0)
    assert place.inspector_count == 0 and place.problems == 0
    assert status.total().cross_tasks == 3
    assert report_books._place_row("涞水县", place)[-2:] == [3, 0]
    book = report_books.quarterly_workbook(city["tree"]["city"], year, quarter, today())
    sheet = openpyxl.load_workbook(io.BytesIO(book))["落实情况"]
    wanted = "跨部门联合抽查（不计入抽查比例）"
    [heading] = [cell for row in sheet.iter_rows(max_row=4) for cell in row if cell.value == wanted]
    assert heading.column_letter == "AA" and f"AA{heading.row}:AB{heading.row}" in {str(r) for r in sheet.merged_cells}


def test_a_target_closed_before_the_freeze_stops_the_freeze_with_its_name(city):
    county = city["users"]["county_admin"]
    plan = create(city)
    target = plan.cross.targets.order_by("credit_code").first()
    target.status, target.defunct_date = "defunct", today()
    target.save(update_fields=["status", "defunct_date"])
    with pytest.raises(ValidationError, match="不能再冻结跨部门联合抽查"):
        services.do_approve_and_freeze(plan, acting_user=county, today=today())
    assert not plan.draws.exists()


def test_a_target_already_drawn_this_quarter_is_one_visit_with_the_earlier_deadline(city, client):
    """进一次门、查多项事: the regular draw's task of a target is the cross check's too. The visit out already keeps
    its deadline until the second check is dispatched: its team is told nothing of a draw before its dispatch (which
    may be drawn again); the dispatch moves it, and the visit's history says so."""
    county = city["users"]["county_admin"]
    key0 = codes(city, *keys_a(city, "key", 1))[0]
    first = create(city, text=key0, participants=["保定市应急管理局"], initiator="")
    ceremony(first, user=county, day=today())
    services.do_dispatch(first, acting_user=county)
    end = gather.quarter_end(*this_quarter())
    if today() == end:
        pytest.skip("the second check's deadline is to be earlier than the quarter's end")
    deadline = today()
    second = create(city, text=key0, deadline=deadline)
    ceremony(second, user=county, day=today())
    [task] = Task.objects.all()
    assert task.selections.filter(active=True).count() == 2
    assert task.deadline == end and not Event.objects.filter(action="plan.task_deadline").exists()
    services.do_dispatch(second, acting_user=county)
    task.refresh_from_db()
    assert (task.is_cross_department, task.deadline) == (True, deadline)
    [moved] = Event.objects.filter(action="plan.task_deadline", object_id=str(task.pk))
    assert moved.changes["deadline"] == [end.isoformat(), deadline.isoformat()] and moved.actor == county
    assert moved.jurisdiction_id == second.jurisdiction_id
    client.force_login(county)
    assert "随计划派发调整完成期限" in client.get(task.get_absolute_url()).content.decode()  # the visit's history


def test_the_regular_plan_form_does_not_make_one(city):
    with pytest.raises(ValidationError, match="新建跨部门联合抽查"):
        services.do_create_plan(jurisdiction=city["tree"]["a"], year=this_quarter()[0], quarter=this_quarter()[1],
                                acting_user=city["users"]["county_admin"], kind=PlanKind.CROSS)
