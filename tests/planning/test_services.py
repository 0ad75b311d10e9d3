"""The plan's service functions: strata and shortfalls, each step of the ceremony, re-draw, merged visits,
joint plans, substitution, dispatch and reveal — each checked on what it stores and what the engine says."""

import hashlib
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import OuterRef
from django.urls import reverse
from django.utils import timezone

from shuangsuiji.accounts.models import User
from shuangsuiji.audit.services import verify_chain
from shuangsuiji.engine import manifest
from shuangsuiji.planning import services
from shuangsuiji.planning.models import (
    Draw,
    DrawStatus,
    Plan,
    PlanKind,
    PlanStatus,
    ShortfallState,
    Stratum,
    Substitution,
    Task,
    TaskMember,
    TaskPlan,
    TaskStatus,
)
from shuangsuiji.planning.views import visible_tasks
from shuangsuiji.registry.services import do_mark_target_defunct

from .conftest import DRAW_DAY, D, ceremony

pytestmark = pytest.mark.django_db


def county_plan(city, user=None, **options):
    return services.do_create_plan(jurisdiction=city["tree"]["a"], year=2021, quarter=2,
                                   acting_user=user if user is not None else city["users"]["county_admin"], **options)


def strata(plan) -> dict:
    return {row.stratum: row for row in plan.strata.all()}


def test_a_new_plan_asks_each_stratum_for_the_policy_minimum_with_its_reason(city):
    plan = county_plan(city)
    rows = strata(plan)
    # County level: 50% of 4 key units, but Q2 closes the half-year and none was inspected: all 4 must.
    assert (rows["key"].population, rows["key"].minimum, rows["key"].must_include) == (4, 4, 4)
    assert (rows["special"].population, rows["special"].minimum) == (2, 1)
    # 1:10 × 6 officers = 60 a year over the 3 quarters left (none drawn in Q1), capped by the 10 general units.
    assert (rows["general"].population, rows["general"].minimum) == (10, 10)
    assert "⌈60 ÷ 3⌉ = 20" in rows["general"].explanation and "指导意见 二(三)" in rows["general"].citation
    assert rows["joint"].drawn is False and rows["clue"].drawn is False
    assert all(row.requested == row.minimum for row in rows.values())
    assert plan.inspectors_counted == 6 and plan.classified is False and plan.warnings
    assert plan.status == PlanStatus.DRAFT and plan.policy_id == "baoding-2021"


def test_asking_less_than_a_minimum_needs_a_reason_and_the_citys_approval(city):
    county, city_admin = city["users"]["county_admin"], city["users"]["city_admin"]
    plan = county_plan(city)
    with pytest.raises(ValidationError, match="须填写理由"):
        services.do_set_requested(plan, {"special": 0}, acting_user=county)
    services.do_set_requested(plan, {"special": 0}, reasons={"special": "两家均已停产待查"}, acting_user=county)
    row = strata(plan)["special"]
    assert (row.requested, row.shortfall_state, row.shortfall_reason) == (0, ShortfallState.PENDING, "两家均已停产待查")
    # The refusal says what the freeze waits for, not only the request's state.
    with pytest.raises(ValidationError, match="少抽审批：少抽申请待市局审批，批准后方可冻结"):
        services.do_approve_and_freeze(plan, acting_user=county, draw_date=DRAW_DAY, today=DRAW_DAY)
    with pytest.raises(PermissionDenied):
        services.do_approve_shortfall(row, approve=True, decision="", acting_user=county)
    with pytest.raises(ValidationError):
        services.do_approve_shortfall(row, approve=False, decision="", acting_user=city_admin)  # a refusal says why
    services.do_approve_shortfall(row, approve=False, decision="理由不足", acting_user=city_admin)
    with pytest.raises(ValidationError, match="市局未批准少抽，请改为不少于 1 家"):
        services.do_approve_and_freeze(plan, acting_user=county, draw_date=DRAW_DAY, today=DRAW_DAY)
    services.do_set_requested(plan, {"special": 0}, reasons={"special": "两家均已停产，待注销"}, acting_user=county)
    row = strata(plan)["special"]
    services.do_approve_shortfall(row, approve=True, decision="同意", acting_user=city_admin)
    assert strata(plan)["special"].shortfall_state == ShortfallState.APPROVED
    draw = services.do_approve_and_freeze(plan, acting_user=county, draw_date=DRAW_DAY, today=DRAW_DAY)
    special = next(s for s in draw.inputs["strata"] if s["name"] == "special")
    assert special["quota"] == 0


