"""Two admins act on the same drawn plan at the same moment (tests/planning/test_concurrency.py does the draw
itself): the same inspector substituted twice, the same closed target substituted twice, a dispatch beside a
substitution, a re-draw approved beside a dispatch. The plan's row lock queues them; the second is told in
words what the first did, and the manifest records each substitution once."""

import pytest

from shuangsuiji.accounts.models import Role, User
from shuangsuiji.audit.models import Event
from shuangsuiji.planning import services
from shuangsuiji.planning.models import (
    Plan,
    PlanStatus,
    RedrawState,
    Stratum,
    Substitution,
    SubstitutionKind,
    Task,
    TaskMember,
    TaskPlan,
    TaskStatus,
)
from shuangsuiji.registry.services import do_mark_target_defunct
from tests.concurrency import collide, require_postgres

from .conftest import D, ceremony

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def drawn(city):
    county = city["users"]["county_admin"]
    plan = services.do_create_plan(jurisdiction=city["tree"]["a"], year=2021, quarter=2, acting_user=county)
    draw = ceremony(plan, user=county)
    return Plan.objects.get(pk=plan.pk), draw


def test_the_same_inspector_substituted_twice_at_once(city, drawn):
    require_postgres()
    _plan, draw = drawn
    member = TaskMember.objects.filter(draw=draw, active=True).select_related("task", "inspector").first()
    first, second = collide(
        lambda: services.do_substitute_inspector(member.task, member.inspector, reason="病假",
                                                 acting_user=city["users"]["county_admin"]),
        lambda: services.do_substitute_inspector(Task.objects.get(pk=member.task_id), member.inspector,
                                                 reason="出差", acting_user=city["users"]["city_admin"]))
    assert first.error is None
    assert member.inspector.name in second.refused and "已由county_admin于" in second.refused, second.error
    assert Substitution.objects.filter(kind=SubstitutionKind.INSPECTOR).count() == 1
    draw.refresh_from_db()
    assert len(draw.manifest["assignment"]["result"]["substitutions"]) == 1


def test_the_same_closed_target_substituted_twice_at_once(city, drawn):
    require_postgres()
    _plan, draw = drawn
    county = city["users"]["county_admin"]
    task = TaskPlan.objects.filter(draw=draw, stratum=Stratum.GENERAL).order_by("rank").first().task
    do_mark_target_defunct(task.target, acting_user=county, defunct_date=D(2021, 4, 2), reason="吊销营业执照")
    first, second = collide(
        lambda: services.do_substitute_target(task, reason="已吊销营业执照", acting_user=county),
        lambda: services.do_substitute_target(Task.objects.get(pk=task.pk), reason="已注销",
                                              acting_user=city["users"]["city_admin"]))
    assert first.error is None
    assert task.target.name in second.refused and "已由county_admin于" in second.refused, second.error
    assert Substitution.objects.filter(kind=SubstitutionKind.TARGET).count() == 1
    draw.refresh_from_db()
    assert len(draw.manifest["substitutions"]) == 1


def test_a_dispatch_beside_a_substitution(city, drawn):
    """Both wait for the plan's lock; the substitute drawn before the dispatch is dispatched with the rest."""
    require_postgres()
    plan, draw = drawn
    county = city["users"]["county_admin"]
    member = TaskMember.objects.filter(draw=draw, active=True).select_related("task", "inspector").first()
    first, second = collide(
        lambda: services.do_substitute_inspector(member.task, member.inspector, reason="病假", acting_user=county),
        lambda: services.do_dispatch(Plan.objects.get(pk=plan.pk), acting_user=city["users"]["city_admin"]))
    assert first.error is None and second.error is None, (first.error, second.error)
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.DISPATCHED
    assert not Task.objects.filter(selections__draw=draw, selections__active=True, status=TaskStatus.DRAWN).exists()


def test_a_redraw_approved_beside_a_dispatch(city, drawn):
    """The approval goes first: the plan is back to 草稿 and the dispatch is refused in words, nothing sent."""
    require_postgres()
    plan, _draw = drawn
    request = services.do_request_redraw(plan, reason="抽取对象范围有误", acting_user=city["users"]["county_admin"])
    first, second = collide(
        lambda: services.do_approve_redraw(request, approve=True, decision="同意",
                                           acting_user=city["users"]["city_admin"]),
        lambda: services.do_dispatch(Plan.objects.get(pk=plan.pk), acting_user=city["users"]["county_admin"]))
    assert first.error is None
    assert "计划当前状态为" in second.refused, second.error
    assert request.__class__.objects.get(pk=request.pk).state == RedrawState.APPROVED
    assert not Task.objects.filter(status=TaskStatus.DISPATCHED).exists()
    assert not Event.objects.filter(action="plan.dispatch").exists()


