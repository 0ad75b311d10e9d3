"""The annotated workbook on its own: the comment cap, a second round on an annotated file, unreadable files."""

import io

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment

from shuangsuiji.tabular.annotate import COMMENT_LIMIT, annotated_workbook
from shuangsuiji.tabular.importing import CellError, ImportRejected

BAD = "FFFF9999"


def _marked(cell) -> bool:
    return cell.fill.fill_type == "solid" and cell.fill.fgColor.rgb == BAD


def _xlsx(rows: list[list]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_only_the_first_problems_get_comments_but_every_one_is_marked_and_the_sheet_says_so():
    rows = 1200
    content = _xlsx([["编号", "日期"], *[[f"X{n}", "某天"] for n in range(rows)]])
    errors = [CellError(n, "日期", "某天", "应为日期，如 2021-04-01") for n in range(2, rows + 2)]
    back = load_workbook(io.BytesIO(annotated_workbook(content, "多.xlsx", ImportRejected(errors, 5000))))
    data = back.worksheets[0]
    cells = [row[1] for row in data.iter_rows(min_row=2)]
    assert all(_marked(cell) for cell in cells)
    assert sum(cell.comment is not None for cell in cells) == COMMENT_LIMIT == 1000
    assert cells[COMMENT_LIMIT - 1].comment is not None and cells[COMMENT_LIMIT].comment is None
    assert all(row[2].value == "日期：应为日期，如 2021-04-01" for row in data.iter_rows(min_row=2))
    notes = [row[0] for row in back["错误清单"].values]
    assert "只有前1000处错误附有批注；所有错误的单元格都已标红，并写入“错误说明”列。" in notes
    assert any(str(note).startswith("另有3800处错误未列出") for note in notes)


def test_an_annotated_file_uploaded_again_is_marked_afresh_and_the_users_own_comment_stays():
    book = Workbook()
    sheet = book.active
    sheet.append(["编号", "日期"])
    sheet.append(["A", "某天"])
    sheet.append(["B", "又一天"])
    sheet["A3"].comment = Comment("县局的备注", "张三")
    first = ImportRejected([CellError(2, "日期", "某天", "应为日期"), CellError(3, "编号", "B", "重复")])
    buffer = io.BytesIO()
    book.save(buffer)
    once = annotated_workbook(buffer.getvalue(), "a.xlsx", first)
    again = load_workbook(io.BytesIO(once))
    assert again["Sheet"]["A3"].comment.text == "县局的备注" and _marked(again["Sheet"]["A3"])
    again["Sheet"]["B2"] = "2021-01-01"  # fixed; row 3 now has a new problem
    buffer = io.BytesIO()
    again.save(buffer)
    second = ImportRejected([CellError(3, "日期", "又一天", "应为日期")])
    back = load_workbook(io.BytesIO(annotated_workbook(buffer.getvalue(), "a（错误标注）.xlsx", second)))
    data = back["Sheet"]
    assert back.sheetnames == ["Sheet", "错误清单"]
    assert [cell.value for cell in data[1]] == ["编号", "日期", "错误说明"]  # the note column reused
    assert not _marked(data["B2"]) and data["B2"].comment is None and data["C2"].value is None
    assert data["A3"].comment.text == "县局的备注" and not _marked(data["A3"])
    assert _marked(data["B3"]) and data["C3"].value == "日期：应为日期"


def test_a_file_that_cannot_be_opened_comes_back_as_the_list():
    rejected = ImportRejected([CellError(1, "", "x.xlsx", "文件不是有效的 Excel 工作簿（.xlsx）")])
    back = load_workbook(io.BytesIO(annotated_workbook(b"not a zip", "x.xlsx", rejected)))
    assert back.sheetnames == ["错误清单"]
    notes = [row[0] for row in back["错误清单"].values]
    assert "上传的文件无法打开或太大，未能在原文件上标注，下面列出全部错误。" in notes
    assert "· 文件不是有效的 Excel 工作簿（.xlsx）" in notes


def test_an_empty_sheet_and_an_empty_csv_say_so_on_the_list():
    for content, name in ((_xlsx([]), "空.xlsx"), (b"", "empty.csv")):
        rejected = ImportRejected([CellError(1, "", name, "文件是空的：第一行应为表头")])
        back = load_workbook(io.BytesIO(annotated_workbook(content, name, rejected)))
        assert back.sheetnames[1] == "错误清单" and back.active.title == "错误清单"
        notes = [row[0] for row in back["错误清单"].values]
        assert "· 文件是空的：第一行应为表头" in notes
        assert not any(str(note).startswith("出错的单元格") for note in notes)


def test_a_small_file_that_unpacks_to_gigabytes_comes_back_as_the_list(monkeypatch):
    """openpyxl holds a whole workbook in memory: a crafted .xlsx, small but declaring huge parts, is not opened."""
    from shuangsuiji.tabular import annotate

    content = _xlsx([["单位名称"], ["甲公司"]])
    monkeypatch.setattr(annotate, "UNPACKED_LIMIT", 100)  # as if this file's few kilobytes were gigabytes
    rejected = ImportRejected([CellError(2, "单位名称", "甲公司", "有误")], total=1, rows=1)
    back = load_workbook(io.BytesIO(annotated_workbook(content, "名录.xlsx", rejected)))
    assert back.sheetnames == ["错误清单"]  # the list alone, as for a file that cannot be opened
