"""The printable record: a PDF in Chinese with the signatures and the seal hash, rendered to PNG to be looked at."""

import base64
import os
import shutil
import subprocess

import pytest
from django.utils import translation

from shuangsuiji.fieldwork import services
from shuangsuiji.fieldwork.models import Handling
from shuangsuiji.fieldwork.pdf import render_record_pdf

from .conftest import fill, photo, sign_all, signature_png

pytestmark = pytest.mark.django_db

SHOTS = os.environ.get("FIELDWORK_SHOTS")
"""Set to a directory to keep the PNG pages for looking at them."""


def _text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "record.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True,
                          text=True).stdout


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (scripts/system-deps.sh test)")
def test_the_pdf_has_the_form_the_signatures_and_the_seal(task, users, tmp_path):
    user = users["inspector"]
    record = fill(services.do_start_record(task, acting_user=user), user, problem=Handling.ORDER)
    services.do_add_attachment(record, photo("车间.jpg"), acting_user=user)
    draft_text = _text(render_record_pdf(record), tmp_path)
    assert "草稿" in draft_text
    sign_all(record, user)
    record = services.do_submit_record(record, acting_user=user)
    pdf = render_record_pdf(record)
    assert pdf.startswith(b"%PDF")
    text = _text(pdf, tmp_path)
    for expected in ("污染源现场检查记录表", record.number, "涞水县甲化工有限公司", task.target.credit_code,
                     "布袋除尘器破损", "责令改正", "张三", "13062300001", "李四", "钱经理", "以上记录属实",
                     record.seal_hash, "现场照片"):
        assert expected in text, expected
    assert "草稿" not in text
    pages = tmp_path / "page"
    subprocess.run(["pdftoppm", "-r", "70", "-png", str(tmp_path / "record.pdf"), str(pages)], check=True)
    rendered = sorted(tmp_path.glob("page*.png"))
    assert len(rendered) >= 2  # the form, then the photos page
    if SHOTS:
        for png in rendered:
            shutil.copy(png, os.path.join(SHOTS, f"pdf-{png.name}"))


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (scripts/system-deps.sh test)")
def test_the_pdf_is_the_chinese_form_whoever_prints_it(task, users, tmp_path):
    user = users["inspector"]
    record = fill(services.do_start_record(task, acting_user=user), user, problem=Handling.ORDER)
    sign_all(record, user)
    record = services.do_submit_record(record, acting_user=user)
    with translation.override("en"):
        text = _text(render_record_pdf(record), tmp_path)
    assert "责令改正" in text and "发现问题" in text
    assert "Ordered to rectify" not in text and "Problem found" not in text


def test_the_renderer_fetches_nothing_but_data_uris():
    """Hardening: a file or network address in the printed HTML is not read, whatever put it there."""
    from weasyprint import HTML

    from shuangsuiji.fieldwork.pdf import FETCHER

    for url in ("file:///etc/hostname", "http://127.0.0.1:9/x.png", "https://example.invalid/x.css"):
        with pytest.raises(ValueError, match="disallowed protocol"):
            FETCHER.fetch(url)
    assert FETCHER.fetch("data:text/plain;base64,b2s=")  # what the record's photos and signatures are
    refused = HTML(string='<img src="file:///etc/hostname"><p>ok</p>', url_fetcher=FETCHER).write_pdf()
    assert refused.startswith(b"%PDF") and b"/Image" not in refused
    png = base64.b64encode(signature_png()).decode("ascii")
    printed = HTML(string=f'<img src="data:image/png;base64,{png}">', url_fetcher=FETCHER).write_pdf()
    assert b"/Image" in printed  # a signature as the record embeds it still prints
