"""The planning pages, role by role: who sees which plan and task, who may press which button, and that
outside one's scope a plan or a task does not exist (404)."""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from shuangsuiji.accounts.models import User
from shuangsuiji.audit.display import changes_of, name_codes
from shuangsuiji.audit.models import Event
from shuangsuiji.engine.workdays import quarter_of
from shuangsuiji.fieldwork import services as fieldwork
from shuangsuiji.planning import services
from shuangsuiji.planning.models import Plan, PlanKind, PlanStatus, RedrawRequest, Task, TaskMember
from shuangsuiji.registry.models import CheckItem, Department
from shuangsuiji.registry.services import do_mark_target_defunct
from shuangsuiji.validators import REASON_LENGTH
from tests.clients import signed_in

from .conftest import ceremony
from .test_services import general_drawn

pytestmark = pytest.mark.django_db


@pytest.fixture
def drawn(city):
    """County A's plan, drawn (not yet dispatched), and a drawn task of it."""
    plan = services.do_create_plan(jurisdiction=city["tree"]["a"], year=2021, quarter=2, acting_user=None)
    ceremony(plan)
    return plan, Task.objects.filter(selections__plan=plan).first()


def login(client, users, name):
    client.force_login(users[name])
    return client


def running_plan(city) -> Plan:
    """County A's plan of the quarter running today: the only kind the pages still freeze, on today or later."""
    today = timezone.localdate()
    return services.do_create_plan(jurisdiction=city["tree"]["a"], year=today.year, quarter=quarter_of(today),
                                   acting_user=None)


@pytest.mark.parametrize(("role", "plan_status", "task_status"), [
    ("city_admin", 200, 200), ("county_admin", 200, 200), ("leader", 200, 200), ("department_user", 200, 200),
    ("other_county_admin", 404, 404), ("inspector", 404, 404),
])
def test_who_reads_a_plan_and_its_tasks(client, city, drawn, role, plan_status, task_status):
    plan, task = drawn
    login(client, city["users"], role)
    assert client.get(reverse("planning:plan_detail", args=[plan.pk])).status_code == plan_status
    assert client.get(reverse("planning:task_detail", args=[task.pk])).status_code == task_status
    listed = client.get(reverse("planning:plan_list"))
    if role == "inspector":
        assert listed.status_code == 302  # an inspector's list is his own tasks
    else:
        assert (plan in listed.context["page"].object_list) == (plan_status == 200)


def test_the_plan_page_shows_strata_ceremony_hashes_and_tasks_but_never_the_secret(client, city, drawn):
    plan, task = drawn
    draw = plan.current_draw
    page = login(client, city["users"], "county_admin").get(reverse("planning:plan_detail", args=[plan.pk]))
    text = page.content.decode()
    for shown in (draw.inputs_hash, draw.commitment, draw.seed, "3516", "张三、李四", task.target.name,
                  "指导意见 二(一)", "派发任务"):
        assert shown in text
    assert draw.secret not in text
    services.do_dispatch(plan, acting_user=None)
    assert "申请重新抽取" in client.get(reverse("planning:plan_detail", args=[plan.pk])).content.decode()
    services.do_reveal(plan, acting_user=None)
    revealed = client.get(reverse("planning:plan_detail", args=[plan.pk])).content.decode()
    assert draw.secret in revealed
    assert "申请重新抽取" not in revealed  # a revealed plan is not drawn again


def test_ceremony_buttons_work_for_the_county_admin_and_are_refused_to_readers(client, city):
    plan = running_plan(city)
    today = timezone.localdate().isoformat()  # refused to them on any day
    for reader in ("leader", "department_user"):
        login(client, city["users"], reader)
        client.post(reverse("planning:plan_freeze", args=[plan.pk]), {"draw_date": today})
        assert Plan.objects.get(pk=plan.pk).status == PlanStatus.DRAFT
    login(client, city["users"], "other_county_admin")
    assert client.post(reverse("planning:plan_freeze", args=[plan.pk]), {"draw_date": today}).status_code == 404
    login(client, city["users"], "county_admin")
    # today asked as the freeze is posted: the day asked before the readers' five requests was yesterday, a past
    # day refused, for a run crossing midnight in Beijing among them
    client.post(reverse("planning:plan_freeze", args=[plan.pk]), {"draw_date": timezone.localdate().isoformat()})
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.FROZEN
    client.post(reverse("planning:plan_commit", args=[plan.pk]))
    response = client.post(reverse("planning:plan_public", args=[plan.pk]),
                           {"source": "dice", "value": "3,5,1,6", "witnesses": "张三"}, follow=True)
    assert "至少两名见证人" in response.content.decode()
    response = client.post(reverse("planning:plan_public", args=[plan.pk]),
                           {"source": "drand", "value": "abc", "drand_round": "5"})
    # Refused input comes back as typed, the problem (in Chinese) under its field.
    assert response.status_code == 400 and response.context["public_form"]["source"].value() == "drand"
    assert "64 位十六进制数字" in response.content.decode() and "drand value" not in response.content.decode()
    client.post(reverse("planning:plan_public", args=[plan.pk]),
                {"source": "dice", "value": "3,5,1,6", "witnesses": "张三、李四"})
    client.post(reverse("planning:plan_draw", args=[plan.pk]))
    dispatched = client.post(reverse("planning:plan_dispatch", args=[plan.pk]), follow=True)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DISPATCHED and plan.selections.exists()
    # The message names the inspectors' menu as they see it (现场检查); there is no "我的任务" in it.
    told = [str(m) for m in dispatched.context["messages"]]
    assert any("“现场检查”" in m for m in told) and not any("我的任务" in m for m in told), told
    # ... and says how many tasks went out
    assert any(f"已派发 {plan.selections.filter(active=True).count()} 项任务" in m for m in told), told


def test_the_public_value_form_says_every_problem_at_once(client, city):
    # At the draw the witnesses wait while the form is fixed: a mistyped roll and a missing witness were said
    # one after the other (the roll only once the witnesses were right), and so were a blank roll and them.
    plan = running_plan(city)
    login(client, city["users"], "county_admin")
    client.post(reverse("planning:plan_freeze", args=[plan.pk]), {"draw_date": timezone.localdate().isoformat()})
    client.post(reverse("planning:plan_commit", args=[plan.pk]))
    url = reverse("planning:plan_public", args=[plan.pk])
    response = client.post(url, {"source": "dice", "value": "3,5,1,9", "witnesses": "张三"})
    errors = response.context["public_form"].errors
    assert response.status_code == 400 and set(errors) == {"value", "witnesses"}, errors
    assert "1–6" in errors["value"][0] and "至少两名见证人" in errors["witnesses"][0]
    response = client.post(url, {"source": "dice", "value": "", "witnesses": ""})
    errors = response.context["public_form"].errors
    assert set(errors) == {"value", "witnesses"} and len(errors["value"]) == 1, errors
    response = client.post(url, {"source": "lottery", "value": "", "lottery_name": "", "lottery_date": ""})
    assert set(response.context["public_form"].errors) == {"value", "lottery_name", "lottery_date"}
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.COMMITTED


