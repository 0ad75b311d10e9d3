"""一公开: what the public portal shows, kept as snapshots.

The portal never reads internal tables (DESIGN §5). What it shows is copied here when a publication is
released — the year's list of targets under random inspection, a month's inspection results — with only
the fields meant for the public, redactions already applied. A later change to internal data does not
touch a publication; only a recorded ``Correction`` does, and the portal shows it as such.

Plans and draws are the exception that proves the rule: their public part (counts per stratum, the inputs
hash, the commitment, the sealed manifest; after reveal the secret and the complete manifest) is fixed at
each ceremony step and cannot change afterwards, so the portal reads it through ``Plan.objects.published()``
and ``published_manifest`` rather than a copy.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shuangsuiji.accounts.scoping import ScopedQuerySet
from shuangsuiji.registry.models import Jurisdiction, Target


class PublicationKind(models.TextChoices):
    ANNUAL_LIST = "annual_list", _("年度随机抽查对象名录")
    RESULTS = "results", _("月度抽查结果")


class PublicationStatus(models.TextChoices):
    """A batch is prepared (a snapshot is taken), reviewed by a second person, then released."""

    PREPARED = "prepared", _("待审核")
    REVIEWED = "reviewed", _("已审核待发布")
    RELEASED = "released", _("已公开")


class PublicationQuerySet(ScopedQuerySet):
    def published(self) -> "PublicationQuerySet":
        return self.filter(status=PublicationStatus.RELEASED)


class Publication(models.Model):
    """One publication batch of one jurisdiction: a month's results, or a year's list of targets.

    A month may have supplementary batches (``sequence`` > 1) for results reviewed after the first batch
    was released; they share the month's deadline and are flagged late when they miss it."""

    jurisdiction = models.ForeignKey(Jurisdiction, verbose_name=_("行政区"), on_delete=models.PROTECT,
                                     related_name="publications")
    kind = models.CharField(_("类型"), max_length=12, choices=PublicationKind.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    month = models.PositiveSmallIntegerField(_("月份"), default=0, help_text=_("年度名录为 0"))
    sequence = models.PositiveSmallIntegerField(_("批次"), default=1)
    status = models.CharField(_("状态"), max_length=10, choices=PublicationStatus.choices,
                              default=PublicationStatus.PREPARED, db_index=True)
    deadline = models.DateField(_("公开期限"))
    deadline_citation = models.CharField(_("期限依据"), max_length=255)
    row_count = models.PositiveIntegerField(_("条数"), default=0)
    withheld_count = models.PositiveIntegerField(_("依法不予公开条数"), default=0)
    prepared_at = models.DateTimeField(_("生成时间"), default=timezone.now)
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("生成人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审核人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    review_note = models.TextField(_("审核意见"), blank=True)
    released_at = models.DateTimeField(_("公开时间"), null=True, blank=True, db_index=True)
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发布人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    scope_field = "jurisdiction"
    objects = models.Manager.from_queryset(PublicationQuerySet)()

    class Meta:
        verbose_name = _("公开批次")
        verbose_name_plural = _("公开批次")
        ordering = ["-year", "-month", "jurisdiction__path", "kind", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "kind", "year", "month", "sequence"],
                                    name="publication_unique_batch"),
            models.CheckConstraint(condition=Q(kind="annual_list", month=0) | Q(kind="results", month__gte=1,
                                                                                 month__lte=12),
                                   name="publication_month_fits_kind"),
            models.CheckConstraint(condition=~Q(status="released") | Q(released_at__isnull=False),
                                   name="publication_released_has_time"),
        ]

    def __str__(self) -> str:
        if self.kind == PublicationKind.ANNUAL_LIST:
            label = _("%(jurisdiction)s%(year)s年随机抽查对象名录")
        else:
            # %(month)d, not %(month)s: the English catalogue writes it %(month)02d, 2026-01 like its dates
            # (it read 2026-1), while Chinese keeps 2026年1月. The same in every message naming a month.
            label = _("%(jurisdiction)s%(year)d年%(month)d月抽查结果")
        text = str(label) % {"jurisdiction": self.jurisdiction.name, "year": self.year, "month": self.month}
        return text if self.sequence == 1 else f"{text}（{_('补充第%(n)s批') % {'n': self.sequence - 1}}）"

    @property
    def is_released(self) -> bool:
        return self.status == PublicationStatus.RELEASED

    def is_overdue(self, today=None) -> bool:
        """Not released by its deadline (still open past it, or released after it)."""
        if self.released_at is not None:
            return timezone.localdate(self.released_at) > self.deadline
        return (today or timezone.localdate()) > self.deadline