def test_putting_a_stratum_back_to_its_minimum_does_not_record_the_old_shortfall_reason(city):
    # The page sends each row's reason box with every save, and the box still holds the earlier reason: the
    # change back to the minimum was recorded with "两家均已停产待查" as its reason, the history then reading as
    # if the county had asked for enough because the firms were closed.
    from shuangsuiji.audit.models import Event

    county = city["users"]["county_admin"]
    plan = county_plan(city)
    services.do_set_requested(plan, {"special": 0}, reasons={"special": "两家均已停产待查"}, acting_user=county)
    services.do_set_requested(plan, {"special": 1, "general": 10},
                              reasons={"special": "两家均已停产待查", "general": ""}, acting_user=county)
    row = strata(plan)["special"]
    assert (row.requested, row.shortfall_state, row.shortfall_reason) == (1, ShortfallState.NONE, "")
    events = list(Event.objects.filter(action="plan.set_requested").order_by("pk"))
    assert [event.reason for event in events] == ["两家均已停产待查", ""]


def test_asking_more_is_free_but_never_beyond_the_population_or_below_the_must_includes(city):
    county = city["users"]["county_admin"]
    plan = county_plan(city)
    services.do_set_requested(plan, {"special": 2}, acting_user=county)
    assert strata(plan)["special"].shortfall_state == ShortfallState.NONE
    with pytest.raises(ValidationError, match="超过可抽对象数"):
        services.do_set_requested(plan, {"special": 3}, acting_user=county)
    with pytest.raises(ValidationError, match="少于必查数"):
        services.do_set_requested(plan, {"key": 3}, reasons={"key": "人手不足"}, acting_user=county)
    with pytest.raises(ValidationError, match="不抽取"):
        services.do_set_requested(plan, {"joint": 1}, acting_user=county)


def test_freeze_reads_the_registry_again_and_hashes_the_canonical_inputs(city):
    county = city["users"]["county_admin"]
    plan = county_plan(city)
    general = city["targets"][f"{city['tree']['a'].code}-general-9"]
    do_mark_target_defunct(general, acting_user=county, defunct_date=D(2021, 3, 20), reason="注销")
    with pytest.raises(ValidationError, match="现在可抽对象只有 9 家"):
        services.do_approve_and_freeze(plan, acting_user=county, draw_date=DRAW_DAY, today=DRAW_DAY)
    services.do_set_requested(plan, {"general": 9}, reasons={"general": "一家已注销"}, acting_user=county)
    draw = services.do_approve_and_freeze(plan, acting_user=county, draw_date=DRAW_DAY, today=DRAW_DAY)
    assert draw.inputs_hash == manifest.inputs_hash(draw.inputs)
    general_input = next(s for s in draw.inputs["strata"] if s["name"] == "general")
    assert len(general_input["targets"]) == 9 and general.credit_code not in json.dumps(draw.inputs)
    # The recused officer is frozen with his recusal, the expired ones with their certificates.
    assert draw.inputs["assignment"]["recusals"] == {city["targets"][f"{city['tree']['a'].code}-key-0"].credit_code:
                                                     [city["people"]["李四"].certificate_number]}
    assert Draw.objects.get(pk=draw.pk).plan.status == PlanStatus.FROZEN



def test_an_announced_draw_date_after_the_quarter_is_called_mistyped_while_the_quarter_runs(city):
    """A date a year too far was refused with "<this quarter>已经结束" though the quarter was running."""
    import datetime

    from django.utils import timezone

    from shuangsuiji.engine.workdays import quarter_of

    county = city["users"]["county_admin"]
    today = timezone.localdate()
    running = services.do_create_plan(jurisdiction=city["tree"]["a"], year=today.year, quarter=quarter_of(today),
                                      acting_user=county)
    with pytest.raises(ValidationError, match=r"晚于.*的最后一天") as refused:
        services.do_approve_and_freeze(running, acting_user=county, draw_date=today + datetime.timedelta(days=366))
    assert "已经结束" not in str(refused.value)
    over = county_plan(city)  # 2021 Q2, long over
    with pytest.raises(ValidationError, match="已经结束"):
        services.do_approve_and_freeze(over, acting_user=county, draw_date=D(2021, 7, 2))

