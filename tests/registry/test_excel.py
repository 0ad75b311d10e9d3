"""Registry workbooks: template round trip, whole-file validation, updates with history, scope, command."""

import datetime
import io
import tempfile
from urllib.parse import unquote

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from shuangsuiji.audit.models import Event
from shuangsuiji.engine.creditcode import complete
from shuangsuiji.registry.excel import IMPORTERS
from shuangsuiji.registry.models import CheckItem, Inspector, Specialty, Target, TargetHistory
from shuangsuiji.tabular.importing import Errors, Sheet
from tests.clients import signed_in
from tests.conftest import xlsx_upload


def workbook(rows: list[list], kind_headers: list[str]) -> io.BytesIO:
    return xlsx_upload([kind_headers, *rows])


TARGET_HEADERS = ["统一社会信用代码", "单位名称", "行政区划代码", "监管类别", "正面清单", "排口"]


def test_template_lists_the_columns_and_explains_them(users):
    response = signed_in(users["county_admin"]).get("/registry/targets/template.xlsx")
    book = load_workbook(io.BytesIO(response.content))
    headers = [c.value for c in book.worksheets[0][1]]
    assert headers[:3] == ["统一社会信用代码", "单位名称", "行政区划代码"]
    assert book.worksheets[0].max_row == 2  # the example row
    assert "填写说明" in book.sheetnames


def test_valid_file_imports_with_history_and_outlets(tree, users):
    upload = workbook([
        [complete("91130623000000001"), "涞水甲化工有限公司", "130623", "重点排污单位", "否",
         "DA001:废气:在线；DW001:废水"],
        [complete("91130623000000002"), "涞水乙建材有限公司", "涞水县", "", "是", ""],
    ], TARGET_HEADERS)
    response = signed_in(users["county_admin"]).post("/registry/targets/import/", {"file": upload})
    assert response.status_code == 302
    first = Target.objects.get(name="涞水甲化工有限公司")
    assert first.category == "key" and first.outlets.count() == 2
    assert Target.objects.get(name="涞水乙建材有限公司").positive_list
    assert TargetHistory.objects.filter(target=first, field="category", reason__startswith="Excel导入").exists()
    event = Event.objects.get(action="targets.import")
    assert event.changes["created"] == [None, 2] and event.reason == "Excel导入：upload.xlsx"


def test_any_error_imports_nothing_and_lists_every_problem(tree, users):
    good = complete("91130623000000001")
    upload = workbook([
        [good, "甲公司", "130623", "", "", ""],
        [good, "甲公司重复", "130623", "", "", ""],
        [good[:-1] + ("0" if good[-1] != "0" else "1"), "错码公司", "130623", "", "", ""],
        [complete("91130623000000003"), "", "999999", "很重要", "也许", "X:水汽"],
        [complete("91130624000000004"), "阜平公司", "130624", "", "", ""],
    ], TARGET_HEADERS)
    response = signed_in(users["county_admin"]).post("/registry/targets/import/", {"file": upload})
    assert response.status_code == 400
    errors = {(e.row, e.column) for e in response.context["rejected"].errors}
    assert {(3, "统一社会信用代码"), (4, "统一社会信用代码"), (5, "单位名称"), (5, "监管类别"), (5, "正面清单"),
            (5, "排口"), (6, "行政区划代码")} <= errors
    assert not Target.objects.exists() and not Event.objects.exists()
    report = signed_in(users["county_admin"]).get("/registry/targets/import/?download=errors")
    assert report.status_code == 200


def test_the_import_checks_an_industry_code_as_the_target_form_does(tree, users):
    """The import took any five characters as 行业代码 ("ABC" was stored, which the form's pattern refuses), and
    "C99" — no section has division 99 — though no item scope could ever match it."""
    headers = ["统一社会信用代码", "单位名称", "行政区划代码", "行业代码"]
    upload = workbook([
        [complete("91130623000000001"), "甲公司", "130623", "ABC"],
        [complete("91130623000000002"), "乙公司", "130623", "C99"],
        [complete("91130623000000003"), "丙公司", "130623", "c2614"],
    ], headers)
    response = signed_in(users["county_admin"]).post("/registry/targets/import/", {"file": upload})
    assert response.status_code == 400
    problems = {(e.row, e.column): e.message for e in response.context["rejected"].errors}
    assert set(problems) == {(2, "行业代码"), (3, "行业代码")}
    assert "GB/T 4754" in problems[(2, "行业代码")] and "没有 99 这个大类" in problems[(3, "行业代码")]
    assert not Target.objects.exists()
    fixed = workbook([[complete("91130623000000003"), "丙公司", "130623", "c2614"]], headers)
    assert signed_in(users["county_admin"]).post("/registry/targets/import/", {"file": fixed}).status_code == 302
    assert Target.objects.get(name="丙公司").industry_code == "C2614"


