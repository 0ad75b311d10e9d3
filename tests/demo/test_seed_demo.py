"""seed_demo: stores a population whole, with one login per role, once."""

from datetime import date

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError
from django.http import HttpRequest
from django.test import RequestFactory
from django.utils import translation

from shuangsuiji.accounts.models import Role, User
from shuangsuiji.audit.display import changes_of
from shuangsuiji.audit.models import Event
from shuangsuiji.audit.services import verify_chain
from shuangsuiji.demo.generator import generate
from shuangsuiji.demo.services import DEMO_PASSWORD
from shuangsuiji.engine.creditcode import complete
from shuangsuiji.registry.models import (
    CheckItem,
    Department,
    Inspector,
    Jurisdiction,
    Outlet,
    Recusal,
    Target,
    TargetHistory,
)
from shuangsuiji.registry.services import do_save

from ..seeding import seed_demo_command

TODAY = date(2021, 12, 20)


def seed(*args: str, **options) -> str:
    return seed_demo_command(*args, scale="tiny", today=TODAY, **options)


@pytest.fixture(scope="module")
def demo(module_db):
    """The tiny demo, seeded once for this module's tests (they read it; the guards of an empty or partly
    written database are in test_seed_demo_guards.py)."""
    seed()
    return generate("tiny", today=TODAY)


@pytest.fixture
def seeded(demo, db):
    return demo


def test_stores_the_whole_population(seeded):
    population = seeded
    targets = list(population.targets)
    assert Jurisdiction.objects.count() == len(population.jurisdictions)
    assert Department.objects.count() == len(population.departments)
    assert CheckItem.objects.count() == len(population.check_items)
    assert Target.objects.count() == len(targets)
    assert Outlet.objects.count() == sum(len(t.outlets) for t in targets)
    assert Inspector.objects.count() == len(population.inspectors)
    assert Recusal.objects.count() == len(population.recusals)
    qingyuan = Jurisdiction.objects.get(code="130608")
    assert qingyuan.path == "130000.130600.130608." and qingyuan.parent.code == "130600"
    stored = {t.credit_code: t for t in Target.objects.select_related("jurisdiction")}
    for row in targets:
        target = stored[row.credit_code]
        assert (target.name, target.jurisdiction.code, target.category, target.status, target.positive_list,
                target.defunct_date) == (row.name, row.jurisdiction_code, row.category, row.status,
                                         row.positive_list, row.defunct_date)
        assert float(target.longitude) == pytest.approx(row.longitude)
    inspector = Inspector.objects.get(certificate_number=population.inspectors[0].certificate_number)
    assert sorted(inspector.specialties.values_list("code", flat=True)) == sorted(population.inspectors[0].specialties)
    item = CheckItem.objects.get(code="130600-01")
    assert item.responsible_department.name == "环境影响评价与排放管理处"
    cooperating = set(item.cooperating_departments.values_list("name", flat=True))
    assert cooperating == {"生态环境综合执法支队", "生态环境监测处"}


def test_stored_rows_pass_model_validation(seeded):
    for model in (Target, Inspector, CheckItem, Department, Jurisdiction):
        for obj in model.objects.order_by("pk")[:200]:
            obj.full_clean()


def test_targets_start_with_a_dated_initial_history(seeded):
    key = Target.objects.filter(category="key").first()
    rows = {r.field: r for r in TargetHistory.objects.filter(target=key)}
    assert rows["category"].new_value == "key" and rows["category"].reason == "初始化：列入保定市重点排污单位名录"
    assert rows["positive_list"].reason.startswith("初始化")
    defunct = Target.objects.filter(status="defunct").first()
    closing = TargetHistory.objects.get(target=defunct, field="status", new_value="defunct")
    assert (closing.old_value, closing.effective_date, closing.reason) == ("active", defunct.defunct_date,
                                                                           defunct.defunct_reason)


