"""A photo copied from an iPhone to a computer is HEIC: it is taken as a photo, stored as the JPEG it converts to
(upright, with its EXIF time), and the original's type, size and SHA-256 are kept and sealed with the record, so the
photo on the phone can be matched with the one in the record. A damaged HEIC, or a HEIF image sequence, is refused
naming the file. AVIF, in the same container, is taken the same way."""

import datetime
import hashlib
import io
import json
import os
import re
import shutil
import subprocess

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, transaction
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from shuangsuiji.audit.models import Event
from shuangsuiji.engine import canonical
from shuangsuiji.fieldwork import sealing, services
from shuangsuiji.fieldwork.models import FollowUp, FollowUpEvidence, Handling
from shuangsuiji.fieldwork.pdf import render_record_pdf
from tests.clients import signed_in

from .conftest import fill, sign_all
from .heic import HEIC, TAKEN, avif, damaged, sequence

pytestmark = pytest.mark.django_db

SHOTS = os.environ.get("FIELDWORK_SHOTS")
"""Set to a directory to keep the PDF's pages as PNG for looking at them."""


def heic(name: str = "IMG_0001.HEIC", content: bytes = HEIC) -> SimpleUploadedFile:
    # what a desktop browser sends for a file it does not know, or claims: it counts for nothing
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def stored_bytes(stored) -> bytes:
    with stored.file.open("rb") as handle:
        return handle.read()


def assert_upright_jpeg(data: bytes) -> None:
    """The JPEG of the test's HEIC shown upright: 48×64, the top half red, the bottom right quarter blue."""
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG"
        assert image.size == (48, 64)
        assert image.getexif().get(0x0112, 1) == 1  # no orientation left to apply twice
        red, blue = image.convert("RGB").getpixel((10, 10)), image.convert("RGB").getpixel((40, 56))
    assert red[0] > 150 and red[2] < 80, red
    assert blue[2] > 150 and blue[0] < 80, blue


def test_a_heic_photo_is_stored_as_an_upright_jpeg_with_the_originals_hash(task, users):
    user = users["inspector"]
    record = services.do_start_record(task, acting_user=user)
    attachment = services.do_add_attachment(record, heic(), acting_user=user)
    data = stored_bytes(attachment)
    assert_upright_jpeg(data)
    assert (attachment.original_name, attachment.content_type, attachment.converted_from) == (
        "IMG_0001.HEIC", "image/jpeg", "image/heic")
    # the stored file is what the record hashes; what was sent is said beside it
    assert (attachment.sha256, attachment.size) == (hashlib.sha256(data).hexdigest(), len(data))
    assert (attachment.original_sha256, attachment.original_size) == (hashlib.sha256(HEIC).hexdigest(), len(HEIC))
    assert attachment.file.name.endswith(f"{attachment.sha256}.jpg")
    assert attachment.is_image and attachment.converted_label == "HEIC"
    # the time the photo was taken, from its EXIF, carried into the JPEG
    assert attachment.taken_at == timezone.make_aware(datetime.datetime(*TAKEN))
    event = Event.objects.get(action="record.attach")
    assert event.changes["original_sha256"] == [None, attachment.original_sha256]
    assert event.changes["converted_from"] == [None, "image/heic"]


def test_the_same_heic_sent_again_is_the_photo_already_there(task, users):
    """A phone retrying an upload whose answer it lost: matched by the original's hash (the JPEG's is another)."""
    user = users["inspector"]
    record = services.do_start_record(task, acting_user=user)
    first = services.do_add_attachment(record, heic(), acting_user=user)
    record.refresh_from_db()
    revision = record.revision
    again = services.do_add_attachment(record, heic(), acting_user=user)
    assert again.pk == first.pk and record.attachments.count() == 1
    record.refresh_from_db()
    assert record.revision == revision


