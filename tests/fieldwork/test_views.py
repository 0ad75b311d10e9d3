"""The pages, the JSON endpoints of the phone, the admin and the API: who sees what, and that no path writes a
sealed record."""

import base64
import datetime
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from shuangsuiji.accounts.models import Role, User
from shuangsuiji.disclosure.services import results_deadline
from shuangsuiji.engine.creditcode import complete
from shuangsuiji.fieldwork import services, views
from shuangsuiji.fieldwork.models import AmendmentRequest, FollowUp, Handling, InspectionRecord, Signature
from shuangsuiji.planning.models import Task
from shuangsuiji.registry.models import Target
from shuangsuiji.validators import REASON_LENGTH
from tests.clients import signed_in

from .conftest import fill, photo, sign_all, signature_png, submitted

pytestmark = pytest.mark.django_db


def form_data(record: InspectionRecord, **changes) -> dict:
    """What the phone form posts: every field of the record and its items, as the page rendered them."""
    data = {"revision": str(record.revision), "mode": record.mode, "place": record.place,
            "credit_code": record.credit_code, "target_name": record.target_name,
            "legal_representative": record.legal_representative, "contact_name": record.contact_name,
            "contact_phone": record.contact_phone, "address": record.address, "permit_number": record.permit_number,
            "findings": record.findings, "site_manager_name": record.site_manager_name,
            "site_manager_position": record.site_manager_position, "site_manager_phone": record.site_manager_phone,
            "site_manager_statement": record.site_manager_statement,
            "started_at": timezone.localtime(record.started_at).strftime("%Y-%m-%dT%H:%M") if record.started_at else "",
            "ended_at": timezone.localtime(record.ended_at).strftime("%Y-%m-%dT%H:%M") if record.ended_at else ""}
    for item in record.items.all():
        prefix = f"item-{item.pk}"
        data.update({f"{prefix}-outcome": item.outcome, f"{prefix}-notes": item.notes,
                     f"{prefix}-handling": item.handling, f"{prefix}-transfer_to": item.transfer_to,
                     f"{prefix}-rectification": item.rectification,
                     f"{prefix}-deadline": item.deadline.isoformat() if item.deadline else ""})
    data.update(changes)
    return data


