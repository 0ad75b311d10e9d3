"""After sealing: review (通过 / 退回), amendments, positive-list approval, and every follow-up to its closure."""

import datetime
import json
import re

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from shuangsuiji.engine.workdays import quarter_of
from shuangsuiji.fieldwork import sealing, services
from shuangsuiji.fieldwork.models import (
    AmendmentRequest,
    ClosedAs,
    FollowUp,
    FollowUpStatus,
    Handling,
    InspectionRecord,
    Mode,
    OnSiteApproval,
    RecheckStatus,
    RecordState,
    RequestState,
)
from shuangsuiji.intake.models import Classification, Clue, ClueStatus, Penalty, Source
from shuangsuiji.intake.services import do_classify
from shuangsuiji.planning.models import MemberRole
from shuangsuiji.registry.models import Inspector, Target

from .conftest import code_for, fill, make_task, ordered_record, photo, sign_all, submitted

pytestmark = pytest.mark.django_db


def test_review_pass_makes_the_record_publishable(task, users):
    record = submitted(task, users["inspector"])
    assert record.state == RecordState.PENDING
    assert list(InspectionRecord.objects.awaiting_review()) == [record]
    assert not InspectionRecord.objects.publishable().exists()
    with pytest.raises(PermissionDenied):
        services.do_review_record(record, passed=True, acting_user=users["other_county_admin"])
    with pytest.raises(PermissionDenied):
        services.do_review_record(record, passed=True, acting_user=users["inspector"])
    services.do_review_record(record, passed=True, acting_user=users["county_admin"])
    record = InspectionRecord.objects.get(pk=record.pk)
    assert record.state == RecordState.PASSED
    assert list(InspectionRecord.objects.publishable()) == [record]
    with pytest.raises(ValidationError, match=r"该记录已由.*审核：通过"):
        services.do_review_record(record, passed=False, reason="再看看", acting_user=users["city_admin"])


def test_a_return_opens_an_amendment_and_never_edits(task, users):
    inspector = users["inspector"]
    original = submitted(task, inspector)
    seal = original.seal_hash
    with pytest.raises(ValidationError, match="退回须写明理由"):
        services.do_review_record(original, passed=False, acting_user=users["county_admin"])
    services.do_review_record(original, passed=False, reason="检查结束时间填写有误", acting_user=users["county_admin"])
    original = InspectionRecord.objects.get(pk=original.pk)
    assert original.state == RecordState.RETURNED and original.seal_hash == seal
    amendment = original.amendment
    assert amendment.number == f"{original.number}-G1" and not amendment.is_sealed
    assert amendment.amendment_reason == "检查结束时间填写有误"
    assert amendment.amendment_approved_by == users["county_admin"]
    assert amendment.findings == original.findings and amendment.items.count() == original.items.count()
    assert not amendment.signatures.exists()  # everybody signs the corrected record again

    services.do_save_draft(amendment, acting_user=inspector, values={"ended_at": timezone.now()})
    sign_all(amendment, inspector)
    amendment = services.do_submit_record(amendment, acting_user=inspector)
    sealed = json.loads(amendment.sealed_content)["content"]
    assert sealed["amends"] == original.number
    assert sealed["amendment"]["reason"] == "检查结束时间填写有误"
    assert not InspectionRecord.objects.publishable().exists()
    services.do_review_record(amendment, passed=True, acting_user=users["county_admin"])
    assert list(InspectionRecord.objects.publishable()) == [amendment]
    assert InspectionRecord.objects.get(pk=original.pk).state == RecordState.SUPERSEDED
    assert sealing.verify(InspectionRecord.objects.get(pk=original.pk)) == []


