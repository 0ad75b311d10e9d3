"""Excel and CSV imports: every error by row and column, all or nothing, idempotent re-imports, speed."""

import datetime
import io
from decimal import Decimal
from urllib.parse import unquote

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from shuangsuiji.audit.models import Event
from shuangsuiji.intake.importers import IMPORTERS
from shuangsuiji.intake.models import (
    Classification,
    Clue,
    ClueStatus,
    Complaint,
    Exceedance,
    KeyUnit,
    MonitoringImport,
    Penalty,
    PositiveListEntry,
)
from shuangsuiji.intake.services import do_classify, do_import
from shuangsuiji.tabular.importing import ImportRejected

from .conftest import hour, workbook

D = datetime.date
PENALTY_HEADER = ["处罚决定书文号", "处罚决定日期", "统一社会信用代码", "单位名称", "作出处罚的科室", "违法行为",
                  "罚款金额（元）"]
READING_HEADER = ["统一社会信用代码", "排口编号", "污染物", "监测时间", "监测值", "标准限值", "单位"]


def rejected(kind, rows, user=None, **options) -> list[tuple[int, str, str]]:
    with pytest.raises(ImportRejected) as error:
        do_import(kind, workbook(rows), "file.xlsx", acting_user=user, **options)
    return [(e.row, e.column, e.message) for e in error.value.errors]


def test_penalties_import_then_reimport_changes_nothing_then_a_correction_updates(tree, users, targets):
    plant, mill = targets["plant"], targets["mill"]
    rows = [PENALTY_HEADER,
            ["涞环罚〔2021〕1号", datetime.datetime(2021, 2, 3), plant.credit_code, plant.name, "执法大队", "超标排放",
             50000],
            ["涞环罚〔2021〕2号", "2021/3/4", mill.credit_code.lower(), None, "综合执法支队", "未批先建", None]]
    result = do_import("penalties", workbook(rows), "p.xlsx", acting_user=users["county_admin"])
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    first = Penalty.objects.get(decision_number="涞环罚〔2021〕1号")
    assert (first.decided_on, first.amount, first.source) == (D(2021, 2, 3), Decimal("50000.00"), "import")
    assert Penalty.objects.get(decision_number="涞环罚〔2021〕2号").department == tree["departments"]["130600"]
    assert Event.objects.filter(action="penalty.create").count() == 2
    again = do_import("penalties", workbook(rows), "p.xlsx", acting_user=users["county_admin"])
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    rows[1][6] = 60000
    corrected = do_import("penalties", workbook(rows), "p.xlsx", acting_user=users["county_admin"])
    assert (corrected.created, corrected.updated) == (0, 1)
    assert Penalty.objects.get(decision_number="涞环罚〔2021〕1号").amount == Decimal("60000.00")
    assert Event.objects.get(action="penalty.update").changes["amount"] == ["50000.00", "60000"]


def test_every_bad_row_is_reported_by_row_and_column_and_nothing_is_stored(tree, users, targets):
    plant = targets["plant"]
    bad_code = plant.credit_code[:-1] + ("0" if plant.credit_code[-1] != "0" else "1")
    rows = [PENALTY_HEADER,
            ["涞环罚〔2021〕1号", "2021-02-03", plant.credit_code, plant.name, "执法大队", "超标排放", 1000],  # good
            ["涞环罚〔2021〕2号", "2021-02-30", bad_code, None, "执法大队", "超标排放", None],
            ["涞环罚〔2021〕3号", "2021-02-03", plant.credit_code, "别的名字", "环评科", None, -5],
            ["涞环罚〔2021〕1号", "2021-02-03", targets["other"].credit_code, None, "执法大队", "x", None]]
    errors = rejected("penalties", rows, users["county_admin"])
    assert (3, "处罚决定日期", "2021年2月没有30日") in errors
    assert any(row == 3 and column == "统一社会信用代码" and "校验码" in message for row, column, message in errors)
    assert (4, "违法行为", "必填") in errors
    assert (4, "罚款金额（元）", "应为不小于0、最多两位小数的金额（元）") in errors
    assert (5, "处罚决定书文号", "与第2行重复") in errors
    assert any(row == 5 and column == "统一社会信用代码" and "不在您的管辖范围内" in message
               for row, column, message in errors)
    assert not Penalty.objects.exists()
    assert not Event.objects.filter(action__startswith="penalty").exists()


