# ruff: noqa: F811 (fixtures of the fieldwork and staff page tests, imported by name, are parameters here)
"""A correction rewrites a published problem's description: scrubbed as the snapshot scrubs it, the staff shown
what the scrubber took out before anything is stored, an empty text refused by problem number, before and after
kept in the Correction and the audit log — and the public reads the new text and never the old one, on the
page, in the API and in the downloads (docs/publication.md, "Corrected problem descriptions")."""

import csv
import io
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from shuangsuiji.audit.models import Event
from shuangsuiji.disclosure import redaction, services
from shuangsuiji.disclosure.models import Correction, PublishedResult
from tests.disclosure.test_portal import streamed
from tests.disclosure.test_staff_views import world  # noqa: F401
from tests.fieldwork.conftest import items, target, task, team  # noqa: F401

pytestmark = pytest.mark.django_db

LEAKED = "布袋除尘器破损，操作工周小满称已报告"
FIXED = "布袋除尘器破损，未及时更换"
SECOND = "除尘布袋破裂，未更换"


def form_data(result: PublishedResult, **values) -> dict:
    """The correction form as the page posts it, untouched but for ``values``."""
    data = {"target_name": result.target_name, "credit_code": result.credit_code,
            "industry_code": result.industry_code, "industry_name": result.industry_name,
            "inspected_on": result.inspected_on.isoformat(), "outcome": result.outcome, "reason": "更正"}
    for n, problem in enumerate(result.problems):
        data[f"description_{n}"] = problem["description"]
        data[f"decision_{n}"] = problem["decision_number"]
    return {**data, **values}


def leaked(result: PublishedResult) -> PublishedResult:
    """The result as if its snapshot had published a name the scrubber did not know."""
    PublishedResult.objects.filter(pk=result.pk).update(problems=[dict(result.problems[0], description=LEAKED)])
    return PublishedResult.objects.get(pk=result.pk)


def public_texts(client, result: PublishedResult) -> dict[str, str]:
    """Everything the public can read of a result: its page, the API, the lists and their downloads."""
    code = result.credit_code
    month = result.inspected_on.strftime("%Y-%m")
    return {
        "page": client.get(f"/public/results/{result.public_id}/").content.decode(),
        "api": client.get(f"/api/public/results/{result.public_id}/").content.decode(),
        "api list": client.get("/api/public/results/").content.decode(),
        "api corrections": client.get("/api/public/corrections/").content.decode(),
        "csv": streamed(client.get("/public/results/", {"month": month, "format": "csv"})),
        "json": streamed(client.get("/public/results/", {"month": month, "format": "json"})),
        "target page": client.get(f"/public/targets/{code}/").content.decode(),
        "target csv": streamed(client.get(f"/public/targets/{code}/", {"format": "csv"})),
    }


# --- the scrubber --------------------------------------------------------------------------------------------


def test_the_scrubber_reports_what_it_took_out_and_scrub_is_its_text():
    text = "钱经理（13912345678）称设备已停用；钱经理已签字"
    scrubbed, removed = redaction.scrub_report(text, ["钱经理", "x"])
    assert removed == ["13912345678", "钱经理"]  # numbers, then names; each once
    assert scrubbed == redaction.scrub(text, ["钱经理", "x"]) == "＊＊＊（＊＊＊）称设备已停用；＊＊＊已签字"
    assert redaction.scrub_report("布袋破损", ["钱经理"]) == ("布袋破损", [])


# --- the service ----------------------------------------------------------------------------------------------


