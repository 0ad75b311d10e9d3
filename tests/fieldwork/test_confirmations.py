"""Two steps an inspector cannot undo ask first on the server as well as in the page's dialog: removing a draft's
photo (evidence) and 办结. A post without confirm=1 — a phone without JavaScript, a mis-tap — removes and closes
nothing: the photo's removal is answered with a page asking 确认删除？, 办结 is refused with its box 确认办结 to
tick. Who may do either is unchanged."""

import pytest
from django.urls import reverse
from django.utils import timezone

from shuangsuiji.audit.models import Event
from shuangsuiji.fieldwork import services
from shuangsuiji.fieldwork.models import Attachment, FollowUp, FollowUpStatus, Handling
from shuangsuiji.intake.models import Penalty

from .conftest import fill, photo, sign_all, submitted
from .test_views import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft_photo(task, users):
    record = services.do_start_record(task, acting_user=users["inspector"])
    return services.do_add_attachment(record, photo("车间.jpg"), acting_user=users["inspector"])


def removals(record) -> int:
    return Event.objects.filter(action="record.detach", object_id=str(record.pk)).count()


def test_a_photo_removed_without_confirming_is_asked_about_and_kept(draft_photo, users):
    record, url = draft_photo.record, reverse("fieldwork:attachment_delete", args=[draft_photo.pk])
    revision = record.revision
    page = client_for(users["inspector"]).post(url)
    assert page.status_code == 200
    assert page.templates[0].name == "fieldwork/attachment_delete.html"
    text = page.content.decode()
    assert "确认删除？" in text and "“车间.jpg”将从本记录中删除，不能恢复" in text
    assert 'name="confirm" value="1"' in text  # the page's own button confirms
    assert f'href="{reverse("fieldwork:record_edit", args=[record.pk])}#attachments"' in text  # 保留: back, kept
    record.refresh_from_db()
    assert Attachment.objects.filter(pk=draft_photo.pk).exists() and record.revision == revision
    assert removals(record) == 0
    # Anything but 1 is no confirmation either.
    assert client_for(users["inspector"]).post(url, {"confirm": "0"}).status_code == 200
    assert Attachment.objects.filter(pk=draft_photo.pk).exists()


@pytest.mark.parametrize("who", ["inspector", "partner"])
def test_a_confirmed_removal_removes_the_photo(draft_photo, users, team, who):
    user = team["partner"] if who == "partner" else users["inspector"]
    record = draft_photo.record
    response = client_for(user).post(reverse("fieldwork:attachment_delete", args=[draft_photo.pk]),
                                     {"confirm": "1"}, follow=True)
    assert response.redirect_chain[0][0] == reverse("fieldwork:record_edit", args=[record.pk]) + "#attachments"
    text = response.content.decode()
    # Said at the photos, where the page comes back (#attachments), not above the form out of a phone's sight.
    assert text.index('id="attachments"') < text.index("已删除“车间.jpg”") < text.index('id="fw-attachments"')
    assert text.count("已删除“车间.jpg”") == 1
    assert not Attachment.objects.filter(pk=draft_photo.pk).exists() and removals(record) == 1


def test_a_photo_just_uploaded_comes_with_its_delete_form(task, users):
    """The page's script builds the uploaded photo's row, trash button and all, from this answer."""
    record = services.do_start_record(task, acting_user=users["inspector"])
    answer = client_for(users["inspector"]).post(reverse("fieldwork:attachment_add", args=[record.pk]),
                                                 {"file": photo("车间.jpg")}, HTTP_ACCEPT="application/json").json()
    attachment = Attachment.objects.get(record=record)
    assert answer["id"] == attachment.pk
    assert answer["delete_url"] == reverse("fieldwork:attachment_delete", args=[attachment.pk])


@pytest.mark.parametrize("role", ["county_admin", "city_admin", "leader", "department_user", "outsider",
                                  "other_county_admin"])
def test_nobody_outside_the_team_is_asked_or_removes(draft_photo, users, team, role):
    """Outside the team the question is not asked (it would be for a removal refused anyway), confirmed or not."""
    user = team["outsider"] if role == "outsider" else users[role]
    url = reverse("fieldwork:attachment_delete", args=[draft_photo.pk])
    for data in ({}, {"confirm": "1"}):
        response = client_for(user).post(url, data)
        assert response.status_code in (302, 404), (role, data, response.status_code)
        if response.status_code == 302:
            shown = client_for(user).get(response.url, follow=True).content.decode()
            assert "确认删除？" not in shown
    assert Attachment.objects.filter(pk=draft_photo.pk).exists() and removals(draft_photo.record) == 0


