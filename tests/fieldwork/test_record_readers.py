"""A sealed record as its readers meet it: the page (Chinese and English) and the PDF say who the site manager
was and that he refused to sign, print no place for an off-site check where nobody went, and say a re-check's
item in the reader's language without changing what was sealed."""

import shutil
import subprocess

import pytest
from django.urls import reverse
from django.utils import translation

from shuangsuiji.fieldwork import services
from shuangsuiji.fieldwork.models import InspectionRecord
from shuangsuiji.fieldwork.pdf import render_record_pdf
from tests.clients import signed_in

from .conftest import fill, rechecked, sign_all, submitted

pytestmark = pytest.mark.django_db

needs_pdftotext = pytest.mark.skipif(shutil.which("pdftotext") is None,
                                     reason="poppler-utils (scripts/system-deps.sh test)")

REFUSAL = {"site_manager_name": "钱大明", "site_manager_position": "生产副总", "site_manager_phone": "13800138000",
           "site_manager_refused": True, "site_manager_refusal_note": "拒不签字，村委会主任孙某在场见证"}


def _page(user, record, settings, language: str) -> str:
    client = signed_in(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    try:
        response = client.get(reverse("fieldwork:record_detail", args=[record.pk]))
    finally:
        translation.activate(settings.LANGUAGE_CODE)
    assert response.status_code == 200
    return response.content.decode()


def _pdf_text(record, tmp_path) -> str:
    path = tmp_path / "record.pdf"
    path.write_bytes(render_record_pdf(record))
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True,
                          text=True).stdout


def _line(text: str, label: str) -> str:
    return next(line for line in text.splitlines() if line.strip().startswith(label))


def _sealed(task, user, **values):
    record = fill(services.do_start_record(task, acting_user=user), user, **values)
    sign_all(record, user)
    return services.do_submit_record(record, acting_user=user)


def test_a_refusal_to_sign_names_the_site_manager_and_his_opinion_on_the_page(task, users, settings):
    record = _sealed(task, users["inspector"], site_manager_statement="布袋是昨天才坏的，不认可", **REFUSAL)
    zh = _page(users["county_admin"], record, settings, "zh-hans")
    for expected in ("钱大明", "生产副总", "13800138000", "拒绝签字", "拒不签字，村委会主任孙某在场见证",
                     "布袋是昨天才坏的，不认可"):
        assert expected in zh, expected
    en = _page(users["inspector"], record, settings, "en")
    for expected in ("Site manager", "钱大明", "13800138000", "Refused to sign", "Account of the refusal",
                     "拒不签字，村委会主任孙某在场见证", "Statement of the inspected unit", "布袋是昨天才坏的，不认可"):
        assert expected in en, expected


def test_a_refused_record_does_not_show_the_prefilled_statement_as_the_managers_words(task, users, settings):
    record = _sealed(task, users["inspector"], **REFUSAL)
    assert record.site_manager_statement == "以上记录属实。"  # the form's default, sealed as it was
    zh = _page(users["county_admin"], record, settings, "zh-hans")
    assert "以上记录属实" not in zh and "未提出意见" in zh
    assert "No statement given" in _page(users["county_admin"], record, settings, "en")


def test_a_signed_record_says_the_site_manager_signed(task, users, settings):
    record = submitted(task, users["inspector"])
    page = _page(users["county_admin"], record, settings, "en")
    assert "钱经理" in page and "Signed" in page and "Refused to sign" not in page
    assert "以上记录属实。" in page


@needs_pdftotext
def test_the_pdf_prints_the_refusal_with_the_site_manager_and_his_opinion(task, users, tmp_path):
    record = _sealed(task, users["inspector"], site_manager_statement="布袋是昨天才坏的，不认可", **REFUSAL)
    text = _pdf_text(record, tmp_path)
    for expected in ("现场负责人：钱大明（生产副总）", "13800138000", "现场负责人拒绝签字。",
                     "拒签情况说明：拒不签字，村委会主任孙某在场见证", "被检查单位意见：布袋是昨天才坏的，不认可"):
        assert expected in text, expected
    silent = _sealed(_next_task(task), users["inspector"], **REFUSAL)
    assert "被检查单位意见：未提出意见" in _pdf_text(silent, tmp_path)
    assert "以上记录属实" not in _pdf_text(silent, tmp_path)