def test_a_closure_date_must_have_happened_and_belongs_to_a_closed_target(tree, users):
    """A closure dated 2099 (for 2009) took the target out of every draw at once; a date beside the status
    在营 was dropped without a word."""
    headers = ["统一社会信用代码", "单位名称", "行政区划代码", "状态", "注销/关停日期", "注销/关停原因"]
    later = timezone.localdate() + datetime.timedelta(days=2)
    upload = workbook([
        [complete("91130623000000001"), "甲公司", "130623", "已注销/关停", "2099-01-01", "吊销"],
        [complete("91130623000000002"), "乙公司", "130623", "在营", "2026-01-01", "停产"],
        [complete("91130623000000003"), "丙公司", "130623", "已注销/关停", "1850-03-01", "吊销"],
        [complete("91130623000000004"), "丁公司", "130623", "已注销/关停", later.isoformat(), "吊销"],
        [complete("91130623000000005"), "戊公司", "130623", "已注销/关停", "2021-03-01", "吊销"],
    ], headers)
    response = signed_in(users["county_admin"]).post("/registry/targets/import/", {"file": upload})
    assert response.status_code == 400
    errors = {(e.row, e.column): e.message for e in response.context["rejected"].errors}
    assert errors[(2, "注销/关停日期")].startswith("不能晚于今天")
    assert errors[(3, "注销/关停日期")].startswith("状态为在营时不填注销/关停日期和原因")
    assert errors[(4, "注销/关停日期")] == "早于 1949-10-01，请核对年份"
    assert errors[(5, "注销/关停日期")].startswith("不能晚于今天")
    assert (6, "注销/关停日期") not in errors
    assert not Target.objects.exists()


def test_reimport_updates_by_key_and_records_the_change(tree, users):
    code = complete("91130623000000001")
    call_command("import_registry", "targets", _save(workbook([[code, "甲公司", "130623", "", "", ""]],
                                                               TARGET_HEADERS)), verbosity=0)
    call_command("import_registry", "targets", _save(workbook([[code, "甲公司", "130623", "特殊监管对象", "", ""]],
                                                               TARGET_HEADERS)), verbosity=0)
    target = Target.objects.get(credit_code=code)
    assert target.category == "special" and Target.objects.count() == 1
    change = TargetHistory.objects.get(target=target, field="category", new_value="special")
    assert change.old_value == "general"


def _save(buffer: io.BytesIO) -> str:
    with tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False) as handle:
        handle.write(buffer.getvalue())
    return handle.name


def test_county_cannot_import_into_another_county_or_overwrite_its_rows(tree, users):
    other = Target.objects.create(credit_code=complete("91130624000000009"), name="阜平原企业", jurisdiction=tree["b"])
    upload = workbook([[other.credit_code, "改名", "130623", "", "", ""]], TARGET_HEADERS)
    response = signed_in(users["county_admin"]).post("/registry/targets/import/", {"file": upload})
    assert response.status_code == 400
    assert Target.objects.get(pk=other.pk).name == "阜平原企业"


@pytest.mark.parametrize("kind", sorted(IMPORTERS))
@pytest.mark.parametrize("role", ["leader", "inspector", "department_user"])
def test_read_only_roles_cannot_import(users, role, kind):
    assert signed_in(users[role]).get(f"/registry/{kind}/import/").status_code == 403
    assert signed_in(users[role]).get(f"/registry/{kind}/template.xlsx").status_code == 200
    assert signed_in(users[role]).get(f"/registry/{kind}/export.xlsx").status_code == 200


@pytest.mark.parametrize("kind", sorted(IMPORTERS))
@pytest.mark.parametrize("role", ["city_admin", "county_admin"])
def test_admins_open_every_import(users, role, kind):
    assert signed_in(users[role]).get(f"/registry/{kind}/import/").status_code == 200


