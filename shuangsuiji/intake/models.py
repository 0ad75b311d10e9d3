"""Outside data the quarterly classification rests on, and the classification itself.

The bureau does not decide here who was penalised or complained about: those facts arrive from the
环境行政处罚系统, the 信访举报系统 and the 在线监测 platform (by Excel import or by form), and the
city publishes the year's 重点排污单位名录 and the 正面清单. From them, each quarter, ``Classification``
says for every active target which category it is in and whether it takes part in on-site draws — with
the reasons and links to the records behind them (指导意见 二(二); 实施方案 二(二)、二(三)).

Rows change only through ``intake.services`` (one transaction, one audit event each). Every model is
scoped through its target's jurisdiction (``scope_field``), so the scoping gate applies to all of them.
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shuangsuiji.accounts.models import Role
from shuangsuiji.accounts.scoping import ScopedManager, ScopedQuerySet
from shuangsuiji.registry.models import Category, Department, Jurisdiction, Outlet, Target
from shuangsuiji.validators import validate_past_day


def quarter_label(year: int, quarter: int) -> str:
    return _("%(year)s年第%(quarter)s季度") % {"year": year, "quarter": quarter}


class Source(models.TextChoices):
    """How a record entered the system."""

    FORM = "form", _("手工录入")
    IMPORT = "import", _("Excel导入")
    FIELDWORK = "fieldwork", _("现场检查")


class Penalty(models.Model):
    """行政处罚: a penalty decision against a target (from the 环境行政处罚系统, or from fieldwork)."""

    decision_number = models.CharField(_("处罚决定书文号"), max_length=64, unique=True)
    decided_on = models.DateField(_("处罚决定日期"), db_index=True, validators=[validate_past_day])
    target = models.ForeignKey(Target, verbose_name=_("检查对象"), on_delete=models.PROTECT, related_name="penalties")
    department = models.ForeignKey(Department, verbose_name=_("作出处罚的科室"), on_delete=models.PROTECT,
                                   related_name="penalties")
    violation = models.TextField(_("违法行为"))
    amount = models.DecimalField(_("罚款金额（元）"), max_digits=14, decimal_places=2, null=True, blank=True,
                                 validators=[MinValueValidator(0, _("罚款金额不能为负数"))])
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices, default=Source.FORM)
    source_reference = models.CharField(_("来源编号"), max_length=64, blank=True,
                                        help_text=_("如现场检查记录编号"))
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("录入人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    scope_field = "target__jurisdiction"
    objects = ScopedManager()

    class Meta:
        verbose_name = _("行政处罚")
        verbose_name_plural = _("行政处罚")
        ordering = ["-decided_on", "-id"]
        indexes = [models.Index(fields=["target", "decided_on"])]
        constraints = [models.CheckConstraint(condition=Q(amount__isnull=True) | Q(amount__gte=0),
                                              name="penalty_amount_not_negative")]

    def __str__(self) -> str:
        return self.decision_number

    def get_absolute_url(self) -> str:
        return reverse("intake:penalty_detail", args=[self.pk])


class Channel(models.TextChoices):
    HOTLINE = "12369", _("12369环保举报热线")
    LETTER = "letter", _("信件")
    ONLINE = "online", _("网络")
    VISIT = "visit", _("来访")
    OTHER = "other", _("其他")


class Complaint(models.Model):
    """群众举报 about pollution by a target (from the 信访举报系统).

    Every complaint received in the window counts toward 特殊监管对象, verified or not: the policy's
    words are 因环境污染问题被群众举报的 (being reported), and the higher inspection ratio is how an
    unverified complaint gets checked. ``verified`` is shown with the evidence so a reader sees which
    ones were substantiated (``intake.rules``).
    """

    reference = models.CharField(_("举报编号"), max_length=64, unique=True)
    received_on = models.DateField(_("受理日期"), db_index=True, validators=[validate_past_day])
    channel = models.CharField(_("举报渠道"), max_length=10, choices=Channel.choices)
    target = models.ForeignKey(Target, verbose_name=_("被举报对象"), on_delete=models.PROTECT,
                               related_name="complaints")
    content = models.TextField(_("举报内容"))
    verified = models.BooleanField(_("经核实属实"), default=False)
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices, default=Source.FORM)
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("录入人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    scope_field = "target__jurisdiction"
    objects = ScopedManager()

    class Meta:
        verbose_name = _("群众举报")
        verbose_name_plural = _("群众举报")
        ordering = ["-received_on", "-id"]
        indexes = [models.Index(fields=["target", "received_on"])]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("intake:complaint_detail", args=[self.pk])


class MonitoringImport(models.Model):
    """One import of hourly online-monitoring readings: what the file held and what was kept.

    Only readings above their limit are stored (as ``Exceedance``); the rest are counted here, so the
    bureau can show how much data a classification looked at without keeping millions of rows.
    """

    jurisdiction = models.ForeignKey(Jurisdiction, verbose_name=_("导入范围"), on_delete=models.PROTECT,
                                     related_name="+")
    file_name = models.CharField(_("文件名"), max_length=255)
    first_reading = models.DateTimeField(_("最早监测时间"), null=True)
    last_reading = models.DateTimeField(_("最晚监测时间"), null=True)
    readings = models.PositiveIntegerField(_("监测数据条数"))
    outlets = models.PositiveIntegerField(_("排口数"))
    within_limit = models.PositiveIntegerField(_("达标数据条数"))
    exceedances_new = models.PositiveIntegerField(_("新增超标数据条数"))
    exceedances_known = models.PositiveIntegerField(_("已导入过的超标数据条数"))
    exceedances_updated = models.PositiveIntegerField(_("更正的超标数据条数"), default=0)
    exceedances_withdrawn = models.PositiveIntegerField(_("更正后不再超标的条数"), default=0)
    imported_at = models.DateTimeField(_("导入时间"), auto_now_add=True)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("导入人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    scope_field = "jurisdiction"
    objects = ScopedManager()

    class Meta:
        verbose_name = _("在线监测数据导入")
        verbose_name_plural = _("在线监测数据导入")
        ordering = ["-imported_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.imported_at:%Y-%m-%d %H:%M})"


class Exceedance(models.Model):
    """一次在线监测超标: one reading of one pollutant at one outlet above its limit.

    ``target`` repeats ``outlet.target`` on purpose: the classification counts exceedances per outlet
    and target over a quarter, and the scoping gate filters them, across tens of thousands of rows —
    one join fewer on both paths. Outlets never change target, so the copy cannot drift.
    """

    outlet = models.ForeignKey(Outlet, verbose_name=_("排口"), on_delete=models.PROTECT, related_name="exceedances")
    target = models.ForeignKey(Target, verbose_name=_("检查对象"), on_delete=models.PROTECT,
                               related_name="exceedances")
    pollutant = models.CharField(_("污染物"), max_length=32)
    measured_at = models.DateTimeField(_("监测时间"))
    value = models.DecimalField(_("监测值"), max_digits=16, decimal_places=4)
    limit = models.DecimalField(_("标准限值"), max_digits=16, decimal_places=4)
    unit = models.CharField(_("单位"), max_length=16, blank=True)
    batch = models.ForeignKey(MonitoringImport, verbose_name=_("导入批次"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="exceedances")

    scope_field = "target__jurisdiction"
    objects = ScopedManager()

    class Meta:
        verbose_name = _("在线监测超标")
        verbose_name_plural = _("在线监测超标")
        ordering = ["-measured_at", "outlet_id", "pollutant"]
        constraints = [
            models.UniqueConstraint(fields=["outlet", "pollutant", "measured_at"], name="exceedance_unique_reading",
                                    violation_error_message=_("该排口这一污染物在这一时刻的超标数据已经录入")),
            models.CheckConstraint(condition=Q(value__gt=F("limit")), name="exceedance_above_limit",
                                   violation_error_message=_("监测值不大于标准限值，不是超标数据")),
        ]
        indexes = [models.Index(fields=["target", "measured_at"])]

    def __str__(self) -> str:
        # the outlet's code and Beijing time, as the monitoring platform shows them (not a row id and UTC)
        return f"{self.outlet.code} {self.pollutant} {timezone.localtime(self.measured_at):%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("intake:exceedance_detail", args=[self.pk])

    def outlet_label(self) -> str:
        """The outlet as people name it (code and name): what a deletion's event keeps of it."""
        return f"{self.outlet.code} {self.outlet.name}".strip()