def test_a_corrected_description_is_stored_scrubbed_with_before_and_after_and_its_event(users, world):
    result = leaked(world["result"])
    typed = "布袋除尘器破损，钱经理（电话13912345678）称已订购"
    correction = services.do_correct_result(
        result, values={"problems": [dict(result.problems[0], description=typed)]},
        reason="问题描述含个人姓名", acting_user=users["county_admin"])
    result.refresh_from_db()
    stored = result.problems[0]["description"]
    # The same scrubber as the snapshot: the phone and the record's site manager go.
    assert stored == "布袋除尘器破损，＊＊＊（电话＊＊＊）称已订购"
    assert correction.before["problems"][0]["description"] == LEAKED
    assert correction.after["problems"][0]["description"] == stored
    assert result.problems[0]["item"] == correction.before["problems"][0]["item"]  # the item stays
    event = Event.objects.get(action="disclosure.correct")
    assert event.reason == "问题描述含个人姓名"
    assert event.changes["problems"][0][0]["description"] == LEAKED
    assert event.changes["problems"][1][0]["description"] == stored


def test_an_empty_description_or_a_masked_one_is_refused_and_nothing_is_written(users, world):
    result = world["result"]
    with pytest.raises(ValidationError, match="问题1的描述不能为空"):
        services.do_correct_result(result, values={"problems": [dict(result.problems[0], description=" \r\n")]},
                                   reason="删去描述", acting_user=users["county_admin"])
    # A description masked by a redaction decision: rewriting it would publish what the decision hides.
    PublishedResult.objects.filter(pk=result.pk).update(
        problems=[dict(result.problems[0], description=redaction.MASK)],
        redactions=[{"field": "problems", "basis": "privacy", "source": "case"}])
    result.refresh_from_db()
    with pytest.raises(ValidationError, match="问题1的描述已依法隐去"):
        services.do_correct_result(result, values={"problems": [dict(result.problems[0], description=FIXED)]},
                                   reason="改写", acting_user=users["county_admin"])
    assert not Correction.objects.exists()


@pytest.mark.parametrize("role", ["leader", "other_county_admin", "department_user", "inspector"])
def test_who_may_not_correct_may_not_rewrite_a_description(users, world, role):
    result = leaked(world["result"])
    with pytest.raises(PermissionDenied):
        services.do_correct_result(result, values={"problems": [dict(result.problems[0], description=FIXED)]},
                                   reason="改写", acting_user=users[role])
    assert PublishedResult.objects.get(pk=result.pk).problems[0]["description"] == LEAKED


# --- the form -------------------------------------------------------------------------------------------------


def test_the_form_shows_each_problem_with_its_text_item_and_decision_number(client, users, world):
    client.force_login(users["county_admin"])
    result = world["result"]
    page = client.get(reverse("disclosure:correct", args=[result.public_id]))
    text = page.content.decode()
    assert 'name="description_0"' in text and 'name="decision_0"' in text
    assert result.problems[0]["description"] in text and result.problems[0]["item"] in text
    assert 'id="problem-1"' in text and "问题1" in text


def test_the_form_says_what_the_scrubber_took_out_and_the_second_save_stores_it(client, users, world):
    client.force_login(users["county_admin"])
    result = leaked(world["result"])
    url = reverse("disclosure:correct", args=[result.public_id])
    typed = "布袋除尘器破损，钱经理\r\n电话13912345678"
    response = client.post(url, form_data(result, description_0=typed, reason="问题描述含个人姓名"))
    text = response.content.decode()
    assert response.status_code == 400 and not Correction.objects.exists()
    assert "公开时将以“＊＊＊”代替：13912345678、钱经理" in text
    shown = response.context["form"]["description_0"].value()
    assert shown == "布袋除尘器破损，＊＊＊\n电话＊＊＊"  # the box holds the text as it will be published
    # Saving again (the browser sends the box's lines with CRLF) confirms it.
    response = client.post(url, form_data(result, description_0=shown.replace("\n", "\r\n"),
                                          reason="问题描述含个人姓名"))
    assert response.status_code == 302
    result.refresh_from_db()
    assert result.problems[0]["description"] == shown
    correction = Correction.objects.get()
    assert correction.before["problems"][0]["description"] == LEAKED and correction.reason == "问题描述含个人姓名"
    # The bureau's own history keeps the old text; the portal does not (below).
    history = client.get(url).content.decode()
    assert LEAKED in history and "仅供本局查阅" in history


