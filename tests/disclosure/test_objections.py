# ruff: noqa: F811 (fixtures of the fieldwork tests, imported by name, are parameters here)
"""异议: the inspected enterprise objects to its published result on the portal, and the bureau answers — who
may lodge one, what is refused and how it is said, who reads and answers it, and what the enterprise reads back."""

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from shuangsuiji.accounts import workbench
from shuangsuiji.audit.models import Event
from shuangsuiji.disclosure import services
from shuangsuiji.disclosure.models import Objection, ObjectionStatus, Outcome, PublishedResult
from shuangsuiji.fieldwork.models import Handling
from tests.disclosure.test_services import another_task, publish, reviewed
from tests.fieldwork.conftest import code_for, items, make_task, submitted, target, task, team  # noqa: F401

pytestmark = pytest.mark.django_db

GOOD = {"organisation": "涞水甲厂", "contact_name": "钱经理", "contact_phone": "0312-4500001",
        "content": "检查日期应为 11 月 3 日，不是 11 月 2 日；当天我厂停产检修。"}


@pytest.fixture
def result(tree, items, team, users) -> PublishedResult:
    record = reviewed(another_task(tree, items, team, 61, name="涞水甲厂"), users)
    publish(record, users)
    return PublishedResult.objects.published().get(record=record)


def lodge(result, **changes) -> Objection:
    values = {"credit_code": result.credit_code, **GOOD, **changes}
    return services.do_receive_objection(result, address=changes.pop("address", "10.0.0.1"),
                                         **{k: v for k, v in values.items() if k != "address"})


# --- lodging -------------------------------------------------------------------------------------------------


def test_the_inspected_firm_lodges_an_objection_which_waits_in_its_countys_scope_with_an_audit_event(result):
    objection = lodge(result, credit_code=f" {result.credit_code.lower()} ")  # typed in lower case, with spaces
    assert objection.status == ObjectionStatus.RECEIVED and objection.jurisdiction_id == result.jurisdiction_id
    assert objection.credit_code == result.credit_code
    assert re.fullmatch(r"YY\d{8}-[2-9A-HJ-NP-Z]{6}", objection.number)
    event = Event.objects.get(action="disclosure.objection_receive")
    assert event.changes["number"] == objection.number and event.changes["result"] == result.public_id
    assert "0312-4500001" not in str(event.changes)  # the contact stays out of the chain
    assert event.actor_id is None


def test_everything_wrong_is_said_at_once_by_field_and_nothing_is_stored(result):
    with pytest.raises(ValidationError) as caught:
        lodge(result, credit_code=code_for("130623", 99), organisation="", contact_name=" ",
              contact_phone="电话", content="")
    problems = caught.value.message_dict
    assert set(problems) == {"credit_code", "organisation", "contact_name", "contact_phone", "content"}
    assert "只有被检查的单位" in problems["credit_code"][0]
    with pytest.raises(ValidationError) as caught:  # a typo is named as one, not as another firm's code
        lodge(result, credit_code=result.credit_code[:-1])
    assert caught.value.message_dict["credit_code"] == ["长度应为18位，实为17位"]
    with pytest.raises(ValidationError) as caught:
        lodge(result, content="长" * (services.OBJECTION_TEXT_MAX + 1))
    assert "不能超过 2000 个字（现在 2001 个）" in caught.value.message_dict["content"][0]
    assert not Objection.objects.exists() and not Event.objects.filter(action__startswith="disclosure.obj").exists()


