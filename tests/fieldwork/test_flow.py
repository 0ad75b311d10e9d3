"""The whole flow through the real services: a county plan drawn and dispatched by planning, the team's record
filled, signed and sealed through the pages, the problem followed up and closed with evidence, the record
reviewed and publishable — and the audit chain intact at the end."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shuangsuiji.audit.services import verify_chain
from shuangsuiji.fieldwork import sealing, services
from shuangsuiji.fieldwork.models import FollowUp, FollowUpStatus, Handling, InspectionRecord
from shuangsuiji.planning import services as planning
from shuangsuiji.planning.models import Task, TaskStatus
from shuangsuiji.registry.models import CheckItem, Inspector, Target

from .conftest import code_for, photo, sign_all

pytestmark = pytest.mark.django_db


def test_from_a_dispatched_task_to_a_closed_finding(tree, users):
    a = tree["a"]
    partner = Inspector.objects.create(name="李四", certificate_number="13062300002",
                                       certificate_expiry=datetime.date(2030, 1, 1), jurisdiction=a,
                                       department=tree["departments"][a.code])
    CheckItem.objects.create(code="C-01", name="排污许可制度执行情况", legal_basis="《排污许可管理条例》",
                             content="持证排污、按证排污", jurisdiction=tree["city"],
                             responsible_department=tree["departments"][tree["city"].code])
    for serial in range(1, 9):
        Target.objects.create(credit_code=code_for(a.code, serial), name=f"涞水县{serial}号单位", jurisdiction=a,
                              category="key" if serial <= 2 else "general", address=f"涞水县工业路{serial}号",
                              legal_representative="赵大勇")
    plan = planning.do_create_plan(jurisdiction=a, year=2021, quarter=2, acting_user=users["county_admin"])
    day = datetime.date(2021, 3, 25)  # in the draw window of 2021 Q2
    admin_user = users["county_admin"]
    planning.do_approve_and_freeze(plan, acting_user=admin_user, draw_date=day, today=day)
    planning.do_commit_secret(plan, acting_user=admin_user)
    planning.do_record_public_value(plan, source="dice", value="3,5,1,6", witnesses=["王建国", "刘淑芬"],
                                    acting_user=admin_user)
    planning.do_draw(plan, acting_user=admin_user, today=day)
    planning.do_dispatch(plan, acting_user=users["county_admin"])
    task = Task.objects.filter(status=TaskStatus.DISPATCHED).order_by("pk").first()
    assert {m.inspector for m in task.members.filter(active=True)} == {users["inspector"].inspector, partner}

    inspector = Client()
    inspector.force_login(users["inspector"])
    assert task.target.name in inspector.get(reverse("fieldwork:my_tasks")).content.decode()
    inspector.post(reverse("fieldwork:task_start", args=[task.pk]))
    record = InspectionRecord.objects.get(task=task)
    started = timezone.make_aware(datetime.datetime(2021, 4, 20, 9, 30))
    first, *rest = list(record.items.order_by("order"))
    services.do_save_draft(record, acting_user=users["inspector"], values={
        "started_at": started, "ended_at": started + datetime.timedelta(hours=1), "place": "一号车间",
        "findings": "危废间标识不全，已当场整改。", "site_manager_name": "钱经理"}, items={
        first.pk: {"outcome": "problem", "notes": "危险废物贮存场所未设置识别标志", "handling": Handling.RECTIFIED,
                   "rectification": "企业当场张贴识别标志"},
        **{item.pk: {"outcome": "ok"} for item in rest}})
    services.do_add_attachment(record, photo("整改前.jpg"), acting_user=users["inspector"])
    sign_all(record, users["inspector"])
    response = inspector.post(reverse("fieldwork:record_edit", args=[record.pk]), {
        "revision": str(InspectionRecord.objects.get(pk=record.pk).revision), "action": "submit", "confirm": "1",
        "mode": "on_site",
        "started_at": "2021-04-20T09:30", "ended_at": "2021-04-20T10:30", "place": "一号车间",
        "credit_code": record.credit_code, "target_name": record.target_name,
        "legal_representative": "赵大勇", "address": record.address, "findings": "危废间标识不全，已当场整改。",
        "site_manager_name": "钱经理", "site_manager_statement": "以上记录属实。",
        f"item-{first.pk}-outcome": "problem", f"item-{first.pk}-notes": "危险废物贮存场所未设置识别标志",
        f"item-{first.pk}-handling": "rectified", f"item-{first.pk}-rectification": "企业当场张贴识别标志",
        **{f"item-{item.pk}-outcome": "ok" for item in rest}})
    assert response.status_code == 302, response.content.decode()[:2000]
    record.refresh_from_db()
    assert record.is_sealed and sealing.verify(record) == []
    task.refresh_from_db()
    assert task.inspected_on == datetime.date(2021, 4, 20)

    follow_up = FollowUp.objects.get(record=record)
    assert follow_up.is_open and follow_up.due_date == datetime.date(2021, 4, 23)
    admin = Client()
    admin.force_login(users["county_admin"])
    assert follow_up.problem.notes in admin.get(reverse("fieldwork:followup_list") + "?state=overdue").content.decode()
    inspector.post(reverse("fieldwork:followup_close", args=[follow_up.pk]),
                   {"note": "整改后照片已上传", "files": [photo("整改后.jpg", "blue")], "confirm": "1"})
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.CLOSED and follow_up.evidence.count() == 1

    admin.post(reverse("fieldwork:record_review", args=[record.pk]), {"passed": "1"})
    assert list(InspectionRecord.objects.publishable()) == [record]
    assert verify_chain() == []