def test_two_city_admins_decide_the_same_redraw_request_at_once(city, drawn, tree):
    require_postgres()
    plan, _draw = drawn
    request = services.do_request_redraw(plan, reason="抽取对象范围有误", acting_user=city["users"]["county_admin"])
    other = User.objects.create_user(username="city_admin2", password="pw", role=Role.CITY_ADMIN,
                                     jurisdiction=tree["city"])
    first, second = collide(
        lambda: services.do_approve_redraw(request, approve=False, decision="理由不充分",
                                           acting_user=city["users"]["city_admin"]),
        lambda: services.do_approve_redraw(request, approve=True, decision="同意", acting_user=other))
    assert first.error is None
    assert "该申请已由city_admin于" in second.refused and second.refused.endswith("（未批准）"), second.error
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.DRAWN
    assert Event.objects.filter(action__startswith="plan.redraw_").exclude(action="plan.redraw_request").count() == 1


def test_two_admins_dispatch_the_same_plan_at_once(city, drawn):
    require_postgres()
    plan, _draw = drawn
    first, second = collide(
        lambda: services.do_dispatch(plan, acting_user=city["users"]["county_admin"]),
        lambda: services.do_dispatch(Plan.objects.get(pk=plan.pk), acting_user=city["users"]["city_admin"]))
    assert first.error is None
    assert "该计划已由county_admin于" in second.refused and "派发" in second.refused, second.error
    assert Event.objects.filter(action="plan.dispatch").count() == 1


def test_a_record_started_while_another_plan_draws_the_same_firm(city):
    """The county's officer starts the record of a key unit's visit at the moment the city draws the same firm:
    the draw waits for the task, then sees the record begun and gives the city a visit of its own, so the record's
    items (fixed when it started) are not counted for the city's plan."""
    require_postgres()
    from shuangsuiji.fieldwork.services import do_start_record

    county_admin, city_admin = city["users"]["county_admin"], city["users"]["city_admin"]
    county = services.do_create_plan(jurisdiction=city["tree"]["a"], year=2021, quarter=2, acting_user=county_admin)
    ceremony(county, user=county_admin)
    services.do_dispatch(county, acting_user=county_admin)
    city_plan = services.do_create_plan(jurisdiction=city["tree"]["city"], year=2021, quarter=2,
                                        acting_user=city_admin)
    services.do_set_requested(city_plan, {"key": 5}, acting_user=city_admin)
    services.do_approve_and_freeze(city_plan, acting_user=city_admin, draw_date=D(2021, 3, 29), today=D(2021, 3, 29))
    services.do_commit_secret(city_plan, acting_user=city_admin)
    services.do_record_public_value(city_plan, source="dice", value="3,5,1,6", witnesses=["张三", "李四"],
                                    acting_user=city_admin)
    task = Task.objects.filter(selections__plan=county, selections__stratum=Stratum.KEY).order_by("pk").first()
    member = task.members.filter(active=True).select_related("inspector").first()
    # The draw's secret is random, so the team may include the fixture's own signed-in inspector: use that account.
    officer = User.objects.filter(inspector=member.inspector).first() or User.objects.create_user(
        "officer-race", password="x", role=Role.INSPECTOR, jurisdiction=member.inspector.jurisdiction,
        inspector=member.inspector)
    first, second = collide(lambda: do_start_record(task, acting_user=officer),
                            lambda: services.do_draw(Plan.objects.get(pk=city_plan.pk), acting_user=city_admin,
                                                     today=D(2021, 3, 29)))
    assert first.error is None and second.error is None, (first.error, second.error)
    old, new = Task.objects.filter(target=task.target).order_by("pk")
    assert old.pk == task.pk and set(old.selections.values_list("plan_id", flat=True)) == {county.pk}
    assert set(new.selections.values_list("plan_id", flat=True)) == {city_plan.pk}
