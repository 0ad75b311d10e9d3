"""The reports to the city as workbooks ready to print, stamp, scan and e-mail (实施方案 四(三)).

Each sheet: a title row naming the jurisdiction and the period, the table with its headings repeated on every
printed page, and the line the office signs and stamps (报送单位（盖章）/ 填报人 / 日期); landscape A4, as
wide as the page. Always in the system's language: the paper goes to the city office whatever language the
preparer's screen is in.
"""

import io
from collections.abc import Sequence
from datetime import date

from django.conf import settings
from django.utils import translation
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet

from shuangsuiji.disclosure import reports
from shuangsuiji.planning.models import DRAWN_STRATA, Stratum
from shuangsuiji.registry.models import Jurisdiction, Level
from shuangsuiji.tabular.writer import keep_text

THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="center")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
SIGN_LINE = ("报送单位（盖章）：" + " " * 24 + "填报人：" + " " * 14 + "联系电话：" + " " * 14
             + "日期：    年  月  日")


def _sheet(book: Workbook, name: str, title: str, subtitle: str, headings: Sequence[Sequence[str | None]],
           widths: Sequence[float], rows: Sequence[Sequence], *, merges: Sequence[str] = ()) -> Worksheet:
    """A printable sheet: title, subtitle, headings (one or two rows; ``None`` under a merged heading), rows
    with borders, then the signing line. ``merges`` are heading ranges relative to the first heading row."""
    sheet = book.create_sheet(name)
    columns = len(widths)
    last = get_column_letter(columns)
    sheet.append([title])
    sheet.merge_cells(f"A1:{last}1")
    sheet["A1"].font = Font(size=16, bold=True)
    sheet["A1"].alignment = CENTER
    sheet.row_dimensions[1].height = 30
    sheet.append([subtitle])
    sheet.merge_cells(f"A2:{last}2")
    sheet["A2"].alignment = Alignment(horizontal="left", vertical="center")
    first_heading = 3
    for heading in headings:
        sheet.append(list(heading))
    for merge in merges:  # "B0:E0": columns B to E of the first heading row ("Z0:AA0" past column Z)
        (start_column, start_row), (end_column, end_row) = (
            (cell.rstrip("0123456789"), int(cell.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))) for cell in merge.split(":"))
        sheet.merge_cells(f"{start_column}{first_heading + start_row}:{end_column}{first_heading + end_row}")
    heading_rows = range(first_heading, first_heading + len(headings))
    for row in heading_rows:
        for column in range(1, columns + 1):
            cell = sheet.cell(row, column)
            cell.font = Font(bold=True)
            cell.alignment = CENTER
            cell.border = BOX
    for values in rows:
        sheet.append(list(values))
        row = sheet.max_row
        keep_text(sheet[row])  # a target's name or a finding typed as "=…" is text, not a formula
        for column in range(1, columns + 1):
            cell = sheet.cell(row, column)
            cell.border = BOX
            cell.alignment = WRAP
    sheet.append([])
    sheet.append([SIGN_LINE])
    sign = sheet.max_row
    sheet.merge_cells(f"A{sign}:{last}{sign}")
    sheet.row_dimensions[sign].height = 28
    sheet.cell(sign, 1).alignment = Alignment(vertical="bottom")
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    # Printing: landscape A4, every column on one page's width, headings on every page, page numbers.
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.print_title_rows = f"{first_heading}:{heading_rows[-1]}"
    sheet.print_options.horizontalCentered = True
    sheet.page_margins = PageMargins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    sheet.oddFooter.center.text = "第 &P 页，共 &N 页"
    sheet.freeze_panes = sheet.cell(heading_rows[-1] + 1, 1)
    return sheet


