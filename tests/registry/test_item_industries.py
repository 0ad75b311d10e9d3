"""An item's industry scope where items are kept: the form, the item's pages, the Excel workbook and the API."""

import io

import pytest
from openpyxl import load_workbook

from shuangsuiji.audit.models import Event
from shuangsuiji.registry.models import CheckItem
from tests.clients import signed_in
from tests.conftest import xlsx_upload

ITEM_HEADERS = ["事项编码", "抽查事项", "检查依据", "检查内容", "行政区划代码", "责任科室", "适用行业"]


def item_post(tree, **changes) -> dict:
    post = {"code": "C-14", "name": "机动车排放检验机构检验行为", "legal_basis": "大气污染防治法第五十四条",
            "content": "检验行为", "jurisdiction": tree["city"].pk, "list_level": "city",
            "responsible_department": tree["departments"]["130600"].pk, "applies_general": "on",
            "check_method": "现场检查", "is_active": "on", "reason": "新增"}
    return post | changes


@pytest.fixture
def item(tree):
    return CheckItem.objects.create(code="C-16", name="自然保护地内开发建设活动情况", legal_basis="自然保护区条例",
                                    content="核心区建设", jurisdiction=tree["city"], industries="B E",
                                    responsible_department=tree["departments"]["130600"])


def test_the_form_stores_the_scope_normalised_and_the_audit_says_so(tree, users):
    client = signed_in(users["city_admin"])
    assert "industries" in client.get("/registry/items/new/").context["form"].fields
    response = client.post("/registry/items/new/", item_post(tree, industries=" m7452，M7452 "))
    assert response.status_code == 302
    item = CheckItem.objects.get(code="C-14")
    assert item.industries == "M7452"
    assert Event.objects.get(action="checkitem.create").changes["industries"] == [None, "M7452"]


@pytest.mark.parametrize(("typed", "said"), [
    ("M7452 X9", "“X9”"), ("C06", "06 大类属于 B 门类"), ("99", "没有 99 这个大类"), ("M74521", "“M74521”"),
])
def test_the_form_names_a_bad_code_and_stores_nothing(tree, users, typed, said):
    response = signed_in(users["city_admin"]).post("/registry/items/new/", item_post(tree, industries=typed))
    assert response.status_code == 200
    errors = response.context["form"].errors["industries"]
    assert any(said in e for e in errors), errors
    assert not CheckItem.objects.filter(code="C-14").exists()


def test_the_item_pages_show_the_scope_or_that_it_is_every_industry(tree, users, item):
    blank = CheckItem.objects.create(code="C-01", name="排污许可执行", legal_basis="条例", content="查许可",
                                     jurisdiction=tree["city"], responsible_department=tree["departments"]["130600"])
    client = signed_in(users["county_admin"])
    listing = client.get("/registry/items/").content.decode()
    assert "适用行业" in listing and "B E" in listing and "所有行业" in listing
    assert ("适用行业", "B E") in client.get(f"/registry/items/{item.pk}/").context["fields"]
    assert ("适用行业", "所有行业") in client.get(f"/registry/items/{blank.pk}/").context["fields"]


def test_the_api_gives_the_scope(tree, users, item):
    rows = signed_in(users["county_admin"]).get("/api/registry/items/").json()["results"]
    assert [row["industries"] for row in rows] == ["B E"]


def test_the_template_has_the_column_and_explains_it(users):
    book = load_workbook(io.BytesIO(signed_in(users["city_admin"]).get("/registry/items/template.xlsx").content))
    assert "适用行业" in [c.value for c in book.worksheets[0][1]]
    notes = {row[0]: row[2] for row in book["填写说明"].iter_rows(values_only=True)}
    assert "GB/T 4754-2017" in notes["适用行业"] and "所有行业" in notes["适用行业"]


def test_the_import_reads_the_column_and_names_a_bad_cell_by_row_and_column(tree, users):
    client = signed_in(users["city_admin"])
    rows = [["C-14", "机动车排放检验机构检验行为", "大气法", "检验行为", "130600", "综合执法支队", "m7452"],
            ["C-15", "自然保护地", "条例", "核心区", "130600", "综合执法支队", "B、E C06"],
            ["C-16", "排污许可", "条例", "许可", "130600", "综合执法支队", "Q1"]]
    response = client.post("/registry/items/import/", {"file": xlsx_upload([ITEM_HEADERS, *rows])})
    assert response.status_code == 400
    errors = {(e.row, e.column): e.message for e in response.context["rejected"].errors}
    assert set(errors) == {(3, "适用行业"), (4, "适用行业")}
    assert "“C06”" in errors[(3, "适用行业")] and "“Q1”" in errors[(4, "适用行业")]
    assert not CheckItem.objects.exists()
    rows[1][6], rows[2][6] = "B、E", ""
    response = client.post("/registry/items/import/", {"file": xlsx_upload([ITEM_HEADERS, *rows])})
    assert response.status_code == 302
    assert dict(CheckItem.objects.values_list("code", "industries")) == {"C-14": "M7452", "C-15": "B E", "C-16": ""}


