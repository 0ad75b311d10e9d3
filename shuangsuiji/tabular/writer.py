"""A streaming worksheet that writes plain rows several times faster than openpyxl, byte for byte the same.

openpyxl's write-only sheet builds a cell object and an XML element for every value and serializes each
element through et_xmlfile's generic writer (lxml would be faster, but it is not a dependency of the project,
and it would change how every workbook is read as well). Exporting the city's 12,000 targets spent two thirds
of its time there. ``StreamingSheet`` writes a row whose values are all plain — text, integers, floats and
decimals, dates — as the XML text openpyxl would write for it, and hands every other row (a styled cell, a
formula-looking or over-long text, a character a worksheet cannot hold, a boolean) to openpyxl unchanged, so the file is
the same whichever path a row takes. ``tests/tabular/test_writer.py`` holds the two to the same bytes; it is
bound to the pinned openpyxl and et_xmlfile, whose internals (the sheet's row coroutine, the XML writer's
output function) this class uses.
"""

import datetime
import math
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.compat import safe_string
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

_NUMBERS = (int, float, Decimal)
_DATES = (datetime.date, datetime.datetime)
_COLUMNS = [""] + [get_column_letter(n) for n in range(1, 16385)]
_MAX_TEXT = 32767  # openpyxl truncates longer text: that row goes its way


def _escape(text: str) -> str:
    # what ElementTree's text escaping does (et_xmlfile calls it): &, < and >, nothing else
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def plain_row_xml(values: Any, row: int, date_cell: Callable[[Any], tuple[int, str]] | None = None) -> str | None:
    """The ``<row>`` element openpyxl writes for these values, or None when one of them is not plain.

    ``date_cell`` gives a date's (style id, serial number); without it a date is not plain."""
    parts = [f'<row r="{row}">']
    for column, value in enumerate(values, 1):
        if value is None:
            continue  # openpyxl writes no cell for None
        kind = type(value)
        if kind is str:
            if (len(value) > 1 and value[0] == "=") or value in ERROR_CODES or len(value) > _MAX_TEXT \
                    or ILLEGAL_CHARACTERS_RE.search(value):
                return None  # a formula, an error value, truncated, or refused: openpyxl decides
            if not value:
                parts.append(f'<c r="{_COLUMNS[column]}{row}" t="inlineStr" />')
                continue
            stripped = value.strip()
            space = ' xml:space="preserve"' if stripped and stripped != value else ""
            parts.append(f'<c r="{_COLUMNS[column]}{row}" t="inlineStr"><is><t{space}>{_escape(value)}</t></is></c>')
        elif kind in _NUMBERS:
            if not math.isfinite(value):
                return None
            # openpyxl's format (compat.safe_string): %-formatting turns a Decimal into a float first, as
            # format() would not ("115.490100" stays so there; openpyxl writes 115.4901)
            number = "%.16g" % value  # noqa: UP031
            parts.append(f'<c r="{_COLUMNS[column]}{row}" t="n"><v>{number}</v></c>')
        elif kind in _DATES and date_cell is not None and getattr(value, "tzinfo", None) is None:
            style, serial = date_cell(value)
            parts.append(f'<c r="{_COLUMNS[column]}{row}" s="{style}" t="n"><v>{serial}</v></c>')
        else:
            return None  # booleans, times, aware datetimes, cells with a style
    parts.append("</row>")
    return "".join(parts)


class StreamingSheet(WriteOnlyWorksheet):
    """openpyxl's write-only worksheet, with plain rows written as text (see the module's note)."""

    _date_styles: dict[type, int] | None = None

    def _date_cell(self, value: datetime.date) -> tuple[int, str]:
        """A date's style (its number format, registered when the sheet meets its first date of that type, as
        openpyxl registers it) and its serial number."""
        if self._date_styles is None:
            self._date_styles = {}
        style = self._date_styles.get(type(value))
        if style is None:
            style = self._date_styles[type(value)] = WriteOnlyCell(self, value=value).style_id
        return style, safe_string(to_excel(value, self.parent.epoch))

    def _write_rows(self):
        # openpyxl's WriteOnlyWorksheet._write_rows, with the plain path in front of its own
        try:
            xf = self._writer.xf.send(True)
        except StopIteration:
            self._already_saved()
        write = xf._file
        # openpyxl writes dates as ISO text in such a workbook: those rows go its way
        date_cell = None if self.parent.iso_dates else self._date_cell
        with xf.element("sheetData"):
            row_idx = 1
            try:
                while True:
                    values = yield
                    text = None if row_idx in self.row_dimensions else plain_row_xml(values, row_idx, date_cell)
                    if text is None:
                        self._writer.write_row(xf, self._values_to_row(values, row_idx), row_idx)
                    else:
                        write(text)
                    row_idx += 1
            except GeneratorExit:
                pass
        self._writer.xf.send(None)


def is_formula_text(value: Any) -> bool:
    """Text openpyxl would store as a formula: "=…" (a name or finding typed so, or imported so)."""
    return type(value) is str and len(value) > 1 and value[0] == "="


def as_text(sheet: WriteOnlyWorksheet, values: Any) -> list:
    """A row for a write-only sheet whose texts stay texts: a value that openpyxl would store as a formula
    ("=HYPERLINK(…)", "=WEBSERVICE(…)") goes in as a text cell, shown as typed, never run by whoever opens the
    export in Excel. Text cells are never calculated, so "+", "-" and "@" at the start are harmless here."""
    row = []
    for value in values:
        if is_formula_text(value):
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"
            value = cell
        row.append(value)
    return row


def keep_text(cells: Any) -> None:
    """``as_text`` for the cells of an ordinary (not write-only) sheet, after the values are in."""
    for cell in cells:
        if cell.data_type == "f" and is_formula_text(cell.value):
            cell.data_type = "s"


def streaming_sheet(book: Workbook, title: str) -> WriteOnlyWorksheet:
    """A new sheet of the write-only ``book``, as ``book.create_sheet(title)`` makes it but faster to fill."""
    sheet = StreamingSheet(parent=book, title=title)
    book._add_sheet(sheet)
    return sheet