def _save(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _made(today: date) -> str:
    return f"制表日期：{today:%Y年%m月%d日}"


MONTHLY_HEADINGS = ("序号", "检查对象名称", "统一社会信用代码", "所属行政区", "抽查类别", "抽查计划", "检查日期",
                    "检查方式", "检查人员", "检查结果", "发现的问题与处理", "记录编号", "是否已公开")
MONTHLY_WIDTHS = (6, 28, 21, 10, 14, 26, 11, 10, 18, 10, 40, 18, 8)


def monthly_title(jurisdiction: Jurisdiction, year: int, month: int) -> str:
    return f"{jurisdiction.name}{year}年{month}月“双随机、一公开”情况明细表"


def monthly_file_name(jurisdiction: Jurisdiction, year: int, month: int) -> str:
    """The sheet's download: its title with the month in two digits (2026年01月), so a folder of them sorts by
    month (2026年1月 came after 2026年11月 and before 2026年2月)."""
    return f"{jurisdiction.name}{year}年{month:02d}月“双随机、一公开”情况明细表.xlsx"


def monthly_workbook(jurisdiction: Jurisdiction, year: int, month: int, today: date) -> bytes:
    """每月5日前报送的上月情况明细表: one row per inspection of the month (``reports.monthly_detail``)."""
    with translation.override(settings.LANGUAGE_CODE):
        rows = reports.monthly_detail(jurisdiction, year, month)
        book = Workbook()
        book.remove(book.active)
        problems = sum(1 for r in rows if r.outcome == "发现问题")
        subtitle = (f"报送单位：{jurisdiction.name}    检查期间：{year}年{month}月    "
                    f"共检查 {len(rows)} 家，发现问题 {problems} 家    {_made(today)}")
        _sheet(book, "情况明细表", monthly_title(jurisdiction, year, month), subtitle, [MONTHLY_HEADINGS],
               MONTHLY_WIDTHS,
               [(r.number, r.target_name, r.credit_code, r.jurisdiction, r.stratum, r.plan, r.inspected_on, r.mode,
                 r.team, r.outcome, r.problems or "—", r.record_number, "是" if r.published else "否")
                for r in rows])
        return _save(book)


def quarterly_title(jurisdiction: Jurisdiction, year: int, quarter: int) -> str:
    return f"{jurisdiction.name}{year}年第{quarter}季度“双随机、一公开”监管工作落实情况"


def _place_row(name: str, place: reports.PlaceStatus) -> list:
    row: list = [name]
    for stratum in DRAWN_STRATA:
        count = place.strata[stratum]
        row += [count.minimum, count.drawn, count.inspected, count.with_problems]
    row += [place.joint_tasks, place.joint_inspected, place.off_site, place.inspector_count, place.problems,
            place.closed, place.cases, place.penalties, place.transfers, place.months_published,
            f"{place.draws_verified}/{place.draws}", place.clue_tasks, place.clue_inspected, place.cross_tasks,
            place.cross_inspected]
    return row


def quarterly_workbook(jurisdiction: Jurisdiction, year: int, quarter: int, today: date) -> bytes:
    """4月10日、7月5日、10月11日、12月25日前报送的监管工作落实情况: a summary row per jurisdiction
    (``reports.quarterly_status``), then the months' publication and the draws' verification."""
    with translation.override(settings.LANGUAGE_CODE):
        status = reports.quarterly_status(jurisdiction, year, quarter, today)
        first, last = reports.quarter_bounds(year, quarter)
        book = Workbook()
        book.remove(book.active)
        title = quarterly_title(jurisdiction, year, quarter)
        period = (f"报送单位：{jurisdiction.name}    统计期间：{first:%Y年%m月%d日}至{last:%Y年%m月%d日}    "
                  f"{_made(today)}")
        strata = [str(Stratum(s).label) for s in DRAWN_STRATA]
        top: list[str | None] = ["行政区"]
        for label in strata:
            top += [label, None, None, None]
        top += ["内部联合抽查", None, "其中非现场检查（项）", "参加检查的执法人员（人）", "发现问题及处置（项）",
                None, None, None, None,
                "结果按期公开（月）", "抽取已验证（次）", "线索核查（不计入抽查比例）", None,
                "跨部门联合抽查（不计入抽查比例）", None]
        second: list[str | None] = [None] + ["政策最低数", "抽取", "已检查", "发现问题"] * 3
        second += ["抽取", "已检查", None, None, "发现", "已办结", "立案处罚", "作出处罚决定", "移交移送", None, None,
                   "安排", "已检查", "安排", "已检查"]
        merges = ["A0:A1", "B0:E0", "F0:I0", "J0:M0", "N0:O0", "P0:P1", "Q0:Q1", "R0:V0", "W0:W1", "X0:X1", "Y0:Z0",
                  "AA0:AB0"]
        # The city's own plans are a row of their own, beside its counties' (市本级).
        rows = [_place_row(f"{p.jurisdiction.name}（市本级）" if p.jurisdiction.level == Level.CITY
                           and len(status.places) > 1 else p.jurisdiction.name, p) for p in status.places]
        if len(status.places) > 1:
            rows.append(_place_row("合计", status.total()))
        widths = [12] + [7] * 12 + [7, 7, 9, 10, 7, 7, 7, 9, 7, 10, 10, 9, 7, 9, 7]
        _sheet(book, "落实情况", title, period, [top, second], widths, rows, merges=merges)

        _sheet(book, "结果公开", f"{title}——抽查结果公开", period,
               [("序号", "行政区", "月份", "公开期限", "公开日期", "情况")], (6, 16, 10, 14, 14, 16),
               [(n, m.jurisdiction, f"{year}年{m.month}月", m.deadline.isoformat() if m.deadline else "待录入放假安排",
                 m.released_on.isoformat() if m.released_on else "—", m.state)
                for n, m in enumerate(status.months, start=1)])
        _sheet(book, "抽取验证", f"{title}——抽取与验证", period,
               [("序号", "抽查计划", "抽取日期", "密钥是否公开", "验证结果")], (6, 46, 14, 14, 16),
               [(n, d.plan, d.drawn_on.isoformat() if d.drawn_on else "—", "是" if d.revealed else "否", d.verified)
                for n, d in enumerate(status.draws, start=1)])
        return _save(book)
