"""回避名单 by workbook: template, export and re-import, creates and updates through do_set_recusal with their
events, every kind of bad row refused with nothing imported, the marked file, scope, roles, the command."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from shuangsuiji.audit.models import Event
from shuangsuiji.engine.creditcode import complete
from shuangsuiji.registry.models import Inspector, Recusal, Target
from shuangsuiji.registry.services import do_import_registry, do_set_recusal
from shuangsuiji.tabular.importing import ImportRejected
from tests.clients import signed_in
from tests.conftest import xlsx_upload

HEADERS = ["执法证号", "统一社会信用代码", "回避理由"]


def workbook(rows: list[list], headers: list[str] = HEADERS) -> io.BytesIO:
    return xlsx_upload([headers, *rows], "回避名单.xlsx")


@pytest.fixture
def data(tree, users):
    """County A (the county admin's): inspector 张三 and two targets; county B: an inspector and a target."""
    a1 = Target.objects.create(credit_code=complete("91130623000000001"), name="涞水甲化工", jurisdiction=tree["a"])
    a2 = Target.objects.create(credit_code=complete("91130623000000002"), name="涞水乙建材", jurisdiction=tree["a"])
    b1 = Target.objects.create(credit_code=complete("91130624000000003"), name="阜平丙造纸", jurisdiction=tree["b"])
    other = Inspector.objects.create(name="李四", certificate_number="13062400001",
                                     certificate_expiry=datetime.date(2030, 1, 1), jurisdiction=tree["b"],
                                     department=tree["departments"]["130624"])
    return {"a1": a1, "a2": a2, "b1": b1, "inspector": users["inspector"].inspector, "other": other}


def errors_of(rows, user, headers=HEADERS) -> set[tuple[int, str, str]]:
    with pytest.raises(ImportRejected) as rejected:
        do_import_registry("recusals", workbook(rows, headers), "r.xlsx", acting_user=user)
    return {(e.row, e.column, e.message) for e in rejected.value.errors}


def test_the_template_has_the_columns_an_example_and_explains_them(users):
    content = signed_in(users["county_admin"]).get("/registry/recusals/template.xlsx").content
    book = load_workbook(io.BytesIO(content))
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[1]] == ["执法证号", "统一社会信用代码", "回避理由", "执法人员姓名", "单位名称"]
    assert sheet.max_row == 2 and sheet["C2"].value
    notes = [row[2] for row in book["填写说明"].values if row[2]]
    assert any("不会解除任何回避" in note for note in notes)
    assert any("导入时不读取" in note for note in notes)
    upload = io.BytesIO(content)
    upload.name = "template.xlsx"
    response = signed_in(users["county_admin"]).post("/registry/recusals/import/", {"file": upload})
    assert response.status_code == 400
    assert any("示例行" in e.message for e in response.context["rejected"].errors)


def test_a_good_file_adds_and_updates_through_the_service_and_never_removes(data, users):
    inspector = data["inspector"]
    do_set_recusal(inspector, data["a1"], acting_user=users["county_admin"], reason="曾在该单位任职")
    kept = Recusal.objects.create(inspector=inspector, target=data["a2"], reason="原有理由")
    upload = workbook([[inspector.certificate_number, data["a1"].credit_code.lower(), "近亲属在该单位任职"],
                       [" 13062300001 ", data["a2"].credit_code, "原有理由"]])
    # the a2 row repeats the stored reason: unchanged; a new pair with a new inspector of county A:
    newcomer = Inspector.objects.create(name="王五", certificate_number="13062300002",
                                        certificate_expiry=datetime.date(2030, 1, 1),
                                        jurisdiction=inspector.jurisdiction, department=inspector.department)
    book = load_workbook(upload)
    book.active.append([newcomer.certificate_number, data["a1"].credit_code, "配偶为该单位股东"])
    upload = io.BytesIO()
    book.save(upload)
    upload.seek(0)
    upload.name = "回避名单.xlsx"
    response = signed_in(users["county_admin"]).post("/registry/recusals/import/", {"file": upload})
    assert response.status_code == 302 and response["Location"] == "/registry/inspectors/"
    assert Recusal.objects.get(inspector=inspector, target=data["a1"]).reason == "近亲属在该单位任职"
    assert Recusal.objects.get(inspector=newcomer, target=data["a1"]).reason == "配偶为该单位股东"
    assert Recusal.objects.get(pk=kept.pk).reason == "原有理由"
    update = Event.objects.get(action="inspector.recusal_update")
    assert update.changes["reason"] == ["曾在该单位任职", "近亲属在该单位任职"]
    assert update.actor == users["county_admin"]
    add = Event.objects.filter(action="inspector.recusal_add").order_by("pk").last()
    assert add.changes == {"target": [None, data["a1"].credit_code]} and add.reason == "配偶为该单位股东"
    summary = Event.objects.get(action="recusals.import").changes
    assert (summary["created"], summary["updated"], summary["unchanged"]) == ([None, 1], [None, 1], [None, 1])

    # a file without a pair removes nothing
    upload = workbook([[newcomer.certificate_number, data["a1"].credit_code, "配偶为该单位股东"]])
    assert signed_in(users["county_admin"]).post("/registry/recusals/import/", {"file": upload}).status_code == 302
    assert Recusal.objects.count() == 3


