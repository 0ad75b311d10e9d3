"""A field record holds photos, PDF documents, recordings and videos, and nothing else: the allowlist
(fieldwork.filetypes) judges an upload by its name and its first bytes, in the service, so the page, the phone's
script and the follow-up pages refuse alike; a refused file stores nothing and voids no signature."""

import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from shuangsuiji.fieldwork import filetypes, sealing, services
from shuangsuiji.fieldwork.models import Attachment, FollowUp, FollowUpEvidence, FollowUpStatus, Handling
from tests.clients import signed_in as client_for

from .conftest import fill, sign_all, submitted

pytestmark = pytest.mark.django_db

ALLOWED = "照片（JPG、PNG、WebP、HEIC、AVIF）、文档（PDF）、录音（MP3、M4A、WAV、AMR）、录像（MP4、MOV、3GP）"


def image(kind: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "blue").save(buffer, kind)
    return buffer.getvalue()


def iso_media(brand: bytes) -> bytes:
    return b"\x00\x00\x00\x18ftyp" + brand + b"\x00\x00\x00\x00" + b"isom" + b"\x00" * 40


GOOD = [
    ("现场.jpg", image("JPEG"), "image/jpeg"),
    ("现场.JPEG", image("JPEG"), "image/jpeg"),
    ("在线监控截图.png", image("PNG"), "image/png"),
    ("车间.webp", image("WEBP"), "image/webp"),
    ("询问笔录扫描件.pdf", b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n", "application/pdf"),
    ("询问录音.mp3", b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\x00" * 40, "audio/mpeg"),
    ("询问录音2.mp3", b"\xff\xfb\x90\x64" + b"\x00" * 40, "audio/mpeg"),
    ("录音.m4a", iso_media(b"M4A "), "audio/mp4"),
    ("录音.wav", b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 40, "audio/wav"),
    ("录音.amr", b"#!AMR\n" + b"\x3c" * 40, "audio/amr"),
    ("排污口.mp4", iso_media(b"isom"), "video/mp4"),
    ("排污口.mov", iso_media(b"qt  "), "video/quicktime"),
    ("排污口.3gp", iso_media(b"3gp4"), "video/3gpp"),
]


def not_allowed(name: str) -> str:
    return f"不能上传“{name}”：不允许此类文件。可上传的类型：{ALLOWED}"


def not_what_it_says(name: str, label: str) -> str:
    return (f"不能上传“{name}”：文件内容不是 {label} 文件（与扩展名不符，可能是改了扩展名的其他文件）。"
            f"可上传的类型：{ALLOWED}")


EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 40
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
BAD = [
    ("工具.exe", EXE, not_allowed("工具.exe")),
    ("说明.html", HTML, not_allowed("说明.html")),
    ("说明.htm", HTML, not_allowed("说明.htm")),
    ("标志.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', not_allowed("标志.svg")),
    ("清理.js", b"fetch('/api/')", not_allowed("清理.js")),
    ("清理.bat", b"del /q *", not_allowed("清理.bat")),
    ("run.sh", b"#!/bin/sh\nrm -rf /", not_allowed("run.sh")),
    ("宏.docm", b"PK\x03\x04" + b"\x00" * 40, not_allowed("宏.docm")),
    ("资料.zip", b"PK\x03\x04" + b"\x00" * 40, not_allowed("资料.zip")),
    ("未知.xyz", b"whatever", not_allowed("未知.xyz")),
    ("没有扩展名", image("JPEG"), not_allowed("没有扩展名")),
    ("动图.gif", image("GIF"), not_allowed("动图.gif")),
    # judged by content: a renamed program, a web page or a vector image named as a photo, an HEIC still as a video
    ("照片.jpg", EXE, not_what_it_says("照片.jpg", "JPG")),
    ("整改报告.pdf", EXE, not_what_it_says("整改报告.pdf", "PDF")),
    ("现场.jpg", HTML, not_what_it_says("现场.jpg", "JPG")),
    ("现场.png", b'<svg xmlns="http://www.w3.org/2000/svg"/>', not_what_it_says("现场.png", "PNG")),
    ("录像.mp4", HTML, not_what_it_says("录像.mp4", "MP4")),
    ("录像.mp4", iso_media(b"heic"), not_what_it_says("录像.mp4", "MP4")),
    ("录音.mp3", image("JPEG"), not_what_it_says("录音.mp3", "MP3")),  # another kind than its name says
]


@pytest.mark.parametrize(("name", "content", "mime"), GOOD, ids=[row[0] for row in GOOD])
def test_each_allowed_type_is_attached_as_what_its_content_is(task, users, name, content, mime):
    user = users["inspector"]
    record = services.do_start_record(task, acting_user=user)
    # the browser's claim counts for nothing: the stored type is the content's
    upload = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    attachment = services.do_add_attachment(record, upload, acting_user=user)
    assert (attachment.original_name, attachment.content_type) == (name, mime)
    served = client_for(user).get(reverse("fieldwork:attachment_file", args=[attachment.pk]))
    assert served.status_code == 200
    if mime.startswith("image/"):
        assert served["Content-Type"] == mime and served["Content-Disposition"].startswith("inline")
    else:
        assert served["Content-Type"] == "application/octet-stream"
        assert served["Content-Disposition"].startswith("attachment")


def test_a_photo_in_another_format_than_its_name_says_is_taken_as_what_it_is(task, users):
    user = users["inspector"]
    record = services.do_start_record(task, acting_user=user)
    attachment = services.do_add_attachment(record, SimpleUploadedFile("截图.jpg", image("PNG")), acting_user=user)
    assert attachment.content_type == "image/png" and attachment.is_image


@pytest.mark.parametrize(("name", "content", "message"), BAD, ids=[f"{row[0]}-{n}" for n, row in enumerate(BAD)])
def test_each_refused_kind_is_refused_naming_the_file_and_the_types_allowed(task, users, name, content, message):
    user = users["inspector"]
    record = fill(services.do_start_record(task, acting_user=user), user)
    record = sign_all(record, user)
    signed = {s.pk: s.revision for s in record.signatures.all()}
    assert signed
    upload = SimpleUploadedFile(name, content, content_type="image/jpeg")
    with pytest.raises(ValidationError) as caught:
        services.do_add_attachment(record, upload, acting_user=user)
    assert caught.value.message_dict == {"file": [message]}
    record.refresh_from_db()
    assert not record.attachments.exists()
    # nothing changed, so every signature still covers the record
    assert all(s.revision == record.revision for s in record.signatures.all())
    assert {s.pk: s.revision for s in record.signatures.all()} == signed


def test_an_attachment_stored_before_the_allowlist_is_kept_and_still_downloads_as_bytes(task, users):
    """Nothing already stored changes: a web page attached before is neither removed nor shown as a page, and
    sending the same file again is refused rather than answered with the old one."""
    user = users["inspector"]
    record = services.do_start_record(task, acting_user=user)
    old = Attachment(record=record, original_name="旧说明.html", content_type="text/html", size=len(HTML),
                     sha256="0" * 64)
    old.file.save("旧说明.html", ContentFile(HTML), save=False)
    old.save()
    Attachment.objects.filter(pk=old.pk).update(sha256=sealing.file_sha256(io.BytesIO(HTML)))
    with pytest.raises(ValidationError, match="不允许此类文件"):
        services.do_add_attachment(record, SimpleUploadedFile("旧说明.html", HTML), acting_user=user)
    assert list(record.attachments.all()) == [old]
    served = client_for(user).get(reverse("fieldwork:attachment_file", args=[old.pk]))
    assert served["Content-Type"] == "application/octet-stream"
    assert served["Content-Disposition"].startswith("attachment")


def test_the_page_and_the_phones_script_show_the_refusal(task, users):
    user = users["inspector"]
    record = services.do_start_record(task, acting_user=user)
    revision = record.revision
    url = reverse("fieldwork:attachment_add", args=[record.pk])
    client = client_for(user)
    answer = client.post(url, {"file": SimpleUploadedFile("工具.exe", EXE)}, HTTP_ACCEPT="application/json")
    assert answer.status_code == 400
    assert answer.json()["message"] == not_allowed("工具.exe")
    page = client.post(url, {"file": SimpleUploadedFile("现场.jpg", HTML)}, follow=True)
    assert not_what_it_says("现场.jpg", "JPG") in page.content.decode()
    assert not record.attachments.exists()
    record.refresh_from_db()
    assert record.revision == revision
    # the record page says which types it takes, before anything is refused
    edit = client.get(reverse("fieldwork:record_edit", args=[record.pk])).content.decode()
    assert f"可上传：{ALLOWED}" in edit


def test_follow_up_evidence_is_held_to_the_same_types(task, users):
    user = users["inspector"]
    record = submitted(task, user, problem=Handling.CASE)
    follow_up = FollowUp.objects.get(record=record)
    with pytest.raises(ValidationError) as caught:
        services.do_add_evidence(follow_up, SimpleUploadedFile("回执.pdf", EXE), acting_user=user)
    assert caught.value.message_dict == {"file": [not_what_it_says("回执.pdf", "PDF")]}
    visit = timezone.localdate(record.started_at)
    services.do_register_case(follow_up, case_number="涞环立〔2026〕1号", filed_on=visit, acting_user=user)
    files = [SimpleUploadedFile("不予处罚决定书.pdf", b"%PDF-1.4 decision"), SimpleUploadedFile("说明.html", HTML)]
    with pytest.raises(ValidationError) as caught:
        services.do_close_follow_up(follow_up, note="不予处罚", files=files, acting_user=user)
    assert caught.value.message_dict == {"file": [not_allowed("说明.html")]}
    assert not FollowUpEvidence.objects.exists()
    assert FollowUp.objects.get(pk=follow_up.pk).status == FollowUpStatus.OPEN
    page = client_for(user).post(reverse("fieldwork:followup_evidence", args=[follow_up.pk]),
                                 {"file": SimpleUploadedFile("标志.svg", b"<svg/>")}, follow=True)
    assert not_allowed("标志.svg") in page.content.decode()
    assert f"可上传：{ALLOWED}" in page.content.decode()


def test_the_allowed_types_are_listed_from_the_allowlist():
    assert filetypes.allowed_text() == ALLOWED
    assert {file_type.mime for file_type in filetypes.ALLOWED} >= {"image/jpeg", "application/pdf", "video/mp4"}


def file_inputs(page: str) -> dict[str, str]:
    """Each file input of a page by its name, its opening tag."""
    return {re.search(r'name="([^"]+)"', tag).group(1): tag
            for tag in re.findall(r'<input\b[^>]*type="file"[^>]*>', page)}


def test_every_upload_on_a_phone_asks_for_the_kinds_the_system_takes(task, users):
    """A follow-up's evidence and 办结's files asked the phone for any file (no ``accept``): its picker opened on
    the phone's downloads rather than its camera, and offered the office documents refused after the upload. They
    ask for what the record's photos ask for."""
    user = users["inspector"]
    client = client_for(user)
    record = services.do_start_record(task, acting_user=user)
    edit = file_inputs(client.get(reverse("fieldwork:record_edit", args=[record.pk])).content.decode())
    assert f'accept="{filetypes.ACCEPT}"' in edit["file"]
    record = submitted(task, user, problem=Handling.CASE)
    follow_up = FollowUp.objects.get(record=record)
    page = file_inputs(client.get(reverse("fieldwork:followup_detail", args=[follow_up.pk])).content.decode())
    assert set(page) == {"file", "files"}  # 佐证材料, and 办结's
    for name, tag in page.items():
        assert f'accept="{filetypes.ACCEPT}"' in tag, name
    for kind in ("image/*", "video/*", "audio/*", "application/pdf"):
        assert kind in filetypes.ACCEPT
