"""两库一单: the registry of targets, the registry of inspectors, the check-item list, and the
jurisdictions and departments they belong to (DESIGN §2 glossary names).

Nothing here is ever deleted: a target that closes is marked defunct, an inspector who leaves is
marked so. Changes go through ``registry.services`` so each one writes its audit event and, for a
target's category, positive-list flag and status, a dated ``TargetHistory`` row with its reason.
"""

import contextlib
import re
from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shuangsuiji.accounts.scoping import ScopedManager
from shuangsuiji.punctuation import bracketed, join_sep
from shuangsuiji.registry.industry import ScopeError, industry_in_scope, normalise_scope, parse_scope, section_of
from shuangsuiji.systemtext import system_text
from shuangsuiji.validators import (
    LATITUDE,
    LATITUDE_MESSAGE,
    LONGITUDE,
    LONGITUDE_MESSAGE,
    coordinate_validators,
    validate_phone,
)

division_code = RegexValidator(r"^\d{6}$", _("行政区划代码应为6位数字"))

INDUSTRIES_HELP = _("国民经济行业分类（GB/T 4754-2017）代码或其开头，多个用空格、逗号或顿号隔开，如 M7452，"
                    "或 B、E（采矿业、建筑业）；行业代码以其中之一开头的检查对象才检查本事项。留空表示适用所有行业")


def scope_message(error: ScopeError, *, typed_alone: bool = False) -> str:
    """What is wrong with one code of an item's industry scope, naming it; ``typed_alone``: a code typed on its own
    (the item list's filter 适用于行业代码), said without "适用行业中的"."""
    token = error.token
    if error.reason == "division":
        values = {"code": token, "division": token.lstrip("ABCDEFGHIJKLMNOPQRSTabcdefghijklmnopqrst")[:2]}
        if typed_alone:
            return _("“%(code)s”不是国民经济行业分类代码：没有 %(division)s 这个大类") % values
        return _("适用行业中的“%(code)s”不是国民经济行业分类代码：没有 %(division)s 这个大类") % values
    if error.reason == "section":
        digits = token[1:3]
        values = {"code": token, "division": digits, "section": section_of(digits)}
        if typed_alone:
            return _("“%(code)s”不是国民经济行业分类代码：%(division)s 大类属于 %(section)s 门类") % values
        return _("适用行业中的“%(code)s”不是国民经济行业分类代码：%(division)s 大类属于 %(section)s 门类") % values
    return _("适用行业中的“%(code)s”不是国民经济行业分类代码：应为门类字母（A–T）、门类字母加2至4位数字或2至4位"
             "数字，如 M7452、B、C26") % {"code": token}


def validate_industries(value: str) -> None:
    try:
        parse_scope(value)
    except ScopeError as error:
        raise ValidationError(scope_message(error), code="industries") from None


INDUSTRY_CODE_FORMAT = r"^[A-T](\d{2,4})?$|^\d{2,4}$"
"""A target's 行业代码: a section letter, a letter with 2–4 digits, or 2–4 digits (GB/T 4754)."""


def industry_code_problem(code: str) -> str | None:
    """What is wrong with a target's 行业代码 as stored (upper case), or None; blank is allowed. The target form
    and the Excel import both ask it, as an item's industry scope is checked: a division no section has ("C99")
    or a letter not its division's ("C06") matched no item scope for that industry, so the target silently lost
    those items; and the import stored any five characters."""
    if not code:
        return None
    if not re.fullmatch(INDUSTRY_CODE_FORMAT, code):
        return str(_("应为GB/T 4754行业代码，如C2614或2614"))
    try:
        parse_scope(code)
    except ScopeError as error:
        return str(scope_message(error, typed_alone=True))
    return None


def validate_credit_code(value: str) -> None:
    from shuangsuiji.engine import creditcode

    problem = creditcode.validate(value)
    if problem:
        raise ValidationError(system_text(problem), code="credit_code")


class Level(models.TextChoices):
    PROVINCE = "province", _("省级")
    CITY = "city", _("市级")
    COUNTY = "county", _("县级")