class KeyUnit(models.Model):
    """An entry of a year's 重点排污单位名录, the directory the city publishes (实施方案 二(二))."""

    year = models.PositiveSmallIntegerField(_("年度"), db_index=True)
    target = models.ForeignKey(Target, verbose_name=_("检查对象"), on_delete=models.PROTECT, related_name="key_units")
    directory = models.CharField(_("名录名称及文号"), max_length=128)
    kinds = models.CharField(_("名录类别"), max_length=64, blank=True,
                             help_text=_("水环境、大气环境、土壤环境、声环境、其他，可多项，以顿号分隔"))
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("录入人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    scope_field = "target__jurisdiction"
    objects = ScopedManager()

    class Meta:
        verbose_name = _("重点排污单位名录")
        verbose_name_plural = _("重点排污单位名录")
        ordering = ["-year", "target__jurisdiction__path", "target__name"]
        constraints = [models.UniqueConstraint(fields=["year", "target"], name="keyunit_unique_year_target")]

    def __str__(self) -> str:
        return f"{self.year} {self.target}"

    def get_absolute_url(self) -> str:
        return reverse("intake:keyunit_list") + f"?year={self.year}&q={self.target.credit_code}"


class PositiveListEntry(models.Model):
    """A target's period on the 生态环境监督执法正面清单: from ``start`` to ``end`` (open when empty)."""

    target = models.ForeignKey(Target, verbose_name=_("检查对象"), on_delete=models.PROTECT,
                               related_name="positive_list_entries")
    start = models.DateField(_("纳入日期"))
    end = models.DateField(_("移出日期"), null=True, blank=True, help_text=_("仍在清单中则留空"))
    document_number = models.CharField(_("文号"), max_length=64)
    note = models.CharField(_("备注"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("录入人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    scope_field = "target__jurisdiction"
    objects = ScopedManager()

    class Meta:
        verbose_name = _("正面清单")
        verbose_name_plural = _("正面清单")
        ordering = ["-start", "-id"]
        constraints = [models.CheckConstraint(condition=Q(end__isnull=True) | Q(end__gte=F("start")),
                                              name="positive_list_end_after_start")]

    def __str__(self) -> str:
        return f"{self.target} {self.start}–{self.end or ''}"

    def get_absolute_url(self) -> str:
        return reverse("intake:positive_detail", args=[self.pk])

    def covers(self, day) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


class ClueSource(models.TextChoices):
    OFF_SITE = "off_site", _("非现场监管发现")
    COMPLAINT = "complaint", _("群众举报")


class ClueStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准现场检查")
    REJECTED = "rejected", _("不予现场检查")


class ClueQuerySet(ScopedQuerySet):
    def visible_to(self, user) -> "ClueQuerySet":
        """The scoping gate, narrowed by role (DESIGN §1). Admins and leaders read every clue of their scope. A
        department user reads his department's (reported by him or a colleague of his section): the clues of other
        sections and counties are the enforcement unit's business, not his. An inspector reads the clues he
        reported and those tied to his own tasks — a 线索核查 he was drawn for, or the clue that put his task's
        firm into the quarter's draw (``fieldwork.services.approved_clue``) — once their plan is dispatched."""
        queryset = super().visible_to(user)
        if user is None or not user.is_authenticated or user.is_superuser:
            return queryset
        if user.role == Role.DEPARTMENT:
            if user.department_id is None:
                return queryset.filter(reported_by=user)
            return queryset.filter(Q(reported_by=user) | Q(reported_by__department_id=user.department_id))
        if user.role == Role.INSPECTOR:
            return queryset.filter(Q(reported_by=user) | self._tied_to_tasks_of(user))
        return queryset

    @staticmethod
    def _tied_to_tasks_of(user) -> Q:
        from shuangsuiji.planning.models import PlanStatus, Task, TaskStatus

        if user.inspector_id is None:
            return Q(pk__in=[])
        tasks = (Task.objects.filter(members__inspector_id=user.inspector_id, members__active=True,
                                     members__draw__plan__status=PlanStatus.DISPATCHED)
                 .exclude(status=TaskStatus.WITHDRAWN))
        checked = Exists(tasks.filter(selections__plan__clue=OuterRef("pk"), selections__active=True))
        applied = Exists(tasks.filter(target=OuterRef("target"), year=OuterRef("applied_year"),
                                      quarter=OuterRef("applied_quarter")))
        return checked | Q(applied, status=ClueStatus.APPROVED)


class Clue(models.Model):
    """A clue of a violation by a positive-list target (实施方案 二(三)).

    Positive-list targets are not inspected on site in principle; an on-site check needs the approval
    of the head of the enforcement unit. Once approved, the seed wants the firm inspected at once: an admin
    opens its 线索核查 (``planning.services.do_open_clue_check``, the plan's ``clue`` is this row), and the
    clue is used by it. A clue nobody opened a check for enters the next quarter's draw as must-inspect
    (the fallback, ``positive_list.clue_makes_must_inspect``): the first classification of a quarter that
    begins after the approval applies it and records that quarter here, so one approval puts the target in
    one draw — or in one check.
    """

    target = models.ForeignKey(Target, verbose_name=_("检查对象"), on_delete=models.PROTECT, related_name="clues")
    source = models.CharField(_("线索来源"), max_length=10, choices=ClueSource.choices)
    complaint = models.ForeignKey(Complaint, verbose_name=_("相关举报"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="clues")
    found_on = models.DateField(_("发现日期"), validators=[validate_past_day])
    description = models.TextField(_("线索内容"))
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("报告人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    reported_at = models.DateTimeField(_("报告时间"), auto_now_add=True)
    status = models.CharField(_("审批状态"), max_length=10, choices=ClueStatus.choices, default=ClueStatus.PENDING,
                              db_index=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审批人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_reason = models.TextField(_("审批意见"), blank=True)
    applied_year = models.PositiveSmallIntegerField(_("纳入抽查的年度"), null=True, blank=True)
    applied_quarter = models.PositiveSmallIntegerField(_("纳入抽查的季度"), null=True, blank=True)

    scope_field = "target__jurisdiction"
    objects = models.Manager.from_queryset(ClueQuerySet)()

    class Meta:
        verbose_name = _("正面清单企业线索")
        verbose_name_plural = _("正面清单企业线索")
        ordering = ["-found_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status="pending") | Q(decided_at__isnull=False),
                                   name="clue_decision_has_time"),
            models.CheckConstraint(condition=Q(source="off_site") | Q(complaint__isnull=False),
                                   name="clue_complaint_linked"),
        ]

    def __str__(self) -> str:
        return f"{self.target} {self.found_on}"

    def get_absolute_url(self) -> str:
        return reverse("intake:clue_detail", args=[self.pk])


class ClassificationRun(models.Model):
    """One run of the quarterly classification over a jurisdiction's subtree, with what it found."""

    jurisdiction = models.ForeignKey(Jurisdiction, verbose_name=_("行政区"), on_delete=models.PROTECT,
                                     related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"))
    policy_id = models.CharField(_("政策"), max_length=64)
    policy_version = models.PositiveIntegerField(_("政策版本"))
    policy_fingerprint = models.CharField(_("政策指纹"), max_length=64)
    targets = models.PositiveIntegerField(_("分类对象数"))
    counts = models.JSONField(_("统计"), default=dict)
    warnings = models.JSONField(_("提示"), default=list, blank=True)
    run_at = models.DateTimeField(_("分类时间"), auto_now_add=True)
    run_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")

    scope_field = "jurisdiction"
    # A county sees the city's runs that classified it (when and by whom); pages show a run's totals
    # only where they stay within the user's scope.
    scope_includes_ancestors = True
    objects = ScopedManager()

    class Meta:
        verbose_name = _("季度分类")
        verbose_name_plural = _("季度分类")
        ordering = ["-run_at", "-id"]

    def __str__(self) -> str:
        return f"{self.jurisdiction} {self.year}Q{self.quarter}"


class Classification(models.Model):
    """The category of one target for one quarter, with why — the input of that quarter's draws.

    There is one row per (target, year, quarter) for every target that was active when the quarter was
    classified (``intake.services.do_classify``). The planning of quarter (year, quarter) reads:

    - ``category``: general / key / special — the stratum (特殊监管对象 from last quarter's penalties,
      complaints and exceedances; 重点 from the year's directory; the rest general; special beats key
      when the policy says so);
    - ``positive_list``: on the 正面清单 on the first day of the quarter;
    - ``on_site_eligible``: may be drawn for an on-site inspection at all. False only for a
      positive-list target without an approved clue, when the policy takes such targets out of the
      on-site strata;
    - ``must_inspect``: an approved clue puts the target in this quarter's draw whatever its stratum's
      tickets say (``engine.quotas.TargetFacts.approved_clue``);
    - ``reasons``: a list of {"rule", "text", "citation", "evidence": [{"kind", "id", "label", "url"}]}
      in the order they were applied, for the target's page and for anyone checking the strata;
    - ``policy_id`` / ``policy_version`` / ``policy_fingerprint``: the policy the rules came from.

    Rows are replaced as a whole when a quarter is classified again; the plan freezes what it read.
    """

    target = models.ForeignKey(Target, verbose_name=_("检查对象"), on_delete=models.CASCADE,
                               related_name="classifications")
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"))
    category = models.CharField(_("监管类别"), max_length=10, choices=Category.choices)
    positive_list = models.BooleanField(_("正面清单"))
    on_site_eligible = models.BooleanField(_("参加现场随机抽查"))
    must_inspect = models.BooleanField(_("必查"))
    reasons = models.JSONField(_("理由"), default=list)
    policy_id = models.CharField(_("政策"), max_length=64)
    policy_version = models.PositiveIntegerField(_("政策版本"))
    policy_fingerprint = models.CharField(_("政策指纹"), max_length=64)
    run = models.ForeignKey(ClassificationRun, verbose_name=_("分类批次"), on_delete=models.PROTECT,
                            related_name="rows")

    scope_field = "target__jurisdiction"
    objects = ScopedManager()

    class Meta:
        verbose_name = _("季度分类结果")
        verbose_name_plural = _("季度分类结果")
        ordering = ["-year", "-quarter", "target_id"]
        constraints = [
            models.UniqueConstraint(fields=["target", "year", "quarter"], name="classification_unique_quarter"),
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="classification_quarter_1_4"),
            models.CheckConstraint(condition=Q(must_inspect=False) | Q(on_site_eligible=True),
                                   name="classification_must_inspect_on_site"),
        ]
        indexes = [models.Index(fields=["year", "quarter", "category"])]

    def __str__(self) -> str:
        return f"{self.target_id} {self.year}Q{self.quarter} {self.category}"

    @property
    def period(self) -> str:
        return quarter_label(self.year, self.quarter)