def test_the_freeze_form_offers_no_past_day_and_refuses_one(client, city):
    plan = running_plan(city)
    login(client, city["users"], "county_admin")
    page = client.get(reverse("planning:plan_detail", args=[plan.pk])).content.decode()
    today = timezone.localdate()  # the page's day, asked after it (before the sign-in it could be the day before)
    assert f'min="{today.isoformat()}"' in page and f'value="{today.isoformat()}"' in page
    yesterday = today - datetime.timedelta(days=1)
    response = client.post(reverse("planning:plan_freeze", args=[plan.pk]), {"draw_date": yesterday.isoformat()})
    assert response.status_code == 400
    assert f"公布的抽取日期 {yesterday} 早于今天" in " ".join(response.context["freeze_form"].non_field_errors())
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.DRAFT and not plan.draws.exists()


def test_a_refused_freeze_keeps_the_typed_date_and_says_why_under_it(client, city):
    """A redirect after a refusal put the proposed day (today) back in the box: a clerk who had typed the
    announced day, and missed the message at the top, froze the plan on a day nobody had announced."""
    plan = running_plan(city)
    far = timezone.localdate() + datetime.timedelta(days=400)  # a year too far: past the quarter's last day
    login(client, city["users"], "county_admin")
    response = client.post(reverse("planning:plan_freeze", args=[plan.pk]), {"draw_date": far.isoformat()})
    today = timezone.localdate()  # the page's day, asked after it
    assert response.status_code == 400
    page = response.content.decode()
    assert f'value="{far.isoformat()}"' in page and f'value="{today.isoformat()}"' not in page
    assert f'min="{today.isoformat()}"' in page  # still no past day offered
    said = page.split('data-error="freeze">', 1)[1].split("</div>", 1)[0]
    assert f"公布的抽取日期 {far} 晚于" in said, said
    assert "未审定并冻结" in " ".join(str(m) for m in response.context["messages"])
    # a date the form cannot read comes back as typed too, its problem under the box
    response = client.post(reverse("planning:plan_freeze", args=[plan.pk]), {"draw_date": "2026-02-31"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'value="2026-02-31"' in page and 'data-error="draw_date"' in page
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.DRAFT and not plan.draws.exists()
    # nothing refused: frozen, and back to the page
    response = client.post(reverse("planning:plan_freeze", args=[plan.pk]),
                           {"draw_date": timezone.localdate().isoformat()})
    assert response.status_code == 302 and Plan.objects.get(pk=plan.pk).status == PlanStatus.FROZEN


def test_a_freeze_refused_because_the_plan_was_frozen_in_another_tab_says_so_on_the_frozen_page(client, city):
    plan = running_plan(city)
    login(client, city["users"], "county_admin")
    today = timezone.localdate().isoformat()  # asked after the sign-in, as the freeze is posted
    client.post(reverse("planning:plan_freeze", args=[plan.pk]), {"draw_date": today})
    response = client.post(reverse("planning:plan_freeze", args=[plan.pk]), {"draw_date": today}, follow=True)
    assert response.redirect_chain and response.status_code == 200  # the page as it is now, without a form
    told = " ".join(str(m) for m in response.context["messages"])
    assert "计划当前状态为“已审定并冻结”" in told and "未审定并冻结" not in told, told
    assert plan.draws.count() == 1


def dispatched_mid_quarter(client, city, monkeypatch) -> Plan:
    """A county plan of 2021 Q2 drawn and dispatched, on 2021-06-10 (its tasks open), its admin signed in."""
    plan = services.do_create_plan(jurisdiction=city["tree"]["a"], year=2021, quarter=2, acting_user=None)
    ceremony(plan)
    services.do_dispatch(plan, acting_user=None)
    monkeypatch.setattr(timezone, "localdate", lambda *args: datetime.date(2021, 6, 10))
    login(client, city["users"], "county_admin")
    return plan


def test_the_reveal_step_says_why_it_waits_while_tasks_are_open_instead_of_a_button(client, city, monkeypatch):
    from shuangsuiji.fieldwork.models import InspectionRecord

    plan = dispatched_mid_quarter(client, city, monkeypatch)
    url = reverse("planning:plan_detail", args=[plan.pk])
    tasks = list(Task.objects.filter(selections__plan=plan).distinct())
    page = client.get(url).content.decode()
    step = page.split('data-step="reveal"', 1)[1].split("</li>", 1)[0]
    assert (f"还有 {len(tasks)} 项任务未提交检查记录，全部提交后才能公开密钥；"
            "本季度结束后（2021-07-01 起）也可公开") in step
    assert reverse("planning:plan_reveal", args=[plan.pk]) not in page
    # another tab's button is still refused by the service
    client.post(reverse("planning:plan_reveal", args=[plan.pk]))
    assert Plan.objects.get(pk=plan.pk).revealed_at is None
    # the quarter over, whatever is still open: the button
    monkeypatch.setattr(timezone, "localdate", lambda *args: datetime.date(2021, 7, 1))
    page = client.get(url).content.decode()
    assert reverse("planning:plan_reveal", args=[plan.pk]) in page and 'id="reveal-waits"' not in page
    # or, within the quarter, every record submitted
    monkeypatch.setattr(timezone, "localdate", lambda *args: datetime.date(2021, 6, 10))
    for n, task in enumerate(tasks):
        InspectionRecord.objects.create(number=f"JL2021Q2-{n:06}", task=task, target=task.target,
                                        sealed_at=timezone.now(), seal_hash="0" * 64)
    page = client.get(url).content.decode()
    assert reverse("planning:plan_reveal", args=[plan.pk]) in page and 'id="reveal-waits"' not in page


def test_the_reveal_step_waits_in_english_too(client, city, monkeypatch):
    plan = dispatched_mid_quarter(client, city, monkeypatch)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("planning:plan_detail", args=[plan.pk])).content.decode()
    assert "tasks have no submitted inspection record yet" in page and "(from 2021-07-01)" in page


@pytest.mark.parametrize(("cap", "chinese", "english"), [
    (None, "不设上限（按任务数 {n} 计，不构成限制）",
     "No cap (the engine was given the task count, {n}, which limits no one)"),
    (3, "3", "3"),
])
def test_the_freeze_history_says_the_cap_the_plan_set(client, city, cap, chinese, english):
    """Without a cap the engine is given the task count; the history said it as the plan's cap."""
    from shuangsuiji.audit.display import changes_of
    from shuangsuiji.audit.models import Event

    plan = services.do_create_plan(jurisdiction=city["tree"]["a"], year=2021, quarter=2, acting_user=None,
                                   max_load=cap)
    ceremony(plan)
    tasks = sum(row.requested for row in plan.strata.filter(drawn=True))
    event = Event.objects.get(action="plan.freeze", object_id=str(plan.pk))
    shown = {change.label: change.after for change in changes_of(event)}
    assert shown["每人任务上限"] == chinese.format(n=tasks)
    login(client, city["users"], "county_admin")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    history = client.get(reverse("planning:plan_detail", args=[plan.pk])).content.decode().split("Change history")[1]
    assert english.format(n=tasks) in history


def test_a_plan_announced_for_a_later_day_waits_for_it(client, city):
    today = timezone.localdate()
    following = quarter_of(today) % 4 + 1
    plan = services.do_create_plan(jurisdiction=city["tree"]["a"], quarter=following, acting_user=None,
                                   year=today.year + (following == 1))
    # two days on, not tomorrow: a run crossing midnight in Beijing between the freeze and the draw (five requests)
    # found tomorrow's announced day come, and the draw went through
    announced = today + datetime.timedelta(days=2)
    login(client, city["users"], "county_admin")
    client.post(reverse("planning:plan_freeze", args=[plan.pk]), {"draw_date": announced.isoformat()})
    client.post(reverse("planning:plan_commit", args=[plan.pk]))
    client.post(reverse("planning:plan_public", args=[plan.pk]),
                {"source": "dice", "value": "3,5,1,6", "witnesses": "张三、李四"})
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.PUBLIC
    response = client.get(reverse("planning:plan_detail", args=[plan.pk]))
    page = response.content.decode()
    assert f"公布的抽取日期是 {announced}，届时方可抽取" in page
    # the window is judged on the announced day, not today
    assert response.context["window_notice"] == services.window_warning(plan, announced)
    assert ("按公布的抽取日期" in page) == bool(response.context["window_notice"]) and "如果今天抽取" not in page
    assert reverse("planning:plan_draw", args=[plan.pk]) not in page  # no button that would be refused
    response = client.post(reverse("planning:plan_draw", args=[plan.pk]), follow=True)
    told = " ".join(str(m) for m in response.context["messages"])
    assert f"公布的抽取日期是 {announced}，不能提前抽取" in told, told
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.PUBLIC and not plan.selections.exists()


def test_only_the_city_approves_shortfalls_and_redraws(client, city, drawn):
    plan, _task = drawn
    login(client, city["users"], "county_admin")
    client.post(reverse("planning:plan_redraw_request", args=[plan.pk]), {"reason": "漏录新企业"})
    request = RedrawRequest.objects.get(plan=plan)
    client.post(reverse("planning:plan_redraw_decide", args=[plan.pk, request.pk]), {"approve": "1"})
    assert RedrawRequest.objects.get(pk=request.pk).state == "pending"
    login(client, city["users"], "city_admin")
    client.post(reverse("planning:plan_redraw_decide", args=[plan.pk, request.pk]),
                {"approve": "1", "decision": "同意"})
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.DRAFT


def test_an_inspector_sees_his_dispatched_tasks_with_deadlines_and_his_own_team_only(client, city, drawn):
    plan, _task = drawn
    inspector = city["users"]["inspector"]
    login(client, city["users"], "inspector")
    # One list of his tasks: planning's "my tasks" sends him to fieldwork's phone list.
    response = client.get(reverse("planning:my_tasks"))
    assert response.status_code == 302 and response.url == reverse("fieldwork:my_tasks")
    mine = Task.objects.filter(members__inspector=inspector.inspector, members__active=True).distinct()
    assert mine.exists()
    assert not any(t.target.name in client.get(reverse("fieldwork:my_tasks")).content.decode() for t in mine)
    services.do_dispatch(plan, acting_user=None)
    page = client.get(reverse("fieldwork:my_tasks")).content.decode()
    for task in mine:
        assert task.target.name in page and task.deadline.isoformat() in page
    others = Task.objects.filter(selections__plan=plan).exclude(members__inspector=inspector.inspector)
    if others.exists():
        assert client.get(reverse("planning:task_detail", args=[others.first().pk])).status_code == 404


def test_readers_are_told_who_runs_the_ceremony(client, city, drawn):
    plan, _task = drawn
    for role, told in (("department_user", True), ("leader", True), ("county_admin", False)):
        page = login(client, city["users"], role).get(reverse("planning:plan_detail", args=[plan.pk]))
        assert ("抽取过程的各步骤由" in page.content.decode()) is told, role


def test_plan_creation_form_for_a_department_user_makes_a_joint_plan(client, city):
    today = timezone.localdate()
    login(client, city["users"], "department_user")
    response = client.post(reverse("planning:plan_create"), {
        "jurisdiction": city["tree"]["a"].pk, "year": today.year, "quarter": quarter_of(today),
        "kind": PlanKind.JOINT, "department": city["departments"]["enforcement_a"].pk})
    plan = Plan.objects.get()
    assert response.status_code == 302 and plan.kind == PlanKind.JOINT
    response = client.post(reverse("planning:plan_create"), {
        "jurisdiction": city["tree"]["a"].pk, "year": today.year, "quarter": quarter_of(today),
        "kind": PlanKind.REGULAR})
    assert response.status_code == 200 and "选择一个有效的选项" in response.content.decode()
    assert Plan.objects.count() == 1


def test_a_department_user_is_offered_only_the_joint_plans_he_may_make(client, city):
    """His department's jurisdiction and the joint kind: offered the regular kind and the city's other
    jurisdictions, he was refused (无权) after filling the whole form in."""
    login(client, city["users"], "department_user")
    form = client.get(reverse("planning:plan_create")).context["form"]
    assert list(form.fields["jurisdiction"].queryset) == [city["tree"]["a"]]
    assert [value for value, _label in form.fields["kind"].choices] == [PlanKind.JOINT]
    assert {d.jurisdiction_id for d in form.fields["departments"].queryset} == {city["tree"]["a"].pk}
    today = timezone.localdate()
    response = client.post(reverse("planning:plan_create"), {
        "jurisdiction": city["tree"]["b"].pk, "year": today.year, "quarter": quarter_of(today),
        "kind": PlanKind.JOINT, "department": city["departments"]["enforcement_a"].pk})
    assert response.status_code == 200 and response.context["form"].errors["jurisdiction"] == [
        "行政区：科室用户只能编制本科室所在行政区（涞水县）的联合抽查计划"]
    assert not Plan.objects.exists()


@pytest.mark.parametrize("role", ["city_admin", "county_admin"])
def test_admins_are_still_offered_both_kinds_and_their_subtree(client, city, role):
    login(client, city["users"], role)
    form = client.get(reverse("planning:plan_create")).context["form"]
    assert {value for value, _label in form.fields["kind"].choices} == {PlanKind.REGULAR, PlanKind.JOINT}
    expected = {"city_admin": {"city", "a", "b"}, "county_admin": {"a"}}[role]
    assert set(form.fields["jurisdiction"].queryset) == {city["tree"][key] for key in expected}


@pytest.mark.parametrize("role", ["leader", "inspector"])
def test_readers_get_no_plan_form(client, city, role):
    login(client, city["users"], role)
    assert client.get(reverse("planning:plan_create")).status_code == 403


def test_a_shortfall_reason_past_its_length_is_refused_by_name(client, city):
    plan = running_plan(city)
    row = plan.strata.filter(drawn=True, minimum__gt=0).first()
    login(client, city["users"], "county_admin")
    posted = {f"requested_{other.stratum}": other.requested for other in plan.strata.filter(drawn=True)}
    posted |= {f"requested_{row.stratum}": row.minimum - 1, f"reason_{row.stratum}": "人手不足" * REASON_LENGTH}
    response = client.post(reverse("planning:plan_requested", args=[plan.pk]), posted)
    assert response.status_code == 400
    assert f"少抽理由：确保该变量包含不超过 {REASON_LENGTH} 字符" in response.content.decode()
    row.refresh_from_db()
    assert row.requested == row.minimum and row.shortfall_reason == ""


def test_a_blank_number_does_not_hide_the_other_rows_problems(client, city):
    # One row left blank: only "该字段是必填项" was said, and the row asking less without a reason (or more than
    # its population) was told only at the next save.
    plan = running_plan(city)
    rows = list(plan.strata.filter(drawn=True, minimum__gt=0).order_by("id"))
    short = next(row for row in rows if row.minimum > row.must_include)
    blank = next(row for row in rows if row != short)
    login(client, city["users"], "county_admin")
    posted = {f"requested_{row.stratum}": row.requested for row in plan.strata.filter(drawn=True)}
    posted |= {f"requested_{short.stratum}": short.minimum - 1, f"requested_{blank.stratum}": ""}
    response = client.post(reverse("planning:plan_requested", args=[plan.pk]), posted)
    assert response.status_code == 400
    page = response.content.decode()
    said = page.split(f'data-problems="{short.stratum}"')[1].split("</div></div>")[0]
    assert f"低于政策最低数 {short.minimum}，须填写理由" in said
    assert "该字段是必填项" in page.split(f'data-problems="{blank.stratum}"')[1].split("</div></div>")[0]
    short.refresh_from_db()
    assert short.requested == short.minimum
    # in English the label and the problem are joined by an English colon ("Special-supervision unit：This …")
    english = signed_in(city["users"]["county_admin"], "en").post(
        reverse("planning:plan_requested", args=[plan.pk]), posted).content.decode()
    said = english.split(f'data-problems="{blank.stratum}"')[1].split("</div></div>")[0]
    assert ": This field is required." in said and "：" not in said


def test_numbers_saved_from_a_stale_tab_after_the_freeze_say_so_and_show_the_frozen_plan(client, city):
    # Frozen in another tab: the save answered "请更正“各类别抽查数”中标红的内容" over the old draft form, with
    # nothing marked red, at the address of the post.
    plan = running_plan(city)
    row = plan.strata.filter(drawn=True).first()
    login(client, city["users"], "county_admin")
    client.post(reverse("planning:plan_freeze", args=[plan.pk]), {"draw_date": timezone.localdate().isoformat()},
                follow=True)  # its own message read
    posted = {f"requested_{other.stratum}": other.requested for other in plan.strata.filter(drawn=True)}
    response = client.post(reverse("planning:plan_requested", args=[plan.pk]),
                           posted | {f"requested_{row.stratum}": row.requested + 1})
    assert response.status_code == 302 and response["Location"] == plan.get_absolute_url()
    told = [str(m) for m in client.get(response["Location"]).context["messages"]]
    assert told == ["计划当前状态为“已审定并冻结”，此操作需要在“编制中”状态下进行"], told
    assert plan.strata.get(pk=row.pk).requested == row.requested


def test_refused_numbers_come_back_as_typed_with_each_problem_under_its_row(client, city):
    plan = running_plan(city)
    rows = list(plan.strata.filter(drawn=True, minimum__gt=0).order_by("id"))
    short = next(row for row in rows if row.minimum > row.must_include)  # may ask for less, with a reason
    other = next(row for row in rows if row != short)
    login(client, city["users"], "county_admin")
    posted = {f"requested_{row.stratum}": row.requested for row in plan.strata.filter(drawn=True)}
    posted |= {f"requested_{short.stratum}": short.minimum - 1, f"reason_{short.stratum}": "两家停产待查",
               f"requested_{other.stratum}": other.population + 5}
    response = client.post(reverse("planning:plan_requested", args=[plan.pk]), posted)
    assert response.status_code == 400
    page = response.content.decode()
    # the reason and both numbers as typed, the problem under the row that has it
    assert "两家停产待查</textarea>" in page
    assert f'name="requested_{short.stratum}" value="{short.minimum - 1}"' in page
    assert f'name="requested_{other.stratum}" value="{other.population + 5}"' in page
    problems = page.split(f'data-problems="{other.stratum}"')[1].split("</div></div>")[0]
    assert f"超过可抽对象数 {other.population}" in problems
    assert f'data-problems="{short.stratum}"' not in page
    short.refresh_from_db()
    assert (short.requested, short.shortfall_reason) == (short.minimum, "")  # nothing of it stored


def test_the_plan_form_proposes_the_next_quarter_once_this_ones_plan_exists(client, city):
    today = timezone.localdate()
    login(client, city["users"], "county_admin")
    form = client.get(reverse("planning:plan_create")).context["form"]
    assert (form["year"].initial, form["quarter"].initial) == (today.year, quarter_of(today))
    running_plan(city)
    form = client.get(reverse("planning:plan_create")).context["form"]
    following = quarter_of(today) % 4 + 1
    assert (form["year"].initial, form["quarter"].initial) == (today.year + (following == 1), following)
    other = login(client, city["users"], "other_county_admin").get(reverse("planning:plan_create")).context["form"]
    assert (other["year"].initial, other["quarter"].initial) == (today.year, quarter_of(today))  # not his plan


def test_the_plan_form_refuses_a_quarter_that_is_over(client, city):
    login(client, city["users"], "county_admin")
    response = client.post(reverse("planning:plan_create"), {
        "jurisdiction": city["tree"]["a"].pk, "year": 2021, "quarter": 2, "kind": PlanKind.REGULAR})
    assert response.status_code == 200 and not Plan.objects.exists()
    assert response.context["form"].errors["quarter"] == ["2021年第2季度已经结束，不能再编制抽查计划"]



def test_the_plan_form_refuses_a_quarter_beyond_the_next(client, city):
    # A year mistyped (2062 for 2026) or a plan made a year ahead: a draft that cannot be withdrawn, its quotas
    # counted on the registries of today, stayed on the list for good.
    today = timezone.localdate()
    year, quarter = services.cross_check_quarters(today)[-1]
    later = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    login(client, city["users"], "county_admin")
    response = client.post(reverse("planning:plan_create"), {
        "jurisdiction": city["tree"]["a"].pk, "year": later[0], "quarter": later[1], "kind": PlanKind.REGULAR})
    assert response.status_code == 200 and not Plan.objects.exists()
    assert response.context["form"].errors["quarter"] == [
        f"{later[0]}年第{later[1]}季度的计划还不能编制：只能编制本季度或下一季度（{year}年第{quarter}季度）的计划，"
        "抽取在上一季度末进行"]
    response = client.post(reverse("planning:plan_create"), {
        "jurisdiction": city["tree"]["a"].pk, "year": year, "quarter": quarter, "kind": PlanKind.REGULAR})
    assert response.status_code == 302 and Plan.objects.get().quarter == quarter


def test_the_plan_form_starts_on_ones_own_jurisdiction(client, city):
    """A county admin has one jurisdiction to choose, yet the form opened on "请选择" and refused the plan until
    he picked it; a link naming another jurisdiction still prefills that one."""
    tree = city["tree"]
    for role, own in (("county_admin", tree["a"]), ("city_admin", tree["city"])):
        form = login(client, city["users"], role).get(reverse("planning:plan_create")).context["form"]
        assert form["jurisdiction"].value() == own.pk, role
    named = client.get(reverse("planning:plan_create"), {"jurisdiction": tree["b"].pk}).context["form"]
    assert named["jurisdiction"].value() == tree["b"].pk

def test_the_manifest_download_is_sealed_until_the_reveal(client, city, drawn):
    plan, _task = drawn
    login(client, city["users"], "county_admin")
    url = reverse("planning:plan_manifest", args=[plan.pk, 1])
    sealed = client.get(url)
    assert sealed.json()["state"] == "sealed" and "sealed" in sealed["Content-Disposition"]
    services.do_dispatch(plan, acting_user=None)
    services.do_reveal(plan, acting_user=None)
    assert client.get(url).json()["secret"] == plan.current_draw.secret
    login(client, city["users"], "other_county_admin")
    assert client.get(url).status_code == 404


def test_a_refused_substitution_names_the_officer_and_does_not_call_a_long_reason_blank(client, city, drawn):
    # The team's boxes close again after the refusal: "请填写替换理由" said neither whom it was about nor, for a
    # reason over its length, what was wrong with it (it had been written).
    _plan, task = drawn
    member = task.members.filter(active=True).select_related("inspector").first()
    login(client, city["users"], "county_admin")
    url = reverse("planning:task_substitute_inspector", args=[task.pk])

    def told(response) -> list[str]:
        return [str(m) for m in response.context["messages"]]

    blank = client.post(url, {"member": member.pk, "reason": " "}, follow=True)
    assert told(blank) == [f"未替换{member.inspector.name}：请填写替换理由"]
    long = client.post(url, {"member": member.pk, "reason": "病" * (REASON_LENGTH + 1)}, follow=True)
    assert told(long)[0].startswith(f"未替换{member.inspector.name}。替换理由：确保该变量包含不超过 {REASON_LENGTH}")
    target = client.post(reverse("planning:task_substitute_target", args=[task.pk]),
                         {"reason": "关" * (REASON_LENGTH + 1)}, follow=True)
    assert told(target)[0].startswith(f"未递补。递补理由：确保该变量包含不超过 {REASON_LENGTH}")
    assert TaskMember.objects.get(pk=member.pk).active and task.members.filter(active=True).count() == 2


def test_an_inspector_substitution_from_the_task_page(client, city, drawn):
    _plan, task = drawn
    member = task.members.filter(active=True).first()
    login(client, city["users"], "county_admin")
    client.post(reverse("planning:task_substitute_inspector", args=[task.pk]), {"member": member.pk, "reason": "病假"})
    assert not TaskMember.objects.get(pk=member.pk).active
    assert task.members.filter(active=True).count() == 2
    # The history names the task by what the manifest records: the target's credit code, labelled as such (it
    # was "任务编号", beside a value that is no task number the pages show).
    page = client.get(reverse("planning:task_detail", args=[task.pk])).content.decode()
    assert "任务（检查对象统一社会信用代码）" in page and task.target.credit_code in page
    assert "任务编号" not in page


def _both_substitutions(city, illness: str):
    """A drawn general plan whose first task had its officer replaced (for ``illness``), then its firm closed and
    replaced by the stratum's next unit: (plan, task, the member replaced, his replacement, the substitute task)."""
    plan, _draw, task = general_drawn(city)  # 5 of 10 general units: a closed one has a substitute
    admin = city["users"]["county_admin"]
    member = task.members.filter(active=True).select_related("inspector").first()
    replacement = services.do_substitute_inspector(task, member.inspector, reason=illness, acting_user=admin)
    do_mark_target_defunct(task.target, acting_user=admin, defunct_date=datetime.date(2021, 4, 2),
                           reason="吊销营业执照")
    (substitute,) = services.do_substitute_target(task, reason="已吊销营业执照", acting_user=admin)
    return plan, task, member, replacement, substitute


def test_a_substitutions_history_names_its_officers_and_firms_as_far_as_the_reader_may_read_them(
        client, city, django_assert_num_queries):
    # Staff read "执法人员：13062300002 → 13062300005" and a bare credit code: the history said the manifest's codes
    # only. The names are read through visible_to, once per page: stored events are not rewritten.
    _plan, task, member, replacement, substitute = _both_substitutions(city, "病假")
    users = city["users"]
    old, new, firm = member.inspector, replacement.inspector, task.target
    named = [f"{old.certificate_number}（{old.name}）", f"{new.certificate_number}（{new.name}）",
             f"{firm.credit_code}（{firm.name}）", f"{substitute.target.credit_code}（{substitute.target.name}）"]
    for role in ("county_admin", "city_admin", "leader", "department_user"):
        page = login(client, users, role).get(reverse("planning:task_detail", args=[task.pk])).content.decode()
        assert all(text in page for text in named), role
    audit_log = login(client, users, "city_admin").get(reverse("audit:event_list")).content.decode()
    assert all(text in audit_log for text in named)

    events = list(Event.objects.filter(action__startswith="plan.substitute").order_by("id"))
    stored = [event.changes for event in events]
    with django_assert_num_queries(2):  # one query per model for the whole page, whatever its length
        name_codes(events, users["county_admin"])
    assert [e.changes for e in Event.objects.filter(pk__in=[e.pk for e in events]).order_by("id")] == stored
    # a reader whose scope holds neither the officers nor the firms reads the codes alone
    outsider = " ".join(c.after for e in name_codes(events, users["other_county_admin"]) for c in changes_of(e))
    assert old.certificate_number in outsider and firm.credit_code in outsider
    assert old.name not in outsider and firm.name not in outsider


def test_the_plan_page_lists_its_draws_substitutions_with_who_and_why(client, city):
    # Their events are the tasks' (do_substitute_*), so the plan's history never showed them: a city admin reading
    # the plan could not see that its draw had been changed after the ceremony without opening every task.
    plan, task, member, replacement, substitute = _both_substitutions(city, "病假住院")
    users = city["users"]
    for role in ("county_admin", "city_admin", "leader"):
        page = login(client, users, role).get(reverse("planning:plan_detail", args=[plan.pk])).content.decode()
        card = page[page.index('id="substitutions"'):]
        card = card[:card.index("</ul>")]
        assert f"{member.inspector.name} → {replacement.inspector.name}" in card, role
        assert "病假住院" in card and "已吊销营业执照" in card, role
        assert substitute.target.name in card and task.target.name in card, role
        assert card.count("list-group-item") == 2, role
    assert login(client, users, "other_county_admin").get(
        reverse("planning:plan_detail", args=[plan.pk])).status_code == 404


def test_the_plan_page_says_why_its_key_unit_counts_differ(client, city, drawn):
    # 80 drawable key units, 83 in the joint row, 84 in the joint quota's base: nothing on the page said why.
    plan, _task = drawn
    page = login(client, city["users"], "county_admin").get(reverse("planning:plan_detail", args=[plan.pk]))
    assert page.context["key_counts_note"] and "重点排污单位的三个家数口径不同" in page.content.decode()
    joint = services.do_create_plan(jurisdiction=city["tree"]["a"], year=2021, quarter=2, kind=PlanKind.JOINT,
                                    department=city["departments"]["enforcement_a"], acting_user=None)
    page = client.get(reverse("planning:plan_detail", args=[joint.pk]))  # its one row counts one way
    assert page.status_code == 200 and "data-key-counts" not in page.content.decode()


def test_the_admin_is_read_only_and_never_shows_the_secret(client, city, drawn):
    plan, _task = drawn
    admin = User.objects.create_superuser(username="root", password="pw-root")
    client.force_login(admin)
    draw = plan.current_draw
    page = client.get(reverse("admin:planning_draw_change", args=[draw.pk]))
    assert page.status_code == 200 and draw.commitment in page.content.decode()
    assert draw.secret not in page.content.decode()
    assert client.post(reverse("admin:planning_plan_delete", args=[plan.pk]), {"post": "yes"}).status_code == 403
    assert Plan.objects.filter(pk=plan.pk).exists()


def test_the_plan_page_warns_before_a_draw_outside_the_draw_window(client, city):
    plan = running_plan(city)
    login(client, city["users"], "county_admin")
    page = client.get(reverse("planning:plan_detail", args=[plan.pk]))
    notice = services.window_warning(plan, timezone.localdate())  # the window was the last quarter's end
    assert notice and page.context["window_notice"] == notice
    assert "如果今天抽取" in page.content.decode() and notice in page.content.decode()


def test_a_plan_two_quarters_ahead_is_not_frozen_before_the_quarter_before_it(client, city):
    today = timezone.localdate()
    year, quarter = today.year, quarter_of(today)
    for _step in range(2):
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    plan = services.do_create_plan(jurisdiction=city["tree"]["a"], year=year, quarter=quarter, acting_user=None)
    opens = services.freeze_opens(plan)
    login(client, city["users"], "county_admin")
    page = client.get(reverse("planning:plan_detail", args=[plan.pk])).content.decode()
    assert f"的抽取在上一季度末进行，{opens} 起方可审定并冻结" in page
    assert reverse("planning:plan_freeze", args=[plan.pk]) not in page
    response = client.post(reverse("planning:plan_freeze", args=[plan.pk]), {"draw_date": opens.isoformat()},
                           follow=True)
    told = " ".join(str(m) for m in response.context["messages"])
    assert f"{opens} 起方可审定并冻结（冻结的是当天的名录库）" in told, told
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.DRAFT


def test_a_draft_of_a_later_quarter_proposes_its_draw_window_and_one_of_a_past_quarter_no_freeze(client, city):
    today = timezone.localdate()
    following = quarter_of(today) % 4 + 1
    plan = services.do_create_plan(jurisdiction=city["tree"]["a"], quarter=following, acting_user=None,
                                   year=today.year + (following == 1))
    window = services.draw_window(plan)
    login(client, city["users"], "county_admin")
    page = client.get(reverse("planning:plan_detail", args=[plan.pk]))
    proposed = window[0] if today < window[0] else today
    assert f'value="{proposed.isoformat()}"' in page.content.decode()
    assert f"规定的抽取期：{window[0]} 至 {window[-1]}" in page.content.decode()
    assert page.context["window_notice"] == ""  # the proposed day is in the window
    over = services.do_create_plan(jurisdiction=city["tree"]["a"], year=2021, quarter=2, acting_user=None)
    page = client.get(reverse("planning:plan_detail", args=[over.pk])).content.decode()
    assert "2021年第2季度已经结束，不能再抽取" in page
    assert reverse("planning:plan_freeze", args=[over.pk]) not in page and "如果今天抽取" not in page


def test_the_task_list_shows_each_tasks_progress_in_the_field(client, city, drawn):
    plan, task = drawn
    services.do_dispatch(plan, acting_user=None)
    login(client, city["users"], "county_admin")
    page = client.get(reverse("planning:task_list")).content.decode()
    assert "检查进度" in page and ("未开始" in page or "逾期未检查" in page)
    # A member without a login yet: the draw may put the ``users`` fixture's inspector (张三) on the team.
    member = task.members.filter(active=True, inspector__user__isnull=True).first().inspector
    officer = User.objects.create_user("officer-x", password="x", role="inspector", inspector=member,
                                       jurisdiction=task.target.jurisdiction)
    record = fieldwork.do_start_record(task, acting_user=officer)
    listed = client.get(reverse("planning:task_list"), {"q": task.target.credit_code}).content.decode()
    assert "填写中" in listed and record.get_absolute_url() in listed


@pytest.mark.parametrize(("name", "query"), [
    ("planning:plan_list", {"period": "²-1"}),  # "²".isdigit() but int("²") fails: these were 500s
    ("planning:plan_list", {"jurisdiction": "²"}),
    ("planning:task_list", {"jurisdiction": "²", "period": "99999999999999999999-1"}),
    ("planning:plan_create", {"year": "²", "quarter": "99999999999999999999", "jurisdiction": "²"}),
])
def test_malformed_filters_are_ignored(client, city, name, query):
    login(client, city["users"], "county_admin")
    answer = client.get(reverse(name), query)
    if name.endswith("_list") and "jurisdiction" in query:
        # a list's place filter naming no place is said so, nothing listed (tests/registry/test_list_place_refusals.py)
        assert answer.status_code == 404 and "没有这个行政区（jurisdiction=²）" in answer.content.decode()
    else:
        assert answer.status_code == 200


def test_numbers_past_their_columns_are_form_errors(client, city):
    # Stored in a small integer (max_load), an integer (requested) or turned into a time (a drand round): a
    # larger number was a 500 on PostgreSQL or an OverflowError.
    plan = running_plan(city)
    login(client, city["users"], "county_admin")
    huge = "99999999999999999999"
    response = client.post(reverse("planning:plan_create"), {"jurisdiction": city["tree"]["a"].pk, "year": 2021,
                                                             "quarter": 3, "kind": PlanKind.REGULAR, "max_load": huge})
    assert response.status_code == 200 and "max_load" in response.context["form"].errors
    stratum = plan.strata.first().stratum
    response = client.post(reverse("planning:plan_requested", args=[plan.pk]), {f"requested_{stratum}": huge})
    assert response.status_code < 500 and plan.strata.get(stratum=stratum).requested != int(huge)
    client.post(reverse("planning:plan_freeze", args=[plan.pk]), {"draw_date": timezone.localdate().isoformat()})
    client.post(reverse("planning:plan_commit", args=[plan.pk]))
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.COMMITTED
    response = client.post(reverse("planning:plan_public", args=[plan.pk]),
                           {"source": "drand", "value": "a" * 64, "drand_round": huge})
    assert response.status_code == 400 and "drand_round" in response.context["public_form"].errors


def test_a_person_drawn_by_two_plans_of_one_visit_is_one_row_with_both_places(client, city):
    """A county's joint plan and its regular plan draw the same key unit: one visit, a team from each draw.
    An officer both draws chose is one member of the visit (one row, his place in each draw beside it), on the
    task page, in the task list and on his own view."""
    tree, departments = city["tree"], city["departments"]
    joint = services.do_create_plan(jurisdiction=tree["a"], year=2021, quarter=2, acting_user=None,
                                    kind=PlanKind.JOINT, department=departments["enforcement_a"])
    regular = services.do_create_plan(jurisdiction=tree["a"], year=2021, quarter=2, acting_user=None)
    joint_draw = ceremony(joint)
    task = Task.objects.get()
    regular_draw = ceremony(regular)  # its key units are all must-include in the half-year's second quarter
    task.refresh_from_db()
    both = set(task.members.filter(draw=joint_draw).values_list("inspector", flat=True))
    regular_members = task.members.filter(draw=regular_draw)
    assert regular_members.exists()  # the regular draw joined the joint visit
    if not both & set(regular_members.values_list("inspector", flat=True)):
        # Fresh secrets choose the teams; give the joint team's first place to the regular team's first officer,
        # as a draw may well do, so the page has the case to show (the regular draw's manifest stays true).
        TaskMember.objects.filter(pk=task.members.filter(draw=joint_draw).order_by("slot").first().pk).update(
            inspector=regular_members.order_by("slot").first().inspector)
        both = set(task.members.filter(draw=joint_draw).values_list("inspector", flat=True))
    shared = TaskMember.objects.filter(task=task, draw=regular_draw, inspector__in=both).first().inspector
    login(client, city["users"], "county_admin")
    response = client.get(reverse("planning:task_detail", args=[task.pk]))
    rows = response.context["team"]
    assert [row["inspector"] for row in rows].count(shared) == 1
    places = next(row["places"] for row in rows if row["inspector"] == shared)
    assert {place.draw_id for place in places} == {joint_draw.pk, regular_draw.pk}
    assert len({row["inspector"] for row in rows}) == len(rows)
    team_html = response.content.decode().split('id="team"')[1].split("</table>")[0]
    assert team_html.count(f">{shared.name}<") == 1 and team_html.count(shared.certificate_number) == 1
    # Each of his places can still be substituted on its own, the plan named beside "替换".
    assert team_html.count("<summary>替换") == task.members.filter(active=True).count()
    assert f"{tree['a'].name}·{departments['enforcement_a'].name}" in team_html
    listing = client.get(reverse("planning:task_list")).content.decode()
    cell = listing.split(task.target.name)[1].split("</tr>")[0]
    assert cell.count(shared.name) == 1
    # His place in the regular draw is the one replaced when that place's form is sent (the joint one stays).
    place = task.members.get(draw=regular_draw, inspector=shared, active=True)
    client.post(reverse("planning:task_substitute_inspector", args=[task.pk]), {"member": place.pk, "reason": "病假"})
    assert not TaskMember.objects.get(pk=place.pk).active
    assert task.members.filter(draw=joint_draw, inspector=shared, active=True).exists()
    assert task.substitutions.get().draw == regular_draw
    # The officer himself, once the plans are dispatched: his partners from both draws, himself once.
    for plan in (joint, regular):
        services.do_dispatch(plan, acting_user=None)
    officer = User.objects.filter(inspector=shared).first() or User.objects.create_user(
        username="shared-officer", password="x", role="inspector", inspector=shared, jurisdiction=tree["a"])
    client.force_login(officer)
    own = client.get(reverse("planning:task_detail", args=[task.pk])).context["team"]
    assert [row["inspector"] for row in own].count(shared) == 1


def test_a_plan_whose_draw_window_is_not_known_yet_proposes_no_day_and_says_who_enters_the_holidays(
        client, city, monkeypatch):
    """Next quarter's plan before its window's year has its holidays entered (a Q2 plan in January, a Q3 plan in
    April before the notice is in): the freeze form proposed today — months before the window — as the day to
    announce, and the notice was the engine's text naming the package and asking the reader to enter the
    holidays. Now no day is proposed, and the notice says the city admin enters them, under 工作日安排."""
    from shuangsuiji.engine import workdays

    today = timezone.localdate()
    following = quarter_of(today) % 4 + 1
    plan = services.do_create_plan(jurisdiction=city["tree"]["a"], quarter=following, acting_user=None,
                                   year=today.year + (following == 1))
    monkeypatch.setattr(workdays, "_PACKAGE_YEARS", range(2004, 2004))  # the calendar knows no year at all
    login(client, city["users"], "county_admin")
    response = client.get(reverse("planning:plan_detail", args=[plan.pk]))
    page = response.content.decode()
    assert response.context["freeze_form"].initial["draw_date"] is None
    assert f'value="{today.isoformat()}"' not in page
    assert "由市局管理员在“工作日安排”中录入" in response.context["window_notice"]
    assert "chinese_calendar" not in page


def test_the_task_and_plan_lists_count_up_to_the_cap(client, city, drawn, monkeypatch):
    # A national year is ~665,000 tasks: an exact count read every one of them for each page (bench/README.md).
    from shuangsuiji.registry.views import CappedPaginator

    services.do_create_plan(jurisdiction=city["tree"]["b"], year=2021, quarter=2, acting_user=None)
    login(client, city["users"], "city_admin")
    tasks = Task.objects.count()
    assert tasks > 2
    exact = client.get(reverse("planning:task_list")).content.decode()
    assert f"共 {tasks} 条" in exact
    monkeypatch.setattr(CappedPaginator, "limit", 1)  # two plans, more tasks
    for name in ("planning:task_list", "planning:plan_list"):
        page = client.get(reverse(name)).content.decode()
        assert "超过 1 条" in page and "第 1 页" in page, name


def test_the_task_list_reads_tasks_without_distinct_and_each_merged_visit_once(client, city, drawn):
    # DISTINCT over every task of the scope (the join to the plans made unique, a count of distinct ids, the
    # quarters offered) sorted a national year's ~665,000 tasks for each page (bench/README.md).
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    plan, _task = drawn
    services.do_dispatch(plan, acting_user=None)
    city_plan = services.do_create_plan(jurisdiction=city["tree"]["city"], year=2021, quarter=2, acting_user=None)
    ceremony(city_plan)
    merged = Task.objects.filter(selections__plan=plan).filter(selections__plan=city_plan).distinct()
    tasks = Task.objects.filter(year=2021, quarter=2).count()
    login(client, city["users"], "city_admin")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("planning:task_list"))
    assert merged.exists() and f"共 {tasks} 条" in response.content.decode()
    assert sum(response.context["counts"].values()) == tasks
    assert [task.pk for task in response.context["page"].object_list].count(merged.first().pk) == 1
    assert response.context["periods"] == [("2021-2", "2021年第2季度")]
    reading_tasks = [q["sql"] for q in queries.captured_queries if '"planning_task"' in q["sql"]]
    assert reading_tasks and not [sql for sql in reading_tasks if "DISTINCT" in sql.upper()], reading_tasks