def test_the_draw_date_is_announced_in_advance_and_kept(city):
    county = city["users"]["county_admin"]
    plan = county_plan(city)  # 2021 Q2, replayed as if today were in March 2021
    with pytest.raises(ValidationError, match=r"公布的抽取日期 2021-03-24 早于今天（2021-03-25）"):
        services.do_approve_and_freeze(plan, acting_user=county, draw_date=D(2021, 3, 24), today=D(2021, 3, 25))
    with pytest.raises(ValidationError, match="已经结束"):  # a date inside the quarter, but the quarter is over
        services.do_approve_and_freeze(plan, acting_user=county, draw_date=D(2021, 6, 30), today=D(2021, 7, 1))
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.DRAFT and not plan.draws.exists()
    later = services.do_create_plan(jurisdiction=city["tree"]["a"], year=2021, quarter=3, acting_user=county)
    with pytest.raises(ValidationError, match="2021年第3季度的抽取在上一季度末进行，2021-04-01 起方可审定并冻结"):
        services.do_approve_and_freeze(later, acting_user=county, draw_date=D(2021, 6, 24), today=D(2021, 3, 25))
    services.do_approve_and_freeze(plan, acting_user=county, draw_date=DRAW_DAY, today=D(2021, 3, 22))
    services.do_commit_secret(plan, acting_user=county)
    services.do_record_public_value(plan, source="dice", value="3,5,1,6", witnesses=["张三", "李四"],
                                    acting_user=county)
    with pytest.raises(ValidationError, match="公布的抽取日期是 2021-03-25，不能提前抽取（今天是 2021-03-24）"):
        services.do_draw(plan, acting_user=county, today=D(2021, 3, 24))
    plan.refresh_from_db()
    assert plan.status == PlanStatus.PUBLIC and not plan.current_draw.seed and not plan.selections.exists()
    assert services.do_draw(plan, acting_user=county, today=DRAW_DAY).seed


def test_the_commitment_is_the_hash_of_the_secret_and_public_values_are_checked(city):
    county = city["users"]["county_admin"]
    plan = county_plan(city)
    with pytest.raises(ValidationError, match="编制中"):
        services.do_commit_secret(plan, acting_user=county)
    services.do_approve_and_freeze(plan, acting_user=county, draw_date=DRAW_DAY, today=DRAW_DAY)
    with pytest.raises(ValidationError):  # no public value before the commitment
        services.do_record_public_value(plan, source="dice", value="3516", witnesses=["甲", "乙"], acting_user=county)
    draw = services.do_commit_secret(plan, acting_user=county)
    assert hashlib.sha256(bytes.fromhex(draw.secret)).hexdigest() == draw.commitment
    for kwargs, message in [
        (dict(source="dice", value="3,5,1,6", witnesses=["张三"]), "至少两名见证人"),
        (dict(source="dice", value="3,5,7,6", witnesses=["张三", "李四"]), "1–6"),
        (dict(source="dice", value="3,5", witnesses=["张三", "李四"]), "至少掷 4 次"),
        (dict(source="lottery", value="01 02 03", lottery_name="双色球", lottery_date=draw.committed_at.date()),
         "应晚于密钥承诺之日"),
        (dict(source="drand", value="a" * 64, drand_round=1), "之前已经产生"),
        (dict(source="drand", value="xyz", drand_round=10**9), "64 位十六进制数字"),
    ]:
        with pytest.raises(ValidationError, match=message):
            services.do_record_public_value(plan, acting_user=county, **kwargs)
    draw = services.do_record_public_value(plan, source="dice", value="3 5 1 6", witnesses=["李四", "张三"],
                                           acting_user=county)
    assert draw.public == {"kind": "dice", "value": "3516", "witnesses": ["张三", "李四"]}



@pytest.mark.parametrize("typed", ["3,5,1,6", "3，5，1，6", "３，５，１，６", "3、5、1、6", "３　５　１　６", "3516"])
def test_dice_are_read_as_a_chinese_input_method_types_them(typed):
    """A full-width input method types "３，５，１，６", and a list is as often written with 、: the page refused
    both, with witnesses waiting, though the dice were right."""
    assert services.dice_digits(typed) == "3516"


@pytest.mark.parametrize("typed", ["3,5,7,6", "３，５，⁷，６", "三五一六", "3.5.1.6"])
def test_dice_other_than_1_to_6_are_still_refused(typed):
    with pytest.raises(ValidationError, match="1–6"):
        services.dice_digits(typed)

@pytest.mark.parametrize(("typed", "message"), [
    ("3,5,7,6", "第 3 个“7”不是 1–6 的骰子点数"),
    ("3、5、1、6、0、9", "第 5 个“0”、第 6 个“9”不是 1–6 的骰子点数"),
    ("3.5.1.6", "第 1 个“3.5.1.6”不是 1–6 的骰子点数"),
    ("  ", "请按掷出的顺序填写骰子点数"),
])
def test_a_wrong_die_is_named_by_its_place(typed, message):
    """The dice are read out with witnesses waiting: the page said only "应为 1–6 的数字", not which of the
    numbers typed is wrong."""
    with pytest.raises(ValidationError) as raised:
        services.dice_digits(typed)
    assert message in raised.value.message_dict["value"][0]