def test_one_objection_waits_per_result_and_one_address_lodges_a_few_a_day(result, tree, items, team, users):
    lodge(result)
    with pytest.raises(ValidationError, match=r"已有一条 .* 收到、尚未答复的异议"):
        lodge(result, address="10.0.0.2")
    others = []
    for serial in range(62, 62 + services.OBJECTIONS_PER_ADDRESS):
        record = reviewed(another_task(tree, items, team, serial, name=f"涞水{serial}厂"), users)
        publish(record, users)
        others.append(PublishedResult.objects.published().get(record=record))
    for other in others[:-1]:
        lodge(other)  # the same address: five in all with the first
    with pytest.raises(ValidationError, match="24 小时内最多提出 5 条异议，请稍后再提出或直接与涞水县生态环境局联系"):
        lodge(others[-1])  # the county's bureau by its name (bureau_name), not "涞水县生态环境分局" made up
    assert lodge(others[-1], address="10.0.0.9").result == others[-1]  # another address is not held up


def test_an_answered_objection_lets_the_firm_object_again(result, users):
    first = lodge(result)
    services.do_answer_objection(first, accepted=False, reply="经核对执法记录仪视频，检查日期无误。",
                                 acting_user=users["county_admin"])
    assert lodge(result).pk != first.pk


def test_a_withheld_result_takes_no_objection(result):
    PublishedResult.objects.filter(pk=result.pk).update(outcome=Outcome.WITHHELD, credit_code="")
    result.refresh_from_db()
    with pytest.raises(ValidationError, match="依法不予公开，不能在线提出异议"):
        lodge(result, credit_code="")


# --- answering -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role, allowed", [
    ("city_admin", True), ("county_admin", True), ("other_county_admin", False), ("leader", False),
    ("department_user", False), ("inspector", False),
])
def test_the_results_county_or_city_admin_answers(result, users, role, allowed):
    objection = lodge(result)
    if not allowed:
        with pytest.raises(PermissionDenied):
            services.do_answer_objection(objection, accepted=True, reply="已更正", acting_user=users[role])
        return
    answered = services.do_answer_objection(objection, accepted=True, reply="已更正检查日期。",
                                            acting_user=users[role])
    assert (answered.status, answered.reply, answered.answered_by) == (
        ObjectionStatus.ACCEPTED, "已更正检查日期。", users[role])
    assert Event.objects.filter(action="disclosure.objection_answer", actor=users[role]).count() == 1


def test_an_answer_needs_a_reply_and_is_given_once(result, users):
    objection = lodge(result)
    with pytest.raises(ValidationError) as caught:
        services.do_answer_objection(objection, accepted=False, reply="  ", acting_user=users["county_admin"])
    assert list(caught.value.message_dict) == ["reply"]
    services.do_answer_objection(objection, accepted=False, reply="日期无误。", acting_user=users["county_admin"])
    with pytest.raises(ValidationError, match=r"已由.*答复，不能再次答复"):
        services.do_answer_objection(objection, accepted=True, reply="改为采纳", acting_user=users["city_admin"])
    objection.refresh_from_db()
    assert (objection.status, objection.reply) == (ObjectionStatus.REJECTED, "日期无误。")


# --- the portal ----------------------------------------------------------------------------------------------


def test_a_mistyped_code_is_said_in_the_readers_language_and_its_box_is_marked(client, result):
    """The engine names what is wrong with a credit code in Chinese: an English reader of the objection form got
    "长度应为18位，实为17位" under his box, and the box itself stayed grey (Bootstrap's .is-invalid on a wrapper
    styles nothing)."""
    client.cookies["django_language"] = "en"
    form_url = reverse("public:objection_new", args=[result.public_id])
    refused = client.post(form_url, {"credit_code": result.credit_code[:-1], **GOOD})
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "A credit code has 18 characters, this one 17" in html and "长度应为" not in html
    box = re.search(r'<div class="([^"]*)"><input[^>]*name="credit_code"', html)
    assert box and "app-invalid" in box.group(1).split()
    assert re.search(r'<div class=""><input[^>]*name="organisation"', html)  # a good field stays as it was
    client.cookies["django_language"] = "zh-hans"  # a Chinese page says it as the engine wrote it
    assert "长度应为18位，实为17位" in client.post(form_url, {"credit_code": result.credit_code[:-1], **GOOD}
                                                 ).content.decode()


