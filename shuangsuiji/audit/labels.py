"""What the audit log's codes mean to a reader: one table of actions, one of the keys of ``changes``.

Every action string a service records (``record_event``, ``PendingEvent``, the ``_event`` helpers of
planning, fieldwork and disclosure) has its label here; a new action without one still shows, as its code,
and ``tests/audit/test_labels.py`` names it. Field names need no entry when they are fields of the event's
model: their ``verbose_name`` and choices say it. ``KEYS`` covers what the models cannot: keys that are
no field of the model the event is about (a plan's ``draw`` number, an import's ``rows``), and a few
fields whose stored values need choices the model field does not declare.

Models are named by string ("app_label.Model.field") and looked up when an event is shown, so this module
imports no app's models and the audit app stays at the bottom of the dependency order.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy


@dataclass(frozen=True)
class Action:
    label: str | Promise
    snapshot: bool = False
    """The event's ``changes`` hold values as they were at the step (a freeze's hash, an import's counts),
    not ``[old, new]`` per field; read as pairs, a list of two secrets would show as "one → the other"."""
    keys: str = ""
    """"app_label.Model.field" whose choices name the keys of ``changes`` (one change per stratum, say)."""
    private_reason: bool = False
    """The event's reason is personal (why an officer recuses himself from a firm): a page that withholds
    ``"reason"`` from its reader (``history_hidden``) shows it withheld, in the reason column and in ``changes``."""
    plain_reason: str = ""
    """A regular expression of the reasons of a ``private_reason`` action that name and do not quote, shown even where
    ``"reason"`` is withheld: a 线索核查's opening names its clue ("线索 #12（2026-05-03 发现）…"), which harms no
    one, while one stored before that rule quoted the clue's text and stays withheld."""


@dataclass(frozen=True)
class Key:
    """How to read a key of ``changes``. ``label`` wins; else the verbose name of ``field`` tells it.
    Values are read with ``choices`` (a dotted path to a Choices class or a dict), else with the choices
    of ``field``."""

    label: str | Promise = ""
    field: str = ""
    choices: str = ""
    named: str | Promise = ""
    """The value is free text a firm or a citizen wrote (an objection's words, the name it gave itself): no history
    and no row of the 审计日志 quotes it — the log is read across the scope and kept for ever, the text on its own
    page by those who handle it. The line says ``named`` % {"object": the event's object, "day": its day} instead
    ("异议 YY20261103-K7M2QX（2026-11-03 提出）"); the stored event keeps the value, so the chain still verifies."""
    numbered: str = ""
    """"app_label.Model" whose primary key the value is, said as "#12" rather than by the row's name: the row is read
    by fewer than the history (a clue, whose name and text may point at who reported it). The line links the row's
    page for a reader its model's ``visible_to`` lets in (``includes/event_changes.html``), and no one else."""
    coded: str = ""
    """"app_label.Model.field" the value is (or lists) a row's code in: an inspector's certificate number, a firm's
    credit code. Said "code（name）" for a reader whose ``visible_to`` holds the row (``display.name_codes``, one
    query per model for a page of events), the code alone for anyone else; the stored event is not touched."""


TARGET_CODE = "registry.Target.credit_code"
CERTIFICATE = "registry.Inspector.certificate_number"