def test_a_penalty_dated_after_today_or_before_1949_is_refused(users, targets):
    """Dates that feed the quarter's classification: a penalty dated 2099 counted as recent for years."""
    plant = targets["plant"]
    rows = [PENALTY_HEADER,
            ["涞环罚〔2021〕1号", "2099-01-01", plant.credit_code, plant.name, "执法大队", "超标排放", 1000],
            ["涞环罚〔2021〕2号", "1850-03-01", plant.credit_code, plant.name, "执法大队", "超标排放", 1000],
            ["涞环罚〔2021〕3号", "2021-02-03", plant.credit_code, plant.name, "执法大队", "超标排放", 1000]]
    errors = rejected("penalties", rows, users["county_admin"])
    assert [(row, column) for row, column, _message in errors] == [(2, "处罚决定日期"), (3, "处罚决定日期")]
    assert errors[0][2].startswith("不能晚于今天（") and errors[1][2] == "早于 1949-10-01，请核对年份"
    assert not Penalty.objects.exists()


def test_name_and_department_are_checked_against_the_registry(users, targets):
    plant = targets["plant"]
    rows = [PENALTY_HEADER,
            ["涞环罚〔2021〕3号", "2021-02-03", plant.credit_code, "别的名字", "环评科", "超标", None]]
    errors = rejected("penalties", rows, users["county_admin"])
    assert any(column == "单位名称" and plant.name in message for _row, column, message in errors)
    assert not Penalty.objects.exists()
    rows[1][3] = None
    assert rejected("penalties", rows, users["county_admin"]) == [
        (2, "作出处罚的科室", "涞水县及其上级生态环境部门没有这个科室；涞水县的科室有：执法大队")]


def test_a_missing_column_and_an_empty_file_are_reported(users):
    assert rejected("penalties", [[*PENALTY_HEADER[:-2], "罚款金额（元）"]], users["county_admin"]) == [
        (1, "违法行为", "缺少此列（请使用导入模板）")]
    assert rejected("penalties", [PENALTY_HEADER], users["county_admin"]) == [(1, "", "文件中没有数据行")]
    with pytest.raises(ImportRejected) as error:
        do_import("penalties", io.BytesIO(b"not a zip"), "x.xlsx", acting_user=users["county_admin"])
    assert "不是有效的 Excel 工作簿" in error.value.errors[0].message


@pytest.mark.parametrize("role", ["department_user", "inspector", "leader"])
def test_only_admins_import(users, targets, role):
    rows = [PENALTY_HEADER,
            ["涞环罚〔2021〕1号", "2021-02-03", targets["plant"].credit_code, None, "执法大队", "x", None]]
    with pytest.raises(PermissionDenied):
        do_import("penalties", workbook(rows), "p.xlsx", acting_user=users[role])


def test_a_county_admin_cannot_import_into_another_county(users, targets):
    other = targets["other"]
    rows = [PENALTY_HEADER, ["阜环罚〔2021〕1号", "2021-02-03", other.credit_code, None, "执法大队", "x", None]]
    errors = rejected("penalties", rows, users["county_admin"])
    assert errors == [
        (2, "统一社会信用代码", "检查对象名录库中没有该统一社会信用代码的对象，或该对象不在您的管辖范围内")]
    assert do_import("penalties", workbook(rows), "p.xlsx", acting_user=users["city_admin"]).created == 1


