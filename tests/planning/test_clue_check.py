"""线索核查 (实施方案 二(三) "应立即开展现场检查"): an approved clue about a positive-list firm gets a plan of its own
at once — one target, must-include, quota 1 — through the same ceremony as any plan; it is refused when it would
repeat a check; the clue is used once; and the check counts toward no random-inspection ratio or quota."""

import datetime
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from shuangsuiji.audit.models import Event
from shuangsuiji.audit.services import verify_chain
from shuangsuiji.disclosure import reports
from shuangsuiji.engine import manifest
from shuangsuiji.intake.models import Classification, Clue, ClueSource, PositiveListEntry
from shuangsuiji.intake.services import do_classify, do_decide_clue, do_report_clue
from shuangsuiji.planning import gather, services
from shuangsuiji.planning.models import Plan, PlanKind, PlanStatus, Stratum, Task, TaskPlan, TaskStatus

from .conftest import ceremony

REPO = Path(__file__).resolve().parents[2]


def today() -> datetime.date:
    return timezone.localdate()


def this_quarter() -> tuple[int, int]:
    day = today()
    return day.year, (day.month - 1) // 3 + 1


def approved_clue(city, *, approve: bool = True, decide: bool = True) -> Clue:
    """A complaint-free, off-site clue about county A's positive-list firm, decided by county A's admin."""
    firm = city["targets"]["positive"]
    PositiveListEntry.objects.get_or_create(target=firm, start=datetime.date(2020, 1, 1),
                                            defaults={"document_number": "涞环〔2020〕1号"})
    clue = do_report_clue(Clue(target=firm, source=ClueSource.OFF_SITE, found_on=today() - datetime.timedelta(days=1),
                               description="在线监控显示夜间异常排放"), acting_user=city["users"]["inspector"])
    if decide:
        clue = do_decide_clue(clue, approve=approve, reason="同意现场核查" if approve else "经核实不属实",
                              acting_user=city["users"]["county_admin"])
    return clue


def test_an_approved_clue_gets_its_check_at_once_with_a_drawn_team_that_verifies(city):
    county = city["users"]["county_admin"]
    clue = approved_clue(city)
    plan = services.do_open_clue_check(clue, acting_user=county)
    year, quarter = this_quarter()
    assert (plan.kind, plan.clue, plan.jurisdiction, plan.level, plan.year, plan.quarter, plan.status) == (
        PlanKind.CLUE, clue, city["tree"]["a"], "county", year, quarter, PlanStatus.DRAFT)
    assert plan.is_clue_check and not plan.is_joint
    assert "线索核查" in str(plan) and city["targets"]["positive"].name not in str(plan)  # public from the freeze
    [row] = plan.strata.all()
    assert (row.stratum, row.population, row.minimum, row.must_include, row.requested, row.drawn) == (
        Stratum.CLUE, 1, 1, 1, 1, True)
    assert "不计入任何随机抽查比例" in row.explanation and "实施方案 二(三)" in row.citation
    # the items applying to a general unit of county A: the city's and the county's own list
    assert sorted(plan.check_items.values_list("code", flat=True)) == ["A-01", "A-02", "C-01"]
    event = Event.objects.get(action="plan.open_clue_check")
    assert (event.actor, event.changes["clue"], event.changes["target"]) == (
        county, clue.pk, clue.target.credit_code)
    assert Event.objects.filter(action="clue.check_opened", object_id=str(clue.pk)).exists()

    draw = ceremony(plan, user=county, day=today())  # dice rolled on the spot: all the same day
    assert draw.window_warning == ""  # a clue check has no draw window
    assert manifest.verify(draw.manifest) == []
    [stratum] = draw.manifest["strata"]
    assert stratum["name"] == "clue" and [p["via"] for p in stratum["selected"]] == ["must"]
    [task] = Task.objects.all()
    assert (task.target, task.is_clue_check, task.is_joint, task.year, task.quarter) == (
        clue.target, True, False, year, quarter)
    team = list(task.members.filter(active=True))
    assert len({m.inspector_id for m in team}) == len(team) >= 2
    assert all(m.inspector.jurisdiction == city["tree"]["a"] and m.inspector.is_certified_on(task.deadline)
               for m in team)
    services.do_dispatch(plan, acting_user=county)
    task.refresh_from_db()
    assert task.status == TaskStatus.DISPATCHED
    assert verify_chain() == []