def test_a_sealed_records_photo_is_not_asked_about(draft_photo, users):
    record = sign_all(fill(draft_photo.record, users["inspector"]), users["inspector"])
    services.do_submit_record(record, acting_user=users["inspector"])
    response = client_for(users["inspector"]).post(reverse("fieldwork:attachment_delete", args=[draft_photo.pk]),
                                                   follow=True)
    assert "确认删除？" not in response.content.decode() and "提交封存，不能再修改" in response.content.decode()
    assert Attachment.objects.filter(pk=draft_photo.pk).exists()


@pytest.fixture
def open_problem(task, users):
    record = submitted(task, users["inspector"], problem=Handling.RECTIFIED)
    return FollowUp.objects.get(record=record)


def close(user, follow_up, **data):
    return client_for(user).post(reverse("fieldwork:followup_close", args=[follow_up.pk]), data)


def test_closing_without_confirming_closes_and_stores_nothing(open_problem, users):
    note = "企业已更换布袋，整改完毕"
    refused = close(users["inspector"], open_problem, note=note, files=[photo("整改后.jpg")])
    assert refused.status_code == 400
    form = refused.context["close_form"]
    assert form.errors["confirm"] == ["办结后不能撤销：请核对后勾选“确认办结”"]
    assert form["note"].value() == note  # what was typed comes back
    text = refused.content.decode()
    assert note in text and "确认办结：已核对办结情况和佐证材料，办结后不能撤销" in text
    assert 'name="confirm" id="id_confirm" checked' not in text  # the box comes back unticked
    open_problem.refresh_from_db()
    assert open_problem.is_open and open_problem.evidence.count() == 0  # not even the file is kept
    assert not Event.objects.filter(action__in=["followup.close", "followup.evidence"]).exists()


def test_an_empty_note_and_no_confirmation_are_said_at_once(open_problem, users):
    refused = close(users["inspector"], open_problem, note="  ")
    assert set(refused.context["close_form"].errors) == {"confirm", "note"}


@pytest.mark.parametrize("confirm", ["1", "on"])  # the dialog sends 1, the box ticked by hand "on"
def test_a_confirmed_closing_closes(open_problem, users, confirm):
    response = close(users["inspector"], open_problem, note="已整改", files=[photo("整改后.jpg")], confirm=confirm)
    assert response.status_code == 302
    open_problem.refresh_from_db()
    assert open_problem.status == FollowUpStatus.CLOSED and open_problem.evidence.count() == 1


@pytest.mark.parametrize("role", ["leader", "department_user", "outsider", "other_county_admin"])
def test_closing_stays_with_the_team_and_the_admins(open_problem, users, team, role):
    """Unconfirmed or confirmed, one who may not close is told so (or finds nothing), never asked to confirm."""
    user = team["outsider"] if role == "outsider" else users[role]
    for data in ({}, {"confirm": "1"}):
        response = close(user, open_problem, note="已整改", files=[photo("整改后.jpg")], **data)
        assert response.status_code in (403, 404), (role, data)
        if response.status_code == 403:
            assert "确认办结" not in "".join(m.message for m in response.context["messages"])
    open_problem.refresh_from_db()
    assert open_problem.is_open and open_problem.evidence.count() == 0


@pytest.mark.parametrize("role", ["county_admin", "city_admin", "partner"])
def test_the_county_the_city_and_the_whole_team_are_asked_then_close(open_problem, users, team, role):
    user = team["partner"] if role == "partner" else users[role]
    assert close(user, open_problem, note="已整改", files=[photo("整改后.jpg")]).status_code == 400
    assert FollowUp.objects.get(pk=open_problem.pk).is_open
    assert close(user, open_problem, note="已整改", files=[photo("整改后.jpg")], confirm="1").status_code == 302
    assert not FollowUp.objects.get(pk=open_problem.pk).is_open


def test_a_closed_problem_says_so_rather_than_asking(open_problem, users):
    assert close(users["inspector"], open_problem, note="已整改", files=[photo()], confirm="1").status_code == 302
    again = close(users["county_admin"], open_problem, note="再次办结")
    assert again.status_code == 400
    told = "".join(m.message for m in again.context["messages"])
    assert "办结" in told and "已由" in told and "勾选" not in told


def test_an_order_to_rectify_is_not_asked_either(task, users):
    record = submitted(task, users["inspector"], problem=Handling.ORDER)
    follow_up = FollowUp.objects.get(record=record)
    refused = close(users["inspector"], follow_up, note="已整改")
    assert "责令改正的问题由复查记录办结" in "".join(m.message for m in refused.context["messages"])
    assert "confirm" not in refused.context["close_form"].errors


# --- 录入处罚决定并办结 closes the problem too: asked as 办结 is ---------------------------------------------------


@pytest.fixture
def filed_case(task, users):
    follow_up = FollowUp.objects.get(record=submitted(task, users["inspector"], problem=Handling.CASE))
    return services.do_register_case(follow_up, case_number="涞环立〔2026〕31号", filed_on=timezone.localdate(),
                                     acting_user=users["county_admin"])


