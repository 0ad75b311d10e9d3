"""Fieldwork: the 污染源现场检查记录表, its signatures and attachments, sealing, review, amendments, and the
follow-up of every problem found until it is closed (issue 5; DESIGN §2).

An ``InspectionRecord`` is the record of one visit (a drawn ``planning.Task``, or a ``Recheck`` of a
rectification order). It is a draft while the team fills it — saved and continued, also from a phone
that lost its connection — and is **sealed** when submitted: its content, its item results, each
signature and each attachment's SHA-256 are written in one canonical JSON document whose SHA-256 is the
seal (``fieldwork.sealing``). From then on the database refuses to change the row or its child rows
(triggers of migration 0002 on SQLite and PostgreSQL); a correction is an amendment — a new record that
points to the old one, with its reason and its approval — and both stay on record.

What happens after sealing lives in rows of its own, so the sealed rows never need to change:
``RecordReview`` (the county's 通过 / 退回), ``AmendmentRequest``, ``FollowUp`` (立行立改, 责令改正 with a
``Recheck``, 立案处罚 with the penalty decision, 移交, 移送司法, each open until closed with evidence) and
``OnSiteApproval`` (an on-site check of a positive-list target needs the enforcement unit head's approval).

Rows change only through ``fieldwork.services``.
"""

from collections.abc import Callable
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from shuangsuiji.accounts.models import Role
from shuangsuiji.accounts.scoping import ScopedQuerySet
from shuangsuiji.fieldwork import filetypes
from shuangsuiji.registry.models import CheckItem, Inspector, Target
from shuangsuiji.validators import validate_phone

SEALED_MESSAGE = _("记录已提交封存，不能修改；如需更正，请申请更正（生成一份指向原记录的更正记录）")


class Mode(models.TextChoices):
    ON_SITE = "on_site", _("现场检查")
    OFF_SITE = "off_site", _("非现场检查")


class OffSiteMeans(models.TextChoices):
    """非现场 means the policy names (实施方案 二(六))."""

    ONLINE_MONITORING = "online_monitoring", _("污染源在线监控")
    METERING = "metering", _("分表计电")
    VIDEO = "video", _("视频监控")
    DRONE = "drone", _("无人机飞检")
    REMOTE = "remote", _("远程执法（视频连线）")


class Outcome(models.TextChoices):
    NO_PROBLEM = "ok", _("未发现问题")
    PROBLEM = "problem", _("发现问题")
    NOT_APPLICABLE = "na", _("不涉及")


# A re-check row verifies one order to rectify: the same stored values (sealed as "ok" / "problem", so no sealed
# byte changes) read as what they mean there, 已整改 / 未整改, where a random check's row says 未发现问题 / 发现问题.
RECHECK_OUTCOMES = {
    Outcome.NO_PROBLEM: pgettext_lazy("re-check result", "已整改"),
    Outcome.PROBLEM: pgettext_lazy("re-check result", "未整改"),
}


def recheck_result(unrectified: int) -> str:
    """A re-check's result in a line, "复查：已整改" / "复查：2 项未整改": its rows verify orders, so the number of its
    "problem" rows is what is still not rectified. The record list's 发现问题 column and the firm's past visits say
    it alike; the list said a bare "2" under 发现问题, as if the re-check had found two new problems."""
    if not unrectified:
        return gettext("复查：已整改")
    return ngettext("复查：%(n)s 项未整改", "复查：%(n)s 项未整改", unrectified) % {"n": unrectified}


def outcome_choices(recheck: bool) -> list[tuple[str, str]]:
    """The result choices of a check item: a re-check's rows say 已整改 / 未整改 (``RECHECK_OUTCOMES``)."""
    if not recheck:
        return list(Outcome.choices)
    return [(value, RECHECK_OUTCOMES.get(value, label)) for value, label in Outcome.choices]


class Handling(models.TextChoices):
    """What happens to a problem found (实施方案 二(四); 指导意见 (十五))."""

    RECTIFIED = "rectified", _("立行立改")
    ORDER = "order", _("责令改正")
    CASE = "case", _("立案处罚")
    TRANSFER = "transfer", _("移交有关部门")
    JUDICIARY = "judiciary", _("移送司法机关")


class SignerRole(models.TextChoices):
    OFFICER = "officer", pgettext_lazy("team role", "执法人员")
    EXPERT = "expert", _("外部专家")
    SITE_MANAGER = "site_manager", _("现场负责人")


def task_number(task) -> str:
    """The number a task is known by in the field and on the paper form."""
    return f"RW{task.year}Q{task.quarter}-{task.pk:06d}"


# --- records ------------------------------------------------------------------------------------------------


def owed_by(deadline: date, *, amending: bool, returned: bool, visit_ended: date | None,
            publication_deadline: Callable[[int, int], date | None]) -> tuple[date | None, bool]:
    """When a task's record is owed, and whether that date is its result's publication deadline.

    The task's deadline, unless the open record is an amendment: for a record returned in review the visit
    was made in time, so the corrected record is owed by the deadline its result must be published by (that
    of the month the visit ended in); an amendment asked for after the record passed is owed by no date. The
    inspector's phone (one record at a time) and the 工作台 (annotated in bulk) both decide it here.
    """
    if not amending:
        return deadline, False
    if not returned or visit_ended is None:
        return None, False
    return publication_deadline(visit_ended.year, visit_ended.month), True


