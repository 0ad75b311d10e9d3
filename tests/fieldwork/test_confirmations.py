"""Steps that cannot be undone ask first on the server as well as in the page's dialog: removing a draft's photo
(evidence), 办结 and 提交并封存. A post without confirm=1 — a phone without JavaScript, a mis-tap — removes, closes
and seals nothing: the photo's removal is answered with a page asking 确认删除？, 办结 is refused with its box
确认办结 to tick, 提交并封存 with its box 确认提交并封存. Who may do any of them is unchanged."""

import pytest
from django.urls import reverse
from django.utils import timezone

from shuangsuiji.audit.models import Event
from shuangsuiji.fieldwork import services
from shuangsuiji.fieldwork.models import Attachment, FollowUp, FollowUpStatus, Handling, InspectionRecord
from shuangsuiji.intake.models import Penalty
from tests.clients import signed_in as client_for

from .conftest import fill, photo, sign_all
from .test_views import form_data

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
def open_problem(problem_handled):
    return problem_handled(Handling.RECTIFIED)


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


def test_an_order_to_rectify_is_not_asked_either(problem_handled, users):
    follow_up = problem_handled(Handling.ORDER)
    refused = close(users["inspector"], follow_up, note="已整改")
    assert "责令改正的问题由复查记录办结" in "".join(m.message for m in refused.context["messages"])
    assert "confirm" not in refused.context["close_form"].errors


# --- 录入处罚决定并办结 closes the problem too: asked as 办结 is ---------------------------------------------------


@pytest.fixture
def filed_case(problem_handled, users):
    follow_up = problem_handled(Handling.CASE)
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
@pytest.mark.parametrize("role", ["county_admin", "city_admin", "department_user"])
def test_a_confirmed_penalty_decision_records_and_closes(filed_case, users, tree, confirm, role):
    """The department user of the county (its legal or enforcement section) holds the penalty right: he enters the
    decision although he is neither on the team nor an admin."""
    response = decide(users[role], filed_case, tree, confirm=confirm)
    assert response.status_code == 302
    filed_case.refresh_from_db()
    assert filed_case.status == FollowUpStatus.CLOSED and filed_case.penalty.decision_number == "涞环罚〔2026〕31号"
    assert filed_case.closed_by == users[role]
    event = Event.objects.get(action="followup.penalty", object_id=str(filed_case.pk))
    assert event.actor_id == users[role].pk


def test_the_department_user_is_asked_before_the_decision_closes(filed_case, users, tree):
    refused = decide(users["department_user"], filed_case, tree)
    assert refused.status_code == 400
    assert refused.context["penalty_form"].errors["confirm"] == ["办结后不能撤销：请核对后勾选“确认办结”"]
    assert 'id="fw-penalty-modal"' in refused.content.decode()
    assert FollowUp.objects.get(pk=filed_case.pk).is_open and not Penalty.objects.exists()


@pytest.mark.parametrize("role", ["inspector", "partner", "leader", "outsider", "other_county_admin"])
def test_one_who_may_not_record_the_decision_is_told_so_not_asked(filed_case, users, team, tree, role):
    """The team may close other problems but a penalty is entered by the county's admins or its department users
    (its legal and enforcement sections): unconfirmed or confirmed, the refusal is said, never the question."""
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


def test_a_case_not_yet_filed_says_so_rather_than_asking(problem_handled, users, tree):
    follow_up = problem_handled(Handling.CASE)
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


# --- 提交并封存: the record sealed for good --------------------------------------------------------------------

SEAL_BOX = "确认提交并封存（封存后不能修改，只能申请更正）"
SEAL_UNCONFIRMED = "封存后不能修改：请核对后勾选“确认提交并封存”"


@pytest.fixture
def ready(task, users):
    """A record complete and signed by all: one post of 提交并封存 away from its seal."""
    user = users["inspector"]
    return sign_all(fill(services.do_start_record(task, acting_user=user), user), user)


def seal(user, record, **data):
    return client_for(user).post(reverse("fieldwork:record_edit", args=[record.pk]),
                                 form_data(record, action="submit", **data))


def seals(record) -> int:
    return Event.objects.filter(action="record.seal", object_id=str(record.pk)).count()


