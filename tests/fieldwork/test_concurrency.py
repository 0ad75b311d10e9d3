"""Two people of a team, or two admins, act on the same record or follow-up at the same moment (two phones, two
tabs): the second waits for the first and is told what the first did; nothing is stored or audited twice."""

import pytest
from django.urls import reverse
from django.utils import timezone

from shuangsuiji.accounts.models import Role, User
from shuangsuiji.audit.models import Event
from shuangsuiji.fieldwork import services
from shuangsuiji.fieldwork.models import (
    AmendmentRequest,
    Attachment,
    FollowUp,
    Handling,
    InspectionRecord,
    RecordReview,
    Signature,
)
from tests.clients import signed_in
from tests.concurrency import collide, require_postgres

from .conftest import fill, photo, sign_all, signature_png, submitted

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.postgres_only
def test_two_inspectors_register_the_case_at_once(task, users, team):
    """立案 from two phones: the second waits for the first and is stored as a correction of it (the audit trail
    says what it replaced); before, the step ran outside a transaction and the page answered 500."""
    require_postgres()
    record = submitted(task, users["inspector"], problem=Handling.CASE)
    follow_up = FollowUp.objects.get(record=record)
    today = timezone.localdate()
    partner = signed_in(team["partner"])

    first, second = collide(
        lambda: services.do_register_case(follow_up, case_number="涞环立〔2026〕30号", filed_on=today,
                                          acting_user=users["inspector"]),
        lambda: partner.post(reverse("fieldwork:followup_case", args=[follow_up.pk]),
                             {"case_number": "涞环立〔2026〕31号", "case_filed_on": today.isoformat()}))
    assert first.error is None and second.error is None, (first.error, second.error)
    assert second.value.status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.case_number == "涞环立〔2026〕31号"
    events = list(Event.objects.filter(action="followup.case", object_id=str(follow_up.pk)).order_by("id"))
    assert [e.changes["case_number"] for e in events] == [["", "涞环立〔2026〕30号"],
                                                         ["涞环立〔2026〕30号", "涞环立〔2026〕31号"]]


@pytest.mark.postgres_only
def test_two_admins_review_the_same_record_at_once(task, users, tree):
    require_postgres()
    record = submitted(task, users["inspector"])
    other = User.objects.create_user(username="county_admin2", password="pw", role=Role.COUNTY_ADMIN,
                                     jurisdiction=tree["a"])
    first, second = collide(
        lambda: services.do_review_record(record, passed=True, acting_user=users["county_admin"]),
        lambda: signed_in(other).post(reverse("fieldwork:record_review", args=[record.pk]),
                                       {"passed": "0", "reason": "现场照片不清楚"}))
    assert first.error is None and second.error is None, (first.error, second.error)
    assert second.value.status_code == 400
    page = second.value.content.decode()
    assert "该记录已由county_admin于" in page and "审核：通过" in page
    assert RecordReview.objects.filter(record=record).count() == 1
    assert not InspectionRecord.objects.filter(amends=record).exists()
    assert Event.objects.filter(action="record.review", object_id=str(record.pk)).count() == 1


@pytest.mark.postgres_only
def test_two_admins_decide_the_same_amendment_request_at_once(task, users, tree):
    require_postgres()
    record = submitted(task, users["inspector"])
    request = services.do_request_amendment(record, reason="开始时间填错", acting_user=users["inspector"])
    other = User.objects.create_user(username="county_admin2", password="pw", role=Role.COUNTY_ADMIN,
                                     jurisdiction=tree["a"])
    first, second = collide(
        lambda: services.do_decide_amendment(request, approve=True, decision="同意", acting_user=users["county_admin"]),
        lambda: services.do_decide_amendment(request, approve=False, decision="不同意", acting_user=other))
    assert first.error is None
    assert "该申请已由county_admin于" in second.refused and second.refused.endswith("：已批准")
    assert AmendmentRequest.objects.get(pk=request.pk).state == "approved"
    assert InspectionRecord.objects.filter(amends=record).count() == 1


@pytest.mark.postgres_only
def test_two_admins_decide_the_same_on_site_request_at_once(task, users, tree):
    require_postgres()
    record = services.do_start_record(task, acting_user=users["inspector"])
    InspectionRecord.objects.filter(pk=record.pk).update(positive_list=True, mode="off_site")
    approval = services.do_request_on_site(record, reason="群众举报夜间偷排", acting_user=users["inspector"])
    first, second = collide(
        lambda: services.do_decide_on_site(approval, approve=False, decision="先非现场核查",
                                           acting_user=users["county_admin"]),
        lambda: services.do_decide_on_site(approval, approve=True, decision="同意", acting_user=users["city_admin"]))
    assert first.error is None
    assert "该申请已由county_admin于" in second.refused and second.refused.endswith("：未批准")
    record.refresh_from_db()
    assert record.on_site_approval_id is None and record.mode == "off_site"


@pytest.mark.postgres_only
def test_two_inspectors_submit_the_same_record_at_once(task, users, team):
    require_postgres()
    record = services.do_start_record(task, acting_user=users["inspector"])
    fill(record, users["inspector"])
    sign_all(record, users["inspector"])
    first, second = collide(
        lambda: services.do_submit_record(record, acting_user=users["inspector"]),
        lambda: services.do_submit_record(record, acting_user=team["partner"]))
    assert first.error is None
    assert "该记录已于" in second.refused and "提交" in second.refused
    assert Event.objects.filter(action="record.seal", object_id=str(record.pk)).count() == 1