def test_a_clean_text_is_stored_at_once_and_an_untouched_one_is_no_change(client, users, world):
    client.force_login(users["city_admin"])
    result = leaked(world["result"])
    url = reverse("disclosure:correct", args=[result.public_id])
    response = client.post(url, form_data(result, reason="没改"))
    assert response.status_code == 400 and "没有修改任何内容" in response.content.decode()
    response = client.post(url, form_data(result, description_0=f"  {FIXED}\r\n", reason="问题描述有误"))
    assert response.status_code == 302
    assert PublishedResult.objects.get(pk=result.pk).problems[0]["description"] == FIXED


def test_an_empty_description_is_refused_on_the_form_naming_the_problem(client, users, world):
    client.force_login(users["county_admin"])
    result = world["result"]
    response = client.post(reverse("disclosure:correct", args=[result.public_id]),
                           form_data(result, description_0="  ", reason="删去"))
    assert response.status_code == 400 and "问题1的描述不能为空" in response.content.decode()
    assert not Correction.objects.exists()


def test_a_masked_description_is_not_offered(client, users, world):
    client.force_login(users["county_admin"])
    result = world["result"]
    PublishedResult.objects.filter(pk=result.pk).update(
        problems=[dict(result.problems[0], description=redaction.MASK)],
        redactions=[{"field": "problems", "basis": "privacy", "source": "case"}])
    url = reverse("disclosure:correct", args=[result.public_id])
    text = client.get(url).content.decode()
    assert 'name="description_0"' not in text and "依法隐去，不能在更正中改写" in text
    response = client.post(url, form_data(result, description_0=FIXED, decision_0="涞环罚〔2026〕9号", reason="补录"))
    assert response.status_code == 302
    problem = PublishedResult.objects.get(pk=result.pk).problems[0]
    assert problem == {**result.problems[0], "description": redaction.MASK, "decision_number": "涞环罚〔2026〕9号"}


# --- what the public reads ------------------------------------------------------------------------------------


def test_the_public_reads_the_new_text_and_never_the_old_one(client, users, world):
    result = leaked(world["result"])
    services.do_correct_result(result, values={"problems": [dict(result.problems[0], description=FIXED)]},
                               reason="问题描述含个人姓名", acting_user=users["county_admin"])
    client.logout()
    texts = public_texts(client, result)
    for where, text in texts.items():
        assert LEAKED not in text, where
        assert "周小满" not in text, where
    for where in ("page", "api", "api list", "csv", "json", "target csv"):  # the target page lists no problems
        assert FIXED in texts[where], where
    # The notice says that the description was corrected, when and why.
    assert "问题描述含个人姓名" in texts["page"] and "〔原描述已更正，不再公开〕" in texts["page"]
    body = json.loads(texts["api corrections"])
    correction, = body["results"]
    assert correction["before"]["problems"][0]["description"] == "〔原描述已更正，不再公开〕"
    assert correction["after"]["problems"][0]["description"] == FIXED
    assert [c["field"] for c in correction["changes"]] == ["problems"]
    row, = [r for r in csv.reader(io.StringIO(texts["csv"].lstrip("\ufeff"))) if r[0] == result.public_id]
    assert FIXED in "".join(row)


def test_a_text_corrected_again_leaves_no_earlier_text_on_the_portal(client, users, world):
    """The text a correction put in may itself be replaced; and a correction that only filled in a decision
    number carried the description unchanged on both sides. Neither brings back a replaced text."""
    result = leaked(world["result"])
    decided = dict(result.problems[0], decision_number="涞环罚〔2026〕5号")
    services.do_correct_result(result, values={"problems": [decided]}, reason="补录处罚决定书文号",
                               acting_user=users["county_admin"])
    result.refresh_from_db()
    services.do_correct_result(result, values={"problems": [dict(result.problems[0], description=SECOND)]},
                               reason="问题描述含个人姓名", acting_user=users["county_admin"])
    result.refresh_from_db()
    services.do_correct_result(result, values={"problems": [dict(result.problems[0], description=FIXED)]},
                               reason="问题描述不完整", acting_user=users["city_admin"])
    texts = public_texts(client, result)
    for where, text in texts.items():
        assert LEAKED not in text, where
        assert SECOND not in text, where
    changes = [c["changes"] for c in json.loads(texts["api corrections"])["results"]]
    first, second, third = changes
    assert "涞环罚〔2026〕5号" in first[0]["after"] and "〔其后再次更正，不再公开〕" in first[0]["after"]
    assert first[0]["before"].count("〔其后再次更正，不再公开〕") == 1  # unchanged by it: no change shown
    assert "〔原描述已更正，不再公开〕" in second[0]["before"] and "〔其后再次更正，不再公开〕" in second[0]["after"]
    assert "〔原描述已更正，不再公开〕" in third[0]["before"] and FIXED in third[0]["after"]
    assert FIXED in texts["page"] and texts["page"].count("〔原描述已更正，不再公开〕") == 2


