"""Reading an uploaded sheet (.xlsx or .csv) row by row, fast and with flat memory.

A month of hourly online-monitoring readings of one county is ~134,000 rows; openpyxl's read-only
mode needs ~7 s just to iterate them, which would make the import itself the slow part. An .xlsx is a
zip of XML, and the standard library's C expat parser streams the first sheet in about a quarter of
that time. This module reads only what an import needs: the first worksheet's cell values, with shared
and inline strings, numbers, booleans, and dates recognised by their number format (as Excel shows
them). Formulas are read as their cached values. CSV files (as monitoring platforms export them) are
read as text in UTF-8, or GB18030 when they are not UTF-8.

A damaged or hand-made file is refused with a ``SheetError`` that says where reading stopped, never with a
server error; a cell reference beyond Excel's last column is refused before anything is allocated for it.
"""

import codecs
import csv
import io
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import IO, Any
from xml.etree.ElementTree import ParseError, iterparse

from django.utils.translation import gettext as _

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_EPOCH = datetime(1899, 12, 30)
_BUILTIN_DATE_FORMATS = {*range(14, 23), 45, 46, 47, 50, 51, 52, 53, 54, 55, 56, 57, 58}
_DATE_CODE = re.compile(r"[ymdhs]")
_QUOTED_OR_BRACKETED = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_MAX_COLUMNS = 16384
"""Excel's last column is XFD; a reference beyond it is not from a sheet Excel wrote (and would pad one row
with billions of empty cells)."""
_MAX_SHEET_BYTES = 1024 * 2**20
"""A worksheet unpacked: a million rows of the widest template are a few hundred megabytes."""
_MAX_PART_BYTES = 256 * 2**20
"""Any other part (shared strings, styles), unpacked."""
_DAMAGED = (ParseError, ValueError, IndexError, KeyError, EOFError, OverflowError, zlib.error,
            zipfile.BadZipFile)
"""What a damaged part of an .xlsx raises while it is read: bad XML, a number or reference that is not one, a
shared string that is not there, a date beyond the calendar, a truncated or corrupt compressed stream."""


class SheetError(ValueError):
    """The file cannot be read as a sheet at all (not an .xlsx/.csv, damaged, empty)."""


def _column_index(letters: str) -> int:
    index = 0
    for char in letters:
        index = index * 26 + ord(char) - 64
    return index - 1


def _date_styles(archive: zipfile.ZipFile) -> set[int]:
    """Indexes of the cell styles (cellXfs) whose number format shows a date or a time."""
    try:
        data = archive.read("xl/styles.xml")
    except KeyError:
        return set()
    custom_dates: set[int] = set()
    styles: list[int] = []
    in_cell_xfs = False
    for event, element in iterparse(io.BytesIO(data), events=("start", "end")):
        tag = element.tag
        if tag == f"{_MAIN}numFmt" and event == "end":
            code = _QUOTED_OR_BRACKETED.sub("", element.get("formatCode", "").lower())
            if _DATE_CODE.search(code):
                custom_dates.add(int(element.get("numFmtId", "0")))
        elif tag == f"{_MAIN}cellXfs":
            in_cell_xfs = event == "start"
        elif tag == f"{_MAIN}xf" and in_cell_xfs and event == "start":
            styles.append(int(element.get("numFmtId", "0")))
    dates = _BUILTIN_DATE_FORMATS | custom_dates
    return {index for index, format_id in enumerate(styles) if format_id in dates}


def _shared_strings(archive: zipfile.ZipFile) -> list[str]:
    try:
        handle = archive.open("xl/sharedStrings.xml")
    except KeyError:
        return []
    strings = []
    with handle:
        for _event, element in iterparse(handle):
            if element.tag == f"{_MAIN}si":
                # A plain string is one <t>; rich text is runs <r><t>; phonetic hints (<rPh>) are not text.
                plain = element.find(f"{_MAIN}t")
                strings.append(_unescaped(plain.text or "" if plain is not None
                                          else "".join(t.text or "" for t in element.findall(f"{_MAIN}r/{_MAIN}t"))))
                element.clear()
    return strings


