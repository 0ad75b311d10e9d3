# ruff: noqa: F811 (fixtures of the fieldwork tests, imported by name, are parameters here)
"""The bureau's publication pages: who reads and who acts (every role, every page and action), scoping (404
outside), the preview as the public will see it, the whole month from prepare to release through the pages,
redaction rules and case decisions, corrections — and bad input answered with what is wrong, nothing written."""

import datetime
import re
from unittest import mock

import pytest
from django.urls import reverse

from shuangsuiji.disclosure import services, views_staff
from shuangsuiji.disclosure.models import (
    Correction,
    Publication,
    PublicationStatus,
    PublishedResult,
    RedactionCase,
    RedactionRule,
)
from shuangsuiji.fieldwork.models import Handling
from tests.disclosure.test_services import another_task, month_of, publish, reviewed
from tests.fieldwork.conftest import items, target, task, team  # noqa: F401

pytestmark = pytest.mark.django_db

ROLES = ["city_admin", "county_admin", "other_county_admin", "department_user", "inspector", "leader", "anonymous"]


def as_user(client, users, role):
    if role != "anonymous":
        client.force_login(users[role])
    return client


@pytest.fixture
def world(tree, items, team, users):
    """County A: a released month with a problem (a correction is possible), a prepared batch of another record,
    a county rule and a case decision; county B: a prepared batch of its own."""
    released = reviewed(another_task(tree, items, team, 61), users, problem=Handling.RECTIFIED)
    publish(released, users)
    waiting = reviewed(another_task(tree, items, team, 62), users)
    year, month = month_of(waiting)
    batch = services.do_prepare_results(jurisdiction=tree["a"], year=year, month=month,
                                        acting_user=users["county_admin"])
    rule = services.do_add_redaction_rule(jurisdiction=tree["a"], action="mask", basis="commercial",
                                          fields=["industry"], reason="工艺涉密", industry_prefix="99",
                                          acting_user=users["county_admin"])
    return {"released": released, "waiting": waiting, "batch": batch, "rule": rule,
            "result": PublishedResult.objects.published().get(), "year": year, "month": month}


READ_STATUS = {"city_admin": 200, "county_admin": 200, "other_county_admin": 200, "leader": 200,
               "department_user": 403, "inspector": 403}


def test_the_withholding_page_gives_each_form_its_own_ids(client, users, world):
    """The rule form and the case form share their fields; with the same ids, a label of one ticked the other's
    box (the case form was then refused for a missing choice, or a rule saved that nobody meant)."""
    as_user(client, users, "county_admin")
    page = client.get(reverse("disclosure:redaction")).content.decode()
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
    assert 'id="rule-action_0"' in page and 'id="case-action_0"' in page
    for label in re.findall(r'<label[^>]*\sfor="([^"]+)"', page):
        assert label in ids, label


@pytest.mark.parametrize("role", ROLES)
def test_who_reads_the_pages(client, users, world, role):
    as_user(client, users, role)
    pages = [reverse("disclosure:overview"), reverse("disclosure:redaction"), reverse("disclosure:corrections")]
    for url in pages:
        response = client.get(url)
        if role == "anonymous":
            assert response.status_code == 302 and response["Location"].startswith("/login/")
        else:
            assert response.status_code == READ_STATUS[role], url
    # County A's batch and its correction page: 404 outside county A, 403 for roles with nothing to do here.
    batch_status = {**READ_STATUS, "other_county_admin": 404}
    correct_status = {**batch_status, "leader": 403}  # a leader reviews, but does not correct
    detail = client.get(reverse("disclosure:batch_detail", args=[world["batch"].pk]))
    correct = client.get(reverse("disclosure:correct", args=[world["result"].public_id]))
    if role == "anonymous":
        assert detail.status_code == correct.status_code == 302
    else:
        assert detail.status_code == batch_status[role]
        assert correct.status_code == correct_status[role]