def test_an_amendment_on_request_needs_an_approval_by_someone_else(task, users):
    original = submitted(task, users["inspector"])
    services.do_review_record(original, passed=True, acting_user=users["county_admin"])
    request = services.do_request_amendment(original, reason="漏记一张照片", acting_user=users["inspector"])
    with pytest.raises(ValidationError, match="已有待审批"):
        services.do_request_amendment(original, reason="再次申请", acting_user=users["inspector"])
    with pytest.raises(PermissionDenied):
        services.do_decide_amendment(request, approve=True, decision="同意", acting_user=users["inspector"])
    request = services.do_decide_amendment(request, approve=True, decision="同意更正",
                                           acting_user=users["county_admin"])
    amendment = request.amendment
    assert request.state == RequestState.APPROVED and amendment.amends == original
    services.do_add_attachment(amendment, photo("补充照片.jpg"), acting_user=users["inspector"])
    sign_all(amendment, users["inspector"])
    amendment = services.do_submit_record(amendment, acting_user=users["inspector"])
    # Until the amendment passes review, the original stays the published one.
    assert list(InspectionRecord.objects.publishable()) == [original]
    services.do_review_record(amendment, passed=True, acting_user=users["county_admin"])
    assert list(InspectionRecord.objects.publishable()) == [amendment]
    assert InspectionRecord.objects.get(pk=original.pk).state == RecordState.SUPERSEDED


def test_an_amendment_carries_follow_ups_over_and_closes_removed_ones(task, users):
    inspector = users["inspector"]
    original = submitted(task, inspector, problem=Handling.TRANSFER)
    follow_up = FollowUp.objects.get(record=original)
    services.do_review_record(original, passed=False, reason="该问题不属实", acting_user=users["county_admin"])
    amendment = original.amendment
    first = amendment.items.order_by("order").first()
    services.do_save_draft(amendment, acting_user=inspector, values={},
                           items={first.pk: {"outcome": "ok", "notes": "", "handling": "", "transfer_to": ""}})
    sign_all(amendment, inspector)
    services.do_submit_record(amendment, acting_user=inspector)
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.CLOSED
    assert follow_up.closed_as == ClosedAs.AMENDED and follow_up.closing_record_id == amendment.pk
    assert "经更正记录" in follow_up.closing_text


def test_positive_list_targets_are_off_site_unless_approved(task, users, team):
    task.target.positive_list = True
    task.target.save()
    inspector = users["inspector"]
    record = services.do_start_record(task, acting_user=inspector)
    assert record.positive_list and record.mode == Mode.OFF_SITE
    # the off-site draft has no place (services._prefill): switched on site, the team names where it went
    record = fill(record, inspector, mode=Mode.ON_SITE, place="一号车间")
    sign_all(record, inspector)
    with pytest.raises(ValidationError) as caught:
        services.do_submit_record(record, acting_user=inspector)
    assert list(caught.value.message_dict) == ["mode"]
    approval = services.do_request_on_site(record, reason="在线监测数据异常，需现场核实", acting_user=inspector)
    with pytest.raises(PermissionDenied):
        services.do_decide_on_site(approval, approve=True, decision="同意", acting_user=inspector)
    with pytest.raises(PermissionDenied):
        services.do_decide_on_site(approval, approve=True, decision="同意", acting_user=users["other_county_admin"])
    services.do_decide_on_site(approval, approve=True, decision="同意现场核实", acting_user=users["county_admin"])
    sign_all(record, inspector)  # the approval is part of the record: it is signed too
    record = services.do_submit_record(record, acting_user=inspector)
    sealed = json.loads(record.sealed_content)["content"]
    assert sealed["positive_list"] == 1
    assert sealed["on_site_approval"]["decision"] == "同意现场核实"
    assert "county_admin" in sealed["on_site_approval"]["decided_by"]


def test_an_approved_clue_is_the_on_site_approval(task, users):
    task.target.positive_list = True
    task.target.save()
    clue = Clue.objects.create(target=task.target, source="off_site", found_on=datetime.date(2024, 6, 1),
                               description="分表计电显示治理设施停运", status=ClueStatus.APPROVED,
                               decided_by=users["county_admin"], decided_at=timezone.now(), decision_reason="同意",
                               applied_year=task.year, applied_quarter=task.quarter)
    # The task's page says so before the team sets out: nothing more to ask for.
    client = Client()
    client.force_login(users["inspector"])
    brief = client.get(reverse("fieldwork:task_brief", args=[task.pk])).content.decode()
    assert "现场检查已于" in brief and "无需再申请" in brief and users["county_admin"].display_name in brief
    # … and only that: not the positive-list rule "request the approval in the record", which asked for it again
    assert "在记录表中申请执法机构负责人批准" not in brief
    record = services.do_start_record(task, acting_user=users["inspector"])
    assert record.mode == Mode.ON_SITE and record.on_site_clue == clue


