# ruff: noqa: F811 (fixtures of the fieldwork and planning tests, imported by name, are parameters here)
"""一公开 services on real records: sealed and reviewed through the fieldwork services, published as snapshots
by a second person, corrected on record, redacted by rule and by case, and draws verified as the public would."""

import copy
import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation
from hypothesis import given, settings
from hypothesis import strategies as st

from shuangsuiji.audit.models import Event
from shuangsuiji.disclosure import redaction, services
from shuangsuiji.disclosure.models import (
    Correction,
    DrawVerification,
    ListedTarget,
    Outcome,
    Publication,
    PublicationKind,
    PublicationStatus,
    PublishedResult,
    RedactionAction,
    RedactionBasis,
)
from shuangsuiji.engine.creditcode import complete
from shuangsuiji.fieldwork import services as fieldwork
from shuangsuiji.fieldwork.models import FollowUp, Handling, InspectionRecord
from shuangsuiji.intake import services as intake
from shuangsuiji.planning import services as planning
from shuangsuiji.planning.models import MemberRole
from shuangsuiji.registry.models import Target
from tests.fieldwork.conftest import code_for, items, make_task, submitted, target, task, team  # noqa: F401
from tests.planning.conftest import ceremony, city  # noqa: F401

pytestmark = pytest.mark.django_db


# --- helpers shared with the staff page tests -----------------------------------------------------------------


def reviewed(task, users, **kwargs) -> InspectionRecord:
    """A record filled, signed, sealed and passed in review by the county, as the pages do it."""
    record = submitted(task, users["inspector"], **kwargs)
    fieldwork.do_review_record(record, passed=True, acting_user=users["county_admin"])
    return InspectionRecord.objects.get(pk=record.pk)


def another_task(tree, items, team, serial: int, *, industry: str = "2614", name: str = ""):
    target = Target.objects.create(credit_code=code_for("130623", serial), name=name or f"涞水县{serial}号化工厂",
                                   jurisdiction=tree["a"], industry_code=industry, industry_name="有机化学原料制造",
                                   address="涞水县经济开发区", legal_representative="孙法人")
    return make_task(target, items, [(team["first"], MemberRole.OFFICER), (team["second"], MemberRole.OFFICER)])


def month_of(record: InspectionRecord) -> tuple[int, int]:
    day = timezone.localdate(record.ended_at)
    return day.year, day.month


def publish(record: InspectionRecord, users, *, reviewer: str = "leader") -> Publication:
    """Prepare the record's month as the county admin, review as someone else, release."""
    year, month = month_of(record)
    batch = services.do_prepare_results(jurisdiction=record.target.jurisdiction, year=year, month=month,
                                        acting_user=users["county_admin"])
    services.do_review(batch, acting_user=users[reviewer])
    return services.do_release(batch, acting_user=users["county_admin"])


# --- the lifecycle -----------------------------------------------------------------------------------------


def test_a_month_is_prepared_reviewed_by_a_second_person_and_only_then_public(task, users):
    record = reviewed(task, users)
    year, month = month_of(record)
    county = users["county_admin"]
    with pytest.raises(PermissionDenied):
        services.do_prepare_results(jurisdiction=record.target.jurisdiction, year=year, month=month,
                                    acting_user=users["other_county_admin"])
    with pytest.raises(PermissionDenied):
        services.do_prepare_results(jurisdiction=record.target.jurisdiction, year=year, month=month,
                                    acting_user=users["inspector"])
    batch = services.do_prepare_results(jurisdiction=record.target.jurisdiction, year=year, month=month,
                                        acting_user=county)
    assert (batch.status, batch.row_count, batch.withheld_count) == (PublicationStatus.PREPARED, 1, 0)
    row = batch.results.get()
    assert row.public_id == record.number and row.target_name == "涞水县甲化工有限公司"
    assert row.outcome == Outcome.NO_PROBLEM and [i["code"] for i in row.items] == ["HB-001", "HB-002"]
    assert not PublishedResult.objects.published().exists()  # prepared is not public
    with pytest.raises(ValidationError, match="尚未公开的检查结果"):  # a record goes into one batch only
        services.do_prepare_results(jurisdiction=record.target.jurisdiction, year=year, month=month,
                                    acting_user=county)

    with pytest.raises(ValidationError, match="不能审核自己生成"):
        services.do_review(batch, acting_user=county)
    for role in ("inspector", "department_user", "other_county_admin"):
        with pytest.raises(PermissionDenied):
            services.do_review(batch, acting_user=users[role])
    with pytest.raises(ValidationError, match="已审核待发布"):
        services.do_release(batch, acting_user=county)  # not before review
    services.do_review(batch, note="核对无误", acting_user=users["leader"])
    assert not PublishedResult.objects.published().exists()
    with pytest.raises(PermissionDenied):
        services.do_release(batch, acting_user=users["leader"])  # a leader reviews, the admins publish
    batch = services.do_release(batch, acting_user=county)
    assert batch.status == PublicationStatus.RELEASED and batch.released_by == county
    assert not batch.is_overdue()
    assert list(PublishedResult.objects.published()) == [row]
    actions = list(Event.objects.filter(action__startswith="disclosure.").order_by("pk")
                   .values_list("action", flat=True))
    assert actions == ["disclosure.prepare", "disclosure.review", "disclosure.release"]
    with pytest.raises(ValidationError, match="没有已审核通过、尚未公开"):
        services.do_prepare_results(jurisdiction=record.target.jurisdiction, year=year, month=month,
                                    acting_user=county)
    with pytest.raises(ValidationError, match="只能更正"):
        services.do_discard(batch, reason="重来", acting_user=county)