def test_the_standalone_verifier_accepts_a_clue_check_as_any_draw(city, tmp_path):
    """No change of the draw format: the verifier re-runs the one-stratum manifest like every other."""
    county = city["users"]["county_admin"]
    plan = services.do_open_clue_check(approved_clue(city), acting_user=county)
    draw = ceremony(plan, user=county, day=today())
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(draw.manifest, ensure_ascii=False), encoding="utf-8")
    done = subprocess.run([sys.executable, str(REPO / "tools" / "verify_draw.py"), str(path)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_second_open_is_refused_with_who_opened_it_and_when(city):
    clue = approved_clue(city)
    plan = services.do_open_clue_check(clue, acting_user=city["users"]["county_admin"])
    with pytest.raises(ValidationError) as refused:
        services.do_open_clue_check(clue, acting_user=city["users"]["city_admin"])
    message = refused.value.messages[0]
    assert "已由county_admin于" in message and timezone.localtime(plan.created_at).strftime("%Y-%m-%d") in message
    assert "一条线索只核查一次" in message
    assert Plan.objects.filter(kind=PlanKind.CLUE).count() == 1


@pytest.mark.parametrize("case, message", [
    ("pending", "尚未审批"),
    ("rejected", "未获批准现场检查"),
    ("closed", "已注销/关停"),
    ("off_list", "不在正面清单上"),
    ("no_items", "不适用于"),
    ("empty_items", "请至少选择一项抽查事项"),
])
def test_each_refusal_names_its_reason_and_stores_nothing(city, case, message):
    county = city["users"]["county_admin"]
    clue = approved_clue(city, decide=case != "pending", approve=case != "rejected")
    items = None
    if case == "closed":
        clue.target.status, clue.target.defunct_date = "defunct", today()
        clue.target.save(update_fields=["status", "defunct_date"])
    elif case == "off_list":
        PositiveListEntry.objects.filter(target=clue.target).update(end=today() - datetime.timedelta(days=1))
    elif case == "no_items":
        items = [city["items"]["air"]]  # applies to no general unit
    elif case == "empty_items":
        items = []
    with pytest.raises(ValidationError) as refused:
        services.do_open_clue_check(clue, acting_user=county, check_items=items)
    assert message in " ".join(refused.value.messages)
    assert not Plan.objects.exists() and not Event.objects.filter(action="plan.open_clue_check").exists()


def test_a_policy_without_the_immediate_check_refuses_it(city, monkeypatch):
    from dataclasses import replace

    clue = approved_clue(city)
    original = services.policy_for

    def without(year, quarter):
        policy = original(year, quarter)
        return replace(policy, clue_check=replace(policy.clue_check, immediate=False))

    monkeypatch.setattr(services, "policy_for", without)
    with pytest.raises(ValidationError, match=r"clue_check\.immediate = false"):
        services.do_open_clue_check(clue, acting_user=city["users"]["county_admin"])


@pytest.mark.parametrize("role, allowed", [
    ("city_admin", True), ("county_admin", True), ("other_county_admin", False), ("department_user", False),
    ("inspector", False), ("leader", False)])
def test_only_an_admin_whose_jurisdiction_covers_the_firm_opens_a_check(city, role, allowed):
    clue = approved_clue(city)
    user = city["users"][role]
    assert services.can_open_clue_check(user, clue) is allowed
    if allowed:
        assert services.do_open_clue_check(clue, acting_user=user).created_by == user
    else:
        with pytest.raises(PermissionDenied):
            services.do_open_clue_check(clue, acting_user=user)
        assert not Plan.objects.exists()


def test_the_database_holds_one_check_per_clue_and_only_a_check_has_a_clue(city):
    clue = approved_clue(city)
    plan = services.do_open_clue_check(clue, acting_user=city["users"]["county_admin"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Plan.objects.filter(pk=plan.pk).update(clue=None)
    regular = services.do_create_plan(jurisdiction=city["tree"]["a"], year=plan.year, quarter=plan.quarter,
                                      acting_user=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        Plan.objects.filter(pk=regular.pk).update(clue=clue)
    with pytest.raises(ValidationError, match="线索核查由已批准的线索安排"):
        services.do_create_plan(jurisdiction=city["tree"]["a"], year=plan.year, quarter=plan.quarter,
                                kind=PlanKind.CLUE, acting_user=None)


def test_a_clue_with_a_check_no_longer_makes_its_firm_must_inspect_next_quarter(city):
    """The clue is used once: the next quarter's classification and regular plan leave the firm to its check."""
    county = city["users"]["county_admin"]
    clue = approved_clue(city)
    services.do_open_clue_check(clue, acting_user=county)
    year, quarter = this_quarter()
    later = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    do_classify(year=later[0], quarter=later[1], jurisdiction=city["tree"]["a"], acting_user=county)
    row = Classification.objects.get(target=clue.target, year=later[0], quarter=later[1])
    assert row.positive_list and not row.must_inspect and not row.on_site_eligible
    clue.refresh_from_db()
    assert clue.applied_year is None
    facts = {f.id: f for f in gather.population(city["tree"]["a"], *later).facts}
    assert not facts[clue.target.credit_code].approved_clue


def test_without_a_check_the_clue_still_falls_back_to_the_next_draw(city):
    """``positive_list.clue_makes_must_inspect`` keeps its meaning for a clue nobody opened a check for."""
    county = city["users"]["county_admin"]
    clue = approved_clue(city)
    year, quarter = this_quarter()
    later = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    do_classify(year=later[0], quarter=later[1], jurisdiction=city["tree"]["a"], acting_user=county)
    clue.refresh_from_db()
    assert (clue.applied_year, clue.applied_quarter) == later
    facts = {f.id: f for f in gather.population(city["tree"]["a"], *later).facts}
    assert facts[clue.target.credit_code].approved_clue
    # Opened before the regular plan freezes: the check takes the clue up, the quarter's plan leaves the firm out.
    services.do_open_clue_check(clue, acting_user=county)
    facts = {f.id: f for f in gather.population(city["tree"]["a"], *later).facts}
    assert not facts[clue.target.credit_code].approved_clue
    clue.refresh_from_db()
    assert clue.applied_year is None


def test_a_clue_the_regular_draw_already_took_is_refused_a_second_visit(city):
    """The classification of this quarter used the clue and the county's regular plan drew the firm: the visit
    is that plan's, and opening a check is refused with the reason."""
    county = city["users"]["county_admin"]
    clue = approved_clue(city)
    year, quarter = this_quarter()
    # the clue as the classification of this quarter applied it (approved before the quarter began)
    Clue.objects.filter(pk=clue.pk).update(decided_at=timezone.now() - datetime.timedelta(days=120))
    do_classify(year=year, quarter=quarter, jurisdiction=city["tree"]["a"], acting_user=county)
    clue.refresh_from_db()
    assert (clue.applied_year, clue.applied_quarter) == (year, quarter)
    regular = services.do_create_plan(jurisdiction=city["tree"]["a"], year=year, quarter=quarter, acting_user=county)
    services.do_approve_and_freeze(regular, acting_user=county, today=today())
    with pytest.raises(ValidationError, match="已冻结，将在抽取时抽中"):
        services.do_open_clue_check(clue, acting_user=county)
    services.do_commit_secret(regular, acting_user=county)
    services.do_record_public_value(regular, source="dice", value="1,2,3,4", witnesses=["甲", "乙"],
                                    acting_user=county)
    services.do_draw(regular, acting_user=county, today=today())
    assert TaskPlan.objects.filter(plan=regular, task__target=clue.target, must_include=True).exists()
    with pytest.raises(ValidationError) as refused:
        services.do_open_clue_check(clue, acting_user=county)
    assert "已抽中" in refused.value.messages[0] and str(regular) in refused.value.messages[0]
    assert not Plan.objects.filter(kind=PlanKind.CLUE).exists()


def test_a_clue_check_counts_toward_no_quota_nor_the_quarterly_status(city):
    """Targeted, not random: the engine's "already done" inputs and the quarterly 落实情况 leave it out."""
    county = city["users"]["county_admin"]
    a = city["tree"]["a"]
    plan = services.do_open_clue_check(approved_clue(city), acting_user=county)
    ceremony(plan, user=county, day=today())
    services.do_dispatch(plan, acting_user=county)
    year, quarter = this_quarter()
    [task] = Task.objects.all()
    Task.objects.filter(pk=task.pk).update(inspected_on=today())
    # the quotas' "already done": no general inspection, no joint one, no on-site visit of the firm this year
    progress = gather.year_progress(a, a.level, year, 5)
    assert progress.general_inspections == {} and progress.joint_key_inspections == {}
    assert task.target_id not in gather.last_on_site(gather.scope_targets(a), year)
    # the quarterly status counts it as a clue check only
    status = reports.quarterly_status(city["tree"]["city"], year, quarter)
    [place] = [p for p in status.places if p.jurisdiction == a]
    assert all(count.drawn == 0 and count.requested == 0 and count.minimum == 0 for count in place.strata.values())
    assert (place.joint_tasks, place.clue_tasks, place.clue_inspected) == (0, 1, 0)
    total = status.total()
    assert sum(count.drawn for count in total.strata.values()) == 0 and total.clue_tasks == 1
    assert place.inspector_count == 0 and place.problems == 0  # the random inspections' figures only
    from shuangsuiji.disclosure import report_books

    # the workbook's own 线索核查 columns, then the 跨部门联合抽查 ones
    assert report_books._place_row("涞水县", place)[-4:] == [1, 0, 0, 0]


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_admins_opening_the_same_clue_at_once_make_one_check(city):
    """The second waits on the clue's row lock, then is told who opened the check and when."""
    from tests.concurrency import collide, require_postgres

    require_postgres()
    clue = approved_clue(city)
    first, second = collide(
        lambda: services.do_open_clue_check(Clue.objects.get(pk=clue.pk), acting_user=city["users"]["county_admin"]),
        lambda: services.do_open_clue_check(Clue.objects.get(pk=clue.pk), acting_user=city["users"]["city_admin"]))
    assert first.error is None, first.error
    assert "已由county_admin于" in second.refused and "一条线索只核查一次" in second.refused, second.error
    assert Plan.objects.filter(kind=PlanKind.CLUE).count() == 1
    assert Event.objects.filter(action="plan.open_clue_check").count() == 1


def test_the_check_s_record_is_on_site_with_the_clue_s_approval_and_the_inspector_sees_the_label(city, client):
    """The clue's approval is the enforcement unit head's approval of the on-site visit: no second request."""
    from shuangsuiji.accounts.models import Role, User
    from shuangsuiji.fieldwork.models import Mode
    from shuangsuiji.fieldwork.services import do_start_record

    county = city["users"]["county_admin"]
    clue = approved_clue(city)
    plan = services.do_open_clue_check(clue, acting_user=county)
    ceremony(plan, user=county, day=today())
    services.do_dispatch(plan, acting_user=county)
    [task] = Task.objects.all()
    member = task.members.filter(active=True).select_related("inspector").first()
    officer = (User.objects.filter(inspector=member.inspector).first()
               or User.objects.create_user(username="officer", password="pw-officer", role=Role.INSPECTOR,
                                           jurisdiction=city["tree"]["a"], inspector=member.inspector))
    record = do_start_record(task, acting_user=officer)
    assert (record.positive_list, record.on_site_clue, record.mode) == (True, clue, Mode.ON_SITE)
    client.force_login(officer)
    mine = client.get("/planning/tasks/mine/", follow=True).content.decode()
    assert clue.target.name in mine and "线索核查" in mine