def test_an_import_without_the_column_keeps_working_and_keeps_the_scope(tree, users, item):
    client = signed_in(users["city_admin"])
    rows = [["C-16", "自然保护地内开发建设活动情况（修订）", "条例", "核心区", "130600", "综合执法支队"],
            ["C-20", "新事项", "条例", "内容", "130600", "综合执法支队"]]
    response = client.post("/registry/items/import/", {"file": xlsx_upload([ITEM_HEADERS[:6], *rows])})
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.name, item.industries) == ("自然保护地内开发建设活动情况（修订）", "B E")
    assert CheckItem.objects.get(code="C-20").industries == ""


def test_export_writes_the_scope_and_所有行业_clears_it_on_the_way_back(tree, users, item):
    client = signed_in(users["city_admin"])
    CheckItem.objects.create(code="C-01", name="排污许可执行", legal_basis="条例", content="查许可",
                             jurisdiction=tree["city"], responsible_department=tree["departments"]["130600"])
    book = load_workbook(io.BytesIO(b"".join([client.get("/registry/items/export.xlsx").content])))
    sheet = book.worksheets[0]
    headers = [c.value for c in sheet[1]]
    column = headers.index("适用行业")
    assert {row[0]: row[column] for row in sheet.iter_rows(min_row=2, values_only=True)} == {
        "C-01": "所有行业", "C-16": "B E"}
    rows = [["C-16", "自然保护地内开发建设活动情况", "条例", "核心区", "130600", "综合执法支队", "所有行业"]]
    assert client.post("/registry/items/import/", {"file": xlsx_upload([ITEM_HEADERS, *rows])}).status_code == 302
    item.refresh_from_db()
    assert item.industries == ""


# --- the list's filter: the items that apply to a firm's industry ---------------------------------------------


@pytest.fixture
def scoped(tree):
    def make(code: str, industries: str) -> CheckItem:
        return CheckItem.objects.create(code=code, name=f"事项{code}", legal_basis="条例", content="查",
                                        jurisdiction=tree["city"], industries=industries,
                                        responsible_department=tree["departments"]["130600"])
    return {"paper": make("C-01", "C22"), "leather": make("C-02", "C1910 C1920"), "mining": make("C-03", "B"),
            "every": make("C-04", ""), "vehicles": make("C-05", "M7452")}


@pytest.mark.parametrize(("typed", "found"), [
    ("C1910", ["C-02", "C-04"]), ("1910", ["C-02", "C-04"]), ("ｃ１９１０", ["C-02", "C-04"]),
    (" m7452 ", ["C-04", "C-05"]), ("0610", ["C-03", "C-04"]), ("C2211", ["C-01", "C-04"]),
    ("", ["C-01", "C-02", "C-03", "C-04", "C-05"]),
])
def test_the_list_finds_the_items_that_apply_to_a_firms_industry_and_those_for_every_industry(
        tree, users, scoped, typed, found):
    response = signed_in(users["county_admin"]).get("/registry/items/", {"for_industry": typed})
    assert response.status_code == 200
    assert [obj.code for obj, _cells in response.context["rows"]] == found
    assert all(obj.applies_to("general", typed) for obj, _cells in response.context["rows"] if typed)


def test_the_export_holds_the_same_items_as_the_filtered_list(tree, users, scoped):
    response = signed_in(users["county_admin"]).get("/registry/items/export.xlsx", {"for_industry": "C1910"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    codes = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True) if row[0]]
    assert codes == ["C-02", "C-04"]


@pytest.mark.parametrize(("typed", "said"), [
    ("造纸", "“造纸”不是行业代码"), ("C19101", "“C19101”不是行业代码"), ("C19 10", "“C19 10”不是行业代码"),
    ("9910", "没有 99 这个大类"), ("C0610", "06 大类属于 B 门类"),
])
def test_a_typed_code_that_is_none_is_said_on_the_filter_and_finds_nothing(tree, users, scoped, typed, said):
    response = signed_in(users["county_admin"]).get("/registry/items/", {"for_industry": typed})
    assert response.status_code == 200
    errors = response.context["filter_form"].errors["for_industry"]
    assert any(said in e for e in errors), errors
    assert response.context["rows"] == []  # not the whole list, as if every item applied
    page = response.content.decode()
    assert 'id="id_for_industry_error"' in page and 'aria-describedby="id_for_industry_error"' in page


def test_the_filters_error_is_in_the_readers_language(tree, users, scoped):
    client = signed_in(users["county_admin"])
    client.cookies["django_language"] = "en"
    response = client.get("/registry/items/", {"for_industry": "C0610"})
    page = response.content.decode()
    assert "For industry code" in page
    assert "&quot;C0610&quot; is not a GB/T 4754 industry code: division 06 belongs to section B" in page
