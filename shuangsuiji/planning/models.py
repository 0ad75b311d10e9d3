"""Quarterly plans, the draw ceremony, tasks and dispatch (DESIGN §3–§4; issue 4).

A ``Plan`` is one jurisdiction's plan at one level for one quarter: the regular plan of the city bureau
or of a county branch, or a joint plan (内部联合抽查) a department initiates for the items it is
responsible for. Its ``PlanStratum`` rows hold, per stratum, the population, the policy minimum with
its explanation and citation (from ``engine.quotas``), and what the plan asks for — never less than
the minimum without a recorded reason the city approved.

The ceremony of DESIGN §4 runs on a ``Draw``: freeze the inputs (hash published), commit the secret
(its SHA-256 published), record the public value, draw. A plan is drawn once; a second draw needs a
recorded reason the city approved (``RedrawRequest``), and the first draw stays on record, superseded.

A drawn target gets one ``Task`` per quarter: when a city plan and a county plan (or a joint plan) draw
the same target in the same quarter, the one visit counts for every plan (``TaskPlan``), carries the
items of all of them and the teams their draws assigned (``TaskMember``). ``Substitution`` records a
target or an inspector replaced after the draw by the rule fixed in the manifest.

A visit the draw could not join (its record already begun) may be merged later by an admin (并入,
``services.do_merge_task``): the later task's selections and places are copied onto the earlier task, its own rows
kept inactive, and it is withdrawn pointing to the earlier one (``Task.merged_into``). A draw's selection of the firm is
then two rows, one inactive on the withdrawn task and one live on the visit; both carry the draw's rank and ticket.

Rows change only through ``planning.services``.
"""

import re
from collections.abc import Iterable
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.db.models.lookups import IsNull
from django.urls import reverse
from django.utils import translation
from django.utils.translation import get_language, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from shuangsuiji.accounts.scoping import ScopedManager, ScopedQuerySet
from shuangsuiji.registry.models import (
    Category,
    CheckItem,
    Department,
    Inspector,
    Jurisdiction,
    Target,
    items_for_target,
)


def quarter_text(year: int, quarter: int) -> str:
    return _("%(year)s年第%(quarter)s季度") % {"year": year, "quarter": quarter}


def plan_title(jurisdiction: str, year: int, quarter: int, kind: str, *, department: str = "",
               number: int | None = None) -> str:
    """A plan's title in the reader's language from its parts (``Plan.__str__``); the names stay as written."""
    label = PlanKind(kind).label
    # "大气环境处内部联合抽查": Chinese joins the two, English needs a space between them.
    # A clue check is not named after its firm: its title is public from the freeze on, before the visit.
    kind_text = _("%(department)s%(kind)s") % {"department": department, "kind": label} if department else label
    title = str(_("%(jurisdiction)s%(period)s%(kind)s计划") % {
        "jurisdiction": jurisdiction, "period": quarter_text(year, quarter), "kind": kind_text})
    if number:
        # A county may check several clues (or join several cross-department checks) in a quarter: the number
        # tells them apart, the firms stay unnamed.
        title += str(_("（第%(number)s号）") % {"number": number})
    return title


_STORED_TITLE = re.compile(r"(?P<jurisdiction>.+?)(?P<year>\d{4})年第(?P<quarter>[1-4])季度(?P<kind>.+?)计划"
                           r"(?:（第(?P<number>\d+)号）)?")


def said_plan_title(text: str) -> str:
    """A plan's title as a published row stores it (``plan_label``, composed in Chinese when the row was
    written) in the reader's language, composed again from the parts the text holds: the jurisdiction's and the
    department's names stay as published, the period and the kind are said in the reader's words. A text the
    system did not compose — the parts put together again in Chinese do not give it back exactly — is shown as
    stored, and so is every title on a Chinese page: the public record is what was published."""
    match = _STORED_TITLE.fullmatch(text or "")
    if match is None or (get_language() or "").startswith("zh"):
        return text or ""
    parts = match.groupdict()
    with translation.override(settings.LANGUAGE_CODE):
        labels = {str(label): value for value, label in PlanKind.choices}
    kind, department = labels.get(parts["kind"]), ""
    joint = str(next(label for label, value in labels.items() if value == PlanKind.JOINT))
    if kind is None and parts["kind"].endswith(joint) and parts["kind"] != joint:
        kind, department = PlanKind.JOINT, parts["kind"][:-len(joint)]
    if kind is None or (kind == PlanKind.JOINT) != bool(department) or (kind in GIVEN_TARGET_KINDS) != bool(
            parts["number"]):
        return text
    values = dict(jurisdiction=parts["jurisdiction"], year=int(parts["year"]), quarter=int(parts["quarter"]),
                  kind=kind, department=department, number=int(parts["number"]) if parts["number"] else None)
    with translation.override(settings.LANGUAGE_CODE):
        if plan_title(**values) != text:
            return text
    return plan_title(**values)


class PlanLevel(models.TextChoices):
    CITY = "city", _("市级")
    COUNTY = "county", _("县级")