def test_the_seal_holds_the_originals_hash_and_verifies(task, users):
    user = users["inspector"]
    record = fill(services.do_start_record(task, acting_user=user), user)
    attachment = services.do_add_attachment(record, heic(), acting_user=user)
    record = services.do_submit_record(sign_all(record, user), acting_user=user)
    sealed = json.loads(record.sealed_content)["content"]["attachments"]
    assert sealed == [{
        "name": "IMG_0001.HEIC", "size": attachment.size, "sha256": attachment.sha256,
        "taken_at": sealing.text(attachment.taken_at), "caption": "", "content_type": "image/jpeg",
        "original": {"content_type": "image/heic", "size": len(HEIC), "sha256": hashlib.sha256(HEIC).hexdigest()}}]
    assert sealing.verify(record) == []
    # the database refuses to change it (the seal triggers, which SQLite's adding of these columns must not drop)
    with pytest.raises(DatabaseError), transaction.atomic():
        type(attachment).objects.filter(pk=attachment.pk).update(original_sha256="0" * 64)
    # and the seal covers it: another hash rebuilds to another content than the one sealed
    attachment.original_sha256 = "0" * 64
    rebuilt = sealing.content_document(record, attachments=[attachment])
    assert canonical.digest(rebuilt) != json.loads(record.sealed_content)["content_sha256"]


def test_the_upload_page_takes_a_heic_and_says_it_was_converted(task, users):
    user = users["inspector"]
    client = signed_in(user)
    record = services.do_start_record(task, acting_user=user)
    url = reverse("fieldwork:attachment_add", args=[record.pk])
    answer = client.post(url, {"file": heic()}, HTTP_ACCEPT="application/json")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert (body["name"], body["converted"]) == ("IMG_0001.HEIC", "由 HEIC 转换为 JPG")
    attachment = record.attachments.get()
    # without the phone's script: a plain form post, back to the form
    assert client.post(url, {"file": heic("IMG_0002.heic", sequence(b"heix"))}).status_code == 302
    assert record.attachments.count() == 2
    edit = client.get(reverse("fieldwork:record_edit", args=[record.pk])).content.decode()
    assert "由 HEIC 转换为 JPG" in edit
    assert "照片（JPG、PNG、WebP、HEIC、AVIF）" in edit
    served = client.get(reverse("fieldwork:attachment_file", args=[attachment.pk]))
    assert served["Content-Type"] == "image/jpeg"
    assert served["Content-Disposition"].startswith("inline") and "IMG_0001.jpg" in served["Content-Disposition"]
    assert_upright_jpeg(b"".join(served.streaming_content))


