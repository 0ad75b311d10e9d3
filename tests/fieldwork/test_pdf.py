"""The printable record: a PDF in Chinese with the signatures and the seal hash, rendered to PNG to be looked at."""

import base64
import hashlib
import io
import os
import shutil
import struct
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image, ImageDraw

from shuangsuiji.fieldwork import pdf as pdf_module
from shuangsuiji.fieldwork import sealing, services
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


# --- a photo that cannot be printed is said at its place ---------------------------------------------------------

READERS = {"county_admin": 200, "city_admin": 200, "inspector": 200, "leader": 200, "department_user": 200,
           "other_county_admin": 404, "outsider": 404}


@pytest.fixture
def two_photos(task, users):
    """A sealed record with two photos: 车间.jpg, whose file is then lost from MEDIA_ROOT, and 排口.jpg."""
    user = users["inspector"]
    record = fill(services.do_start_record(task, acting_user=user), user)
    services.do_add_attachment(record, photo("车间.jpg", "red"), acting_user=user)
    services.do_add_attachment(record, photo("排口.jpg", "blue"), acting_user=user)
    sign_all(record, user)
    record = services.do_submit_record(record, acting_user=user)
    lost, kept = record.attachments.order_by("uploaded_at", "id")
    os.remove(lost.file.path)
    return record, lost, kept


def _flat(pdf: bytes, tmp_path) -> str:
    """The PDF's text in reading order (not -layout: photos side by side would interleave), without the spaces
    and line breaks of the note wrapped in its narrow box."""
    path = tmp_path / "record.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True).stdout
    return "".join(text.split())


def _note(attachment, reason: str) -> str:
    return f"照片{attachment.original_name}（{attachment.sha256[:12]}）未能载入：{reason}"


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (scripts/system-deps.sh test)")
def test_a_missing_photo_is_said_at_its_place_in_the_pdf_and_logged(two_photos, tmp_path, caplog):
    record, lost, _kept = two_photos
    pdf = render_record_pdf(record)
    text = _flat(pdf, tmp_path)
    assert _note(lost, "文件缺失") in text
    assert "未能载入" not in text.replace(_note(lost, "文件缺失"), "")  # the other photo printed
    assert _note(lost, "文件缺失") + "1.车间.jpg" in text  # at its place: the first photo's box, above its caption
    errors = [r for r in caplog.records if r.levelname == "ERROR"]
    assert any(lost.sha256 in r.getMessage() and "verify_files" in r.getMessage() for r in errors)
    if SHOTS:
        (tmp_path / "record.pdf").write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", "60", "-png", str(tmp_path / "record.pdf"),
                        os.path.join(SHOTS, "pdf-missing-photo")], check=True)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (scripts/system-deps.sh test)")
def test_a_photo_beyond_the_count_is_said_too(two_photos, tmp_path, monkeypatch):
    from shuangsuiji.fieldwork import pdf as module

    record, _lost, kept = two_photos
    monkeypatch.setattr(module, "MAX_PHOTOS", 0)
    assert _note(kept, "超过每份记录打印的照片数（0张）") in _flat(render_record_pdf(record), tmp_path)


@pytest.mark.parametrize("role", sorted(READERS))
def test_the_record_page_says_which_photo_is_missing(two_photos, users, team, role, caplog):
    from django.urls import reverse

    from tests.clients import signed_in

    record, lost, kept = two_photos
    user = team["outsider"] if role == "outsider" else users[role]
    response = signed_in(user).get(reverse("fieldwork:record_detail", args=[record.pk]))
    assert response.status_code == READERS[role]
    if response.status_code != 200:
        return
    html = response.content.decode()
    assert f"照片 {lost.original_name}（{lost.sha256[:12]}）未能载入：文件缺失" in html
    assert reverse("fieldwork:attachment_file", args=[lost.pk]) not in html  # no broken image, no dead link
    assert reverse("fieldwork:attachment_file", args=[kept.pk]) in html
    assert html.count("未能载入") == 1
    assert any(r.levelname == "ERROR" and lost.sha256 in r.getMessage() for r in caplog.records)


def test_the_record_page_says_it_in_english_too(two_photos, users):
    from django.urls import reverse

    from tests.clients import signed_in

    record, lost, _kept = two_photos
    client = signed_in(users["inspector"])
    client.cookies["django_language"] = "en"
    html = client.get(reverse("fieldwork:record_detail", args=[record.pk]) + "?lang=en").content.decode()
    assert f"Photo {lost.original_name} ({lost.sha256[:12]}) could not be loaded: the file is missing" in html


@pytest.fixture
def draft_with_two_photos(task, users):
    """As ``two_photos``, the record still a draft: the edit form lists the photos."""
    user = users["inspector"]
    record = fill(services.do_start_record(task, acting_user=user), user)
    services.do_add_attachment(record, photo("车间.jpg", "red"), acting_user=user)
    services.do_add_attachment(record, photo("排口.jpg", "blue"), acting_user=user)
    lost, kept = record.attachments.order_by("uploaded_at", "id")
    os.remove(lost.file.path)
    return record, lost, kept