@pytest.mark.parametrize("role", ROLES)
def test_who_acts(client, users, world, tree, role):
    as_user(client, users, role)
    batch, rule, result = world["batch"], world["rule"], world["result"]
    posts = {
        "prepare": (reverse("disclosure:prepare"), {"kind": "annual_list", "jurisdiction": tree["a"].pk,
                                                    "year": world["year"]}),
        "review": (reverse("disclosure:review", args=[batch.pk]), {"note": "ok"}),
        "discard": (reverse("disclosure:discard", args=[batch.pk]), {"reason": "重新生成"}),
        "rule_deactivate": (reverse("disclosure:rule_deactivate", args=[rule.pk]), {"reason": "不再涉密"}),
        "rule_add": (reverse("disclosure:rule_add"), {"jurisdiction": tree["a"].pk, "industry_prefix": "26",
                                                      "action": "withhold", "basis": "law", "reason": "依法"}),
        "case_add": (reverse("disclosure:case_add"), {"record_number": world["released"].number,
                                                      "action": "withhold", "basis": "privacy", "reason": "隐私"}),
        "correct": (reverse("disclosure:correct", args=[result.public_id]),
                    {"target_name": "新名称", "credit_code": result.credit_code, "industry_code": result.industry_code,
                     "industry_name": result.industry_name, "inspected_on": result.inspected_on.isoformat(),
                     "outcome": result.outcome, "description_0": "布袋除尘器破损，现场未更换",
                     "decision_0": "", "reason": "名称与问题描述有误"}),
    }
    codes = {name: client.post(url, data).status_code for name, (url, data) in posts.items()}
    if role == "anonymous":
        assert set(codes.values()) == {302}
        assert not Publication.objects.filter(kind="annual_list").exists()
        return
    if role in ("department_user", "inspector"):
        assert set(codes.values()) == {403}
    elif role == "other_county_admin":
        # Another county's batch, rule and result do not exist for him; county A is not his to prepare.
        assert codes["review"] == codes["discard"] == codes["rule_deactivate"] == codes["correct"] == 404
        assert codes["prepare"] == 302 and codes["rule_add"] == 400 and codes["case_add"] == 400
    elif role == "leader":
        assert codes["review"] == 302
        assert codes["prepare"] == codes["discard"] == codes["rule_add"] == codes["case_add"] == 403
        assert codes["rule_deactivate"] == codes["correct"] == 403
    else:
        # Admins of county A: review is refused to the preparer (county_admin) but done by the city; all else done.
        assert all(code in (200, 302) for code in codes.values()), codes
    changed = {
        "prepare": Publication.objects.filter(kind="annual_list").exists(),
        "review": Publication.objects.filter(pk=batch.pk, status=PublicationStatus.REVIEWED).exists(),
        "discard": not Publication.objects.filter(pk=batch.pk).exists(),
        "rule_add": RedactionRule.objects.filter(industry_prefix="26").exists(),
        "rule_deactivate": not RedactionRule.objects.get(pk=rule.pk).active,
        "case_add": RedactionCase.objects.exists(),
        "correct": Correction.objects.exists()
        and PublishedResult.objects.get(pk=result.pk).problems[0]["description"] == "布袋除尘器破损，现场未更换",
    }
    expected = {
        "department_user": set(), "inspector": set(), "other_county_admin": set(), "leader": {"review"},
        "county_admin": {"prepare", "discard", "rule_add", "rule_deactivate", "case_add", "correct"},
        # The city reviews first, so the batch is reviewed and then discarded in the same run.
        "city_admin": {"prepare", "discard", "rule_add", "rule_deactivate", "case_add", "correct"},
    }[role]
    assert {name for name, done in changed.items() if done} == expected