def test_order_to_rectify_creates_a_recheck_that_closes_it(task, users):
    inspector = users["inspector"]
    deadline = timezone.localdate() + datetime.timedelta(days=20)
    record = ordered_record(task, inspector, deadline=deadline)
    follow_up = FollowUp.objects.get(record=record)
    recheck = follow_up.recheck
    assert recheck.not_before == deadline and recheck.due_date == deadline + datetime.timedelta(days=15)
    assert set(recheck.team.all()) == {users["inspector"].inspector, record.task.members.last().inspector}
    assert follow_up.due_date == recheck.due_date
    with pytest.raises(ValidationError, match="由复查记录办结"):
        services.do_close_follow_up(follow_up, note="已整改", files=[photo()], acting_user=inspector)

    recheck_record = services.do_start_recheck_record(recheck, acting_user=inspector)
    assert [i.code for i in recheck_record.items.all()] == ["HB-001"]
    assert recheck_record.items.get().content.startswith("复查整改情况：布袋除尘器破损")
    fill(recheck_record, inspector)
    sign_all(recheck_record, inspector)
    services.do_submit_record(recheck_record, acting_user=inspector)
    follow_up.refresh_from_db()
    recheck.refresh_from_db()
    assert recheck.status == RecheckStatus.DONE
    assert follow_up.status == FollowUpStatus.CLOSED and follow_up.closing_record == recheck_record
    assert follow_up.closed_as == ClosedAs.RECTIFIED and "已整改到位" in follow_up.closing_text


def test_a_recheck_that_finds_the_problem_again_hands_over_to_a_new_follow_up(source, recheck, users):
    inspector = users["inspector"]
    recheck_record = services.do_start_recheck_record(recheck, acting_user=inspector)
    fill(recheck_record, inspector, problem=Handling.CASE)
    sign_all(recheck_record, inspector)
    with translation.override("en"):  # the closing is stored as a code whoever submits, said in the reader's words
        services.do_submit_record(recheck_record, acting_user=inspector)
    original = FollowUp.objects.get(record=source)
    assert original.status == FollowUpStatus.CLOSED and original.closed_as == ClosedAs.UNRECTIFIED
    assert original.closing_note == "" and original.closing_text == \
        f"复查发现仍未整改到位，按复查记录{recheck_record.number}的处理方式继续处置"
    escalated = FollowUp.objects.get(record=recheck_record)
    assert escalated.handling == Handling.CASE and escalated.is_open


def test_a_case_ends_in_a_penalty_that_feeds_classification(task, users, tree):
    inspector = users["inspector"]
    record = submitted(task, inspector, problem=Handling.CASE)
    follow_up = FollowUp.objects.get(record=record)
    assert follow_up.due_date == services.inspection_day(record) + datetime.timedelta(days=90)
    with pytest.raises(ValidationError, match="请先登记立案编号"):
        services.do_record_penalty_decision(follow_up, decision_number="涞环罚〔2024〕12号",
                                            decided_on=timezone.localdate(), department=tree["departments"]["130623"],
                                            violation="", amount=None, acting_user=users["county_admin"])
    filed = timezone.localdate()
    services.do_register_case(follow_up, case_number="涞环立〔2024〕30号", filed_on=filed, acting_user=inspector)
    # An inspector may register the case, but a penalty decision is entered by those who keep penalties.
    with pytest.raises(PermissionDenied):
        services.do_record_penalty_decision(follow_up, decision_number="涞环罚〔2024〕12号", decided_on=filed,
                                            department=tree["departments"]["130623"], violation="",
                                            amount=None, acting_user=inspector)
    services.do_record_penalty_decision(follow_up, decision_number="涞环罚〔2024〕12号", decided_on=filed,
                                        department=tree["departments"]["130623"], violation="",
                                        amount="50000.00", acting_user=users["county_admin"])
    follow_up.refresh_from_db()
    penalty = Penalty.objects.get(decision_number="涞环罚〔2024〕12号")
    assert follow_up.penalty == penalty and follow_up.status == FollowUpStatus.CLOSED
    assert penalty.source == Source.FIELDWORK and penalty.source_reference == record.number
    assert penalty.violation == "布袋除尘器破损，未及时更换" and penalty.target == task.target
    # The decision feeds the next quarter's classification: the target becomes special supervision.
    year, quarter = filed.year, quarter_of(filed)
    year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    do_classify(year=year, quarter=quarter, jurisdiction=tree["a"], acting_user=users["county_admin"])
    classified = Classification.objects.get(target=task.target, year=year, quarter=quarter)
    assert classified.category == "special"
    evidence = [e for reason in classified.reasons for e in reason.get("evidence", [])]
    assert [e["kind"] for e in evidence] == ["penalty"] and evidence[0]["label"].startswith("涞环罚〔2024〕12号")