def test_the_inspectors_export_gives_phone_numbers_only_to_those_who_keep_the_registry(tree, users):
    """An officer's phone is for the admins who keep the registry and for himself: his page hides it from everyone
    else and the API never shows it, but the list's export wrote every officer's phone for any reader — a leader,
    a department user, any officer for all his colleagues."""
    own = users["inspector"].inspector
    own.phone = "13800000001"
    own.save()
    Inspector.objects.create(name="李四", certificate_number="13062300002", jurisdiction=tree["a"],
                             department=tree["departments"]["130623"], certificate_expiry=datetime.date(2030, 1, 1),
                             phone="13800000002")

    def phones(role: str) -> set[str]:
        response = signed_in(users[role]).get("/registry/inspectors/export.xlsx")
        assert response.status_code == 200
        rows = list(load_workbook(io.BytesIO(response.content)).worksheets[0].values)
        column = rows[0].index("联系电话")
        return {row[column] for row in rows[1:] if row[column]}

    assert phones("leader") == set()
    assert phones("department_user") == set()
    assert phones("inspector") == {"13800000001"}  # his own, as on his page
    assert phones("county_admin") == {"13800000001", "13800000002"}  # the keepers' export imports back whole
    assert phones("city_admin") == {"13800000001", "13800000002"}


def test_export_is_scoped_filtered_and_re_importable(tree, users):
    Target.objects.create(credit_code=complete("91130623000000001"), name="涞水甲", jurisdiction=tree["a"],
                          category="key")
    Target.objects.create(credit_code=complete("91130623000000002"), name="涞水乙", jurisdiction=tree["a"])
    Target.objects.create(credit_code=complete("91130624000000003"), name="阜平丙", jurisdiction=tree["b"])
    content = signed_in(users["county_admin"]).get("/registry/targets/export.xlsx?category=key").content
    rows = list(load_workbook(io.BytesIO(content)).worksheets[0].values)
    assert [r[1] for r in rows[1:]] == ["涞水甲"]
    everything = signed_in(users["county_admin"]).get("/registry/targets/export.xlsx").content
    names = {r[1] for r in list(load_workbook(io.BytesIO(everything)).worksheets[0].values)[1:]}
    assert names == {"涞水甲", "涞水乙"}
    buffer = io.BytesIO(everything)
    buffer.name = "export.xlsx"
    response = signed_in(users["county_admin"]).post("/registry/targets/import/", {"file": buffer})
    assert response.status_code == 302
    assert not Event.objects.filter(action="target.update").exists()  # nothing changed, nothing written
    assert Event.objects.get(action="targets.import").changes["unchanged"] == [None, 2]


def test_inspectors_and_items_import(tree, users):
    Specialty.objects.create(code="radiation", name="辐射")
    inspectors = workbook([["王某", "13062300009", "2027-12-31", "130623", "执法大队", "辐射"]],
                          ["姓名", "执法证号", "执法证有效期至", "行政区划代码", "科室", "业务专长"])
    response = signed_in(users["county_admin"]).post("/registry/inspectors/import/", {"file": inspectors})
    assert response.status_code == 302
    inspector = Inspector.objects.get(certificate_number="13062300009")
    assert [s.name for s in inspector.specialties.all()] == ["辐射"]
    items = workbook(
        [["C-9", "辐射安全", "《放射性污染防治法》", "许可证", "130600", "综合执法支队", "", "重点", "辐射"]],
        ["事项编码", "抽查事项", "检查依据", "检查内容", "行政区划代码", "责任科室", "配合科室", "适用类别",
         "所需专长"])
    assert signed_in(users["city_admin"]).post("/registry/items/import/", {"file": items}).status_code == 302
    item = CheckItem.objects.get(code="C-9")
    assert item.categories == ["key"] and item.specialty.name == "辐射"


def test_a_partial_sheet_never_resets_what_it_does_not_mention(tree, users):
    """Re-importing a file without the status or category columns keeps a defunct key unit as it is."""
    code = complete("91130623000000001")
    Target.objects.create(credit_code=code, name="甲公司", jurisdiction=tree["a"], category="key",
                          status="defunct", defunct_date="2021-03-01", defunct_reason="注销", positive_list=True)
    upload = workbook([[code, "甲公司（更名）", "130623"]], ["统一社会信用代码", "单位名称", "行政区划代码"])
    assert signed_in(users["county_admin"]).post("/registry/targets/import/", {"file": upload}).status_code == 302
    target = Target.objects.get(credit_code=code)
    assert (target.name, target.category, target.status, target.positive_list) == ("甲公司（更名）", "key",
                                                                                     "defunct", True)
    assert not TargetHistory.objects.filter(target=target).exists()