def test_complaints_import_with_channel_and_verification(users, targets):
    header = ["举报编号", "受理日期", "举报渠道", "统一社会信用代码", "单位名称", "举报内容", "经核实属实"]
    rows = [header, ["A-1", "2021-03-01", "12369", targets["plant"].credit_code, None, "黑烟", "是"],
            ["A-2", "2021-03-02", "微信", targets["mill"].credit_code, None, "异味", "也许"]]
    errors = rejected("complaints", rows, users["county_admin"])
    assert errors == [(3, "举报渠道", "应为以下之一：12369环保举报热线、信件、网络、来访、其他"),
                      (3, "经核实属实", "应填“是”或“否”")]
    rows[2][2], rows[2][6] = "网络", None
    do_import("complaints", workbook(rows), "c.xlsx", acting_user=users["county_admin"])
    assert list(Complaint.objects.order_by("reference").values_list("channel", "verified")) == [
        ("12369", True), ("online", False)]


def test_key_units_replace_removes_what_the_file_no_longer_lists(users, targets):
    header = ["年度", "统一社会信用代码", "单位名称", "名录名称及文号", "名录类别"]
    rows = [header, [2021, targets["plant"].credit_code, None, "2021年名录", "大气环境"],
            [2021, targets["mill"].credit_code, None, "2021年名录", "水环境"]]
    do_import("key_units", workbook(rows), "k.xlsx", acting_user=users["county_admin"])
    KeyUnit.objects.create(year=2021, target=targets["other"], directory="2021年名录")  # county B: out of scope
    smaller = rows[:2]
    kept = do_import("key_units", workbook(smaller), "k.xlsx", acting_user=users["county_admin"])
    assert (kept.removed, KeyUnit.objects.count()) == (0, 3)
    replaced = do_import("key_units", workbook(smaller), "k.xlsx", acting_user=users["county_admin"], replace=True)
    assert replaced.removed == 1
    assert set(KeyUnit.objects.values_list("target__name", flat=True)) == {targets["plant"].name, targets["other"].name}
    assert Event.objects.filter(action="keyunit.remove").count() == 1
    assert rejected("key_units", [header, ["二〇二一", targets["plant"].credit_code, None, "x", None]],
                    users["county_admin"]) == [(2, "年度", "应为四位年份，如 2021")]


def test_positive_list_periods_may_not_overlap(users, targets):
    header = ["统一社会信用代码", "单位名称", "纳入日期", "移出日期", "文号", "备注"]
    plant = targets["plant"].credit_code
    rows = [header, [plant, None, "2021-01-01", "2021-06-30", "文1", None],
            [plant, None, "2021-06-01", None, "文2", None],
            [targets["mill"].credit_code, None, "2021-05-01", "2021-04-01", "文3", None]]
    assert rejected("positive_list", rows, users["county_admin"]) == [
        (3, "纳入日期", "与第2行的期间 2021-01-01 至 2021-06-30 重叠"), (4, "移出日期", "移出日期早于纳入日期")]
    rows[2][2] = "2021-07-01"
    del rows[3]
    assert do_import("positive_list", workbook(rows), "p.xlsx", acting_user=users["county_admin"]).created == 2
    rows[1][3] = "2021-07-15"  # the first period now runs into the second one stored
    assert rejected("positive_list", rows[:2], users["county_admin"]) == [
        (2, "纳入日期", "与已登记的期间 2021-07-01 至 今 重叠")]
    assert PositiveListEntry.objects.get(start=D(2021, 1, 1)).end == D(2021, 6, 30)


def test_clues_import_as_pending_and_only_for_positive_list_targets(users, targets):
    PositiveListEntry.objects.create(target=targets["plant"], start=D(2021, 1, 1), document_number="文1")
    Complaint.objects.create(reference="A-9", received_on=D(2021, 3, 1), channel="online", target=targets["plant"],
                             content="异味")
    header = ["统一社会信用代码", "单位名称", "线索来源", "举报编号", "发现日期", "线索内容"]
    rows = [header, [targets["plant"].credit_code, None, "群众举报", "A-9", "2021-03-02", "夜间异味"],
            [targets["plant"].credit_code, None, "群众举报", None, "2021-03-03", "又有异味"],
            [targets["mill"].credit_code, None, "非现场监管发现", None, "2021-03-02", "用电异常"]]
    assert rejected("clues", rows, users["county_admin"]) == [
        (3, "举报编号", "线索来源为群众举报时必填"),
        (4, "发现日期", "该对象在这一天不在正面清单中；线索审批只适用于正面清单企业")]
    result = do_import("clues", workbook(rows[:2]), "c.xlsx", acting_user=users["county_admin"])
    clue = Clue.objects.get()
    assert (result.created, clue.status, clue.complaint.reference) == (1, ClueStatus.PENDING, "A-9")
    assert do_import("clues", workbook(rows[:2]), "c.xlsx", acting_user=users["county_admin"]).unchanged == 1


