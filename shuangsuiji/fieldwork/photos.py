"""A HEIC or AVIF photo made into the JPEG a record stores.

An iPhone's photo copied to a computer is HEIC (an HEVC picture in an ISO box file): no browser on an office
computer shows it, and neither does the PDF renderer. So it is decoded here, turned upright as its EXIF says, and
encoded as a JPEG — the file the record keeps, shows, prints and hashes. The original's type, size and SHA-256 are
kept with it (``StoredFile.converted_from``), sealed with the record, so the photo on the phone can be matched later.

HEIC is decoded by pi-heif: libheif with the LGPL libde265 decoder and no encoder (pillow-heif's wheels bundle the
GPL x265 encoder, which nothing here needs). AVIF needs no plugin: Pillow reads it itself.
"""

import io
import logging

import pi_heif
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

logger = logging.getLogger(__name__)

pi_heif.register_heif_opener()

JPEG_QUALITY = 90
"""Close to what a phone's camera writes (an iPhone's "most compatible" JPEG): the detail of a label on a pipe is
evidence, and the size is still a few megabytes for a 12-megapixel photo."""


def to_jpeg(data: bytes, name: str) -> bytes:
    """The JPEG of the HEIC or AVIF photo ``data`` (a file called ``name``), upright, with its EXIF (the time it was
    taken, which ``_exif_time`` reads) and colour profile; a ``ValidationError`` on ``file`` naming the file when it
    cannot be decoded."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            icc = image.info.get("icc_profile")
            # libheif already turns the picture as the file's own transform says and sets the EXIF orientation to
            # 1; a file whose EXIF alone says so is turned here (a no-op otherwise), its orientation tag removed
            upright = ImageOps.exif_transpose(image)
            exif = upright.getexif()
            if upright.mode != "RGB":
                # a transparent area is white, as on paper (a JPEG has no alpha)
                flat = Image.new("RGB", upright.size, "white")
                flat.paste(upright.convert("RGBA"), mask=upright.convert("RGBA").getchannel("A"))
                upright = flat
            out = io.BytesIO()
            upright.save(out, "JPEG", quality=JPEG_QUALITY, exif=exif.tobytes() if exif else b"", icc_profile=icc)
    except Image.DecompressionBombError as error:
        raise ValidationError({"file": _("照片像素过多，无法显示和打印；请用手机相机的常规尺寸重新拍摄")}) from error
    except Exception as error:
        # The decoders raise what they will on a damaged file (UnidentifiedImageError, OSError, ValueError, a
        # RuntimeError from libheif, a SyntaxError from Pillow's own parsers): each is a file that cannot be read,
        # said to the person who sent it, not a server error.
        logger.info("cannot convert %r to JPEG: %r", name, error)
        raise ValidationError({"file": _("不能上传“%(name)s”：照片无法读取（文件损坏或不完整），无法转换为 JPG；"
                                         "请从手机重新导出原图后上传") % {"name": name}}, code="unreadable") from error
    return out.getvalue()