def test_what_follows_an_inspection_is_not_dated_before_it_and_evidence_must_be_a_real_picture(task, users, tree):
    """A case "filed" in 2019 for a 2026 visit made its follow-up overdue by years; a transfer dated 2000 was
    kept; a text file sent as a JPEG was accepted as evidence and shown as a broken picture."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    inspector = users["inspector"]
    record = submitted(task, inspector, problem=Handling.CASE)
    follow_up = FollowUp.objects.get(record=record)
    visit = timezone.localdate(record.started_at)
    before = visit - datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        services.do_register_case(follow_up, case_number="涞环立〔2019〕1号", filed_on=before, acting_user=inspector)
    assert caught.value.message_dict == {"case_filed_on": [f"立案日期不能早于发现该问题的现场检查（{visit}）"]}
    later = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError, match="立案日期不能晚于今天"):
        services.do_register_case(follow_up, case_number="涞环立〔2030〕1号", filed_on=later, acting_user=inspector)
    with pytest.raises(ValidationError, match="请填写立案日期"):
        services.do_register_case(follow_up, case_number="涞环立〔2030〕1号", filed_on=None, acting_user=inspector)
    assert FollowUp.objects.get(pk=follow_up.pk).case_number == ""
    fake = SimpleUploadedFile("photo.jpg", b"hello, not an image", content_type="image/jpeg")
    with pytest.raises(ValidationError, match="文件内容不是 JPG 文件"):
        services.do_add_evidence(follow_up, fake, acting_user=inspector)
    assert not follow_up.evidence.exists()
    pdf = SimpleUploadedFile("回执.pdf", b"%PDF-1.4 receipt", content_type="application/pdf")
    services.do_add_evidence(follow_up, pdf, acting_user=inspector)  # a document stays a download
    assert follow_up.evidence.get().original_name == "回执.pdf"


def test_a_transfer_is_not_dated_before_the_inspection(task, users):
    inspector = users["inspector"]
    record = submitted(task, inspector, problem=Handling.TRANSFER)
    follow_up = FollowUp.objects.get(record=record)
    with pytest.raises(ValidationError, match="移交/移送日期不能早于发现该问题的现场检查"):
        services.do_record_transfer(follow_up, reference="涞环移〔2000〕1号", transferred_on=datetime.date(2000, 1, 1),
                                    acting_user=inspector)
    assert FollowUp.objects.get(pk=follow_up.pk).transfer_reference == ""


def test_transfer_and_on_the_spot_rectification_close_with_evidence(task, users, target, items, team):
    from .conftest import make_task

    inspector = users["inspector"]
    record = submitted(task, inspector, problem=Handling.TRANSFER)
    follow_up = FollowUp.objects.get(record=record)
    with pytest.raises(ValidationError, match="请先登记移交"):
        services.do_close_follow_up(follow_up, note="已移交", files=[photo()], acting_user=inspector)
    services.do_record_transfer(follow_up, reference="涞环移〔2024〕3号", transferred_on=timezone.localdate(),
                                acting_user=inspector)
    with pytest.raises(ValidationError, match="佐证材料"):
        services.do_close_follow_up(follow_up, note="已移交", acting_user=inspector)
    services.do_close_follow_up(follow_up, note="自然资源局已签收", files=[photo("回执.jpg")], acting_user=inspector)
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.CLOSED and follow_up.evidence.get().original_name == "回执.jpg"

    second = make_task(target, items, [(team["first"], "officer"), (team["second"], "officer")])
    rectified = submitted(second, inspector, problem=Handling.RECTIFIED)
    follow_up = FollowUp.objects.get(record=rectified)
    assert follow_up.due_date == services.inspection_day(rectified) + datetime.timedelta(days=3)
    with pytest.raises(PermissionDenied):
        services.do_close_follow_up(follow_up, note="x", files=[photo()], acting_user=team["outsider"])
    services.do_close_follow_up(follow_up, note="整改后照片", files=[photo("整改后.jpg", "blue")],
                                acting_user=users["county_admin"])
    assert FollowUp.objects.get(pk=follow_up.pk).status == FollowUpStatus.CLOSED


def test_overdue_follow_ups(task, users):
    record = submitted(task, users["inspector"], problem=Handling.RECTIFIED)
    follow_up = FollowUp.objects.get(record=record)
    assert not FollowUp.objects.overdue().exists()
    later = follow_up.due_date + datetime.timedelta(days=1)
    assert list(FollowUp.objects.overdue(today=later)) == [follow_up]
    assert follow_up.is_overdue(later)
    assert list(FollowUp.objects.visible_to(users["county_admin"]).overdue(today=later)) == [follow_up]
    assert not FollowUp.objects.visible_to(users["other_county_admin"]).overdue(today=later).exists()


def test_planning_a_visit(task, users, team):
    today = timezone.localdate()
    schedule = services.do_plan_visit(task, planned_on=today, acting_user=users["inspector"])
    assert schedule.planned_on == today
    with pytest.raises(ValidationError, match="晚于任务完成期限"):
        services.do_plan_visit(task, planned_on=task.deadline + datetime.timedelta(days=1),
                               acting_user=users["inspector"])
    with pytest.raises(PermissionDenied):
        services.do_plan_visit(task, planned_on=today, acting_user=team["outsider"])


def test_the_phone_list_shows_a_recheck_in_progress(recheck, users, django_assert_max_num_queries):
    inspector = users["inspector"]
    client = Client()
    client.force_login(inspector)
    page = client.get(reverse("fieldwork:my_tasks")).content.decode()
    assert recheck.number in page and "填写中" not in page.split(recheck.number, 1)[1].split("</a>", 1)[0]
    services.do_start_recheck_record(recheck, acting_user=inspector)
    with django_assert_max_num_queries(15):  # the records of every re-check come in one prefetch
        page = client.get(reverse("fieldwork:my_tasks")).content.decode()
    assert "填写中" in page.split(recheck.number, 1)[1].split("</a>", 1)[0]


def test_the_approvals_page_shows_each_scope_its_requests_with_labelled_decisions(task, users):
    """审批: the head of the unit sees the pending amendment and on-site requests of his scope, each with a
    decision field that has its own label; another county's admin sees none of them; an inspector sees them
    but cannot decide; a decision posted from the page is stored."""
    original = submitted(task, users["inspector"])
    services.do_review_record(original, passed=True, acting_user=users["county_admin"])
    request = services.do_request_amendment(original, reason="漏记一张照片", acting_user=users["inspector"])
    url = reverse("fieldwork:approvals")

    def page(user) -> str:
        client = Client()
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        return response.content.decode()

    shown = page(users["county_admin"])
    assert "漏记一张照片" in shown
    label = f'<label class="form-label small mb-1" for="amendment-{request.pk}-decision">审批意见</label>'
    assert label in shown and f'id="amendment-{request.pk}-decision" name="decision"' in shown
    assert "漏记一张照片" in page(users["city_admin"])
    assert "漏记一张照片" not in page(users["other_county_admin"])
    as_inspector = page(users["inspector"])
    assert "漏记一张照片" in as_inspector and 'name="decision"' not in as_inspector

    client = Client()
    client.force_login(users["county_admin"])
    response = client.post(reverse("fieldwork:amendment_decide", args=[request.pk]),
                           {"approve": "1", "decision": "同意补记照片"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.state, request.decision) == (RequestState.APPROVED, "同意补记照片")
    assert "漏记一张照片" not in page(users["county_admin"])  # decided: no longer waiting


def test_each_request_on_the_approvals_page_has_its_own_choice_and_a_refusal_keeps_what_was_typed(
        task, items, team, tree, users):
    """Two requests wait: an amendment and an on-site check. Their 批准/不批准 radios had the same ids, so the
    label of the second form checked the first form's radio, and the second was refused for "no choice"."""
    original = submitted(task, users["inspector"])
    services.do_review_record(original, passed=True, acting_user=users["county_admin"])
    amendment = services.do_request_amendment(original, reason="漏记一张照片", acting_user=users["inspector"])
    listed = Target.objects.create(credit_code=code_for("130623", 2), name="涞水县乙建材有限公司",
                                   jurisdiction=tree["a"], positive_list=True)
    other = make_task(listed, items, [(team["first"], MemberRole.OFFICER), (team["second"], MemberRole.OFFICER)])
    draft = services.do_start_record(other, acting_user=users["inspector"])
    on_site = services.do_request_on_site(draft, reason="群众举报夜间偷排", acting_user=users["inspector"])
    client = Client()
    client.force_login(users["county_admin"])
    page = client.get(reverse("fieldwork:approvals")).content.decode()
    ids = re.findall(r'<input type="radio" class="btn-check" name="approve" id="([^"]+)"', page)
    assert len(ids) == 4 and len(set(ids)) == 4, ids
    for radio in ids:
        assert page.count(f'for="{radio}"') == 1
    # Refused for want of a choice: the same page again, this request's opinion as typed, the others untouched.
    response = client.post(reverse("fieldwork:on_site_decide", args=[on_site.pk]), {"decision": "同意现场核实"})
    assert response.status_code == 400
    again = response.content.decode()
    assert f'id="on-site-{on_site.pk}-decision" name="decision" value="同意现场核实"' in again
    assert f'id="amendment-{amendment.pk}-decision" name="decision" value=""' in again
    assert any(str(m).startswith("审批结果：") for m in response.context["messages"])
    # Decided from this page, the head stays on it; from the record's page, he returns to the record.
    response = client.post(reverse("fieldwork:amendment_decide", args=[amendment.pk]),
                           {"approve": "0", "back": "approvals"})
    assert response.status_code == 400 and 'value="0" checked' in response.content.decode()
    assert 'name="back" value="approvals"' in response.content.decode()
    response = client.post(reverse("fieldwork:amendment_decide", args=[amendment.pk]),
                           {"approve": "0", "decision": "照片已在附件中", "back": "approvals"})
    assert response.status_code == 302 and response["Location"] == reverse("fieldwork:approvals")
    refused = client.post(reverse("fieldwork:on_site_decide", args=[on_site.pk]),
                          {"approve": "1", "decision": "同" * 1001})
    assert refused.status_code == 400 and f'value="{"同" * 1001}"' in refused.content.decode()
    assert OnSiteApproval.objects.get(pk=on_site.pk).state == RequestState.PENDING