@pytest.mark.postgres_only
def test_two_phones_remove_the_same_photo_at_once(task, users, team):
    """The second removal finds the photo gone: told who removed it, and no second audit event or revision."""
    require_postgres()
    record = services.do_start_record(task, acting_user=users["inspector"])
    attachment = services.do_add_attachment(record, photo(), acting_user=users["inspector"])
    partner, pk = signed_in(team["partner"]), attachment.pk
    first, second = collide(
        lambda: services.do_remove_attachment(attachment, acting_user=users["inspector"]),
        lambda: partner.post(reverse("fieldwork:attachment_delete", args=[pk]), {"confirm": "1"}, follow=True))
    assert first.error is None and second.error is None, (first.error, second.error)
    assert second.value.status_code == 200
    assert "已由inspector于" in second.value.content.decode()
    assert not Attachment.objects.filter(pk=pk).exists()
    assert Event.objects.filter(action="record.detach", object_id=str(record.pk)).count() == 1
    before = record.revision
    record.refresh_from_db()
    assert record.revision == before + 2  # the attachment and its one removal


@pytest.mark.postgres_only
def test_two_phones_remove_the_same_signature_at_once(task, users, team):
    require_postgres()
    record = services.do_start_record(task, acting_user=users["inspector"])
    signature = services.do_sign(record, acting_user=users["inspector"], png=signature_png(1), revision=record.revision,
                                 inspector=team["first"])
    pk = signature.pk
    first, second = collide(
        lambda: services.do_remove_signature(signature, acting_user=users["inspector"]),
        # his two phones (only he removes his signature)
        lambda: services.do_remove_signature(Signature.objects.get(pk=pk), acting_user=users["inspector"]))
    assert first.error is None
    assert "张三的签名已由inspector于" in second.refused
    assert not Signature.objects.filter(record=record).exists()
    assert Event.objects.filter(action="record.unsign", object_id=str(record.pk)).count() == 1


@pytest.mark.postgres_only
def test_two_inspectors_close_the_same_follow_up_at_once(task, users, team):
    require_postgres()
    record = submitted(task, users["inspector"], problem=Handling.RECTIFIED)
    follow_up = FollowUp.objects.get(record=record)
    first, second = collide(
        lambda: services.do_close_follow_up(follow_up, note="已整改", files=[photo()], acting_user=users["inspector"]),
        lambda: services.do_close_follow_up(follow_up, note="整改完毕", files=[photo(color="red")],
                                            acting_user=team["partner"]))
    assert first.error is None
    assert "该问题已由inspector于" in second.refused and "办结" in second.refused
    follow_up.refresh_from_db()
    assert follow_up.closing_note == "已整改" and follow_up.evidence.count() == 1
    assert Event.objects.filter(action="followup.close", object_id=str(follow_up.pk)).count() == 1


@pytest.mark.postgres_only
def test_an_amendment_approved_while_another_admin_returns_the_record(task, users, tree):
    """Both open the record's amendment: the second is refused in words (it was a 500 on the unique number, or
    on the one open request a record may have), and the record has one amendment."""
    require_postgres()
    record = submitted(task, users["inspector"])
    request = services.do_request_amendment(record, reason="开始时间填错", acting_user=users["inspector"])
    other = User.objects.create_user(username="county_admin2", password="pw", role=Role.COUNTY_ADMIN,
                                     jurisdiction=tree["a"])
    first, second = collide(
        lambda: services.do_decide_amendment(request, approve=True, decision="同意", acting_user=users["county_admin"]),
        lambda: signed_in(other).post(reverse("fieldwork:record_review", args=[record.pk]),
                                       {"passed": "0", "reason": "现场照片不清楚"}))
    assert first.error is None and second.error is None, (first.error, second.error)
    assert second.value.status_code == 400
    assert "已有更正记录" in second.value.content.decode()
    assert InspectionRecord.objects.filter(amends=record).count() == 1
    assert not RecordReview.objects.filter(record=record).exists()


@pytest.mark.postgres_only
def test_a_return_in_review_while_the_team_asks_for_an_amendment(task, users, team):
    """The team's request waits for the review: the return has opened the amendment, and the request is told so."""
    require_postgres()
    record = submitted(task, users["inspector"])
    first, second = collide(
        lambda: services.do_review_record(record, passed=False, reason="现场照片不清楚",
                                          acting_user=users["county_admin"]),
        lambda: services.do_request_amendment(record, reason="开始时间填错", acting_user=team["partner"]))
    assert first.error is None
    assert "已有更正记录" in second.refused, second.error
    assert InspectionRecord.objects.filter(amends=record).count() == 1


def test_a_return_in_review_after_the_team_asked_for_an_amendment(task, users):
    """Not even a race (so on both databases): a pending request of the team, then a return in review, was a 500
    (one open request per record). The return now answers the team's request: approved, with the amendment."""
    record = submitted(task, users["inspector"])
    request = services.do_request_amendment(record, reason="开始时间填错", acting_user=users["inspector"])
    response = signed_in(users["county_admin"]).post(reverse("fieldwork:record_review", args=[record.pk]),
                                                      {"passed": "0", "reason": "现场照片不清楚"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.state == "approved" and request.amendment is not None
    assert InspectionRecord.objects.filter(amends=record).count() == 1