def decide(user, follow_up, tree, **data):
    typed = {"decision_number": "涞环罚〔2026〕31号", "decided_on": timezone.localdate().isoformat(),
             "department": tree["departments"]["130623"].pk, "amount": "20000",
             "violation": "未按规定运行废气治理设施"}
    return client_for(user).post(reverse("fieldwork:followup_penalty", args=[follow_up.pk]), {**typed, **data})


def test_a_penalty_decision_without_confirming_records_and_closes_nothing(filed_case, users, tree):
    refused = decide(users["county_admin"], filed_case, tree)
    assert refused.status_code == 400
    form = refused.context["penalty_form"]
    assert form.errors["confirm"] == ["办结后不能撤销：请核对后勾选“确认办结”"]
    text = refused.content.decode()
    # What was typed comes back as typed, the box unticked, the dialog there for the next try.
    assert 'value="涞环罚〔2026〕31号"' in text and 'value="20000"' in text and "未按规定运行废气治理设施" in text
    assert form["department"].value() == str(tree["departments"]["130623"].pk)
    assert "确认办结：已核对处罚决定，录入后问题即办结，不能撤销" in text
    assert 'data-confirm="fw-penalty-modal"' in text and 'id="fw-penalty-modal"' in text
    assert 'name="confirm" id="id_penalty_confirm" checked' not in text
    assert text.count('id="id_penalty_confirm"') == 1 and text.count('id="id_confirm"') == 1  # 办结's own box
    filed_case.refresh_from_db()
    assert filed_case.is_open and filed_case.penalty_id is None and not Penalty.objects.exists()
    assert not Event.objects.filter(action__in=["followup.penalty", "penalty.create"]).exists()


def test_a_penalty_decision_missing_fields_and_confirmation_are_said_at_once(filed_case, users, tree):
    refused = decide(users["county_admin"], filed_case, tree, decision_number="", decided_on="")
    assert set(refused.context["penalty_form"].errors) == {"confirm", "decision_number", "decided_on"}
    assert FollowUp.objects.get(pk=filed_case.pk).is_open


@pytest.mark.parametrize("confirm", ["1", "on"])
@pytest.mark.parametrize("role", ["county_admin", "city_admin"])
def test_a_confirmed_penalty_decision_records_and_closes(filed_case, users, tree, confirm, role):
    response = decide(users[role], filed_case, tree, confirm=confirm)
    assert response.status_code == 302
    filed_case.refresh_from_db()
    assert filed_case.status == FollowUpStatus.CLOSED and filed_case.penalty.decision_number == "涞环罚〔2026〕31号"


@pytest.mark.parametrize("role", ["inspector", "partner", "leader", "department_user", "outsider",
                                  "other_county_admin"])
def test_one_who_may_not_record_the_decision_is_told_so_not_asked(filed_case, users, team, tree, role):
    """The team may close other problems but a penalty is entered by the county's admins (or its legal and
    enforcement sections): unconfirmed or confirmed, the refusal is said, never the question."""
    user = team[role] if role in ("partner", "outsider") else users[role]
    for data in ({}, {"confirm": "1"}):
        response = decide(user, filed_case, tree, **data)
        assert response.status_code in (403, 404), (role, data, response.status_code)
        if response.status_code == 403:
            told = "".join(m.message for m in response.context["messages"])
            assert told and "确认办结" not in told and "勾选" not in told
            assert "confirm" not in response.context["penalty_form"].errors
    filed_case.refresh_from_db()
    assert filed_case.is_open and not Penalty.objects.exists()


def test_a_closed_case_says_so_rather_than_asking(filed_case, users, tree):
    assert decide(users["county_admin"], filed_case, tree, confirm="1").status_code == 302
    again = decide(users["city_admin"], filed_case, tree, decision_number="涞环罚〔2026〕32号")
    assert again.status_code == 400
    told = "".join(m.message for m in again.context["messages"])
    assert "已由" in told and "勾选" not in told
    assert "confirm" not in again.context["penalty_form"].errors


def test_a_case_not_yet_filed_says_so_rather_than_asking(task, users, tree):
    follow_up = FollowUp.objects.get(record=submitted(task, users["inspector"], problem=Handling.CASE))
    refused = decide(users["county_admin"], follow_up, tree)
    assert "请先登记立案编号和立案日期" in "".join(m.message for m in refused.context["messages"])
    assert "confirm" not in refused.context["penalty_form"].errors


def test_a_refused_upload_without_javascript_is_said_at_the_photos(task, users):
    record = services.do_start_record(task, acting_user=users["inspector"])
    response = client_for(users["inspector"]).post(reverse("fieldwork:attachment_add", args=[record.pk]), {},
                                                   follow=True)
    assert response.redirect_chain[0][0].endswith("#attachments")
    text = response.content.decode()
    assert text.index('id="attachments"') < text.index("请选择要上传的照片或文件") < text.index('id="fw-attachments"')