def test_unreviewed_records_and_other_months_stay_out_and_a_discard_gives_them_back(tree, items, team, users):
    first = reviewed(another_task(tree, items, team, 11), users)
    submitted(another_task(tree, items, team, 12), users["inspector"])  # sealed, not reviewed yet
    year, month = month_of(first)
    batch = services.do_prepare_results(jurisdiction=tree["a"], year=year, month=month,
                                        acting_user=users["county_admin"])
    assert list(batch.results.values_list("public_id", flat=True)) == [first.number]
    previous = (month - 2) % 12 + 1
    with pytest.raises(ValidationError, match="没有已审核通过"):
        services.do_prepare_results(jurisdiction=tree["a"], year=year - (month == 1), month=previous,
                                    acting_user=users["city_admin"])
    with pytest.raises(ValidationError, match="尚未开始"):
        services.do_prepare_results(jurisdiction=tree["a"], year=year + 1, month=month, acting_user=users["city_admin"])
    with pytest.raises(ValidationError, match="撤销理由"):
        services.do_discard(batch, reason=" ", acting_user=users["county_admin"])
    services.do_discard(batch, reason="待个案不予公开决定后重新生成", acting_user=users["city_admin"])
    assert not Publication.objects.exists() and not PublishedResult.objects.exists()
    assert services.publishable_records(tree["a"], year, month).count() == 1
    assert Event.objects.filter(action="disclosure.discard", reason="待个案不予公开决定后重新生成").exists()


def test_the_annual_list_is_the_jurisdictions_active_targets_as_they_were(tree, users, target):
    Target.objects.create(credit_code=code_for("130624", 5), name="阜平县某厂", jurisdiction=tree["b"])
    closed = Target.objects.create(credit_code=code_for("130623", 6), name="已注销单位", jurisdiction=tree["a"],
                                   status="defunct", defunct_date=datetime.date(2025, 1, 1), defunct_reason="注销")
    batch = services.do_prepare_annual_list(jurisdiction=tree["a"], year=2026, acting_user=users["county_admin"])
    assert batch.kind == PublicationKind.ANNUAL_LIST and batch.month == 0
    assert batch.deadline == services.annual_list_deadline(2026)[0]
    assert list(batch.listed_targets.values_list("credit_code", "year")) == [(target.credit_code, 2026)]
    assert closed.credit_code not in ListedTarget.objects.values_list("credit_code", flat=True)
    services.do_review(batch, acting_user=users["city_admin"])
    services.do_release(batch, acting_user=users["county_admin"])
    Target.objects.filter(pk=target.pk).update(name="改名后的公司")
    assert ListedTarget.objects.published().get().name == "涞水县甲化工有限公司"
    with pytest.raises(ValidationError, match="没有尚未列入"):
        services.do_prepare_annual_list(jurisdiction=tree["a"], year=2026, acting_user=users["county_admin"])


# --- deadlines ---------------------------------------------------------------------------------------------


def test_the_deadline_is_ten_working_days_after_the_month_by_the_official_calendar():
    # September 2026 ends before the National Day week (1–7 October) and the make-up Saturday of 10 October:
    # 8, 9, 10 (Sat, a working day), 12–16, 19, 20 October. Counting plain weekdays would say 14 October.
    due, citation = services.results_deadline(2026, 9)
    assert due == datetime.date(2026, 10, 20)
    assert citation
    # January 2026: no holiday in the first ten working days of February (the Spring Festival starts on the 15th).
    assert services.results_deadline(2026, 1)[0] == datetime.date(2026, 2, 13)


def test_a_batch_released_after_its_deadline_is_late(task, users):
    batch = publish(reviewed(task, users), users)
    assert batch.deadline == services.results_deadline(batch.year, batch.month)[0]
    assert not batch.is_overdue()
    late = timezone.make_aware(datetime.datetime.combine(batch.deadline + datetime.timedelta(days=1),
                                                         datetime.time(10)))
    Publication.objects.filter(pk=batch.pk).update(released_at=late)
    assert Publication.objects.get(pk=batch.pk).is_overdue()


# --- snapshots and corrections ------------------------------------------------------------------------------


