"""Which downloads of the registry follow the reader's language, and which are written in the system's.

- A list's 导出Excel and a 下载模板 are files to fill in and import again: their columns are the import's (Chinese)
  whatever the reader's language. The template's 填写说明 is read beside those columns and says what they take, so
  it is Chinese too (an English session's read "Column", "Required?" over Chinese notes).
- The quarter's 动态管理 sheet goes to the city (按季度报送消亡企业) like the monthly and quarterly sheets of 一公开:
  written in the system's language, as its file name was already (an English session's headers said "Problem"
  over the reasons: the msgid 原因 is the import page's column of problems)."""

import datetime
import io
import re

import pytest
from openpyxl import load_workbook

from shuangsuiji.engine.creditcode import complete
from shuangsuiji.registry.excel import IMPORTERS
from shuangsuiji.registry.models import Target
from shuangsuiji.registry.services import do_mark_target_defunct, do_save
from tests.clients import signed_in

pytestmark = pytest.mark.django_db

LATIN_WORD = re.compile(r"[A-Za-z]{3,}")


def _english(user):
    client = signed_in(user)
    client.cookies["django_language"] = "en"
    return client


def _words(book) -> set[str]:
    """The cells' Latin words (English text), leaving out the codes the rows hold (GB 32100, GB/T 4754, DW001)."""
    return {word for sheet in book.worksheets for row in sheet.values for cell in row if isinstance(cell, str)
            for word in LATIN_WORD.findall(cell) if word not in {"GB", "DW", "DA", "xlsx", "csv"}}


@pytest.mark.parametrize("kind", ["targets", "inspectors", "items", "recusals"])
def test_an_english_session_exports_and_templates_with_the_import_headers(kind, tree, users):
    client = _english(users["city_admin"])
    headers = [column.header for column in IMPORTERS[kind].columns]
    export = load_workbook(io.BytesIO(client.get(f"/registry/{kind}/export.xlsx").content))
    assert list(next(export.worksheets[0].values)) == headers
    template = load_workbook(io.BytesIO(client.get(f"/registry/{kind}/template.xlsx").content))
    assert list(next(template.worksheets[0].values)) == headers
    notes = list(template["填写说明"].values)
    assert list(notes[0]) == ["列", "是否必填", "说明"]
    assert {row[1] for row in notes[1:len(headers) + 1]} <= {"必填", "选填"}
    assert notes[-1][0] == "说明"
    assert not _words(template) - {"PNG", "JPG"}, _words(template)


def test_an_english_session_downloads_the_quarter_report_in_chinese(tree, users):
    admin = users["city_admin"]
    do_save(Target(credit_code=complete("91130623000000001"), name="涞水新企业", jurisdiction=tree["a"]),
            acting_user=admin, reason="新增", effective_date=datetime.date(2021, 5, 10))
    gone = do_save(Target(credit_code=complete("91130624000000002"), name="阜平旧企业", jurisdiction=tree["b"]),
                   acting_user=admin, reason="新增", effective_date=datetime.date(2020, 1, 1))
    do_mark_target_defunct(gone, acting_user=admin, defunct_date=datetime.date(2021, 6, 1), reason="吊销")
    response = _english(admin).get("/registry/dynamic/export.xlsx", {"year": 2021, "quarter": 2})
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["新增检查对象", "消亡检查对象"]
    for sheet in book.worksheets:
        assert list(next(sheet.values)) == ["行政区", "统一社会信用代码", "单位名称", "日期", "原因"]
    assert not _words(book), _words(book)
    assert "%E5%8A%A8%E6%80%81%E8%B0%83%E6%95%B4" in response["Content-Disposition"]  # 动态调整, as before