def test_a_month_through_the_pages_prepare_preview_review_release(client, users, tree, items, team):
    masked = reviewed(another_task(tree, items, team, 71, industry="3360"), users)
    plain = reviewed(another_task(tree, items, team, 72), users, problem=Handling.RECTIFIED,
                     findings="现场负责人钱经理，电话13912345678")
    services.do_add_redaction_rule(jurisdiction=tree["a"], action="mask", basis="commercial", fields=["industry"],
                                   reason="工艺涉密", industry_prefix="336", acting_user=users["county_admin"])
    year, month = month_of(masked)
    client.force_login(users["county_admin"])
    overview = client.get(reverse("disclosure:overview"), {"year": year})
    text = overview.content.decode()
    assert "生成批次" in text and tree["a"].name in text
    state, = overview.context["states"]
    assert state.unpublished == 2 and state.deadline == services.results_deadline(year, month)[0]
    assert str(state.deadline.isoformat()) in text

    response = client.post(reverse("disclosure:prepare"), {"kind": "results", "jurisdiction": tree["a"].pk,
                                                           "year": year, "month": month})
    batch = Publication.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("disclosure:batch_detail",
                                                                            args=[batch.pk])
    page = client.get(response["Location"])
    text = page.content.decode()
    assert "须由另一位管理员或局领导审核" in text and 'id="review-form"' not in text
    assert "＊＊＊" in text and "涉及商业秘密" in text  # the masked industry, and why
    assert plain.target.name in text and masked.number in text
    assert "13912345678" not in text
    assert not PublishedResult.objects.published().exists()

    client.force_login(users["leader"])
    page = client.get(reverse("disclosure:batch_detail", args=[batch.pk])).content.decode()
    assert 'id="review-form"' in page and 'id="release-form"' not in page
    client.post(reverse("disclosure:review", args=[batch.pk]), {"note": "已核对"})
    batch.refresh_from_db()
    assert batch.status == PublicationStatus.REVIEWED and batch.reviewed_by == users["leader"]

    client.force_login(users["county_admin"])
    assert 'id="release-form"' in client.get(reverse("disclosure:batch_detail", args=[batch.pk])).content.decode()
    response = client.post(reverse("disclosure:release", args=[batch.pk]), follow=True)
    assert "已公开" in response.content.decode()
    assert PublishedResult.objects.published().count() == 2
    state, = client.get(reverse("disclosure:overview"), {"year": year}).context["states"]
    assert state.released and not state.is_overdue


def test_the_overview_flags_an_overdue_month_in_red(client, users, tree, items, team):
    record = reviewed(another_task(tree, items, team, 81), users)
    year, month = month_of(record)
    deadline = services.results_deadline(year, month)[0]
    client.force_login(users["city_admin"])
    assert client.get(reverse("disclosure:overview"), {"year": year}).context["overdue_months"] == 0
    with mock.patch.object(views_staff.timezone, "localdate", return_value=deadline + datetime.timedelta(days=1)):
        page = client.get(reverse("disclosure:overview"), {"year": year})
    assert page.context["overdue_months"] == 1
    grid = page.context["grid"]
    assert [(row["jurisdiction"], row["overdue"]) for row in grid] == [(tree["a"], 1), (tree["b"], 0)]
    assert 'title="逾期未公开"><span aria-hidden="true">✘</span>' in page.content.decode()
    with mock.patch.object(views_staff.timezone, "localdate", return_value=deadline + datetime.timedelta(days=1)):
        page = client.get(reverse("disclosure:overview"), {"year": year, "jurisdiction": tree["a"].code})
    text = page.content.decode()
    assert 'class="table-danger"' in text and "逾期未公开" in text and "生成批次" in text


def test_bad_input_says_what_and_where_and_writes_nothing(client, users, world, tree):
    client.force_login(users["county_admin"])
    response = client.post(reverse("disclosure:prepare"), {"kind": "results", "jurisdiction": tree["a"].pk,
                                                           "year": world["year"]}, follow=True)
    assert "月度抽查结果须选择月份" in response.content.decode()
    response = client.post(reverse("disclosure:discard", args=[world["batch"].pk]), {"reason": " "}, follow=True)
    assert "请填写撤销理由" in response.content.decode() and Publication.objects.filter(pk=world["batch"].pk).exists()
    response = client.post(reverse("disclosure:rule_add"), {"jurisdiction": tree["a"].pk, "action": "mask",
                                                            "basis": "privacy", "reason": "x"})
    assert response.status_code == 400 and "请填写行业代码前缀或检查对象" in response.content.decode()
    response = client.post(reverse("disclosure:rule_add"), {"jurisdiction": tree["a"].pk, "industry_prefix": "26",
                                                            "action": "mask", "basis": "privacy", "reason": "x"})
    assert response.status_code == 400 and "请选择要隐去的字段" in response.content.decode()
    response = client.post(reverse("disclosure:rule_add"), {"jurisdiction": tree["a"].pk, "industry_prefix": "2x",
                                                            "action": "withhold", "basis": "privacy", "reason": "x"})
    assert "行业代码前缀应为 1–4 位数字" in response.content.decode()
    response = client.post(reverse("disclosure:case_add"), {"record_number": "NOPE-1", "action": "withhold",
                                                            "basis": "privacy", "reason": "x"})
    assert response.status_code == 400 and "找不到编号为 NOPE-1" in response.content.decode()
    response = client.post(reverse("disclosure:case_add"), {"record_number": world["released"].number,
                                                            "action": "withhold", "basis": "privacy", "reason": ""})
    assert response.status_code == 400 and "请填写不予公开的理由" in response.content.decode()
    assert RedactionRule.objects.count() == 1 and not RedactionCase.objects.exists()
    result = world["result"]
    response = client.post(reverse("disclosure:correct", args=[result.public_id]), {
        "target_name": result.target_name, "credit_code": result.credit_code, "industry_code": result.industry_code,
        "industry_name": result.industry_name, "inspected_on": result.inspected_on.isoformat(),
        "outcome": result.outcome, "description_0": result.problems[0]["description"], "decision_0": "",
        "reason": "没改"})
    assert response.status_code == 400 and "没有修改任何内容" in response.content.decode()
    assert not Correction.objects.exists()