def test_the_portal_takes_the_objection_and_shows_its_number_status_and_answer(client, result, users):
    page = client.get(reverse("public:result_detail", args=[result.public_id]))
    form_url = reverse("public:objection_new", args=[result.public_id])
    assert form_url in page.content.decode()
    assert client.get(form_url).status_code == 200

    refused = client.post(form_url, {"credit_code": "", **GOOD, "contact_phone": ""})
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "请填写本单位的统一社会信用代码" in html and "请填写联系电话" in html
    assert GOOD["content"] in html  # what was typed comes back
    assert not Objection.objects.exists()

    done = client.post(form_url, {"credit_code": result.credit_code, **GOOD})
    assert done.status_code == 302
    objection = Objection.objects.get()
    query = parse_qs(urlparse(done["Location"]).query)
    assert query["number"] == [objection.number] and query["credit_code"] == [result.credit_code]
    status = client.get(done["Location"])
    assert status.status_code == 200
    html = status.content.decode()
    assert objection.number in html and "待答复" in html and GOOD["contact_phone"] not in html

    services.do_answer_objection(objection, accepted=True, reply="检查日期已更正为 11 月 3 日。",
                                 acting_user=users["county_admin"])
    html = client.get(reverse("public:objection_status"),
                      {"number": objection.number.lower(), "credit_code": result.credit_code}).content.decode()
    assert "已采纳" in html and "检查日期已更正为 11 月 3 日。" in html


def test_a_wrong_number_or_code_is_not_found_whichever_half_is_wrong(client, result):
    objection = lodge(result)
    url = reverse("public:objection_status")
    for query in ({"number": objection.number, "credit_code": code_for("130623", 99)},
                  {"number": "YY20260101-ABCDEF", "credit_code": result.credit_code}):
        response = client.get(url, query)
        assert response.status_code == 404
        html = response.content.decode()
        assert "没有找到这条异议" in html and GOOD["content"] not in html
    assert client.get(url).status_code == 200  # the empty lookup form


def test_the_objection_lookup_button_is_green_like_the_portal_s_other_search_buttons(client):
    # It was an outlined blue button, the only blue one on the portal, beside the green 查询 of the home page
    # and the results list.
    form = client.get(reverse("public:objection_status")).content.decode()
    button = re.search(r'<form method="get"[^>]*id="objection-lookup".*?(<button[^>]*>)', form, re.S).group(1)
    assert 'class="btn btn-success w-100"' in button and "btn-outline-primary" not in form
    home = client.get(reverse("public:home")).content.decode()
    assert '<button class="btn btn-success' in home


def test_an_address_that_misses_too_often_is_refused_for_the_hour_even_with_the_right_pair(client, result,
                                                                                          monkeypatch):
    objection = lodge(result)
    monkeypatch.setattr(services, "OBJECTION_LOOKUP_MISSES", 3)
    url = reverse("public:objection_status")
    right = {"number": objection.number, "credit_code": result.credit_code}
    assert client.get(url, right).status_code == 200  # a right pair is no miss
    for n in range(3):
        assert client.get(url, {**right, "number": f"YY20260101-ABCDE{n + 2}"}).status_code == 404
    refused = client.get(url, right)  # the right pair too: a refusal must not tell a guess from the right one
    assert refused.status_code == 429 and 0 < int(refused["Retry-After"]) <= 3600
    html = refused.content.decode()
    assert "查不到的次数过多" in html and GOOD["content"] not in html
    # Another address is not held up by this one's misses.
    assert client.get(url, right, REMOTE_ADDR="10.9.9.9").status_code == 200
    # The next hour starts a new count.
    later = timezone.now() + timedelta(hours=1)
    monkeypatch.setattr(services.timezone, "now", lambda: later)
    assert client.get(url, right).status_code == 200