def test_a_snapshot_does_not_follow_the_registry_and_changes_only_by_recorded_correction(task, users):
    record = reviewed(task, users)
    publish(record, users)
    result = PublishedResult.objects.published().get()
    Target.objects.filter(pk=record.target_id).update(name="改名后的公司", industry_code="9999",
                                                     industry_name="其他")
    result.refresh_from_db()
    assert (result.target_name, result.industry_code) == ("涞水县甲化工有限公司", "")
    assert services.pending_corrections(record.target.jurisdiction) == []

    county = users["county_admin"]
    with pytest.raises(ValidationError, match="更正理由"):
        services.do_correct_result(result, values={"target_name": "涞水县甲化工股份有限公司"}, reason="",
                                   acting_user=county)
    with pytest.raises(ValidationError, match="不能更正的字段"):
        services.do_correct_result(result, values={"public_id": "X"}, reason="改编号", acting_user=county)
    with pytest.raises(ValidationError, match="内容相同"):
        services.do_correct_result(result, values={"target_name": "涞水县甲化工有限公司"}, reason="无变化",
                                   acting_user=county)
    with pytest.raises(PermissionDenied):
        services.do_correct_result(result, values={"target_name": "X"}, reason="越权", acting_user=users["leader"])
    assert not Correction.objects.exists()
    correction = services.do_correct_result(result, values={"target_name": "涞水县甲化工股份有限公司"},
                                            reason="单位名称录入有误", acting_user=county)
    result.refresh_from_db()
    assert result.target_name == "涞水县甲化工股份有限公司" and result.public_id == record.number
    assert result.corrected_at is not None
    assert correction.before["target_name"] == "涞水县甲化工有限公司"
    assert correction.after["target_name"] == "涞水县甲化工股份有限公司"
    assert list(Correction.objects.published()) == [correction]
    assert Event.objects.filter(action="disclosure.correct", reason="单位名称录入有误").exists()


def test_an_approved_amendment_is_pending_until_republished_under_the_same_public_id(task, users):
    original = reviewed(task, users)
    publish(original, users)
    county = users["county_admin"]
    request = fieldwork.do_request_amendment(original, reason="问题漏记", acting_user=users["inspector"])
    request = fieldwork.do_decide_amendment(request, approve=True, decision="同意", acting_user=county)
    amendment = request.amendment
    first = amendment.items.order_by("order").first()
    fieldwork.do_save_draft(amendment, acting_user=users["inspector"], values={}, items={first.pk: {
        "outcome": "problem", "notes": "危废台账缺失，联系人电话13812345678", "handling": Handling.RECTIFIED,
        "rectification": "已补建台账"}})
    from tests.fieldwork.conftest import sign_all

    sign_all(amendment, users["inspector"])
    fieldwork.do_submit_record(amendment, acting_user=users["inspector"])
    assert services.pending_corrections(task.target.jurisdiction) == []  # not before the amendment passes
    fieldwork.do_review_record(amendment, passed=True, acting_user=county)

    pending = services.pending_corrections(users["city_admin"].jurisdiction)
    assert [(r.public_id, rec.number) for r, rec, _fresh in pending] == [(original.number, amendment.number)]
    result, _record, fresh = pending[0]
    assert fresh["outcome"] == Outcome.PROBLEM
    correction = services.do_republish_amended(result, reason="更正记录已审核通过", acting_user=county)
    result.refresh_from_db()
    assert result.public_id == original.number and result.record_id == amendment.pk
    assert result.outcome == Outcome.PROBLEM and correction.before["outcome"] == Outcome.NO_PROBLEM
    assert "13812345678" not in str(result.problems) and redaction.MASK in result.problems[0]["description"]
    assert services.pending_corrections(task.target.jurisdiction) == []
    # The amendment is not a new result of its month: nothing left to prepare.
    year, month = month_of(original)
    assert not services.publishable_records(task.target.jurisdiction, year, month).exists()


def test_a_penalty_decided_after_publication_is_pending_and_republished_with_its_number(task, users, tree):
    record = reviewed(task, users, problem=Handling.CASE)
    publish(record, users)
    result = PublishedResult.objects.published().get()
    assert result.outcome == Outcome.PROBLEM and result.problems[0]["decision_number"] == ""
    assert services.pending_corrections(tree["a"]) == []
    follow_up = FollowUp.objects.get(record=record)
    today = timezone.localdate()
    fieldwork.do_register_case(follow_up, case_number="涞环立〔2026〕30号", filed_on=today,
                               acting_user=users["county_admin"])
    fieldwork.do_record_penalty_decision(follow_up, decision_number="涞环罚〔2026〕12号", decided_on=today,
                                         department=tree["departments"]["130623"], violation="", amount="50000.00",
                                         acting_user=users["county_admin"])
    pending = services.pending_corrections(tree["a"])
    assert [p[0].pk for p in pending] == [result.pk]
    assert pending[0][2]["problems"][0]["decision_number"] == "涞环罚〔2026〕12号"
    assert services.pending_corrections(tree["b"]) == []  # another county's view does not see it
    services.do_republish_amended(result, reason="处罚决定已作出", acting_user=users["city_admin"])
    result.refresh_from_db()
    assert result.problems[0]["decision_number"] == "涞环罚〔2026〕12号"
    assert services.pending_corrections(tree["a"]) == []
    # The decision's number corrected in the penalty register: the public copy is behind again.
    penalty = FollowUp.objects.get(record=record).penalty
    penalty.decision_number = "涞环罚〔2026〕13号"
    intake.do_save_penalty(penalty, acting_user=users["county_admin"], reason="文号录入有误")
    (pending, _record, fresh), = services.pending_corrections(tree["a"])
    assert pending.pk == result.pk and fresh["problems"][0]["decision_number"] == "涞环罚〔2026〕13号"


