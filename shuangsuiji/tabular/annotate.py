"""A rejected upload given back to its uploader with every problem marked on it, to fix in place.

County staff do not fix a file from a list of row and column numbers: they fix the workbook they sent. So
when an import is rejected, the file itself comes back: every bad cell filled red with a comment giving
the reason, a last column ``错误说明`` summing up each bad row's problems (also those of no single cell: a
row rule, a value that refers to a column the file does not have), and an extra sheet ``错误清单`` with
the problems that belong to no row (a missing column, an empty file) at its top and the full list below.
An .xlsx keeps its other sheets and formatting (openpyxl loads and saves it; it drops images and charts);
a .csv comes back as an .xlsx of its rows, every cell as the text it was. An annotated file uploaded again
is annotated afresh: the marks of the previous round are taken off first.

The streaming reader (``reader``) stays the import's path; openpyxl holds every cell in memory (about
20 s and 500 MB for a month of one county's hourly readings), so the annotation is built only when it is
downloaded, and only for files up to ``ANNOTATE_LIMIT``. Until then the upload waits as a file of the
default storage under a random name that only the uploader's session knows, with the error list in the
session as it always was: one rejected upload per session, replaced by the next import, dropped by a
successful one or a logout, swept (at the next rejection and nightly) once older than a session can live.
"""

import io
import re
import secrets
import warnings
import zipfile
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from shuangsuiji.tabular.importing import NOTE_HEADER, CellError, ImportRejected, _header
from shuangsuiji.tabular.reader import SheetError, read_rows
from shuangsuiji.tabular.writer import keep_text

LIST_SHEET = "错误清单"
"""The extra sheet: the problems of no row, then every problem. Fixed Chinese, like the templates' sheets."""
COMMENT_LIMIT = 1000
"""Problems that get a cell comment; every problem is filled and noted. Thousands of comments make a
workbook slow to open and mean the file is wrong as a whole (a shifted column), not cell by cell."""
ANNOTATE_LIMIT = 16 * 1024 * 1024
"""Uploads larger than this come back as the list only: openpyxl would need gigabytes to mark them."""
UNPACKED_LIMIT = 256 * 1024 * 1024
"""The same for an .xlsx whose parts add up to more than this unpacked (the sheets' XML, as the zip declares
it): a month of one county's hourly readings (134,000 rows, 3.6 MB) unpacks to 50 MB; far more is a crafted file."""
AUTHOR = "导入检查"
"""The author of the comments this module writes, so that the next round can tell them from the user's."""
BAD = "FFFF9999"
BAD_FILL = PatternFill("solid", fgColor=BAD)
NOTE_FILL = PatternFill("solid", fgColor="FFFFE1E1")
HEADER_FILL = PatternFill("solid", fgColor="FFE2EFDA")
RED = Font(color="FFC00000")
BOLD_RED = Font(bold=True, color="FFC00000")
_MAX_CELL = 32_000  # Excel holds at most 32,767 characters in a cell
_SHEET_TITLE = re.compile(r"[\[\]:*?/\\]")


def annotated_name(file_name: str) -> str:
    """The download's name: the upload's, marked, always .xlsx."""
    return f"{PurePath(file_name).stem}（错误标注）.xlsx"


