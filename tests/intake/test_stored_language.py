"""What intake stores is in the system's language (Chinese) when an English-speaking user acts: a classification
run's warnings, the reasons and evidence of the history it writes, the reasons of imported and entered rows."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from shuangsuiji.audit.models import Event
from shuangsuiji.intake.models import Classification, Complaint, Exceedance
from shuangsuiji.intake.services import do_classify, do_import, do_record_exceedance, do_record_penalty
from shuangsuiji.registry.models import TargetHistory

from .conftest import hour, workbook

pytestmark = pytest.mark.django_db
D = datetime.date


def test_a_classification_run_in_english_stores_warnings_reasons_and_evidence_in_chinese(tree, users, targets):
    plant, shop = targets["plant"], targets["shop"]
    shop.positive_list = True  # not on the list for the quarter: the run takes it off, with a reason
    shop.save()
    Complaint.objects.create(reference="A-1", received_on=D(2021, 3, 1), channel="12369", target=plant, content="黑烟")
    with translation.override("en"):
        run = do_classify(year=2021, quarter=2, jurisdiction=tree["a"], acting_user=users["county_admin"])
    assert run.warnings[0] == "尚未录入任何年度的重点排污单位名录：本次没有对象归为重点排污单位"
    assert run.warnings[1].endswith("没有在线监测数据导入记录：超标次数可能不全")
    labels = [e["label"] for r in Classification.objects.get(target=plant).reasons for e in r["evidence"]]
    assert "A-1（2021-03-01，未核实或不属实）" in labels
    history = TargetHistory.objects.get(target=shop, field="positive_list")
    assert history.reason == "2021年第2季度分类：2021-04-01 不在正面清单中"
    assert Event.objects.get(action="classification.run").reason.startswith("按")


def test_imports_in_english_give_their_reasons_in_chinese(users, targets):
    header = ["年度", "统一社会信用代码", "单位名称", "名录名称及文号", "名录类别"]
    rows = [header, [2021, targets["plant"].credit_code, None, "2021年名录", "大气环境"],
            [2021, targets["mill"].credit_code, None, "2021年名录", "水环境"]]
    reading = [targets["plant"].credit_code, "DA001", "二氧化硫", hour(D(2021, 3, 10), 1), 50, 35, "mg/m³"]
    readings = [["统一社会信用代码", "排口编号", "污染物", "监测时间", "监测值", "标准限值", "单位"], reading]
    with translation.override("en"):
        do_import("key_units", workbook(rows), "k.xlsx", acting_user=users["county_admin"])
        do_import("key_units", workbook(rows[:2]), "k.xlsx", acting_user=users["county_admin"], replace=True)
        do_import("exceedances", workbook(readings), "m.xlsx", acting_user=users["county_admin"])
    assert set(Event.objects.filter(action="keyunit.create").values_list("reason", flat=True)) == {"Excel导入：k.xlsx"}
    assert Event.objects.get(action="keyunit.remove").reason == "替换导入名录：k.xlsx"
    assert Event.objects.get(action="monitoring.import").reason == "导入在线监测数据：m.xlsx"


def test_rows_entered_in_english_give_their_reasons_in_chinese(tree, users, targets):
    plant = targets["plant"]
    with translation.override("en"):
        do_record_penalty(target=plant, decision_number="涞环罚〔2021〕3号", decided_on=D(2021, 3, 15),
                          department=tree["departments"]["130623"], violation="超标排放",
                          acting_user=users["county_admin"])
        do_record_exceedance(Exceedance(outlet=plant.outlets.get(code="DA001"), pollutant="二氧化硫",
                                        measured_at=timezone.now(), value=Decimal("80"), limit=Decimal("35")),
                             acting_user=users["county_admin"])
    assert Event.objects.get(action="penalty.create").reason == "录入行政处罚决定"
    assert Event.objects.get(action="exceedance.create").reason == "手工录入在线监测超标数据"


def test_a_key_unit_listed_on_the_english_page_gives_its_reason_in_chinese(users, targets):
    client = Client()
    client.force_login(users["county_admin"])
    client.cookies["django_language"] = "en"
    response = client.post(reverse("intake:keyunit_create"), {
        "year": 2021, "target": targets["plant"].credit_code, "directory": "2021年名录", "kinds": "大气环境"})
    assert response.status_code == 302
    assert Event.objects.get(action="keyunit.create").reason == "列入重点排污单位名录"
