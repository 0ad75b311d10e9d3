"""``tabular.writer.StreamingSheet`` writes the same bytes as openpyxl's own write-only sheet, whatever the rows."""

import datetime
import io
import zipfile
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill

from shuangsuiji.tabular.writer import plain_row_xml, streaming_sheet


def _parts(rows: list[list], fast: bool) -> dict[str, bytes]:
    book = Workbook(write_only=True)
    sheet = streaming_sheet(book, "检查对象名录库") if fast else book.create_sheet("检查对象名录库")
    header = WriteOnlyCell(sheet, value="统一社会信用代码")
    header.font = Font(bold=True, color="C00000")
    header.fill = PatternFill("solid", fgColor="E2EFDA")
    sheet.append([header, "单位名称"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    with zipfile.ZipFile(buffer) as archive:  # docProps/core.xml holds the time of writing
        return {name: archive.read(name) for name in archive.namelist() if name != "docProps/core.xml"}


TRICKY = [
    ["a", "", None, " lead", "trail ", "  ", "x&<>y\"'", "全角\u3000", "\t tab", "multi\nline\r\n"],
    [1, 2.5, Decimal("115.490100"), -0.0, 10**20, 12345678901234567, Decimal("0.000001"), -7],
    ["=SUM(A1)", "=", "#N/A", "#REF!", "x" * 40000],  # a formula, an error value, text openpyxl cuts
    [datetime.date(2021, 3, 1), datetime.datetime(2021, 3, 1, 8, 30), "在营"],  # dates: styled numbers
    [datetime.date(1900, 2, 28), datetime.date(1900, 3, 1), datetime.datetime(2021, 3, 1, 8, 30, 0, 1)],
    [True, datetime.date(2022, 1, 1)],  # a row that goes openpyxl's way, then one that does not
    [datetime.date(2022, 1, 2)],
    [True, False, None],
    [None, None],
    [],
    [float("nan"), float("inf"), Decimal("NaN")],
]


def test_tricky_rows_are_written_as_openpyxl_writes_them():
    assert _parts(TRICKY, fast=True) == _parts(TRICKY, fast=False)
    for fast in (True, False):  # openpyxl refuses an aware datetime, and so does the fast sheet
        with pytest.raises(TypeError, match="timezones"):
            _parts([["甲"], [datetime.datetime(2021, 3, 1, tzinfo=datetime.UTC)]], fast=fast)


def test_a_sheet_without_dates_registers_no_date_style():
    assert _parts([["甲", 1]], fast=True)["xl/styles.xml"] == _parts([["甲", 1]], fast=False)["xl/styles.xml"]


def test_only_plain_rows_take_the_fast_path():
    assert plain_row_xml(["甲", 1, Decimal("2.5"), None, ""], 7) == (
        '<row r="7"><c r="A7" t="inlineStr"><is><t>甲</t></is></c><c r="B7" t="n"><v>1</v></c>'
        '<c r="C7" t="n"><v>2.5</v></c><c r="E7" t="inlineStr" /></row>')
    assert plain_row_xml([datetime.date(2021, 1, 1)], 3, lambda value: (4, "44197")) == (
        '<row r="3"><c r="A3" s="4" t="n"><v>44197</v></c></row>')
    for other in (datetime.date(2021, 1, 1), True, "=A1", "#N/A", "x" * 32768, float("nan"), "\x07", b"bytes"):
        assert plain_row_xml(["甲", other], 2) is None, other


VALUE = st.one_of(
    st.none(), st.text(), st.text(alphabet=" \u3000\t\n&<>=#\"'甲A1"), st.integers(), st.floats(),
    st.decimals(places=6, allow_nan=False, allow_infinity=False), st.booleans(), st.dates(), st.datetimes(),
    st.sampled_from(["=", "=A1", "#N/A", "#DIV/0!", " ", ""]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(VALUE, max_size=8), max_size=6))
def test_any_rows_are_written_as_openpyxl_writes_them(rows):
    try:
        expected = _parts(rows, fast=False)
    except Exception as error:  # openpyxl refuses the row (a control character): so must the fast sheet
        try:
            _parts(rows, fast=True)
        except Exception as fast_error:
            assert type(fast_error) is type(error)
            return
        raise AssertionError(f"openpyxl refused {rows!r} ({error!r}), the fast sheet did not") from None
    assert _parts(rows, fast=True) == expected