def test_the_record_form_has_the_box_for_a_phone_without_javascript(ready, users):
    text = client_for(users["inspector"]).get(reverse("fieldwork:record_edit", args=[ready.pk])).content.decode()
    assert SEAL_BOX in text and 'name="confirm" id="fw-seal-box"' in text
    assert 'id="fw-seal-modal"' in text  # and the dialog for one with it
    assert SEAL_UNCONFIRMED not in text and "is-invalid" not in text


def test_sealing_without_confirming_seals_nothing_and_asks_only_for_the_box(ready, users):
    refused = seal(users["inspector"], ready)
    assert refused.status_code == 400
    assert refused.context["confirm_errors"] == [SEAL_UNCONFIRMED]
    text = refused.content.decode()
    summary = text[text.index('id="fw-errors"'):text.index("</ul>", text.index('id="fw-errors"'))]
    # Complete and signed: the box is all there is to correct, listed and linked to, and marked at the button.
    assert summary.count("<li>") == 1 and 'href="#wrap-fw-seal-box"' in summary and SEAL_UNCONFIRMED in summary
    assert 'class="form-check-input is-invalid" name="confirm" id="fw-seal-box" aria-invalid="true"' in text
    assert 'id="fw-seal-box" checked' not in text and ' checked aria-invalid' not in text  # unticked
    ready.refresh_from_db()
    assert not ready.is_sealed and seals(ready) == 0 and not FollowUp.objects.filter(record=ready).exists()
    # The same post with the box ticked seals: the refused one left the signatures valid.
    assert seal(users["inspector"], ready, confirm="on").status_code == 302
    assert InspectionRecord.objects.get(pk=ready.pk).is_sealed and seals(ready) == 1


def test_a_refused_seal_brings_back_what_was_typed_saved_as_a_draft(ready, users):
    """Every field comes back as typed. The draft is saved, as 保存草稿 would (and as the dialog's 返回检查 leaves
    it): the typing is not lost by leaving the page, and a team mate's phone sees it."""
    user = users["inspector"]
    item = ready.items.order_by("order").first()
    typed = {"findings": "补充：危废间标识不全", "place": "二号车间", "contact_phone": "13800000000",
             f"item-{item.pk}-outcome": "problem", f"item-{item.pk}-notes": "危险废物贮存场所未设置识别标志",
             f"item-{item.pk}-handling": "rectified", f"item-{item.pk}-rectification": "企业当场张贴识别标志"}
    revision = ready.revision
    refused = seal(user, ready, **typed)
    assert refused.status_code == 400
    form = refused.context["form"]
    assert (form["findings"].value(), form["place"].value(), form["contact_phone"].value()) == (
        "补充：危废间标识不全", "二号车间", "13800000000")
    item_form = next(i for i in refused.context["items"] if i.instance.pk == item.pk)
    assert item_form["notes"].value() == "危险废物贮存场所未设置识别标志"
    assert item_form["rectification"].value() == "企业当场张贴识别标志"
    text = refused.content.decode()
    assert "补充：危废间标识不全" in text and 'value="二号车间"' in text and "企业当场张贴识别标志" in text
    ready.refresh_from_db()
    assert not ready.is_sealed and seals(ready) == 0
    assert (ready.findings, ready.place, ready.revision) == ("补充：危废间标识不全", "二号车间", revision + 1)
    assert f'name="revision" id="id_revision" value="{revision + 1}"' in text  # the next post is on the saved draft
    # The content changed after the signatures, which is said with the box at once: one more try can be the last.
    assert refused.context["confirm_errors"] == [SEAL_UNCONFIRMED]
    assert any("签名后记录又有修改" in line for line in refused.context["signature_errors"])


def test_an_incomplete_record_without_confirming_names_everything_at_once(task, users):
    record = services.do_start_record(task, acting_user=users["inspector"])
    refused = seal(users["inspector"], record)
    assert refused.status_code == 400
    assert refused.context["confirm_errors"] == [SEAL_UNCONFIRMED]
    assert "请填写检查开始时间" in refused.context["form"].errors["started_at"]
    assert refused.context["signature_errors"]
    assert not InspectionRecord.objects.get(pk=record.pk).is_sealed