def test_a_draw_writes_lawful_tasks_that_verify_and_cannot_be_repeated(city):
    county = city["users"]["county_admin"]
    plan = county_plan(city)
    draw = ceremony(plan, user=county)
    assert draw.window_warning == ""
    assert manifest.verify(draw.manifest) == []
    requested = sum(row.requested for row in plan.strata.filter(drawn=True))
    selections = TaskPlan.objects.filter(draw=draw)
    assert selections.count() == requested == Task.objects.count()
    key_unit = city["targets"][f"{city['tree']['a'].code}-key-0"]
    for task in Task.objects.all():
        team = list(task.members.filter(active=True))
        assert len({m.inspector_id for m in team}) == len(team) >= 2
        assert all(m.inspector.is_certified_on(task.deadline) for m in team)
        if task.target == key_unit:
            assert city["people"]["李四"].pk not in {m.inspector_id for m in team}  # recusal
    assert {s.task.target.credit_code for s in selections.filter(stratum=Stratum.KEY)} == {
        t.credit_code for k, t in city["targets"].items() if "-key-" in k and k.startswith(city["tree"]["a"].code)}
    assert not selections.filter(task__target=city["targets"]["positive"]).exists()  # positive list: off-site
    with pytest.raises(ValidationError, match="已抽取"):
        services.do_draw(plan, acting_user=county)
    with pytest.raises(IntegrityError), transaction.atomic():  # the database allows one live draw per plan
        Draw.objects.create(plan=plan, number=2)
    assert verify_chain() == []


def test_stored_inputs_that_no_longer_hash_to_the_published_hash_are_not_drawn(city):
    """The draw reads the frozen inputs back from the database: valid inputs that are not the ones published
    at the freeze (here one stratum's quota lowered) are refused, not drawn under another hash."""
    county = city["users"]["county_admin"]
    plan = county_plan(city)
    services.do_approve_and_freeze(plan, acting_user=county, draw_date=DRAW_DAY, today=DRAW_DAY)
    services.do_commit_secret(plan, acting_user=county)
    services.do_record_public_value(plan, source="dice", value="3,5,1,6", witnesses=["张三", "李四"],
                                    acting_user=county)
    draw = plan.current_draw
    assert manifest.inputs_hash(draw.inputs) == draw.inputs_hash  # stored as frozen
    draw.inputs["strata"][0]["quota"] -= 1
    draw.save(update_fields=["inputs"])
    with pytest.raises(ValidationError, match="published at the freeze"):
        services.do_draw(plan, acting_user=county, today=DRAW_DAY)
    draw.refresh_from_db()
    assert draw.status != DrawStatus.DRAWN and draw.manifest is None and not Task.objects.exists()


def test_a_draw_outside_the_last_five_working_days_is_done_with_a_warning(city):
    plan = county_plan(city)
    draw = ceremony(plan, day=D(2021, 3, 10))
    assert "不在规定的抽取期内" in draw.window_warning and "2021-03-25" in draw.window_warning
    assert "实施方案 二(四)" in draw.window_warning and plan.selections.exists()


def test_a_redraw_needs_the_citys_approval_and_keeps_the_first_draw(city):
    county, city_admin = city["users"]["county_admin"], city["users"]["city_admin"]
    plan = county_plan(city)
    first = ceremony(plan, user=county)
    with pytest.raises(ValidationError):
        services.do_request_redraw(plan, reason=" ", acting_user=county)
    request = services.do_request_redraw(plan, reason="名录库漏录两家新企业", acting_user=county)
    with pytest.raises(PermissionDenied):
        services.do_approve_redraw(request, approve=True, decision="", acting_user=county)
    services.do_approve_redraw(request, approve=True, decision="同意", acting_user=city_admin)
    first.refresh_from_db()
    plan.refresh_from_db()
    assert first.status == DrawStatus.SUPERSEDED and first.manifest is not None
    assert plan.status == PlanStatus.DRAFT
    assert not TaskPlan.objects.filter(draw=first, active=True).exists()
    assert set(Task.objects.values_list("status", flat=True)) == {TaskStatus.WITHDRAWN}
    second = ceremony(plan, user=county, dice="6,6,2,1")
    assert second.number == 2 and second.inputs["plan"]["supersedes"] == first.inputs_hash
    assert second.inputs["plan"]["reason"] == "名录库漏录两家新企业"
    assert manifest.verify(first.manifest) == [] and manifest.verify(second.manifest) == []
    assert plan.draws.count() == 2