def annotated_workbook(content: bytes | None, file_name: str, rejected: ImportRejected) -> bytes:
    """The uploaded file (``content``, None when it was not kept) with every problem of ``rejected`` marked.

    A file that cannot be opened (not a workbook, damaged, or too large) comes back as the list alone.
    """
    book, sheet = _open(content, file_name)
    if book is None:
        book = Workbook()
        book.remove(book.active)
    marks = _Marks(sheet, rejected.errors, rejected.header_row)
    if marks.header_row:  # an empty sheet has nothing to mark: its problem is the file's
        marks.apply()
    _list_sheet(book, sheet, marks, file_name, rejected)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _open(content: bytes | None, file_name: str) -> tuple[Workbook | None, Worksheet | None]:
    if content is None or len(content) > ANNOTATE_LIMIT:
        return None, None
    if file_name.lower().endswith(".csv"):
        try:
            rows = list(read_rows(io.BytesIO(content), file_name))
        except SheetError:
            return None, None
        book = Workbook()
        sheet = book.active
        sheet.title = _SHEET_TITLE.sub("", PurePath(file_name).stem)[:31] or "Sheet1"
        for number, values in rows:
            for index, value in enumerate(values, start=1):
                if value is not None:
                    keep_text([sheet.cell(number, index, value)])  # as the CSV had it: text, not a formula
        # A CSV has no formatting to keep; give it a readable header and columns, as the templates have.
        number, header = next(((n, v) for n, v in rows if any(value is not None for value in v)), (0, []))
        for index in range(1, len(header) + 1):
            sheet.column_dimensions[get_column_letter(index)].width = 18
            sheet.cell(number, index).font = Font(bold=True)
        return book, sheet
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except zipfile.BadZipFile:
        return None, None
    if unpacked > UNPACKED_LIMIT:  # a small file that unpacks to gigabytes: openpyxl would hold them all
        return None, None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns of every extension it does not keep
            book = load_workbook(io.BytesIO(content), rich_text=True)
    except Exception:  # any damage means the list alone; the import has already said what is wrong
        return None, None
    if not book.worksheets:
        return None, None
    return book, book.worksheets[0]  # the sheet the reader imported


class _Marks:
    """Where each problem goes: a cell of the data sheet, a data row's note, or the file as a whole."""

    def __init__(self, sheet: Worksheet | None, errors: Iterable[CellError], header_row: int = 0) -> None:
        self.sheet = sheet
        self.header_row = 0
        self.positions: dict[str, int] = {}
        self.note_column = 0
        if sheet is not None:
            self._find_header(sheet, header_row)
        self.cells: dict[tuple[int, int], list[str]] = defaultdict(list)
        self.rows: dict[int, list[str]] = defaultdict(list)
        self.whole_file: list[CellError] = []
        self.located: dict[int, tuple[int, int]] = {}  # error's position in the list → (row, column)
        self.capped = False
        for index, error in enumerate(errors):
            self._place(index, error)

    def _find_header(self, sheet: Worksheet, header_row: int) -> None:
        # The header is the row ``Sheet`` named the columns in (a title may stand above it); when that is not
        # known, the first row with a value.
        for row in sheet.iter_rows(min_row=header_row or 1):
            if any(cell.value is not None for cell in row):
                self.header_row = row[0].row
                for cell in row:
                    name = _header(cell.value)
                    if name and name not in self.positions:
                        self.positions[name] = cell.column
                break
        # A file annotated before keeps its note column: reuse it rather than add a second one.
        self.note_column = self.positions.get(NOTE_HEADER) or sheet.max_column + 1

    def _place(self, index: int, error: CellError) -> None:
        # header_row is 0 when no sheet was opened or it holds nothing: then every problem is the file's
        if not self.header_row or not self.header_row < error.row <= self.sheet.max_row:
            self.whole_file.append(error)
            return
        column = self.positions.get(error.column) if error.column else None
        if column is not None and column != self.note_column:
            self.cells[(error.row, column)].append(error.message)
            self.located[index] = (error.row, column)
            self.rows[error.row].append(f"{error.column}：{error.message}")
        elif error.column:
            self.rows[error.row].append(_("%(column)s（文件中没有此列）：%(message)s")
                                        % {"column": error.column, "message": error.message})
            self.located[index] = (error.row, self.note_column)
        else:
            self.rows[error.row].append(error.message)
            self.located[index] = (error.row, self.note_column)

    @property
    def anything_marked(self) -> bool:
        return bool(self.rows)

    def apply(self) -> None:
        sheet = self.sheet
        assert sheet is not None
        if self.positions.get(NOTE_HEADER):
            self._clear_previous_round(sheet)
        commented = 0
        for (row, column), messages in self.cells.items():
            cell = sheet.cell(row, column)
            cell.fill = BAD_FILL
            if cell.comment is not None and cell.comment.author != AUTHOR:
                continue  # the user's own comment stays: the fill and the row's note say what is wrong
            if commented >= COMMENT_LIMIT:
                self.capped = True
                continue
            cell.comment = _comment("\n".join(messages))
            commented += len(messages)
        header = sheet.cell(self.header_row, self.note_column, NOTE_HEADER)
        header.font = BOLD_RED
        header.fill = NOTE_FILL if self.whole_file else HEADER_FILL
        if self.whole_file:
            header.comment = _comment(_("本文件另有不属于任何数据行的问题，见“%(sheet)s”工作表：")
                                      % {"sheet": LIST_SHEET} + "\n" + "\n".join(_describe(e) for e in self.whole_file))
        sheet.column_dimensions[get_column_letter(self.note_column)].width = 60
        for row, notes in self.rows.items():
            cell = sheet.cell(row, self.note_column, "；".join(notes)[:_MAX_CELL])
            cell.font = RED
            cell.fill = NOTE_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    def _clear_previous_round(self, sheet: Worksheet) -> None:
        for row in sheet.iter_rows(min_row=self.header_row):
            for cell in row:
                if cell.comment is not None and cell.comment.author == AUTHOR:
                    cell.comment = None
                if cell.fill.fill_type == "solid" and cell.fill.fgColor.rgb == BAD:
                    cell.fill = PatternFill()
                if cell.column == self.note_column and cell.row > self.header_row:
                    cell.value = None
                    cell.fill = PatternFill()


