"""The printable record: a PDF in the layout of the paper 《污染源现场检查记录表》, in Chinese (WeasyPrint with
Noto Sans CJK SC, which ``scripts/system-deps.sh`` installs where it is missing), with the signatures as drawn,
the attachments' hashes and the seal hash. A draft prints with a "草稿" mark across every page."""

import base64
import io
import logging
from datetime import datetime

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from shuangsuiji.audit.services import system_language
from shuangsuiji.fieldwork import services
from shuangsuiji.fieldwork.models import InspectionRecord, Mode, OffSiteMeans, Outcome, SignerRole, outcome_choices
from shuangsuiji.media import file_problem

logger = logging.getLogger(__name__)

MAX_PHOTO_BYTES = 8 * 1024 * 1024
MAX_PHOTO_PIXELS = 50_000_000
"""A 50-megapixel phone photo prints; a larger one (a few kilobytes can claim hundreds of millions of pixels)
would take the PDF renderer gigabytes to decode. It stays listed, with its hash, among the attachments."""
MAX_PHOTOS = 12

FETCHER = URLFetcher(allowed_protocols={"data"}, timeout=1)
"""Everything the record prints is in its HTML (photos and signatures as data: URIs, fonts from the system): the
renderer fetches nothing else, so no text in a record could make the server read a file or call an address."""


def _data_uri(data: bytes, content_type: str) -> str:
    return f"data:{content_type};base64,{base64.b64encode(data).decode('ascii')}"


def _photos(record: InspectionRecord) -> list[dict]:
    """Each photo of the record, with its picture as a data: URI, or with ``problem``: why it is not printed."""
    photos = []
    printed = 0
    for attachment in record.attachments.order_by("uploaded_at", "id"):
        if not attachment.is_image:
            continue
        photo = {"attachment": attachment, "src": None, "problem": None}
        photos.append(photo)
        if printed >= MAX_PHOTOS:
            photo["problem"] = _("超过每份记录打印的照片数（%(n)d 张）") % {"n": MAX_PHOTOS}
            continue
        if attachment.size > MAX_PHOTO_BYTES:
            photo["problem"] = _("超过打印的大小上限（%(mb)d MB）") % {"mb": MAX_PHOTO_BYTES // (1024 * 1024)}
            continue
        problem = file_problem(attachment)
        if problem:
            photo["problem"] = problem
            continue
        try:
            with attachment.file.open("rb") as handle:
                data = handle.read()
            with Image.open(io.BytesIO(data)) as image:  # the header only: the size, not the pixels
                too_large = image.width * image.height > MAX_PHOTO_PIXELS
        except (ValueError, Image.DecompressionBombError, UnidentifiedImageError):
            photo["problem"] = _("不是可读的图片")
            continue
        except OSError:  # gone or unreadable since file_problem looked
            logger.exception("the file %s of %s cannot be read", attachment.file.name, attachment)
            photo["problem"] = _("文件无法读取")
            continue
        if too_large:
            photo["problem"] = _("像素数超过打印的上限")
            continue
        photo["src"] = _data_uri(data, attachment.content_type)
        printed += 1
    return photos


def record_context(record: InspectionRecord) -> dict:
    signatures = list(record.signatures.select_related("inspector").order_by("signed_at"))
    for signature in signatures:
        signature.src = _data_uri(bytes(signature.image), "image/png")
    officers = [s for s in signatures if s.role != SignerRole.SITE_MANAGER]
    manager = next((s for s in signatures if s.role == SignerRole.SITE_MANAGER), None)
    team = services.participants(record) if not record.is_sealed else []
    return {
        "record": record, "items": record.items.order_by("order"), "officers": officers, "manager": manager,
        "team": team, "attachments": record.attachments.order_by("uploaded_at", "id"), "photos": _photos(record),
        "means": [(value, label, value in record.off_site_means) for value, label in OffSiteMeans.choices],
        # a re-check's rows are ticked 已整改 / 未整改 (models.RECHECK_OUTCOMES); the sealed values are the same
        "outcomes": outcome_choices(record.is_recheck), "on_site": record.mode == Mode.ON_SITE,
        "visit": record.visit_number,
        "sources": services.record_sources(record),
        "problems": [item for item in record.items.order_by("order") if item.outcome == Outcome.PROBLEM],
        # a re-check's result in one line: how many of the orders it verified were rectified
        "recheck_tally": {"rectified": record.items.filter(outcome=Outcome.NO_PROBLEM).count(),
                          "unrectified": record.items.filter(outcome=Outcome.PROBLEM).count()}
        if record.is_recheck else None,
        "printed_at": timezone.localtime(timezone.now()),
    }


def render_record_pdf(record: InspectionRecord, *, printed_at: datetime | None = None) -> bytes:
    # The official form, whoever prints it: its labels are Chinese, so the choices' labels (方式, 结果, 处理)
    # and the dates are too — an English session printed "Problem found" beside "检查结果".
    with system_language():
        context = record_context(record)
        if printed_at is not None:
            context["printed_at"] = printed_at
        html = render_to_string("fieldwork/record_pdf.html", context)
    return HTML(string=html, url_fetcher=FETCHER).write_pdf()