# the form is the team's: an administrator is refused (403); a draft is not shown to a leader or a department,
# nor a record outside one's scope (404)
EDITORS = {"inspector": 200, "county_admin": 403, "city_admin": 403, "leader": 404, "department_user": 404,
           "other_county_admin": 404, "outsider": 404}


@pytest.mark.parametrize("role", sorted(EDITORS))
def test_the_draft_form_says_which_photo_is_missing(draft_with_two_photos, users, team, role, caplog):
    """The edit form showed a broken image for a photo whose file was lost; it says so, as the record's page does."""
    from django.urls import reverse

    from tests.clients import signed_in

    record, lost, kept = draft_with_two_photos
    user = team["outsider"] if role == "outsider" else users[role]
    response = signed_in(user).get(reverse("fieldwork:record_edit", args=[record.pk]))
    assert response.status_code == EDITORS[role]
    if response.status_code != 200:
        return
    html = response.content.decode()
    assert f"照片 {lost.original_name}（{lost.sha256[:12]}）未能载入：文件缺失" in html
    assert f'src="{reverse("fieldwork:attachment_file", args=[lost.pk])}"' not in html  # no broken image
    assert f'src="{reverse("fieldwork:attachment_file", args=[kept.pk])}"' in html
    assert html.count("未能载入") == 1
    assert any(r.levelname == "ERROR" and lost.sha256 in r.getMessage() for r in caplog.records)


# --- a photo file over the size limit prints reduced ----------------------------------------------------------------

def large_phone_jpeg() -> bytes:
    """A 24-megapixel JPEG over ``MAX_PHOTO_BYTES``, stored on its side with EXIF orientation 6 as a phone holds a
    portrait: upright it is 4000 × 6000 with a red band at its top. Padded with APP15 segments (as a phone's maker
    notes and depth maps are) to be large cheaply: a smooth picture compresses to little."""
    upright = Image.new("RGB", (4000, 6000), "#cfd8dc")
    draw = ImageDraw.Draw(upright)
    draw.rectangle((0, 0, 3999, 900), fill="#c62828")  # the top
    draw.ellipse((1000, 2500, 3000, 4500), fill="#1565c0")
    stored = upright.transpose(Image.Transpose.ROTATE_90)  # orientation 6: turn clockwise to show
    exif = Image.Exif()
    exif[0x0112] = 6
    buffer = io.BytesIO()
    stored.save(buffer, "JPEG", quality=80, exif=exif.tobytes())
    data = buffer.getvalue()
    payload = b"\x00" * 65000
    segment = b"\xff\xef" + struct.pack(">H", len(payload) + 2) + payload
    padding = segment * (pdf_module.MAX_PHOTO_BYTES // len(segment) + 2)
    return data[:2] + padding + data[2:]  # right after SOI


def _images(pdf: bytes, tmp_path) -> list[tuple[int, int]]:
    """(width, height) of every image the PDF embeds, as ``pdfimages -list`` reads them."""
    path = tmp_path / "images.pdf"
    path.write_bytes(pdf)
    listing = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, check=True, text=True).stdout
    return [(int(row.split()[3]), int(row.split()[4])) for row in listing.splitlines()[2:]
            if row.split()[2] == "image"]


@pytest.mark.skipif(shutil.which("pdfimages") is None, reason="poppler-utils (scripts/system-deps.sh test)")
def test_a_photo_file_over_the_limit_prints_reduced_and_upright_and_its_file_is_untouched(task, users, tmp_path):
    user = users["inspector"]
    record = fill(services.do_start_record(task, acting_user=user), user)
    data = large_phone_jpeg()
    assert len(data) > pdf_module.MAX_PHOTO_BYTES
    large = services.do_add_attachment(record, SimpleUploadedFile("全景.jpg", data, content_type="image/jpeg"),
                                       acting_user=user)
    services.do_add_attachment(record, photo("排口.jpg"), acting_user=user)
    sign_all(record, user)
    record = services.do_submit_record(record, acting_user=user)
    large.refresh_from_db()

    pdf = render_record_pdf(record)
    images = _images(pdf, tmp_path)
    # upright (portrait, as EXIF says) and fitted to the 58 × 44 mm box at 300 dpi: 520 pixels high, not 6000
    assert any(height == 520 and width in (346, 347) for width, height in images), images
    assert (64, 48) in images  # the small photo is embedded as it is stored
    assert len(pdf) < 2 * 1024 * 1024
    text = _flat(pdf, tmp_path)
    assert "此处为缩小打印（原图6000×4000像素，" in text  # the stored file's pixels, as stored
    assert f"{large.size}字节）；原文件随记录完整保存，其SHA-256：" in text
    # the hash under the photo (poppler reads its monospace block after the captions), besides the attachments'
    assert text.count(large.sha256) == 2
    assert "未能载入" not in text
    assert text.count("此处为缩小打印") == 1  # not under the small photo
    # the stored file, the evidence, is the file uploaded: its bytes, its hash, the seal
    with large.file.open("rb") as handle:
        assert handle.read() == data
    assert hashlib.sha256(data).hexdigest() == large.sha256
    assert sealing.verify(record) == []
    if SHOTS:
        (tmp_path / "record.pdf").write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", "100", "-png", str(tmp_path / "record.pdf"),
                        os.path.join(SHOTS, "pdf-reduced-photo")], check=True)