def test_the_portal_has_no_objection_form_for_an_unpublished_result(client, tree, items, team, users):
    record = reviewed(another_task(tree, items, team, 70, name="涞水未公开厂"), users)
    services.do_prepare_results(jurisdiction=record.target.jurisdiction, year=record.ended_at.year,
                                month=record.ended_at.month, acting_user=users["county_admin"])
    row = PublishedResult.objects.get(record=record)  # prepared, not released
    assert client.get(reverse("public:objection_new", args=[row.public_id])).status_code == 404
    assert client.post(reverse("public:objection_new", args=[row.public_id]),
                       {"credit_code": row.credit_code, **GOOD}).status_code == 404
    assert not Objection.objects.exists()


# --- the bureau's pages --------------------------------------------------------------------------------------


@pytest.mark.parametrize("role, listed, page, answers", [
    ("city_admin", True, 200, True), ("county_admin", True, 200, True), ("other_county_admin", False, 404, False),
    ("leader", True, 200, False), ("department_user", None, 403, False), ("inspector", None, 403, False),
])
def test_who_reads_and_answers_objections_on_the_bureaus_pages(client, result, users, role, listed, page, answers):
    objection = lodge(result)
    client.force_login(users[role])
    response = client.get(reverse("disclosure:objections"))
    if listed is None:
        assert response.status_code == 403
    else:
        assert response.status_code == 200 and (objection.number in response.content.decode()) == listed
    detail = client.get(objection.get_absolute_url())
    assert detail.status_code == page
    if page == 200:
        html = detail.content.decode()
        assert GOOD["contact_phone"] in html and ('id="answer-form"' in html) == answers
    posted = client.post(objection.get_absolute_url(), {"accepted": "no", "reply": "日期无误。"})
    assert posted.status_code == (302 if answers else {200: 403}.get(page, page))
    objection.refresh_from_db()
    assert (objection.status == ObjectionStatus.REJECTED) == answers


def test_the_objection_page_says_each_problems_handling_in_the_readers_language(client, tree, items, team, users):
    """The result beside the objection showed its problems' handling as stored, in Chinese on the English page
    ("立行立改"), where the portal's page of the same result says it in English."""
    record = reviewed(another_task(tree, items, team, 63), users, problem=Handling.RECTIFIED)
    publish(record, users)
    objection = lodge(PublishedResult.objects.published().get(record=record))
    client.force_login(users["leader"])
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        english = str(Handling.RECTIFIED.label)
    problems = re.findall(r'<li class="list-group-item">([^<]*)</li>', client.get(objection.get_absolute_url())
                          .content.decode())
    assert any(line.endswith(f" · {english}") for line in problems), problems
    client.cookies["django_language"] = "zh-hans"
    problems = re.findall(r'<li class="list-group-item">([^<]*)</li>', client.get(objection.get_absolute_url())
                          .content.decode())
    assert any(line.endswith(" · 立行立改") for line in problems), problems


def test_a_county_admin_answers_on_the_page_and_a_missing_reply_comes_back_under_its_field(client, result, users):
    objection = lodge(result)
    client.force_login(users["county_admin"])
    refused = client.post(objection.get_absolute_url(), {"accepted": "yes", "reply": ""})
    assert refused.status_code == 400 and "请填写答复" in refused.content.decode()
    done = client.post(objection.get_absolute_url(), {"accepted": "yes", "reply": "已更正检查日期。"}, follow=True)
    assert "已答复异议" in done.content.decode()
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.ACCEPTED
    assert objection.number in client.get(reverse("disclosure:objections"), {
        "status": "all", "jurisdiction": objection.jurisdiction_id}).content.decode()  # the 工作台 table's link
    waiting = client.get(reverse("disclosure:objections")).content.decode()
    assert objection.number not in waiting  # the list shows those waiting by default
    assert objection.number in client.get(reverse("disclosure:objections"), {"status": "all"}).content.decode()