LEVEL_RANK = {Level.PROVINCE: 0, Level.CITY: 1, Level.COUNTY: 2}
"""Province above city above county (a county may sit directly under a province: 省直辖县)."""


class Jurisdiction(models.Model):
    """An area in the tree province → city → county; every record belongs to one.

    ``path`` is the chain of division codes from the root ("130000.130600.130602."), so a subtree is
    one indexed prefix match — the scoping gate depends on it.
    """

    code = models.CharField(_("行政区划代码"), max_length=6, unique=True, validators=[division_code])
    name = models.CharField(_("名称"), max_length=64)
    level = models.CharField(_("层级"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=255, db_index=True, editable=False)
    bureau_name = models.CharField(_("生态环境部门名称"), max_length=128, blank=True)

    scope_field = ""
    scope_includes_ancestors = True
    objects = ScopedManager()

    class Meta:
        verbose_name = _("行政区")
        verbose_name_plural = _("行政区")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("registry:jurisdiction_detail", args=[self.pk])

    def compute_path(self) -> str:
        prefix = self.parent.path if self.parent_id else ""
        return f"{prefix}{self.code}."

    def clean(self) -> None:
        # The tree is the scoping gate (``path``): a county filed under another county would hand its data to that
        # county's admin, a city under its own county make a loop. Each level sits strictly below its parent (so
        # no loop is possible either).
        rank = LEVEL_RANK.get(self.level)
        if rank is None:
            return  # the field's own check names a missing or unknown level
        if self.parent_id is not None and LEVEL_RANK.get(self.parent.level, rank) >= rank:
            raise ValidationError({"parent": _("%(level)s行政区的上级须高于%(level)s，%(parent)s是%(actual)s") % {
                "level": self.get_level_display(), "parent": self.parent.name,
                "actual": self.parent.get_level_display()}})
        if self.pk is not None:
            blocking = [child for child in self.children.order_by("path")
                        if LEVEL_RANK.get(child.level, rank + 1) <= rank]
            if blocking:
                message = _("%(name)s的下级%(children)s不低于%(level)s，层级不能改为%(level)s")
                raise ValidationError({"level": message % {
                    "name": self.name, "children": join_sep(child.name for child in blocking[:5]),
                    "level": self.get_level_display()}})
            # An admin's role names the level he keeps (accounts.services.ROLE_LEVEL): a county made a city would
            # leave its county admins bound to a city, the binding every later save of theirs refuses.
            from shuangsuiji.accounts.services import ROLE_LEVEL  # accounts builds on the registry

            admins = [user.username for user in self.users.order_by("username")
                      if ROLE_LEVEL.get(user.role, self.level) != self.level]
            if admins:
                message = _("%(name)s有%(users)s等管理员账号按原层级绑定，请先在用户管理中调整其角色")
                raise ValidationError({"level": message % {"name": self.name, "users": join_sep(admins[:5])}})

    def ancestor_codes(self) -> list[str]:
        return [code for code in self.path.split(".") if code and code != self.code]


class Department(models.Model):
    """A 处/科/股室 of a bureau or county branch, with or without enforcement duties."""

    jurisdiction = models.ForeignKey(Jurisdiction, verbose_name=_("行政区"), on_delete=models.PROTECT,
                                     related_name="departments")
    name = models.CharField(_("名称"), max_length=64)
    code = models.CharField(_("编码"), max_length=32, blank=True)
    has_enforcement_duty = models.BooleanField(_("具有行政执法职能"), default=True)
    is_active = models.BooleanField(_("在用"), default=True)

    scope_field = "jurisdiction"
    scope_includes_ancestors = True
    objects = ScopedManager()

    class Meta:
        verbose_name = _("科室")
        verbose_name_plural = _("科室")
        ordering = ["jurisdiction__path", "name"]
        constraints = [models.UniqueConstraint(fields=["jurisdiction", "name"], name="department_unique_name")]

    def __str__(self) -> str:
        return f"{self.jurisdiction.name}·{self.name}"

    def get_absolute_url(self) -> str:
        return reverse("registry:department_detail", args=[self.pk])

    def clean(self) -> None:
        # Officers, logins, item lists and plans are bound to a department of their own jurisdiction: moved to
        # another county, its officers would answer to that county's joint plans and its user start plans there.
        if self.pk is None or self.jurisdiction_id is None:
            return
        stored = Department.objects.filter(pk=self.pk).values_list("jurisdiction_id", flat=True).first()
        if stored is None or stored == self.jurisdiction_id:
            return
        bound = [relation.related_model._meta.verbose_name for relation in self._meta.related_objects
                 if relation.related_model._meta.app_label in ("accounts", "registry", "planning", "intake")
                 and getattr(self, relation.get_accessor_name()).exists()]
        if bound:
            raise ValidationError({"jurisdiction": _("科室“%(name)s”已关联%(bound)s，不能改属其他行政区；机构调整的，"
                                                     "请在新行政区新增科室，再停用本科室") % {
                "name": self.name, "bound": join_sep(dict.fromkeys(str(label) for label in bound))}})


class Specialty(models.Model):
    """业务专长, e.g. radiation or solid waste; a check item may need one, an inspector may hold several."""

    code = models.CharField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=64)

    class Meta:
        verbose_name = _("业务专长")
        verbose_name_plural = _("业务专长")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Category(models.TextChoices):
    GENERAL = "general", _("一般排污单位")
    KEY = "key", _("重点排污单位")
    SPECIAL = "special", _("特殊监管对象")