def county_and_city_plans(city) -> tuple:
    """County A's plan and the city's, both taking every key unit of county A: the city all 5 of its key units,
    the county its 4 (must-include)."""
    county = county_plan(city)
    city_plan = services.do_create_plan(jurisdiction=city["tree"]["city"], year=2021, quarter=2,
                                        acting_user=city["users"]["city_admin"])
    services.do_set_requested(city_plan, {"key": 5}, acting_user=city["users"]["city_admin"])
    return county, city_plan


def test_a_target_drawn_by_the_city_and_the_county_gets_one_visit_counting_for_both(city):
    tree = city["tree"]
    county_plan_, city_plan = county_and_city_plans(city)
    ceremony(county_plan_)
    city_draw = ceremony(city_plan)
    for key, target in city["targets"].items():
        if key.startswith(f"{tree['a'].code}-key-"):
            task = Task.objects.get(target=target)  # one task, not two
            assert set(task.selections.values_list("plan_id", flat=True)) == {county_plan_.pk, city_plan.pk}
            draws = set(task.members.filter(active=True).values_list("draw_id", flat=True))
            assert city_draw.pk in draws and len(draws) == 2  # both draws' teams join the one visit
    assert county_plan_.selections.filter(stratum=Stratum.KEY).count() == 4
    assert city_plan.selections.filter(stratum=Stratum.KEY).count() == 5


def test_a_dispatch_says_which_tasks_went_out_with_another_plan(city):
    # The county's key units are drawn by the city too: their visits went out with the county's plan, so the city's
    # dispatch sends only its other tasks. The event said only "任务数" with that smaller number.
    county_plan_, city_plan = county_and_city_plans(city)
    ceremony(county_plan_)
    assert services.do_dispatch(county_plan_, acting_user=city["users"]["county_admin"]) == {
        "tasks": county_plan_.selections.filter(active=True).count()}
    ceremony(city_plan)
    facts = services.do_dispatch(city_plan, acting_user=city["users"]["city_admin"])
    drawn = city_plan.selections.filter(active=True)
    shared = drawn.filter(task__selections__plan=county_plan_).count()
    assert shared >= 4 and facts == {"tasks": drawn.count() - shared, "already_dispatched": shared}
    from shuangsuiji.audit.display import changes_of
    from shuangsuiji.audit.models import Event

    event = Event.objects.filter(action="plan.dispatch", object_id=str(city_plan.pk)).get()
    assert event.changes == facts
    shown = {row.label: row.after for row in changes_of(event)}
    assert shown.get("本次派发任务数") == str(facts["tasks"]), shown
    assert shown.get("已随其他计划派发的任务数") == str(shared), shown


def _officer(member: TaskMember) -> User:
    return (User.objects.filter(inspector=member.inspector).first()
            or User.objects.create_user(f"officer-{member.inspector_id}", password="x", role="inspector",
                                        jurisdiction=member.inspector.jurisdiction, inspector=member.inspector))


def test_a_plan_drawing_a_target_whose_visit_has_begun_gets_a_visit_of_its_own(city):
    """进一次门 joins visits still to be made. The county's visit to one key unit has its record started, to another
    sealed: their items were fixed when the record started, so the city's later draw of the same firms gets a new
    visit with the city's items and team; the firm whose visit has not begun is still visited once for both."""
    from django.utils import timezone

    from shuangsuiji.fieldwork.models import InspectionRecord
    from shuangsuiji.fieldwork.services import do_start_record

    county, city_plan = county_and_city_plans(city)
    ceremony(county)
    services.do_dispatch(county, acting_user=None)
    started, sealed, untouched = Task.objects.filter(selections__plan=county,
                                                     selections__stratum=Stratum.KEY).order_by("pk")[:3]
    draft = do_start_record(started, acting_user=_officer(started.members.filter(active=True).first()))
    items_before = list(draft.items.values_list("code", flat=True))
    InspectionRecord.objects.create(number="JL-sealed", task=sealed, target=sealed.target, sealed_at=timezone.now(),
                                    seal_hash="0" * 64)
    city_draw = ceremony(city_plan)

    for begun in (started, sealed):
        tasks = list(Task.objects.filter(target=begun.target).order_by("pk"))
        assert len(tasks) == 2, "the begun visit and a new one"
        old, new = tasks
        assert old.pk == begun.pk
        assert set(old.selections.values_list("plan_id", flat=True)) == {county.pk}
        assert not old.members.filter(draw=city_draw).exists()
        assert set(new.selections.values_list("plan_id", flat=True)) == {city_plan.pk}
        assert set(new.members.filter(active=True).values_list("draw_id", flat=True)) == {city_draw.pk}
        assert new.status == TaskStatus.DRAWN and not new.records.exists()
    draft.refresh_from_db()
    assert list(draft.items.values_list("code", flat=True)) == items_before
    [joined] = Task.objects.filter(target=untouched.target)
    assert set(joined.selections.values_list("plan_id", flat=True)) == {county.pk, city_plan.pk}
    assert city_plan.selections.filter(stratum=Stratum.KEY).count() == 5
    assert verify_chain() == []