class RecordQuerySet(ScopedQuerySet):
    def visible_to(self, user) -> "RecordQuerySet":
        """The scoping gate, narrowed by role (docs/guide/leader.md, "检查记录的草稿"):

        - an inspector sees the records of his own teams only, drafts included (his team writes them);
        - the admins see every record of their scope, drafts included, read-only: a draft past its deadline is
          theirs to chase, and its page says who is writing it and when it was last saved — but a draft of a visit
          only plans above them drew (the city's own inspection of a firm in a county) is that bureau's work in
          progress, as its task is (``planning.permissions.visible_tasks``): the county reads its record once
          submitted, and the city reviews it (``permissions.reviewers``);
        - leaders and department users read submitted records only: a draft is the team's work in progress,
          unsigned, not yet a record (as ``planning.models.past_due`` counts it).
        """
        queryset = super().visible_to(user)
        if user is None or not user.is_authenticated or user.is_superuser:
            return queryset
        if user.role == Role.INSPECTOR:
            return queryset.filter(teams_of(user, "task", "recheck") | rechecked_by(user, "pk"))
        if not user.is_admin_role:
            return queryset.sealed()
        return queryset.filter(Q(sealed_at__isnull=False) | _admin_reads_drafts(user))

    def sealed(self) -> "RecordQuerySet":
        return self.filter(sealed_at__isnull=False)

    def drafts(self) -> "RecordQuerySet":
        return self.filter(sealed_at__isnull=True)

    def awaiting_review(self) -> "RecordQuerySet":
        # NOT EXISTS, not a LEFT JOIN to the review that is NULL: PostgreSQL estimated that join at one row and
        # hashed every review of the country against every sealed record before the scope was applied.
        return self.sealed().exclude(Exists(RecordReview.objects.filter(record=OuterRef("pk"))))

    def publishable(self) -> "RecordQuerySet":
        """Records ready for publication (一公开): sealed, passed in review, and not replaced by an amendment
        that has itself passed. The disclosure portal publishes these and nothing else."""
        passed_amendment = RecordReview.objects.filter(record__amends=OuterRef("pk"), decision=ReviewDecision.PASSED)
        return self.sealed().filter(review__decision=ReviewDecision.PASSED).exclude(Exists(passed_amendment))


def reads_drafts(user) -> bool:
    """Whether the records ``user`` reads (``RecordQuerySet.visible_to``) include drafts: a superuser's, an admin's,
    an officer's (his team's). A leader or a department user reads sealed records only — and so not the values of
    their draft saves in a sealed record's history either."""
    return bool(user.is_superuser or user.is_admin_role or user.role == Role.INSPECTOR)


def _admin_reads_drafts(user) -> Q:
    """The records whose draft an admin of the scope reads (``RecordQuerySet.visible_to``): not those of a visit only
    plans above him drew, that bureau's work in progress."""
    from shuangsuiji.planning.models import TaskPlan

    live = TaskPlan.objects.filter(task=OuterRef("task"), active=True)
    # a re-check's draft follows the firm (a problem's follow-up is the county's too); a visit no live selection
    # holds is reviewed by the firm's admins (``permissions.reviewers``)
    return (Q(task__isnull=True) | ~Exists(live)
            | Exists(live.filter(plan__jurisdiction__path__startswith=user.jurisdiction.path)))


def drafts_unread(user, records: models.QuerySet) -> models.QuerySet:
    """The records of ``records`` whose draft ``user`` does not read, so that their history (the record's page,
    /audit/) withholds the draft's values from him: all of them for a reader of sealed records only
    (``reads_drafts``), and for a county admin the city's own plans' records of his firms — he reads them once
    sealed, never as drafts (``RecordQuerySet.visible_to``), and the values of their saves are those drafts."""
    if not reads_drafts(user):
        return records
    if user.is_superuser or not user.is_admin_role:  # an officer reads his own teams' drafts, and only those
        return records.none()
    return records.exclude(_admin_reads_drafts(user))


def reads_draft_of(user, record: "InspectionRecord") -> bool:
    """Whether ``user`` reads the draft ``record`` was (``drafts_unread``)."""
    return not drafts_unread(user, InspectionRecord.objects.filter(pk=record.pk)).exists()


DRAFT_ACTIONS = ("record.draft", "record.attach", "record.detach", "record.sign", "record.unsign")
"""The events of a record's draft, whose values and reasons are the draft (``reads_drafts``): what was saved, the
names of the files attached or removed (a name can hold a person's or a firm's), who signed which revision. A sealed
record's history lists them to every reader of the record, their values to the readers of drafts only. The start
(task, mode) and the seal say nothing of the draft's content."""

ON_SITE_DRAFT_KEYS = {"record.on_site_request": ("reason",), "record.on_site_approve": ("place",),
                      "record.on_site_reject": ("reason",)}
"""What a positive-list firm's on-site request and its decision hold of the draft (``reads_drafts``): the request's
reason, which may name who complained ("群众郑某举报…"), a rejection's opinion, which no sealed record carries and which
may repeat it, and the place an approval pre-filled. The rest is the approval the record was sealed with
(``sealing.content_document``: who decided, when, what, and the opinion; the page and the PDF show it to every reader
of the record, 实施方案 二(三)'s approval of an on-site check of a 正面清单 firm being the record's evidence that the
visit was lawful): every reader of the sealed record reads who asked and who decided when, and the result, in its
history, and the approval's opinion as the page shows it."""


def teams_of(user, task_path: str, recheck_path: str) -> Q:
    """Rows whose task (or re-check) has ``user``'s inspector in its team: as told (``team_places``), not a merged
    visit's place from another plan's draw before that plan is dispatched."""
    from shuangsuiji.planning.models import TaskMember, team_places

    inspector_id = user.inspector_id or 0
    tasks = TaskMember.objects.filter(team_places(), inspector_id=inspector_id).values("task_id")
    rechecks = Recheck.team.through.objects.filter(inspector_id=inspector_id).values("recheck_id")
    return Q(**{f"{task_path}__in": tasks}) | Q(**{f"{recheck_path}__in": rechecks})


def rechecked_by(user, record_path: str) -> Q:
    """Rows of a record that a re-check of ``user``'s team goes back to: the record that ordered the
    rectification (``record_path`` leads to it, "pk" for the record itself). An officer who took over a
    re-check (substitution) was never on that record's team, yet must read the record and its problems to verify
    them: the re-check page's links to both led him to "not found". Reading only: writing, signing and handling
    the problems stay with the record's own team (``permissions``)."""
    sources = Recheck.objects.filter(pk__in=Recheck.team.through.objects.filter(
        inspector_id=user.inspector_id or 0).values("recheck_id")).values("source_record_id")
    return Q(**{f"{record_path}__in": sources})