def test_the_admin_who_asked_for_an_amendment_is_not_offered_its_decision(task, users):
    # A county admin asking for a correction was shown 批准/不批准 and an opinion box on the record and the
    # approvals page, and told "不能审批本人提出的申请" only once he had filled them in.
    original = submitted(task, users["inspector"])
    services.do_review_record(original, passed=True, acting_user=users["county_admin"])
    request = services.do_request_amendment(original, reason="检查时间有误", acting_user=users["county_admin"])
    decide = reverse("fieldwork:amendment_decide", args=[request.pk])

    def pages(user) -> list[str]:
        client = Client()
        client.force_login(user)
        return [client.get(url).content.decode() for url in (original.get_absolute_url(),
                                                              reverse("fieldwork:approvals"))]

    for shown in pages(users["county_admin"]):
        assert "检查时间有误" in shown and decide not in shown
        assert "本申请由您提出，须由另一位管理员审批" in shown
    for shown in pages(users["city_admin"]):
        assert decide in shown and "本申请由您提出" not in shown


def test_a_refused_amendment_decision_on_the_record_page_keeps_the_opinion(task, users):
    original = submitted(task, users["inspector"])
    services.do_review_record(original, passed=True, acting_user=users["county_admin"])
    amendment = services.do_request_amendment(original, reason="漏记一张照片", acting_user=users["inspector"])
    client = Client()
    client.force_login(users["county_admin"])
    response = client.post(reverse("fieldwork:amendment_decide", args=[amendment.pk]), {"decision": "同意补记"})
    assert response.status_code == 400 and response.context["record"] == original
    assert f'id="amendment-{amendment.pk}-decision" name="decision" value="同意补记"' in response.content.decode()
    # said with the colon of the page's language ("Decision：This field is required." in English)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(reverse("fieldwork:amendment_decide", args=[amendment.pk]), {"decision": "同意补记"})
    told = [str(m) for m in response.context["messages"]]
    assert told and all("：" not in m for m in told) and any(": This field is required" in m for m in told), told
    assert AmendmentRequest.objects.get(pk=amendment.pk).state == RequestState.PENDING