def test_a_name_corrected_by_hand_stays_corrected_when_a_penalty_is_republished(task, users, tree):
    """The sealed record keeps the typo; rebuilt from it for the penalty, the row must not bring it back."""
    record = reviewed(task, users, problem=Handling.CASE)
    publish(record, users)
    result = PublishedResult.objects.published().get()
    county = users["county_admin"]
    services.do_correct_result(result, values={"target_name": "涞水县甲化工股份有限公司"}, reason="单位名称录入有误",
                               acting_user=county)
    follow_up = FollowUp.objects.get(record=record)
    today = timezone.localdate()
    fieldwork.do_register_case(follow_up, case_number="涞环立〔2026〕31号", filed_on=today, acting_user=county)
    fieldwork.do_record_penalty_decision(follow_up, decision_number="涞环罚〔2026〕14号", decided_on=today,
                                         department=tree["departments"]["130623"], violation="", amount=None,
                                         acting_user=county)
    (pending, _record, fresh), = services.pending_corrections(tree["a"])
    assert fresh["target_name"] == "涞水县甲化工股份有限公司"
    assert fresh["problems"][0]["decision_number"] == "涞环罚〔2026〕14号"
    correction = services.do_republish_amended(pending, reason="处罚决定已作出", acting_user=county)
    result.refresh_from_db()
    assert result.target_name == "涞水县甲化工股份有限公司" and "target_name" not in {
        k for k in correction.after if correction.after[k] != correction.before[k]}
    assert services.pending_corrections(tree["a"]) == []
    # A mask is not a replacement: a decision to hide the name hides the corrected name too.
    services.do_decide_redaction(record, action=RedactionAction.MASK, fields=["target_name"],
                                 basis=RedactionBasis.COMMERCIAL_SECRET, reason="涉及商业秘密", acting_user=county)
    (_pending, _record, fresh), = services.pending_corrections(tree["a"])
    assert fresh["target_name"] == redaction.MASK


def test_problem_rows_without_a_penalty_are_not_rebuilt_to_find_stale_ones(task, users, tree, monkeypatch):
    """A sealed record's problem row changes only through a penalty decision (or an amendment or redaction
    decision): the city's workbench, which runs the check on every visit, does not rebuild the others."""
    record = reviewed(task, users, problem=Handling.RECTIFIED)
    publish(record, users)
    assert PublishedResult.objects.published().get().outcome == Outcome.PROBLEM
    built = []
    original = services.result_row
    monkeypatch.setattr(services, "result_row", lambda r: built.append(r.pk) or original(r))
    assert services.pending_corrections(tree["a"]) == [] and built == []
    # A redaction case on it makes it a candidate: rebuilt, compared, and pending.
    services.do_decide_redaction(record, action=RedactionAction.WITHHOLD, basis=RedactionBasis.PRIVACY,
                                 reason="涉及个人隐私", acting_user=users["county_admin"])
    assert [p[0].record_id for p in services.pending_corrections(tree["a"])] == [record.pk] and built == [record.pk]


def test_the_public_copy_is_in_chinese_whoever_prepares_it_and_english_readers_see_nothing_stale(task, users, tree):
    """An administrator who works in English prepares the month: the portal's rows still say 现场检查 and
    发现问题, and the pending-corrections check, run under English, does not take every problem row for stale."""
    record = reviewed(task, users, problem=Handling.CASE)
    year, month = month_of(record)
    with translation.override("en"):
        batch = services.do_prepare_results(jurisdiction=record.target.jurisdiction, year=year, month=month,
                                            acting_user=users["county_admin"])
        row = batch.results.get()
        assert row.mode == "现场检查" and not row.problems[0]["handling"].isascii()
        assert "发现问题" in {item["outcome"] for item in row.items}
        services.do_review(batch, acting_user=users["leader"])
        services.do_release(batch, acting_user=users["county_admin"])
        assert services.pending_corrections(tree["a"]) == []
    assert services.pending_corrections(tree["a"]) == []