def readings(target, outlet, day, count_over, count_within, pollutant="二氧化硫", start_hour=0):
    rows = []
    for h in range(count_over + count_within):
        value = 50 if h < count_over else 20
        rows.append([target.credit_code, outlet, pollutant, hour(day, start_hour + h), value, 35, "mg/m³"])
    return rows


def test_readings_keep_exceedances_count_the_rest_and_classification_sees_the_threshold(tree, users, targets):
    plant, mill = targets["plant"], targets["mill"]
    rows = [READING_HEADER,
            *readings(plant, "DA001", D(2021, 3, 10), 4, 6),
            *readings(plant, "DA002", D(2021, 3, 10), 1, 0),
            *readings(mill, "DW001", D(2021, 3, 11), 5, 1, pollutant="化学需氧量")]
    result = do_import("exceedances", workbook(rows), "m.xlsx", acting_user=users["county_admin"])
    batch = MonitoringImport.objects.get()
    assert (batch.readings, batch.within_limit, batch.exceedances_new, batch.outlets) == (17, 7, 10, 3)
    assert batch.jurisdiction == tree["a"]
    assert result.batch == batch and Exceedance.objects.count() == 10
    do_classify(year=2021, quarter=2, jurisdiction=tree["a"], acting_user=None)
    assert Classification.objects.get(target=plant).category == "general"  # 4 + 1 over two outlets
    assert Classification.objects.get(target=mill).category == "special"  # 5 at one outlet
    again = do_import("exceedances", workbook(rows), "m.xlsx", acting_user=users["county_admin"])
    assert (again.created, again.unchanged, Exceedance.objects.count()) == (0, 10, 10)


def test_a_corrected_readings_file_updates_and_withdraws(users, targets):
    plant = targets["plant"]
    rows = [READING_HEADER, *readings(plant, "DA001", D(2021, 3, 10), 3, 0)]
    do_import("exceedances", workbook(rows), "m.xlsx", acting_user=users["county_admin"])
    rows[1][4] = 60  # corrected value, still over
    rows[2][4] = 30  # corrected below the limit
    result = do_import("exceedances", workbook(rows), "m2.xlsx", acting_user=users["county_admin"])
    batch = result.batch
    assert (batch.exceedances_updated, batch.exceedances_withdrawn, batch.exceedances_known) == (1, 1, 1)
    assert sorted(Exceedance.objects.values_list("value", flat=True)) == [Decimal("50"), Decimal("60")]
    assert len(Event.objects.get(action="monitoring.import", object_id=str(batch.pk)).changes["withdrawn"]) == 1


def test_readings_errors_by_row_and_column(users, targets):
    plant = targets["plant"]
    rows = [READING_HEADER,
            [plant.credit_code, "DA009", "二氧化硫", "2021-03-01 01:00", 50, 35, None],
            [plant.credit_code, "DA001", "二氧化硫", "昨天", "很高", 0, None],
            [plant.credit_code, "DA001", "二氧化硫", "2021-03-01 02:00", 50, 35, None],
            [plant.credit_code, "DA001", "二氧化硫", "2021-03-01 02:00", 51, 35, None],
            [targets["other"].credit_code, "DA001", "二氧化硫", "2021-03-01 02:00", 51, 35, None]]
    errors = rejected("exceedances", rows, users["county_admin"])
    assert errors[0][:2] == (2, "排口编号") and "DA009" not in errors[0][2]
    assert (3, "监测时间", "应为日期和时刻，如 2021-04-01 13:00") in errors
    assert (3, "监测值", "应为数字") in errors
    assert (3, "标准限值", "应大于0") in errors
    assert (5, "监测时间", "与第4行是同一排口、同一污染物、同一时刻") in errors
    assert errors[-1][:2] == (6, "排口编号") and "不在您的管辖范围内" in errors[-1][2]
    assert not Exceedance.objects.exists() and not MonitoringImport.objects.exists()