def _check_sizes(archive: zipfile.ZipFile) -> None:
    """Refuse a workbook whose parts unpack to more than a sheet of a million rows would: a few megabytes of zip
    can unpack to gigabytes, and the shared strings are held in memory. The sizes are the ones the zip
    declares, which reading it enforces (a part that unpacks to more fails its check)."""
    for info in archive.infolist():
        limit = _MAX_SHEET_BYTES if info.filename.startswith("xl/worksheets/") else _MAX_PART_BYTES
        if info.file_size > limit:
            raise SheetError(_("工作簿过大：其中 %(part)s 解压后有 %(size)s MB，超过 %(max)s MB，请拆分为几个文件"
                               "分别导入") % {"part": info.filename[:80], "size": info.file_size // 2**20,
                                            "max": limit // 2**20})


def _first_sheet_path(archive: zipfile.ZipFile) -> str:
    workbook = archive.read("xl/workbook.xml")
    rels = archive.read("xl/_rels/workbook.xml.rels")
    first_id = None
    for _event, element in iterparse(io.BytesIO(workbook)):
        if element.tag == f"{_MAIN}sheet":
            first_id = element.get(f"{_REL}id")
            break
    for _event, element in iterparse(io.BytesIO(rels)):
        if element.tag == f"{_PKG_REL}Relationship" and element.get("Id") == first_id:
            target = element.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
    raise SheetError(_("工作簿中没有工作表"))


def _xlsx_rows(handle: IO[bytes]) -> Iterator[tuple[int, list[Any]]]:
    try:
        archive = zipfile.ZipFile(handle)
        _check_sizes(archive)
        sheet_path = _first_sheet_path(archive)
        shared = _shared_strings(archive)
        date_styles = _date_styles(archive)
        sheet = archive.open(sheet_path)
    except SheetError:
        raise
    except _DAMAGED as error:
        raise SheetError(_("文件不是有效的 Excel 工作簿（.xlsx）")) from error
    row_tag = f"{_MAIN}row"
    # A cell's reference ("AB123") names its column; a sheet has few columns, so remember each one.
    columns: dict[str, int] = {}
    next_number = 1
    with sheet:
        try:
            for _event, element in iterparse(sheet):
                if element.tag != row_tag:
                    continue
                number = next_number = int(element.get("r") or next_number)
                yield number, _row_values(element, number, columns, shared, date_styles)
                element.clear()
                next_number = number + 1
        except SheetError:
            raise
        except _DAMAGED as error:
            raise SheetError(_("文件已损坏：读到第 %(row)s 行时无法继续，请用 Excel 打开后另存为 .xlsx 再导入")
                             % {"row": next_number}) from error


def _row_values(row: Any, number: int, columns: dict[str, int], shared: list[str], date_styles: set[int]
                ) -> list[Any]:
    values: list[Any] = []
    for cell in row.iter(f"{_MAIN}c"):
        reference = cell.get("r")
        if reference:
            letters = reference.rstrip("0123456789")
            index = columns.get(letters)
            if index is None:
                index = _column_index(letters)
                if not 0 <= index < _MAX_COLUMNS:
                    raise SheetError(_("第 %(row)s 行的单元格 %(cell)s 超出 Excel 的列范围（最后一列为 XFD）")
                                     % {"row": number, "cell": reference[:20]})
                columns[letters] = index
            if index > len(values):
                values.extend([None] * (index - len(values)))
        value = _cell_value(cell, shared, date_styles)
        if isinstance(value, str) and "\x00" in value:  # no text has one, and a database refuses it
            raise SheetError(_("第 %(row)s 行的单元格 %(cell)s 含有空字符（NUL）") % {
                "row": number, "cell": (reference or "")[:20]})
        values.append(value)
    return values


def _unescaped(text: str) -> str:
    """Excel writes a character XML cannot carry, or a carriage return, as ``_xHHHH_`` (a literal "_x" as
    ``_x005F_x``): "第一行_x000D_\n第二行" is "第一行\r\n第二行"."""
    return _ESCAPE.sub(lambda match: chr(int(match.group(1), 16)), text) if "_x" in text else text


def _cell_value(cell: Any, shared: list[str], date_styles: set[int]) -> Any:
    kind = cell.get("t")
    value_element = cell.find(f"{_MAIN}v")
    text = value_element.text if value_element is not None else None
    if kind == "s":
        return shared[int(text)] if text is not None else None
    if kind == "inlineStr":
        return _unescaped("".join(t.text or "" for t in cell.iter(f"{_MAIN}t")))
    if kind in ("str", "e"):
        return _unescaped(text) if text is not None else None
    if kind == "b":
        return text == "1" if text is not None else None
    if text is None:
        return None
    number_value = float(text)
    style = cell.get("s")
    if style is not None and int(style) in date_styles:
        value = _EPOCH + timedelta(days=number_value)
        # Excel stores times as fractions of a day; round away the float noise.
        return value.replace(microsecond=0) + timedelta(seconds=round(value.microsecond / 1e6))
    if number_value.is_integer() and "." not in text and "E" not in text.upper():
        return int(text)
    return text  # keep the exact decimal digits of the file


_CSV_CHUNK = 2**20


def _csv_encoding(handle: IO[bytes]) -> str:
    """The CSV's encoding (UTF-8, else GB18030), found by decoding it once in chunks; refused when it is neither,
    or holds a NUL (not text at all, and a database refuses it: a binary file named .csv, or damage).

    In chunks, not whole: a file near the upload limit held as bytes, as text and as the reader's copy of the
    text was several times its size in memory, once per pass (the import reads a file twice)."""
    start = handle.tell()
    for encoding in ("utf-8-sig", "gb18030"):
        handle.seek(start)
        decoder = codecs.getincrementaldecoder(encoding)()
        lines = 0
        try:
            while True:
                chunk = handle.read(_CSV_CHUNK)
                text = decoder.decode(chunk, final=not chunk)
                if "\x00" in text:
                    raise SheetError(_("CSV 文件第 %(row)s 行含有空字符（NUL），不是文本文件或已损坏") % {
                        "row": lines + text.count("\n", 0, text.index("\x00")) + 1})
                lines += text.count("\n")
                if not chunk:
                    break
        except UnicodeDecodeError:
            continue
        handle.seek(start)
        return encoding
    raise SheetError(_("CSV 文件的编码无法识别（应为 UTF-8 或 GBK）"))


def _csv_rows(handle: IO[bytes]) -> Iterator[tuple[int, list[Any]]]:
    encoding = _csv_encoding(handle)
    text = io.TextIOWrapper(io.BufferedReader(_Unclosable(handle), _CSV_CHUNK), encoding=encoding, newline="")
    number = 0
    try:
        for number, row in enumerate(csv.reader(text), start=1):
            yield number, [cell if cell.strip() else None for cell in row]
    except csv.Error as error:  # e.g. one cell of more than 128 KB: an unclosed quote swallowing the rest
        raise SheetError(_("CSV 文件第 %(row)s 行无法读取（常见原因：引号没有成对）") % {"row": number + 1}) from error


class _Unclosable(io.RawIOBase):
    """The upload as the raw stream a ``TextIOWrapper`` reads (an uploaded file has no ``readinto``); closing
    the wrapper, or its collection, leaves the upload open: it is the caller's, who reads it again."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.handle.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)

    def close(self) -> None:
        super().close()  # closes this adapter only, not ``handle``


def read_rows(handle: IO[bytes], name: str) -> Iterator[tuple[int, list[Any]]]:
    """(row number as the spreadsheet shows it, cell values) for every row of the first sheet."""
    lowered = name.lower()
    if lowered.endswith(".csv"):
        return _csv_rows(handle)
    if lowered.endswith((".xlsx", ".xlsm")):
        _refuse_empty_or_legacy(handle)
        return _xlsx_rows(handle)
    if lowered.endswith((".xls", ".et")):
        raise SheetError(_legacy_message())
    raise SheetError(_("只能导入 .xlsx 或 .csv 文件"))


def _legacy_message() -> str:
    return _("这是旧版 Excel（.xls）文件，不能直接导入：请在 Excel 或 WPS 中“另存为”Excel 工作簿（.xlsx）后再导入")


_LEGACY_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
"""The start of an OLE2 compound file: Excel 97-2003 (.xls) and WPS (.et) workbooks, often renamed .xlsx."""


def _refuse_empty_or_legacy(handle: IO[bytes]) -> None:
    """An empty upload, or an old .xls under an .xlsx name, told as what it is: "not a valid workbook" left the
    clerk with a file Excel opens and no idea what is wrong with it."""
    try:
        start = handle.read(len(_LEGACY_MAGIC))
        handle.seek(0)
    except (AttributeError, OSError, ValueError):
        return  # not seekable: the zip reader says what it finds
    if not start:
        raise SheetError(_("文件是空的（0 字节）：请选择填好的 Excel 文件"))
    if start == _LEGACY_MAGIC:
        raise SheetError(_legacy_message())
