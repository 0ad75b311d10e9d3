"""An audit event as a reader says it: action labels, field names from the model, values as the model shows them."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.template import Context, Template
from django.utils import translation

from shuangsuiji.audit.display import action_label, changes_of, field_of, reason_of, withheld
from shuangsuiji.audit.models import Event
from shuangsuiji.fieldwork.models import InspectionRecord
from shuangsuiji.intake.models import Penalty
from shuangsuiji.planning.models import Plan
from shuangsuiji.registry.models import Inspector, Target

pytestmark = pytest.mark.django_db


def event(action: str, model: type | None, changes) -> Event:
    """An event as a history page gets it; unsaved, since only its fields are read."""
    content_type = ContentType.objects.get_for_model(model) if model is not None else None
    return Event(action=action, content_type=content_type, object_id="1", changes=changes)


def said(e: Event) -> list[str]:
    return [f"{c.label}：{c.before} → {c.after}" if c.pair else f"{c.label}：{c.after}" for c in changes_of(e)]


def test_a_choice_field_shows_its_verbose_name_and_the_choices_labels():
    assert said(event("target.update", Target, {"category": ["special", "general"]})) == [
        "监管类别：特殊监管对象 → 一般排污单位"]


def test_a_boolean_reads_yes_or_no():
    assert said(event("target.update", Target, {"positive_list": [False, True]})) == ["正面清单：否 → 是"]


def test_dates_read_year_month_day_and_times_in_local_time():
    changes = {"status": ["active", "defunct"], "defunct_date": [None, "2021-03-01"]}
    assert said(event("target.update", Target, changes)) == ["状态：在营 → 已注销/关停",
                                                             "注销/关停日期：— → 2021-03-01"]
    # 02:30 UTC is 10:30 in Shanghai, the bureau's time zone
    started = {"started_at": ["2021-03-01T02:30:00+00:00", "2021-03-01T03:00:00Z"]}
    assert said(event("record.draft", InspectionRecord, started)) == [
        "检查开始时间：2021-03-01 10:30 → 2021-03-01 11:00"]


def test_none_and_empty_read_as_a_dash():
    assert said(event("target.update", Target, {"address": ["保定市涞水县", None], "contact_name": ["", "王五"]})
                ) == ["地址：保定市涞水县 → —", "联系人：— → 王五"]


def test_an_unknown_action_shows_its_code_and_an_unknown_field_its_key():
    assert action_label("target.teleport") == "target.teleport"
    assert said(event("target.teleport", Target, {"wormhole": ["a", "b"]})) == ["wormhole：a → b"]
    assert said(event("target.update", Target, {"wormhole": [1, 2]})) == ["wormhole：1 → 2"]


def test_actions_read_in_words_with_their_code_kept_for_support_staff(tree):
    assert action_label("target.update") == "修改检查对象"
    assert action_label("plan.freeze") == "冻结抽取输入"
    html = Template("{% load audit %}{% for event in history %}{{ event.action|action_label }}{% endfor %}").render(
        Context({"history": [event("record.seal", None, {})]}))
    assert html == "提交并封存检查记录"
    page = Template('{% include "includes/history.html" %}').render(Context({"history": [
        event("target.update", Target, {"category": ["general", "key"]}), event("target.teleport", Target, {})]}))
    assert '<span title="target.update">修改检查对象</span>' in page
    assert "<code>target.teleport</code>" in page


def test_a_foreign_key_names_the_row_and_many_to_many_lists_join(tree, users):
    changes = {"jurisdiction_id": [tree["a"].pk, tree["b"].pk], "specialties": [["大气", "水"], ["大气"]]}
    assert said(event("inspector.update", Inspector, changes)) == ["行政区：涞水县 → 阜平县",
                                                                   "业务专长：大气、水 → 大气"]


def test_fields_follow_the_models_order_whatever_order_the_database_kept():
    changes = {"positive_list": [False, True], "name": ["甲", "乙"], "category": ["general", "key"]}
    assert [c.key for c in changes_of(event("target.update", Target, changes))] == ["name", "category",
                                                                                      "positive_list"]


def test_a_creation_lists_what_was_filled_in():
    changes = {"name": [None, "甲公司"], "address": [None, ""], "category": [None, "key"],
               "positive_list": [None, False]}
    assert said(event("target.create", Target, changes)) == ["单位名称：甲公司", "监管类别：重点排污单位",
                                                             "正面清单：否"]


def test_a_steps_snapshot_is_read_as_values_not_as_old_and_new():
    # two draws' secrets: as a pair they would read "#1 … → #2 …"
    secrets = {"secrets": ["#1 aaaa", "#2 bbbb"]}
    assert said(event("plan.reveal", Plan, secrets)) == ["各次抽取的密钥：#1 aaaa、#2 bbbb"]
    public = {"draw": 1, "source": "dice", "witnesses": "张三、李四"}
    assert said(event("plan.public_value", Plan, public)) == ["第几次抽取：1", "公开随机数来源：现场掷骰（见证人）",
                                                               "见证人：张三、李四"]
    assert said(event("plan.create", Plan, {"kind": "joint", "check_items": ["C-1", "C-2"]})) == [
        "类型：内部联合抽查", "抽查事项：C-1、C-2"]
    # what a step had nothing for (no warning, no departments) is left out
    drawn = {"draw": 1, "window_warning": "", "infeasible": [], "tasks": 5}
    assert said(event("plan.draw", Plan, drawn)) == ["第几次抽取：1", "任务数：5"]
    nested = {"counts": {"key": 3, "special": [1, 2]}}
    assert said(event("classification.run", None, nested)) == ["counts：key: 3；special: 1、2"]


def test_keys_named_by_an_actions_table_and_item_fields_of_a_draft():
    assert said(event("plan.set_requested", Plan, {"special": [1, 2]})) == ["特殊监管对象：1 → 2"]
    draft = {"C-1.outcome": ["", "problem"], "off_site_means": [[], ["video", "drone"]]}
    assert said(event("record.draft", InspectionRecord, draft)) == [
        "非现场检查手段：— → 视频监控、无人机飞检", "C-1 检查结果：— → 发现问题"]


def test_english_reads_the_same_event_in_english():
    with translation.override("en"):
        assert action_label("target.update") == "Target changed"
        assert said(event("target.update", Target, {"positive_list": [False, True]})) == ["Positive list：No → Yes"]
        assert said(event("classification.run", None, {"counts": {"key": 3, "special": [1, 2]}})) == [
            "counts：key: 3; special: 1, 2"]  # English marks between the parts
        assert "特殊" not in said(event("target.update", Target, {"category": ["special", "general"]}))[0]


def test_a_decimal_reads_alike_however_it_was_stored():
    # The form stores the old value as the database gave it ("50000.00") and the new one as typed (80000).
    assert said(event("penalty.update", Penalty, {"amount": ["50000.00", 80000]})) == [
        "罚款金额（元）：50,000.00 → 80,000.00"]
    assert said(event("penalty.update", Penalty, {"amount": [None, "1234.5"]})) == ["罚款金额（元）：1,234.50"]
    with translation.override("en"):
        assert said(event("penalty.update", Penalty, {"amount": ["0.5", "not a number"]}))[0].endswith(
            "0.50 → not a number")


def test_an_accounts_event_reads_in_english_with_its_stored_chinese_values_and_django_field_names_capitalised(users):
    # the password event stores "已设置" in the system's language; Django names its own fields in lower case
    from shuangsuiji.accounts.models import User

    with translation.override("en"):
        assert said(event("user.password", User, {"password": [None, "已设置"]})) == ["Password：set"]
        assert said(event("user.password", User, {"password": [None, "已停用密码登录"]})) == [
            "Password：password sign-in disabled"]
        assert said(event("user.create", User, {"username": [None, "wangwu"], "is_active": [None, True]})) == [
            "Username：wangwu", "Active：Yes"]
    assert said(event("user.password", User, {"password": [None, "已设置"]})) == ["密码：已设置"]


def test_a_page_withholds_one_key_or_the_reason_of_one_actions_events():
    """``field_of(action, key)``: that action's key (or its reason), not the same key of another action's events."""
    approve = event("record.on_site_approve", InspectionRecord,
                    {"approval": ["pending", "approved"], "place": ["", "甲厂"]})
    approve.reason = "同意现场核实"
    request = event("record.on_site_request", InspectionRecord, {"approval": [None, 7]})
    request.reason = "群众郑某举报"
    hidden = {field_of("record.on_site_approve", "place"), field_of("record.on_site_request", "reason")}
    # the record's field first, then the key of the action's table (the model's order)
    lines = [(c.label, c.after) for c in changes_of(approve, hidden)]
    assert lines == [("检查地点", withheld()), ("审批状态", "已批准")]
    assert reason_of(approve, hidden) == "同意现场核实"
    assert reason_of(request, hidden) == withheld()
    assert [c.after for c in changes_of(request, hidden)] == ["#7"]


def test_a_request_is_numbered_not_a_bare_id():
    """"现场检查申请：2" read as a count; the request is said "#2", as a clue is; its reason stays out of the line."""
    request = event("record.on_site_request", InspectionRecord, {"approval": [None, 2]})
    request.reason = "群众郑某举报"
    assert said(request) == ["现场检查申请：#2"]
    amend = event("record.amend_request", InspectionRecord, {"request": [None, 5]})
    assert said(amend) == ["更正申请：#5"]