def _next_task(task):
    from .conftest import make_task

    members = [(m.inspector, m.role) for m in task.members.all()]
    return make_task(task.target, list(task.check_items()), members)


OFF_SITE = {"mode": "off_site", "off_site_means": ["online_monitoring", "video"]}


def test_an_off_site_record_shows_no_place_where_nobody_went(task, users, settings):
    # stored off site with the firm's address as its place, as the old prefill left it (a switch made in a save now
    # takes it out: test_who_sees_and_signs); the reading still hides it
    user = users["inspector"]
    draft = services.do_start_record(task, acting_user=user)
    InspectionRecord.objects.filter(pk=draft.pk).update(mode="off_site")
    record = fill(draft, user, off_site_means=OFF_SITE["off_site_means"])
    sign_all(record, user)
    record = services.do_submit_record(record, acting_user=user)
    assert record.place == "涞水县经济开发区创业路8号"  # the draft's prefill, sealed as it was
    zh = _page(users["county_admin"], record, settings, "zh-hans")
    place = zh.split('id="record-place">')[1].split("</td>")[0]
    assert "非现场检查，未到现场" in place and "创业路8号" not in place
    en = _page(users["county_admin"], record, settings, "en")
    assert "Off-site check: nobody went to the site" in en.split('id="record-place">')[1].split("</td>")[0]


@needs_pdftotext
def test_an_off_site_pdf_prints_no_place_where_nobody_went(task, users, tmp_path):
    record = _sealed(task, users["inspector"], **OFF_SITE)
    text = _pdf_text(record, tmp_path)
    place = _line(text, "检查地点")
    assert "非现场检查，未到现场" in place and "创业路8号" not in place
    assert "创业路8号" in _line(text, "地址")  # the firm's address stays where it belongs
    typed = _sealed(_next_task(task), users["inspector"], place="涞水县生态环境分局监控中心", **OFF_SITE)
    assert "涞水县生态环境分局监控中心" in _line(_pdf_text(typed, tmp_path), "检查地点")


@pytest.fixture
def recheck_record(recheck, users):
    """``recheck``'s record, sealed: its one item re-checks HB-001's order."""
    return rechecked(recheck, users["inspector"])


def test_a_recheck_item_reads_in_the_readers_language_and_stays_as_sealed(recheck_record, users, settings):
    record = recheck_record
    stored = record.items.get().content
    assert stored.startswith("复查整改情况：布袋除尘器破损，未及时更换（整改期限 ")
    deadline = stored.rsplit(" ", 1)[1].rstrip("）")
    assert stored in _page(users["county_admin"], record, settings, "zh-hans")
    en = _page(users["county_admin"], record, settings, "en")
    assert f"Check the rectification of: 布袋除尘器破损，未及时更换 (deadline {deadline})" in en
    assert "复查整改情况" not in en
    record.refresh_from_db()
    assert record.items.get().content == stored


@needs_pdftotext
def test_a_recheck_pdf_stays_the_chinese_form_in_an_english_session(recheck_record, users, tmp_path):
    record = recheck_record
    with translation.override("en"):
        text = _pdf_text(record, tmp_path)
    assert "复查整改情况：布袋除尘器破损" in text and "Check the rectification" not in text


def test_a_visit_over_midnight_shows_the_day_it_ended(task, users, settings):
    """The page printed the end as a time only: 23:30 — 01:10 read as a visit that ended before it began."""
    import datetime

    from django.utils import timezone

    start = timezone.localtime(timezone.now() - datetime.timedelta(days=2)).replace(hour=23, minute=30, second=0,
                                                                                     microsecond=0)
    end = start + datetime.timedelta(hours=1, minutes=40)
    record = _sealed(task, users["inspector"], started_at=start, ended_at=end)
    shown = _page(users["county_admin"], record, settings, "zh-hans").split('id="record-time">')[1].split("</td>")[0]
    assert f"{start:%Y-%m-%d %H:%M} — {end:%Y-%m-%d %H:%M}" in shown
    # Times of its own: the default visit (hours before now) itself crosses midnight when the suite runs just after it.
    morning = start.replace(hour=9, minute=0)
    same_day = _sealed(_next_task(task), users["inspector"], started_at=morning,
                       ended_at=morning + datetime.timedelta(hours=1, minutes=15))
    shown = _page(users["county_admin"], same_day, settings, "zh-hans").split('id="record-time">')[1].split("</td>")[0]
    assert f"{morning:%Y-%m-%d %H:%M} — 10:15" in shown