def test_a_reading_at_an_impossible_day_is_told_like_a_date_cell(users, targets):
    plant = targets["plant"]
    rows = [READING_HEADER, [plant.credit_code, "DA001", "二氧化硫", "2021-02-30 08:00", 50, 35, None]]
    errors = rejected("exceedances", rows, users["county_admin"])
    assert errors == [(2, "监测时间", "2021年2月没有30日")]
    assert not Exceedance.objects.exists() and not MonitoringImport.objects.exists()


def test_readings_from_a_gbk_csv(users, targets):
    text = "统一社会信用代码,排口编号,污染物,监测时间,监测值,标准限值\n" + "".join(
        f"{targets['plant'].credit_code},DA001,颗粒物,2021-03-01 {h:02d}:00,{12 + h},10\n" for h in range(5))
    result = do_import("exceedances", io.BytesIO(text.encode("gbk")), "m.csv", acting_user=users["county_admin"])
    assert (result.batch.readings, result.batch.exceedances_new) == (5, 5)


def test_a_month_of_a_county_s_hourly_readings_imports_whole(tree, users, targets):
    """60 outlets × 3 pollutants × 744 hours = 133,920 readings (the size the issue names); its time is measured by
    ``bench/import_bench.py readings``, not here."""
    from shuangsuiji.registry.models import Outlet

    plant = targets["plant"]
    Outlet.objects.bulk_create(Outlet(target=plant, code=f"DX{n:03d}") for n in range(58))
    codes = ["DA001", "DA002"] + [f"DX{n:03d}" for n in range(58)]
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(READING_HEADER)
    first = datetime.datetime(2021, 3, 1)
    for code in codes:
        for pollutant in ("二氧化硫", "氮氧化物", "颗粒物"):
            for h in range(744):
                value = 40 if (h % 97 == 0 and pollutant == "颗粒物") else 12.5
                sheet.append([plant.credit_code, code, pollutant, first + datetime.timedelta(hours=h), value, 30,
                              "mg/m³"])
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    result = do_import("exceedances", buffer, "month.xlsx", acting_user=users["county_admin"])
    assert result.batch.readings == 133_920
    assert result.batch.exceedances_new == 60 * 8 and result.batch.within_limit == 133_920 - 480


@pytest.mark.parametrize("kind", list(IMPORTERS))
def test_each_template_names_its_columns_and_is_read_back(kind):
    book = load_workbook(io.BytesIO(IMPORTERS[kind]().template()))
    headers = [cell.value for cell in book.worksheets[0][1]]
    assert headers == [column.header for column in IMPORTERS[kind].columns]
    assert book.worksheets[1].title == "填写说明"


def test_importing_the_untouched_template_explains_the_example_row(users):
    template = io.BytesIO(IMPORTERS["penalties"]().template())
    with pytest.raises(ImportRejected) as rejection:
        do_import("penalties", template, "t.xlsx", acting_user=users["county_admin"])
    assert [(e.row, e.column) for e in rejection.value.errors] == [(2, "统一社会信用代码")]


