"""The kinds of file a field record and a follow-up's evidence may hold, and how an upload is told to be one.

What a record holds (research/domain.md §3, the mobile enforcement systems of Beihai and Chancheng): 照片, 录音 and
录像 taken on site, and the papers of the case — the signed 笔录, a receipt, a decision — scanned or photographed, or
as the PDF they were issued as. So: photos as phones and scanners make them (JPEG, PNG for a screenshot of the
online monitoring, WebP as some phones save, HEIC as an iPhone's photo is when copied to a computer, AVIF as some
Android phones save), PDF, the recordings a phone's recorder makes (MP3, M4A, WAV, AMR), and
its videos (MP4, MOV, 3GP). Nothing else: no office documents (the macro carriers; their papers come scanned or as
PDF), no archives, no HTML, SVG, scripts or programs, which a colleague's download would open on his computer.

An upload is judged by both its name and its first bytes: the name's extension must be one of these, and the
content must begin as a file of that kind does. A file in another format of the same kind is taken as what it is
(a PNG a phone saved as ``.jpg`` is a photo, stored as PNG); anything else is refused — a renamed program, a web page
named ``.jpg``. What the browser claims the type is counts for nothing: it is the sender's word.

HEIC and AVIF are taken as photos but not kept as sent: no browser on an office computer and not the PDF renderer
shows them, so the upload is converted to a JPEG (``FileType.convert``, ``fieldwork.photos``), which is what the
record stores, shows, prints and seals, with the original's type, size and SHA-256 beside it.
"""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shuangsuiji.punctuation import sep

HEAD_BYTES = 16
"""How much of a file the signatures below read."""


HEIF_STILL_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"mif1", b"avif"})
"""The major brands of a HEIF still image (ISO/IEC 23008-12): HEVC (heic, heix; heim and heis its multi-layer
kinds), AV1 (avif), or either (mif1, the generic brand some cameras write first)."""

HEIF_SEQUENCE_BRANDS = frozenset({b"hevc", b"hevx", b"hevm", b"hevs", b"msf1", b"avis"})
"""The major brands of a HEIF image sequence (a burst, an animation): moving pictures, not one photo to convert,
and not a video a page plays either."""

HEIF_BRANDS = HEIF_STILL_BRANDS | HEIF_SEQUENCE_BRANDS


def _heif_still(*brands: bytes) -> Callable[[bytes], bool]:
    """An ISO box file whose major brand is one of ``brands``: a HEIF still image of that coding."""
    return lambda head: head[4:8] == b"ftyp" and head[8:12] in brands


def _heif_sequence(head: bytes) -> bool:
    return head[4:8] == b"ftyp" and head[8:12] in HEIF_SEQUENCE_BRANDS


def _iso_media(head: bytes) -> bool:
    """An ISO base media file (MP4, M4A, MOV, 3GP): its first box is ``ftyp``. Which of them it is the brand does not
    reliably say (a phone's recorder writes M4A as "mp42" or "isom"), so the extension does, within the kind."""
    return head[4:8] == b"ftyp" and head[8:12] not in HEIF_BRANDS


@dataclass(frozen=True)
class FileType:
    label: str
    kind: Promise
    mime: str
    extensions: tuple[str, ...]
    matches: Callable[[bytes], bool]
    convert: bool = False
    """Stored as the JPEG it converts to (``fieldwork.photos.to_jpeg``): a photo no page or print can show as sent."""


PHOTO, DOCUMENT, AUDIO, VIDEO = gettext_lazy("照片"), gettext_lazy("文档"), gettext_lazy("录音"), gettext_lazy("录像")

