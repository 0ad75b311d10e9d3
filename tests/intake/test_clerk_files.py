"""Files as county clerks fill them: a title merged above the table, dates and numbers typed the way people type
them, a department named the short way."""

import datetime
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from shuangsuiji.intake.models import Exceedance, Penalty
from shuangsuiji.intake.services import do_import
from shuangsuiji.registry.models import Department
from shuangsuiji.tabular.annotate import annotated_workbook
from shuangsuiji.tabular.importing import ImportRejected

from .conftest import workbook

PENALTY_HEADER = ["处罚决定书文号", "处罚决定日期", "统一社会信用代码", "单位名称", "作出处罚的科室", "违法行为",
                  "罚款金额（元）"]


def titled(rows: list[list], title: str) -> bytes:
    """The rows under a title merged across the table and a blank row, as a clerk's 台账 starts."""
    book = Workbook()
    sheet = book.active
    sheet.append([title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(rows[0]))
    sheet.append([])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_title_merged_above_the_header_is_passed_over(tree, users, targets):
    plant = targets["plant"]
    content = titled([PENALTY_HEADER, ["涞环罚〔2021〕1号", "2021-02-03", plant.credit_code, plant.name, "执法大队",
                                       "超标排放", 1000]], "涞水县2021年第一季度行政处罚台账")
    result = do_import("penalties", io.BytesIO(content), "台账.xlsx", acting_user=users["county_admin"])
    assert result.created == 1 and Penalty.objects.get().target == plant


def test_a_bad_cell_under_a_title_is_marked_where_it_is(tree, users, targets):
    plant = targets["plant"]
    content = titled([PENALTY_HEADER, ["涞环罚〔2021〕1号", "2021-02-30", plant.credit_code, plant.name, "执法大队",
                                       "超标排放", 1000]], "涞水县2021年第一季度行政处罚台账")
    with pytest.raises(ImportRejected) as error:
        do_import("penalties", io.BytesIO(content), "台账.xlsx", acting_user=users["county_admin"])
    assert [(e.row, e.column) for e in error.value.errors] == [(4, "处罚决定日期")]
    sheet = load_workbook(io.BytesIO(annotated_workbook(content, "台账.xlsx", error.value))).worksheets[0]
    assert sheet["B4"].comment.text == "2021年2月没有30日"
    assert sheet.cell(3, 8).value == "错误说明" and "处罚决定日期" in sheet.cell(4, 8).value
    assert sheet["A1"].value == "涞水县2021年第一季度行政处罚台账" and sheet["A1"].comment is None


@pytest.mark.parametrize("typed", ["2021年2月3日", "2021.2.3", "２０２１年２月３日", "2021 年 2 月 3 日",
                                   "2021-02-03 00:00:00", "２０２１．２．３"])
def test_a_day_typed_as_text_the_way_clerks_type_it(tree, users, targets, typed):
    plant = targets["plant"]
    rows = [PENALTY_HEADER, ["涞环罚〔2021〕1号", typed, plant.credit_code, plant.name, "执法大队", "超标排放", None]]
    do_import("penalties", workbook(rows), "p.xlsx", acting_user=users["county_admin"])
    assert Penalty.objects.get().decided_on == datetime.date(2021, 2, 3)


@pytest.mark.parametrize(("typed", "stored"), [("１００００", Decimal("10000")), ("5,000元", Decimal("5000")),
                                               ("１，２００．５０", Decimal("1200.50"))])
def test_a_fine_typed_in_full_width_or_with_its_unit(tree, users, targets, typed, stored):
    plant = targets["plant"]
    rows = [PENALTY_HEADER, ["涞环罚〔2021〕1号", "2021-02-03", plant.credit_code, plant.name, "执法大队", "超标排放",
                             typed]]
    do_import("penalties", workbook(rows), "p.xlsx", acting_user=users["county_admin"])
    assert Penalty.objects.get().amount == stored


def test_a_time_with_a_bare_day_at_midnight_only_and_readings_in_full_width(tree, users, targets):
    plant = targets["plant"]
    rows = [["统一社会信用代码", "排口编号", "污染物", "监测时间", "监测值", "标准限值", "单位"],
            [plant.credit_code, "DA001", "二氧化硫", "２０２１－０４－０１　１３：００", "４２．５", "３５", "mg/m³"],
            [plant.credit_code, "DA001", "二氧化硫", "2021年4月1日 14:00", "40", "35", "mg/m³"]]
    do_import("exceedances", workbook(rows), "r.xlsx", acting_user=users["county_admin"])
    assert sorted((timezone.localtime(e.measured_at).hour, e.value) for e in Exceedance.objects.all()) == [
        (13, Decimal("42.5")), (14, Decimal("40"))]
    rows = [PENALTY_HEADER, ["涞环罚〔2021〕1号", "2021-02-03 13:00", plant.credit_code, plant.name, "执法大队",
                             "超标排放", None]]
    with pytest.raises(ImportRejected) as error:
        do_import("penalties", workbook(rows), "p.xlsx", acting_user=users["county_admin"])
    assert [(e.row, e.column) for e in error.value.errors] == [(2, "处罚决定日期")]


def test_an_unknown_department_is_refused_with_the_county_s_names(tree, users, targets):
    Department.objects.create(jurisdiction=tree["a"], name="生态环境综合执法大队", code="130623-ZF")
    plant = targets["plant"]
    rows = [PENALTY_HEADER, ["涞环罚〔2021〕1号", "2021-02-03", plant.credit_code, plant.name, "综合执法队",
                             "超标排放", None]]
    with pytest.raises(ImportRejected) as error:
        do_import("penalties", workbook(rows), "p.xlsx", acting_user=users["county_admin"])
    [problem] = error.value.errors
    assert (problem.row, problem.column) == (2, "作出处罚的科室")
    assert "涞水县的科室有：" in problem.message and "生态环境综合执法大队" in problem.message
    assert "阜平县" not in problem.message and not Penalty.objects.exists()