def _comment(text: str) -> Comment:
    lines = text.count("\n") + 1 + len(text) // 24
    return Comment(text[:_MAX_CELL], AUTHOR, height=min(40 + 18 * lines, 400), width=260)


def _describe(error: CellError) -> str:
    return f"{error.column}：{error.message}" if error.column else error.message


def _list_sheet(book: Workbook, data: Worksheet | None, marks: _Marks, file_name: str,
                rejected: ImportRejected) -> None:
    """The extra sheet: what belongs to no row at its top, then today's full list, each row linked to its cell."""
    if LIST_SHEET in book.sheetnames and book[LIST_SHEET] is not data:
        book.remove(book[LIST_SHEET])  # the list of a previous round
    sheet = book.create_sheet(LIST_SHEET, 1 if data is not None else 0)
    notes: list[tuple[str, Font | None]] = [
        (ngettext("“%(file)s”有%(n)s处错误，未导入任何数据。", "“%(file)s”有%(n)s处错误，未导入任何数据。",
                  rejected.total) % {"file": file_name, "n": rejected.total}, BOLD_RED)]
    if data is not None and marks.header_row:
        notes.append((_("出错的单元格已标红并附批注说明原因；每个出错行最后的“%(column)s”列汇总该行的全部问题。"
                        "请在原表中修改后重新导入。") % {"column": NOTE_HEADER}, None))
        if marks.capped:
            notes.append((_("只有前%(limit)s处错误附有批注；所有错误的单元格都已标红，并写入“%(column)s”列。")
                          % {"limit": COMMENT_LIMIT, "column": NOTE_HEADER}, None))
    elif data is None:
        notes.append((_("上传的文件无法打开或太大，未能在原文件上标注，下面列出全部错误。"), None))
    if rejected.total > len(rejected.errors):
        more = rejected.total - len(rejected.errors)
        notes.append((ngettext("另有%(n)s处错误未列出，也未标注：错误这么多时，"
                               "请先检查是否使用了导入模板、各列是否错位。",
                               "另有%(n)s处错误未列出，也未标注：错误这么多时，"
                               "请先检查是否使用了导入模板、各列是否错位。", more)
                      % {"n": more}, RED))
    if marks.whole_file:
        notes.append((_("不属于任何数据行的问题："), BOLD_RED))
        notes.extend((f"· {_describe(error)}", RED) for error in marks.whole_file)
    for text, font in notes:
        sheet.append([text])
        if font is not None:
            sheet.cell(sheet.max_row, 1).font = font
    sheet.append([])
    sheet.append([_("行号"), _("列"), _("填写的值"), _("错误原因")])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    target = _quoted(data.title) if data is not None else ""
    for index, error in enumerate(rejected.errors):
        sheet.append([error.row, error.column, error.value, error.message])
        keep_text(sheet[sheet.max_row])
        where = marks.located.get(index)
        if where is not None:
            link = sheet.cell(sheet.max_row, 1)
            link.hyperlink = Hyperlink(ref="", location=f"{target}!{get_column_letter(where[1])}{where[0]}")
            link.font = Font(color="FF0563C1", underline="single")
    for letter, width in zip("ABCD", (10, 20, 30, 80), strict=True):
        sheet.column_dimensions[letter].width = width
    chosen = data if data is not None and marks.anything_marked else sheet
    book.active = chosen
    for each in book.worksheets:
        each.sheet_view.tabSelected = each is chosen