def test_after_the_visit_is_sealed_nobody_is_substituted_and_the_team_page_says_who_signed(
        task, team, tree, users):
    """A task whose record is sealed keeps its team and its target: an ill officer or a closed target is
    replaced before the visit, not after. Someone drawn who did not sign (a later plan's draw merged into a
    visit already made) is marked on the task page."""
    from shuangsuiji.planning import services as planning
    from shuangsuiji.planning.models import TaskMember

    record = submitted(task, users["inspector"])
    later = Inspector.objects.create(name="王五", certificate_number="13062300009",
                                     certificate_expiry=timezone.localdate() + datetime.timedelta(days=900),
                                     jurisdiction=tree["a"], department=tree["departments"]["130623"])
    draw = task.members.first().draw
    TaskMember.objects.create(task=task, draw=draw, inspector=later, role=MemberRole.OFFICER, slot=9,
                              slot_kind="officer")
    admin = users["county_admin"]
    with pytest.raises(ValidationError, match=f"检查记录 {record.number} 已提交封存"):
        planning.do_substitute_inspector(task, team["second"], reason="病假", acting_user=admin)
    Target.objects.filter(pk=task.target_id).update(status="defunct", defunct_date=timezone.localdate())
    with pytest.raises(ValidationError, match="不能再递补或替换"):
        planning.do_substitute_target(task, reason="已关停", acting_user=admin)
    assert task.members.filter(active=True).count() == 3 and task.substitutions.count() == 0
    client = Client()
    client.force_login(admin)
    page = client.get(reverse("planning:task_detail", args=[task.pk])).content.decode()
    assert f"检查已完成，检查记录 {record.number} 已提交封存" in page
    assert "<summary>替换" not in page and "对象已关停：按号签递补" not in page
    marked = page.split(">王五")[1].split("</td>")[0]
    assert "未在检查记录上签名" in marked
    assert page.count("未在检查记录上签名") == 1  # the two who signed are not marked
    response = client.post(reverse("planning:task_substitute_inspector", args=[task.pk]),
                           {"member": task.members.get(inspector=team["second"]).pk, "reason": "病假"}, follow=True)
    assert any("已提交封存" in str(m) for m in response.context["messages"])


def test_an_admin_drawn_onto_the_team_reviews_neither_its_record_nor_its_correction(task, users, team):
    """The county admin also holds the second officer's record (the team's 李四): he may not pass or return the
    record his own team made, nor approve its correction; another admin may."""
    admin = users["county_admin"]
    admin.inspector = team["second"]
    team["partner"].inspector = None
    team["partner"].save()
    admin.save()
    record = submitted(task, users["inspector"])
    with pytest.raises(PermissionDenied, match="检查组成员"):
        services.do_review_record(record, passed=True, acting_user=admin)
    assert InspectionRecord.objects.get(pk=record.pk).state == RecordState.PENDING  # not reviewed
    services.do_review_record(record, passed=True, acting_user=users["city_admin"])
    request = services.do_request_amendment(record, reason="漏记一张照片", acting_user=users["inspector"])
    with pytest.raises(PermissionDenied, match="检查组成员"):
        services.do_decide_amendment(request, approve=True, decision="同意", acting_user=admin)
    services.do_decide_amendment(request, approve=True, decision="同意", acting_user=users["city_admin"])