def test_the_import_page_lists_errors_and_offers_them_as_a_workbook(client, users, targets):
    client.force_login(users["county_admin"])
    rows = [PENALTY_HEADER,
            ["涞环罚〔2021〕1号", "2021-02-30", targets["plant"].credit_code, None, "执法大队", "x", None]]
    upload = workbook(rows)
    upload.name = "p.xlsx"
    page = client.post(reverse("intake:import_upload", args=["penalties"]), {"file": upload}).content.decode()
    assert "文件有 1 处错误，未导入任何数据" in page and "处罚决定日期" in page and "下载标注了错误的原文件" in page
    back = load_workbook(io.BytesIO(client.get(reverse("intake:import_errors")).content))
    assert back.active["B2"].comment.text == "2021年2月没有30日"
    listing = list(back["错误清单"].values)
    assert listing[listing.index(("行号", "列", "填写的值", "错误原因")) + 1] == (
        2, "处罚决定日期", "2021-02-30", "2021年2月没有30日")
    rows[1][1] = "2021-02-28"
    upload = workbook(rows)
    upload.name = "p.xlsx"
    response = client.post(reverse("intake:import_upload", args=["penalties"]), {"file": upload}, follow=True)
    assert "新增1条" in response.content.decode()
    assert Penalty.objects.count() == 1
    assert client.get(reverse("intake:import_errors")).status_code == 404  # nothing left to fix, nothing kept


BAD = "FFFF9999"


def _marked(cell) -> bool:
    return cell.fill.fill_type == "solid" and cell.fill.fgColor.rgb == BAD


def test_a_rejected_intake_file_comes_back_marked_and_nothing_is_stored(client, users, targets):
    plant = targets["plant"]
    bad_code = plant.credit_code[:-1] + ("0" if plant.credit_code[-1] != "0" else "1")
    rows = [PENALTY_HEADER,
            ["涞环罚〔2021〕1号", "2021-02-03", plant.credit_code, plant.name, "执法大队", "超标排放", 1000],
            ["涞环罚〔2021〕2号", "2021-02-30", bad_code, None, "执法大队", "超标排放", None],
            ["涞环罚〔2021〕3号", "2021-02-03", plant.credit_code, None, "执法大队", None, None],
            ["涞环罚〔2021〕1号", "2021-02-04", plant.credit_code, None, "执法大队", "x", None]]
    upload = workbook(rows)
    upload.name = "处罚.xlsx"
    client.force_login(users["county_admin"])
    assert client.post(reverse("intake:import_upload", args=["penalties"]), {"file": upload}).status_code == 200
    assert not Penalty.objects.exists() and not Event.objects.filter(action__startswith="penalty").exists()
    response = client.get(reverse("intake:import_errors"))
    assert unquote(response["Content-Disposition"]).endswith("''处罚（错误标注）.xlsx")
    back = load_workbook(io.BytesIO(response.content))
    data = back.worksheets[0]
    assert _marked(data["B3"]) and data["B3"].comment.text == "2021年2月没有30日"
    assert _marked(data["C3"]) and "校验码" in data["C3"].comment.text
    assert _marked(data["F4"]) and data["F4"].comment.text == "必填"
    assert _marked(data["A5"]) and data["A5"].comment.text == "与第2行重复"
    assert data["H1"].value == "错误说明" and data["H2"].value is None
    assert "处罚决定日期：2021年2月没有30日" in data["H3"].value and "统一社会信用代码：" in data["H3"].value
    assert data["H4"].value == "违法行为：必填" and data["H5"].value == "处罚决定书文号：与第2行重复"
    listing = list(back["错误清单"].values)
    assert listing[0][0] == "“处罚.xlsx”有4处错误，未导入任何数据。"
    assert len(listing) - listing.index(("行号", "列", "填写的值", "错误原因")) - 1 == 4