# --- bringing a result up to date with its record --------------------------------------------------------------


def test_a_republish_from_the_record_does_not_bring_back_a_replaced_text(users, world, tree):
    """The record's notes still hold the text a correction replaced: the result is not behind its record for
    that, and a republish for another reason (here a redaction rule, then its end) keeps the corrected text."""
    county = users["county_admin"]
    result = world["result"]
    from_record = result.problems[0]["description"]  # what the sealed record says, as released
    services.do_correct_result(result, values={"problems": [dict(result.problems[0], description=SECOND)]},
                               reason="问题描述涉及商业秘密", acting_user=county)
    assert services.pending_corrections(tree["a"]) == []
    rule = services.do_add_redaction_rule(jurisdiction=tree["a"], action="mask", basis="privacy", fields=["problems"],
                                          reason="个人信息", industry_prefix="26", acting_user=county)
    (stale, _record, fresh), = services.pending_corrections(tree["a"])
    assert fresh["problems"][0]["description"] == redaction.MASK
    services.do_republish_amended(stale, reason="依规则隐去问题描述", acting_user=county)
    services.do_deactivate_redaction_rule(rule, reason="规则有误", acting_user=county)
    (stale, _record, fresh), = services.pending_corrections(tree["a"])
    assert fresh["problems"][0]["description"] == SECOND  # the mask lifted shows the corrected text
    services.do_republish_amended(stale, reason="撤销规则", acting_user=county)
    assert PublishedResult.objects.get(pk=result.pk).problems[0]["description"] == SECOND
    assert services.pending_corrections(tree["a"]) == []
    assert from_record not in json.dumps([c.after for c in Correction.objects.all()], ensure_ascii=False)


# --- a redaction decided after a correction --------------------------------------------------------------------


@pytest.mark.parametrize("action", ["mask", "withhold"])
def test_a_later_redaction_hides_the_field_in_the_earlier_corrections_too(client, users, world, action):
    """A name corrected in public (a typo) and later masked or withheld by a case decision: the earlier
    correction's before and after must not go on publishing either spelling."""
    result = world["result"]
    typo, spelled = "保定市甲乙化工有限工司", "保定市甲乙化工有限公司"
    PublishedResult.objects.filter(pk=result.pk).update(target_name=typo)
    result = PublishedResult.objects.get(pk=result.pk)
    services.do_correct_result(result, values={"target_name": spelled}, reason="单位名称笔误",
                               acting_user=users["county_admin"])
    assert spelled in client.get("/api/public/corrections/").content.decode()  # the correction is public

    services.do_decide_redaction(result.record, action=action, basis="commercial", reason="涉及商业秘密",
                                 fields=["target_name"] if action == "mask" else [],
                                 acting_user=users["county_admin"])
    services.do_republish_amended(result, reason="依法隐去单位名称", acting_user=users["county_admin"])
    texts = public_texts(client, result)  # the result as it was: its credit code's pages too
    for where, text in texts.items():
        assert typo not in text and spelled not in text, where
    page = texts["page"]
    assert "单位名称笔误" in page and "依法隐去单位名称" in page  # that it was corrected, when and why, stays