def test_the_plan_list_counts_each_plans_tasks_without_grouping_the_plans(client, city, drawn):
    # Joined to every plan's selections and grouped, the page read a national year's ~665,000 selections to show
    # 50 plans (bench/README.md); counted per plan of the page, it reads theirs.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    plan, _task = drawn
    services.do_create_plan(jurisdiction=city["tree"]["b"], year=2021, quarter=2, acting_user=None)
    login(client, city["users"], "city_admin")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("planning:plan_list"))
    counts = {p.pk: p.task_count for p in response.context["page"].object_list}
    assert counts[plan.pk] == plan.selections.filter(active=True).count() > 0
    assert sorted(counts.values())[0] == 0  # county B's draft: no task yet, 0 and not None
    grouped = [q["sql"] for q in queries.captured_queries if 'GROUP BY "planning_plan"."id"' in q["sql"]]
    assert not grouped, grouped
    # the API's plan list, the same counts the same way
    with CaptureQueriesContext(connection) as queries:
        listed = client.get("/api/planning/plans/").json()["results"]
    assert {row["id"]: row["task_count"] for row in listed} == counts
    grouped = [q["sql"] for q in queries.captured_queries if 'GROUP BY "planning_plan"."id"' in q["sql"]]
    assert not grouped, grouped


def test_a_department_user_is_offered_only_the_items_his_department_may_initiate(client, city):
    """Of his own jurisdiction's item list, a joint plan takes the items his department is responsible for
    (services._check_joint): the form offered every item, and refused another department's after he had filled
    it in ("…不是以下事项的责任科室"). The lists above his (the city's) stay: they are his to apply."""
    a = city["tree"]["a"]
    other = Department.objects.create(jurisdiction=a, name="法制科")
    own = CheckItem.objects.create(code="A-91", name="本科室事项", legal_basis="大气污染防治法", content="达标排放",
                                   jurisdiction=a, responsible_department=city["departments"]["enforcement_a"])
    foreign = CheckItem.objects.create(code="A-92", name="他科室事项", legal_basis="大气污染防治法", content="达标排放",
                                       jurisdiction=a, responsible_department=other)
    login(client, city["users"], "department_user")
    offered = set(client.get(reverse("planning:plan_create")).context["form"].fields["check_items"].queryset)
    assert own in offered and foreign not in offered
    assert {item for item in offered if item.jurisdiction_id != a.pk}  # the city's list is still offered
    login(client, city["users"], "county_admin")
    assert foreign in client.get(reverse("planning:plan_create")).context["form"].fields["check_items"].queryset