class PublishedQuerySet(models.QuerySet):
    publication_path = "publication"

    def published(self):
        """Rows of released publications only: the one gate between snapshots and the portal."""
        return self.filter(**{f"{self.publication_path}__status": PublicationStatus.RELEASED})


class CorrectionQuerySet(PublishedQuerySet):
    publication_path = "result__publication"


class ListedTarget(models.Model):
    """A row of the year's list of sources under random inspection (指导意见 (十一)), as published."""

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="listed_targets")
    year = models.PositiveSmallIntegerField(_("年度"), editable=False)
    """The publication's year, kept on the row: the portal shows a year's list in one order, and a national
    year's million rows are read in that order from one index (``listed_public_order``) instead of being
    joined to their batches and sorted for every page (bench/list_bench.py)."""
    target = models.ForeignKey(Target, on_delete=models.PROTECT, related_name="+",
                               help_text=_("内部关联，不在门户显示"))
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, db_index=True)
    name = models.CharField(_("单位名称"), max_length=128)
    jurisdiction_name = models.CharField(_("行政区"), max_length=64)
    jurisdiction_code = models.CharField(_("行政区划代码"), max_length=12)
    industry_code = models.CharField(_("行业代码"), max_length=5, blank=True)
    industry_name = models.CharField(_("行业名称"), max_length=64, blank=True)
    address = models.CharField(_("地址"), max_length=255, blank=True)
    is_key_unit = models.BooleanField(_("重点排污单位"), default=False)

    objects = models.Manager.from_queryset(PublishedQuerySet)()

    class Meta:
        verbose_name = _("名录公开条目")
        verbose_name_plural = _("名录公开条目")
        ordering = ["publication", "jurisdiction_code", "credit_code"]
        constraints = [models.UniqueConstraint(fields=["publication", "target"], name="listed_target_once")]
        indexes = [models.Index(fields=["-year", "jurisdiction_code", "credit_code", "id"],
                                name="listed_public_order")]

    def __str__(self) -> str:
        return f"{self.name}（{self.credit_code}）"

    def save(self, *args, **kwargs) -> None:
        if self.year is None:
            self.year = self.publication.year
        super().save(*args, **kwargs)


class Outcome(models.TextChoices):
    NO_PROBLEM = "ok", _("未发现问题")
    PROBLEM = "problem", _("发现问题")
    WITHHELD = "withheld", _("依法不予公开")


class PublishedResult(models.Model):
    """One inspection's result as the public reads it (附件 二(四); 指导意见 (十一)).

    Only public fields are copied: who was inspected, when, under which plan, which items, the outcome, each
    problem's handling and penalty decision number. Never an officer's phone, a site manager's name, an ID
    number: those fields do not exist here, and free text is scrubbed of numbers that look personal."""

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="results")
    public_id = models.CharField(_("公开编号"), max_length=48, unique=True,
                                 help_text=_("稳定编号：原始检查记录编号，更正后不变"))
    record = models.ForeignKey("fieldwork.InspectionRecord", on_delete=models.PROTECT, related_name="+",
                               help_text=_("内部关联：当前公开内容所依据的记录，不在门户显示"))
    target = models.ForeignKey(Target, on_delete=models.PROTECT, related_name="+",
                               help_text=_("内部关联，不在门户显示"))
    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="+")
    jurisdiction_name = models.CharField(_("行政区"), max_length=64)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True, db_index=True)
    target_name = models.CharField(_("单位名称"), max_length=128, blank=True)
    industry_code = models.CharField(_("行业代码"), max_length=5, blank=True)
    industry_name = models.CharField(_("行业名称"), max_length=64, blank=True)
    inspected_on = models.DateField(_("检查日期"), db_index=True)
    plan_label = models.CharField(_("抽查计划"), max_length=128, blank=True)
    plan_id = models.PositiveIntegerField(_("计划编号"), null=True, blank=True)
    mode = models.CharField(_("检查方式"), max_length=16, blank=True)
    items = models.JSONField(_("抽查事项"), default=list,
                             help_text=_("[{code, name, outcome}]，outcome 为事项检查结果的中文"))
    outcome = models.CharField(_("检查结果"), max_length=10, choices=Outcome.choices, db_index=True)
    problems = models.JSONField(_("发现的问题及处理"), default=list,
                                help_text=_("[{item, description, handling, deadline, decision_number}]"))
    redactions = models.JSONField(_("隐去的内容"), default=list,
                                  help_text=_("[{field, basis, reason}]：门户显示“依法隐去”及其依据"))
    withheld_basis = models.CharField(_("不予公开依据"), max_length=20, blank=True)
    corrected_at = models.DateTimeField(_("最近更正时间"), null=True, blank=True)
    changed_at = models.DateTimeField(_("最近变更时间"), null=True, blank=True, editable=False)
    """When what the public reads of this row last changed: its batch's release, then each correction (a
    redaction decided after release reaches the portal as a correction too). Empty while the batch is not
    released. Set only by ``do_release`` and ``_write_correction`` (services); the open-data API's
    ``changed_since`` reads it, so a mirror learns of every change without reading everything again."""

    objects = models.Manager.from_queryset(PublishedQuerySet)()

    class Meta:
        verbose_name = _("公开的抽查结果")
        verbose_name_plural = _("公开的抽查结果")
        ordering = ["-inspected_on", "public_id"]
        indexes = [
            models.Index(fields=["jurisdiction", "inspected_on"]),
            models.Index(fields=["industry_code", "inspected_on"]),
            models.Index(fields=["outcome", "inspected_on"]),
            # The sync order of the open-data API (changed_since, after): a page is a range of this index.
            models.Index(fields=["changed_at", "public_id"], name="result_change_order"),
            # The results search's plan_kind filter ("plan_id IN (published plans of the kind)"): without it the
            # page's count read every row; with it a rare kind's rows are found by bitmap (bench/README.md).
            models.Index(fields=["plan_id"], name="result_plan"),
        ]

    def __str__(self) -> str:
        return self.public_id


