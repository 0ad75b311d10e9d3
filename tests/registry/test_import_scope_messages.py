"""A registry import's row whose key (credit code, certificate number, item code) is another jurisdiction's record.

Outside one's jurisdiction a record does not exist (DESIGN §5), but a key is unique: the row must be refused. It is
refused without saying whose it is, saying what the importer can do about it; a record he may read but not change
(the city's check items, for a county) is named as his pages name it."""

import datetime

import pytest

from shuangsuiji.engine.creditcode import complete
from shuangsuiji.registry.models import CheckItem, Inspector, Target
from shuangsuiji.registry.services import do_import_registry
from shuangsuiji.tabular.importing import ImportRejected
from tests.conftest import xlsx_upload

pytestmark = pytest.mark.django_db


def errors_of(kind: str, headers: list[str], rows: list[list], user) -> list[tuple[int, str, str]]:
    with pytest.raises(ImportRejected) as rejected:
        do_import_registry(kind, xlsx_upload([headers, *rows]), "upload.xlsx", acting_user=user)
    return [(e.row, e.column, e.message) for e in rejected.value.errors]


def nothing_of(place: str, errors: list[tuple[int, str, str]]) -> bool:
    return all(place not in message for _row, _column, message in errors)


def test_another_county_s_credit_code_is_refused_without_naming_the_county(tree, users):
    code = complete("91130624000000001")
    Target.objects.create(credit_code=code, name="阜平甲矿业有限公司", jurisdiction=tree["b"])
    errors = errors_of("targets", ["统一社会信用代码", "单位名称", "行政区划代码"],
                       [[code, "涞水甲化工有限公司", "130623"]], users["county_admin"])
    assert errors == [(2, "统一社会信用代码", "该代码已登记在其他行政区的名录库中，不能在此新增或修改；"
                                               "企业迁入本辖区的，请联系市局调整")]
    assert nothing_of("阜平", errors)
    assert Target.objects.get(credit_code=code).name == "阜平甲矿业有限公司"


def test_another_county_s_certificate_number_is_refused_without_naming_the_county(tree, users):
    Inspector.objects.create(name="王五", certificate_number="13062400009", jurisdiction=tree["b"],
                             certificate_expiry=datetime.date(2030, 1, 1), department=tree["departments"]["130624"])
    errors = errors_of("inspectors", ["姓名", "执法证号", "执法证有效期至", "行政区划代码", "科室"],
                       [["赵六", "13062400009", datetime.date(2030, 1, 1), "130623", "执法大队"]],
                       users["county_admin"])
    assert errors == [(2, "执法证号", "该执法证号已登记在其他行政区的检查人员名录库中，不能在此新增或修改；"
                                       "人员调入本辖区的，请联系市局调整")]
    assert nothing_of("阜平", errors) and nothing_of("王五", errors)
    assert Inspector.objects.get(certificate_number="13062400009").name == "王五"


ITEM_HEADERS = ["事项编码", "抽查事项", "检查依据", "检查内容", "行政区划代码", "责任科室"]


def item_row(code: str) -> list[str]:
    return [code, "污染防治设施运行情况", "《大气污染防治法》第二十条", "检查污染防治设施是否正常运行",
            "130623", "执法大队"]


def test_another_county_s_item_code_is_refused_without_naming_the_county(tree, users):
    CheckItem.objects.create(code="FP-001", name="阜平的事项", legal_basis="依据", content="内容",
                             jurisdiction=tree["b"], responsible_department=tree["departments"]["130624"])
    errors = errors_of("items", ITEM_HEADERS, [item_row("FP-001")], users["county_admin"])
    assert errors == [(2, "事项编码", "该事项编码已被其他行政区的抽查事项使用，请为本行政区的事项换用其他编码")]
    assert nothing_of("阜平", errors)


def test_the_city_s_item_which_a_county_reads_is_named_as_his_pages_name_it(tree, users):
    CheckItem.objects.create(code="BD-001", name="保定的事项", legal_basis="依据", content="内容",
                             jurisdiction=tree["city"], responsible_department=tree["departments"]["130600"])
    errors = errors_of("items", ITEM_HEADERS, [item_row("BD-001")], users["county_admin"])
    assert errors == [(2, "事项编码", "该记录属于保定市，您可以查看，但无权修改")]
    assert CheckItem.objects.get(code="BD-001").name == "保定的事项"