def test_the_export_is_scoped_and_imports_back_unchanged(data, users):
    Recusal.objects.create(inspector=data["inspector"], target=data["a1"], reason="亲属任职")
    Recusal.objects.create(inspector=data["other"], target=data["b1"], reason="阜平的回避")
    client = signed_in(users["county_admin"])
    content = client.get("/registry/recusals/export.xlsx").content
    rows = list(load_workbook(io.BytesIO(content)).worksheets[0].values)
    assert rows == [("执法证号", "统一社会信用代码", "回避理由", "执法人员姓名", "单位名称"),
                    ("13062300001", data["a1"].credit_code, "亲属任职", "张三", "涞水甲化工")]
    city = list(load_workbook(io.BytesIO(signed_in(users["city_admin"]).get("/registry/recusals/export.xlsx").content))
                .worksheets[0].values)
    assert len(city) == 3
    filtered = signed_in(users["city_admin"]).get("/registry/recusals/export.xlsx", {"q": "李四"}).content
    assert [r[4] for r in list(load_workbook(io.BytesIO(filtered)).worksheets[0].values)[1:]] == ["阜平丙造纸"]

    # names edited in the helper columns are not read: the round trip changes nothing
    book = load_workbook(io.BytesIO(content))
    book.active["D2"], book.active["E2"] = "改过的名字", "x" * 300
    upload = io.BytesIO()
    book.save(upload)
    upload.seek(0)
    upload.name = "export.xlsx"
    events = Event.objects.count()
    assert client.post("/registry/recusals/import/", {"file": upload}).status_code == 302
    assert list(Event.objects.order_by("pk").values_list("action", flat=True)[events:]) == ["recusals.import"]
    assert Event.objects.get(action="recusals.import").changes["unchanged"] == [None, 1]
    assert Recusal.objects.get(inspector=data["inspector"]).reason == "亲属任职"


def test_every_kind_of_bad_row_is_refused_with_its_reason_and_nothing_is_imported(data, users):
    me, other = data["inspector"].certificate_number, data["other"].certificate_number
    a1, a2, b1 = data["a1"].credit_code, data["a2"].credit_code, data["b1"].credit_code
    bad_code = a1[:-1] + ("0" if a1[-1] != "0" else "1")
    errors = errors_of([
        [me, a1, "亲属任职"],  # good
        ["99999999999", a2, "亲属任职"],
        [me, complete("91130623000000099"), "亲属任职"],
        [other, a2, "亲属任职"],
        [me, b1, "亲属任职"],
        [me, a1, "又一次"],
        [me, a2, None],
        [me, bad_code, "亲属任职"],
    ], users["county_admin"])
    # another county's officer and target are answered as ones that do not exist: "不在您的管辖范围内" told a
    # county that the number and the code were registered elsewhere
    assert errors == {
        (3, "执法证号", "您管辖范围内的检查人员名录库中没有这个执法证号"),
        (4, "统一社会信用代码", "您管辖范围内的检查对象名录库中没有该统一社会信用代码的对象"),
        (5, "执法证号", "您管辖范围内的检查人员名录库中没有这个执法证号"),
        (6, "统一社会信用代码", "您管辖范围内的检查对象名录库中没有该统一社会信用代码的对象"),
        (7, "统一社会信用代码", "与第2行重复"),
        (8, "回避理由", "必填"),
        (9, "统一社会信用代码", next(m for r, c, m in errors if r == 9)),
    }
    assert "校验码" in next(m for r, c, m in errors if r == 9)
    assert not Recusal.objects.exists() and not Event.objects.exists()