def test_a_rejected_csv_comes_back_as_a_marked_workbook_of_its_rows(client, users, targets):
    plant = targets["plant"]
    text = "\n".join([",".join(PENALTY_HEADER),
                      f"涞环罚〔2021〕1号,2021-02-30,{plant.credit_code},,执法大队,超标排放,0100",
                      f"涞环罚〔2021〕2号,2021-02-03,{plant.credit_code},,执法大队,超标排放,"])
    upload = io.BytesIO(text.encode("gb18030"))
    upload.name = "penalties.csv"
    client.force_login(users["county_admin"])
    assert client.post(reverse("intake:import_upload", args=["penalties"]), {"file": upload}).status_code == 200
    assert not Penalty.objects.exists()
    response = client.get(reverse("intake:import_errors"))
    assert unquote(response["Content-Disposition"]).endswith("''penalties（错误标注）.xlsx")
    back = load_workbook(io.BytesIO(response.content))
    assert back.sheetnames == ["penalties", "错误清单"]
    data = back["penalties"]
    assert [cell.value for cell in data[1]] == [*PENALTY_HEADER, "错误说明"] and data["A1"].font.bold
    assert data["G2"].value == "0100" and data["C2"].value == plant.credit_code  # the cells as the file had them
    assert _marked(data["B2"]) and data["B2"].comment.text == "2021年2月没有30日"
    assert data["H2"].value == "处罚决定日期：2021年2月没有30日" and data["H3"].value is None


def test_the_command_line_writes_the_marked_file_with_a_missing_column_noted(tmp_path, targets):
    path = tmp_path / "p.xlsx"
    path.write_bytes(workbook([PENALTY_HEADER[:5], ["X-1", "2021-02-01", targets["plant"].credit_code, None,
                                                    "执法大队"]]).getvalue())
    out = tmp_path / "marked.xlsx"
    with pytest.raises(CommandError, match="1 处错误"):
        call_command("import_intake", "penalties", str(path), "--errors-out", str(out))
    back = load_workbook(out)
    notes = [row[0] for row in back["错误清单"].values]
    assert "· 违法行为：缺少此列（请使用导入模板）" in notes
    assert back.worksheets[0]["F1"].value == "错误说明" and "违法行为" in back.worksheets[0]["F1"].comment.text
    assert not Penalty.objects.exists()


def test_the_command_line_import_fails_loudly_and_stores_nothing(tmp_path, targets, capsys):
    path = tmp_path / "p.xlsx"
    path.write_bytes(workbook([PENALTY_HEADER, ["X-1", "someday", targets["plant"].credit_code, None, "执法大队",
                                                "x", None]]).getvalue())
    with pytest.raises(CommandError, match="1 处错误"):
        call_command("import_intake", "penalties", str(path))
    assert "第2行“处罚决定日期”列（someday）：应为日期" in capsys.readouterr().err
    assert not Penalty.objects.exists()
    path.write_bytes(workbook([PENALTY_HEADER, ["X-1", "2021-02-01", targets["plant"].credit_code, None, "执法大队",
                                                "x", None]]).getvalue())
    call_command("import_intake", "penalties", str(path))
    assert Penalty.objects.count() == 1


def test_the_classify_command_reports_a_summary(tree, users, targets, capsys):
    call_command("classify", "--year", "2021", "--quarter", "2", "--jurisdiction", "130623")
    out = capsys.readouterr().out
    assert "涞水县 2021年第2季度：4 家" in out and "一般排污单位 4" in out
    with pytest.raises(CommandError, match="没有行政区划代码为 999999"):
        call_command("classify", "--year", "2021", "--quarter", "2", "--jurisdiction", "999999")
    with pytest.raises(CommandError, match="只有涞水县的管理员"):
        call_command("classify", "--year", "2021", "--quarter", "2", "--jurisdiction", "130623",
                     "--user", "other_county_admin")


def test_a_bad_date_and_a_target_outside_the_county_are_reported_in_one_upload(users, targets):
    """The row rules run on the cells that were read: a user who fixes the date meets no new error on the row."""
    other = targets["other"]
    errors = rejected("penalties", [PENALTY_HEADER,
                                    ["涞环罚〔2021〕9号", "2021-02-30", other.credit_code, None, "执法大队", "超标排放",
                                     None],
                                    ["涞环罚〔2021〕10号", "2021-02-31", targets["plant"].credit_code, None, "环评科",
                                     "超标排放", -1]],
                      users["county_admin"])
    assert (2, "处罚决定日期", "2021年2月没有30日") in errors
    assert any(row == 2 and column == "统一社会信用代码" and "不在您的管辖范围内" in message
               for row, column, message in errors)
    assert {(3, "处罚决定日期"), (3, "作出处罚的科室"), (3, "罚款金额（元）")} <= {(r, c) for r, c, _m in errors}
    assert not Penalty.objects.exists()


