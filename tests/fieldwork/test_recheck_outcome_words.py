"""A re-check's row verifies one order to rectify, so its result reads 已整改 / 未整改 (Rectified / Not rectified) on
the record's page, the phone's form, the PDF and the 以往检查 list, with a tally of the re-check — not 未发现问题,
which said of a unit that rectified what it was ordered to that nothing had been found. Only the words change: the
rows store and seal "ok" / "problem" as before, so records already sealed verify unchanged."""

import json

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from shuangsuiji.fieldwork import sealing, services
from shuangsuiji.fieldwork.models import Handling, Outcome, Recheck
from shuangsuiji.fieldwork.pdf import record_context
from tests.clients import signed_in

from .conftest import fill, sign_all, submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def recheck_draft(task, users):
    """The re-check of an order on HB-001, its draft started by the ``inspector`` user."""
    source = submitted(task, users["inspector"], problem=Handling.ORDER)
    recheck = Recheck.objects.get(source_record=source)
    return services.do_start_recheck_record(recheck, acting_user=users["inspector"])


def seal(draft, users, **kwargs):
    draft = fill(draft, users["inspector"], **kwargs)
    sign_all(draft, users["inspector"])
    return services.do_submit_record(draft, acting_user=users["inspector"])


def outcome_cell(page: str) -> str:
    """The text of the first item's result cell on the record's page."""
    start = page.index('data-label="检查结果"><span') if 'data-label="检查结果"><span' in page else page.index(
        'data-label="Outcome"><span')
    return page[start:page.index("</td>", start)]


def test_a_rectified_order_reads_rectified_on_the_page_the_pdf_and_the_history(recheck_draft, task, users):
    source = recheck_draft.recheck.source_record
    record = seal(recheck_draft, users)
    page = signed_in(users["inspector"], "zh-hans").get(record.get_absolute_url()).content.decode()
    assert "已整改" in outcome_cell(page) and "未发现问题" not in outcome_cell(page)
    assert "复查结果：已整改 1 项，未整改 0 项" in page
    english = signed_in(users["inspector"], "en").get(record.get_absolute_url()).content.decode()
    assert ">Rectified<" in outcome_cell(english)
    assert "Re-check result: 1 rectified, 0 not rectified" in english

    html = render_to_string("fieldwork/record_pdf.html", record_context(record))
    assert "已整改" in html and "未整改" in html and "未发现问题" not in html
    assert "已整改 1 项，未整改 0 项" in html

    # the 以往检查 of the firm, on the task's page: the re-check says what it found
    brief = signed_in(users["inspector"], "zh-hans").get(reverse("fieldwork:task_brief", args=[task.pk]))
    history = brief.content.decode().split("以往检查", 1)[1].split("未办结的问题", 1)[0]
    line = history[history.index(record.number):].split("</li>", 1)[0]
    assert "复查：已整改" in line and "未发现问题" not in line

    # the random check's record it re-checked keeps its own words
    source_page = signed_in(users["inspector"], "zh-hans").get(source.get_absolute_url()).content.decode()
    assert "发现问题" in outcome_cell(source_page) and "复查结果" not in source_page
    assert "已整改" not in render_to_string("fieldwork/record_pdf.html", record_context(source))

    # the words are the page's: the sealed row is still "ok", and the record verifies as sealed
    assert [i["outcome"] for i in json.loads(record.sealed_content)["content"]["items"]] == [Outcome.NO_PROBLEM]
    assert sealing.verify(record) == []


def test_an_order_still_not_rectified_reads_so(recheck_draft, task, users):
    record = seal(recheck_draft, users, problem=Handling.CASE)
    page = signed_in(users["inspector"], "zh-hans").get(record.get_absolute_url()).content.decode()
    assert "未整改" in outcome_cell(page) and "发现问题" not in outcome_cell(page)
    assert "复查结果：已整改 0 项，未整改 1 项" in page
    html = render_to_string("fieldwork/record_pdf.html", record_context(record))
    assert "已整改 0 项，未整改 1 项" in html
    brief = signed_in(users["inspector"], "zh-hans").get(reverse("fieldwork:task_brief", args=[task.pk]))
    history = brief.content.decode().split("以往检查", 1)[1].split("未办结的问题", 1)[0]
    line = history[history.index(record.number):].split("</li>", 1)[0]
    assert "复查：1 项未整改" in line


def test_the_phone_form_offers_rectified_and_not_rectified(recheck_draft, users):
    page = signed_in(users["inspector"], "zh-hans").get(
        reverse("fieldwork:record_edit", args=[recheck_draft.pk])).content.decode()
    items = page[page.index('id="items"'):page.index('id="findings"') if 'id="findings"' in page else None]
    assert ">已整改</label>" in items and ">未整改</label>" in items and ">未发现问题</label>" not in items
    english = signed_in(users["inspector"], "en").get(
        reverse("fieldwork:record_edit", args=[recheck_draft.pk])).content.decode()
    assert ">Rectified</label>" in english and ">Not rectified</label>" in english