def test_a_department_initiates_a_joint_plan_for_its_items_with_the_cooperating_departments(city):
    tree, department_user = city["tree"], city["users"]["department_user"]
    with pytest.raises(ValidationError, match="不是以下事项的责任科室"):
        services.do_create_plan(jurisdiction=tree["a"], year=2021, quarter=2, acting_user=department_user,
                                kind=PlanKind.JOINT, department=city["departments"]["enforcement_a"],
                                check_items=[city["items"]["risk"], city["items"]["noise"]],
                                departments=[city["departments"]["enforcement_a"]])
    with pytest.raises(PermissionDenied):  # not his department
        services.do_create_plan(jurisdiction=tree["a"], year=2021, quarter=2, acting_user=department_user,
                                kind=PlanKind.JOINT, department=city["departments"]["air_a"])
    with pytest.raises(ValidationError) as caught:  # no department: said as such, not as "no items"
        services.do_create_plan(jurisdiction=tree["a"], year=2021, quarter=2, acting_user=city["users"]["county_admin"],
                                kind=PlanKind.JOINT)
    assert list(caught.value.message_dict) == ["department"]
    assert "须选择发起科室" in caught.value.message_dict["department"][0]
    joint = services.do_create_plan(jurisdiction=tree["a"], year=2021, quarter=2, acting_user=department_user,
                                    kind=PlanKind.JOINT, department=city["departments"]["enforcement_a"])
    assert list(joint.check_items.all()) == [city["items"]["risk"]]
    assert set(joint.departments.all()) == {city["departments"]["enforcement_a"], city["departments"]["air_a"]}
    row = strata(joint)["joint"]
    assert (row.population, row.minimum, row.drawn) == (4, 1, True)  # key units first
    regular = county_plan(city)
    assert strata(regular)["joint"].drawn is False  # the regular plan only checks the joint plans' total
    draw = ceremony(joint)
    task = Task.objects.get()
    assert task.is_joint and set(task.departments()) == set(joint.departments.all())
    departments = {m.requirement for m in task.members.filter(draw=draw, slot_kind="department")}
    assert departments == {"执法大队", "大气环境股"}  # one officer of each department
    assert manifest.verify(draw.manifest) == []
    ceremony(regular)
    assert Task.objects.filter(target=task.target).count() == 1  # the regular draw joins the joint visit
    assert set(task.check_items()) == {city["items"]["permit"], city["items"]["air"], city["items"]["risk"]}


def test_a_joint_plan_of_a_department_responsible_for_no_item_says_so_and_takes_chosen_city_items(city):
    # A county's list is mostly the city's items, so a county department is often responsible for none: with
    # no items ticked, the refusal said only "请至少选择一项抽查事项", as if the default had not been offered.
    from shuangsuiji.registry.models import Department

    tree, county = city["tree"], city["users"]["county_admin"]
    soil = Department.objects.create(jurisdiction=tree["a"], name="土壤股", code=f"{tree['a'].code}-SO")
    with pytest.raises(ValidationError) as caught:
        services.do_create_plan(jurisdiction=tree["a"], year=2021, quarter=2, acting_user=county,
                                kind=PlanKind.JOINT, department=soil)
    assert list(caught.value.message_dict) == ["check_items"]
    assert "土壤股不是涞水县适用的任何抽查事项的责任科室" in caught.value.message_dict["check_items"][0]
    assert not Plan.objects.exists()
    # The city's item names no cooperating department of the county: the default is the initiator alone, and
    # "至少需要两个科室参加" did not say that none had been chosen.
    with pytest.raises(ValidationError) as caught:
        services.do_create_plan(jurisdiction=tree["a"], year=2021, quarter=2, acting_user=county,
                                kind=PlanKind.JOINT, department=soil, check_items=[city["items"]["permit"]])
    assert "没有涞水县的配合科室：请在“参加科室”中勾选" in caught.value.message_dict["departments"][0]
    assert not Plan.objects.exists()
    joint = services.do_create_plan(jurisdiction=tree["a"], year=2021, quarter=2, acting_user=county,
                                    kind=PlanKind.JOINT, department=soil, check_items=[city["items"]["permit"]],
                                    departments=[soil, city["departments"]["enforcement_a"]])
    assert list(joint.check_items.all()) == [city["items"]["permit"]]