def test_case_decision_then_republish_through_the_pages(client, users, world, tree):
    client.force_login(users["county_admin"])
    record = world["released"]
    response = client.post(reverse("disclosure:case_add"), {"record_number": record.number.lower(),
                                                            "action": "mask", "fields": ["problems"],
                                                            "basis": "privacy", "reason": "涉及个人信息"})
    assert response.status_code == 302 and RedactionCase.objects.get().record == record
    page = client.get(reverse("disclosure:corrections"))
    pending = page.context["pending"]
    assert [p["result"].public_id for p in pending] == [record.number] and "发现的问题及处理" in pending[0]["changed"]
    client.post(reverse("disclosure:republish", args=[pending[0]["result"].pk]), {"reason": "依个案决定隐去问题描述"})
    result = PublishedResult.objects.published().get(public_id=record.number)
    assert result.problems[0]["description"] == "＊＊＊"
    assert Correction.objects.get().reason == "依个案决定隐去问题描述"
    assert client.get(reverse("disclosure:corrections")).context["pending"] == []
    # The lookup box of the manual correction.
    response = client.get(reverse("disclosure:corrections"), {"public_id": record.number})
    assert response["Location"] == reverse("disclosure:correct", args=[record.number])


def test_a_manual_correction_fills_in_a_decision_number(client, users, world):
    client.force_login(users["city_admin"])
    result = world["result"]
    url = reverse("disclosure:correct", args=[result.public_id])
    assert "处罚决定书文号" in client.get(url).content.decode()
    client.post(url, {"target_name": result.target_name, "credit_code": result.credit_code,
                      "industry_code": result.industry_code, "industry_name": result.industry_name,
                      "inspected_on": result.inspected_on.isoformat(), "outcome": result.outcome,
                      "description_0": result.problems[0]["description"],
                      "decision_0": "涞环罚〔2026〕7号", "reason": "补录处罚决定书文号"})
    result.refresh_from_db()
    assert result.problems[0]["decision_number"] == "涞环罚〔2026〕7号"
    correction = Correction.objects.get()
    assert correction.before["problems"][0]["decision_number"] == "" and correction.corrected_by == users["city_admin"]
    assert correction.after["problems"][0]["description"] == correction.before["problems"][0]["description"]


@pytest.mark.parametrize("role", ROLES)
def test_who_releases_and_republishes(client, users, world, role):
    batch, record = world["batch"], world["released"]
    services.do_review(batch, acting_user=users["leader"])
    services.do_decide_redaction(record, action="withhold", basis="law", reason="案件办理中",
                                 acting_user=users["county_admin"])
    result = world["result"]
    as_user(client, users, role)
    release = client.post(reverse("disclosure:release", args=[batch.pk]))
    republish = client.post(reverse("disclosure:republish", args=[result.pk]), {"reason": "依个案决定"})
    expected = {"city_admin": 302, "county_admin": 302, "leader": 403, "other_county_admin": 404,
                "department_user": 403, "inspector": 403, "anonymous": 302}[role]
    assert release.status_code == republish.status_code == expected
    acted = role in ("city_admin", "county_admin")
    assert Publication.objects.get(pk=batch.pk).is_released == acted
    assert PublishedResult.objects.get(pk=result.pk).outcome == ("withheld" if acted else result.outcome)
    if role == "anonymous":
        assert release["Location"].startswith("/login/")


