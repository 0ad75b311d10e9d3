"""Registry workbooks: template round trip, whole-file validation, updates with history, scope, command."""

import io
import tempfile

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from openpyxl import Workbook, load_workbook

from shuangsuiji.audit.models import Event
from shuangsuiji.engine.creditcode import complete
from shuangsuiji.registry.excel import IMPORTERS
from shuangsuiji.registry.models import CheckItem, Inspector, Specialty, Target, TargetHistory
from shuangsuiji.tabular.importing import Errors, Sheet


def workbook(rows: list[list], kind_headers: list[str]) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.append(kind_headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "upload.xlsx"
    return buffer


TARGET_HEADERS = ["统一社会信用代码", "单位名称", "行政区划代码", "监管类别", "正面清单", "排口"]


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_template_lists_the_columns_and_explains_them(users):
    response = login(users["county_admin"]).get("/registry/targets/template.xlsx")
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
    response = login(users["county_admin"]).post("/registry/targets/import/", {"file": upload})
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
    response = login(users["county_admin"]).post("/registry/targets/import/", {"file": upload})
    assert response.status_code == 400
    errors = {(e.row, e.column) for e in response.context["rejected"].errors}
    assert {(3, "统一社会信用代码"), (4, "统一社会信用代码"), (5, "单位名称"), (5, "监管类别"), (5, "正面清单"),
            (5, "排口"), (6, "行政区划代码")} <= errors
    assert not Target.objects.exists() and not Event.objects.exists()
    report = login(users["county_admin"]).get("/registry/targets/import/?download=errors")
    assert report.status_code == 200


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
    response = login(users["county_admin"]).post("/registry/targets/import/", {"file": upload})
    assert response.status_code == 400
    assert Target.objects.get(pk=other.pk).name == "阜平原企业"


@pytest.mark.parametrize("role", ["leader", "inspector", "department_user"])
def test_read_only_roles_cannot_import(users, role):
    assert login(users[role]).get("/registry/targets/import/").status_code == 403


def test_export_is_scoped_filtered_and_re_importable(tree, users):
    Target.objects.create(credit_code=complete("91130623000000001"), name="涞水甲", jurisdiction=tree["a"],
                          category="key")
    Target.objects.create(credit_code=complete("91130623000000002"), name="涞水乙", jurisdiction=tree["a"])
    Target.objects.create(credit_code=complete("91130624000000003"), name="阜平丙", jurisdiction=tree["b"])
    content = login(users["county_admin"]).get("/registry/targets/export.xlsx?category=key").content
    rows = list(load_workbook(io.BytesIO(content)).worksheets[0].values)
    assert [r[1] for r in rows[1:]] == ["涞水甲"]
    everything = login(users["county_admin"]).get("/registry/targets/export.xlsx").content
    names = {r[1] for r in list(load_workbook(io.BytesIO(everything)).worksheets[0].values)[1:]}
    assert names == {"涞水甲", "涞水乙"}
    buffer = io.BytesIO(everything)
    buffer.name = "export.xlsx"
    response = login(users["county_admin"]).post("/registry/targets/import/", {"file": buffer})
    assert response.status_code == 302
    assert not Event.objects.filter(action="target.update").exists()  # nothing changed, nothing written
    assert Event.objects.get(action="targets.import").changes["unchanged"] == [None, 2]


def test_inspectors_and_items_import(tree, users):
    Specialty.objects.create(code="radiation", name="辐射")
    inspectors = workbook([["王某", "13062300009", "2027-12-31", "130623", "执法大队", "辐射"]],
                          ["姓名", "执法证号", "执法证有效期至", "行政区划代码", "科室", "业务专长"])
    assert login(users["county_admin"]).post("/registry/inspectors/import/", {"file": inspectors}).status_code == 302
    inspector = Inspector.objects.get(certificate_number="13062300009")
    assert [s.name for s in inspector.specialties.all()] == ["辐射"]
    items = workbook(
        [["C-9", "辐射安全", "《放射性污染防治法》", "许可证", "130600", "综合执法支队", "", "重点", "辐射"]],
        ["事项编码", "抽查事项", "检查依据", "检查内容", "行政区划代码", "责任科室", "配合科室", "适用类别",
         "所需专长"])
    assert login(users["city_admin"]).post("/registry/items/import/", {"file": items}).status_code == 302
    item = CheckItem.objects.get(code="C-9")
    assert item.categories == ["key"] and item.specialty.name == "辐射"


def test_command_exits_non_zero_with_the_errors(tree, tmp_path):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(workbook([["X", "坏", "130623", "", "", ""]], TARGET_HEADERS).getvalue())
    out = tmp_path / "errors.xlsx"
    with pytest.raises(CommandError, match="1 处错误"):
        call_command("import_registry", "targets", str(path), "--errors-out", str(out), verbosity=0)
    assert list(load_workbook(out).worksheets[0].values)[1][0] == 2


def test_a_partial_sheet_never_resets_what_it_does_not_mention(tree, users):
    """Re-importing a file without the status or category columns keeps a defunct key unit as it is."""
    code = complete("91130623000000001")
    Target.objects.create(credit_code=code, name="甲公司", jurisdiction=tree["a"], category="key",
                          status="defunct", defunct_date="2021-03-01", defunct_reason="注销", positive_list=True)
    upload = workbook([[code, "甲公司（更名）", "130623"]], ["统一社会信用代码", "单位名称", "行政区划代码"])
    assert login(users["county_admin"]).post("/registry/targets/import/", {"file": upload}).status_code == 302
    target = Target.objects.get(credit_code=code)
    assert (target.name, target.category, target.status, target.positive_list) == ("甲公司（更名）", "key",
                                                                                     "defunct", True)
    assert not TargetHistory.objects.filter(target=target).exists()


def test_the_templates_example_row_is_refused(users):
    template = login(users["city_admin"]).get("/registry/items/template.xlsx").content
    upload = io.BytesIO(template)
    upload.name = "template.xlsx"
    response = login(users["city_admin"]).post("/registry/items/import/", {"file": upload})
    assert response.status_code == 400
    assert any("示例行" in e.message for e in response.context["rejected"].errors)


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