ACTIONS: dict[str, Action] = {
    # registry.services: 两库一单 and the tables every jurisdiction shares
    "target.create": Action(pgettext_lazy("audit action", "新增检查对象")),
    "target.update": Action(pgettext_lazy("audit action", "修改检查对象")),
    "inspector.create": Action(pgettext_lazy("audit action", "新增检查人员")),
    "inspector.update": Action(pgettext_lazy("audit action", "修改检查人员")),
    "checkitem.create": Action(pgettext_lazy("audit action", "新增抽查事项")),
    "checkitem.update": Action(pgettext_lazy("audit action", "修改抽查事项")),
    "department.create": Action(pgettext_lazy("audit action", "新增科室")),
    "department.update": Action(pgettext_lazy("audit action", "修改科室")),
    "jurisdiction.create": Action(pgettext_lazy("audit action", "新增行政区")),
    "jurisdiction.update": Action(pgettext_lazy("audit action", "修改行政区")),
    "specialty.create": Action(pgettext_lazy("audit action", "新增业务专长")),
    "specialty.update": Action(pgettext_lazy("audit action", "修改业务专长")),
    "workdayoverride.create": Action(pgettext_lazy("audit action", "新增工作日调整")),
    "workdayoverride.update": Action(pgettext_lazy("audit action", "修改工作日调整")),
    "inspector.recusal_add": Action(pgettext_lazy("audit action", "添加回避对象"), private_reason=True),
    "inspector.recusal_remove": Action(pgettext_lazy("audit action", "解除回避对象"), private_reason=True),
    "inspector.recusal_update": Action(pgettext_lazy("audit action", "修改回避理由"), private_reason=True),
    "targets.import": Action(pgettext_lazy("audit action", "导入检查对象名录")),
    "inspectors.import": Action(pgettext_lazy("audit action", "导入检查人员名录")),
    "items.import": Action(pgettext_lazy("audit action", "导入抽查事项清单")),
    "recusals.import": Action(pgettext_lazy("audit action", "导入回避名单")),
    # accounts.services
    "user.create": Action(pgettext_lazy("audit action", "新增用户")),
    "user.update": Action(pgettext_lazy("audit action", "修改用户")),
    "user.role_change": Action(pgettext_lazy("audit action", "修改用户角色或范围")),
    "user.deactivate": Action(pgettext_lazy("audit action", "停用账号")),
    "user.reactivate": Action(pgettext_lazy("audit action", "启用账号")),
    "user.password": Action(pgettext_lazy("audit action", "设置密码")),
    "user.permissions": Action(pgettext_lazy("audit action", "修改后台权限")),
    "user.locked_out": Action(pgettext_lazy("audit action", "连续登录失败，账号锁定")),
    "user.unlock": Action(pgettext_lazy("audit action", "解除登录锁定")),
    # accounts.loginrecords: an address refused for every name (LOGIN_ADDRESS_FAILURE_LIMIT); about no one account
    "login.address_locked_out": Action(pgettext_lazy("audit action", "同一地址登录失败过多，地址锁定")),
    # lifted early by the city office (the 审计日志 page, a user's page) or the operator (manage.py lift_address_lock)
    "login.address_unlock": Action(pgettext_lazy("audit action", "解除地址登录锁定"), snapshot=True),
    # a token's events are its owner's (they show in his history); they hold its name and public prefix only
    "apitoken.create": Action(pgettext_lazy("audit action", "创建 API 令牌"), snapshot=True),
    "apitoken.revoke": Action(pgettext_lazy("audit action", "吊销 API 令牌"), snapshot=True),
    # intake.services: outside data and the quarterly classification
    "penalty.create": Action(pgettext_lazy("audit action", "录入行政处罚")),
    "penalty.update": Action(pgettext_lazy("audit action", "修改行政处罚")),
    "penalty.delete": Action(pgettext_lazy("audit action", "删除行政处罚")),
    "complaint.create": Action(pgettext_lazy("audit action", "录入群众举报")),
    "complaint.update": Action(pgettext_lazy("audit action", "修改群众举报")),
    "complaint.delete": Action(pgettext_lazy("audit action", "删除群众举报")),
    "exceedance.create": Action(pgettext_lazy("audit action", "录入在线监测超标")),
    "exceedance.update": Action(pgettext_lazy("audit action", "修改在线监测超标")),
    "exceedance.delete": Action(pgettext_lazy("audit action", "删除在线监测超标")),
    "keyunit.create": Action(pgettext_lazy("audit action", "列入重点排污单位名录")),
    "keyunit.update": Action(pgettext_lazy("audit action", "修改重点排污单位名录条目")),
    "keyunit.remove": Action(pgettext_lazy("audit action", "移出重点排污单位名录")),
    "positivelistentry.create": Action(pgettext_lazy("audit action", "列入正面清单")),
    "positivelistentry.update": Action(pgettext_lazy("audit action", "修改正面清单条目")),
    "clue.report": Action(pgettext_lazy("audit action", "报告线索")),
    "clue.approve": Action(pgettext_lazy("audit action", "批准线索核查")),
    "clue.reject": Action(pgettext_lazy("audit action", "不批准线索核查")),
    "clue.check_opened": Action(pgettext_lazy("audit action", "安排线索核查"), snapshot=True),
    "clue.check_withdrawn": Action(pgettext_lazy("audit action", "撤销线索核查草稿"), snapshot=True),
    "monitoring.import": Action(pgettext_lazy("audit action", "导入在线监测数据"), snapshot=True),
    "classification.run": Action(pgettext_lazy("audit action", "季度分类"), snapshot=True),
    # planning.services: the plan and the draw ceremony (DESIGN §4)
    "plan.create": Action(pgettext_lazy("audit action", "编制抽查计划"), snapshot=True),
    "plan.open_clue_check": Action(pgettext_lazy("audit action", "安排线索核查"), snapshot=True, private_reason=True,
                                   plain_reason=r"线索 #\d+（\d{4}-\d{2}-\d{2} 发现）经批准现场检查"),
    "plan.create_cross_check": Action(pgettext_lazy("audit action", "登记跨部门联合抽查"), snapshot=True),
    "plan.withdraw_draft": Action(pgettext_lazy("audit action", "撤销计划草稿"), snapshot=True),
    "plan.correct_joint": Action(pgettext_lazy("audit action", "修改联合抽查的事项和参加科室")),
    "plan.set_requested": Action(pgettext_lazy("audit action", "调整计划抽查数"), keys="planning.PlanStratum.stratum"),
    "plan.shortfall_approve": Action(pgettext_lazy("audit action", "批准少抽"), snapshot=True),
    "plan.shortfall_reject": Action(pgettext_lazy("audit action", "不批准少抽"), snapshot=True),
    "plan.freeze": Action(pgettext_lazy("audit action", "冻结抽取输入"), snapshot=True),
    "plan.commit": Action(pgettext_lazy("audit action", "承诺密钥"), snapshot=True),
    "plan.public_value": Action(pgettext_lazy("audit action", "录入公开随机数"), snapshot=True),
    "plan.draw": Action(pgettext_lazy("audit action", "抽取"), snapshot=True),
    "plan.dispatch": Action(pgettext_lazy("audit action", "派发任务"), snapshot=True),
    "plan.reveal": Action(pgettext_lazy("audit action", "公开密钥"), snapshot=True),
    "plan.redraw_request": Action(pgettext_lazy("audit action", "申请重新抽取"), snapshot=True),
    "plan.redraw_approve": Action(pgettext_lazy("audit action", "批准重新抽取"), snapshot=True),
    "plan.redraw_reject": Action(pgettext_lazy("audit action", "不批准重新抽取"), snapshot=True),
    "plan.substitute_target": Action(pgettext_lazy("audit action", "递补检查对象"), snapshot=True),
    "plan.substitute_inspector": Action(pgettext_lazy("audit action", "递补执法人员"), snapshot=True),
    "plan.merge_task": Action(pgettext_lazy("audit action", "并入同一单位的另一项任务")),
    "plan.task_merged": Action(pgettext_lazy("audit action", "任务并入另一项任务")),
    # a merged visit takes the earlier deadline of a plan at that plan's dispatch (``planning.services.tells``)
    "plan.task_deadline": Action(pgettext_lazy("audit action", "随计划派发调整完成期限")),
    # fieldwork.services: the field record, its review and amendments, follow-ups
    "task.plan_visit": Action(pgettext_lazy("audit action", "安排检查日期")),
    "record.start": Action(pgettext_lazy("audit action", "开始填写检查记录")),
    "record.draft": Action(pgettext_lazy("audit action", "保存检查记录草稿")),
    "record.attach": Action(pgettext_lazy("audit action", "上传附件")),
    "record.detach": Action(pgettext_lazy("audit action", "删除附件")),
    "record.sign": Action(pgettext_lazy("audit action", "签名")),
    "record.unsign": Action(pgettext_lazy("audit action", "撤销签名")),
    "record.withdrawn": Action(pgettext_lazy("audit action", "任务撤销，草稿停止填写")),
    "record.recheck_cancelled": Action(pgettext_lazy("audit action", "复查取消，草稿停止填写")),
    "record.team_joined": Action(pgettext_lazy("audit action", "计划派发，人员加入检查组"), snapshot=True),
    "record.merge": Action(pgettext_lazy("audit action", "任务并入，草稿增加事项和人员"), snapshot=True),
    "recheck.cancel": Action(pgettext_lazy("audit action", "取消复查任务")),
    "recheck.join": Action(pgettext_lazy("audit action", "更正新增的责令改正并入复查任务")),
    "record.recheck_items": Action(pgettext_lazy("audit action", "复查事项随原记录更正调整")),
    "recheck.substitute_officer": Action(pgettext_lazy("audit action", "替换复查人员")),
    "record.on_site_request": Action(pgettext_lazy("audit action", "申请现场检查")),
    "record.on_site_approve": Action(pgettext_lazy("audit action", "批准现场检查")),
    "record.on_site_reject": Action(pgettext_lazy("audit action", "不批准现场检查")),
    "record.seal": Action(pgettext_lazy("audit action", "提交并封存检查记录")),
    "record.review": Action(pgettext_lazy("audit action", "审核检查记录")),
    "record.amend_request": Action(pgettext_lazy("audit action", "申请更正检查记录")),
    "record.amend_approve": Action(pgettext_lazy("audit action", "批准更正检查记录")),
    "record.amend_reject": Action(pgettext_lazy("audit action", "不批准更正检查记录")),
    "record.amend_start": Action(pgettext_lazy("audit action", "开始更正检查记录")),
    "followup.open": Action(pgettext_lazy("audit action", "登记问题处理")),
    "followup.evidence": Action(pgettext_lazy("audit action", "上传佐证材料")),
    "followup.case": Action(pgettext_lazy("audit action", "登记立案")),
    "followup.penalty": Action(pgettext_lazy("audit action", "登记处罚决定")),
    "followup.transfer": Action(pgettext_lazy("audit action", "登记移交/移送")),
    "followup.close": Action(pgettext_lazy("audit action", "问题办结")),
    # disclosure.services: 一公开
    "disclosure.prepare": Action(pgettext_lazy("audit action", "生成公开批次"), snapshot=True),
    "disclosure.discard": Action(pgettext_lazy("audit action", "作废公开批次"), snapshot=True),
    "disclosure.return": Action(pgettext_lazy("audit action", "审核退回公开批次"), snapshot=True),
    "disclosure.review": Action(pgettext_lazy("audit action", "审核公开批次"), snapshot=True),
    "disclosure.release": Action(pgettext_lazy("audit action", "发布公开批次"), snapshot=True),
    "disclosure.correct": Action(pgettext_lazy("audit action", "更正公开结果")),
    "disclosure.redaction_rule": Action(pgettext_lazy("audit action", "新增不予公开规则"), snapshot=True),
    "disclosure.redaction_rule_off": Action(pgettext_lazy("audit action", "停用不予公开规则")),
    "disclosure.redaction_case": Action(pgettext_lazy("audit action", "个案不予公开决定"), snapshot=True),
    "disclosure.objection_receive": Action(pgettext_lazy("audit action", "收到对公开结果的异议"), snapshot=True),
    "disclosure.objection_answer": Action(pgettext_lazy("audit action", "答复异议"), snapshot=True),
    # demo
    "demo.seed": Action(pgettext_lazy("audit action", "装入演示数据"), snapshot=True),
}

