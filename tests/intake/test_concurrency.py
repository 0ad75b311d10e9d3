"""Two admins at the same moment: the same penalties workbook imported twice, the quarter's classification
started twice, a clue decided twice, a penalty deleted twice, a key unit removed twice. The second waits for the
first and then finds its work done: nothing is stored, run or audited twice, and the second is told so (not a
server error)."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from shuangsuiji.audit.models import Event
from shuangsuiji.intake.models import ClassificationRun, Clue, ClueStatus, KeyUnit, Penalty, PositiveListEntry
from shuangsuiji.intake.services import (
    do_classify,
    do_decide_clue,
    do_delete_penalty,
    do_import,
    do_record_penalty,
    do_remove_key_unit,
    do_report_clue,
    do_save_key_unit,
    do_save_positive_entry,
)
from tests.concurrency import collide, require_postgres

from .conftest import workbook

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

PENALTY_HEADER = ["处罚决定书文号", "处罚决定日期", "统一社会信用代码", "单位名称", "作出处罚的科室", "违法行为",
                  "罚款金额（元）"]


def test_the_same_penalties_workbook_imported_twice_at_once(tree, users, targets):
    require_postgres()
    plant, mill = targets["plant"], targets["mill"]
    rows = [PENALTY_HEADER,
            ["涞环罚〔2021〕1号", "2021/2/3", plant.credit_code, plant.name, "执法大队", "超标排放", 50000],
            ["涞环罚〔2021〕2号", "2021/3/4", mill.credit_code, mill.name, "执法大队", "未批先建", None]]
    first, second = collide(
        lambda: do_import("penalties", workbook(rows), "p.xlsx", acting_user=users["county_admin"]),
        lambda: do_import("penalties", workbook(rows), "p.xlsx", acting_user=users["city_admin"]))
    assert first.error is None and second.error is None, (first.error, second.error)
    assert (first.value.created, second.value.created, second.value.unchanged) == (2, 0, 2)
    assert Penalty.objects.count() == 2
    assert Event.objects.filter(action="penalty.create").count() == 2


def test_the_quarter_classified_twice_at_once(tree, users, targets):
    """Two presses of 分类 for the same quarter: one run; the second is told who ran it and when."""
    require_postgres()
    first, second = collide(
        lambda: do_classify(year=2021, quarter=2, jurisdiction=tree["a"], acting_user=users["county_admin"]),
        lambda: do_classify(year=2021, quarter=2, jurisdiction=tree["a"], acting_user=users["city_admin"]))
    assert first.error is None
    assert "已由county_admin于" in second.refused and "2021年第2季度" in second.refused, second.error
    assert ClassificationRun.objects.count() == 1
    assert Event.objects.filter(action="classification.run").count() == 1


def test_a_clue_decided_twice_at_once(tree, users, targets):
    require_postgres()
    do_save_positive_entry(PositiveListEntry(target=targets["plant"], start=datetime.date(2021, 1, 1),
                                             document_number="保环办〔2021〕20号"), acting_user=None)
    clue = do_report_clue(Clue(target=targets["plant"], source="off_site", found_on=datetime.date(2021, 3, 1),
                               description="在线监测数据异常"), acting_user=users["inspector"])
    city = Client()
    city.force_login(users["city_admin"])
    first, second = collide(
        lambda: do_decide_clue(clue, approve=True, reason="同意现场核查", acting_user=users["county_admin"]),
        lambda: city.post(reverse("intake:clue_decide", args=[clue.pk]),
                          {"decision": "reject", "reason": "不必现场"}, follow=True))
    assert first.error is None and second.error is None, (first.error, second.error)
    assert second.value.status_code == 200
    assert "已由county_admin于" in second.value.content.decode()
    assert Clue.objects.get(pk=clue.pk).status == ClueStatus.APPROVED
    assert Event.objects.filter(action__in=["clue.approve", "clue.reject"]).count() == 1


def test_a_penalty_deleted_by_two_admins_at_once(tree, users, targets):
    """The second deletion found no row (a 500); now it lands on the list, told who deleted it and when."""
    require_postgres()
    penalty = do_record_penalty(target=targets["plant"], decision_number="涞环罚〔2021〕9号",
                                decided_on=datetime.date(2021, 3, 1), department=tree["departments"]["130623"],
                                violation="超标排放", acting_user=users["county_admin"])
    city, pk = Client(), penalty.pk
    city.force_login(users["city_admin"])
    first, second = collide(
        lambda: do_delete_penalty(penalty, acting_user=users["county_admin"], reason="重复录入"),
        lambda: city.post(reverse("intake:penalty_delete", args=[pk]), {"reason": "录错对象"}, follow=True))
    assert first.error is None and second.error is None, (first.error, second.error)
    assert second.value.redirect_chain[-1][0] == reverse("intake:penalty_list")
    assert "已由county_admin于" in second.value.content.decode()
    assert not Penalty.objects.exists()
    assert Event.objects.filter(action="penalty.delete").count() == 1


def test_a_key_unit_removed_by_two_admins_at_once(tree, users, targets):
    require_postgres()
    unit = do_save_key_unit(KeyUnit(target=targets["plant"], year=2021, directory="保定市2021年重点排污单位名录"),
                            acting_user=users["county_admin"])
    city, pk = Client(), unit.pk
    city.force_login(users["city_admin"])
    first, second = collide(
        lambda: do_remove_key_unit(unit, acting_user=users["county_admin"], reason="名录更正"),
        lambda: city.post(reverse("intake:keyunit_remove", args=[pk]), {"reason": "已移出"}, follow=True))
    assert first.error is None and second.error is None, (first.error, second.error)
    assert second.value.status_code == 200
    assert "已由county_admin于" in second.value.content.decode()
    assert not KeyUnit.objects.exists()
    assert Event.objects.filter(action="keyunit.remove").count() == 1
