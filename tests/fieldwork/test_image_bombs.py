# ruff: noqa: F811 (fixtures of the fieldwork tests, imported by name, are parameters here)
"""Images that claim more pixels than anyone photographs: a few kilobytes can say "16,000 × 16,000"; decoding
that takes gigabytes. Refused with a message on upload and as a signature, never embedded in the PDF."""

import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from shuangsuiji.fieldwork import pdf, services
from shuangsuiji.fieldwork.models import Attachment

from .conftest import fill, items, photo, target, task, team  # noqa: F401

pytestmark = pytest.mark.django_db


def blank_png(width: int, height: int) -> bytes:
    """A black-and-white PNG of that size: all zero bits compress to almost nothing."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    rows = zlib.compress(b"".join(b"\x00" + b"\x00" * ((width + 7) // 8) for _ in range(height)), 9)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
            + chunk(b"IDAT", rows) + chunk(b"IEND", b""))


BOMB = blank_png(16000, 16000)  # 256 million pixels in about 30 KB


def test_a_photo_claiming_too_many_pixels_is_refused_with_a_message(task, users):
    user = users["inspector"]
    record = fill(services.do_start_record(task, acting_user=user), user)
    assert len(BOMB) < 64 * 1024
    upload = SimpleUploadedFile("车间.png", BOMB, content_type="image/png")
    with pytest.raises(ValidationError, match="照片像素过多"):
        services.do_add_attachment(record, upload, acting_user=user)
    assert not Attachment.objects.filter(record=record).exists()
    services.do_add_attachment(record, photo(), acting_user=user)  # an ordinary photo still goes in


@pytest.mark.parametrize("size", [(16000, 16000), (9000, 9000)])
def test_a_signature_claiming_a_huge_canvas_is_refused_before_it_is_decoded(size):
    with pytest.raises(ValidationError, match="签名图像尺寸不正确"):
        services.check_signature_png(blank_png(*size))


def test_the_pdf_lists_a_photo_too_large_to_print_but_does_not_embed_it(task, users):
    user = users["inspector"]
    record = fill(services.do_start_record(task, acting_user=user), user)
    large = services.do_add_attachment(record, SimpleUploadedFile("全景.png", blank_png(10000, 6000),
                                                                 content_type="image/png"), acting_user=user)
    small = services.do_add_attachment(record, photo(), acting_user=user)
    # not embedded: said at its place instead (a sealed record's PDF does not silently have fewer photos)
    assert [(p["attachment"], p["src"] is not None, p["problem"]) for p in pdf._photos(record)] == [
        (large, False, "像素过多（10000×6000），超过打印时解码的上限（50,000,000 像素）"), (small, True, None)]
    assert large in pdf.record_context(record)["attachments"]


def test_the_pdf_refuses_in_words_a_photo_beyond_pillows_guard_without_decoding_it(task, users, monkeypatch):
    """A file stored before the upload refused such claims: Pillow's guard stops it as the header is read."""
    user = users["inspector"]
    record = fill(services.do_start_record(task, acting_user=user), user)
    with monkeypatch.context() as patched:
        patched.setattr(services, "_check_photo_size", lambda data: None)
        bomb = services.do_add_attachment(record, SimpleUploadedFile("全景.png", BOMB, content_type="image/png"),
                                          acting_user=user)
    small = services.do_add_attachment(record, photo(), acting_user=user)
    assert [(p["attachment"], p["src"] is not None, p["problem"]) for p in pdf._photos(record)] == [
        (bomb, False, "像素过多，超过打印时解码的上限（50,000,000 像素）"), (small, True, None)]
    assert b"/Image" in pdf.render_record_pdf(record)  # the small one prints
