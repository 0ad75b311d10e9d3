"""A damaged or hand-made .xlsx is refused with a message that says where reading stopped, never a crash."""

import contextlib
import datetime
import io
import zipfile

import pytest
from django.test import Client
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from shuangsuiji.registry.models import Target
from shuangsuiji.tabular import reader
from shuangsuiji.tabular.reader import SheetError, read_rows

SHEET = "xl/worksheets/sheet1.xml"


def _workbook() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["统一社会信用代码", "单位名称", "行政区划代码", "日期"])
    sheet.append(["91130623MA0000001X", 1.5, "130623", datetime.date(2021, 4, 12)])
    sheet.append(["91130623MA0000002X", "乙公司", "130623"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


GOOD = _workbook()


def _patched(part: str, change) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(GOOD))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info.filename)
            target.writestr(info, change(content) if info.filename == part else content)
    return out.getvalue()


def _read(content: bytes) -> list:
    return list(read_rows(io.BytesIO(content), "名录.xlsx"))


def test_the_unchanged_workbook_reads():
    rows = [values for _n, values in _read(GOOD)]
    assert rows[1] == ["91130623MA0000001X", "1.5", "130623", datetime.datetime(2021, 4, 12)]
    assert rows[2][:2] == ["91130623MA0000002X", "乙公司"]


@pytest.mark.parametrize(("part", "change", "message"), [
    (SHEET, lambda c: c[:-40], "读到第 4 行"),  # cut off after the third row
    (SHEET, lambda c: c.replace(b'r="2"', b'r="two"', 1), "读到第 2 行"),
    (SHEET, lambda c: c.replace(b"<v>1.5</v>", b"<v>abc</v>", 1), "读到第 2 行"),
    (SHEET, lambda c: c.replace(b'<c r="B2"', b'<c r="B2" s="x"', 1), "读到第 2 行"),
    (SHEET, lambda c: c.replace(b"<v>44298</v>", b"<v>1e300</v>", 1), "读到第 2 行"),  # a date past the calendar
    ("xl/styles.xml", lambda c: c[:-10], "不是有效的 Excel 工作簿"),
    ("xl/workbook.xml", lambda c: b"<x", "不是有效的 Excel 工作簿"),
])
def test_a_damaged_part_is_refused_with_where_reading_stopped(part, change, message):
    with pytest.raises(SheetError, match=message):
        _read(_patched(part, change))


def test_a_cell_beyond_excels_last_column_is_refused_before_anything_is_allocated():
    # "ZZZZZZZ" would be column 8,353,082,582: the row was padded with that many empty cells (MemoryError).
    content = _patched(SHEET, lambda c: c.replace(b'r="B2"', b'r="ZZZZZZZ2"', 1))
    with pytest.raises(SheetError, match="第 2 行的单元格 ZZZZZZZ2 超出 Excel 的列范围"):
        _read(content)
    last = _patched(SHEET, lambda c: c.replace(b'r="D2"', b'r="XFD2"', 1))
    assert len(_read(last)[1][1]) == 16384  # Excel's own last column still reads


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_any_corruption_of_the_sheet_reads_or_is_refused_as_a_sheet_error(data):
    xml = zipfile.ZipFile(io.BytesIO(GOOD)).read(SHEET)
    position = data.draw(st.integers(0, len(xml) - 1))
    replacement = data.draw(st.binary(min_size=0, max_size=8))
    with contextlib.suppress(SheetError):  # anything else (a crash) fails the test
        _read(_patched(SHEET, lambda c: c[:position] + replacement + c[position + 1:]))


@pytest.mark.django_db
def test_the_import_page_answers_a_damaged_file_with_its_message_and_stores_nothing(tree, users):
    client = Client()
    client.force_login(users["county_admin"])
    upload = io.BytesIO(_patched(SHEET, lambda c: c.replace(b'r="2"', b'r="two"', 1)))
    upload.name = "名录.xlsx"
    response = client.post("/registry/targets/import/", {"file": upload})
    assert response.status_code == 400
    assert "文件已损坏：读到第 2 行时无法继续" in response.content.decode()
    assert not Target.objects.exists()


def test_a_workbook_that_unpacks_too_large_is_refused_before_it_is_read(monkeypatch):
    # A few megabytes of zip can unpack to gigabytes; the limits are lowered here to keep the test small.
    padded = _patched("xl/styles.xml", lambda c: c + b" " * 300_000)
    monkeypatch.setattr(reader, "_MAX_PART_BYTES", 200_000)
    with pytest.raises(SheetError, match=r"工作簿过大：其中 xl/styles\.xml 解压后有"):
        _read(padded)
    monkeypatch.setattr(reader, "_MAX_SHEET_BYTES", 1_000)
    with pytest.raises(SheetError, match=r"xl/worksheets/sheet1\.xml"):
        _read(GOOD)


