"""A re-check before its 整改期限 has passed (on the deadline day or earlier) is lawful when the firm reports it has
rectified early; the officers must then say so in 提前复查说明 (``services.early_recheck``), which is sealed with the
record and shown on its page and PDF. Without it the seal is refused with a message naming the deadline. After the
deadline nothing more is asked. The form shows the deadline either way."""

import datetime
import shutil
import subprocess

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from shuangsuiji.fieldwork import services
from shuangsuiji.fieldwork.models import Recheck
from shuangsuiji.fieldwork.pdf import render_record_pdf
from tests.clients import signed_in

from .conftest import fill, sign_all

pytestmark = pytest.mark.django_db

STATEMENT = "企业于12月1日书面报告已提前完成整改，附更换布袋的照片。"


def filled(recheck, users, statement: str):
    record = services.do_start_recheck_record(recheck, acting_user=users["inspector"])
    record = fill(record, users["inspector"], early_recheck_statement=statement)
    return sign_all(record, users["inspector"])


def test_an_early_recheck_without_the_firms_report_is_refused_naming_the_deadline(recheck, users):
    record = filled(recheck, users, "")
    deadline = recheck.not_before.isoformat()
    assert timezone.localdate() <= recheck.not_before
    errors = services.completeness_errors(record)
    assert errors["early_recheck_statement"] == [
        f"整改期限（{deadline}）尚未届满：企业报告已提前完成整改的，请在“提前复查说明”中写明何时、以何种方式报告；"
        "否则请在整改期限后再复查"]
    with pytest.raises(ValidationError):
        services.do_submit_record(record, acting_user=users["inspector"])
    record.refresh_from_db()
    assert not record.is_sealed


def test_the_deadline_day_itself_is_still_early(recheck, users):
    Recheck.objects.filter(pk=recheck.pk).update(not_before=timezone.localdate())
    record = filled(recheck, users, "")
    assert "early_recheck_statement" in services.completeness_errors(record)


def test_an_early_recheck_with_the_firms_report_is_sealed_and_shows_it(recheck, users, tmp_path):
    record = services.do_submit_record(filled(recheck, users, STATEMENT), acting_user=users["inspector"])
    assert record.is_sealed and f'"early_recheck_statement":"{STATEMENT}"' in record.sealed_content
    for language in ("zh-hans", "en"):
        page = signed_in(users["county_admin"], language).get(record.get_absolute_url()).content.decode()
        assert 'id="early-recheck-statement"' in page and STATEMENT in page
        assert recheck.not_before.isoformat() in page
    assert "Early re-check statement" in signed_in(users["county_admin"], "en").get(
        record.get_absolute_url()).content.decode()
    if shutil.which("pdftotext"):
        path = tmp_path / "recheck.pdf"
        path.write_bytes(render_record_pdf(record))
        text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True).stdout
        assert "提前复查说明" in text and "书面报告已提前完成整改" in text


@pytest.mark.parametrize(("who", "language"), [("county_admin", "zh-hans"), ("county_admin", "en"),
                                                ("inspector", "zh-hans")])
def test_the_recheck_page_shows_the_sealed_statement_itself(recheck, users, who, language):
    record = services.do_submit_record(filled(recheck, users, STATEMENT), acting_user=users["inspector"])
    page = signed_in(users[who], language).get(recheck.get_absolute_url()).content.decode()
    assert 'id="early-recheck-statement"' in page and STATEMENT in page and record.number in page
    label = "Early re-check statement" if language == "en" else "提前复查说明"
    assert label in page


def test_the_recheck_page_shows_no_statement_before_the_seal_nor_to_another_county(recheck, users):
    filled(recheck, users, STATEMENT)  # typed in the draft, not sealed yet
    page = signed_in(users["county_admin"]).get(recheck.get_absolute_url()).content.decode()
    assert 'id="early-recheck-statement"' not in page
    assert signed_in(users["other_county_admin"]).get(recheck.get_absolute_url()).status_code == 404


def test_after_the_deadline_no_statement_is_asked(recheck, users):
    record = services.do_start_recheck_record(recheck, acting_user=users["inspector"])
    record = fill(record, users["inspector"], early_recheck_statement="")
    # the day before the inspection's (not today's: two hours ago may be yesterday, just after midnight)
    before = services.inspection_day(record) - datetime.timedelta(days=1)
    Recheck.objects.filter(pk=recheck.pk).update(not_before=before, due_date=before + datetime.timedelta(days=15))
    record = sign_all(record, users["inspector"])
    assert "early_recheck_statement" not in services.completeness_errors(record)
    record = services.do_submit_record(record, acting_user=users["inspector"])
    assert "early_recheck_statement" not in record.sealed_content
    page = signed_in(users["county_admin"]).get(record.get_absolute_url()).content.decode()
    assert 'id="early-recheck-statement"' not in page
    page = signed_in(users["county_admin"]).get(recheck.get_absolute_url()).content.decode()
    assert 'id="early-recheck-statement"' not in page


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_form_shows_the_deadline(recheck, users, language):
    record = services.do_start_recheck_record(recheck, acting_user=users["inspector"])
    page = signed_in(users["inspector"], language).get(reverse("fieldwork:record_edit", args=[record.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and 'id="recheck-deadline"' in html
    assert recheck.not_before.isoformat() in html and recheck.due_date.isoformat() in html
    assert 'name="early_recheck_statement"' in html
    # met in order: after the on-site/off-site choice, next to the check's times the deadline is compared with
    statement = html.index('name="early_recheck_statement"')
    assert html.index('name="mode"') < statement and html.index('name="off_site_means"') < statement
    assert html.index('name="started_at"') < html.index('id="recheck-deadline"') < statement
    assert statement < html.index('name="place"')


def test_a_task_record_has_no_statement_field(task, users):
    record = services.do_start_record(task, acting_user=users["inspector"])
    html = signed_in(users["inspector"]).get(reverse("fieldwork:record_edit", args=[record.pk])).content.decode()
    assert 'name="early_recheck_statement"' not in html and 'id="recheck-deadline"' not in html