def test_one_login_per_role_bound_to_the_right_jurisdiction(seeded, client):
    expected = {
        "city": (Role.CITY_ADMIN, "130600"), "county": (Role.COUNTY_ADMIN, "130608"),
        "county2": (Role.COUNTY_ADMIN, "130609"), "dept": (Role.DEPARTMENT, "130600"),
        "inspector": (Role.INSPECTOR, "130608"), "leader": (Role.LEADER, "130600"),
    }
    for username, (role, code) in expected.items():
        user = authenticate(RequestFactory().post("/login/"), username=username, password=DEMO_PASSWORD)
        assert user is not None, username
        assert (user.role, user.jurisdiction.code, user.is_superuser) == (role, code, False)
    assert User.objects.get(username="dept").department.name == "大气环境处"
    inspector_user = User.objects.get(username="inspector")
    officer = inspector_user.inspector
    assert officer.jurisdiction.code == "130608" and officer.is_certified_on(TODAY) and officer.status == "active"
    assert inspector_user.display_name == officer.name
    admin = authenticate(RequestFactory().post("/login/"), username="admin", password=DEMO_PASSWORD)
    assert admin.is_superuser and admin.is_staff
    # django-axes counts sign-ins per request: the test client passes one as Django's login view would
    assert client.login(request=HttpRequest(), username="county", password=DEMO_PASSWORD)


def test_demo_logins_see_their_own_scope(seeded):
    population = seeded
    county, county2, leader = (User.objects.get(username=u) for u in ("county", "county2", "leader"))
    assert Target.objects.visible_to(county).count() == population.targets.counts["130608"]
    assert set(Target.objects.visible_to(county2).values_list("jurisdiction__code", flat=True)) == {"130609"}
    assert Target.objects.visible_to(leader).count() == len(population.targets)
    assert not leader.can_edit_registry and county.can_edit_registry


def test_one_audit_event_for_the_run(seeded):
    event = Event.objects.get(action="demo.seed")
    assert event.action == "demo.seed"
    assert event.changes["scale"] == "tiny" and event.changes["targets"] == len(seeded.targets)
    assert verify_chain() == []
    # read on the 审计日志 page: every count says what it counts, in the reader's language, not its code
    for language, sample in (("zh-hans", "检查对象数"), ("en", "Targets")):
        with translation.override(language):
            changes = changes_of(event)
        assert [c.key for c in changes if c.label == c.key] == []
        assert sample in {c.label for c in changes}


def test_if_empty_is_idempotent(seeded):
    counts = (Target.objects.count(), Inspector.objects.count(), User.objects.count(), Event.objects.count())
    assert "未装入" in seed(if_empty=True)
    assert (Target.objects.count(), Inspector.objects.count(), User.objects.count(),
            Event.objects.count()) == counts
    with pytest.raises(CommandError, match="只能装入空库"):
        seed()


def test_targets_added_after_seeding_get_fresh_ids(seeded):
    county = User.objects.get(username="county")
    target = do_save(Target(credit_code=complete("91130608MA0000001"), name="清苑区新建化工有限公司",
                            jurisdiction=county.jurisdiction), acting_user=county, reason="新增")
    assert target.pk > max(Target.objects.exclude(pk=target.pk).values_list("pk", flat=True))


def test_the_demo_items_have_their_industries_and_the_records_follow_them(seeded):
    from shuangsuiji.fieldwork.models import ItemResult

    scopes = dict(CheckItem.objects.filter(code__in=["130600-14", "130600-16", "130600-01"])
                  .values_list("code", "industries"))
    assert scopes == {"130600-14": "M7452", "130600-16": "B E", "130600-01": ""}
    results = list(ItemResult.objects.filter(record__task__isnull=False, record__recheck__isnull=True)
                   .select_related("check_item", "record__task__target"))
    assert results, "the tiny demo has records started from tasks"
    for result in results:
        task = result.record.task
        assert result.check_item.applies_to(task.category, task.target.industry_code), (result.code, task.target)
    vehicle = {r.record.task.target.industry_code for r in results if r.check_item.code.endswith("-14")}
    assert vehicle <= {"M7452", "7452", ""}