@pytest.mark.parametrize(("role", "told"), [("leader", "已审核，等待涞水县的管理员发布"),
                                           ("city_admin", "已审核，可以发布")])
def test_a_reviewer_is_told_who_releases_the_batch(client, users, world, role, told):
    # A leader reviews but does not release: "已审核，可以发布" had him look for a release button he has not.
    as_user(client, users, role)
    response = client.post(reverse("disclosure:review", args=[world["batch"].pk]), {"note": ""}, follow=True)
    assert [str(m) for m in response.context["messages"]] == [told]
    assert Publication.objects.get(pk=world["batch"].pk).status == PublicationStatus.REVIEWED


@pytest.mark.parametrize("role", ["leader", "city_admin"])
def test_a_review_note_too_long_is_refused_as_typed_and_the_batch_stays_unreviewed(client, users, world, role):
    """A note over its 2,000 characters (a browser counts a line break as one, the server as two) was dropped and
    the batch approved without it."""
    as_user(client, users, role)
    note = "第3条的检查结果须核对。\r\n" * 200
    response = client.post(reverse("disclosure:review", args=[world["batch"].pk]), {"note": note})
    page = response.content.decode()
    assert response.status_code == 400 and "不超过 2000 字符" in page
    assert "第3条的检查结果须核对。" in page  # what was typed stays in the box
    batch = Publication.objects.get(pk=world["batch"].pk)
    assert batch.status == PublicationStatus.PREPARED and batch.reviewed_by is None


@pytest.mark.parametrize("role", ["leader", "city_admin"])
def test_a_return_refused_keeps_the_reason_and_says_why(client, users, world, role):
    as_user(client, users, role)
    url = reverse("disclosure:return_batch", args=[world["batch"].pk])
    reason = "第2条应依法不予公开。\r\n" * 200
    response = client.post(url, {"reason": reason})
    page = response.content.decode()
    assert response.status_code == 400 and "不超过 2000 字符" in page and "请写明退回理由" not in page
    assert "第2条应依法不予公开。" in page and re.search(r"<details[^>]* open", page)
    response = client.post(url, {"reason": " "})
    assert response.status_code == 400 and "请填写理由" in response.content.decode()
    assert Publication.objects.filter(pk=world["batch"].pk, status=PublicationStatus.PREPARED).exists()


def test_a_discard_refused_keeps_the_reason_and_says_why(client, users, world):
    as_user(client, users, "county_admin")
    response = client.post(reverse("disclosure:discard", args=[world["batch"].pk]), {"reason": "重新生成" * 600})
    page = response.content.decode()
    assert response.status_code == 400 and "不超过 2000 字符" in page and "重新生成重新生成" in page
    assert Publication.objects.filter(pk=world["batch"].pk).exists()


@pytest.mark.parametrize("role", ["department_user", "inspector", "other_county_admin"])
def test_a_review_by_a_role_without_it_writes_nothing(client, users, world, role):
    as_user(client, users, role)
    for name, data in (("review", {"note": "x" * 3000}), ("return_batch", {"reason": "x"})):
        response = client.post(reverse(f"disclosure:{name}", args=[world["batch"].pk]), data)
        assert response.status_code in (403, 404), name
    assert Publication.objects.filter(pk=world["batch"].pk, status=PublicationStatus.PREPARED).exists()