class PlanKind(models.TextChoices):
    REGULAR = "regular", _("双随机抽查")
    JOINT = "joint", _("内部联合抽查")
    CLUE = "clue", _("线索核查")
    CROSS = "cross", _("跨部门联合抽查")


GIVEN_TARGET_KINDS = (PlanKind.CLUE, PlanKind.CROSS)
"""Kinds whose targets are given, not drawn by the bureau: a 线索核查's firm (its approved clue) and a 跨部门联合抽查's
targets (drawn by the initiating department on the 部门协同监管平台). Every target is must-include, only the team is
drawn by the engine, and none of them counts toward any random-inspection ratio or quota of the bureau: the targets
were not drawn under its strata (MEE counts joint checks with other departments as a category of their own)."""


class PlanStatus(models.TextChoices):
    """The ceremony's steps in order (DESIGN §4); a plan moves forward one step at a time."""

    DRAFT = "draft", _("编制中")
    FROZEN = "frozen", _("已审定并冻结")
    COMMITTED = "committed", _("已承诺密钥")
    PUBLIC = "public", _("已录入公开随机数")
    DRAWN = "drawn", _("已抽取")
    DISPATCHED = "dispatched", _("已派发")


STATUS_ORDER = [status.value for status in PlanStatus]


class PlanQuerySet(ScopedQuerySet):
    def published(self) -> "PlanQuerySet":
        """Plans the public portal may show: from the freeze on, when the inputs hash is published (DESIGN §4
        step 1). What of them is public grows with the ceremony; the secret and the selection only with
        ``revealed_at`` (see ``published_manifest``).

        A plan whose draw the city let be drawn again is a draft once more until its new freeze, yet the draw it
        superseded was published and stays so (DESIGN §4: "the superseded draw stays published"): a plan with a
        frozen draw is published whatever its status. By status alone it vanished from the portal and the public
        API (404, its sealed manifest too) from the approval of the re-draw until the new freeze."""
        frozen = Draw.objects.filter(plan=models.OuterRef("pk")).exclude(inputs_hash="")
        return self.filter(~Q(status=PlanStatus.DRAFT) | models.Exists(frozen))

    def with_task_count(self) -> "PlanQuerySet":
        """Each plan with ``task_count``, its live tasks: counted per plan by a correlated subquery, which the
        database evaluates for the rows a page or an API page returns, after the LIMIT. Joining every plan's
        selections and grouping them read a national year's ~665,000 selections for each page (bench/README.md)."""
        live = (TaskPlan.objects.filter(plan=models.OuterRef("pk"), active=True).order_by().values("plan")
                .annotate(n=models.Count("pk")).values("n"))
        return self.annotate(task_count=Coalesce(models.Subquery(live, output_field=models.IntegerField()), 0))