def test_positive_list_rules_run_beside_a_bad_cell(users, targets):
    header = ["统一社会信用代码", "单位名称", "纳入日期", "移出日期", "文号", "备注"]
    rows = [header,
            [targets["plant"].credit_code, None, "2021-03-01", "2021-01-01", "x" * 65, None],
            [targets["other"].credit_code, None, "2021-03-01", None, "文号", "y" * 300]]
    errors = rejected("positive_list", rows, users["county_admin"])
    assert {(r, c) for r, c, _m in errors} == {(2, "移出日期"), (2, "文号"), (3, "统一社会信用代码"), (3, "备注")}
    assert not PositiveListEntry.objects.exists()


def test_numbers_too_large_for_their_column_are_refused_by_cell(users, targets):
    """PostgreSQL refuses a number its column cannot hold when the row is written (SQLite keeps it): an amount
    of 1e20 yuan, a reading of 10^12, ended the import in a server error there."""
    plant = targets["plant"]
    penalties = [PENALTY_HEADER,
                 ["涞环罚〔2021〕1号", "2021-02-03", plant.credit_code, plant.name, "执法大队", "超标排放", "1e20"]]
    assert rejected("penalties", penalties, users["county_admin"]) == [
        (2, "罚款金额（元）", "数值过大：整数部分最多 12 位")]
    over = [READING_HEADER, [plant.credit_code, "DA001", "二氧化硫", hour(D(2021, 3, 10), 1), "1e12", 35, "mg/m³"],
            [plant.credit_code, "DA001", "二氧化硫", hour(D(2021, 3, 10), 2), 50, "-1e15", "mg/m³"]]
    assert [(row, column) for row, column, message in rejected("exceedances", over, users["county_admin"])
            if message == "数值过大：整数部分最多 12 位"] == [(2, "监测值"), (3, "标准限值")]
    penalties[1][6] = "999999999999.99"  # the largest the column holds goes in
    do_import("penalties", workbook(penalties), "p.xlsx", acting_user=users["county_admin"])
    assert Penalty.objects.get().amount == Decimal("999999999999.99")
    assert not Exceedance.objects.exists()


def test_one_decision_typed_with_other_brackets_is_the_same_penalty(tree, users, targets):
    """GB/T 9704 writes the year of a 文号 in 〔〕; clerks type [2021], 【2021】, （2021） and full-width digits. Each
    spelling was a penalty of its own, and the classification counted one decision twice."""
    plant = targets["plant"]
    rows = [PENALTY_HEADER,
            ["涞环罚[2021]1号", "2021-02-03", plant.credit_code, plant.name, "执法大队", "超标排放", 1000],
            ["涞环罚【２０２１】２号 ", "2021-02-04", plant.credit_code, plant.name, "执法大队", "超标排放", 1000]]
    do_import("penalties", workbook(rows), "p.xlsx", acting_user=users["county_admin"])
    stored = sorted(Penalty.objects.values_list("decision_number", flat=True))
    assert stored == ["涞环罚〔2021〕1号", "涞环罚〔2021〕2号"]
    again = [PENALTY_HEADER,
             ["涞环罚（2021）1号", "2021-02-03", plant.credit_code, plant.name, "执法大队", "超标排放", 1000]]
    result = do_import("penalties", workbook(again), "p.xlsx", acting_user=users["county_admin"])
    assert (result.created, result.unchanged) == (0, 1)
    twice = [PENALTY_HEADER,
             ["涞环罚〔2021〕3号", "2021-02-03", plant.credit_code, plant.name, "执法大队", "超标排放", 1000],
             ["涞环罚[2021]3号", "2021-02-03", plant.credit_code, plant.name, "执法大队", "超标排放", 1000]]
    assert (3, "处罚决定书文号", "与第2行重复") in rejected("penalties", twice, users["county_admin"])