def test_a_recheck_record_names_the_record_it_rechecks(recheck_record, users, settings, tmp_path):
    record = recheck_record
    source = record.recheck.source_record
    en = _page(users["inspector"], record, settings, "en")
    shown = en.split('id="recheck-source">')[1].split("</td>")[0]
    assert source.number in shown and source.get_absolute_url() in shown
    assert record.recheck.get_absolute_url() in en
    assert "Original record" in en
    if shutil.which("pdftotext"):
        assert f"复查原检查记录 {source.number}" in _pdf_text(record, tmp_path)


@needs_pdftotext
def test_the_items_table_repeats_its_header_on_every_page_it_runs_over(target, items, team, users, tree, tmp_path):
    """A record of a dozen items ran over three pages whose columns had no headings."""
    from shuangsuiji.planning.models import MemberRole
    from shuangsuiji.registry.models import CheckItem

    from .conftest import make_task

    more = [CheckItem.objects.create(code=f"HB-{n:03d}", name=f"第{n}项检查事项", legal_basis="《环境保护法》",
                                     content="检查内容：" + "是否按规定运行并记录台账；" * 6, jurisdiction=tree["city"],
                                     responsible_department=tree["departments"]["130600"]) for n in range(3, 15)]
    officers = [(team["first"], MemberRole.OFFICER), (team["second"], MemberRole.OFFICER)]
    task = make_task(target, [*items, *more], officers)
    record = _sealed(task, users["inspector"])
    path = tmp_path / "record.pdf"
    path.write_bytes(render_record_pdf(record))
    pages = int(next(line for line in subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True,
                                                     check=True).stdout.splitlines()
                     if line.startswith("Pages:")).split()[1])
    assert pages >= 3
    for page in range(2, pages):  # every page the items run over (the last one may start after them)
        text = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), "-layout", str(path), "-"],
                              capture_output=True, check=True, text=True).stdout
        assert "检查事项及内容" in text and "问题记录及处理" in text, page


def test_an_amendment_says_who_approved_it(task, users, settings):
    """The English page read "Approve: <name>", an order, where the record says who approved the amendment."""
    original = submitted(task, users["inspector"])
    services.do_review_record(original, passed=False, reason="联系电话有误", acting_user=users["county_admin"])
    amendment = original.amendment
    approver = amendment.amendment_approved_by.display_name
    for name in ("record_detail", "record_edit"):
        client = signed_in(users["inspector"], "en")
        try:
            page = client.get(reverse(f"fieldwork:{name}", args=[amendment.pk])).content.decode()
        finally:
            translation.activate(settings.LANGUAGE_CODE)
        assert f"Approved by: {approver}" in page and "Approve:" not in page, name
    assert f"批准：{approver}" in _page(users["county_admin"], amendment, settings, "zh-hans")


@needs_pdftotext
def test_the_pdf_prints_what_each_photo_shows(task, users, tmp_path):
    """The page showed a photo's caption (说明); the PDF printed only its file name."""
    from .conftest import photo

    user = users["inspector"]
    record = fill(services.do_start_record(task, acting_user=user), user)
    services.do_add_attachment(record, photo("IMG_0001.jpg"), acting_user=user, caption="除尘器布袋破损处")
    sign_all(record, user)
    record = services.do_submit_record(record, acting_user=user)
    text = _pdf_text(record, tmp_path)
    assert "IMG_0001.jpg：除尘器布袋破损处" in text.replace("\n", "")
    assert text.count("除尘器布袋破损处") == 2  # in the list of attachments and under the photo