@pytest.mark.parametrize("kind", sorted(IMPORTERS))
def test_the_templates_example_row_is_refused(users, kind):
    """As that, and not as a bad cell: every example key is a valid one (a credit code with its check digit)."""
    template = signed_in(users["city_admin"]).get(f"/registry/{kind}/template.xlsx").content
    upload = io.BytesIO(template)
    upload.name = "template.xlsx"
    response = signed_in(users["city_admin"]).post(f"/registry/{kind}/import/", {"file": upload})
    assert response.status_code == 400
    assert any("示例行" in e.message for e in response.context["rejected"].errors)


@pytest.mark.parametrize("today", [datetime.date(2026, 12, 3), datetime.date(2031, 12, 31)])
def test_the_inspectors_templates_example_certificate_is_never_expired(users, monkeypatch, today):
    """The example 执法证有效期至 was a fixed 2026-12-31: from 2027 on the template's own example row showed an
    expired certificate. It is now the end of the year after next, so more than a year on from any day."""
    monkeypatch.setattr("shuangsuiji.registry.excel.localdate", lambda: today)
    template = signed_in(users["city_admin"]).get("/registry/inspectors/template.xlsx").content
    sheet = load_workbook(io.BytesIO(template)).worksheets[0]
    column = [c.value for c in sheet[1]].index("执法证有效期至")
    example = sheet[2][column]
    assert isinstance(example.value, datetime.datetime) and example.number_format == "yyyy-mm-dd"
    assert example.value.date() == datetime.date(today.year + 2, 12, 31)


def test_a_real_officer_with_the_examples_certificate_number_comes_back_through_export_and_import(tree, users):
    """The inspectors' example certificate number (13060800001) is one a real officer can hold (the demo's first
    officer of 清苑区 does): his row of the registry's own export was refused as "the template's example row"."""
    Inspector.objects.create(name="宋芳军", certificate_number="13060800001", jurisdiction=tree["a"],
                             department=tree["departments"]["130623"],
                             certificate_expiry=datetime.date.today() + datetime.timedelta(days=400))
    admin = signed_in(users["city_admin"])
    export = admin.get("/registry/inspectors/export.xlsx")
    assert export.status_code == 200
    upload = io.BytesIO(export.content)
    upload.name = "export.xlsx"
    response = admin.post("/registry/inspectors/import/", {"file": upload})
    assert response.status_code == 302, [e.message for e in response.context["rejected"].errors]
    assert Inspector.objects.get(certificate_number="13060800001").name == "宋芳军"


# --- the rejected file comes back marked ------------------------------------------------------------------------

BAD = "FFFF9999"


def _comment(cell) -> str:
    return cell.comment.text if cell.comment is not None else ""


def _marked(cell) -> bool:
    return cell.fill.fill_type == "solid" and cell.fill.fgColor.rgb == BAD


