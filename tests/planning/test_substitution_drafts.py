"""A draft record the old team started, when an inspector is replaced or the target closes (DESIGN §4's
substitutions; docs/guide/county-admin.md). The replaced inspector no longer sees, edits or submits it; his
signature on it goes (only he could have removed it, and it would be sealed as if he had taken part). A withdrawn
task's draft is kept read-only, as it was, and its page says why."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from shuangsuiji.accounts.models import Role, User
from shuangsuiji.audit.models import Event
from shuangsuiji.fieldwork import services as fieldwork
from shuangsuiji.fieldwork.models import InspectionRecord, Signature
from shuangsuiji.planning import services
from shuangsuiji.planning.models import Plan, Task, TaskStatus
from shuangsuiji.registry.models import Target
from tests.clients import signed_in
from tests.fieldwork.conftest import signature_png

from .conftest import ceremony

pytestmark = pytest.mark.django_db


@pytest.fixture
def started(city):
    """County A's plan drawn and dispatched; a task's draft started and signed by its whole team."""
    plan = services.do_create_plan(jurisdiction=city["tree"]["a"], year=2021, quarter=2, acting_user=None)
    ceremony(plan)
    services.do_dispatch(Plan.objects.get(pk=plan.pk), acting_user=None)
    task = Task.objects.filter(selections__plan=plan, status=TaskStatus.DISPATCHED).first()
    record = fieldwork.do_start_record(task, acting_user=None)
    users = {}
    for member in task.members.filter(active=True).select_related("inspector"):
        users[member.inspector_id] = User.objects.filter(inspector=member.inspector).first() or \
            User.objects.create_user(username=f"officer-{member.inspector_id}", password="x", role=Role.INSPECTOR,
                                     jurisdiction=member.inspector.jurisdiction, inspector=member.inspector)
        record.refresh_from_db()
        fieldwork.do_sign(record, acting_user=users[member.inspector_id], png=signature_png(member.inspector_id),
                          revision=record.revision, inspector=member.inspector)
    return task, record, users


def test_a_replaced_inspector_leaves_the_draft_and_his_signature_goes(city, started):
    task, record, users = started
    member = task.members.filter(active=True).select_related("inspector").first()
    leaving = users[member.inspector_id]
    newcomer = services.do_substitute_inspector(task, member.inspector, reason="病假",
                                                acting_user=city["users"]["county_admin"]).inspector
    assert not InspectionRecord.objects.visible_to(leaving).filter(pk=record.pk).exists()
    # he was on its team: told why he may no longer write it (docs/guide/inspector.md), not "not found"
    refused = signed_in(leaving).get(reverse("fieldwork:record_edit", args=[record.pk]))
    assert refused.status_code == 403 and "您已不在任务" in refused.content.decode()
    with pytest.raises(PermissionDenied):
        fieldwork.do_save_draft(record, acting_user=leaving, values={"findings": "我来写"})
    # his signature is gone, with an event naming the substitution's reason; his team mates' stay
    signers = set(Signature.objects.filter(record=record).values_list("inspector_id", flat=True))
    assert member.inspector_id not in signers and len(signers) == task.members.filter(active=True).count() - 1
    event = Event.objects.get(action="record.unsign", object_id=str(record.pk))
    assert event.changes == {"signer": [member.inspector.name, None]} and event.reason == "病假"
    # the draft is the team's still: the newcomer continues it, and it is sealed without the one who left
    record.refresh_from_db()
    assert record.sealed_at is None and newcomer.pk in fieldwork.permissions.team_inspector_ids(record)
    # the substitute is drawn at random: he may be an officer who already has an account
    newcomer_user = User.objects.filter(inspector=newcomer).first() or User.objects.create_user(
        username="newcomer", password="x", role=Role.INSPECTOR, jurisdiction=newcomer.jurisdiction, inspector=newcomer)
    fieldwork.do_save_draft(record, acting_user=newcomer_user, values={"findings": "接手填写"})
    assert not any("已不在检查组中" in e for e in fieldwork.completeness_errors(record)["signatures"])


def test_a_withdrawn_tasks_draft_is_kept_read_only_and_says_why(city, started):
    task, record, users = started
    Target.objects.filter(pk=task.target_id).update(status="defunct", defunct_date=timezone.localdate())
    services.do_substitute_target(task, reason="企业已关停注销", acting_user=city["users"]["county_admin"])
    task.refresh_from_db()
    assert task.status == TaskStatus.WITHDRAWN
    for user in users.values():
        assert not InspectionRecord.objects.visible_to(user).filter(pk=record.pk).exists()
        with pytest.raises(PermissionDenied):
            fieldwork.do_submit_record(record, acting_user=user)
    record.refresh_from_db()
    assert record.sealed_at is None and record.signatures.count() == len(users)  # kept as it was
    event = Event.objects.get(action="record.withdrawn", object_id=str(record.pk))
    assert event.reason == "企业已关停注销"
    page = signed_in(city["users"]["county_admin"]).get(reverse("fieldwork:record_detail", args=[record.pk]))
    assert "该任务已撤销（企业已关停注销），本草稿不再填写或提交" in page.content.decode()
