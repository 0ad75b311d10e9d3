"""清单层级 follows the item's jurisdiction (实施方案 三(一): each bureau draws up its own level's list)."""

import pytest

from shuangsuiji.registry.forms import CheckItemForm
from shuangsuiji.registry.models import CheckItem
from tests.clients import signed_in
from tests.conftest import xlsx_upload

HEADERS = ["事项编码", "抽查事项", "检查依据", "检查内容", "行政区划代码", "清单层级", "责任科室"]


def _item(tree, **fields) -> CheckItem:
    values = dict(code="BD-01", name="扬尘", legal_basis="《大气污染防治法》", content="查扬尘",
                  jurisdiction=tree["city"], list_level="city", responsible_department=tree["departments"]["130600"])
    return CheckItem.objects.create(**(values | fields))


def _import(user, rows):
    return signed_in(user).post("/registry/items/import/", {"file": xlsx_upload([HEADERS, *rows])})


def test_an_item_moved_to_a_county_by_import_goes_onto_the_county_list(tree, users):
    _item(tree)
    row = ["BD-01", "扬尘", "《大气污染防治法》", "查扬尘", "130623", "", "执法大队"]
    response = _import(users["city_admin"], [row])
    assert response.status_code == 302
    item = CheckItem.objects.get(code="BD-01")
    assert (item.jurisdiction, item.list_level) == (tree["a"], "county")


def test_a_new_items_blank_level_is_its_jurisdictions(tree, users):
    response = _import(users["city_admin"], [["BD-02", "扬尘", "依据", "内容", "130623", None, "执法大队"]])
    assert response.status_code == 302
    assert CheckItem.objects.get(code="BD-02").list_level == "county"


def test_a_level_that_contradicts_the_jurisdiction_is_refused_naming_row_and_column(tree, users):
    _item(tree)
    response = _import(users["city_admin"], [
        ["BD-01", "扬尘", "《大气污染防治法》", "查扬尘", "130623", "市级", "执法大队"],
        ["BD-03", "噪声", "依据", "内容", "130600", "市级", "综合执法支队"],
    ])
    assert response.status_code == 400
    errors = {(e.row, e.column, e.value, e.message) for e in response.context["rejected"].errors}
    assert errors == {(2, "清单层级", "市级", "涞水县是县级行政区，其抽查事项属县级清单：请填县级或留空")}
    # nothing of the file is stored: the good second row waits for the first
    assert CheckItem.objects.get(code="BD-01").jurisdiction == tree["city"]
    assert not CheckItem.objects.filter(code="BD-03").exists()


@pytest.mark.parametrize(("level", "valid"), [("county", True), ("city", False)])
def test_the_items_form_holds_to_the_same_rule(tree, users, level, valid):
    item = _item(tree)
    form = CheckItemForm(
        data={"code": "BD-01", "name": "扬尘", "legal_basis": "依据", "content": "内容", "jurisdiction": tree["a"].pk,
              "list_level": level, "responsible_department": tree["departments"]["130623"].pk,
              "applies_general": "on", "check_method": "现场检查", "is_active": "on"},
        instance=item, user=users["city_admin"])
    assert form.is_valid() is valid, form.errors
    if not valid:
        assert form.errors["list_level"] == ["涞水县是县级行政区，其抽查事项属县级清单：请填县级或留空"]