class InspectionRecord(models.Model):
    """污染源现场检查记录表: one visit's record; a draft until submitted, then sealed for good."""

    number = models.CharField(_("记录编号"), max_length=40, unique=True)
    task = models.ForeignKey("planning.Task", verbose_name=_("抽查任务"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="records")
    recheck = models.ForeignKey("Recheck", verbose_name=_("复查任务"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="records")
    target = models.ForeignKey(Target, verbose_name=_("检查对象"), on_delete=models.PROTECT,
                               related_name="inspection_records")
    amends = models.OneToOneField("self", verbose_name=_("更正的原记录"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="amendment")
    amendment_reason = models.TextField(pgettext_lazy("amendment", "更正理由"), blank=True)
    amendment_approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("更正批准人"), null=True,
                                              blank=True, on_delete=models.PROTECT, related_name="+")
    amendment_approved_at = models.DateTimeField(_("更正批准时间"), null=True, blank=True)

    mode = models.CharField(_("检查方式"), max_length=10, choices=Mode.choices, default=Mode.ON_SITE)
    off_site_means = models.JSONField(_("非现场检查手段"), default=list, blank=True)
    positive_list = models.BooleanField(_("正面清单企业"), default=False,
                                        help_text=_("检查所在季度的分类结果（无分类时取名录库）"))
    on_site_approval = models.ForeignKey("OnSiteApproval", verbose_name=_("现场检查审批"), null=True, blank=True,
                                         on_delete=models.PROTECT, related_name="+")
    on_site_clue = models.ForeignKey("intake.Clue", verbose_name=_("经批准的线索"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(_("检查开始时间"), null=True, blank=True)
    ended_at = models.DateTimeField(_("检查结束时间"), null=True, blank=True)
    place = models.CharField(_("检查地点"), max_length=255, blank=True)

    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    target_name = models.CharField(_("单位名称"), max_length=128, blank=True)
    legal_representative = models.CharField(_("法定代表人（负责人）"), max_length=64, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=64, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=32, blank=True, validators=[validate_phone])
    address = models.CharField(_("地址"), max_length=255, blank=True)
    permit_number = models.CharField(_("排污许可证编号"), max_length=64, blank=True)

    # A re-check before its 整改期限 has passed is lawful when the firm reports it has rectified early (the seed asks
    # that problems be 按时整改到位, not that the officers wait): the record says so (``services.early_recheck``).
    early_recheck_statement = models.TextField(
        _("提前复查说明"), blank=True,
        help_text=_("整改期限届满前复查的，写明企业何时、以何种方式报告已提前完成整改"))
    findings = models.TextField(_("检查情况"), blank=True,
                                help_text=_("现场（或非现场）检查的总体情况、发现的问题和处理意见"))
    site_manager_name = models.CharField(_("现场负责人姓名"), max_length=64, blank=True)
    site_manager_position = models.CharField(_("职务"), max_length=64, blank=True)
    site_manager_phone = models.CharField(_("电话"), max_length=32, blank=True, validators=[validate_phone])
    site_manager_statement = models.TextField(_("被检查单位意见"), blank=True, default="以上记录属实。")
    site_manager_refused = models.BooleanField(_("现场负责人拒绝签字"), default=False)
    site_manager_refusal_note = models.CharField(_("拒签情况说明"), max_length=255, blank=True)

    revision = models.PositiveIntegerField(_("草稿版本"), default=0,
                                           help_text=_("每次内容修改加一；签名只对签名时的版本有效"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("填写人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(_("草稿保存时间"), default=timezone.now)
    sealed_at = models.DateTimeField(_("提交时间"), null=True, blank=True, db_index=True)
    sealed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("提交人"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    seal_hash = models.CharField(_("封存哈希（SHA-256）"), max_length=64, blank=True)
    sealed_content = models.TextField(_("封存内容（规范JSON）"), blank=True)

    scope_field = "target__jurisdiction"
    objects = models.Manager.from_queryset(RecordQuerySet)()

    class Meta:
        verbose_name = _("现场检查记录")
        verbose_name_plural = _("现场检查记录")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(task__isnull=False) | Q(recheck__isnull=False),
                                   name="record_has_task_or_recheck"),
            models.CheckConstraint(condition=Q(task__isnull=True) | Q(recheck__isnull=True),
                                   name="record_not_both_task_and_recheck"),
            # One original record per visit: double taps and two phones starting at once get the same draft.
            models.UniqueConstraint(fields=["task"], condition=Q(amends__isnull=True, task__isnull=False),
                                    name="record_one_original_per_task"),
            models.UniqueConstraint(fields=["recheck"], condition=Q(amends__isnull=True, recheck__isnull=False),
                                    name="record_one_original_per_recheck"),
            models.CheckConstraint(condition=Q(sealed_at__isnull=True) | ~Q(seal_hash=""),
                                   name="record_sealed_has_hash"),
            models.CheckConstraint(condition=Q(amends__isnull=True) | ~Q(amendment_reason=""),
                                   name="record_amendment_has_reason"),
        ]
        indexes = [
            models.Index(fields=["target", "sealed_at"]),
            # "Has the task a submitted record?" — the overdue tasks and each plan's progress ask it of every task
            # in scope: read from this index alone, not from the records' wide rows (bench/README.md).
            models.Index(fields=["task"], condition=Q(sealed_at__isnull=False), name="record_sealed_task"),
        ]

    def __str__(self) -> str:
        return self.number

    def save(self, *args, **kwargs) -> None:
        # The database refuses too (migration 0002); checking here first gives the reader a sentence.
        if self.pk and InspectionRecord.objects.filter(pk=self.pk, sealed_at__isnull=False).exists():
            raise ValidationError(SEALED_MESSAGE, code="sealed")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("fieldwork:record_detail", args=[self.pk])

    @property
    def is_sealed(self) -> bool:
        return self.sealed_at is not None

    @property
    def visit_sealed_at(self):
        """When the visit this record writes was sealed: the first record of its chain of amendments (an amendment
        corrects that visit, it is not another one), None while that is a draft. A merged visit's plan dispatched
        after it did not send anyone there: the record's sources, items and signers stay those told by then
        (``planning.models.told_selections``, ``team_places_at``)."""
        root, seen = self, set()
        while root.amends_id is not None and root.pk not in seen:
            seen.add(root.pk)
            root = root.amends
        return root.sealed_at

    @property
    def returned_in_review(self) -> bool:
        """An amendment draft the review's 退回 opened (``services.do_review_record``), not one the team asked for:
        both are 更正中, the same state, which the workbench, the task list and the phone's cards name alike; this
        says why it is being corrected (the reviewer asked, and the result waits for it to be published)."""
        return (not self.is_sealed and self.amends_id is not None
                and _review_decision(self.amends) == ReviewDecision.RETURNED)

    @property
    def is_recheck(self) -> bool:
        return self.recheck_id is not None

    @property
    def visit_number(self) -> str:
        return task_number(self.task) if self.task_id else self.recheck.number

    @property
    def state(self) -> str:
        return record_state(self)

    @property
    def site_manager_opinion(self) -> str:
        """The inspected unit's opinion as the record's readers are shown it. A site manager who refused to sign
        gave none unless it was typed: the form's prefilled "以上记录属实。" (the model's default), left as it was
        in a refused record, is not shown as his words. Nothing stored changes."""
        statement = self.site_manager_statement.strip()
        if self.site_manager_refused and statement == self._meta.get_field("site_manager_statement").default:
            return ""
        return statement

    @property
    def place_shown(self) -> str:
        """The place of inspection as the record's page and PDF print it: an off-site check went nowhere, so the
        firm's address the draft was prefilled with (``services._prefill``) is not printed as its place; a place
        the team typed for it (where the monitoring was watched) is. Empty: the page says 未到现场."""
        place = self.place.strip()
        if self.mode != Mode.OFF_SITE:
            return place
        addresses = {self.address.strip(), self.target.address.strip() if self.target_id else ""}
        return "" if place in addresses else place


class RecordState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PENDING = "pending", _("待审核")
    PASSED = "passed", _("已通过（可公开）")
    RETURNED = "returned", _("已退回")
    SUPERSEDED = "superseded", _("已被更正")


def record_state(record: InspectionRecord) -> str:
    if not record.is_sealed:
        return RecordState.DRAFT
    amendment = record.amendment if _has(record, "amendment") else None
    if amendment is not None and amendment.is_sealed and _review_decision(amendment) == ReviewDecision.PASSED:
        return RecordState.SUPERSEDED
    decision = _review_decision(record)
    if decision == ReviewDecision.PASSED:
        return RecordState.PASSED
    if decision == ReviewDecision.RETURNED:
        return RecordState.RETURNED
    return RecordState.PENDING


def _has(obj: models.Model, accessor: str) -> bool:
    try:
        getattr(obj, accessor)
    except models.ObjectDoesNotExist:
        return False
    return True


def _review_decision(record: InspectionRecord) -> str | None:
    return record.review.decision if _has(record, "review") else None


class SealedChild(models.Model):
    """A row that belongs to a record and is sealed with it."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if InspectionRecord.objects.filter(pk=self.record_id, sealed_at__isnull=False).exists():
            raise ValidationError(SEALED_MESSAGE, code="sealed")
        super().save(*args, **kwargs)


class ItemResult(SealedChild):
    """The result of one check item; when a problem is found, how it is handled (one problem per item)."""

    record = models.ForeignKey(InspectionRecord, on_delete=models.CASCADE, related_name="items")
    check_item = models.ForeignKey(CheckItem, verbose_name=_("抽查事项"), on_delete=models.PROTECT, related_name="+")
    order = models.PositiveSmallIntegerField(_("序号"))
    code = models.CharField(_("事项编码"), max_length=32)
    name = models.CharField(_("抽查事项"), max_length=128)
    content = models.TextField(_("检查内容"), blank=True)
    outcome = models.CharField(_("检查结果"), max_length=10, choices=Outcome.choices, blank=True)
    notes = models.TextField(_("问题记录"), blank=True)
    handling = models.CharField(_("处理方式"), max_length=10, choices=Handling.choices, blank=True)
    deadline = models.DateField(_("整改期限"), null=True, blank=True)
    transfer_to = models.CharField(_("移交/移送单位"), max_length=128, blank=True)
    rectification = models.TextField(_("现场整改情况"), blank=True)

    scope_field = "record__target__jurisdiction"

    class Meta:
        verbose_name = _("检查事项结果")
        verbose_name_plural = _("检查事项结果")
        ordering = ["record", "order"]
        constraints = [models.UniqueConstraint(fields=["record", "check_item"], name="itemresult_unique_item")]

    def __str__(self) -> str:
        return f"{self.record_id} {self.code}"

    @property
    def is_problem(self) -> bool:
        return self.outcome == Outcome.PROBLEM

    @property
    def outcome_shown(self) -> str:
        """The result as pages and the PDF say it: on a re-check's record, 已整改 / 未整改 (``RECHECK_OUTCOMES``)."""
        if self.outcome and self.record.recheck_id is not None:
            return str(RECHECK_OUTCOMES.get(self.outcome, self.get_outcome_display()))
        return self.get_outcome_display()


class Signature(SealedChild):
    """A signature drawn on the screen (PNG), bound to the record's content at the moment of signing.

    ``revision`` and ``content_hash`` say which version of the record was signed: any later change of the
    content makes the signature stale, and a record is only sealed with every signature on its final content.
    """

    record = models.ForeignKey(InspectionRecord, on_delete=models.CASCADE, related_name="signatures")
    role = models.CharField(_("身份"), max_length=12, choices=SignerRole.choices)
    inspector = models.ForeignKey(Inspector, verbose_name=pgettext_lazy("one", "执法人员"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("姓名"), max_length=64)
    certificate_number = models.CharField(_("执法证号"), max_length=32, blank=True)
    image = models.BinaryField(_("签名图像（PNG）"))
    image_hash = models.CharField(_("签名图像哈希"), max_length=64)
    revision = models.PositiveIntegerField(_("签名时的草稿版本"))
    content_hash = models.CharField(_("签名时的记录内容哈希"), max_length=64)
    signed_at = models.DateTimeField(_("签名时间"))
    captured_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("采集设备用户"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")

    scope_field = "record__target__jurisdiction"

    class Meta:
        verbose_name = _("签名")
        verbose_name_plural = _("签名")
        ordering = ["record", "role", "id"]
        constraints = [
            models.UniqueConstraint(fields=["record", "inspector"], condition=Q(inspector__isnull=False),
                                    name="signature_one_per_inspector"),
            models.UniqueConstraint(fields=["record"], condition=Q(role="site_manager"),
                                    name="signature_one_site_manager"),
            models.CheckConstraint(condition=Q(role="site_manager", inspector__isnull=True)
                                   | (~Q(role="site_manager") & Q(inspector__isnull=False)),
                                   name="signature_inspector_matches_role"),
        ]

    def __str__(self) -> str:
        return f"{self.record_id} {self.name}"


def attachment_path(instance: "StoredFile", filename: str) -> str:
    now = timezone.now()
    return f"fieldwork/{now:%Y/%m}/{instance.sha256[:2]}/{instance.sha256}{_suffix(filename)}"


def _suffix(filename: str) -> str:
    dot = filename.rfind(".")
    suffix = filename[dot:].lower() if dot > 0 else ""
    return suffix if len(suffix) <= 6 and suffix[1:].isalnum() else ""


INLINE_IMAGES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})


class StoredFile(models.Model):
    """A file kept as evidence: stored under its SHA-256, with the time it was taken and who uploaded it."""

    file = models.FileField(_("文件"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("文件名"), max_length=255)
    content_type = models.CharField(_("类型"), max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    taken_at = models.DateTimeField(_("拍摄/形成时间"), null=True, blank=True)
    caption = models.CharField(_("说明"), max_length=255, blank=True)
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("上传人"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    # A HEIC (or AVIF) photo is stored as the JPEG it was converted to (fieldwork.photos): ``file``, ``size`` and
    # ``sha256`` are the JPEG's, ``original_name`` the name it was sent under, and these say what was sent, so the
    # photo on the phone can be matched with the one in the record. Sealed with the record (sealing.py). The
    # original's bytes are not kept: no page, print or check could use them, and each would be a second file to
    # keep, verify and back up for every such photo.
    converted_from = models.CharField(_("原文件类型"), max_length=100, blank=True,
                                      help_text=_("转换前的类型（如 image/heic）；未转换的为空"))
    original_size = models.PositiveBigIntegerField(_("原文件大小（字节）"), null=True, blank=True)
    original_sha256 = models.CharField(_("原文件 SHA-256"), max_length=64, blank=True)

    class Meta:
        abstract = True

    @property
    def is_image(self) -> bool:
        """A photo the pages show inline; anything else (an SVG too, which could carry script) is downloaded."""
        return self.content_type in INLINE_IMAGES

    @property
    def converted_label(self) -> str:
        """What the photo was converted from, as the pages say it ("HEIC"), or "" when it is stored as sent."""
        return filetypes.label_of(self.converted_from) if self.converted_from else ""

    @property
    def served_name(self) -> str:
        """The name the file is served and saved under: a converted photo's is the JPEG's (IMG_0001.jpg for
        IMG_0001.HEIC), so a download saved to a computer opens as what it is."""
        if not self.converted_from:
            return self.original_name
        dot = self.original_name.rfind(".")
        return (self.original_name[:dot] if dot > 0 else self.original_name) + ".jpg"


class Attachment(SealedChild, StoredFile):
    """A photo or file of the record (照片、录像、材料), sealed with it."""

    record = models.ForeignKey(InspectionRecord, on_delete=models.CASCADE, related_name="attachments")

    scope_field = "record__target__jurisdiction"

    class Meta:
        verbose_name = _("检查附件")
        verbose_name_plural = _("检查附件")
        ordering = ["record", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


# --- after sealing --------------------------------------------------------------------------------------------


class ScopedByTarget(ScopedQuerySet):
    """Scoped through the target's jurisdiction, and for an inspector to his own teams' work."""

    team_paths: tuple[str, str] = ("record__task", "record__recheck")

    def visible_to(self, user) -> "ScopedByTarget":
        queryset = super().visible_to(user)
        if user is not None and user.is_authenticated and not user.is_superuser and user.role == Role.INSPECTOR:
            return queryset.filter(self.inspector_reads(user))
        return queryset

    def inspector_reads(self, user) -> Q:
        """What an inspector reads within his scope: his own teams' work. A subclass widens it here, so the
        jurisdiction scope and the role test stay in ``visible_to`` alone."""
        return teams_of(user, *self.team_paths)


class ReviewDecision(models.TextChoices):
    # the decision as a record's page and history say it (English "Passed", not the reviewer's button "Pass")
    PASSED = "passed", pgettext_lazy("review decision", "通过")
    RETURNED = "returned", pgettext_lazy("review decision", "退回")


class RecordReview(models.Model):
    """The county's review of a sealed record: passed (ready for publication) or returned with a reason.
    A return never edits the record: it opens an amendment (``AmendmentRequest``)."""

    record = models.OneToOneField(InspectionRecord, on_delete=models.PROTECT, related_name="review")
    decision = models.CharField(_("审核结果"), max_length=10, choices=ReviewDecision.choices)
    reason = models.TextField(_("审核意见"), blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审核人"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(_("审核时间"))

    scope_field = "record__target__jurisdiction"
    objects = models.Manager.from_queryset(ScopedByTarget)()

    class Meta:
        verbose_name = _("记录审核")
        verbose_name_plural = _("记录审核")
        ordering = ["-reviewed_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(decision="passed") | ~Q(reason=""),
                                              name="review_return_has_reason")]

    def __str__(self) -> str:
        return f"{self.record_id} {self.decision}"


class RequestState(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("未批准")


class DecidedAs(models.TextChoices):
    """Who wrote a request's decision: the approver (``decision`` as typed) or the system, when a review's return
    opened or answered the request — its words are not stored but said in the reader's language
    (``AmendmentRequest.decision_text``)."""

    TYPED = "", _("审批人填写")
    REVIEW_RETURN = "review_return", _("审核退回时由系统填写")


class AmendmentRequest(models.Model):
    """A request to correct a sealed record. Approved, it creates the amendment draft; the original stays."""

    record = models.ForeignKey(InspectionRecord, verbose_name=_("原记录"), on_delete=models.PROTECT,
                               related_name="amendment_requests")
    reason = models.TextField(pgettext_lazy("amendment", "更正理由"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("申请人"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("申请时间"))
    via_review = models.BooleanField(_("因审核退回"), default=False)
    state = models.CharField(_("审批状态"), max_length=10, choices=RequestState.choices,
                             default=RequestState.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审批人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision = models.TextField(_("审批意见"), blank=True)
    decided_as = models.CharField(_("审批意见来源"), max_length=16, choices=DecidedAs.choices, blank=True)
    amendment = models.OneToOneField(InspectionRecord, verbose_name=pgettext_lazy("amendment", "更正记录"), null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="amendment_request")

    scope_field = "record__target__jurisdiction"
    objects = models.Manager.from_queryset(ScopedByTarget)()

    class Meta:
        verbose_name = _("更正申请")
        verbose_name_plural = _("更正申请")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["record"], condition=Q(state__in=["pending", "approved"]),
                                    name="amendment_one_open_per_record",
                                    violation_error_message=_("该记录已有待审批或已批准的更正申请")),
        ]

    def __str__(self) -> str:
        return f"{self.record} {self.get_state_display()}"

    @property
    def decision_text(self) -> str:
        """The decision in the active language: the system's, said from its code; the approver's, as typed."""
        if self.decided_as == DecidedAs.REVIEW_RETURN:
            return gettext("审核退回，更正后重新提交")
        return self.decision


class OnSiteApproval(models.Model):
    """Approval by the head of the enforcement unit of an on-site check of a positive-list target
    (正面清单企业“非必要不现场”; 实施方案 二(三))."""

    target = models.ForeignKey(Target, verbose_name=_("检查对象"), on_delete=models.PROTECT, related_name="+")
    record = models.ForeignKey(InspectionRecord, verbose_name=_("检查记录"), on_delete=models.PROTECT,
                               related_name="on_site_requests")
    reason = models.TextField(_("现场检查理由"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("申请人"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("申请时间"))
    state = models.CharField(_("审批状态"), max_length=10, choices=RequestState.choices,
                             default=RequestState.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审批人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision = models.TextField(_("审批意见"), blank=True)

    scope_field = "target__jurisdiction"
    objects = models.Manager.from_queryset(ScopedByTarget)()

    class Meta:
        verbose_name = _("正面清单企业现场检查审批")
        verbose_name_plural = _("正面清单企业现场检查审批")
        ordering = ["-requested_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["record"], condition=Q(state="pending"),
                                               name="onsite_one_pending_per_record",
                                               violation_error_message=_("该记录已有待审批的现场检查申请"))]

    def __str__(self) -> str:
        return f"{self.target} {self.get_state_display()}"


class RecheckQuerySet(ScopedQuerySet):
    def visible_to(self, user) -> "RecheckQuerySet":
        queryset = super().visible_to(user)
        if user is not None and user.is_authenticated and not user.is_superuser and user.role == Role.INSPECTOR:
            return queryset.filter(pk__in=Recheck.team.through.objects.filter(
                inspector_id=user.inspector_id or 0).values("recheck_id"))
        return queryset


class RecheckStatus(models.TextChoices):
    OPEN = "open", _("待复查")
    DONE = "done", _("已复查")
    # an amendment of the source record no longer orders rectification (services._cancel_rechecks)
    CANCELLED = "cancelled", _("已取消")


class Recheck(models.Model):
    """复查任务: the visit after a rectification deadline (责令改正), by the officers who ordered it."""

    number = models.CharField(_("复查任务编号"), max_length=40, unique=True)
    source_record = models.ForeignKey(InspectionRecord, verbose_name=_("原检查记录"), on_delete=models.PROTECT,
                                      related_name="rechecks")
    target = models.ForeignKey(Target, verbose_name=_("检查对象"), on_delete=models.PROTECT, related_name="rechecks")
    not_before = models.DateField(_("整改期限"))
    due_date = models.DateField(_("复查期限"))
    planned_on = models.DateField(_("计划复查日期"), null=True, blank=True)
    team = models.ManyToManyField(Inspector, verbose_name=_("复查人员"), related_name="rechecks")
    status = models.CharField(_("状态"), max_length=10, choices=RecheckStatus.choices, default=RecheckStatus.OPEN,
                              db_index=True)
    created_at = models.DateTimeField(_("生成时间"), default=timezone.now)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    # The reason is not stored: it is always the amendment's (``cancel_reason``), said in the reader's language.
    cancelled_by_record = models.ForeignKey(InspectionRecord, verbose_name=_("取消依据的更正记录"), null=True,
                                            blank=True, on_delete=models.PROTECT, related_name="cancelled_rechecks")

    scope_field = "target__jurisdiction"
    objects = models.Manager.from_queryset(RecheckQuerySet)()

    class Meta:
        verbose_name = _("复查任务")
        verbose_name_plural = _("复查任务")
        ordering = ["due_date", "id"]
        constraints = [models.CheckConstraint(condition=~Q(status="cancelled") | Q(cancelled_by_record__isnull=False),
                                              name="recheck_cancelled_has_record")]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("fieldwork:recheck_detail", args=[self.pk])

    @property
    def cancel_reason(self) -> str:
        """Why it was cancelled, in the active language (the reader's; the system's under ``system_language``)."""
        if self.status != RecheckStatus.CANCELLED or self.cancelled_by_record_id is None:
            return ""
        return gettext("经更正记录%(number)s更正，不再责令整改，无需复查") % {"number": self.cancelled_by_record.number}



class RecheckSubstitution(models.Model):
    """An officer of a re-check who cannot go (ill, a recusal found late) replaced by one the admin names
    (``services.do_substitute_recheck_officer``): a re-check's team is not drawn, no ticket chooses."""

    recheck = models.ForeignKey(Recheck, verbose_name=_("复查任务"), on_delete=models.PROTECT,
                                related_name="substitutions")
    old_inspector = models.ForeignKey(Inspector, verbose_name=_("原执法人员"), on_delete=models.PROTECT,
                                      related_name="+")
    new_inspector = models.ForeignKey(Inspector, verbose_name=_("接替的执法人员"), on_delete=models.PROTECT,
                                      related_name="+")
    reason = models.TextField(_("理由"))
    acted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    acted_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("复查人员替换")
        verbose_name_plural = _("复查人员替换")
        ordering = ["recheck", "id"]

    def __str__(self) -> str:
        return f"{self.recheck} {self.old_inspector} → {self.new_inspector}"


class FollowUpStatus(models.TextChoices):
    OPEN = "open", _("处理中")
    CLOSED = "closed", _("已办结")


class ClosedAs(models.TextChoices):
    """Who wrote a follow-up's closing: a person (``closing_note`` as typed) or the system, whose words are
    not stored but said from the linked record or penalty decision in the reader's language (``closing_text``)."""

    TYPED = "", _("办结人填写")
    AMENDED = "amended", _("更正后不再处置")
    RECTIFIED = "rectified", _("复查确认已整改")
    UNRECTIFIED = "unrectified", _("复查发现仍未整改")
    PENALTY = "penalty", _("作出处罚决定")


def sees_problems_through(user) -> bool:
    """Whether problems are ``user``'s to see through, or his bureau's to read (``FollowUpQuerySet.followed_up_by``):
    not a department user's."""
    return user is None or user.is_superuser or user.role != Role.DEPARTMENT


class FollowUpQuerySet(ScopedByTarget):
    def inspector_reads(self, user) -> Q:
        """His teams' problems, and also the problems his re-checks verify (``rechecked_by``)."""
        return super().inspector_reads(user) | rechecked_by(user, "record")

    def open(self) -> "FollowUpQuerySet":
        return self.filter(status=FollowUpStatus.OPEN)

    def overdue(self, today=None) -> "FollowUpQuerySet":
        return self.open().filter(due_date__lt=today or timezone.localdate())

    def followed_up_by(self, user) -> "FollowUpQuerySet":
        """The problems ``user`` is the one to see through (闭环) — or, a leader, whose seeing-through he reads: the
        menu's badge, the workbench's 逾期未办结的问题 and the 现场检查 overview's card count these.

        A problem follows the firm (``permissions.can_follow_up``): the admins of the firm's jurisdiction, the city
        above it included, register its case or transfer, upload its evidence and close it, whoever's plan drew the
        visit — a city plan's visit to a county's firm is the county's to follow up too, and the county is the only
        bureau below the city that may. So it is every problem of the firms of his scope, as ``visible_to`` gates
        them; an inspector's, his teams'. A department user enters a filed case's penalty decision
        (``permissions.can_penalise``) but sees nothing through: the case, the evidence and the closing are the
        admins' and the team's, so none is his queue."""
        return self.visible_to(user) if sees_problems_through(user) else self.none()


class FollowUp(models.Model):
    """The handling of one problem found (闭环): open until closed with evidence.

    ``problem`` is the item result that found it, in the newest sealed record of the visit (an amendment
    carries the follow-up over to its own item result).
    """

    problem = models.OneToOneField(ItemResult, verbose_name=_("问题"), on_delete=models.PROTECT,
                                   related_name="follow_up")
    record = models.ForeignKey(InspectionRecord, verbose_name=_("检查记录"), on_delete=models.PROTECT,
                               related_name="follow_ups")
    target = models.ForeignKey(Target, verbose_name=_("检查对象"), on_delete=models.PROTECT, related_name="follow_ups")
    handling = models.CharField(_("处理方式"), max_length=10, choices=Handling.choices)
    due_date = models.DateField(_("办结期限"))
    status = models.CharField(_("状态"), max_length=10, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN,
                              db_index=True)
    recheck = models.ForeignKey(Recheck, verbose_name=_("复查任务"), null=True, blank=True, on_delete=models.PROTECT,
                                related_name="follow_ups")
    case_number = models.CharField(_("立案编号"), max_length=64, blank=True)
    case_filed_on = models.DateField(_("立案日期"), null=True, blank=True)
    penalty = models.ForeignKey("intake.Penalty", verbose_name=_("处罚决定"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    transfer_reference = models.CharField(_("移交/移送文书编号"), max_length=64, blank=True)
    transferred_on = models.DateField(_("移交/移送日期"), null=True, blank=True)
    opened_at = models.DateTimeField(_("登记时间"))
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("办结人"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    closing_note = models.TextField(_("办结情况"), blank=True)
    closed_as = models.CharField(_("办结方式"), max_length=12, choices=ClosedAs.choices, blank=True)
    closing_record = models.ForeignKey(InspectionRecord, verbose_name=_("复查记录"), null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="closed_follow_ups")

    scope_field = "target__jurisdiction"
    objects = models.Manager.from_queryset(FollowUpQuerySet)()

    class Meta:
        verbose_name = _("问题处置")
        verbose_name_plural = _("问题处置")
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["status", "due_date"])]
        constraints = [models.CheckConstraint(condition=Q(status="open") | Q(closed_at__isnull=False),
                                              name="followup_closed_has_time"),
                       # the system's closing is said from what it links to, so that link is there
                       models.CheckConstraint(condition=Q(closed_as="") | Q(closed_as="penalty", penalty__isnull=False)
                                              | Q(closed_as__in=["amended", "rectified", "unrectified"],
                                                  closing_record__isnull=False),
                                              name="followup_system_closing_has_link")]

    def __str__(self) -> str:
        return f"{self.record.number} {self.get_handling_display()}"

    def get_absolute_url(self) -> str:
        return reverse("fieldwork:followup_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status == FollowUpStatus.OPEN

    def is_overdue(self, today=None) -> bool:
        return self.is_open and self.due_date < (today or timezone.localdate())

    @property
    def closing_text(self) -> str:
        """The closing note in the active language: what the system wrote, said from the record (the amendment
        or the re-check record) or the penalty decision it names; what a person typed, as typed."""
        if self.closed_as == ClosedAs.PENALTY and self.penalty_id is not None:
            return gettext("已作出行政处罚决定（%(number)s）") % {"number": self.penalty.decision_number}
        if self.closing_record_id is None:
            return self.closing_note
        number = {"number": self.closing_record.number}
        if self.closed_as == ClosedAs.AMENDED:
            return gettext("经更正记录%(number)s更正，原认定的问题或处理方式已变更") % number
        if self.closed_as == ClosedAs.RECTIFIED:
            return gettext("复查确认已整改到位（复查记录%(number)s）") % number
        if self.closed_as == ClosedAs.UNRECTIFIED:
            return gettext("复查发现仍未整改到位，按复查记录%(number)s的处理方式继续处置") % number
        return self.closing_note


class FollowUpEvidence(StoredFile):
    """A file that proves a follow-up step: a photo after rectification, a receipt, a decision."""

    follow_up = models.ForeignKey(FollowUp, on_delete=models.PROTECT, related_name="evidence")

    scope_field = "follow_up__target__jurisdiction"

    class Meta:
        verbose_name = _("处置佐证材料")
        verbose_name_plural = _("处置佐证材料")
        ordering = ["follow_up", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class TaskSchedule(models.Model):
    """The day a team plans to visit a drawn task (for the phone's "today" list)."""

    task = models.OneToOneField("planning.Task", on_delete=models.CASCADE, related_name="schedule")
    planned_on = models.DateField(_("计划检查日期"))
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    set_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("检查安排")
        verbose_name_plural = _("检查安排")

    def __str__(self) -> str:
        return f"{self.task_id} {self.planned_on}"


# --- whose work a record is ------------------------------------------------------------------------------------
# A record of a task is the work of the bureau whose plan drew the task (``planning.models.drawn_by``): the city
# carries out its own level's inspections (指导意见 (十四) "市级生态环境部门在做好本级随机抽查工作的同时"), so it
# reviews their records, although the firm is in a county. A re-check's record is the work of whoever owns the
# record it re-checks: its officers are the team that ordered the correction. The problems a record found are not
# counted this way: they follow the firm (``FollowUpQuerySet.followed_up_by``).


def _rechecks_of(tasks: models.QuerySet) -> set[int]:
    """The re-checks that follow up the records of ``tasks``, and those that follow up theirs in turn (a re-check
    that finds the problem again orders another): one query per link of the longest chain, a few ids each."""
    found = set(Recheck.objects.filter(source_record__task__in=tasks).values_list("pk", flat=True))
    frontier = found
    while frontier:
        frontier = set(Recheck.objects.filter(source_record__recheck__in=frontier)
                       .values_list("pk", flat=True)) - found
        found |= frontier
    return found


def owned_by(queryset: models.QuerySet, jurisdictions, path: str = "") -> models.QuerySet:
    """The records (``path=""``) or the rows reaching a record through ``path`` (``"record__"`` for follow-ups)
    that are the work of one of ``jurisdictions`` (ids, or a queryset of them): a record of a task their own plans
    drew, or of a re-check of such a record. A visit two bureaus drew (merged) is each one's."""
    from shuangsuiji.planning.models import Task, TaskPlan

    tasks = Task.objects.filter(Exists(TaskPlan.objects.filter(task=OuterRef("pk"), active=True,
                                                               plan__jurisdiction__in=jurisdictions)))
    return of_tasks(queryset, tasks, path)


def reviewing_selections() -> models.QuerySet:
    """The plans (``TaskPlan`` rows) whose bureaus review the records of their visits (``permissions.reviewers``):
    those told of the visit when it was sealed (``planning.models.told_selections`` at its original record's seal;
    now, while that is a draft). A merged visit's other plan, drawn and not dispatched when the county's record was
    sealed, did not send anyone and was told nothing: its bureau does not review that record, nor count it awaiting
    review, nor decide its amendments — not after its own dispatch either (the record stays that of the plans it was
    written for, as its 检查来源 and 由…审核 say)."""
    from shuangsuiji.planning.models import TaskPlan, told_selections

    seal = models.Subquery(InspectionRecord.objects.filter(task=OuterRef("task"), amends__isnull=True)
                           .values("sealed_at")[:1])
    return TaskPlan.objects.annotate(visit_seal=seal).filter(told_selections(at=models.F("visit_seal")))


def reviewed_by(queryset: models.QuerySet, jurisdictions, path: str = "") -> models.QuerySet:
    """``owned_by``, of the visits ``jurisdictions`` review (``reviewing_selections``): the queues and counts of
    records awaiting review and of the requests their reviewers decide, as ``permissions.can_review`` decides."""
    from shuangsuiji.planning.models import Task

    tasks = Task.objects.filter(Exists(reviewing_selections().filter(task=OuterRef("pk"),
                                                                     plan__jurisdiction__in=jurisdictions)))
    return of_tasks(queryset, tasks, path)


def of_tasks(queryset: models.QuerySet, tasks: models.QuerySet, path: str = "") -> models.QuerySet:
    """The records (or rows reaching a record through ``path``) of ``tasks`` and of the re-checks that follow them
    up: one bureau's work of one quarter on the 完成情况 page, as ``owned_by`` is all of it."""
    return queryset.filter(Q(**{f"{path}task__in": tasks}) | Q(**{f"{path}recheck__in": _rechecks_of(tasks)}))


def owned_in_scope(user, queryset: models.QuerySet, path: str = "") -> models.QuerySet:
    """``owned_by`` any bureau of the user's scope — his jurisdiction and those below it, not the city a county
    reads: a county admin's count leaves the city's own plans' records in his county to the city, which drew them and
    reviews them. Who reviews a merged visit's record is narrower (``reviewed_in_scope``)."""
    return owned_by(queryset, _scope_places(user), path)


def reviewed_in_scope(user, queryset: models.QuerySet, path: str = "") -> models.QuerySet:
    """``reviewed_by`` any bureau of the user's scope (as ``owned_in_scope``): the workbench's, the overview's and the
    record list's 待审核 and the 审批 queue's amendments and on-site requests."""
    return reviewed_by(queryset, _scope_places(user), path)


def _scope_places(user) -> models.QuerySet:
    from shuangsuiji.registry.models import Jurisdiction

    places = Jurisdiction.objects.visible_to(user)
    if user.jurisdiction_id is not None:
        places = places.filter(path__startswith=user.jurisdiction.path)
    return places.values("pk")


def owners(queryset: models.QuerySet, path: str = "", *fields: str, reviewing: bool = False) -> list[dict]:
    """Rows of ``queryset`` grouped by owner: ``{"owner": jurisdiction id, "n": count, **fields}``, the records of
    tasks grouped in the database, the few re-checks' records resolved up their chain to the task they follow up.
    A merged visit's record is in each owner's row (so the rows' sum may exceed the distinct total). ``reviewing``:
    grouped by the bureaus that review them (``reviewing_selections``), as the queues of records awaiting review are.
    """
    from shuangsuiji.planning.models import TaskPlan

    selection = f"{path}task__selections__"
    held = ({f"{selection}in": reviewing_selections().values("pk")} if reviewing else {f"{selection}active": True})
    rows = [{"owner": row[f"{selection}plan__jurisdiction"], "n": row["n"], **{f: row[f] for f in fields}}
            for row in queryset.filter(**held).order_by()
            .values(f"{selection}plan__jurisdiction", *fields).annotate(n=models.Count("pk", distinct=True))]
    rechecked = list(queryset.filter(**{f"{path}recheck__isnull": False}).order_by()
                     .values(f"{path}recheck", *fields))
    if not rechecked:
        return rows
    # re-check → the task its chain of source records starts from
    root: dict[int, int] = {}
    pending = {row[f"{path}recheck"]: {row[f"{path}recheck"]} for row in rechecked}  # link → re-checks it serves
    while pending:
        links = Recheck.objects.filter(pk__in=pending).values_list("pk", "source_record__task",
                                                                    "source_record__recheck")
        following: dict[int, set[int]] = {}
        for pk, task, source_recheck in links:
            if task is not None:
                root.update(dict.fromkeys(pending[pk], task))
            elif source_recheck is not None:
                following.setdefault(source_recheck, set()).update(pending[pk])
        pending = following
    plans: dict[int, set[int]] = {}
    held_plans = reviewing_selections() if reviewing else TaskPlan.objects.filter(active=True)
    for task, place in held_plans.filter(task__in=set(root.values())).values_list(
            "task", "plan__jurisdiction"):
        plans.setdefault(task, set()).add(place)
    for row in rechecked:
        for place in plans.get(root.get(row[f"{path}recheck"]), ()):
            rows.append({"owner": place, "n": 1, **{f: row[f] for f in fields}})
    return rows