class TargetStatus(models.TextChoices):
    ACTIVE = "active", _("在营")
    DEFUNCT = "defunct", _("已注销/关停")


class Target(models.Model):
    """An entry of 检查对象名录库, keyed by its 统一社会信用代码."""

    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True,
                                   validators=[validate_credit_code])
    name = models.CharField(_("单位名称"), max_length=128, db_index=True)
    address = models.CharField(_("地址"), max_length=255, blank=True)
    jurisdiction = models.ForeignKey(Jurisdiction, verbose_name=_("行政区"), on_delete=models.PROTECT,
                                     related_name="targets")
    industry_code = models.CharField(_("行业代码"), max_length=5, blank=True,
                                     validators=[RegexValidator(INDUSTRY_CODE_FORMAT,
                                                                _("应为GB/T 4754行业代码，如C2614或2614"))])
    industry_name = models.CharField(_("行业名称"), max_length=64, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True,
                                    validators=coordinate_validators(LONGITUDE, LONGITUDE_MESSAGE))
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True,
                                   validators=coordinate_validators(LATITUDE, LATITUDE_MESSAGE))
    legal_representative = models.CharField(_("法定代表人"), max_length=64, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=64, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=32, blank=True, validators=[validate_phone])
    permit_number = models.CharField(_("排污许可证编号"), max_length=64, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=TargetStatus.choices, default=TargetStatus.ACTIVE,
                              db_index=True)
    defunct_date = models.DateField(_("注销/关停日期"), null=True, blank=True)
    defunct_reason = models.CharField(_("注销/关停原因"), max_length=255, blank=True)
    category = models.CharField(_("监管类别"), max_length=10, choices=Category.choices, default=Category.GENERAL,
                                db_index=True)
    positive_list = models.BooleanField(_("正面清单"), default=False)
    created_at = models.DateTimeField(_("纳入时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    scope_field = "jurisdiction"
    objects = ScopedManager()

    class Meta:
        verbose_name = _("检查对象")
        verbose_name_plural = _("检查对象名录库")
        ordering = ["jurisdiction__path", "name"]
        indexes = [models.Index(fields=["jurisdiction", "status", "category"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="active") | models.Q(defunct_date__isnull=False),
                name="target_defunct_has_date",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("registry:target_detail", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.status == TargetStatus.ACTIVE


class TargetHistory(models.Model):
    """A dated change of a target's category, positive-list flag or status, with its reason.

    ``effective_date`` is when the change takes effect in law (e.g. the directory's date), which may
    differ from when it was recorded. ``evidence`` links the records that caused it (penalties,
    complaints, exceedances) as a list of {"kind", "id", "label"}.
    """

    class Field(models.TextChoices):
        CATEGORY = "category", _("监管类别")
        POSITIVE_LIST = "positive_list", _("正面清单")
        STATUS = "status", _("状态")

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="history")
    field = models.CharField(_("项目"), max_length=16, choices=Field.choices)
    old_value = models.CharField(_("原值"), max_length=32, blank=True)
    new_value = models.CharField(_("新值"), max_length=32)
    effective_date = models.DateField(_("生效日期"), default=date.today)
    reason = models.TextField(_("理由"))
    evidence = models.JSONField(_("依据"), default=list, blank=True)
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    recorded_by = models.ForeignKey("accounts.User", verbose_name=_("记录人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    scope_field = "target__jurisdiction"
    objects = ScopedManager()

    class Meta:
        verbose_name = _("检查对象变更")
        verbose_name_plural = _("检查对象变更")
        ordering = ["-effective_date", "-id"]

    def __str__(self) -> str:
        return f"{self.target_id} {self.field}: {self.old_value} → {self.new_value}"

    def _label(self, value: str) -> str:
        labels = {self.Field.CATEGORY: dict(Category.choices), self.Field.STATUS: dict(TargetStatus.choices),
                  self.Field.POSITIVE_LIST: {"True": _("是"), "False": _("否")}}[self.field]
        return str(labels.get(value, value))

    @property
    def old_label(self) -> str:
        return self._label(self.old_value) if self.old_value else ""

    @property
    def new_label(self) -> str:
        return self._label(self.new_value)


class Outlet(models.Model):
    """排口 of a target, identified for online monitoring (在线监测) by (target, code)."""

    class Kind(models.TextChoices):
        WATER = "water", _("废水")
        AIR = "air", _("废气")
        OTHER = "other", _("其他")

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="outlets")
    code = models.CharField(_("排口编号"), max_length=32)
    name = models.CharField(_("排口名称"), max_length=64, blank=True)
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices, default=Kind.AIR)
    online_monitored = models.BooleanField(_("安装在线监测"), default=False)

    scope_field = "target__jurisdiction"
    objects = ScopedManager()

    class Meta:
        verbose_name = _("排口")
        verbose_name_plural = _("排口")
        ordering = ["target", "code"]
        constraints = [models.UniqueConstraint(fields=["target", "code"], name="outlet_unique_code")]

    def __str__(self) -> str:
        return f"{self.target.credit_code}-{self.code}"


class InspectorStatus(models.TextChoices):
    ACTIVE = "active", _("在岗")
    ON_LEAVE = "on_leave", _("休假/借调")
    LEFT = "left", _("已调离")


class ExternalKind(models.TextChoices):
    TESTING = "testing_institute", _("检测机构")
    RESEARCH = "research_institute", _("科研院所")
    EXPERT = "expert", _("专家学者")


class Inspector(models.Model):
    """An entry of 检查人员名录库: an officer with a 执法证, or an outside expert.

    Outside experts may join an inspection beyond the two certified officers (指导意见 (十)) and never
    count toward them. ``certificate_number`` is the registry key; for an expert it is the number the
    bureau's expert pool gave him.
    """

    name = models.CharField(_("姓名"), max_length=64)
    certificate_number = models.CharField(_("执法证号"), max_length=32, unique=True)
    certificate_expiry = models.DateField(_("执法证有效期至"), null=True, blank=True)
    jurisdiction = models.ForeignKey(Jurisdiction, verbose_name=_("行政区"), on_delete=models.PROTECT,
                                     related_name="inspectors")
    department = models.ForeignKey(Department, verbose_name=_("科室"), on_delete=models.PROTECT,
                                   related_name="inspectors")
    qualifications = models.CharField(_("执法资质"), max_length=255, blank=True)
    specialties = models.ManyToManyField(Specialty, verbose_name=_("业务专长"), blank=True,
                                         related_name="inspectors")
    status = models.CharField(_("状态"), max_length=10, choices=InspectorStatus.choices,
                              default=InspectorStatus.ACTIVE, db_index=True)
    is_double_random = models.BooleanField(_("双随机执法人员"), default=True,
                                           help_text=_("计入一般排污单位年度抽查数量的执法人员"))
    is_external = models.BooleanField(_("外部专家"), default=False)
    external_kind = models.CharField(_("专家类型"), max_length=20, choices=ExternalKind.choices, blank=True)
    organisation = models.CharField(_("工作单位"), max_length=128, blank=True)
    phone = models.CharField(_("联系电话"), max_length=32, blank=True, validators=[validate_phone])
    recusals = models.ManyToManyField(Target, through="Recusal", verbose_name=_("回避对象"), blank=True,
                                      related_name="recused_inspectors")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope_field = "jurisdiction"
    objects = ScopedManager()

    class Meta:
        verbose_name = pgettext_lazy("one", "执法人员")
        verbose_name_plural = _("检查人员名录库")
        ordering = ["jurisdiction__path", "department__name", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(is_external=True) | models.Q(certificate_expiry__isnull=False),
                name="inspector_officer_has_expiry",
            )
        ]

    def __str__(self) -> str:
        # the reader's brackets, "王振燕（13060800001）" or "王振燕 (13060800001)"; an audit event stores the name
        # under system_language, so stored names stay Chinese
        return f"{self.name}{bracketed(self.certificate_number)}"

    def get_absolute_url(self) -> str:
        return reverse("registry:inspector_detail", args=[self.pk])

    @property
    def level(self) -> str:
        return self.jurisdiction.level

    def clean(self) -> None:
        # Said by the page's form too; here so the admin holds to it (an officer of one county in another's
        # department would be drawn into that county's joint teams).
        if self.department_id and self.jurisdiction_id and self.department.jurisdiction_id != self.jurisdiction_id:
            raise ValidationError({"department": _("科室须属于所选行政区")})
        if self.pk is not None:
            # his login moves with him (registry.services.do_save); one whose role cannot is refused here, at the field
            from shuangsuiji.accounts.services import moved_login  # accounts builds on the registry

            moved_login(self)

    def is_certified_on(self, day: date) -> bool:
        """Holds a valid 执法证 on ``day`` and may count toward the two officers of a team."""
        return (not self.is_external and self.certificate_expiry is not None
                and self.certificate_expiry >= day)


class Recusal(models.Model):
    """回避: the inspector may not inspect the target (kinship, former employment, …)."""

    inspector = models.ForeignKey(Inspector, on_delete=models.CASCADE, related_name="recusal_entries")
    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="recusal_entries")
    reason = models.CharField(_("回避理由"), max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_field = "inspector__jurisdiction"
    objects = ScopedManager()

    class Meta:
        verbose_name = _("回避")
        verbose_name_plural = _("回避")
        constraints = [models.UniqueConstraint(fields=["inspector", "target"], name="recusal_unique_pair")]

    def __str__(self) -> str:
        return f"{self.inspector_id} ↛ {self.target_id}"


def departments_outside(jurisdiction: Jurisdiction, departments: Iterable[Department]) -> str:
    """Empty when every department belongs to ``jurisdiction`` or one above it; otherwise the sentence that names
    those that do not."""
    wrong = [str(d) for d in departments if not jurisdiction.path.startswith(d.jurisdiction.path)]
    if not wrong:
        return ""
    return _("应为%(name)s或其上级行政区的科室，以下不是：%(wrong)s") % {"name": jurisdiction.name,
                                                                  "wrong": join_sep(wrong)}


def list_level_mismatch(jurisdiction: Jurisdiction) -> str:
    """Why another 清单层级 is refused: each bureau draws up its own level's list (实施方案 三(一): 本级清单),
    so an item is on the list of its jurisdiction's level."""
    return _("%(place)s是%(level)s行政区，其抽查事项属%(level)s清单：请填%(level)s或留空") % {
        "place": jurisdiction.name, "level": jurisdiction.get_level_display()}


class CheckItem(models.Model):
    """An entry of 随机抽查事项清单: what may be inspected, on what legal basis, by whom."""

    code = models.CharField(_("事项编码"), max_length=32, unique=True)
    name = models.CharField(_("抽查事项"), max_length=128)
    legal_basis = models.TextField(_("检查依据"))
    content = models.TextField(_("检查内容"))
    jurisdiction = models.ForeignKey(Jurisdiction, verbose_name=_("制定机关所在行政区"), on_delete=models.PROTECT,
                                     related_name="check_items")
    list_level = models.CharField(_("清单层级"), max_length=10, choices=Level.choices, default=Level.CITY)
    responsible_department = models.ForeignKey(Department, verbose_name=_("责任科室"), on_delete=models.PROTECT,
                                               related_name="responsible_items")
    cooperating_departments = models.ManyToManyField(Department, verbose_name=_("配合科室"), blank=True,
                                                     related_name="cooperating_items")
    applies_general = models.BooleanField(_("适用一般排污单位"), default=True)
    applies_key = models.BooleanField(_("适用重点排污单位"), default=True)
    applies_special = models.BooleanField(_("适用特殊监管对象"), default=True)
    specialty = models.ForeignKey(Specialty, verbose_name=_("所需专长"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="check_items")
    # The 检查对象 a real item list names: an item for 机动车排放检验机构 is no business of a tannery's.
    industries = models.CharField(_("适用行业"), max_length=255, blank=True, validators=[validate_industries],
                                  help_text=INDUSTRIES_HELP)
    check_method = models.CharField(_("检查方式"), max_length=32, blank=True, default="现场检查")
    is_active = models.BooleanField(_("在用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope_field = "jurisdiction"
    scope_includes_ancestors = True
    objects = ScopedManager()

    class Meta:
        verbose_name = _("抽查事项")
        verbose_name_plural = _("随机抽查事项清单")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("registry:checkitem_detail", args=[self.pk])

    def clean(self) -> None:
        # Stored normalised ("b  e48，e48" -> "B E48"): the validator has already said which code is bad.
        with contextlib.suppress(ScopeError):
            self.industries = normalise_scope(self.industries)
        # The rule the Excel import holds to: an item's departments are its own jurisdiction's or a higher one's.
        # A county's department responsible for a city item could never start its joint plan (a joint plan is
        # started in the item's jurisdiction by the department responsible for it).
        wrong = {}
        if self.jurisdiction_id and self.list_level != self.jurisdiction.level:
            wrong["list_level"] = list_level_mismatch(self.jurisdiction)
        if self.jurisdiction_id and self.responsible_department_id:
            outside = departments_outside(self.jurisdiction, [self.responsible_department])
            if outside:
                wrong["responsible_department"] = outside
        if wrong:
            raise ValidationError(wrong)

    @property
    def categories(self) -> list[str]:
        return [c for c, on in ((Category.GENERAL, self.applies_general), (Category.KEY, self.applies_key),
                                (Category.SPECIAL, self.applies_special)) if on]

    @property
    def industries_display(self) -> str:
        """The industry scope as pages and exports show it: the codes, or that it is every industry."""
        return self.industries or str(_("所有行业"))

    def applies_to(self, category: str, industry_code: str) -> bool:
        """Whether the item is checked at a target of ``category`` (its category in the task's quarter) and
        ``industry_code`` (``Target.industry_code``): the one rule of a task's, a record's and a plan's items."""
        return category in self.categories and industry_in_scope(self.industries, industry_code)


def items_for_target(items: Iterable[CheckItem], category: str, industry_code: str) -> list[CheckItem]:
    """The items of a visit to a target of ``category`` and ``industry_code``, in the order given: those that
    apply to it (``CheckItem.applies_to``).

    When the industry scopes would leave a visit with nothing to check — a joint plan on items for one industry
    draws from every key unit, not only that industry's — the items of its category are kept: the inspector
    marks 不涉及 where an item does not fit, as before the scopes, rather than seal an empty record."""
    by_category = [item for item in items if category in item.categories]
    return [item for item in by_category if industry_in_scope(item.industries, industry_code)] or by_category


class WorkdayOverride(models.Model):
    """A day the State Council's notice makes a holiday or a working day, for years the calendar
    package does not know yet. The engine's working-day functions take these as overrides."""

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("是否工作日"))
    note = models.CharField(_("说明"), max_length=128, blank=True)

    class Meta:
        verbose_name = _("工作日调整")
        verbose_name_plural = _("工作日调整")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {'班' if self.is_workday else '休'}"