ALLOWED: tuple[FileType, ...] = (
    FileType("JPG", PHOTO, "image/jpeg", (".jpg", ".jpeg"), lambda head: head.startswith(b"\xff\xd8\xff")),
    FileType("PNG", PHOTO, "image/png", (".png",), lambda head: head.startswith(b"\x89PNG\r\n\x1a\n")),
    FileType("WebP", PHOTO, "image/webp", (".webp",), lambda head: head[:4] == b"RIFF" and head[8:12] == b"WEBP"),
    FileType("HEIC", PHOTO, "image/heic", (".heic", ".heif"), _heif_still(b"heic", b"heix", b"heim", b"heis", b"mif1"),
             convert=True),
    FileType("AVIF", PHOTO, "image/avif", (".avif",), _heif_still(b"avif", b"mif1"), convert=True),
    FileType("PDF", DOCUMENT, "application/pdf", (".pdf",), lambda head: head.startswith(b"%PDF-")),
    FileType("MP3", AUDIO, "audio/mpeg", (".mp3",),
             lambda head: head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0)),
    FileType("M4A", AUDIO, "audio/mp4", (".m4a",), _iso_media),
    FileType("WAV", AUDIO, "audio/wav", (".wav",), lambda head: head[:4] == b"RIFF" and head[8:12] == b"WAVE"),
    FileType("AMR", AUDIO, "audio/amr", (".amr",), lambda head: head.startswith(b"#!AMR")),
    FileType("MP4", VIDEO, "video/mp4", (".mp4",), _iso_media),
    FileType("MOV", VIDEO, "video/quicktime", (".mov",), _iso_media),
    FileType("3GP", VIDEO, "video/3gpp", (".3gp",), _iso_media),
)
"""The allowlist: every kind of file an inspector may attach, in the order the pages list them."""


ACCEPT = "image/*,video/*,audio/*,application/pdf"
"""What a file input asks the phone for (its ``accept``): the allowlist's kinds, so that the phone's picker offers
its camera, recorder and documents rather than every file it holds. Broader than the allowlist (image/* is a HEIC
too, which the phone may convert): ``identify`` decides."""


def allowed_text() -> str:
    """The allowed types as the pages and the errors say them: 照片（JPG、PNG、WebP、HEIC、AVIF）、文档（PDF）、…"""
    kinds: dict[str, list[str]] = {}
    for file_type in ALLOWED:
        kinds.setdefault(str(file_type.kind), []).append(file_type.label)
    return sep().join(_("%(kind)s（%(labels)s）") % {"kind": kind, "labels": sep().join(labels)}
                      for kind, labels in kinds.items())


def identify(name: str, head: bytes) -> FileType:
    """The allowed type of a file called ``name`` beginning with ``head`` (at least ``HEAD_BYTES`` of it, or all of
    a shorter file); a ``ValidationError`` on ``file`` naming the file and the allowed types otherwise."""
    extension = PurePosixPath(name.replace("\\", "/")).suffix.lower()
    named = next((file_type for file_type in ALLOWED if extension in file_type.extensions), None)
    if named is None:
        raise ValidationError({"file": _("不能上传“%(name)s”：不允许此类文件。可上传的类型：%(allowed)s") % {
            "name": name, "allowed": allowed_text()}}, code="file_type")
    if named.matches(head):
        return named
    if named.kind == PHOTO and _heif_sequence(head):
        # a burst or an animation saved as HEIF: named a photo, but there is no one photo in it to convert
        raise ValidationError({"file": _("不能上传“%(name)s”：这是 HEIF 图像序列（连拍或动图），不是单张照片；"
                                         "请在手机或电脑上导出为单张照片（JPG、HEIC）或视频（MP4、MOV）后上传") % {
            "name": name}}, code="file_type")
    same_kind = next((file_type for file_type in ALLOWED
                      if file_type.kind == named.kind and file_type.matches(head)), None)
    if same_kind is not None:
        return same_kind
    raise ValidationError({"file": _("不能上传“%(name)s”：文件内容不是 %(label)s 文件（与扩展名不符，"
                                     "可能是改了扩展名的其他文件）。可上传的类型：%(allowed)s") % {
        "name": name, "label": named.label, "allowed": allowed_text()}}, code="file_type")


def label_of(mime: str) -> str:
    """The label of the allowed type ``mime`` ("image/heic" → "HEIC"), or ``mime`` itself when none is."""
    return next((file_type.label for file_type in ALLOWED if file_type.mime == mime), mime)