def general_drawn(city) -> tuple:
    """County A's plan taking 5 general units, drawn: the plan, its draw and the task of the first ticket."""
    county = city["users"]["county_admin"]
    plan = county_plan(city)
    services.do_set_requested(plan, {"general": 5}, reasons={"general": "试点"}, acting_user=county)
    services.do_approve_shortfall(strata(plan)["general"], approve=True, decision="同意",
                                  acting_user=city["users"]["city_admin"])
    draw = ceremony(plan, user=county)
    return plan, draw, TaskPlan.objects.get(draw=draw, stratum=Stratum.GENERAL, rank=1).task


def test_a_closed_target_is_replaced_by_the_next_ticket_and_the_manifest_still_verifies(city):
    county = city["users"]["county_admin"]
    _plan, draw, first = general_drawn(city)
    with pytest.raises(ValidationError, match="仍是在营状态"):
        services.do_substitute_target(first, reason="拒不配合", acting_user=county)
    do_mark_target_defunct(first.target, acting_user=county, defunct_date=D(2021, 4, 2), reason="吊销营业执照")
    (substitute,) = services.do_substitute_target(first, reason="已吊销营业执照", acting_user=county)
    draw.refresh_from_db()
    event = draw.manifest["substitutions"][0]
    assert event["out"] == first.target.credit_code and event["replacements"][0]["in"] == substitute.target.credit_code
    assert manifest.verify(draw.manifest) == []
    first.refresh_from_db()
    assert first.status == TaskStatus.WITHDRAWN and not first.members.filter(active=True).exists()
    assert substitute.members.filter(active=True).count() >= 2
    assert Substitution.objects.get(task=first).new_task == substitute
    ticket = TaskPlan.objects.get(task=substitute, draw=draw).ticket
    assert ticket == event["replacements"][0]["ticket"]


def test_a_substitute_whose_visit_this_quarter_has_begun_gets_a_visit_of_its_own(city):
    """The substitute target already has a visit this quarter (another plan's) with its record started: the
    substitution makes a new visit rather than joining one whose items are fixed; an unbegun one it joins."""
    from django.utils import timezone

    from shuangsuiji.fieldwork.models import InspectionRecord

    county = city["users"]["county_admin"]
    plan, _draw, first = general_drawn(city)
    do_mark_target_defunct(first.target, acting_user=county, defunct_date=D(2021, 4, 2), reason="吊销营业执照")

    class Rehearsal(Exception):
        pass

    with pytest.raises(Rehearsal), transaction.atomic():  # learn who the rule picks, then undo it
        (rehearsed,) = services.do_substitute_target(first, reason="已吊销营业执照", acting_user=county)
        target = rehearsed.target
        raise Rehearsal
    for begun in (True, False):
        with pytest.raises(Rehearsal), transaction.atomic():
            other = Task.objects.create(year=2021, quarter=2, target=target, deadline=D(2021, 6, 30),
                                        status=TaskStatus.DISPATCHED)
            if begun:
                InspectionRecord.objects.create(number="JL-other", task=other, target=target,
                                                sealed_at=timezone.now(), seal_hash="0" * 64)
            (substitute,) = services.do_substitute_target(Task.objects.get(pk=first.pk), reason="已吊销营业执照",
                                                          acting_user=county)
            assert substitute.target == target
            assert (substitute.pk == other.pk) is not begun
            assert other.selections.filter(plan=plan).exists() is not begun
            raise Rehearsal


def test_an_unavailable_inspector_is_replaced_by_the_next_eligible_by_ticket(city):
    county = city["users"]["county_admin"]
    plan = county_plan(city)
    draw = ceremony(plan, user=county)
    member = TaskMember.objects.filter(draw=draw, active=True).select_related("task", "inspector").first()
    with pytest.raises(ValidationError):
        services.do_substitute_inspector(member.task, member.inspector, reason="", acting_user=county)
    replacement = services.do_substitute_inspector(member.task, member.inspector, reason="病假", acting_user=county)
    assert replacement.inspector != member.inspector and replacement.slot == member.slot
    assert not TaskMember.objects.get(pk=member.pk).active
    draw.refresh_from_db()
    assert draw.manifest["assignment"]["result"]["substitutions"] == [{
        "task": member.task.target.credit_code, "slot": member.slot, "out": member.inspector.certificate_number,
        "in": replacement.inspector.certificate_number}]
    assert manifest.verify(draw.manifest) == []
    assert Substitution.objects.get(kind="inspector").reason == "病假"