# --- redaction ----------------------------------------------------------------------------------------------


def test_rules_withhold_or_mask_and_a_deactivated_rule_stops(tree, items, team, users):
    county = users["county_admin"]
    secret = reviewed(another_task(tree, items, team, 21, name="军工配套厂"), users)
    masked = reviewed(another_task(tree, items, team, 22, industry="3360"), users)
    plain = reviewed(another_task(tree, items, team, 23, industry="2614"), users)
    # Written with its section letter, as the registry holds most codes: the rule for "33" masks it too (it
    # compared "C3360" with "33" from the first character, and matched no such code).
    lettered = reviewed(another_task(tree, items, team, 24, industry="C3360"), users)
    with pytest.raises(ValidationError, match="1–4 位数字"):
        services.do_add_redaction_rule(jurisdiction=tree["a"], action=RedactionAction.WITHHOLD, basis="law",
                                       reason="涉密", industry_prefix="C", acting_user=county)
    with pytest.raises(ValidationError, match="行业代码前缀或选择检查对象"):
        services.do_add_redaction_rule(jurisdiction=tree["a"], action=RedactionAction.WITHHOLD,
                                       basis=RedactionBasis.STATE_SECRET, reason="涉密", acting_user=county)
    with pytest.raises(ValidationError):
        services.do_add_redaction_rule(jurisdiction=tree["a"], action=RedactionAction.MASK, basis="privacy",
                                       reason="隐私", industry_prefix="33", acting_user=county)  # no fields
    with pytest.raises(ValidationError):
        services.do_add_redaction_rule(jurisdiction=tree["a"], action=RedactionAction.MASK, basis="privacy",
                                       fields=["inspector_phone"], reason="隐私", industry_prefix="33",
                                       acting_user=county)
    with pytest.raises(ValidationError):
        services.do_add_redaction_rule(jurisdiction=tree["a"], action=RedactionAction.WITHHOLD, basis="law",
                                       reason="  ", target=secret.target, acting_user=county)
    with pytest.raises(ValidationError, match="不在"):
        services.do_add_redaction_rule(jurisdiction=tree["b"], action=RedactionAction.WITHHOLD, basis="law",
                                       reason="涉密", target=secret.target, acting_user=users["city_admin"])
    with pytest.raises(PermissionDenied):
        services.do_add_redaction_rule(jurisdiction=tree["a"], action=RedactionAction.WITHHOLD, basis="law",
                                       reason="涉密", target=secret.target, acting_user=users["leader"])
    services.do_add_redaction_rule(jurisdiction=tree["a"], action=RedactionAction.WITHHOLD,
                                   basis=RedactionBasis.STATE_SECRET, reason="军工配套，涉及国家秘密",
                                   target=secret.target, acting_user=county)
    rule = services.do_add_redaction_rule(jurisdiction=tree["city"], action=RedactionAction.MASK,
                                          basis=RedactionBasis.COMMERCIAL_SECRET, fields=["industry", "items"],
                                          reason="工艺涉及商业秘密", industry_prefix="33",
                                          acting_user=users["city_admin"])
    year, month = month_of(secret)
    batch = services.do_prepare_results(jurisdiction=tree["a"], year=year, month=month, acting_user=county)
    rows = {r.public_id: r for r in batch.results.all()}
    assert batch.withheld_count == 1
    hidden = rows[secret.number]
    assert (hidden.outcome, hidden.target_name, hidden.credit_code, hidden.items) == (Outcome.WITHHELD, "", "", [])
    assert hidden.withheld_basis == RedactionBasis.STATE_SECRET and hidden.redactions[0]["field"] == "*"
    assert rows[masked.number].industry_name == redaction.MASK and rows[masked.number].industry_code == ""
    assert all(i["name"] == redaction.MASK for i in rows[masked.number].items)
    assert {n["field"] for n in rows[masked.number].redactions} == {"industry", "items"}
    assert rows[masked.number].target_name == masked.target.name  # the rest stays public
    assert rows[plain.number].redactions == [] and rows[plain.number].industry_code == "2614"
    assert {n["field"] for n in rows[lettered.number].redactions} == {"industry", "items"}
    assert rows[lettered.number].industry_code == ""

    with pytest.raises(ValidationError, match="停用理由"):
        services.do_deactivate_redaction_rule(rule, reason="", acting_user=users["city_admin"])
    with pytest.raises(PermissionDenied):
        services.do_deactivate_redaction_rule(rule, reason="x", acting_user=county)  # the city's rule
    services.do_discard(batch, reason="规则调整后重新生成", acting_user=county)
    services.do_deactivate_redaction_rule(rule, reason="工艺已公开", acting_user=users["city_admin"])
    batch = services.do_prepare_results(jurisdiction=tree["a"], year=year, month=month, acting_user=county)
    assert batch.results.get(public_id=masked.number).industry_code == "3360"