class RedactionBasis(models.TextChoices):
    """涉及国家秘密、商业秘密和个人隐私 (政府信息公开条例 第十四、十五条)."""

    STATE_SECRET = "state_secret", _("涉及国家秘密")
    COMMERCIAL_SECRET = "commercial", _("涉及商业秘密")
    PRIVACY = "privacy", _("涉及个人隐私")
    LAW = "law", _("法律法规规定不予公开的其他情形")


class RedactionAction(models.TextChoices):
    WITHHOLD = "withhold", _("整条不予公开")
    MASK = "mask", _("隐去字段")


MASKABLE_FIELDS = {
    "target_name": _("单位名称"),
    "credit_code": _("统一社会信用代码"),
    "industry": _("行业"),
    "problems": _("问题描述"),
    "items": _("抽查事项"),
}


class RedactionRule(models.Model):
    """A standing rule: for every result of the matching targets, withhold it or mask fields.

    A rule matches a target by industry-code prefix, or one named target; a county's rule applies in its
    county, a city's in every county of the city."""

    jurisdiction = models.ForeignKey(Jurisdiction, verbose_name=_("行政区"), on_delete=models.PROTECT,
                                     related_name="+")
    industry_prefix = models.CharField(_("行业代码前缀"), max_length=5, blank=True)
    target = models.ForeignKey(Target, verbose_name=_("检查对象"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    action = models.CharField(_("处理"), max_length=10, choices=RedactionAction.choices)
    fields = models.JSONField(_("隐去的字段"), default=list, blank=True)
    basis = models.CharField(_("依据"), max_length=20, choices=RedactionBasis.choices)
    reason = models.TextField(_("理由"))
    active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    scope_field = "jurisdiction"
    objects = models.Manager.from_queryset(ScopedQuerySet)()

    class Meta:
        verbose_name = _("不予公开规则")
        verbose_name_plural = _("不予公开规则")
        constraints = [
            models.CheckConstraint(condition=~Q(industry_prefix="") | Q(target__isnull=False),
                                   name="redaction_rule_matches_something"),
            models.CheckConstraint(condition=~Q(reason=""), name="redaction_rule_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()}：{self.get_basis_display()}"


class RedactionCase(models.Model):
    """A decision about one inspection record: withhold its result or mask fields, with the reason."""

    record = models.ForeignKey("fieldwork.InspectionRecord", verbose_name=_("检查记录"), on_delete=models.PROTECT,
                               related_name="redaction_cases")
    action = models.CharField(_("处理"), max_length=10, choices=RedactionAction.choices)
    fields = models.JSONField(_("隐去的字段"), default=list, blank=True)
    basis = models.CharField(_("依据"), max_length=20, choices=RedactionBasis.choices)
    reason = models.TextField(_("理由"))
    decided_at = models.DateTimeField(_("决定时间"), default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("决定人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    scope_field = "record__target__jurisdiction"
    objects = models.Manager.from_queryset(ScopedQuerySet)()

    class Meta:
        verbose_name = _("个案不予公开决定")
        verbose_name_plural = _("个案不予公开决定")
        constraints = [models.CheckConstraint(condition=~Q(reason=""), name="redaction_case_has_reason")]

    def __str__(self) -> str:
        return f"{self.get_action_display()}：{self.get_basis_display()}"


class Correction(models.Model):
    """A recorded change to a published result; the portal shows every correction with its reason."""

    result = models.ForeignKey(PublishedResult, on_delete=models.PROTECT, related_name="corrections")
    before = models.JSONField(_("更正前"))
    after = models.JSONField(_("更正后"))
    reason = models.TextField(_("更正理由"))
    corrected_at = models.DateTimeField(_("更正时间"), default=timezone.now)
    corrected_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("更正人"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")

    objects = models.Manager.from_queryset(CorrectionQuerySet)()

    class Meta:
        verbose_name = _("公开更正")
        verbose_name_plural = _("公开更正")
        ordering = ["corrected_at", "id"]
        constraints = [models.CheckConstraint(condition=~Q(reason=""), name="correction_has_reason")]

    def __str__(self) -> str:
        return f"{self.result.public_id} {self.corrected_at:%Y-%m-%d}"


class DrawVerification(models.Model):
    """The server's own check of a revealed draw with the standalone verifier's rules, kept for the
    portal's status page (re-run by ``verify_published_draws``)."""

    draw = models.ForeignKey("planning.Draw", on_delete=models.CASCADE, related_name="verifications")
    checked_at = models.DateTimeField(_("验证时间"), default=timezone.now)
    ok = models.BooleanField(_("验证通过"))
    report = models.TextField(_("验证报告"))

    class Meta:
        verbose_name = _("抽取验证")
        verbose_name_plural = _("抽取验证")
        ordering = ["-checked_at", "-id"]

    def __str__(self) -> str:
        return f"{self.draw} {self.checked_at:%Y-%m-%d}"


class ObjectionStatus(models.TextChoices):
    RECEIVED = "received", _("待答复")
    ACCEPTED = "accepted", _("已采纳")
    REJECTED = "rejected", _("不予采纳")


class ObjectionQuerySet(ScopedQuerySet):
    def waiting(self) -> "ObjectionQuerySet":
        return self.filter(status=ObjectionStatus.RECEIVED)


class Objection(models.Model):
    """An inspected enterprise's objection to its published result (异议), and the bureau's answer.

    The portal's one way in: the enterprise names itself by the result's credit code and leaves a contact; the
    county (or the city) answers in writing, and the answer is what the enterprise reads back with its number
    and credit code. A result found wrong is put right the existing way — an amended record, or a recorded
    correction the portal shows — and the answer says so. The contact is for the bureau only, never shown on
    the portal; the address it came from is kept to stop one address flooding the queue."""

    number = models.CharField(_("异议编号"), max_length=20, unique=True)
    result = models.ForeignKey(PublishedResult, verbose_name=_("公开的抽查结果"), on_delete=models.PROTECT,
                               related_name="objections")
    jurisdiction = models.ForeignKey(Jurisdiction, verbose_name=_("行政区"), on_delete=models.PROTECT,
                                     related_name="+", help_text=_("结果所属行政区，由它答复"))
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18)
    organisation = models.CharField(_("提出单位"), max_length=128)
    contact_name = models.CharField(_("联系人"), max_length=32)
    contact_phone = models.CharField(_("联系电话"), max_length=40)
    content = models.TextField(_("异议内容"), max_length=2000)
    received_at = models.DateTimeField(_("收到时间"), default=timezone.now, db_index=True)
    received_from = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=ObjectionStatus.choices,
                              default=ObjectionStatus.RECEIVED, db_index=True)
    reply = models.TextField(_("答复"), blank=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("答复人"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")

    scope_field = "jurisdiction"
    objects = models.Manager.from_queryset(ObjectionQuerySet)()

    class Meta:
        verbose_name = _("异议")
        verbose_name_plural = _("异议")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status=ObjectionStatus.RECEIVED) | (~Q(reply="") & Q(
                answered_at__isnull=False)), name="objection_answer_has_reply"),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("disclosure:objection_detail", args=[self.pk])