def test_a_rejected_upload_comes_back_as_the_same_workbook_with_every_problem_marked(tree, users):
    """Bad credit code, bad date, a duplicate key, a required cell left blank, a rule on a column the file does
    not have: each on its cell (red, with a comment) and on its row's 错误说明; the uploader's other sheet and
    formatting stay; the fixed file goes in as it is."""
    good, second = complete("91130623000000001"), complete("91130623000000002")
    bad_code = good[:-1] + ("0" if good[-1] != "0" else "1")
    headers = ["统一社会信用代码", "单位名称", "行政区划代码", "状态", "注销/关停日期"]
    book = Workbook()
    sheet = book.active
    sheet.title = "我县名录"
    sheet.append(headers)
    for row in ([good, "甲公司", "130623", "在营", None],
                [bad_code, "错码公司", "130623", "在营", None],
                [second, "乙公司", "130623", "已注销/关停", "2021-02-30"],
                [good, "甲公司重复", "130623", "在营", None],
                [complete("91130623000000003"), None, "130623", "在营", None]):
        sheet.append(row)
    sheet["A1"].font = Font(bold=True, color="FF0000FF")
    sheet.column_dimensions["B"].width = 33
    book.create_sheet("备注").append(["县局自己的说明"])
    upload = io.BytesIO()
    book.save(upload)
    upload.seek(0)
    upload.name = "清苑区名录.xlsx"
    client = signed_in(users["county_admin"])
    assert client.post("/registry/targets/import/", {"file": upload}).status_code == 400
    assert not Target.objects.exists() and not Event.objects.exists()

    response = client.get("/registry/targets/import/?download=errors")
    assert response.status_code == 200
    assert unquote(response["Content-Disposition"]).endswith("清苑区名录（错误标注）.xlsx")
    back = load_workbook(io.BytesIO(response.content), rich_text=False)
    assert back.sheetnames == ["我县名录", "错误清单", "备注"]
    assert back.active.title == "我县名录"
    data = back["我县名录"]
    assert data["A1"].font.bold and data["A1"].font.color.rgb == "FF0000FF"  # the uploader's formatting
    assert data.column_dimensions["B"].width == 33
    assert back["备注"]["A1"].value == "县局自己的说明"
    assert data["F1"].value == "错误说明"

    assert _marked(data["A3"]) and "校验码" in _comment(data["A3"])
    assert data["A3"].comment.author == "导入检查"
    assert _marked(data["E4"]) and _comment(data["E4"]) == "2021年2月没有30日"
    assert _marked(data["A5"]) and _comment(data["A5"]) == "与第2行重复"
    assert _marked(data["B6"]) and _comment(data["B6"]) == "必填"
    assert not any(_marked(cell) or cell.comment for cell in data[2])  # the good row
    assert data["F2"].value is None
    assert data["F3"].value.startswith("统一社会信用代码：") and "校验码" in data["F3"].value
    assert data["F4"].value == "注销/关停日期：2021年2月没有30日"
    assert data["F5"].value == "统一社会信用代码：与第2行重复"
    assert data["F6"].value == "单位名称：必填"

    listing = back["错误清单"]
    rows = list(listing.values)
    assert rows[0][0] == "“清苑区名录.xlsx”有4处错误，未导入任何数据。"
    table = rows.index(("行号", "列", "填写的值", "错误原因"))
    assert [row[:2] for row in rows[table + 1:]] == [(3, "统一社会信用代码"), (4, "注销/关停日期"),
                                                     (5, "统一社会信用代码"), (6, "单位名称")]
    assert listing.cell(table + 2, 1).hyperlink.location == "'我县名录'!A3"

    # Fixed in place and uploaded again: the note column is ignored and the file goes in.
    data["A3"], data["E4"], data["A5"], data["B6"] = (complete("91130623000000004"), "2021-02-28",
                                                      complete("91130623000000005"), "丙公司")
    fixed = io.BytesIO()
    back.save(fixed)
    fixed.seek(0)
    fixed.name = "清苑区名录（错误标注）.xlsx"
    assert client.post("/registry/targets/import/", {"file": fixed}).status_code == 302
    assert Target.objects.count() == 5
    assert client.get("/registry/targets/import/?download=errors").status_code == 200  # the page: nothing kept
    assert "tabular-rejected-upload" not in client.session


def test_a_missing_column_and_a_rule_on_an_absent_column_are_explained(tree, users):
    upload = workbook([[complete("91130623000000001"), "130623"]], ["统一社会信用代码", "行政区划代码"])
    client = signed_in(users["county_admin"])
    assert client.post("/registry/targets/import/", {"file": upload}).status_code == 400
    back = load_workbook(io.BytesIO(client.get("/registry/targets/import/?download=errors").content))
    assert back.active.title == "错误清单"  # nothing to see on the data sheet: the note comes first
    notes = [row[0] for row in back["错误清单"].values]
    assert "不属于任何数据行的问题：" in notes and "· 单位名称：缺少此列（请使用导入模板）" in notes
    header = back.worksheets[0]["C1"]
    assert header.value == "错误说明" and "单位名称：缺少此列" in header.comment.text

    upload = workbook([[complete("91130623000000001"), "甲公司", "130623", "已注销/关停"]],
                      ["统一社会信用代码", "单位名称", "行政区划代码", "状态"])
    assert client.post("/registry/targets/import/", {"file": upload}).status_code == 400
    data = load_workbook(io.BytesIO(client.get("/registry/targets/import/?download=errors").content)).worksheets[0]
    assert data["E2"].value == "注销/关停日期（文件中没有此列）：状态为已注销/关停时必填"
    assert not any(_marked(cell) for cell in data[2][:4])
    assert not Target.objects.exists()