def test_a_case_decision_masks_one_record_and_after_release_waits_as_a_correction(tree, items, team, users):
    county = users["county_admin"]
    first = reviewed(another_task(tree, items, team, 31), users, problem=Handling.RECTIFIED)
    second = reviewed(another_task(tree, items, team, 32), users)
    with pytest.raises(ValidationError):
        services.do_decide_redaction(first, action=RedactionAction.MASK, basis="privacy", fields=[], reason="x",
                                     acting_user=county)
    with pytest.raises(PermissionDenied):
        services.do_decide_redaction(first, action=RedactionAction.WITHHOLD, basis="privacy", reason="x",
                                     acting_user=users["other_county_admin"])
    case = services.do_decide_redaction(first, action=RedactionAction.MASK, basis=RedactionBasis.PRIVACY,
                                        fields=["problems"], reason="问题描述涉及个人信息", acting_user=county)
    assert case.decided_by == county
    publish(first, users)
    rows = {r.public_id: r for r in PublishedResult.objects.published()}
    assert rows[first.number].problems[0]["description"] == redaction.MASK
    assert rows[first.number].problems[0]["handling"]  # how it was handled stays public
    assert rows[first.number].redactions == [{"field": "problems", "basis": "privacy", "source": "case"}]
    # Decided after release: the published row is behind until republished as a correction.
    services.do_decide_redaction(second, action=RedactionAction.WITHHOLD, basis=RedactionBasis.LAW,
                                 reason="涉及正在办理的案件", acting_user=county)
    pending = services.pending_corrections(tree["a"])
    assert [p[0].public_id for p in pending] == [second.number]
    services.do_republish_amended(pending[0][0], reason="依个案决定不予公开", acting_user=county)
    row = PublishedResult.objects.published().get(public_id=second.number)
    assert row.outcome == Outcome.WITHHELD and row.target_name == ""
    assert Correction.objects.published().get(result=row).before["target_name"] == second.target.name


def test_a_case_decision_that_adds_nothing_is_refused_naming_the_first(tree, items, team, users):
    """Two cases saying the same (a page left open, two admins) made two cases, two events and, once published,
    two corrections; a decision that masks more, or withholds what was masked, still goes through."""
    county, city = users["county_admin"], users["city_admin"]
    record = reviewed(another_task(tree, items, team, 33, name="涞水县重复决定纸业"), users, problem=Handling.RECTIFIED)
    services.do_decide_redaction(record, action=RedactionAction.MASK, basis=RedactionBasis.PRIVACY,
                                 fields=["problems"], reason="问题描述涉及个人信息", acting_user=county)
    with pytest.raises(ValidationError, match=r"已由county_admin于.*决定隐去字段问题描述（涉及个人隐私）") as refused:
        services.do_decide_redaction(record, action=RedactionAction.MASK, basis=RedactionBasis.PRIVACY,
                                     fields=["problems"], reason="同上", acting_user=city)
    assert record.number in str(refused.value)
    masked_more = services.do_decide_redaction(record, action=RedactionAction.MASK, basis=RedactionBasis.PRIVACY,
                                               fields=["problems", "target_name"], reason="名称亦涉及个人",
                                               acting_user=city)
    withheld = services.do_decide_redaction(record, action=RedactionAction.WITHHOLD, basis=RedactionBasis.LAW,
                                            reason="涉及正在办理的案件", acting_user=county)
    for action, fields in ((RedactionAction.WITHHOLD, []), (RedactionAction.MASK, ["industry"])):
        with pytest.raises(ValidationError, match=r"已由county_admin于.*决定整条不予公开（"):
            services.do_decide_redaction(record, action=action, basis=RedactionBasis.LAW, fields=fields,
                                         reason="再次决定", acting_user=city)
    assert list(record.redaction_cases.order_by("pk"))[1:] == [masked_more, withheld]
    assert Event.objects.filter(action="disclosure.redaction_case").count() == 3