def test_a_workbook_without_a_worksheet_says_so():
    content = _patched("xl/workbook.xml", lambda c: c.replace(b"<sheet ", b"<notasheet "))
    with pytest.raises(SheetError, match="工作簿中没有工作表"):
        _read(content)


@pytest.mark.parametrize(("content", "message"), [
    ("统一社会信用代码,单位名称\n91130623MA0000001X,甲\x00公司\n".encode(), "第 2 行含有空字符"),
    (('统一社会信用代码,单位名称\n91130623MA0000001X,"甲公司\n' + "乙" * 140_000 + "\n").encode(), "第 2 行无法读取"),
])
def test_a_csv_that_is_not_text_or_not_closed_is_refused_with_its_line(content, message):
    with pytest.raises(SheetError, match=message):
        list(read_rows(io.BytesIO(content), "名录.csv"))


def test_excels_escaped_characters_are_read_as_the_characters():
    """Excel writes a carriage return in a cell as _x000D_ (and a literal "_x" as _x005F_x): the text imported is
    the text typed, not the escape. A NUL so written is refused like any other."""
    content = _patched(SHEET, lambda c: c.replace("乙公司".encode(), "乙_x000D_\n公司".encode())
                       .replace(b">130623<", b">_x005F_x0041_<", 1))
    rows = [values for _n, values in _read(content)]
    assert rows[2][1] == "乙\r\n公司"
    assert rows[1][2] == "_x0041_"
    nul = _patched(SHEET, lambda c: c.replace("乙公司".encode(), "乙_x0000_公司".encode()))
    with pytest.raises(SheetError, match="第 3 行的单元格 B3 含有空字符"):
        _read(nul)


LEGACY = "这是旧版 Excel（.xls）文件，不能直接导入：请在 Excel 或 WPS 中“另存为”Excel 工作簿（.xlsx）后再导入"
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504  # how an Excel 97-2003 or WPS workbook starts


@pytest.mark.parametrize("content, name, message", [
    (b"", "名录.xlsx", "文件是空的（0 字节）：请选择填好的 Excel 文件"),
    (OLE2, "名录.xlsx", LEGACY),  # an .xls renamed: Excel opens it, so "not a valid workbook" told nothing
    (OLE2, "名录.xls", LEGACY),
    (OLE2, "名录.et", LEGACY),
    (b"%PDF-1.4", "名录.xlsx", "文件不是有效的 Excel 工作簿（.xlsx）"),
    (b"%PDF-1.4", "名录.pdf", "只能导入 .xlsx 或 .csv 文件"),
])
def test_an_empty_file_and_an_old_xls_are_told_as_what_they_are(content, name, message):
    with pytest.raises(SheetError) as error:
        list(read_rows(io.BytesIO(content), name))
    assert str(error.value) == message


def english_county_admin(users) -> Client:
    client = Client()
    client.force_login(users["county_admin"])
    client.cookies["django_language"] = "en"
    return client


@pytest.mark.django_db
def test_the_import_page_tells_an_old_xls_in_the_readers_language_and_stores_nothing(tree, users):
    client = english_county_admin(users)
    upload = io.BytesIO(OLE2)
    upload.name = "名录.xlsx"
    response = client.post("/registry/targets/import/", {"file": upload})
    assert response.status_code == 400
    html = response.content.decode()
    assert "This is an old Excel (.xls) file" in html
    assert "\"名录.xlsx\" has 1 problem; nothing was imported." in html  # not "1 problems"
    assert 'id="import-marked-download"' not in html  # a file that cannot be read has no cells to mark
    assert not Target.objects.exists()


@pytest.mark.django_db
def test_a_readable_file_with_problems_offers_itself_marked_and_counts_them_in_english(tree, users):
    client = english_county_admin(users)
    book = Workbook()
    book.active.append(["统一社会信用代码", "单位名称", "行政区划代码"])
    book.active.append(["123", None, "130623"])
    upload = io.BytesIO()
    book.save(upload)
    upload.seek(0)
    upload.name = "名录.xlsx"
    html = client.post("/registry/targets/import/", {"file": upload}).content.decode()
    assert "\"名录.xlsx\" has 2 problems; nothing was imported." in html
    assert 'id="import-marked-download"' in html


@pytest.mark.django_db
def test_the_intake_page_says_the_same_of_an_old_xls(tree, users):
    client = english_county_admin(users)
    upload = io.BytesIO(OLE2)
    upload.name = "台账.xlsx"
    html = client.post("/intake/import/penalties/", {"file": upload}).content.decode()
    assert "This is an old Excel (.xls) file" in html and "The file has 1 error; nothing was imported" in html
    assert 'id="import-marked-download"' not in html