def test_an_empty_answer_says_both_what_is_missing_at_once(client, result, users):
    """Neither the conclusion nor a reply: the page said only Django's "该字段是必填项。" at the conclusion, and
    the empty reply came up on the second try."""
    objection = lodge(result)
    client.force_login(users["county_admin"])
    refused = client.post(objection.get_absolute_url(), {"reply": "  "})
    page = refused.content.decode()
    assert refused.status_code == 400
    assert "请选择答复结论：采纳或不予采纳" in page and "请填写答复" in page
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.RECEIVED


def test_the_workbench_lists_waiting_objections_for_admins_and_leaders(result, users):
    objection = lodge(result)
    for role, shown in (("county_admin", True), ("city_admin", True), ("leader", True),
                        ("other_county_admin", False), ("inspector", False)):
        sections = {s.key: s for s in workbench.for_user(users[role]).sections}
        items_ = sections["objections"].items.items if "objections" in sections else []
        assert [i.url for i in items_] == ([objection.get_absolute_url()] if shown else []), role
    services.do_answer_objection(objection, accepted=False, reply="日期无误。", acting_user=users["county_admin"])
    sections = {s.key: s for s in workbench.for_user(users["county_admin"]).sections}
    assert sections["objections"].items.total == 0


def test_the_objection_page_says_how_long_it_has_waited_and_no_deadline(client, result, users):
    """The policy sets no deadline for an answer (docs/publication.md), so none is shown or flagged: the list
    and the objection's own page say how long it has waited, until it is answered."""
    objection = lodge(result)
    Objection.objects.filter(pk=objection.pk).update(received_at=timezone.now() - timedelta(days=12))
    client.force_login(users["county_admin"])
    client.cookies["django_language"] = "en"
    for url in (reverse("disclosure:objections"), objection.get_absolute_url()):
        page = client.get(url).content.decode()
        assert re.search(r"waiting 1\xa0week, 5\xa0days", page), url
    detail = client.get(objection.get_absolute_url()).content.decode()
    assert 'id="objection-waited"' in detail
    services.do_answer_objection(objection, accepted=False, reply="检查日期无误。", acting_user=users["county_admin"])
    assert 'id="objection-waited"' not in client.get(objection.get_absolute_url()).content.decode()


@pytest.mark.parametrize(("language", "label", "rejected_says", "accepted_says"), [
    ("zh-hans", "抽查结果", "对答复仍有异议的，可以在结果页面再次提出异议", "异议已采纳：这条结果将按更正程序更正"),
    ("en", "Inspection result<", "you can lodge a new objection on the result's page",
     "Objection accepted: the result will be corrected"),
])
def test_the_answer_page_says_what_the_firm_can_do_next(client, result, users, language, label, rejected_says,
                                                        accepted_says):
    """The status page stopped at the answer: a firm not accepted was not told it may object again (the service
    allows a new objection once answered), one accepted not told that the correction follows on the result page;
    in English the one result it names was labelled "Inspection results"."""
    client.cookies["django_language"] = language
    result_url = reverse("public:result_detail", args=[result.public_id])

    def page_of(objection: Objection) -> str:
        text = client.get(reverse("public:objection_status"),
                          {"number": objection.number, "credit_code": result.credit_code}).content.decode()
        return " ".join(re.sub(r"<[^>]+>", "", text).split()), text

    first = lodge(result)
    waiting, _ = page_of(first)
    assert rejected_says not in waiting and accepted_says not in waiting
    services.do_answer_objection(first, accepted=False, reply="检查日期无误。", acting_user=users["county_admin"])
    said, text = page_of(first)
    assert rejected_says in said and accepted_says not in said
    assert f'<a href="{result_url}">' in text.split('id="objection-next"')[1].split("</p>")[0]
    assert label in text
    again = lodge(result)  # what the page says is allowed is allowed
    services.do_answer_objection(again, accepted=True, reply="已核实，检查日期更正为 11 月 3 日。",
                                 acting_user=users["county_admin"])
    said, _ = page_of(again)
    assert accepted_says in said and rejected_says not in said