def test_a_withholding_decided_between_the_snapshot_and_its_release_stops_the_release(tree, items, team, users):
    """A case decision (or a rule) made after the batch was made and reviewed was ignored by the release: the
    result the bureau had just decided to withhold went out under its name."""
    from django.test import Client
    from django.urls import reverse

    county = users["county_admin"]
    record = reviewed(another_task(tree, items, team, 41, name="涞水县隐私禽业"), users)
    year, month = month_of(record)
    batch = services.do_prepare_results(jurisdiction=tree["a"], year=year, month=month, acting_user=county)
    services.do_review(batch, acting_user=users["leader"])
    services.do_decide_redaction(record, action=RedactionAction.MASK, basis=RedactionBasis.PRIVACY,
                                 fields=["target_name"], reason="个体经营者姓名", acting_user=county)
    assert services.redactions_changed(batch) == [record.number]
    with pytest.raises(ValidationError, match=f"{record.number} 的不予公开或隐去决定有了变化"):
        services.do_release(batch, acting_user=county)
    assert not PublishedResult.objects.published().exists()
    client = Client()
    client.force_login(county)
    page = client.get(reverse("disclosure:batch_detail", args=[batch.pk])).content.decode()
    assert 'id="redactions-changed"' in page and record.number in page and 'id="release-form"' not in page
    # Made again, the snapshot holds the decision, and a second person reviews what will go out.
    services.do_discard(batch, reason="个案决定后重新生成", acting_user=county)
    again = services.do_prepare_results(jurisdiction=tree["a"], year=year, month=month, acting_user=county)
    assert again.results.get().target_name == redaction.MASK
    with pytest.raises(ValidationError, match="有了变化"):  # a rule added before the review stops the review
        services.do_add_redaction_rule(jurisdiction=tree["a"], action=RedactionAction.WITHHOLD,
                                       basis=RedactionBasis.LAW, reason="在办案件", target=record.target,
                                       acting_user=county)
        services.do_review(again, acting_user=users["leader"])
    assert Publication.objects.get(pk=again.pk).status == PublicationStatus.PREPARED


def test_the_reviewer_returns_a_batch_with_his_reason_and_its_results_wait_again(task, users):
    """A reviewer could only approve: a batch he found wrong waited for its preparer to notice."""
    from django.test import Client
    from django.urls import reverse

    record = reviewed(task, users)
    year, month = month_of(record)
    county = users["county_admin"]
    batch = services.do_prepare_results(jurisdiction=record.target.jurisdiction, year=year, month=month,
                                        acting_user=county)
    with pytest.raises(ValidationError, match="不能审核自己生成"):
        services.do_return(batch, reason="月份错了", acting_user=county)
    with pytest.raises(PermissionDenied):
        services.do_return(batch, reason="月份错了", acting_user=users["other_county_admin"])
    with pytest.raises(ValidationError, match="请写明退回理由"):
        services.do_return(batch, reason=" ", acting_user=users["leader"])
    client = Client()
    client.force_login(users["leader"])
    page = client.get(reverse("disclosure:batch_detail", args=[batch.pk])).content.decode()
    assert 'id="return-form"' in page and 'id="review-form"' in page
    response = client.post(reverse("disclosure:return_batch", args=[batch.pk]),
                           {"reason": "该对象涉及在办案件，应不予公开"}, follow=True)
    assert any("已退回" in str(m) for m in response.context["messages"])
    assert not Publication.objects.filter(pk=batch.pk).exists() and not PublishedResult.objects.exists()
    event = Event.objects.get(action="disclosure.return")
    assert event.reason == "该对象涉及在办案件，应不予公开" and event.actor == users["leader"]
    again = services.do_prepare_results(jurisdiction=record.target.jurisdiction, year=year, month=month,
                                        acting_user=county)  # the results wait to be prepared again
    assert again.results.get().public_id == record.number


PHONE = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)
TEXT = st.text(alphabet="检查发现布袋破损，已整改。联系人电话：", max_size=12)
DECISION = st.from_regex(r"[冀保涞]环罚〔20[0-9]{2}〕[1-9][0-9]{0,3}号", fullmatch=True)
# Enterprises (9), public institutions (12), social organisations (5x): many codes are all digits, the shape of
# an identity number, and must survive anyway.
CREDIT_CODE = st.builds(lambda head, body: complete(head + body),
                        st.sampled_from(["91", "92", "93", "12", "52"]),
                        st.from_regex(r"1306(0[2-9]|8[1-4])[0-9A-HJ-NP-RTUW-Y]{9}", fullmatch=True))


@st.composite
def id_numbers(draw) -> str:
    """Well-formed resident identity numbers: province, prefecture, county, birth date, order, MOD 11-2 check."""
    region = draw(st.sampled_from(["130602", "130623", "110105", "410102", "650102"]))
    born = draw(st.dates(min_value=datetime.date(1930, 1, 1), max_value=datetime.date(2010, 12, 31)))
    first17 = f"{region}{born:%Y%m%d}{draw(st.integers(0, 999)):03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return first17 + "10X98765432"[sum(int(c) * w for c, w in zip(first17, weights, strict=True)) % 11]


@settings(max_examples=300, deadline=None)
@given(before=TEXT, phone=PHONE, id_number=id_numbers(), code=CREDIT_CODE, decision=DECISION, after=TEXT)
def test_scrub_removes_phones_and_id_numbers_and_keeps_credit_codes_and_decision_numbers(
        before, phone, id_number, code, decision, after):
    text = f"{before}{phone}，身份证{id_number}。单位{code}，决定书{decision}{after}"
    scrubbed = redaction.scrub(text)
    assert code in scrubbed and decision in scrubbed
    # A credit code may hold a phone number's eleven digits (521306815100503721 holds 15100503721); the code
    # is kept whole, so the phone is looked for in what surrounds it.
    rest = scrubbed.replace(code, "", 1)
    assert phone not in rest and id_number not in rest
    assert redaction.scrub(scrubbed) == scrubbed  # idempotent: a scrubbed text has nothing left to find


