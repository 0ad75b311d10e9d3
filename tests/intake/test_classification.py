"""The quarterly classification as stored: rows, target categories, history with evidence, scope."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from shuangsuiji.audit.models import Event
from shuangsuiji.audit.services import verify_chain
from shuangsuiji.intake.models import (
    Classification,
    Clue,
    ClueSource,
    ClueStatus,
    Exceedance,
    KeyUnit,
    Penalty,
    PositiveListEntry,
)
from shuangsuiji.intake.services import (
    do_classify,
    do_decide_clue,
    do_record_penalty,
    do_report_clue,
    do_save_key_unit,
    do_save_positive_entry,
)
from shuangsuiji.registry.models import Target, TargetHistory, TargetStatus
from shuangsuiji.registry.services import do_mark_target_defunct

from .conftest import code_for

D = datetime.date


def penalty(target, day, number, department, user=None):
    return do_record_penalty(target=target, decision_number=number, decided_on=day, department=department,
                             violation="超标排放", acting_user=user, amount=Decimal("50000"))


def exceed(target, outlet_code, count, start):
    outlet = target.outlets.get(code=outlet_code)
    first = timezone.make_aware(datetime.datetime.combine(start, datetime.time(0)))
    Exceedance.objects.bulk_create(
        Exceedance(outlet=outlet, target=target, pollutant="二氧化硫", measured_at=first + datetime.timedelta(hours=h),
                   value=Decimal("80"), limit=Decimal("35")) for h in range(count))


def classification(target, year=2021, quarter=2):
    return Classification.objects.get(target=target, year=year, quarter=quarter)


def test_penalty_last_quarter_makes_special_and_the_history_row_links_it(tree, users, targets):
    department = tree["departments"]["130623"]
    record = penalty(targets["plant"], D(2021, 3, 15), "涞环罚〔2021〕3号", department)
    run = do_classify(year=2021, quarter=2, jurisdiction=tree["a"], acting_user=users["county_admin"])
    row = classification(targets["plant"])
    assert (row.category, row.on_site_eligible, row.must_inspect) == ("special", True, False)
    assert row.policy_id == "baoding-2021" and len(row.policy_fingerprint) == 64
    [reason] = [r for r in row.reasons if r["rule"] == "special_criteria.administrative_penalty"]
    assert reason["evidence"] == [{"kind": "penalty", "id": record.pk, "label": "涞环罚〔2021〕3号（2021-03-15）",
                                   "url": f"/intake/penalties/{record.pk}/"}]
    target = Target.objects.get(pk=targets["plant"].pk)
    assert target.category == "special"
    history = TargetHistory.objects.get(target=target, field="category", new_value="special")
    assert history.effective_date == D(2021, 4, 1)
    assert history.recorded_by == users["county_admin"]
    assert "2021年第2季度分类" in history.reason and "被行政处罚" in history.reason
    assert history.evidence[0]["url"] == f"/intake/penalties/{record.pk}/"
    assert run.counts["special"] == 1 and run.counts["general"] == 3 and run.counts["applied"] == 1
    assert Event.objects.filter(action="classification.run").count() == 1
    assert verify_chain() == []


def test_only_the_last_quarter_counts(tree, targets):
    department = tree["departments"]["130623"]
    penalty(targets["plant"], D(2020, 12, 31), "涞环罚〔2020〕99号", department)  # two quarters before Q2
    penalty(targets["mill"], D(2021, 4, 1), "涞环罚〔2021〕40号", department)  # inside Q2 itself
    penalty(targets["shop"], D(2021, 1, 1), "涞环罚〔2021〕1号", department)  # first day of Q1
    do_classify(year=2021, quarter=2, jurisdiction=tree["a"], acting_user=None)
    assert classification(targets["plant"]).category == "general"
    assert classification(targets["mill"]).category == "general"
    assert classification(targets["shop"]).category == "special"


def test_exceedance_threshold_at_one_outlet_with_local_quarter_boundaries(tree, targets):
    plant, mill = targets["plant"], targets["mill"]
    exceed(plant, "DA001", 4, D(2021, 3, 31))  # 00:00–03:00 on the last day of Q1: four
    exceed(mill, "DW001", 5, D(2021, 3, 31))
    # Shanghai midnight of 1 April is already Q2; its exceedance must not count for Q1's window.
    exceed(plant, "DA001", 1, D(2021, 4, 1))
    exceed(plant, "DA002", 3, D(2021, 2, 1))
    do_classify(year=2021, quarter=2, jurisdiction=tree["a"], acting_user=None)
    assert classification(plant).category == "general"  # 4 + 3 at two outlets
    row = classification(mill)
    assert row.category == "special"
    evidence = row.reasons[0]["evidence"][0]
    assert evidence["label"] == "DW001 DW001排口：超标5次"
    assert evidence["url"].endswith(f"?outlet={mill.outlets.get().pk}&from=2021-01-01&to=2021-03-31")


def test_special_beats_key_and_key_comes_from_the_directory(tree, users, targets):
    admin = users["county_admin"]
    for target in (targets["plant"], targets["mill"]):
        do_save_key_unit(KeyUnit(year=2021, target=target, directory="保定市2021年重点排污单位名录"), acting_user=admin)
    penalty(targets["plant"], D(2021, 2, 1), "涞环罚〔2021〕5号", tree["departments"]["130623"])
    do_classify(year=2021, quarter=2, jurisdiction=tree["a"], acting_user=admin)
    plant = classification(targets["plant"])
    assert plant.category == "special"
    assert [r["rule"] for r in plant.reasons][-2:] == ["key_directory", "special_beats_key"]
    assert classification(targets["mill"]).category == "key"


def test_the_previous_directory_is_used_until_the_year_s_is_entered(tree, targets):
    KeyUnit.objects.create(year=2021, target=targets["mill"], directory="2021年名录")
    run = do_classify(year=2022, quarter=1, jurisdiction=tree["a"], acting_user=None)
    assert classification(targets["mill"], 2022, 1).category == "key"
    assert any("2022年重点排污单位名录尚未录入" in warning for warning in run.warnings)


def list_positive(target):
    return do_save_positive_entry(PositiveListEntry(target=target, start=D(2021, 1, 1),
                                                    document_number="保环办〔2021〕20号"), acting_user=None)


def test_positive_list_without_and_with_an_approved_clue(tree, users, targets):
    admin = users["county_admin"]
    list_positive(targets["plant"])
    list_positive(targets["mill"])
    clue = do_report_clue(Clue(target=targets["mill"], source=ClueSource.OFF_SITE, found_on=D(2021, 3, 2),
                               description="用电监控显示治污设施停运"), acting_user=users["inspector"])
    pending = do_report_clue(Clue(target=targets["plant"], source=ClueSource.OFF_SITE, found_on=D(2021, 3, 3),
                                  description="视频监控疑似偷排"), acting_user=users["department_user"])
    do_decide_clue(clue, approve=True, reason="同意开展现场检查", acting_user=admin)
    assert pending.status == ClueStatus.PENDING
    with timezone.override("Asia/Shanghai"):
        Clue.objects.filter(pk=clue.pk).update(decided_at=timezone.make_aware(datetime.datetime(2021, 3, 20, 10)))
    do_classify(year=2021, quarter=2, jurisdiction=tree["a"], acting_user=admin)
    plant, mill = classification(targets["plant"]), classification(targets["mill"])
    assert (plant.positive_list, plant.on_site_eligible, plant.must_inspect) == (True, False, False)
    assert (mill.positive_list, mill.on_site_eligible, mill.must_inspect) == (True, True, True)
    assert {"kind": "clue", "id": clue.pk} in [{k: e[k] for k in ("kind", "id")} for e in mill.reasons[-1]["evidence"]]
    assert (Clue.objects.get(pk=clue.pk).applied_year, Clue.objects.get(pk=clue.pk).applied_quarter) == (2021, 2)
    assert Target.objects.get(pk=targets["plant"].pk).positive_list is True
    # One approval, one draw: the next quarter no longer takes it up.
    do_classify(year=2021, quarter=3, jurisdiction=tree["a"], acting_user=admin)
    assert classification(targets["mill"], 2021, 3).must_inspect is False
    # Running Q2 again keeps the clue with Q2.
    do_classify(year=2021, quarter=2, jurisdiction=tree["a"], acting_user=admin)
    assert classification(targets["mill"]).must_inspect is True


def test_a_clue_approved_after_the_quarter_began_waits_for_the_next(tree, users, targets):
    list_positive(targets["mill"])
    clue = do_report_clue(Clue(target=targets["mill"], source=ClueSource.OFF_SITE, found_on=D(2021, 4, 2),
                               description="在线监测异常"), acting_user=users["inspector"])
    do_decide_clue(clue, approve=True, reason="同意", acting_user=users["county_admin"])
    Clue.objects.filter(pk=clue.pk).update(decided_at=timezone.make_aware(datetime.datetime(2021, 4, 3, 9)))
    do_classify(year=2021, quarter=2, jurisdiction=tree["a"], acting_user=None)
    assert classification(targets["mill"]).must_inspect is False
    do_classify(year=2021, quarter=3, jurisdiction=tree["a"], acting_user=None)
    assert classification(targets["mill"], 2021, 3).must_inspect is True


def test_an_older_quarter_does_not_overwrite_the_target_and_reruns_write_no_new_history(tree, targets):
    penalty(targets["shop"], D(2021, 2, 1), "涞环罚〔2021〕7号", tree["departments"]["130623"])
    do_classify(year=2021, quarter=3, jurisdiction=tree["a"], acting_user=None)
    assert Target.objects.get(pk=targets["shop"].pk).category == "general"
    do_classify(year=2021, quarter=2, jurisdiction=tree["a"], acting_user=None)
    assert classification(targets["shop"]).category == "special"
    assert Target.objects.get(pk=targets["shop"].pk).category == "general"  # Q3 is the later quarter
    rows = TargetHistory.objects.count()
    do_classify(year=2021, quarter=3, jurisdiction=tree["a"], acting_user=None)
    assert TargetHistory.objects.count() == rows
    assert Classification.objects.filter(year=2021, quarter=3).count() == 4


def test_defunct_targets_are_not_classified_and_leave_an_earlier_run(tree, users, targets):
    do_classify(year=2021, quarter=2, jurisdiction=tree["a"], acting_user=None)
    do_mark_target_defunct(targets["farm"], acting_user=users["county_admin"], defunct_date=D(2021, 3, 30),
                           reason="关停")
    do_classify(year=2021, quarter=2, jurisdiction=tree["a"], acting_user=None)
    assert not Classification.objects.filter(target=targets["farm"]).exists()
    assert Classification.objects.filter(year=2021, quarter=2).count() == 3


def test_a_county_run_leaves_the_other_county_alone(tree, users, targets):
    do_classify(year=2021, quarter=2, jurisdiction=tree["b"], acting_user=users["other_county_admin"])
    do_classify(year=2021, quarter=2, jurisdiction=tree["a"], acting_user=users["county_admin"])
    assert Classification.objects.filter(target=targets["other"]).count() == 1
    assert Classification.objects.filter(year=2021, quarter=2).count() == 5


@pytest.mark.parametrize("role", ["other_county_admin", "department_user", "inspector", "leader"])
def test_only_an_admin_of_the_scope_classifies(tree, users, targets, role):
    with pytest.raises(PermissionDenied):
        do_classify(year=2021, quarter=2, jurisdiction=tree["a"], acting_user=users[role])
    assert not Classification.objects.exists()


def test_the_city_admin_classifies_the_whole_city(tree, users, targets):
    run = do_classify(year=2021, quarter=2, jurisdiction=tree["city"], acting_user=users["city_admin"])
    assert run.targets == 5


def test_twelve_thousand_targets_classify_at_once(tree, targets):
    Target.objects.bulk_create(
        Target(credit_code=code_for("130623", 1000 + n), name=f"企业{n}", jurisdiction=tree["a"],
               status=TargetStatus.ACTIVE) for n in range(12_000))
    department = tree["departments"]["130623"]
    some = list(Target.objects.filter(name__startswith="企业")[:300])
    Penalty.objects.bulk_create(Penalty(decision_number=f"涞环罚〔2021〕{n}号", decided_on=D(2021, 2, 1), target=t,
                                        department=department, violation="超标") for n, t in enumerate(some))
    # its time is part of bench/quarter_bench.py ("classify"), not asserted here
    run = do_classify(year=2021, quarter=2, jurisdiction=tree["a"], acting_user=None)
    assert run.targets == 12_004 and run.counts["special"] == 300
