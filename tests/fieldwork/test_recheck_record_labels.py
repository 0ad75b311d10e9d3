"""A re-check record says it is one, in the reader's language: its number is the re-check's (复查任务编号, also on
the PDF), its item's content ("复查整改情况：…（整改期限 …）", sealed in Chinese) reads in English on the English form,
and an overdue re-check says so in words, not by colour alone."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from shuangsuiji.fieldwork import services
from shuangsuiji.fieldwork.models import Recheck
from shuangsuiji.fieldwork.pdf import record_context
from tests.clients import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(recheck, users):
    return services.do_start_recheck_record(recheck, acting_user=users["inspector"])


def test_the_english_form_names_the_recheck_and_says_its_content_in_english(draft, users):
    page = signed_in(users["inspector"], "en").get(reverse("fieldwork:record_edit", args=[draft.pk])).content.decode()
    assert f"Re-check number <span class=\"font-monospace\">{draft.recheck.number}</span>" in page
    assert "Check the rectification of: 布袋除尘器破损，未及时更换 (deadline " in page and "复查整改情况" not in page
    chinese = signed_in(users["inspector"], "zh-hans").get(reverse("fieldwork:record_edit", args=[draft.pk]))
    assert "复查任务编号" in chinese.content.decode() and "复查整改情况：布袋除尘器破损" in chinese.content.decode()


def test_the_record_page_and_the_pdf_call_it_the_rechecks_number(draft, users):
    page = signed_in(users["county_admin"], "en").get(draft.get_absolute_url()).content.decode()
    assert "<th>Re-check number</th>" in page and "<th>Task number</th>" not in page
    from django.template.loader import render_to_string
    html = render_to_string("fieldwork/record_pdf.html", record_context(draft))
    assert f"复查任务编号：{draft.recheck.number}" in html


def test_an_overdue_recheck_says_so_in_words(draft, users):
    recheck = draft.recheck
    Recheck.objects.filter(pk=recheck.pk).update(due_date=timezone.localdate() - datetime.timedelta(days=1))
    page = signed_in(users["inspector"], "en").get(recheck.get_absolute_url()).content.decode()
    assert '<span class="badge text-bg-danger">Overdue</span>' in page