@settings(max_examples=100, deadline=None)
@given(number=st.one_of(PHONE, id_numbers()), left=st.sampled_from(["", "电话", "：", " ", "身份证号"]),
       right=st.sampled_from(["", "。", "号", "，"]))
def test_no_phone_or_id_number_survives_whatever_surrounds_it(number, left, right):
    assert number not in redaction.scrub(f"{left}{number}{right}")


def test_scrub_removes_the_names_the_record_gives():
    assert redaction.scrub("现场负责人王建国拒绝签字", ["王建国", "", "王"]) == f"现场负责人{redaction.MASK}拒绝签字"


# --- draws ---------------------------------------------------------------------------------------------------


def test_a_revealed_draw_verifies_and_a_tampered_manifest_does_not(city):
    county = city["users"]["county_admin"]
    plan = planning.do_create_plan(jurisdiction=city["tree"]["a"], year=2021, quarter=2, acting_user=county)
    draw = ceremony(plan, user=county)
    with pytest.raises(ValidationError, match="尚未公开密钥"):
        services.do_verify_draw(draw)
    planning.do_dispatch(plan, acting_user=county)
    planning.do_reveal(plan, acting_user=county)
    draw.refresh_from_db()
    check = services.do_verify_draw(draw)
    assert check.ok and check.draw == draw and "均可复现" in check.report

    tampered = copy.deepcopy(draw.manifest)
    tampered["secret"] = "0" * len(tampered["secret"])
    draw.manifest = tampered
    bad = services.do_verify_draw(draw)
    assert not bad.ok and bad.report
    assert list(DrawVerification.objects.order_by("id").values_list("ok", flat=True)) == [True, False]


# --- the city's view of months -------------------------------------------------------------------------------


def test_month_states_flag_what_missed_the_deadline(tree, items, team, users):
    record = reviewed(another_task(tree, items, team, 41), users)
    year, month = month_of(record)
    state, = services.month_states(tree["city"], year)
    assert (state.jurisdiction, state.month, state.unpublished, state.batches) == (tree["a"], month, 1, [])
    assert state.deadline == services.results_deadline(year, month)[0]
    assert not state.overdue(state.deadline) and state.overdue(state.deadline + datetime.timedelta(days=1))
    assert services.month_states(tree["b"], year) == []  # the other county has nothing to publish

    batch = services.do_prepare_results(jurisdiction=tree["a"], year=year, month=month,
                                        acting_user=users["county_admin"])
    state, = services.month_states(tree["a"], year)
    assert state.unpublished == 0 and state.batches == [batch] and not state.released
    assert state.overdue(state.deadline + datetime.timedelta(days=1))  # prepared, still not out
    services.do_review(batch, acting_user=users["leader"])
    services.do_release(batch, acting_user=users["county_admin"])
    state, = services.month_states(tree["a"], year)
    assert state.released and not state.overdue(state.deadline + datetime.timedelta(days=30))
    late = timezone.make_aware(datetime.datetime.combine(state.deadline + datetime.timedelta(days=2),
                                                         datetime.time(9)))
    Publication.objects.filter(pk=batch.pk).update(released_at=late)
    state, = services.month_states(tree["a"], year)
    assert state.released and state.overdue(state.deadline + datetime.timedelta(days=30))  # out, but late

    # A record reviewed after the batch went out waits for a supplementary batch and is counted again.
    reviewed(another_task(tree, items, team, 42), users)
    state, = services.month_states(tree["a"], year)
    assert state.unpublished == 1 and not state.released
    supplement = services.do_prepare_results(jurisdiction=tree["a"], year=year, month=month,
                                             acting_user=users["county_admin"])
    assert supplement.sequence == 2 and supplement.deadline == batch.deadline


def test_a_rule_added_or_deactivated_after_release_shows_as_pending(tree, items, team, users):
    record = reviewed(another_task(tree, items, team, 51, industry="3360"), users)
    publish(record, users)
    assert services.pending_corrections(tree["a"]) == []
    rule = services.do_add_redaction_rule(jurisdiction=tree["city"], action=RedactionAction.MASK, basis="commercial",
                                          fields=["industry"], reason="工艺涉及商业秘密", industry_prefix="336",
                                          acting_user=users["city_admin"])
    pending = services.pending_corrections(tree["a"])
    assert [p[0].public_id for p in pending] == [record.number] and pending[0][2]["industry_code"] == ""
    services.do_republish_amended(pending[0][0], reason="按规则隐去行业", acting_user=users["county_admin"])
    assert services.pending_corrections(tree["a"]) == []
    services.do_deactivate_redaction_rule(rule, reason="已不涉密", acting_user=users["city_admin"])
    assert [p[2]["industry_code"] for p in services.pending_corrections(tree["a"])] == ["3360"]