def test_inspectors_see_their_tasks_only_once_dispatched_and_the_secret_only_after_reveal(city):
    county, inspector = city["users"]["county_admin"], city["users"]["inspector"]
    plan = county_plan(city)
    draw = ceremony(plan, user=county)
    mine = set(Task.objects.filter(members__inspector=inspector.inspector, members__active=True))
    assert mine and not visible_tasks(inspector).exists()
    with pytest.raises(ValidationError):
        services.do_reveal(plan, acting_user=county)  # not before the tasks are out
    services.do_dispatch(plan, acting_user=county)
    assert set(visible_tasks(inspector)) == mine
    assert all(task.status == TaskStatus.DISPATCHED for task in visible_tasks(inspector))
    sealed, complete = services.published_manifest(draw)
    assert not complete and draw.secret not in sealed and json.loads(sealed)["state"] == "sealed"
    services.do_reveal(plan, acting_user=county)
    text, complete = services.published_manifest(Draw.objects.get(pk=draw.pk))
    assert complete and manifest.verify(json.loads(text)) == []


def test_the_secret_is_not_revealed_while_the_quarter_s_targets_are_still_to_be_visited(city, monkeypatch):
    county = city["users"]["county_admin"]
    plan = county_plan(city)  # 2021 Q2
    ceremony(plan, user=county)
    services.do_dispatch(plan, acting_user=county)
    # A sealed record of no task (a 复查's) anywhere: "NOT IN (… NULL …)" then matched no task at all, so every
    # plan counted none to visit and its secret (the whole selection) was revealed mid-quarter at one click.
    from shuangsuiji.fieldwork.models import InspectionRecord, Recheck

    task = Task.objects.filter(selections__plan=plan).first()
    draft = InspectionRecord.objects.create(number="JL2021Q2-000001", task=task, target=task.target)
    recheck = Recheck.objects.create(number="FC2021-000001", source_record=draft, target=task.target,
                                     not_before=D(2021, 5, 1), due_date=D(2021, 6, 1))
    InspectionRecord.objects.create(number="JLFC2021-000001", recheck=recheck, target=task.target,
                                    sealed_at=timezone.now(), seal_hash="0" * 64)
    open_tasks = services.uninspected_tasks(plan)
    assert open_tasks == Task.objects.filter(selections__plan=plan).distinct().count() > 0
    monkeypatch.setattr(services.timezone, "localdate", lambda *args: D(2021, 6, 10))
    with pytest.raises(ValidationError, match=f"还有{open_tasks}项任务没有提交检查记录"):
        services.do_reveal(plan, acting_user=county)
    plan.refresh_from_db()
    assert plan.revealed_at is None
    # once the quarter is over, what was not inspected is overdue anyway: the draw may be checked by all
    monkeypatch.setattr(services.timezone, "localdate", lambda *args: D(2021, 7, 1))
    services.do_reveal(plan, acting_user=county)
    plan.refresh_from_db()
    assert plan.revealed_at is not None


def test_a_visit_joined_by_a_draw_not_yet_dispatched_is_not_on_that_teams_phones(city, client):
    """The county dispatched its visit; the city then drew the same target, and its team joined the visit.
    The city's officers see it on their phones once the city dispatches, as on planning's task page."""
    county, city_plan = county_and_city_plans(city)
    ceremony(county)
    services.do_dispatch(county, acting_user=None)
    city_draw = ceremony(city_plan)
    member = (TaskMember.objects.filter(draw=city_draw, active=True, task__status=TaskStatus.DISPATCHED)
              .exclude(inspector__in=TaskMember.objects.filter(task_id=OuterRef("task_id"), draw__plan=county)
                       .values("inspector")).select_related("task__target", "inspector").first())
    assert member is not None, "a merged visit with a city officer of its own"
    officer = User.objects.create_user("city-officer", password="x", role="inspector",
                                       jurisdiction=member.inspector.jurisdiction, inspector=member.inspector)
    client.force_login(officer)
    phone = reverse("fieldwork:my_tasks")
    assert member.task.target.name not in client.get(phone).content.decode()
    assert client.get(reverse("fieldwork:task_brief", args=[member.task.pk])).status_code == 404
    services.do_dispatch(city_plan, acting_user=None)
    assert member.task.target.name in client.get(phone).content.decode()
    assert client.get(reverse("fieldwork:task_brief", args=[member.task.pk])).status_code == 200
