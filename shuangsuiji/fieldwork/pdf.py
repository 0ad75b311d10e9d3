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
from PIL import Image, ImageOps, UnidentifiedImageError
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from shuangsuiji.audit.services import system_language
from shuangsuiji.fieldwork import services
from shuangsuiji.fieldwork.models import InspectionRecord, Mode, OffSiteMeans, Outcome, SignerRole, outcome_choices
from shuangsuiji.media import file_problem

logger = logging.getLogger(__name__)

MAX_PHOTO_BYTES = 8 * 1024 * 1024
"""A photo file up to this size is embedded as it is stored (the renderer copies a JPEG's bytes without decoding
them). A larger one (a 48-megapixel phone photo, a HEIC converted to JPEG at upload) is printed as a reduced
rendition, made here in memory: a PDF with a dozen such files would be hundreds of megabytes."""
MAX_PHOTO_PIXELS = 50_000_000
"""The most pixels decoded for one photo. A JPEG is decoded already scaled down (by 1/2 to 1/8, ``Image.draft``),
so a 48-megapixel photo decodes to 3 or 12 megapixels; a PNG or WebP is decoded whole. Beyond this (a few kilobytes
can claim hundreds of millions of pixels, gigabytes to decode) the photo is not printed, with the reason; Pillow's
own guard (``Image.MAX_IMAGE_PIXELS``) refuses still larger claims as the file is opened. Either way the photo
stays listed, with its hash, among the attachments."""
PRINT_BOX_MM = (58, 44)
"""The box a photo prints in: ``.photo img`` of record_pdf.html (width 58mm, max-height 44mm, object-fit contain)."""
PRINT_DPI = 300
RENDITION_QUALITY = 85
MAX_PHOTOS = 12

FETCHER = URLFetcher(allowed_protocols={"data"}, timeout=1)
"""Everything the record prints is in its HTML (photos and signatures as data: URIs, fonts from the system): the
renderer fetches nothing else, so no text in a record could make the server read a file or call an address."""


def _data_uri(data: bytes, content_type: str) -> str:
    return f"data:{content_type};base64,{base64.b64encode(data).decode('ascii')}"


def _print_box() -> tuple[int, int]:
    """The pixels a photo needs to fill its printed box at ``PRINT_DPI``."""
    return tuple(round(mm / 25.4 * PRINT_DPI) for mm in PRINT_BOX_MM)


def _limit() -> dict:
    return {"limit": f"{MAX_PHOTO_PIXELS:,}"}  # 50,000,000: read alike in Chinese and English


def _too_many_pixels(width: int, height: int) -> str:
    return _("像素过多（%(width)d×%(height)d），超过打印时解码的上限（%(limit)s 像素）") % {
        "width": width, "height": height, **_limit()}


def _reduced(image: Image.Image) -> bytes | str:
    """The JPEG ``image`` (opened, not yet decoded) prints as: upright as its EXIF says, scaled to fit the printed
    box at ``PRINT_DPI``; or why it cannot be made (too many pixels to decode). Only this one photo is decoded."""
    box = _print_box()
    # the EXIF orientation may turn the picture a quarter: ask for a square, so either side is at least the box's
    image.draft("RGB", (max(box), max(box)))  # a JPEG decodes at 1/2..1/8 of its size; other formats ignore it
    if image.width * image.height > MAX_PHOTO_PIXELS:
        return _too_many_pixels(image.width, image.height)
    image.load()
    upright = ImageOps.exif_transpose(image)
    upright.thumbnail(box, Image.Resampling.LANCZOS)
    if upright.mode != "RGB":
        # a transparent area is white, as on paper (a JPEG has no alpha)
        rgba = upright.convert("RGBA")
        upright = Image.new("RGB", rgba.size, "white")
        upright.paste(rgba, mask=rgba.getchannel("A"))
    out = io.BytesIO()
    icc = image.info.get("icc_profile")  # a phone's Display P3 profile: the colours as taken; not a padded one
    upright.save(out, "JPEG", quality=RENDITION_QUALITY, icc_profile=icc if icc and len(icc) <= 256 * 1024 else None)
    return out.getvalue()


def _photos(record: InspectionRecord) -> list[dict]:
    """Each photo of the record, with its picture as a data: URI, or with ``problem``: why it is not printed.

    ``reduced`` is set (the stored file's pixel size) when the picture is a rendition made for the print, not the
    stored file: the file itself, hashed into the seal, is never changed. One photo is decoded at a time."""
    photos = []
    printed = 0
    for attachment in record.attachments.order_by("uploaded_at", "id"):
        if not attachment.is_image:
            continue
        photo = {"attachment": attachment, "src": None, "problem": None, "reduced": None}
        photos.append(photo)
        if printed >= MAX_PHOTOS:
            photo["problem"] = _("超过每份记录打印的照片数（%(n)d 张）") % {"n": MAX_PHOTOS}
            continue
        problem = file_problem(attachment)
        if problem:
            photo["problem"] = problem
            continue
        try:
            with attachment.file.open("rb") as handle, Image.open(handle) as image:  # the header: not the pixels
                size = image.size
                if attachment.size <= MAX_PHOTO_BYTES and size[0] * size[1] <= MAX_PHOTO_PIXELS:
                    handle.seek(0)
                    photo["src"] = _data_uri(handle.read(), attachment.content_type)
                else:
                    reduced = _reduced(image)
                    if isinstance(reduced, str):
                        photo["problem"] = reduced
                        continue
                    photo["src"] = _data_uri(reduced, "image/jpeg")
                    photo["reduced"] = size
        except Image.DecompressionBombError:
            # Pillow's own guard, on the size the header claims: nothing was decoded
            photo["problem"] = _("像素过多，超过打印时解码的上限（%(limit)s 像素）") % _limit()
            continue
        except (ValueError, SyntaxError, UnidentifiedImageError):
            photo["problem"] = _("不是可读的图片")
            continue
        except OSError:  # gone or unreadable since file_problem looked, or a picture cut short
            logger.exception("the file %s of %s cannot be read", attachment.file.name, attachment)
            photo["problem"] = _("文件无法读取")
            continue
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