def _quoted(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"


# --- kept until downloaded ------------------------------------------------------------------------------------

SESSION_KEY = "tabular-rejected-upload"
STORE = "rejected-uploads"
"""The folder of the default storage (beside the records' attachments) where rejected uploads wait. The
session holds only a file's random name and the problems: the session row is read on every request, and an
upload of megabytes there would be read with it."""


def keep_rejected(session: SessionBase, origin: str, upload: Any, file_name: str, rejected: ImportRejected) -> None:
    """Keep a rejected upload and its problems for ``rejected_download``, in place of the last one kept.

    ``origin`` names the page that offers the download (``registry:targets``, ``intake``); one rejected upload
    is kept per session, the latest. ``upload`` is the uploaded file, read again from its start.
    """
    forget_rejected(session)
    sweep_rejected()
    upload.seek(0)
    content = upload.read(ANNOTATE_LIMIT + 1)
    stored = (default_storage.save(f"{STORE}/{secrets.token_hex(16)}", ContentFile(content))
              if len(content) <= ANNOTATE_LIMIT else None)
    session[SESSION_KEY] = {
        "origin": origin, "file": file_name, "content": stored, "total": rejected.total, "rows": rejected.rows,
        "header_row": rejected.header_row,
        "errors": [[e.row, e.column, e.value, e.message] for e in rejected.errors]}


KEPT_AT_LEAST = 24 * 3600
"""Seconds a rejected upload is kept at least: sessions end after a short idle time but slide while in use."""


def forget_rejected(session: SessionBase) -> None:
    """Drop the kept upload: an import went through, or another was rejected after it."""
    kept = session.pop(SESSION_KEY, None)
    if kept and kept.get("content"):
        default_storage.delete(kept["content"])


def sweep_rejected(now: datetime | None = None) -> int:
    """Delete uploads kept longer than a working day or an idle session's life, whichever is longer: their
    sessions most likely ended (an expiry, a closed browser) unseen; returns how many went. A session kept alive
    past that gets the list of problems alone, without its workbook marked.

    Run at every rejection and nightly (``manage.py sweep_rejected_uploads``, docs/operations.md "Scheduled
    jobs"): with only the first, the workbooks of the last rejections — enterprises' data — stayed until somebody's
    import was rejected again, which may be never. A logout drops its own at once (``forget_at_logout``).
    """
    if not default_storage.exists(STORE):
        return 0
    cutoff = (now or timezone.now()) - timedelta(seconds=max(settings.SESSION_COOKIE_AGE, KEPT_AT_LEAST))
    swept = 0
    for name in default_storage.listdir(STORE)[1]:
        path = f"{STORE}/{name}"
        if default_storage.get_modified_time(path) < cutoff:
            default_storage.delete(path)
            swept += 1
    return swept


def forget_at_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """A ``user_logged_out`` receiver: the session's kept upload goes with the session, at once.

    Django sends the signal before it flushes the session, which would drop the file's name and leave the file
    to the nightly sweep."""
    session = getattr(request, "session", None)
    if session is not None:
        forget_rejected(session)


def rejected_download(session: SessionBase, origin: str) -> tuple[bytes, str] | None:
    """(the annotated workbook, its file name) of the upload kept for ``origin``, or None."""
    kept = session.get(SESSION_KEY)
    if not kept or kept.get("origin") != origin:
        return None
    content = None
    if kept["content"]:
        try:
            with default_storage.open(kept["content"], "rb") as handle:
                content = handle.read()
        except FileNotFoundError:  # swept meanwhile: the list alone is still the answer
            content = None
    rejected = ImportRejected([CellError(*error) for error in kept["errors"]], kept["total"], kept["rows"],
                              kept.get("header_row", 0))
    return annotated_workbook(content, kept["file"], rejected), annotated_name(kept["file"])