class Plan(models.Model):
    jurisdiction = models.ForeignKey(Jurisdiction, verbose_name=_("行政区"), on_delete=models.PROTECT,
                                     related_name="plans")
    level = models.CharField(_("层级"), max_length=10, choices=PlanLevel.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"))
    kind = models.CharField(_("类型"), max_length=10, choices=PlanKind.choices, default=PlanKind.REGULAR)
    department = models.ForeignKey(Department, verbose_name=_("发起科室"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="initiated_plans")
    check_items = models.ManyToManyField(CheckItem, verbose_name=pgettext_lazy("list", "抽查事项"),
                                         related_name="plans")
    clue = models.OneToOneField(
        "intake.Clue", verbose_name=_("核查的线索"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="check_plan",
        help_text=_("线索核查计划：正面清单企业经批准现场检查的线索，一条线索只安排一次核查"))
    departments = models.ManyToManyField(Department, verbose_name=_("参加科室"), blank=True,
                                         related_name="joint_plans",
                                         help_text=_("联合抽查的每个检查组须有每个参加科室的一名执法人员"))
    require_specialties = models.BooleanField(
        _("检查组须具备事项所需专长"), default=False,
        help_text=_("选中时，任务的每项抽查事项所需的专长都须由检查组中的一名执法人员具备"))
    max_load = models.PositiveSmallIntegerField(
        _("每人任务上限"), null=True, blank=True,
        help_text=_("本次抽取中一名执法人员最多承担的任务数；不填则不设上限（抽取时仍取能完成分配的最小负荷并均衡分配）"))
    status = models.CharField(_("状态"), max_length=12, choices=PlanStatus.choices, default=PlanStatus.DRAFT,
                              db_index=True)
    policy_id = models.CharField(_("政策"), max_length=64)
    policy_version = models.PositiveIntegerField(_("政策版本"))
    policy_fingerprint = models.CharField(_("政策指纹"), max_length=64)
    policy_title = models.CharField(_("政策名称"), max_length=255)
    inspectors_counted = models.PositiveIntegerField(
        _("双随机执法人员数"), help_text=_("计算一般排污单位年度抽查数量所依据的人数"))
    classified = models.BooleanField(_("依据季度分类"), default=True,
                                     help_text=_("否：该季度尚未分类，按检查对象名录库中的当前类别编制"))
    warnings = models.JSONField(_("提示"), default=list, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    dispatched_at = models.DateTimeField(_("派发时间"), null=True, blank=True)
    dispatched_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("派发人"), null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="+")
    revealed_at = models.DateTimeField(_("公开时间"), null=True, blank=True)
    revealed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("公开人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    # When what the public reads of the plan last changed (its strata, status, draws, substitutions, reveal, its
    # jurisdiction's code or name, its check items' codes and names): the open-data API's
    # ``/api/public/plans/?changed_since=``. Set in the transaction of every service that changes it
    # (``services.plan_changed``, ``plans_moved``, ``items_changed``).
    changed_at = models.DateTimeField(_("最近变更时间"), null=True, blank=True, editable=False)

    scope_field = "jurisdiction"
    objects = models.Manager.from_queryset(PlanQuerySet)()

    class Meta:
        verbose_name = _("抽查计划")
        verbose_name_plural = _("抽查计划")
        ordering = ["-year", "-quarter", "jurisdiction__path", "kind", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="plan_quarter_1_4"),
            models.CheckConstraint(condition=Q(kind="regular", department__isnull=True)
                                   | Q(kind="joint", department__isnull=False)
                                   | Q(kind="clue", department__isnull=True)
                                   | Q(kind="cross", department__isnull=True), name="plan_joint_has_department"),
            # A clue check refers to its clue, and only a clue check does (the one-to-one link makes it one per clue).
            models.CheckConstraint(condition=Q(kind="clue", clue__isnull=False)
                                   | Q(kind__in=["regular", "joint", "cross"], clue__isnull=True),
                                   name="plan_clue_check_has_clue"),
            models.UniqueConstraint(fields=["jurisdiction", "level", "year", "quarter"],
                                    condition=Q(kind="regular"), name="plan_one_regular_per_quarter",
                                    violation_error_message=_("该行政区本季度已有双随机抽查计划")),
            models.UniqueConstraint(fields=["jurisdiction", "level", "year", "quarter", "department"],
                                    condition=Q(kind="joint"), name="plan_one_joint_per_department",
                                    violation_error_message=_("该科室本季度已发起联合抽查计划")),
        ]
        indexes = [models.Index(fields=["changed_at", "id"], name="plan_change_order")]

    def __str__(self) -> str:
        return plan_title(self.jurisdiction.name, self.year, self.quarter, self.kind,
                          department=self.department.name if self.kind == PlanKind.JOINT else "",
                          number=self.pk if self.kind in GIVEN_TARGET_KINDS else None)

    def get_absolute_url(self) -> str:
        return reverse("planning:plan_detail", args=[self.pk])

    @property
    def period(self) -> str:
        return quarter_text(self.year, self.quarter)

    @property
    def is_joint(self) -> bool:
        return self.kind == PlanKind.JOINT

    @property
    def is_clue_check(self) -> bool:
        """A targeted on-site check of one positive-list firm on an approved clue (实施方案 二(三)): drawn
        for its team only, and never counted as a random inspection."""
        return self.kind == PlanKind.CLUE

    @property
    def is_cross_department(self) -> bool:
        """A 跨部门联合抽查 (国发〔2019〕5号; 实施方案 二(五)): its targets drawn by the initiating department on the
        部门协同监管平台, its team drawn here; never counted as a random inspection of the bureau."""
        return self.kind == PlanKind.CROSS

    @property
    def cross_or_none(self) -> "CrossCheck | None":
        """The facts of a cross-department check; None for every other kind."""
        return getattr(self, "cross", None)  # a missing reverse one-to-one raises an AttributeError subclass

    @property
    def targets_given(self) -> bool:
        """Whether the plan's targets are given rather than drawn (``GIVEN_TARGET_KINDS``): one stratum, every
        target must-include, no draw window, no quota, and counted in no random-inspection ratio."""
        return self.kind in GIVEN_TARGET_KINDS

    def reached(self, status: str) -> bool:
        """Whether the ceremony has come at least as far as ``status``."""
        return STATUS_ORDER.index(self.status) >= STATUS_ORDER.index(status)

    @property
    def current_draw(self) -> "Draw | None":
        return self.draws.exclude(status=DrawStatus.SUPERSEDED).order_by("-number").first()


class CrossCheck(models.Model):
    """The facts of a 跨部门联合抽查 plan (kind ``cross``), kept beside the plan rather than on it: who initiated it,
    which departments outside the bureau take part, its task on the 部门协同监管平台, the initiator's deadline and
    the targets the platform drew (must-include, all of them; the bureau draws only the teams)."""

    plan = models.OneToOneField(Plan, on_delete=models.CASCADE, related_name="cross", verbose_name=_("抽查计划"))
    initiator = models.CharField(_("发起部门"), max_length=100, blank=True,
                                 help_text=_("不填为本局发起；其他部门发起时填写其名称，如 保定市市场监督管理局"))
    participants = models.JSONField(_("参与部门"), default=list,
                                    help_text=_("本局以外参加检查的部门（其他部门发起时含发起部门）"))
    platform_ref = models.CharField(_("协同监管平台任务编号"), max_length=64, blank=True)
    deadline = models.DateField(_("检查截止日期"), null=True, blank=True,
                                help_text=_("发起部门规定的截止日期，须在本季度内；不填为季度末"))
    targets = models.ManyToManyField(Target, verbose_name=_("检查对象"), related_name="cross_checks")

    class Meta:
        verbose_name = _("跨部门联合抽查")
        verbose_name_plural = _("跨部门联合抽查")

    def __str__(self) -> str:
        return str(self.plan)

    @property
    def initiated_here(self) -> bool:
        return not self.initiator

    @property
    def initiator_name(self) -> str:
        return self.initiator or bureau_name(self.plan.jurisdiction)

    @property
    def taking_part(self) -> list[str]:
        """Every department taking part: the bureau itself first, then the others."""
        return [bureau_name(self.plan.jurisdiction), *self.participants]


def bureau_name(jurisdiction: Jurisdiction) -> str:
    """The bureau of a jurisdiction as the public reads it (registry's name, else "X生态环境局")."""
    return jurisdiction.bureau_name or str(_("%(name)s生态环境局") % {"name": jurisdiction.name})


class Stratum(models.TextChoices):
    KEY = "key", _("重点排污单位")
    SPECIAL = "special", _("特殊监管对象")
    GENERAL = "general", _("一般排污单位")
    CLUE = "clue", _("正面清单（经批准核查线索）")
    JOINT = "joint", _("内部联合抽查")
    CROSS = "cross", _("跨部门联合抽查（协同监管平台抽取的对象）")


def stratum_count(stratum: str, n: int) -> str:
    """A stratum's number of targets as a phrase of the reader's language: "重点排污单位 106 家", "106 key units".
    The lists put the label and the bare number side by side ("Key unit 106"), which reads as an identifier; the
    public portal and the staff's plan list say it alike, through this one function."""
    forms = {
        Stratum.KEY: ngettext("重点排污单位 %(n)s 家", "重点排污单位 %(n)s 家", n),
        Stratum.SPECIAL: ngettext("特殊监管对象 %(n)s 家", "特殊监管对象 %(n)s 家", n),
        Stratum.GENERAL: ngettext("一般排污单位 %(n)s 家", "一般排污单位 %(n)s 家", n),
        Stratum.CLUE: ngettext("经批准核查线索的正面清单单位 %(n)s 家", "经批准核查线索的正面清单单位 %(n)s 家", n),
        Stratum.JOINT: ngettext("内部联合抽查对象 %(n)s 家", "内部联合抽查对象 %(n)s 家", n),
        Stratum.CROSS: ngettext("跨部门联合抽查对象 %(n)s 家（协同监管平台抽取）",
                                "跨部门联合抽查对象 %(n)s 家（协同监管平台抽取）", n),
    }
    if stratum not in forms:  # a stratum a later version added: its label and the number, as before
        return f"{Stratum(stratum).label if stratum in Stratum.values else stratum} {n}"
    return forms[stratum] % {"n": n}


DRAWN_STRATA = (Stratum.KEY, Stratum.SPECIAL, Stratum.GENERAL)
"""Strata a regular plan draws from; clue targets are must-include inside them, joint is its own plan. A clue
check plan draws its one target (must-include, quota 1) in a stratum named ``clue``: the manifest says so
without any change of the draw's format, and the quotas never read that stratum."""


class ShortfallState(models.TextChoices):
    NONE = "", _("不低于最低数")
    PENDING = "pending", _("低于最低数，待市局审批")
    APPROVED = "approved", _("低于最低数，市局已批准")
    REJECTED = "rejected", _("低于最低数，市局未批准")


class PlanStratum(models.Model):
    """One stratum of a plan: what the policy requires and what the plan asks for."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="strata")
    stratum = models.CharField(_("类别"), max_length=10, choices=Stratum.choices)
    population = models.PositiveIntegerField(_("可抽对象数"))
    minimum = models.PositiveIntegerField(_("政策最低数"))
    must_include = models.PositiveIntegerField(_("必查数"), default=0)
    explanation = models.TextField(_("计算说明"))
    citation = models.CharField(_("依据"), max_length=500)
    requested = models.PositiveIntegerField(_("计划抽查数"))
    drawn = models.BooleanField(_("参加本计划抽取"), default=True,
                                help_text=_("否：仅作核对（正面清单线索已在各类别中必查；联合抽查由联合计划完成）"))
    shortfall_state = models.CharField(_("少抽审批"), max_length=10, choices=ShortfallState.choices, blank=True,
                                       default=ShortfallState.NONE)
    shortfall_reason = models.TextField(_("少抽理由"), blank=True)
    shortfall_requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("申请人"), null=True,
                                               blank=True, on_delete=models.SET_NULL, related_name="+")
    shortfall_requested_at = models.DateTimeField(_("申请时间"), null=True, blank=True)
    shortfall_decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审批人"), null=True,
                                             blank=True, on_delete=models.SET_NULL, related_name="+")
    shortfall_decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    shortfall_decision = models.TextField(_("审批意见"), blank=True)

    scope_field = "plan__jurisdiction"
    objects = ScopedManager()

    class Meta:
        verbose_name = _("计划类别")
        verbose_name_plural = _("计划类别")
        ordering = ["plan", "id"]
        constraints = [models.UniqueConstraint(fields=["plan", "stratum"], name="planstratum_unique")]

    def __str__(self) -> str:
        return f"{self.plan} {self.get_stratum_display()}"

    @property
    def shortfall(self) -> int:
        return max(0, self.minimum - self.requested)


class DrawStatus(models.TextChoices):
    OPEN = "open", _("进行中")
    DRAWN = "drawn", _("已抽取")
    SUPERSEDED = "superseded", _("已作废（经批准重新抽取）")


class PublicSource(models.TextChoices):
    DICE = "dice", _("现场掷骰（见证人）")
    LOTTERY = "lottery", _("指定日期的彩票开奖号码")
    DRAND = "drand", _("drand 公共随机信标")


class Draw(models.Model):
    """One run of the ceremony for a plan: freeze, commit, public value, draw (DESIGN §4).

    ``secret`` is stored from the commitment on but is shown to nobody before the plan is revealed;
    ``commitment`` (its SHA-256) and ``inputs_hash`` are published as soon as they exist.
    """

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="draws")
    number = models.PositiveSmallIntegerField(_("第几次抽取"))
    status = models.CharField(_("状态"), max_length=12, choices=DrawStatus.choices, default=DrawStatus.OPEN)
    inputs = models.JSONField(_("冻结的输入"), null=True, blank=True)
    inputs_hash = models.CharField(_("输入哈希"), max_length=64, blank=True)
    frozen_at = models.DateTimeField(_("审定冻结时间"), null=True, blank=True)
    frozen_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审定人"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    secret = models.CharField(_("密钥"), max_length=64, blank=True)
    commitment = models.CharField(_("密钥承诺（SHA-256）"), max_length=64, blank=True)
    committed_at = models.DateTimeField(_("承诺时间"), null=True, blank=True)
    committed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("承诺人"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    public_source = models.CharField(_("公开随机数来源"), max_length=10, choices=PublicSource.choices, blank=True)
    public_value = models.CharField(_("公开随机数"), max_length=200, blank=True)
    public_reference = models.CharField(_("来源说明"), max_length=200, blank=True,
                                        help_text=_("彩票名称和开奖日期，或 drand 轮次"))
    witnesses = models.JSONField(_("见证人"), default=list, blank=True)
    public = models.JSONField(_("公开随机数记录"), null=True, blank=True,
                              help_text=_("引擎规范形式的公开随机数，参与种子计算"))
    public_recorded_at = models.DateTimeField(_("录入时间"), null=True, blank=True)
    public_recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("录入人"), null=True,
                                           blank=True, on_delete=models.SET_NULL, related_name="+")
    seed = models.CharField(_("种子"), max_length=64, blank=True)
    manifest = models.JSONField(_("抽取清单"), null=True, blank=True)
    drawn_at = models.DateTimeField(_("抽取时间"), null=True, blank=True)
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("抽取人"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    window_warning = models.CharField(_("抽取时间提示"), max_length=255, blank=True)
    superseded_at = models.DateTimeField(_("作废时间"), null=True, blank=True)
    # When its plan went out with this draw's teams (``services.do_dispatch``). Kept when the draw is superseded,
    # while the plan's own ``dispatched_at`` is cleared for the next draw: it is what says whether a superseded
    # draw's officers were ever told of it (``told_places``). Null: never dispatched — and for a draw superseded
    # before this field existed, when no ``plan.dispatch`` event of its plan falls between the supersession before it
    # and its own (migration 0005 backfills from the audit events): not told.
    dispatched_at = models.DateTimeField(_("派发时间"), null=True, blank=True)

    scope_field = "plan__jurisdiction"
    objects = ScopedManager()

    class Meta:
        verbose_name = _("抽取")
        verbose_name_plural = _("抽取")
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="draw_unique_number"),
            # The database itself refuses a second live draw of a plan, whatever a caller does.
            models.UniqueConstraint(fields=["plan"], condition=~Q(status="superseded"), name="draw_one_live_per_plan"),
        ]

    def __str__(self) -> str:
        return f"{self.plan} 第{self.number}次抽取"

    @property
    def announced_date(self) -> date | None:
        """The day of the draw announced at the freeze (it is part of the frozen inputs)."""
        day = ((self.inputs or {}).get("assignment") or {}).get("draw_date")
        return date.fromisoformat(day) if day else None


class RedrawState(models.TextChoices):
    PENDING = "pending", _("待市局审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("未批准")


class RedrawRequest(models.Model):
    """A request to draw a drawn plan again, with its reason; only the city may approve it."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="redraw_requests")
    draw = models.ForeignKey(Draw, verbose_name=_("拟作废的抽取"), on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("重新抽取理由"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("申请人"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    state = models.CharField(_("审批状态"), max_length=10, choices=RedrawState.choices, default=RedrawState.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审批人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision = models.TextField(_("审批意见"), blank=True)

    scope_field = "plan__jurisdiction"
    objects = ScopedManager()

    class Meta:
        verbose_name = _("重新抽取申请")
        verbose_name_plural = _("重新抽取申请")
        ordering = ["-requested_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["plan"], condition=Q(state="pending"),
                                               name="redraw_one_pending_per_plan",
                                               violation_error_message=_("该计划已有待审批的重新抽取申请"))]

    def __str__(self) -> str:
        return f"{self.plan} {self.get_state_display()}"


class TaskStatus(models.TextChoices):
    DRAWN = "drawn", _("待派发")
    DISPATCHED = "dispatched", _("已派发")
    WITHDRAWN = "withdrawn", _("已撤销")


def drawn_by(tasks: QuerySet, jurisdiction_id: int) -> QuerySet:
    """The tasks a bureau's own plans drew (a live selection of a plan of that jurisdiction, not of those below
    it): a city plan's visit to a county's firm is the city's to carry out, not the county's. The workbench counts
    overdue tasks by it and the task list's 抽取单位 filter lists them, so each count opens exactly its list; a
    visit two bureaus drew (merged) is each one's."""
    return tasks.filter(Exists(TaskPlan.objects.filter(task=OuterRef("pk"), active=True,
                                                       plan__jurisdiction_id=jurisdiction_id)))


def past_due(tasks: QuerySet, today: date) -> QuerySet:
    """Drawn tasks past their deadline without a submitted record (a draft is not a record yet): the workbench
    counts them and the task list shows them, with this one definition so the two agree."""
    return (tasks.filter(status__in=[TaskStatus.DRAWN, TaskStatus.DISPATCHED], deadline__lt=today)
            .exclude(records__sealed_at__isnull=False))


class Task(models.Model):
    """One visit to one target in one quarter (抽查任务), with its items and its team."""

    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"))
    target = models.ForeignKey(Target, verbose_name=_("检查对象"), on_delete=models.PROTECT, related_name="tasks")
    deadline = models.DateField(_("完成期限"))
    status = models.CharField(_("状态"), max_length=12, choices=TaskStatus.choices, default=TaskStatus.DRAWN,
                              db_index=True)
    is_joint = models.BooleanField(_("内部联合抽查"), default=False)
    is_clue_check = models.BooleanField(_("线索核查"), default=False,
                                        help_text=_("该次检查（也）是对经批准线索的现场核查，不是随机抽查"))
    is_cross_department = models.BooleanField(
        _("跨部门联合抽查"), default=False,
        help_text=_("该次检查（也）是与其他部门的跨部门联合抽查，对象由发起部门在协同监管平台抽取，不计入本局抽查比例"))
    category = models.CharField(_("监管类别"), max_length=10, choices=Category.choices,
                                help_text=_("对象在该季度的类别，决定适用的抽查事项"))
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    dispatched_at = models.DateTimeField(_("派发时间"), null=True, blank=True)
    withdrawn_reason = models.CharField(_("撤销原因"), max_length=255, blank=True)
    inspected_on = models.DateField(_("现场检查日期"), null=True, blank=True,
                                    help_text=_("由现场检查记录填写；半年巡查覆盖据此计算"))
    # 并入 (``services.do_merge_task``): the visit this task was merged into, its plans, team and items going with
    # it; this task is then withdrawn ("并入 RW…") and stays, inactive, so its page and its draw's selection remain.
    merged_into = models.ForeignKey("self", verbose_name=_("并入的任务"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="merged_tasks")

    scope_field = "target__jurisdiction"
    objects = ScopedManager()

    class Meta:
        verbose_name = _("抽查任务")
        verbose_name_plural = _("抽查任务")
        ordering = ["-year", "-quarter", "target__jurisdiction__path", "target__name"]
        indexes = [models.Index(fields=["target", "year", "quarter"])]

    def __str__(self) -> str:
        return f"{self.target.name} {self.year}Q{self.quarter}"

    def get_absolute_url(self) -> str:
        return reverse("planning:task_detail", args=[self.pk])

    @property
    def period(self) -> str:
        return quarter_text(self.year, self.quarter)

    def _plans(self, selections: Q | None) -> QuerySet:
        rows = TaskPlan.objects.filter(task=self, active=True)
        return (rows.filter(selections) if selections is not None else rows).values("plan_id")

    def check_items(self, selections: Q | None = None) -> list[CheckItem]:
        """The items of every plan the task counts for that apply to the target ("进一次门、查多项事"): to
        its category in the task's quarter and to its industry (``CheckItem.applies_to``), by code. Derived,
        not copied, because a plan's items are fixed once it exists.

        ``selections`` narrows the plans to the ``TaskPlan`` rows it matches: ``told_selections()`` for what the team
        carries out (a merged visit's other plan, drawn and not dispatched, adds its items when it goes out), a
        reader's ``permissions.shown_draws`` for what a page shows him."""
        items = CheckItem.objects.filter(
            Q(**{f"applies_{self.category}": True}), plans__in=self._plans(selections),
        ).distinct().select_related("responsible_department", "specialty").order_by("code")
        return items_for_target(items, self.category, self.target.industry_code)

    def kinds_shown(self, selections: Iterable["TaskPlan"]) -> dict[str, bool]:
        """The badges (内部联合 / 线索核查 / 跨部门联合抽查) a reader is shown of the visit: its flags, which say the
        kinds of the plans told of it (set at each plan's dispatch, ``services.tells``), and the kinds of the live
        plans among ``selections`` — those shown to him (``permissions.shown_draws``). A merged visit's other plan,
        drawn and not dispatched, badges it for that plan's readers only."""
        kinds = {s.plan.kind for s in selections if s.active}
        return {flag: getattr(self, flag) or kind in kinds for kind, flag in KIND_FLAGS.items()}

    def departments(self, selections: Q | None = None) -> models.QuerySet:
        """The departments of the joint plans the task counts for: one officer of each joins the visit
        (``selections`` as for ``check_items``)."""
        return Department.objects.filter(joint_plans__in=self._plans(selections)).distinct().order_by("name")


class TaskPlan(models.Model):
    """A task counts for a plan: the draw that selected the target, in which stratum, and why."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="selections")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="selections")
    draw = models.ForeignKey(Draw, on_delete=models.PROTECT, related_name="selections")
    stratum = models.CharField(_("类别"), max_length=10, choices=Stratum.choices)
    must_include = models.BooleanField(_("必查"), default=False)
    rank = models.PositiveIntegerField(_("抽取顺序"), help_text=_("在本类别中按号签从小到大的位次，从 1 起"))
    ticket = models.CharField(_("号签"), max_length=90, blank=True)
    active = models.BooleanField(_("有效"), default=True,
                                 help_text=_("否：所在抽取已作废，或对象关停后已按规则替换，或任务已并入同一单位的另一项任务"))

    scope_field = "plan__jurisdiction"
    objects = ScopedManager()

    class Meta:
        verbose_name = _("任务所属计划")
        verbose_name_plural = _("任务所属计划")
        ordering = ["plan", "stratum", "rank"]
        constraints = [models.UniqueConstraint(fields=["draw", "task"], name="taskplan_unique")]

    def __str__(self) -> str:
        return f"{self.task} ← {self.plan}"


class MemberRole(models.TextChoices):
    OFFICER = "officer", pgettext_lazy("team role", "执法人员")
    EXPERT = "expert", _("外部专家")


class TaskMember(models.Model):
    """A place in a task's team, filled by the draw (``draw``) or later by a substitution."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="members")
    draw = models.ForeignKey(Draw, on_delete=models.PROTECT, related_name="members")
    inspector = models.ForeignKey(Inspector, verbose_name=pgettext_lazy("one", "执法人员"), on_delete=models.PROTECT,
                                  related_name="task_memberships")
    role = models.CharField(_("身份"), max_length=10, choices=MemberRole.choices)
    slot = models.PositiveSmallIntegerField(_("岗位序号"))
    slot_kind = models.CharField(_("岗位"), max_length=12)
    requirement = models.CharField(_("岗位要求"), max_length=64, blank=True)
    active = models.BooleanField(_("在组"), default=True)

    scope_field = "task__target__jurisdiction"
    objects = ScopedManager()

    class Meta:
        verbose_name = _("检查组成员")
        verbose_name_plural = _("检查组成员")
        ordering = ["task", "draw", "slot", "-active"]
        indexes = [models.Index(fields=["inspector", "active"])]

    def __str__(self) -> str:
        return f"{self.task} · {self.inspector}"


def told_places() -> Q:
    """The places on a team (``TaskMember``) their officer was told of: a place of a live draw whose plan is
    dispatched, or of a draw superseded after its plan's dispatch (``Draw.dispatched_at``: a re-draw then, and his
    phone says "redrawn") — unless he left it before that dispatch (replaced, the firm closed and the visit withdrawn:
    a ``Substitution`` of the draw acted on before it) and does not hold it now. A place in a draw not dispatched yet
    is secret from the officer as the task is (``permissions.visible_tasks``), and so is one he left before the
    dispatch (the dispatch came without him) and every place of a draw re-drawn before any dispatch (nobody was told
    of it, and a superseded draw's plan dispatched later went out with the new draw, not with it). What a former
    member is told of a task he left (withdrawn, replaced, re-drawn) is said only of these, a team is shown only by
    them to whoever does not read the draw's plan (``permissions.shown_places``), and the team that carries out and
    signs the visit is the told places still held (``team_places``)."""
    # a live draw's dispatch is its plan's (a fixture may set only the plan's); a superseded draw's is its own
    dispatched = Coalesce(OuterRef("draw__dispatched_at"), OuterRef("draw__plan__dispatched_at"))
    left_before = Substitution.objects.filter(
        Q(kind=SubstitutionKind.TARGET) | Q(old_inspector=OuterRef("inspector")), draw=OuterRef("draw"),
        task=OuterRef("task"), acted_at__lt=dispatched)
    live = ~Q(draw__status=DrawStatus.SUPERSEDED) & Q(draw__plan__status=PlanStatus.DISPATCHED)
    redrawn_after_dispatch = Q(draw__status=DrawStatus.SUPERSEDED, draw__dispatched_at__isnull=False)
    return (live | redrawn_after_dispatch) & (Q(active=True) | ~Exists(left_before))


def team_places() -> Q:
    """The places that make a visit's team now: held (``active``) and told (``told_places``) — a place of a live
    draw whose plan is dispatched (a held place is never of a superseded draw, nor left before the dispatch, so the
    rest of ``told_places`` adds nothing here). A merged visit out for one plan while another plan's draw is not
    dispatched yet is carried out, written and signed by the told team alone: the other draw's officers were told
    nothing of it, cannot open it, and are neither asked to sign nor let act on its record; they join it when their
    plan is dispatched (a record sealed before then stays as it was sealed). The record's signers
    (``fieldwork.services.participants``), who writes it (``fieldwork.permissions.team_inspector_ids``), who reads
    it as its team, an inspector's open tasks and the pairs later draws avoid (``gather.recent_pairs``) all read
    this."""
    return Q(active=True, draw__plan__status=PlanStatus.DISPATCHED)


KIND_FLAGS = {PlanKind.JOINT: "is_joint", PlanKind.CLUE: "is_clue_check", PlanKind.CROSS: "is_cross_department"}
"""The flag of a task (its badge, the API's field and filter) that a plan of each kind sets on the visits it counts
for, once that plan is told (``services.tells``); a regular plan sets none."""


def told_selections(at=None) -> Q:
    """The plans a visit counts for (``TaskPlan`` rows) that its team was told of: a live selection of a dispatched
    plan — and with ``at`` (a record's seal), one dispatched by then. What the record says it carries out (its 检查来源,
    ``fieldwork.services.record_sources``) and the items a draft checks are those of these plans alone: a merged
    visit's other plan, drawn and not dispatched, has told the officers nothing (``told_places``), and a record sealed
    before it went out stays the record of the plans it was written for. A dispatch time unknown (a fixture's plan
    with a status and no date) counts as before ``at``.

    ``at`` may also be an expression, a row's own seal (``fieldwork.models.reviewing_selections``: who reviews each
    record of a queue); NULL there — a visit not sealed yet — counts as now, as ``at=None`` does."""
    told = Q(active=True, draw__plan__status=PlanStatus.DISPATCHED) & ~Q(draw__status=DrawStatus.SUPERSEDED)
    if at is None:
        return told
    if hasattr(at, "resolve_expression"):
        # Said positively: the negation below would turn a NULL seal into "not told" in SQL.
        return told & (Q(IsNull(at, True)) | Q(draw__dispatched_at__lte=at)
                       | Q(draw__dispatched_at__isnull=True)
                       & (Q(draw__plan__dispatched_at__isnull=True) | Q(draw__plan__dispatched_at__lte=at)))
    return told & ~(Q(draw__dispatched_at__gt=at)
                    | Q(draw__dispatched_at__isnull=True, draw__plan__dispatched_at__gt=at))


def team_places_at(at) -> Q:
    """``team_places`` of a visit as it was told when its record was sealed (``at``; None: now): the places held now
    of the draws dispatched by then. An amendment (更正) of a record sealed before a merged visit's other plan went
    out is written and signed by the team that went — not by that plan's officers, who joined the visit afterwards
    and were never there (``fieldwork.services.participants``, ``fieldwork.permissions.team_inspector_ids``)."""
    if at is None:
        return team_places()
    return team_places() & ~(Q(draw__dispatched_at__gt=at)
                             | Q(draw__dispatched_at__isnull=True, draw__plan__dispatched_at__gt=at))


class SubstitutionKind(models.TextChoices):
    TARGET = "target", _("检查对象关停，按号签递补")
    INSPECTOR = "inspector", _("执法人员不能参加，按号签递补")


class Substitution(models.Model):
    """A replacement after the draw by the rule fixed in the manifest (DESIGN §4), with who and why."""

    draw = models.ForeignKey(Draw, on_delete=models.PROTECT, related_name="substitutions")
    kind = models.CharField(_("类型"), max_length=10, choices=SubstitutionKind.choices)
    task = models.ForeignKey(Task, verbose_name=_("原任务"), on_delete=models.PROTECT, related_name="substitutions")
    new_task = models.ForeignKey(Task, verbose_name=_("递补任务"), null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    old_inspector = models.ForeignKey(Inspector, verbose_name=_("原执法人员"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    new_inspector = models.ForeignKey(Inspector, verbose_name=_("递补执法人员"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("理由"))
    record = models.JSONField(_("清单中的替换记录"), default=dict)
    acted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    acted_at = models.DateTimeField(_("时间"), auto_now_add=True)

    scope_field = "draw__plan__jurisdiction"
    objects = ScopedManager()

    class Meta:
        verbose_name = _("递补替换")
        verbose_name_plural = _("递补替换")
        ordering = ["draw", "id"]

    def __str__(self) -> str:
        return f"{self.draw} {self.get_kind_display()}"
