"""Registry service functions: every change is validated, permitted, and leaves its history."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from shuangsuiji.audit.models import Event
from shuangsuiji.audit.services import verify_chain
from shuangsuiji.registry.models import Category, Target, TargetHistory, TargetStatus
from shuangsuiji.registry.services import do_mark_target_defunct, do_reactivate_target, do_save
from tests.conftest import credit_code as code_for


@pytest.fixture
def target(tree, users):
    target = Target(credit_code=code_for("130623", 7), name="涞水县测试化工有限公司", jurisdiction=tree["a"])
    return do_save(target, acting_user=users["county_admin"], reason="新增")


def test_create_writes_initial_history_and_an_event(target, users):
    fields = set(TargetHistory.objects.filter(target=target).values_list("field", flat=True))
    assert fields == {"category", "status"}
    event = Event.objects.get(action="target.create")
    assert event.actor_id == users["county_admin"].pk and event.reason == "新增"


def test_category_change_keeps_a_dated_reasoned_history(target, users):
    target.category = Category.KEY
    do_save(target, acting_user=users["county_admin"], reason="列入2021年重点排污单位名录",
            effective_date=datetime.date(2021, 3, 1))
    row = TargetHistory.objects.get(target=target, field="category", new_value="key")
    assert (row.old_value, row.effective_date, row.reason) == ("general", datetime.date(2021, 3, 1),
                                                               "列入2021年重点排污单位名录")
    assert Event.objects.get(action="target.update").changes == {"category": ["general", "key"]}
    assert verify_chain() == []


def test_saving_without_changes_writes_nothing(target, users):
    before = Event.objects.count()
    do_save(Target.objects.get(pk=target.pk), acting_user=users["county_admin"], reason="无变化")
    assert Event.objects.count() == before


def test_invalid_credit_code_is_refused_and_nothing_stored(tree, users):
    bad = code_for("130623", 8)[:-1] + ("0" if code_for("130623", 8)[-1] != "0" else "1")
    with pytest.raises(ValidationError) as error:
        do_save(Target(credit_code=bad, name="错码企业", jurisdiction=tree["a"]),
                acting_user=users["county_admin"])
    assert "credit_code" in error.value.message_dict
    assert not Target.objects.filter(name="错码企业").exists()
    assert not Event.objects.exists()


@pytest.mark.parametrize("role", ["other_county_admin", "leader", "inspector", "department_user"])
def test_only_the_scope_admin_may_change_a_target(target, users, role):
    target.name = "改名"
    with pytest.raises(PermissionDenied):
        do_save(target, acting_user=users[role], reason="越权")
    assert Target.objects.get(pk=target.pk).name == "涞水县测试化工有限公司"


def test_defunct_target_is_kept_with_date_and_reason(target, users):
    do_mark_target_defunct(target, acting_user=users["county_admin"], defunct_date=datetime.date(2021, 6, 30),
                           reason="企业注销")
    target.refresh_from_db()
    assert (target.status, target.defunct_date) == (TargetStatus.DEFUNCT, datetime.date(2021, 6, 30))
    assert TargetHistory.objects.filter(target=target, field="status", new_value="defunct",
                                        reason="企业注销").exists()
    with pytest.raises(ValidationError):
        do_mark_target_defunct(target, acting_user=users["county_admin"], defunct_date=datetime.date(2021, 7, 1),
                               reason="再次注销")
    do_reactivate_target(target, acting_user=users["county_admin"], reason="恢复生产",
                         effective_date=datetime.date(2021, 9, 1))
    assert Target.objects.get(pk=target.pk).status == TargetStatus.ACTIVE


def test_defunct_needs_a_reason(target, users):
    with pytest.raises(ValidationError):
        do_mark_target_defunct(target, acting_user=users["county_admin"], defunct_date=datetime.date(2021, 6, 30),
                               reason="  ")