def test_the_grid_has_a_key_to_its_marks(client, users, world):
    """The city's county × month grid shows marks (✔ ✘ ● ○ ·) and numbers: a key under it says what each means,
    and a screen reader hears the meaning in each cell rather than "cross mark"."""
    client.force_login(users["city_admin"])
    text = client.get(reverse("disclosure:overview"), {"year": world["year"]}).content.decode()
    assert 'id="grid" aria-describedby="grid-legend"' in text
    key = text.split('id="grid-legend"')[1].split("</ul>")[0]
    for mark, meaning in [("✔", "已按期公开"), ("✘", "逾期：期限过后仍未公开，或晚于期限公开"),
                          ("●", "已生成批次，尚未全部公开"), ("○", "未到期"), ("·", "当月没有需要公开的检查结果")]:
        assert re.search(rf">{mark}</span> {meaning}</li>", key), mark
    assert "✘ 或 ○ 下的数字：尚未生成批次的检查结果条数" in key
    grid = text.split('id="grid"')[1].split("</table>")[0]
    # county A's month has a released batch and a prepared one; county B has nothing to publish
    assert '<span aria-hidden="true">●</span><span class="visually-hidden">待审核/待发布</span>' in grid
    assert '<span aria-hidden="true">·</span><span class="visually-hidden">无需公开</span>' in grid
    client.cookies["django_language"] = "en"
    english = client.get(reverse("disclosure:overview"), {"year": world["year"]}).content.decode()
    key = english.split('id="grid-legend"')[1].split("</ul>")[0]
    assert "Key" in key and "Overdue: not published by the deadline, or published after it" in key
    assert "No results to publish that month" in key and "Number under ✘ or ○: results not yet in a batch" in key
    assert "Batch prepared, not all published yet" in key and "图例" not in key


def test_the_grid_translates_its_words_once_not_in_each_cell(client, users, world, tree, monkeypatch):
    """A national grid has thirty thousand cells (2,644 counties × the year's months) and a row per county in the
    table of annual lists: translated in each, the words took most of the page's time (bench/staff_bench.py). The
    number of translations does not grow with the counties; each cell still says what it means."""
    from django.utils import translation

    from shuangsuiji.registry.models import Level
    from tests.conftest import make_jurisdiction

    calls = []
    real = translation._trans.gettext

    def counting(message):
        calls.append(message)
        return real(message)

    client.force_login(users["city_admin"])

    def translations() -> tuple[int, str]:
        calls.clear()
        monkeypatch.setattr(translation._trans, "gettext", counting)
        try:
            text = client.get(reverse("disclosure:overview"), {"year": world["year"]}).content.decode()
        finally:
            monkeypatch.setattr(translation._trans, "gettext", real)
        return len(calls), text

    translations()  # the first request of a session reads what later ones keep
    few, _text = translations()
    for n in range(1, 9):
        make_jurisdiction(f"1306{50 + n}", f"新县{n}", Level.COUNTY, tree["city"])
    many, text = translations()
    assert many == few
    grid = text.split('id="grid"')[1].split("</table>")[0]
    row = grid.split("新县8</a></th>")[1].split("</tr>")[0]
    nothing = (r'<td data-label="\d+月" class="text-secondary" title="无需公开"><span aria-hidden="true">·</span>'
               '<span class="visually-hidden">无需公开</span></td>')  # each month's cell under its head on a phone
    assert len(re.findall(nothing, row)) == len(re.findall("<td", row)) - 1
    annual = text.split('id="annual"')[1].split("</table>")[0]
    assert '<td data-label="行政区">新县8</td>' in annual and '<td data-label="状态">' in annual


def test_a_superusers_grid_lists_only_the_counties_whose_months_it_worked_out(client, users, world, tree):
    """The grid's states are worked out for the reader's own jurisdiction; a superuser bound to the city saw every
    county of the country below them, those of other cities reading 无需公开 whatever they held."""
    from shuangsuiji.accounts.models import User
    from shuangsuiji.registry.models import Level
    from tests.conftest import make_jurisdiction

    other_city = make_jurisdiction("130700", "张家口市", Level.CITY, tree["province"])
    elsewhere = make_jurisdiction("130702", "桥东区", Level.COUNTY, other_city)
    root = User.objects.create_superuser(username="root", password="pw-root", jurisdiction=tree["city"])
    client.force_login(root)
    page = client.get(reverse("disclosure:overview"), {"year": world["year"]})
    assert page.status_code == 200
    assert [row["jurisdiction"] for row in page.context["grid"]] == [tree["a"], tree["b"]]
    assert elsewhere not in [row["jurisdiction"] for row in page.context["annual"]]