def test_the_command_writes_the_annotated_original(tree, tmp_path):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(workbook([["X", "坏", "130623", "", "", ""]], TARGET_HEADERS).getvalue())
    out = tmp_path / "errors.xlsx"
    with pytest.raises(CommandError, match="1 处错误"):
        call_command("import_registry", "targets", str(path), "--errors-out", str(out), verbosity=0)
    back = load_workbook(out)
    assert back.sheetnames == ["Sheet", "错误清单"]
    assert _marked(back["Sheet"]["A2"]) and back["Sheet"]["G2"].value.startswith("统一社会信用代码：")
    assert not Target.objects.exists()


def test_the_shared_importer_keeps_no_count_of_its_own(tree):
    """IMPORTERS holds one importer per kind for every request: each run's count is its own Sheet's."""
    importer = IMPORTERS["targets"]
    rows = [[complete(f"9113062300000000{n}"), f"公司{n}", "130623", "", "", ""] for n in range(1, 4)]
    long = Sheet(workbook(rows, TARGET_HEADERS), "a.xlsx", importer.columns, Errors())
    short = Sheet(workbook(rows[:1], TARGET_HEADERS), "b.xlsx", importer.columns, Errors())
    first, second = importer.chunks(long, None), importer.chunks(short, None)
    next(first)
    list(second)  # a second import runs to its end while the first is under way
    list(first)
    assert (long.rows, short.rows) == (3, 1)
    assert not hasattr(importer, "rows_read")


# --- the row rules run on the cells that were read ---------------------------------------------------------------


def test_a_bad_date_and_a_target_outside_the_county_are_reported_in_one_upload(tree, users):
    headers = ["统一社会信用代码", "单位名称", "行政区划代码", "经度", "状态", "注销/关停日期", "联系电话"]
    upload = workbook([
        [complete("91130623000000001"), "甲公司", "130624", None, "已注销/关停", "2021-02-30", "0312-1234567"],
        [complete("91130623000000002"), "乙公司", "130623", "东经115度", "已注销/关停", None, "无"],
        ["X", "丙公司", "130623", None, "已注销/关停", None, None],
    ], headers)
    response = signed_in(users["county_admin"]).post("/registry/targets/import/", {"file": upload})
    assert response.status_code == 400
    errors = {(e.row, e.column, e.message) for e in response.context["rejected"].errors}
    assert (2, "注销/关停日期", "2021年2月没有30日") in errors
    assert (2, "行政区划代码", "没有这个行政区划代码或名称，或它不在您的管辖范围内") in errors
    assert (3, "经度", "应为数字") in errors and (3, "注销/关停日期", "状态为已注销/关停时必填") in errors
    assert (3, "联系电话", "电话号码只能由数字、空格、+、-、括号组成，分机号用“转”连接") in errors
    # without a readable credit code a blank date may be the stored target's: that rule waits for the code
    assert {(row, column) for row, column, _m in errors if row == 4} == {(4, "统一社会信用代码")}
    assert not Target.objects.exists()


def test_an_inspectors_bad_date_and_unknown_department_are_reported_together(tree, users):
    upload = workbook([["王某", "13062300009", "2027-02-30", "130623", "环评科", "火星学"]],
                      ["姓名", "执法证号", "执法证有效期至", "行政区划代码", "科室", "业务专长"])
    response = signed_in(users["county_admin"]).post("/registry/inspectors/import/", {"file": upload})
    assert response.status_code == 400
    errors = {(e.row, e.column, e.message) for e in response.context["rejected"].errors}
    # the errors name what there is (the county's departments), or that there is none yet and where it is made
    assert errors == {(2, "执法证有效期至", "2027年2月没有30日"), (2, "科室", "涞水县没有这个科室，现有：执法大队"),
                      (2, "业务专长", "未知的业务专长：系统中还没有业务专长，请超级管理员先在管理后台录入")}
    assert not Inspector.objects.filter(certificate_number="13062300009").exists()