def test_a_city_admin_cannot_bar_an_inspector_from_a_target_outside_his_county(data, users):
    errors = errors_of([[data["inspector"].certificate_number, data["b1"].credit_code, "亲属任职"]],
                       users["city_admin"])
    assert errors == {(2, "统一社会信用代码", "该检查对象属于阜平县，不在执法人员张三所属的涞水县内")}
    with pytest.raises(ValidationError):
        do_set_recusal(data["inspector"], data["b1"], acting_user=users["city_admin"], reason="亲属任职")
    assert not Recusal.objects.exists()


def test_a_bad_cell_and_a_rule_of_the_same_row_are_reported_together(data, users):
    """The unknown certificate number is reported beside the bad credit code of the same row."""
    bad_code = data["a1"].credit_code[:-1] + ("0" if data["a1"].credit_code[-1] != "0" else "1")
    errors = errors_of([["99999999999", bad_code, "亲属任职"]], users["county_admin"])
    assert {(row, column) for row, column, _m in errors} == {(2, "执法证号"), (2, "统一社会信用代码")}


def test_a_rejected_recusal_file_comes_back_marked(data, users):
    client = signed_in(users["county_admin"])
    upload = workbook([[data["inspector"].certificate_number, data["a1"].credit_code, "亲属任职", "张三", "涞水甲化工"],
                       [data["other"].certificate_number, data["a2"].credit_code, "亲属任职", "李四", "涞水乙建材"]],
                      [*HEADERS, "执法人员姓名", "单位名称"])
    response = client.post("/registry/recusals/import/", {"file": upload})
    assert response.status_code == 400
    page = response.content.decode()
    assert "您管辖范围内的检查人员名录库中没有这个执法证号" in page and "导入不会解除任何回避" in page
    back = load_workbook(io.BytesIO(client.get("/registry/recusals/import/?download=errors").content))
    data_sheet = back.worksheets[0]
    assert data_sheet["F1"].value == "错误说明"
    assert data_sheet["A3"].fill.fgColor.rgb == "FFFF9999" and "管辖范围" in data_sheet["A3"].comment.text
    assert data_sheet["F3"].value == "执法证号：您管辖范围内的检查人员名录库中没有这个执法证号"
    assert data_sheet["F2"].value is None
    assert "错误清单" in back.sheetnames
    assert not Recusal.objects.exists()


@pytest.mark.parametrize("role", ["leader", "inspector", "department_user"])
def test_read_only_roles_cannot_import_recusals(data, users, role):
    client = signed_in(users[role])
    assert client.get("/registry/recusals/import/").status_code == 403
    upload = workbook([[data["inspector"].certificate_number, data["a1"].credit_code, "亲属任职"]])
    assert client.post("/registry/recusals/import/", {"file": upload}).status_code == 403
    with pytest.raises(PermissionDenied):
        do_import_registry("recusals", workbook([]), "r.xlsx", acting_user=users[role])
    assert not Recusal.objects.exists()
    listing = client.get("/registry/inspectors/").content.decode()
    assert "/registry/recusals/export.xlsx" in listing and "/registry/recusals/import/" not in listing


def test_the_inspector_list_offers_the_recusal_workbooks_to_an_admin(data, users):
    listing = signed_in(users["county_admin"]).get("/registry/inspectors/", {"q": "张"}).content.decode()
    for url in ("/registry/recusals/export.xlsx?q=%E5%BC%A0", "/registry/recusals/template.xlsx",
                "/registry/recusals/import/"):
        assert url in listing


def test_the_command_imports_recusals_and_writes_the_marked_file(data, users, tmp_path):
    good = tmp_path / "good.xlsx"
    good.write_bytes(workbook([[data["inspector"].certificate_number, data["a1"].credit_code, "亲属任职"]]).getvalue())
    call_command("import_registry", "recusals", str(good), "--user", "county_admin", verbosity=0)
    assert Recusal.objects.get().reason == "亲属任职"
    assert Event.objects.get(action="inspector.recusal_add").actor == users["county_admin"]
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(workbook([[data["other"].certificate_number, data["b1"].credit_code, "亲属任职"]]).getvalue())
    out = tmp_path / "errors.xlsx"
    with pytest.raises(CommandError, match="2 处错误"):
        call_command("import_registry", "recusals", str(bad), "--user", "county_admin", "--errors-out", str(out),
                     verbosity=0)
    note = load_workbook(out).worksheets[0]["D2"].value
    assert "执法证号：您管辖范围内的检查人员名录库中没有这个执法证号" in note
    assert "统一社会信用代码：您管辖范围内的检查对象名录库中没有该统一社会信用代码的对象" in note
    call_command("import_registry", "recusals", str(bad), verbosity=0)  # the system: no scope
    assert Recusal.objects.count() == 2