def test_the_inspector_sees_his_tasks_and_only_his(task, users, team, tree, items):
    from shuangsuiji.registry.models import Target

    from .conftest import code_for, make_task

    other = Target.objects.create(credit_code=code_for("130623", 7), name="涞水县乙建材厂", jurisdiction=tree["a"])
    foreign = make_task(other, items, [(team["outsider_inspector"], "officer"), (team["second"], "officer")])
    services.do_plan_visit(task, planned_on=timezone.localdate(), acting_user=users["inspector"])
    response = signed_in(users["inspector"]).get(reverse("fieldwork:my_tasks"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "涞水县甲化工有限公司" in page and "今日" in page
    assert "涞水县乙建材厂" not in page
    assert signed_in(users["inspector"]).get(reverse("fieldwork:task_brief", args=[foreign.pk])).status_code == 404
    brief = signed_in(users["inspector"]).get(reverse("fieldwork:task_brief", args=[task.pk])).content.decode()
    for expected in ("geo:39.393100,115.713900", "污染防治设施运行情况", "检查污染防治设施是否正常运行", "李四",
                     "开始检查，填写记录表"):
        assert expected in brief, expected


def test_the_brief_says_whether_a_visit_is_scheduled(task, users):
    """The date field starts at today for a task not scheduled yet: without a word, the inspector could not tell
    a date he had set from the default."""
    client = signed_in(users["inspector"])
    url = reverse("fieldwork:task_brief", args=[task.pk])
    brief = client.get(url).content.decode()
    assert "尚未安排" in brief and "改期" not in brief
    day = task.deadline - datetime.timedelta(days=1)
    response = client.post(reverse("fieldwork:task_plan", args=[task.pk]), {"planned_on": day.isoformat()})
    assert response.status_code == 302
    brief = client.get(url).content.decode()
    assert "已安排" in brief and "尚未安排" not in brief and "改期" in brief
    assert f'value="{day.isoformat()}"' in brief


def test_records_are_404_outside_scope_and_for_other_teams(task, users, team):
    record = submitted(task, users["inspector"])
    url = reverse("fieldwork:record_detail", args=[record.pk])
    expected = {"inspector": 200, "county_admin": 200, "city_admin": 200, "leader": 200, "department_user": 200,
                "other_county_admin": 404}
    for name, status in expected.items():
        assert signed_in(users[name]).get(url).status_code == status, name
    assert signed_in(team["partner"]).get(url).status_code == 200
    assert signed_in(team["outsider"]).get(url).status_code == 404
    assert signed_in(team["outsider"]).get(reverse("fieldwork:record_pdf", args=[record.pk])).status_code == 404
    signature = record.signatures.first()
    assert signed_in(team["outsider"]).get(
        reverse("fieldwork:signature_image", args=[record.pk, signature.pk])).status_code == 404
    listing = signed_in(team["outsider"]).get(reverse("fieldwork:record_list")).content.decode()
    assert record.number not in listing
    assert record.number in signed_in(users["county_admin"]).get(reverse("fieldwork:record_list")).content.decode()
    assert record.number not in signed_in(users["other_county_admin"]).get(
        reverse("fieldwork:record_list")).content.decode()


def test_the_form_saves_a_draft_and_names_what_is_missing_on_submit(task, users):
    client = signed_in(users["inspector"])
    response = client.post(reverse("fieldwork:task_start", args=[task.pk]))
    record = InspectionRecord.objects.get(task=task)
    assert response.url == reverse("fieldwork:record_edit", args=[record.pk])
    page = client.get(response.url).content.decode()
    assert "污染源现场检查记录表" in page and "提交并封存" in page
    response = client.post(response.url, form_data(record, findings="车间正常生产。", action="save"))
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.findings == "车间正常生产。" and record.revision == 1
    response = client.post(reverse("fieldwork:record_edit", args=[record.pk]), form_data(record, action="submit"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "提交前请补充或更正以下内容" in page
    assert "请填写检查开始时间" in page and "张三 尚未签名" in page and "请选择“污染防治设施运行情况”的检查结果" in page
    assert not InspectionRecord.objects.get(pk=record.pk).is_sealed


def test_the_form_submits_and_then_refuses_to_edit(task, users):
    user = users["inspector"]
    record = fill(services.do_start_record(task, acting_user=user), user)
    sign_all(record, user)
    client = signed_in(user)
    response = client.post(reverse("fieldwork:record_edit", args=[record.pk]),
                           form_data(record, action="submit", confirm="1"))
    assert response.status_code == 302 and response.url == record.get_absolute_url()
    record.refresh_from_db()
    assert record.is_sealed
    detail = client.get(record.get_absolute_url()).content.decode()
    assert record.seal_hash in detail and "待审核" in detail
    # The form is gone for a sealed record; a stale tab posting again changes nothing.
    assert client.get(reverse("fieldwork:record_edit", args=[record.pk])).status_code == 302
    response = client.post(reverse("fieldwork:record_edit", args=[record.pk]),
                           form_data(record, findings="改写", action="submit", confirm="1"))
    assert response.status_code == 302
    response = client.post(reverse("fieldwork:record_draft", args=[record.pk]), form_data(record, findings="改写"))
    assert response.status_code == 409 and response.json()["sealed"]
    assert InspectionRecord.objects.get(pk=record.pk).findings == "检查了生产车间和治理设施。"


def test_autosave_answers_json_and_refuses_a_stale_revision(task, users, team):
    record = services.do_start_record(task, acting_user=users["inspector"])
    url = reverse("fieldwork:record_draft", args=[record.pk])
    response = signed_in(users["inspector"]).post(url, form_data(record, place="一号车间"))
    assert response.status_code == 200 and response.json()["revision"] == 1
    stale = signed_in(team["partner"]).post(url, form_data(record, place="二号车间"))  # still revision 0
    assert stale.status_code == 409 and stale.json()["revision"] == 1
    assert "草稿已被他人" in stale.json()["message"]
    bad = signed_in(users["inspector"]).post(url, form_data(record, revision="1", started_at="昨天"))
    assert bad.status_code == 400 and "started_at" in bad.json()["errors"]
    assert signed_in(team["outsider"]).post(url, form_data(record)).status_code == 404


def test_signing_from_the_phone(task, users):
    user = users["inspector"]
    record = fill(services.do_start_record(task, acting_user=user), user)
    client = signed_in(user)
    url = reverse("fieldwork:record_sign", args=[record.pk])
    data_url = "data:image/png;base64," + base64.b64encode(signature_png()).decode()
    drawn = (timezone.now() - datetime.timedelta(minutes=5)).isoformat()
    response = client.post(url, {"signer": f"inspector:{user.inspector_id}", "png": data_url,
                                 "revision": str(record.revision), "signed_at": drawn})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["name"] == "张三"
    assert {"key": f"inspector:{user.inspector_id}", "state": "ok", "signed_at": body["signed_at"]} in body["signers"]
    signature = Signature.objects.get(record=record)
    assert abs((signature.signed_at - datetime.datetime.fromisoformat(drawn)).total_seconds()) < 1
    stale = client.post(url, {"signer": "site_manager", "png": data_url, "revision": str(record.revision - 1)})
    assert stale.status_code == 409
    blank = "data:image/png;base64," + base64.b64encode(signature_png(blank=True)).decode()
    response = client.post(url, {"signer": "site_manager", "png": blank, "revision": str(record.revision)})
    assert response.status_code == 400 and "签名为空" in response.json()["message"]


def test_photos_from_the_phone_are_hashed(task, users, team):
    record = services.do_start_record(task, acting_user=users["inspector"])
    url = reverse("fieldwork:attachment_add", args=[record.pk])
    taken = int((timezone.now() - datetime.timedelta(hours=1)).timestamp() * 1000)
    response = signed_in(users["inspector"]).post(url, {"file": photo(), "taken_at": str(taken)},
                                                   HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    attachment = record.attachments.get()
    assert response.json()["sha256"] == attachment.sha256 and len(attachment.sha256) == 64
    assert attachment.taken_at is not None
    url = reverse("fieldwork:attachment_file", args=[attachment.pk])
    assert signed_in(team["partner"]).get(url).status_code == 200
    assert signed_in(team["outsider"]).get(url).status_code == 404


def test_review_by_page_and_the_publishable_queryset(task, users):
    record = submitted(task, users["inspector"])
    url = reverse("fieldwork:record_review", args=[record.pk])
    signed_in(users["inspector"]).post(url, {"passed": "1"})
    assert not InspectionRecord.objects.publishable().exists()
    assert signed_in(users["other_county_admin"]).post(url, {"passed": "1"}).status_code == 404
    signed_in(users["county_admin"]).post(url, {"passed": "0", "reason": ""})
    assert not hasattr(InspectionRecord.objects.get(pk=record.pk), "review") or \
        not InspectionRecord.objects.filter(pk=record.pk, review__isnull=False).exists()
    signed_in(users["county_admin"]).post(url, {"passed": "1", "reason": ""})
    assert list(InspectionRecord.objects.publishable()) == [record]


def test_a_review_opinion_past_its_length_is_refused_by_name_and_nothing_is_stored(task, users):
    record = submitted(task, users["inspector"])
    admin = signed_in(users["county_admin"])
    response = admin.post(reverse("fieldwork:record_review", args=[record.pk]),
                          {"passed": "0", "reason": "请补充现场照片。" + "。" * REASON_LENGTH}, follow=True)
    told = [str(m) for m in response.context["messages"]]
    assert any(m.startswith("审核意见：") and str(REASON_LENGTH) in m for m in told), told
    assert not InspectionRecord.objects.filter(pk=record.pk, review__isnull=False).exists()
    assert not InspectionRecord.objects.filter(amends=record).exists()  # no correction draft either
    missing = admin.post(reverse("fieldwork:record_review", args=[record.pk]), {"reason": "好"}, follow=True)
    assert any(str(m).startswith("审核结果：") for m in missing.context["messages"])


def test_a_refused_review_comes_back_with_the_choice_and_the_opinion_as_typed(task, users):
    record = submitted(task, users["inspector"])
    admin = signed_in(users["county_admin"])
    opinion = "请补充现场照片，" + "并核对排放口编号。" * 120  # past the length limit: the reviewer's work is kept
    response = admin.post(reverse("fieldwork:record_review", args=[record.pk]), {"passed": "0", "reason": opinion})
    assert response.status_code == 400
    page = response.content.decode()
    assert f">{opinion}</textarea>" in page
    assert re.search(r'name="passed" id="[^"]+" value="0" checked', page)
    assert not re.search(r'name="passed" id="[^"]+" value="1" checked', page)
    assert any(str(m).startswith("审核意见：") for m in response.context["messages"])
    assert not InspectionRecord.objects.filter(pk=record.pk, review__isnull=False).exists()
    # Returned without an opinion: the service's refusal, the choice kept.
    response = admin.post(reverse("fieldwork:record_review", args=[record.pk]), {"passed": "0", "reason": " "})
    assert response.status_code == 400 and "退回须写明理由" in response.content.decode()
    assert re.search(r'name="passed" id="[^"]+" value="0" checked', response.content.decode())
    # An amendment request refused keeps its reason too; a stranger to the record is told he may not.
    reason = "笔误" * 600
    response = signed_in(users["inspector"]).post(reverse("fieldwork:record_amend", args=[record.pk]),
                                                   {"reason": reason})
    assert response.status_code == 400 and f">{reason}</textarea>" in response.content.decode()
    assert not AmendmentRequest.objects.exists()


def test_follow_up_pages_and_the_county_overdue_count(task, users):
    record = submitted(task, users["inspector"], problem=Handling.RECTIFIED)
    follow_up = FollowUp.objects.get(record=record)
    FollowUp.objects.filter(pk=follow_up.pk).update(due_date=timezone.localdate() - datetime.timedelta(days=1))
    admin = signed_in(users["county_admin"])
    overview = admin.get(reverse("fieldwork:home")).content.decode()
    assert 'id="overdue-count">1<' in overview
    assert "涞水县" in overview
    listing = admin.get(reverse("fieldwork:followup_list") + "?state=overdue").content.decode()
    assert "布袋除尘器破损" in listing and "逾期" in listing
    home = admin.get(reverse("home")).content.decode()
    assert 'title="逾期未办结问题">1<' in home  # the menu flags it on every page
    for role in ("department_user", "inspector"):  # neither follows the county's problems as a whole
        assert "逾期未办结问题" not in signed_in(users[role]).get(reverse("home")).content.decode()
    assert 'title="逾期未办结问题">1<' in signed_in(users["city_admin"]).get(reverse("home")).content.decode()
    assert signed_in(users["other_county_admin"]).get(follow_up.get_absolute_url()).status_code == 404
    response = admin.post(reverse("fieldwork:followup_close", args=[follow_up.pk]),
                          {"note": "已更换布袋", "files": [photo("整改后.jpg")], "confirm": "1"})
    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert not follow_up.is_open
    assert 'id="overdue-count">0<' in admin.get(reverse("fieldwork:home")).content.decode()


def test_penalty_decision_by_page(task, users, tree):
    record = submitted(task, users["inspector"], problem=Handling.CASE)
    follow_up = FollowUp.objects.get(record=record)
    admin = signed_in(users["county_admin"])
    admin.post(reverse("fieldwork:followup_case", args=[follow_up.pk]),
               {"case_number": "涞环立〔2024〕31号", "case_filed_on": timezone.localdate().isoformat()})
    page = admin.get(follow_up.get_absolute_url()).content.decode()
    assert "录入处罚决定并办结" in page and "更正立案信息" in page and "登记立案</button>" not in page
    # Nothing filled in: each missing field is named, not three bare "该字段是必填项".
    refused = admin.post(reverse("fieldwork:followup_penalty", args=[follow_up.pk]), {}, follow=True)
    text = refused.content.decode()
    for label in ("处罚决定书文号：", "处罚决定日期：", "作出处罚的科室："):
        assert label in text
    admin.post(reverse("fieldwork:followup_penalty", args=[follow_up.pk]), {
        "decision_number": "涞环罚〔2024〕31号", "decided_on": timezone.localdate().isoformat(),
        "department": tree["departments"]["130623"].pk, "amount": "20000", "confirm": "1"})
    follow_up.refresh_from_db()
    assert follow_up.penalty.decision_number == "涞环罚〔2024〕31号" and not follow_up.is_open


def test_the_department_user_enters_the_decision_on_the_page_once_the_case_is_filed(task, users, tree):
    """The county's department user (its legal or enforcement section) holds the penalty right: the page offers
    him 录入处罚决定并办结 once the case number is registered, and nothing else of the follow-up (立案, 办结 and
    evidence stay with the team and the admins). A department user of another county does not find the problem."""
    record = submitted(task, users["inspector"], problem=Handling.CASE)
    follow_up = FollowUp.objects.get(record=record)
    dept = signed_in(users["department_user"])
    waiting = dept.get(follow_up.get_absolute_url()).content.decode()
    assert 'id="penalty-waits"' in waiting and "检查组或管理员登记立案后，可在此录入处罚决定。" in waiting
    assert "录入处罚决定并办结" not in waiting and 'id="penalty-form"' not in waiting
    assert "登记立案</button>" not in waiting and 'id="close-form"' not in waiting
    services.do_register_case(follow_up, case_number="涞环立〔2024〕31号", filed_on=timezone.localdate(),
                              acting_user=users["county_admin"])
    page = dept.get(follow_up.get_absolute_url()).content.decode()
    assert 'id="penalty-form"' in page and "录入处罚决定并办结" in page and 'id="fw-penalty-modal"' in page
    assert "处罚决定由管理员或法制、执法科室录入。" not in page and 'id="penalty-waits"' not in page
    assert "更正立案信息" not in page and 'id="close-form"' not in page and "上传佐证材料" not in page
    response = dept.post(reverse("fieldwork:followup_penalty", args=[follow_up.pk]), {
        "decision_number": "涞环罚〔2024〕31号", "decided_on": timezone.localdate().isoformat(),
        "department": tree["departments"]["130623"].pk, "amount": "20000", "confirm": "1"}, follow=True)
    assert "处罚决定已录入行政处罚库，问题已办结" in response.content.decode()
    follow_up.refresh_from_db()
    assert follow_up.penalty.decision_number == "涞环罚〔2024〕31号" and not follow_up.is_open
    closed = dept.get(follow_up.get_absolute_url()).content.decode()
    assert 'id="penalty-form"' not in closed and 'id="fw-penalty-modal"' not in closed
    elsewhere = User.objects.create_user(username="fuping_dept", password="pw", role=Role.DEPARTMENT,
                                         jurisdiction=tree["b"], department=tree["departments"]["130624"])
    assert signed_in(elsewhere).get(follow_up.get_absolute_url()).status_code == 404


def test_a_refused_follow_up_step_comes_back_as_typed_with_the_problem_at_its_field(task, users, tree):
    """A penalty decision refused for its date came back empty: number, amount and a long violation text."""
    record = submitted(task, users["inspector"], problem=Handling.CASE)
    follow_up = FollowUp.objects.get(record=record)
    admin = signed_in(users["county_admin"])
    visit = timezone.localdate(record.started_at)
    early = admin.post(reverse("fieldwork:followup_case", args=[follow_up.pk]),
                       {"case_number": "涞环立〔2019〕1号", "case_filed_on": "2019-01-01"})
    assert early.status_code == 400
    form = early.context["case_form"]
    assert form["case_number"].value() == "涞环立〔2019〕1号"
    assert form.errors["case_filed_on"] == [f"立案日期不能早于发现该问题的现场检查（{visit}）"]
    filed = timezone.localdate()
    admin.post(reverse("fieldwork:followup_case", args=[follow_up.pk]),
               {"case_number": "涞环立〔2024〕31号", "case_filed_on": filed.isoformat()})
    violation = "未按规定运行废气治理设施，" * 80
    refused = admin.post(reverse("fieldwork:followup_penalty", args=[follow_up.pk]), {
        "decision_number": "涞环罚〔2024〕31号", "decided_on": (filed - datetime.timedelta(days=1)).isoformat(),
        "department": tree["departments"]["130623"].pk, "amount": "50000", "violation": violation,
        "confirm": "1"})
    assert refused.status_code == 400
    page = refused.content.decode()
    assert 'value="涞环罚〔2024〕31号"' in page and 'value="50000"' in page and violation in page
    assert refused.context["penalty_form"].errors["decided_on"] == ["处罚决定日期早于立案日期"]
    assert FollowUp.objects.get(pk=follow_up.pk).is_open
    note = "企业已停产整改，" * 30
    closed = admin.post(reverse("fieldwork:followup_close", args=[follow_up.pk]), {"note": note, "confirm": "1"})
    assert closed.status_code == 400 and note in closed.content.decode()  # refused (no evidence), kept


def test_the_pdf_page(task, users):
    record = submitted(task, users["inspector"])
    response = signed_in(users["leader"]).get(reverse("fieldwork:record_pdf", args=[record.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_the_admin_cannot_change_a_record(task, users, admin_user):
    record = submitted(task, users["inspector"])
    client = signed_in(admin_user)
    url = reverse("admin:fieldwork_inspectionrecord_change", args=[record.pk])
    assert client.get(url).status_code == 200  # readable
    response = client.post(url, {"findings": "改写", "place": "别处"})
    assert response.status_code == 403
    assert client.post(reverse("admin:fieldwork_inspectionrecord_delete", args=[record.pk]),
                       {"post": "yes"}).status_code == 403
    assert InspectionRecord.objects.get(pk=record.pk).findings == "检查了生产车间和治理设施。"


def test_the_api_serves_sealed_records_read_only(task, users, team):
    record = submitted(task, users["inspector"])
    client = signed_in(users["county_admin"])
    listing = client.get("/api/fieldwork/records/").json()
    assert [r["number"] for r in listing["results"]] == [record.number]
    detail = client.get(f"/api/fieldwork/records/{record.pk}/").json()
    assert detail["seal_hash"] == record.seal_hash and detail["state"] == "pending"
    assert [s["name"] for s in detail["signatures"]] == ["张三", "李四", "钱经理"]
    for method in ("put", "patch", "delete"):
        response = getattr(client, method)(f"/api/fieldwork/records/{record.pk}/", {"findings": "改写"},
                                           content_type="application/json")
        assert response.status_code == 405, method
    assert client.post("/api/fieldwork/records/", {}, content_type="application/json").status_code == 405
    assert signed_in(users["other_county_admin"]).get(f"/api/fieldwork/records/{record.pk}/").status_code == 404
    assert signed_in(team["outsider"]).get("/api/fieldwork/records/").json()["results"] == []
    assert InspectionRecord.objects.get(pk=record.pk).findings == "检查了生产车间和治理设施。"



def test_the_api_finds_a_targets_records_by_its_credit_code_however_it_is_typed(task, users):
    Target.objects.filter(pk=task.target_id).update(credit_code=complete("91130623MA0A0000Q"))  # letters in it
    task.target.refresh_from_db()
    record = submitted(task, users["inspector"])
    assert any(c.isalpha() for c in record.credit_code)
    client = signed_in(users["county_admin"])
    for typed in (record.credit_code, record.credit_code.lower(), f" {record.credit_code.lower()} "):
        found = client.get("/api/fieldwork/records/", {"credit_code": typed}).json()["results"]
        assert [r["number"] for r in found] == [record.number], typed
    assert client.get("/api/fieldwork/records/", {"credit_code": "91130600MA0000000X"}).json()["count"] == 0

def test_the_api_reads_yes_or_no_strictly_and_refuses_a_parameter_it_does_not_know(task, users):
    """?publishable=1 was ignored (django-filter reads only true/false): a client syncing publishable records
    got the unreviewed ones too. A misspelt parameter was ignored the same way."""
    record = submitted(task, users["inspector"])
    client = signed_in(users["county_admin"])
    url = "/api/fieldwork/records/"
    for value in ("1", "true", "True", "yes"):
        assert client.get(url, {"publishable": value}).json()["count"] == 0, value  # not reviewed yet
    for value in ("0", "false", ""):
        assert client.get(url, {"publishable": value}).json()["count"] == 1, value
    refused = client.get(url, {"publishable": "maybe"})
    assert refused.status_code == 400
    assert refused.json() == {"publishable": ["应为 true 或 false（也可写 1 或 0），收到“maybe”"]}
    services.do_review_record(record, passed=True, acting_user=users["county_admin"])
    assert [r["number"] for r in client.get(url, {"publishable": "1"}).json()["results"]] == [record.number]
    unknown = client.get(url, {"publishabel": "1", "page": "1"})
    assert unknown.status_code == 400 and list(unknown.json()) == ["publishabel"]
    assert "publishable" in unknown.json()["publishabel"][0] and "page" in unknown.json()["publishabel"][0]
    # The same on the other lists, whose yes-or-no fields come from the model (is_joint, is_external).
    assert client.get("/api/planning/tasks/", {"is_joint": "maybe"}).status_code == 400
    assert client.get("/api/planning/tasks/", {"mine": "1"}).json()["count"] == 0  # the admin is in no team
    assert client.get("/api/registry/inspectors/", {"is_external": "maybe"}).status_code == 400
    assert client.get("/api/registry/inspectors/", {"page_size": "500"}).status_code == 400
    for page, says in (("abc", "页码应为从 1 起的整数，收到“abc”"), ("0", "页码应为从 1 起的整数，收到“0”"),
                       ("9", "页码超出范围：共 1 页")):  # a 404 "无效页面" read as "no such list"
        response = client.get(url, {"page": page})
        assert response.status_code == 400 and response.json() == {"page": [says]}, page
    assert client.get(url, {"page": "1"}).json()["count"] == 1
    for code in ("abc", "999999"):  # an unknown division code is said to be unknown, not "no rows there"
        response = client.get(url, {"jurisdiction": code})
        assert response.status_code == 400 and response.json() == {"jurisdiction": [f"未知的行政区划代码：{code}"]}


def test_a_return_in_review_reads_in_the_readers_language_on_the_record_page(task, users, settings):
    """The system writes the return's decision itself (stored in Chinese, as the record's history); an
    English page showed it in Chinese beside English words."""
    record = submitted(task, users["inspector"])
    services.do_review_record(record, passed=False, reason="检查地点不具体", acting_user=users["county_admin"])
    client = signed_in(users["county_admin"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    try:
        page = client.get(reverse("fieldwork:record_detail", args=[record.pk])).content.decode()
    finally:
        translation.activate(settings.LANGUAGE_CODE)
    assert "Returned in review; correct and submit again" in page and "审核退回，更正后重新提交" not in page
    assert "检查地点不具体" in page  # what the reviewer wrote stays as written


def test_the_phone_form_in_english(task, users, settings):
    record = services.do_start_record(task, acting_user=users["inspector"])
    client = signed_in(users["inspector"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    try:
        page = client.get(reverse("fieldwork:record_edit", args=[record.pk])).content.decode()
    finally:
        # The language middleware activates the reader's language in this thread and leaves it there.
        translation.activate(settings.LANGUAGE_CODE)
    for english in ("Submit and seal", "Save draft", "Problem found", "Site manager of the inspected unit",
                    "Pollution-source inspection record"):
        assert english in page, english
    assert "提交并封存" not in page


def _script_text(page: str) -> dict:
    """The JSON block the phone page hands record.js, parsed as the browser would."""
    match = re.search(r'<script id="fw-text" type="application/json">(.*?)</script>', page, re.S)
    assert match, "the page has no script texts"
    return json.loads(match.group(1))


def test_the_phone_scripts_texts_are_json_in_the_readers_language(task, users, settings, monkeypatch):
    record = services.do_start_record(task, acting_user=users["inspector"])
    client = signed_in(users["inspector"])
    url = reverse("fieldwork:record_edit", args=[record.pk])
    assert _script_text(client.get(url).content.decode())["saved"] == "服务器保存于"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    try:
        english = _script_text(client.get(url).content.decode())
        # A translation holding a quote, a backslash or a closing tag stays one JSON string in its script.
        awkward = 'Saved "on the server" \\ </script><script>alert(1)</script>'
        monkeypatch.setattr(views, "_script_text", lambda: {"saved": awkward})
        tricky = client.get(url).content.decode()
    finally:
        translation.activate(settings.LANGUAGE_CODE)
    assert set(english) >= {"saved", "offlineSubmit", "signStale", "signIn"}
    assert not any(re.search(r"[\u4e00-\u9fff]", text) for text in english.values()), english
    assert _script_text(tricky) == {"saved": awkward}
    assert "<script>alert(1)" not in tricky


def test_an_autosave_with_bad_values_names_the_fields_as_the_form_labels_them(task, users):
    record = services.do_start_record(task, acting_user=users["inspector"])
    item = record.items.order_by("order").first()
    response = signed_in(users["inspector"]).post(reverse("fieldwork:record_draft", args=[record.pk]), {
        "started_at": "昨天上午", f"item-{item.pk}-deadline": "下周", "revision": record.revision})
    assert response.status_code == 400
    message = response.json()["message"]
    assert "检查开始时间" in message and f"{item.name}·整改期限" in message
    assert "started_at" not in message and f"item-{item.pk}" not in message


def test_a_returned_record_is_owed_on_the_phone_by_its_publication_deadline(task, users):
    record = submitted(task, users["inspector"])
    services.do_review_record(record, passed=False, reason="检查地点不具体", acting_user=users["county_admin"])
    # The task's own deadline has passed; the visit was made in time and the corrected record is what is owed.
    Task.objects.filter(pk=task.pk).update(deadline=timezone.localdate() - datetime.timedelta(days=5))
    ended = timezone.localdate(record.ended_at)
    due = results_deadline(ended.year, ended.month)[0]
    response = signed_in(users["inspector"]).get(reverse("fieldwork:my_tasks"))
    groups = response.context["groups"]
    assert not groups["overdue"]
    card = next(t for t in groups["today"] + groups["draft"] if t.pk == task.pk)  # edited today: "today"
    assert card.due == due and card.due_is_publication
    # To him it is the date his correction is owed by (its result's publication deadline, which he does not run).
    assert f"更正期限 <span class=\"\">{due:%Y-%m-%d}</span>" in response.content.decode()


def test_a_returned_record_whose_deadline_waits_for_next_years_holidays_says_so_on_the_phone(task, users,
                                                                                           monkeypatch):
    """A December visit's correction is owed by its result's publication deadline, in January; before the new
    year's holidays are entered it cannot be counted. The card showed the task's own deadline, long past, as if
    it were the one that mattered; it now says the date waits for the city office."""
    from shuangsuiji.engine import workdays

    record = submitted(task, users["inspector"])
    services.do_review_record(record, passed=False, reason="检查地点不具体", acting_user=users["county_admin"])
    Task.objects.filter(pk=task.pk).update(deadline=timezone.localdate() - datetime.timedelta(days=5))
    ended = timezone.localdate(record.ended_at)
    monkeypatch.setattr(workdays, "_PACKAGE_YEARS", range(2004, 2004))  # the calendar knows no year at all
    response = signed_in(users["inspector"]).get(reverse("fieldwork:my_tasks"))
    card = next(t for t in response.context["groups"]["today"] + response.context["groups"]["draft"]
                if t.pk == task.pk)
    due_year = ended.year + (ended.month == 12)
    assert card.due is None and card.due_pending == f"待市局录入{due_year}年放假安排"
    html = response.content.decode()
    assert f"更正期限 <span class=\"text-secondary\">待市局录入{due_year}年放假安排</span>" in html
    assert f"期限 {timezone.localdate() - datetime.timedelta(days=5):%Y-%m-%d}" not in html


def test_the_record_list_counts_problems_without_grouping_the_whole_scope(task, target, items, team, users):
    """The list shows each record's problem count and filters on it; the count must not come from a GROUP BY over
    every record of the scope (with its sealed content) before the page is cut — for the city's thousands of
    records that took seconds on every visit of /fieldwork/records/."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from shuangsuiji.registry.models import Target

    from .conftest import code_for, make_task

    with_problem = submitted(task, users["inspector"], problem=Handling.RECTIFIED)
    other = Target.objects.create(credit_code=code_for("130623", 8), name="涞水县丙纸业有限公司",
                                  jurisdiction=target.jurisdiction, address="涞水县创业路9号",
                                  legal_representative="孙丙")
    clean = submitted(make_task(other, items, [(team["first"], "officer"), (team["second"], "officer")]),
                      users["inspector"])
    client = signed_in(users["county_admin"])
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("fieldwork:record_list"))
    assert page.status_code == 200
    rows = {r.number: r.problem_count for r in page.context["page"].object_list}
    assert rows == {with_problem.number: 1, clean.number: 0}
    listing = [q["sql"] for q in queries.captured_queries if 'FROM "fieldwork_inspectionrecord"' in q["sql"]]
    assert listing and not any('GROUP BY "fieldwork_inspectionrecord"."id"' in sql for sql in listing)
    only = client.get(reverse("fieldwork:record_list"), {"problems": "1"}).context["page"].object_list
    assert [r.number for r in only] == [with_problem.number]


def test_the_phone_pages_read_right_in_english(task, users):
    """One Chinese word, several English ones: the task's one 检查对象 is a Target, its 执法人员 are Officers
    beside an expert, the pad opens with Sign under the heading Signatures; remarks take English brackets."""
    client = signed_in(users["inspector"])
    client.cookies["django_language"] = "en"
    brief = client.get(reverse("fieldwork:task_brief", args=[task.pk])).content.decode()
    assert ">Target</div>" in brief and "Check items (2)" in brief and ">Officer</span>" in brief
    assert "(me)" in brief and "（" not in brief.split("<main", 1)[-1].split("</main>")[0]
    record = services.do_start_record(task, acting_user=users["inspector"])
    form = client.get(reverse("fieldwork:record_edit", args=[record.pk])).content.decode()
    assert "9 · Signatures</div>" in form and form.count('fw-sign-button"') == form.count(">Sign</button>") >= 2


def test_a_file_that_is_no_picture_downloads_as_bytes_whatever_type_it_claimed(task, users, team):
    from django.core.files.uploadedfile import SimpleUploadedFile

    record = services.do_start_record(task, acting_user=users["inspector"])
    # a PDF the browser claimed was a page (a web page itself is refused: tests/fieldwork/test_file_types.py)
    document = SimpleUploadedFile("说明.pdf", b"%PDF-1.4 <script>alert(1)</script>", content_type="text/html")
    services.do_add_attachment(record, document, acting_user=users["inspector"])
    services.do_add_attachment(record, photo(), acting_user=users["inspector"])
    client = signed_in(users["inspector"])
    html, picture = record.attachments.order_by("id")
    served = client.get(reverse("fieldwork:attachment_file", args=[html.pk]))
    assert served["Content-Type"] == "application/octet-stream"
    assert served["Content-Disposition"].startswith("attachment")
    assert served["X-Content-Type-Options"] == "nosniff"
    shown = client.get(reverse("fieldwork:attachment_file", args=[picture.pk]))
    assert shown["Content-Type"] == "image/jpeg" and shown["Content-Disposition"].startswith("inline")


def test_a_photo_sent_again_after_a_lost_answer_is_attached_once(task, users):
    """The phone retries an upload whose answer the network lost; the server had it: the record keeps one copy and
    the retry is told about the one it has, with no second event."""
    from shuangsuiji.audit.models import Event

    record = services.do_start_record(task, acting_user=users["inspector"])
    url = reverse("fieldwork:attachment_add", args=[record.pk])
    client = signed_in(users["inspector"])
    first = client.post(url, {"file": photo()}, HTTP_ACCEPT="application/json").json()
    events = Event.objects.filter(action="record.attach").count()
    again = client.post(url, {"file": photo()}, HTTP_ACCEPT="application/json").json()
    assert again["ok"] and again["sha256"] == first["sha256"] and again["url"] == first["url"]
    assert record.attachments.count() == 1
    assert Event.objects.filter(action="record.attach").count() == events
    other = client.post(url, {"file": photo("另一张.jpg", color="red")}, HTTP_ACCEPT="application/json").json()
    assert other["sha256"] != first["sha256"] and record.attachments.count() == 2


def test_line_breaks_are_stored_as_the_api_sends_them_whatever_the_browser_posts(task, users):
    """A browser posts a textarea's line breaks as CRLF; the record keeps LF, so the text seals the same whether it
    came from the phone's page or the API, and a line break counts one character."""
    record = services.do_start_record(task, acting_user=users["inspector"])
    response = signed_in(users["inspector"]).post(
        reverse("fieldwork:record_draft", args=[record.pk]),
        {"findings": "车间一：布袋破损\r\n车间二：正常\r\n", "revision": str(record.revision)},
        HTTP_ACCEPT="application/json")
    assert response.status_code == 200, response.content
    assert InspectionRecord.objects.get(pk=record.pk).findings == "车间一：布袋破损\n车间二：正常"


def test_the_record_list_counts_up_to_the_cap(task, tree, items, team, users, monkeypatch):
    # A national year is ~600,000 records: an exact count read every one of them for each page (bench/README.md).
    from shuangsuiji.planning.models import MemberRole
    from shuangsuiji.registry.views import CappedPaginator

    from .conftest import code_for, make_task

    other = make_task(Target.objects.create(credit_code=code_for("130623", 2), name="涞水县乙化工有限公司",
                                            jurisdiction=tree["a"]), items,
                      [(team["first"], MemberRole.OFFICER), (team["second"], MemberRole.OFFICER)])
    for visit in (task, other):
        services.do_start_record(visit, acting_user=users["inspector"])
    client = signed_in(users["county_admin"])
    assert "共 2 条" in client.get(reverse("fieldwork:record_list")).content.decode()
    monkeypatch.setattr(CappedPaginator, "limit", 1)
    page = client.get(reverse("fieldwork:record_list")).content.decode()
    assert "超过 1 条" in page and "第 1 页" in page


def test_the_follow_ups_transfer_button_says_register_in_english(task, users, client):
    """A transferred problem's 登记 (enter the receiving body's reference) read "Registered" in English: the
    catalogues' 登记 is the reason an object came into the registry. A button is an action."""
    submitted(task, users["inspector"], problem=Handling.TRANSFER)
    client.force_login(users["county_admin"])
    client.cookies["django_language"] = "en"
    html = client.get(FollowUp.objects.get(target=task.target).get_absolute_url()).content.decode()
    assert "Register</button>" in html and "Registered</button>" not in html


def test_the_overviews_submitted_count_opens_the_records_it_counts(task, target, items, team, users):
    """A leader reads "已提交记录 N" of a county this year and clicks it: the list opened every record of the
    county (an inspector's draft, earlier years' records too), a larger number than the one he clicked."""
    from .conftest import code_for, make_task

    this_year = submitted(task, users["inspector"], problem=Handling.RECTIFIED)
    drafted = Target.objects.create(credit_code=code_for("130623", 9), name="涞水县丁化工有限公司",
                                    jurisdiction=target.jurisdiction, address="涞水县创业路11号",
                                    legal_representative="李丁")
    services.do_start_record(make_task(drafted, items, [(team["first"], "officer"), (team["second"], "officer")]),
                             acting_user=users["inspector"])
    leader = signed_in(users["leader"])
    overview = leader.get(reverse("fieldwork:home"))
    row = next(r for r in overview.context["rows"] if r["id"] == target.jurisdiction_id)
    assert row["records"] == 1
    links = re.findall(r'href="([^"]*submitted=[^"]*)"[^>]*>(\d+)<', overview.content.decode())
    assert links, "the count is a link"
    url, shown = links[0]
    listing = leader.get(url.replace("&amp;", "&"))
    assert [r.number for r in listing.context["page"].object_list] == [this_year.number]
    assert int(shown) == listing.context["page"].paginator.count
    last_year = str(timezone.localdate().year - 1)
    assert not leader.get(reverse("fieldwork:record_list"), {"submitted": last_year}).context["page"].object_list
    refused = leader.get(reverse("fieldwork:record_list"), {"submitted": "二〇二六年"})
    assert refused.status_code == 200
    assert "不是有效的年份" in refused.content.decode() and 'id="id_submitted_error"' in refused.content.decode()
