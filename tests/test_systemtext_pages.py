"""Pages show the reasons and titles the system wrote in Chinese in the reader's language: a target's history
(registered, classified, changed in the admin site), its classification, the reports due to the city, a credit
code refused by a form. A Chinese page shows them exactly as stored; what a person typed stays as typed."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shuangsuiji.engine.creditcode import complete
from shuangsuiji.intake.models import KeyUnit
from shuangsuiji.intake.services import do_classify
from shuangsuiji.registry.models import Target, TargetHistory
from shuangsuiji.registry.services import do_save
from tests.clients import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def target(tree, users):
    target = Target(credit_code=complete("91130623000000001"), name="涞水甲化工有限公司", jurisdiction=tree["a"])
    do_save(target, acting_user=users["county_admin"])  # no reason given: the system writes 登记
    return target


def history(client: Client, target: Target) -> str:
    """The target page's two histories: its category and status changes, and the audit events."""
    return client.get(f"/registry/targets/{target.pk}/").content.decode().split("<main", 1)[1]


def test_a_registration_reason_reads_in_english(target, users):
    assert TargetHistory.objects.filter(target=target).first().reason == "登记"
    english = history(signed_in(users["county_admin"], "en"), target)
    assert ">Registered</td>" in english and ">登记<" not in english
    assert ">登记</td>" in history(signed_in(users["county_admin"]), target)


def test_an_admin_site_change_reads_in_english_and_a_typed_reason_as_typed(target, users):
    admin = users["city_admin"]
    admin.is_staff = admin.is_superuser = True
    admin.save()
    target.name = "涞水甲化工股份有限公司"
    do_save(target, acting_user=admin, reason="后台管理：修改")  # what registry.admin writes when none is typed
    target.name = "涞水甲化工集团"
    do_save(target, acting_user=admin, reason="按营业执照更名")
    english = history(signed_in(admin, "en"), target)
    assert ">Admin site: changed</td>" in english and ">按营业执照更名</td>" in english
    chinese = history(signed_in(admin), target)
    assert ">后台管理：修改</td>" in chinese and ">按营业执照更名</td>" in chinese


def test_a_classification_reads_in_english(tree, users, target):
    KeyUnit.objects.create(target=target, year=2021, directory="保定市2021年重点排污单位名录（保环函〔2021〕1号）")
    do_classify(year=2021, quarter=2, jurisdiction=tree["a"], acting_user=users["county_admin"])
    url = reverse("intake:target_classification", args=[target.pk])
    english = signed_in(users["county_admin"], "en").get(url).content.decode()
    assert "On the 2021 key-unit directory" in english
    assert "Classification of Q2 2021: On the 2021 key-unit directory" in english  # the history row's reason
    assert "保定市2021年重点排污单位名录（保环函〔2021〕1号）" in english  # the basis: the directory's own title
    assert "列入2021年重点排污单位名录" not in english and "分类：" not in english
    chinese = signed_in(users["county_admin"]).get(url).content.decode()
    assert "2021年第2季度分类：列入2021年重点排污单位名录" in chinese

    english_target = signed_in(users["county_admin"], "en").get(f"/registry/targets/{target.pk}/").content.decode()
    assert "On the 2021 key-unit directory" in english_target  # the classification card of the target page
    assert "列入2021年重点排污单位名录" not in english_target


def test_the_reports_due_read_in_english(users):
    today = timezone.localdate()
    month = today.replace(day=1) - datetime.timedelta(days=1)  # last month, whose detail sheet is due this month
    query = {"kind": "monthly_detail", "jurisdiction": "130623", "year": month.year, "month": month.month}
    english = signed_in(users["county_admin"], "en").get(reverse("disclosure:reports"), query).content.decode()
    assert f"涞水县: &quot;double random, one public&quot; detail sheet of {month.year}-{month.month:02d}" in english
    assert "情况明细表" not in english.split("<main", 1)[-1]
    chinese = signed_in(users["county_admin"]).get(reverse("disclosure:reports"), query).content.decode()
    assert f"涞水县{month.year}年{month.month}月“双随机、一公开”情况明细表" in chinese


def test_a_wrong_credit_code_is_explained_in_english(users, tree):
    data = {"credit_code": "91130623000000002", "name": "涞水乙厂", "jurisdiction": tree["a"].pk}
    wrong = complete("91130623000000001")[:-1] + ("0" if complete("91130623000000001")[-1] != "0" else "1")
    data["credit_code"] = wrong
    english = signed_in(users["county_admin"], "en").post("/registry/targets/new/", data).content.decode()
    assert "Character 18, the check character, should be" in english
    chinese = signed_in(users["county_admin"]).post("/registry/targets/new/", data).content.decode()
    assert "第18位校验码应为" in chinese