def test_a_ticked_box_on_an_incomplete_record_is_not_asked_again_but_comes_back_unticked(task, users):
    record = services.do_start_record(task, acting_user=users["inspector"])
    refused = seal(users["inspector"], record, confirm="on")
    assert refused.status_code == 400 and refused.context["confirm_errors"] == []
    text = refused.content.decode()
    assert SEAL_UNCONFIRMED not in text and 'id="fw-seal-box" checked' not in text
    assert not InspectionRecord.objects.get(pk=record.pk).is_sealed


@pytest.mark.parametrize("confirm", ["1", "on"])  # the dialog ticks the box; ticked by hand it is "on" too
@pytest.mark.parametrize("who", ["inspector", "partner"])
def test_a_confirmed_seal_seals(ready, users, team, confirm, who):
    user = team["partner"] if who == "partner" else users["inspector"]
    response = seal(user, ready, confirm=confirm)
    assert response.status_code == 302 and response.url == ready.get_absolute_url()
    ready.refresh_from_db()
    assert ready.is_sealed and ready.sealed_by == user and seals(ready) == 1


@pytest.mark.parametrize("confirm", ["", "0", "yes"])
def test_anything_else_is_no_confirmation(ready, users, confirm):
    assert seal(users["inspector"], ready, confirm=confirm).status_code == 400
    assert not InspectionRecord.objects.get(pk=ready.pk).is_sealed


@pytest.mark.parametrize("role", ["county_admin", "city_admin", "leader", "department_user", "outsider",
                                  "other_county_admin"])
def test_one_who_may_not_seal_is_told_so_not_asked(ready, users, team, role):
    """Outside the team nobody seals, confirmed or not; he is told why (or finds nothing), never asked to tick."""
    user = team["outsider"] if role == "outsider" else users[role]
    for data in ({}, {"confirm": "1"}):
        response = seal(user, ready, **data)
        assert response.status_code in (403, 404), (role, data, response.status_code)
        text = response.content.decode()
        assert SEAL_UNCONFIRMED not in text and SEAL_BOX not in text
        if response.status_code == 403:
            assert "只有本次检查的检查组成员可以填写检查记录" in text
    ready.refresh_from_db()
    assert not ready.is_sealed and seals(ready) == 0


def test_a_sealed_record_says_so_rather_than_asking(ready, users, team):
    services.do_submit_record(ready, acting_user=team["partner"])
    response = client_for(users["inspector"]).post(reverse("fieldwork:record_edit", args=[ready.pk]),
                                                   form_data(ready, action="submit"), follow=True)
    text = response.content.decode()
    assert "提交封存，不能再修改" in text and SEAL_UNCONFIRMED not in text
    assert seals(ready) == 1


def test_saving_a_draft_needs_no_confirmation(ready, users):
    response = client_for(users["inspector"]).post(reverse("fieldwork:record_edit", args=[ready.pk]),
                                                   form_data(ready, findings="改了检查情况", action="save"))
    assert response.status_code == 302
    ready.refresh_from_db()
    assert ready.findings == "改了检查情况" and not ready.is_sealed


def test_the_service_seals_when_code_calls_it(ready, users):
    """The confirmation is the page's: ``do_submit_record`` (the demo, a command, a future API) takes no box."""
    sealed = services.do_submit_record(ready, acting_user=users["inspector"])
    assert sealed.is_sealed and seals(ready) == 1


@pytest.mark.parametrize(("language", "label"), [
    ("en", 'aria-label="Delete &quot;a&quot;&lt;b&amp;c.jpg&quot;"'),
    ("zh-hans", 'aria-label="删除“a&quot;&lt;b&amp;c.jpg”"')])
def test_a_photos_delete_button_names_it_in_one_whole_attribute(task, users, language, label):
    """English quotes the name in ASCII quotes: the label is escaped as a whole, once, or its first quote would end
    the attribute (and a name's own &, <, " be escaped twice)."""
    record = services.do_start_record(task, acting_user=users["inspector"])
    services.do_add_attachment(record, photo('a"<b&c.jpg'), acting_user=users["inspector"])
    text = client_for(users["inspector"], language).get(reverse("fieldwork:record_edit", args=[record.pk])).content
    assert label in text.decode()