@pytest.mark.parametrize("role", ["inspector", "county_admin", "city_admin", "department_user"])
def test_the_record_page_says_what_was_sent_to_each_reader(task, users, role):
    user = users["inspector"]
    record = fill(services.do_start_record(task, acting_user=user), user)
    attachment = services.do_add_attachment(record, heic(), acting_user=user)
    record = services.do_submit_record(sign_all(record, user), acting_user=user)
    page = signed_in(users[role]).get(reverse("fieldwork:record_detail", args=[record.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "由 HEIC 转换为 JPG" in html and f"原文件 SHA-256 {attachment.original_sha256}" in html


def test_the_record_page_says_it_in_english(task, users):
    user = users["inspector"]
    record = services.do_start_record(task, acting_user=user)
    services.do_add_attachment(record, heic(), acting_user=user)
    client = signed_in(user)
    client.cookies["django_language"] = "en"
    html = client.get(reverse("fieldwork:record_detail", args=[record.pk])).content.decode()
    assert "Converted from HEIC to JPG" in html and "Original file" in html
    assert "HEIC, AVIF" in client.get(reverse("fieldwork:record_edit", args=[record.pk])).content.decode()


def test_an_avif_photo_is_converted_too(task, users):
    user = users["inspector"]
    record = services.do_start_record(task, acting_user=user)
    sent = avif()
    attachment = services.do_add_attachment(record, heic("车间.avif", sent), acting_user=user)
    assert (attachment.content_type, attachment.converted_from, attachment.original_sha256) == (
        "image/jpeg", "image/avif", hashlib.sha256(sent).hexdigest())
    with Image.open(io.BytesIO(stored_bytes(attachment))) as image:
        assert (image.format, image.size) == ("JPEG", (40, 30))


def test_a_damaged_heic_is_refused_naming_the_file(task, users):
    user = users["inspector"]
    record = fill(services.do_start_record(task, acting_user=user), user)
    record = sign_all(record, user)
    message = "不能上传“IMG_0003.HEIC”：照片无法读取（文件损坏或不完整），无法转换为 JPG；请从手机重新导出原图后上传"
    with pytest.raises(ValidationError) as caught:
        services.do_add_attachment(record, heic("IMG_0003.HEIC", damaged()), acting_user=user)
    assert caught.value.message_dict == {"file": [message]}
    answer = signed_in(user).post(reverse("fieldwork:attachment_add", args=[record.pk]),
                                  {"file": heic("IMG_0003.HEIC", damaged())}, HTTP_ACCEPT="application/json")
    assert (answer.status_code, answer.json()["message"]) == (400, message)
    # nothing stored, nothing changed: every signature still covers the record
    record.refresh_from_db()
    assert not record.attachments.exists()
    assert all(s.revision == record.revision for s in record.signatures.all())


@pytest.mark.parametrize("brand", [b"hevs", b"hevc", b"msf1"])
def test_a_heif_image_sequence_is_refused_as_not_one_photo(task, users, brand):
    user = users["inspector"]
    record = services.do_start_record(task, acting_user=user)
    with pytest.raises(ValidationError) as caught:
        services.do_add_attachment(record, heic("连拍.heic", sequence(brand)), acting_user=user)
    assert caught.value.message_dict == {"file": [
        "不能上传“连拍.heic”：这是 HEIF 图像序列（连拍或动图），不是单张照片；"
        "请在手机或电脑上导出为单张照片（JPG、HEIC）或视频（MP4、MOV）后上传"]}
    assert not record.attachments.exists()


@pytest.mark.parametrize("role", ["inspector", "county_admin"])
def test_follow_up_evidence_takes_a_heic_from_the_page(problem_handled, users, role):
    """Rectification photos come from an inspector or from the county's staff at their desks."""
    follow_up = problem_handled(Handling.CASE)
    client = signed_in(users[role])
    answer = client.post(reverse("fieldwork:followup_evidence", args=[follow_up.pk]),
                         {"file": heic("整改后.HEIC"), "caption": "整改后"})
    assert answer.status_code == 302
    evidence = FollowUpEvidence.objects.get()
    assert (evidence.content_type, evidence.converted_from) == ("image/jpeg", "image/heic")
    assert_upright_jpeg(stored_bytes(evidence))
    page = client.get(reverse("fieldwork:followup_detail", args=[follow_up.pk])).content.decode()
    assert "由 HEIC 转换为 JPG" in page and evidence.original_sha256 in page
    served = client.get(reverse("fieldwork:evidence_file", args=[evidence.pk]))
    assert served["Content-Type"] == "image/jpeg" and "filename*=utf-8''%E6%95%B4%E6%94%B9%E5%90%8E.jpg" in (
        served["Content-Disposition"])


def test_closing_a_follow_up_with_a_heic_converts_it_and_a_damaged_one_stores_nothing(problem_handled, users):
    follow_up = problem_handled(Handling.CASE)
    user = users["inspector"]
    visit = timezone.localdate(follow_up.record.started_at)
    services.do_register_case(follow_up, case_number="涞环立〔2026〕2号", filed_on=visit, acting_user=user)
    with pytest.raises(ValidationError, match=re.escape("不能上传“坏.heic”：照片无法读取")):
        services.do_close_follow_up(follow_up, note="不予处罚", acting_user=user,
                                    files=[heic("回执.heic"), heic("坏.heic", damaged())])
    assert not FollowUpEvidence.objects.exists()
    services.do_close_follow_up(follow_up, note="不予处罚", acting_user=user, files=[heic("回执.heic")])
    assert FollowUp.objects.get(pk=follow_up.pk).evidence.get().converted_from == "image/heic"


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils (scripts/system-deps.sh test)")
def test_the_record_pdf_prints_the_converted_photo(task, users, tmp_path):
    user = users["inspector"]
    record = fill(services.do_start_record(task, acting_user=user), user)
    attachment = services.do_add_attachment(record, heic(), acting_user=user)
    record = services.do_submit_record(sign_all(record, user), acting_user=user)
    path = tmp_path / "record.pdf"
    path.write_bytes(render_record_pdf(record))
    text = "".join(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True,
                                  text=True).stdout.split())
    assert f"由HEIC转换为JPG；原文件{len(HEIC)}字节，SHA-256{attachment.original_sha256}" in text
    assert "1.IMG_0001.HEIC·2026-03-1409:26·由HEIC转换" in text and "未能载入" not in text
    # the photo is on the page: pdfimages lists the JPEG printed, upright
    images = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, check=True, text=True).stdout
    assert any(line.split()[3:5] == ["48", "64"] for line in images.splitlines()[2:]), images
    if SHOTS:
        subprocess.run(["pdftoppm", "-r", "80", "-png", str(path), os.path.join(SHOTS, "pdf-heic")], check=True)
