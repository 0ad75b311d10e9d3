"""What the registry stores is in the system's language (Chinese) when an English-speaking user acts: the reason
of a target's history, the reason of an import, the notes of the year's holidays, a recusal lifted on the page."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from shuangsuiji.audit.models import Event
from shuangsuiji.registry.forms import parse_days
from shuangsuiji.registry.models import Recusal, Target, TargetHistory, WorkdayOverride
from shuangsuiji.registry.services import do_enter_workday_schedule, do_import_registry, do_save
from tests.conftest import xlsx_upload
from tests.fieldwork.conftest import code_for

pytestmark = pytest.mark.django_db


def test_a_target_registered_in_english_has_its_history_reason_in_chinese(tree, users):
    target = Target(credit_code=code_for("130623", 1), name="涞水县甲化工有限公司", jurisdiction=tree["a"])
    with translation.override("en"):
        do_save(target, acting_user=users["county_admin"])
    assert set(TargetHistory.objects.filter(target=target).values_list("reason", flat=True)) == {"登记"}


def test_an_import_in_english_gives_its_reason_in_chinese(tree, users):
    rows = [["统一社会信用代码", "单位名称", "行政区划代码"], [code_for("130623", 1), "涞水县甲化工有限公司", "130623"]]
    with translation.override("en"):
        do_import_registry("targets", xlsx_upload(rows), "t.xlsx", acting_user=users["county_admin"])
    assert Event.objects.get(action="targets.import").reason == "Excel导入：t.xlsx"
    assert TargetHistory.objects.filter(reason="Excel导入：t.xlsx").exists()


def test_holidays_entered_in_english_without_names_are_noted_in_chinese(users):
    year = datetime.date.today().year + 30
    saturday = next(datetime.date(year, 2, d) for d in range(1, 8) if datetime.date(year, 2, d).weekday() == 5)
    with translation.override("en"):
        do_enter_workday_schedule(year=year, holidays=parse_days(f"{year}-01-01"), workdays={saturday: ""},
                                  source="国办发明电〔2050〕1号", acting_user=users["city_admin"])
    notes = dict(WorkdayOverride.objects.filter(date__year=year).values_list("date", "note"))
    assert notes == {datetime.date(year, 1, 1): "放假", saturday: "调休上班"}


def test_a_recusal_is_lifted_only_with_a_reason_which_is_stored_as_typed(tree, users):
    """It was one button, and a blank reason stored "解除回避": a recusal keeps an officer from a target he has
    ties to, and a misclick lifted it for the next draw."""
    inspector = users["inspector"].inspector
    target = Target.objects.create(credit_code=code_for("130623", 1), name="涞水县甲化工有限公司",
                                   jurisdiction=tree["a"])
    recusal = Recusal.objects.create(inspector=inspector, target=target, reason="近亲属任职")
    client = Client()
    client.force_login(users["county_admin"])
    client.cookies["django_language"] = "en"
    url = reverse("registry:inspector_recusal", args=[inspector.pk])
    refused = client.post(url, {"remove": recusal.pk, "reason": "  "}, follow=True)
    assert Recusal.objects.filter(pk=recusal.pk).exists() and not Event.objects.exists()
    assert any("Lifting a recusal needs its reason" in str(m) for m in refused.context["messages"])
    response = client.post(url, {"remove": recusal.pk, "reason": "亲属已离职"})
    assert response.status_code == 302 and not Recusal.objects.filter(pk=recusal.pk).exists()
    assert Event.objects.get(action="inspector.recusal_remove").reason == "亲属已离职"