OBJECTION = pgettext_lazy("audit change", "异议 %(object)s（%(day)s 提出）")
"""An objection named, not quoted (``Key.named``): its number and the day it came in."""

KEYS: dict[str, Key] = {
    # Looked up as "<action> <key>", then "<app_label.model_name> <key>", then the model's own field,
    # then "<key>": the same key means different things in different events ("request" is an id when an
    # amendment is asked for, a state when it is decided).
    # the draw ceremony
    "draw": Key(field="planning.Draw.number"),
    "commitment": Key(field="planning.Draw.commitment"),
    "inputs_hash": Key(field="planning.Draw.inputs_hash"),
    "seed": Key(field="planning.Draw.seed"),
    "window_warning": Key(field="planning.Draw.window_warning"),
    "witnesses": Key(field="planning.Draw.witnesses"),
    "reference": Key(field="planning.Draw.public_reference"),
    "plan.public_value source": Key(field="planning.Draw.public_source"),
    "plan.public_value value": Key(field="planning.Draw.public_value"),
    "draw_date": Key(pgettext_lazy("audit change", "抽取日期")),
    "selection_hash": Key(pgettext_lazy("audit change", "抽取结果哈希")),
    "infeasible": Key(pgettext_lazy("audit change", "无法满足的条件")),
    "secrets": Key(pgettext_lazy("audit change", "各次抽取的密钥")),
    "tasks": Key(pgettext_lazy("audit change", "任务数")),
    # a dispatch counts the tasks it sent: a firm drawn by two plans has one task, sent with the first plan
    "plan.dispatch tasks": Key(pgettext_lazy("audit change", "本次派发任务数")),
    "already_dispatched": Key(pgettext_lazy("audit change", "已随其他计划派发的任务数")),
    "period": Key(pgettext_lazy("audit change", "季度")),
    "policy": Key(pgettext_lazy("audit change", "政策")),
    "strata": Key(pgettext_lazy("audit change", "各类别可抽对象数/政策最低数")),
    "stratum": Key(field="planning.PlanStratum.stratum"),
    # a 跨部门联合抽查's facts, in its entry and in a withdrawn draft's event
    "initiator": Key(field="planning.CrossCheck.initiator"),
    "participants": Key(field="planning.CrossCheck.participants"),
    "platform_ref": Key(field="planning.CrossCheck.platform_ref"),
    "deadline": Key(field="planning.CrossCheck.deadline"),
    "targets": Key(field="planning.CrossCheck.targets"),
    "target": Key(pgettext_lazy("audit change", "检查对象")),
    "title": Key(pgettext_lazy("audit change", "计划")),
    "minimum": Key(field="planning.PlanStratum.minimum"),
    "requested": Key(field="planning.PlanStratum.requested"),
    "plan.redraw_approve request": Key(field="planning.RedrawRequest.reason"),
    "plan.redraw_reject request": Key(field="planning.RedrawRequest.reason"),
    # the clue numbered as the opening's reason numbers it ("线索 #12（…发现）"), not named: read through its own gate
    "plan.open_clue_check clue": Key(pgettext_lazy("audit change", "线索编号"), numbered="intake.Clue"),
    # a clue check's firm, a joint check's firms: by credit code as stored, named for a reader who may read them
    "plan.open_clue_check target": Key(pgettext_lazy("audit change", "检查对象统一社会信用代码"), coded=TARGET_CODE),
    "clue.check_opened plan": Key(pgettext_lazy("audit change", "线索核查计划编号")),
    "clue.check_withdrawn plan": Key(pgettext_lazy("audit change", "线索核查计划编号")),
    "plan.create_cross_check initiator": Key(field="planning.CrossCheck.initiator"),
    "plan.create_cross_check participants": Key(field="planning.CrossCheck.participants"),
    "plan.create_cross_check platform_ref": Key(field="planning.CrossCheck.platform_ref"),
    "plan.create_cross_check deadline": Key(field="planning.CrossCheck.deadline"),
    "plan.create_cross_check targets": Key(pgettext_lazy("audit change", "检查对象统一社会信用代码"),
                                           coded=TARGET_CODE),
    "plan.withdraw_draft targets": Key(field="planning.CrossCheck.targets", coded=TARGET_CODE),
    "plan.substitute_target out": Key(pgettext_lazy("audit change", "关停的检查对象"), coded=TARGET_CODE),
    "plan.substitute_target in": Key(pgettext_lazy("audit change", "递补的检查对象"), coded=TARGET_CODE),
    # the manifest names a task by its target's credit code, not by the task number the pages show (RW…)
    "plan.substitute_inspector task": Key(pgettext_lazy("audit change", "任务（检查对象统一社会信用代码）"),
                                          coded=TARGET_CODE),
    "plan.substitute_inspector out": Key(field="planning.Substitution.old_inspector", coded=CERTIFICATE),
    "plan.merge_task merged": Key(pgettext_lazy("audit change", "并入本任务的任务")),
    "plan.merge_task plans": Key(pgettext_lazy("audit change", "所属计划")),
    "plan.merge_task team": Key(pgettext_lazy("audit change", "检查组（执法证号）"), coded=CERTIFICATE),
    "plan.task_merged merged_into": Key(pgettext_lazy("audit change", "并入的任务")),
    "plan.substitute_inspector in": Key(field="planning.Substitution.new_inspector", coded=CERTIFICATE),
    # the field record
    "fieldwork.inspectionrecord off_site_means": Key(choices="shuangsuiji.fieldwork.models.OffSiteMeans"),
    "attachment": Key(pgettext_lazy("audit change", "附件")),
    "file": Key(pgettext_lazy("audit change", "文件")),
    # a recusal's events are the inspector's: which target they bar him from, and why
    "registry.inspector target": Key(pgettext_lazy("audit change", "回避对象"), coded=TARGET_CODE),
    "inspector.recusal_update reason": Key(field="registry.Recusal.reason"),
    "sha256": Key(pgettext_lazy("audit change", "文件哈希（SHA-256）")),
    # a HEIC photo stored as the JPEG it was converted to: what was sent (fieldwork.photos)
    "converted_from": Key(field="fieldwork.Attachment.converted_from"),
    "original_sha256": Key(field="fieldwork.Attachment.original_sha256"),
    "signer": Key(pgettext_lazy("audit change", "签名人")),
    "record.sign role": Key(field="fieldwork.Signature.role"),
    "record.withdrawn task": Key(field="planning.Task.status"),
    "record.recheck_cancelled recheck": Key(field="fieldwork.Recheck.status"),
    "record.team_joined plan": Key(pgettext_lazy("audit change", "派发的计划")),
    "record.team_joined joined": Key(pgettext_lazy("audit change", "加入检查组的人员（执法证号）"), coded=CERTIFICATE),
    "record.team_joined items": Key(pgettext_lazy("audit change", "记录增加的抽查事项")),
    # the task merged into the record's (the record's own task is the one it was merged into)
    "record.merge task": Key(pgettext_lazy("audit change", "并入本任务的任务")),
    "record.merge items": Key(pgettext_lazy("audit change", "增加的抽查事项")),
    "record.merge joined": Key(pgettext_lazy("audit change", "加入检查组的人员（执法证号）"), coded=CERTIFICATE),
    "recheck.join orders": Key(pgettext_lazy("audit change", "并入的责令改正事项")),
    "recheck.join moved": Key(pgettext_lazy("audit change", "改列的事项")),
    "record.recheck_items items": Key(pgettext_lazy("audit change", "复查事项")),
    "record.recheck_items content": Key(pgettext_lazy("audit change", "复查内容（随责令改正更正）")),
    "record.recheck_items dropped": Key(pgettext_lazy("audit change", "删除的复查行及已填内容")),
    "recheck.substitute_officer out": Key(field="fieldwork.RecheckSubstitution.old_inspector"),
    "recheck.substitute_officer in": Key(field="fieldwork.RecheckSubstitution.new_inspector"),
    "image_sha256": Key(field="fieldwork.Signature.image_hash"),
    "content_sha256": Key(pgettext_lazy("audit change", "内容哈希（SHA-256）")),
    "record.seal problems": Key(pgettext_lazy("audit change", "发现问题数")),
    # the request numbered ("现场检查申请：#2"), not a bare "2" read as a count; never its reason, which the record's
    # page withholds from a leader and a department (fieldwork.models.ON_SITE_DRAFT_KEYS)
    "record.on_site_request approval": Key(pgettext_lazy("audit change", "现场检查申请"),
                                           numbered="fieldwork.OnSiteApproval"),
    "record.on_site_approve approval": Key(field="fieldwork.OnSiteApproval.state"),
    "record.on_site_reject approval": Key(field="fieldwork.OnSiteApproval.state"),
    "record.review decision": Key(field="fieldwork.RecordReview.decision"),
    "record.amend_request request": Key(pgettext_lazy("audit change", "更正申请"),
                                        numbered="fieldwork.AmendmentRequest"),
    "record.amend_approve request": Key(field="fieldwork.AmendmentRequest.state"),
    "record.amend_reject request": Key(field="fieldwork.AmendmentRequest.state"),
    "task.plan_visit planned_on": Key(field="fieldwork.TaskSchedule.planned_on"),
    # accounts
    "failures": Key(pgettext_lazy("audit change", "连续登录失败次数")),
    "locked_until": Key(pgettext_lazy("audit change", "锁定至")),
    "user.locked_out address": Key(pgettext_lazy("audit change", "锁定的登录地址")),
    "login.address_locked_out address": Key(pgettext_lazy("audit change", "锁定的登录地址")),
    "login.address_locked_out failures": Key(pgettext_lazy("audit change", "锁定时段内的登录失败次数")),
    "login.address_locked_out names": Key(pgettext_lazy("audit change", "尝试的用户名数")),
    "login.address_locked_out accounts": Key(pgettext_lazy("audit change", "涉及的账号")),
    "login.address_unlock address": Key(pgettext_lazy("audit change", "解除锁定的登录地址")),
    "login.address_unlock locked_until": Key(pgettext_lazy("audit change", "原锁定至")),
    "login.address_unlock failures": Key(pgettext_lazy("audit change", "清除的登录失败次数")),
    "login.address_unlock names": Key(pgettext_lazy("audit change", "尝试的用户名数")),
    "login.address_unlock accounts": Key(pgettext_lazy("audit change", "从该地址的账号锁定一并解除")),
    "api_token": Key(pgettext_lazy("audit change", "API 令牌")),
    "apitoken.create valid_through": Key(pgettext_lazy("audit change", "有效期至")),
    # intake
    "keyunit.remove year": Key(field="intake.KeyUnit.year"),
    "keyunit.remove directory": Key(field="intake.KeyUnit.directory"),
    "keyunit.remove kinds": Key(field="intake.KeyUnit.kinds"),
    "penalty.delete decision_number": Key(field="intake.Penalty.decision_number"),
    "penalty.delete decided_on": Key(field="intake.Penalty.decided_on"),
    "penalty.delete violation": Key(field="intake.Penalty.violation"),
    "complaint.delete reference": Key(field="intake.Complaint.reference"),
    "complaint.delete received_on": Key(field="intake.Complaint.received_on"),
    "complaint.delete content": Key(field="intake.Complaint.content"),
    "exceedance.delete outlet_label": Key(field="intake.Exceedance.outlet"),
    "exceedance.delete pollutant": Key(field="intake.Exceedance.pollutant"),
    "exceedance.delete measured_at": Key(field="intake.Exceedance.measured_at"),
    "exceedance.delete value": Key(field="intake.Exceedance.value"),
    "exceedance.delete limit": Key(field="intake.Exceedance.limit"),
    "monitoring.import created": Key(field="intake.MonitoringImport.exceedances_new"),
    "monitoring.import known": Key(field="intake.MonitoringImport.exceedances_known"),
    "monitoring.import updated": Key(pgettext_lazy("audit change", "更正的超标数据")),
    "monitoring.import withdrawn": Key(pgettext_lazy("audit change", "更正后不再超标的数据")),
    # imports of the registries
    "rows": Key(pgettext_lazy("audit change", "行数")),
    "created": Key(pgettext_lazy("audit change", "新增")),
    "updated": Key(pgettext_lazy("audit change", "更新")),
    "unchanged": Key(pgettext_lazy("audit change", "未变")),
    # 一公开
    "withheld": Key(field="disclosure.Publication.withheld_count"),
    "late": Key(pgettext_lazy("audit change", "逾期")),
    "batch": Key(pgettext_lazy("audit change", "批次")),
    "disclosure.redactionrule fields": Key(choices="shuangsuiji.disclosure.models.MASKABLE_FIELDS"),
    "disclosure.redactioncase fields": Key(choices="shuangsuiji.disclosure.models.MASKABLE_FIELDS"),
    # an objection's own words and the name its firm gave itself: events stored before they were left out name them
    "disclosure.objection_receive organisation": Key(field="disclosure.Objection.organisation", named=OBJECTION),
    "disclosure.objection_receive content": Key(field="disclosure.Objection.content", named=OBJECTION),
    # the demo load's counts (demo.services.seed_demo), what was made of each kind
    "demo.seed scale": Key(pgettext_lazy("audit change", "演示规模")),
    "demo.seed seed": Key(pgettext_lazy("audit change", "生成种子")),
    "demo.seed today": Key(pgettext_lazy("audit change", "演示中的“今天”")),
    "demo.seed jurisdictions": Key(pgettext_lazy("audit change", "行政区数")),
    "demo.seed departments": Key(pgettext_lazy("audit change", "科室数")),
    "demo.seed check_items": Key(pgettext_lazy("audit change", "抽查事项数")),
    "demo.seed targets": Key(pgettext_lazy("audit change", "检查对象数")),
    "demo.seed outlets": Key(pgettext_lazy("audit change", "排放口数")),
    "demo.seed target_history": Key(pgettext_lazy("audit change", "检查对象变更记录数")),
    "demo.seed inspectors": Key(pgettext_lazy("audit change", "执法人员数")),
    "demo.seed recusals": Key(pgettext_lazy("audit change", "回避关系数")),
    "demo.seed users": Key(pgettext_lazy("audit change", "演示账号数")),
    "demo.seed penalties": Key(pgettext_lazy("audit change", "行政处罚数")),
    "demo.seed complaints": Key(pgettext_lazy("audit change", "信访投诉数")),
    "demo.seed exceedances": Key(pgettext_lazy("audit change", "在线监测超标数")),
    "demo.seed monitoring_imports": Key(pgettext_lazy("audit change", "在线监测导入次数")),
    "demo.seed key_units": Key(pgettext_lazy("audit change", "重点排污单位数")),
    "demo.seed positive_list": Key(pgettext_lazy("audit change", "正面清单企业数")),
    "demo.seed clues": Key(pgettext_lazy("audit change", "线索数")),
    "demo.seed classified_quarters": Key(pgettext_lazy("audit change", "已分类的季度数")),
    "demo.seed plans": Key(pgettext_lazy("audit change", "抽查计划数")),
    "demo.seed joint_plans": Key(pgettext_lazy("audit change", "内部联合抽查计划数")),
    "demo.seed tasks": Key(pgettext_lazy("audit change", "抽查任务数")),
    "demo.seed planned_quarters": Key(pgettext_lazy("audit change", "已抽取的季度数")),
    "demo.seed clue_checks": Key(pgettext_lazy("audit change", "线索核查数")),
    "demo.seed cross_checks": Key(pgettext_lazy("audit change", "跨部门联合抽查数")),
    "demo.seed tasks_undone": Key(pgettext_lazy("audit change", "未检查的任务数")),
    "demo.seed tasks_in_progress": Key(pgettext_lazy("audit change", "检查中的任务数")),
    "demo.seed records_with_problems": Key(pgettext_lazy("audit change", "发现问题的记录数")),
    "demo.seed records": Key(pgettext_lazy("audit change", "检查记录数")),
    "demo.seed records_off_site": Key(pgettext_lazy("audit change", "非现场检查记录数")),
    "demo.seed reviews": Key(pgettext_lazy("audit change", "记录审核数")),
    "demo.seed amendments": Key(pgettext_lazy("audit change", "记录更正数")),
    "demo.seed recheck_records": Key(pgettext_lazy("audit change", "复查记录数")),
    "demo.seed follow_ups": Key(pgettext_lazy("audit change", "问题处置数")),
    "demo.seed follow_ups_open": Key(pgettext_lazy("audit change", "未办结的问题数")),
    "demo.seed follow_ups_overdue": Key(pgettext_lazy("audit change", "逾期未办结的问题数")),
    "demo.seed rechecks": Key(pgettext_lazy("audit change", "复查任务数")),
    "demo.seed problem_share_percent": Key(pgettext_lazy("audit change", "发现问题的记录占比（%）")),
    "demo.seed batches": Key(pgettext_lazy("audit change", "公开批次数")),
    "demo.seed late_batches": Key(pgettext_lazy("audit change", "逾期公开的批次数")),
    "demo.seed unreleased_batches": Key(pgettext_lazy("audit change", "未发布的批次数")),
    "demo.seed listed": Key(pgettext_lazy("audit change", "名录所列企业数")),
    "demo.seed published_results": Key(pgettext_lazy("audit change", "已公开的结果数")),
    "demo.seed withheld": Key(pgettext_lazy("audit change", "不予公开的结果数")),
    "demo.seed corrections": Key(pgettext_lazy("audit change", "公开结果更正数")),
    "demo.seed objections": Key(pgettext_lazy("audit change", "异议数")),
    "demo.seed verified_draws": Key(pgettext_lazy("audit change", "已核验的抽取数")),
}

ITEM_MODELS: dict[str, str] = {"fieldwork.inspectionrecord": "fieldwork.ItemResult"}
"""A record's draft saves each item's fields as "<item code>.<field>": the field is one of this model's."""
