"""An exceedance recorded by hand by mistake (the wrong outlet, hour or value) is deleted by the staff who record
them, with a reason kept in the audit log, and the next classification no longer counts it. One the monitoring
import wrote is corrected by importing again, not deleted alone."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shuangsuiji.audit.models import Event
from shuangsuiji.intake.models import Classification, Exceedance
from shuangsuiji.intake.services import do_classify, do_delete_exceedance, do_import, do_record_exceedance
from tests.intake.conftest import workbook
from tests.intake.test_imports import READING_HEADER, readings

D = datetime.date


def by_hand(target, outlet_code: str, hour: int, user) -> Exceedance:
    measured_at = timezone.make_aware(datetime.datetime(2021, 3, 11, hour))
    return do_record_exceedance(Exceedance(outlet=target.outlets.get(code=outlet_code), pollutant="化学需氧量",
                                           measured_at=measured_at, value=Decimal("80"), limit=Decimal("50"),
                                           unit="mg/L"), acting_user=user)


@pytest.fixture
def five(targets, users):
    """Five hours over the limit at the mill's outlet, typed from the platform's alarms: one too many."""
    return [by_hand(targets["mill"], "DW001", hour, users["county_admin"]) for hour in range(8, 13)]


def category(tree, target) -> str:
    do_classify(year=2021, quarter=2, jurisdiction=tree["a"], acting_user=None)
    return Classification.objects.get(target=target, year=2021, quarter=2).category


def test_a_mistyped_exceedance_is_deleted_and_no_longer_counts(client, users, tree, targets, five):
    assert category(tree, targets["mill"]) == "special"  # five at one outlet
    client.force_login(users["department_user"])
    detail = client.get(reverse("intake:exceedance_detail", args=[five[-1].pk])).content.decode()
    assert "手工录入" in detail and reverse("intake:exceedance_delete", args=[five[-1].pk]) in detail
    response = client.post(reverse("intake:exceedance_delete", args=[five[-1].pk]), {"reason": "报警时间录错"})
    assert response.status_code == 302 and response["Location"] == reverse("intake:exceedance_list")
    assert Exceedance.objects.count() == 4
    event = Event.objects.get(action="exceedance.delete")
    assert (event.reason, event.object_id) == ("报警时间录错", str(targets["mill"].pk))
    assert event.changes["outlet_label"] == ["DW001 DW001排口", None]
    assert event.changes["value"][0] == "80.0000" and event.changes["measured_at"][0].startswith("2021-03-11T")
    assert category(tree, targets["mill"]) != "special"  # four are not enough
    # The target's history says what was deleted, in Beijing time, with the outlet's name.
    client.force_login(users["county_admin"])
    history = client.get(reverse("registry:target_detail", args=[targets["mill"].pk])).content.decode()
    assert "删除在线监测超标" in history and "2021-03-11 12:00" in history and "DW001 DW001排口" in history


def test_the_list_links_each_reading_and_marks_those_typed_by_hand(client, users, five):
    client.force_login(users["county_admin"])
    page = client.get(reverse("intake:exceedance_list")).content.decode()
    assert all(reverse("intake:exceedance_detail", args=[e.pk]) in page for e in five)
    assert page.count("手工录入") >= 5


def test_a_deletion_needs_a_reason(client, users, five):
    client.force_login(users["county_admin"])
    response = client.post(reverse("intake:exceedance_delete", args=[five[0].pk]), {"reason": " "})
    assert response.status_code == 200 and "is-invalid" in response.content.decode()
    assert Exceedance.objects.count() == 5 and not Event.objects.filter(action="exceedance.delete").exists()
    with pytest.raises(ValidationError) as refused:
        do_delete_exceedance(five[0], acting_user=users["county_admin"], reason="")
    assert "请填写删除的理由" in str(refused.value)


def test_an_imported_exceedance_is_corrected_by_importing_not_deleted(client, users, targets):
    rows = [READING_HEADER, *readings(targets["plant"], "DA001", D(2021, 3, 10), 2, 0)]
    do_import("exceedances", workbook(rows), "m.xlsx", acting_user=users["county_admin"])
    imported = Exceedance.objects.first()
    client.force_login(users["county_admin"])
    page = client.get(reverse("intake:exceedance_detail", args=[imported.pk])).content.decode()
    assert "m.xlsx" in page and reverse("intake:exceedance_delete", args=[imported.pk]) not in page
    response = client.post(reverse("intake:exceedance_delete", args=[imported.pk]), {"reason": "数据有误"})
    assert response.status_code == 200 and "请重新导入该时段的监测数据更正" in response.content.decode()
    assert Exceedance.objects.count() == 2 and not Event.objects.filter(action="exceedance.delete").exists()


def test_a_corrected_import_names_what_it_withdrew_by_outlet_code_in_beijing_time(users, targets):
    rows = [READING_HEADER, *readings(targets["plant"], "DA001", D(2021, 3, 10), 1, 0, start_hour=9)]
    do_import("exceedances", workbook(rows), "m.xlsx", acting_user=users["county_admin"])
    rows[1][4] = 30  # below the limit after correction
    batch = do_import("exceedances", workbook(rows), "m2.xlsx", acting_user=users["county_admin"]).batch
    event = Event.objects.get(action="monitoring.import", object_id=str(batch.pk))
    assert event.changes["withdrawn"] == ["DA001 二氧化硫 2021-03-10 09:00"]


@pytest.mark.parametrize("role, status", [("other_county_admin", 404), ("inspector", 403), ("leader", 403),
                                          ("city_admin", 302)])
def test_who_may_delete(users, five, role, status):
    client = Client()
    client.force_login(users[role])
    response = client.post(reverse("intake:exceedance_delete", args=[five[0].pk]), {"reason": "重复录入"})
    assert response.status_code == status
    assert Exceedance.objects.count() == (4 if status == 302 else 5)


def test_english_page_names_the_source(client, users, five):
    client.force_login(users["county_admin"])
    client.cookies["django_language"] = "en"
    page = client.get(reverse("intake:exceedance_detail", args=[five[0].pk])).content.decode()
    assert "Entered by hand" in page and "Reason for deleting" in page
    assert "80 mg/L" in page and "80.0000" not in page.split("Change history")[0]