def test_an_unknown_specialty_or_department_is_told_with_those_there_are(tree, users):
    """The first import of a bureau: whoever fills in the workbook learns the names from the error, not by a search."""
    Specialty.objects.create(code="air", name="大气")
    Specialty.objects.create(code="water", name="水")
    tree["b"].departments.all().delete()
    inspectors = workbook([["王某", "13062300009", "2027-12-31", "130623", "执法大队", "噪声"],
                           ["李某", "13062400010", "2027-12-31", "130624", "执法大队", "air"]],
                          ["姓名", "执法证号", "执法证有效期至", "行政区划代码", "科室", "业务专长"])
    response = signed_in(users["city_admin"]).post("/registry/inspectors/import/", {"file": inspectors})
    assert response.status_code == 400
    errors = {(e.row, e.column, e.message) for e in response.context["rejected"].errors}
    assert errors == {(2, "业务专长", "未知的业务专长，现有：大气、水"),
                      (3, "科室", "阜平县还没有科室：请先在“更多 → 科室”中新增")}
    items = workbook([["C-9", "噪声", "《噪声污染防治法》", "夜间施工", "130600", "综合执法支队", "噪声"]],
                     ["事项编码", "抽查事项", "检查依据", "检查内容", "行政区划代码", "责任科室", "所需专长"])
    response = signed_in(users["city_admin"]).post("/registry/items/import/", {"file": items})
    assert [(e.column, e.message) for e in response.context["rejected"].errors] == [
        ("所需专长", "未知的业务专长，现有：大气、水")]
    assert not Inspector.objects.filter(certificate_number__in=["13062300009", "13062400010"]).exists()
    assert not CheckItem.objects.filter(code="C-9").exists()


def test_a_row_with_a_bad_cell_is_never_planned(tree):
    """The rules see the row; the plan never does (a bad cell is absent from its values, not None)."""
    importer = IMPORTERS["targets"]
    errors = Errors()
    sheet = Sheet(workbook([[complete("91130623000000001"), "甲公司", "130623", "", "", "X:水汽"]], TARGET_HEADERS),
                  "a.xlsx", importer.columns, errors)
    plans = list(importer.chunks(sheet, None))
    assert [e.column for e in errors.items] == ["排口"]
    assert not any(plan.create or plan.update for plan in plans)


def test_an_english_session_exports_files_that_import_back_unchanged(tree, users):
    """The sheets are the templates' (Chinese columns, Chinese labels) whatever the interface language: an
    English session's export once read "Key unit", "Active" and "DW001:Water", which the import refused."""
    from shuangsuiji.registry.models import Outlet

    key = Target.objects.create(credit_code=complete("91130623000000001"), name="涞水甲", jurisdiction=tree["a"],
                                category="key")
    Outlet.objects.create(target=key, code="DW001", kind=Outlet.Kind.WATER, online_monitored=True)
    Inspector.objects.create(name="王某", certificate_number="13062300009", jurisdiction=tree["a"],
                             department=tree["departments"]["130623"], status="on_leave",
                             certificate_expiry=datetime.date(2030, 1, 1))
    client = signed_in(users["county_admin"])
    client.cookies["django_language"] = "en"
    for kind in ("targets", "inspectors"):
        content = client.get(f"/registry/{kind}/export.xlsx").content
        rows = list(load_workbook(io.BytesIO(content)).worksheets[0].values)
        cells = {str(cell) for row in rows for cell in row if cell is not None}
        assert cells.isdisjoint({"Key unit", "Active", "On leave", "DW001:Water:在线"}), cells
        buffer = io.BytesIO(content)
        buffer.name = f"{kind}.xlsx"
        response = client.post(f"/registry/{kind}/import/", {"file": buffer})
        assert response.status_code == 302, response.content.decode()[:2000]
        assert Event.objects.filter(action=f"{kind}.import").get().changes["unchanged"] == [None, len(rows) - 1]
    assert {"重点排污单位", "DW001:废水:在线"} <= {str(c) for row in load_workbook(io.BytesIO(
        client.get("/registry/targets/export.xlsx").content)).worksheets[0].values for c in row}
    assert not Event.objects.filter(action__in=["target.update", "inspector.update"]).exists()


def test_a_wrong_label_is_explained_with_the_labels_the_sheet_accepts_in_any_language(tree, users):
    upload = workbook([[complete("91130623000000001"), "涞水甲", "130623", "Key unit", "否", ""]], TARGET_HEADERS)
    client = signed_in(users["county_admin"])
    client.cookies["django_language"] = "en"
    page = client.post("/registry/targets/import/", {"file": upload}).content.decode()
    assert "重点排污单位" in page and "Key unit、" not in page
    assert not Target.objects.exists()
