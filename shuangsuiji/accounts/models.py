from datetime import date, timedelta

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shuangsuiji.validators import validate_phone


class Role(models.TextChoices):
    CITY_ADMIN = "city_admin", _("市局管理员")
    COUNTY_ADMIN = "county_admin", _("分局管理员")
    DEPARTMENT = "department_user", _("科室用户")
    INSPECTOR = "inspector", pgettext_lazy("one", "执法人员")
    LEADER = "leader", _("局领导")


COUNTY_KEPT_ROLES = frozenset({Role.DEPARTMENT, Role.INSPECTOR})
"""The roles whose accounts a county admin keeps in his county: its working accounts. A county's admins and leaders
(of his own rank and above it) are kept by the city admin — an admin does not open, change or deactivate the
accounts that oversee his own work, nor give a colleague the rights he holds. His own account's profile stays his
(``services.validate_user`` refuses anyone his own role, scope and status)."""


def county_refusal() -> str:
    """Why a county admin may not act on an account: said by the service, the forms and the list alike."""
    return str(_("分局管理员只管理本县的科室用户和执法人员账号；分局管理员和局领导的账号由市局管理员开设、修改和停用"))


class UserQuerySet(models.QuerySet):
    def visible_to(self, user) -> "UserQuerySet":
        """The scoping gate of accounts (DESIGN §5): the users whose accounts ``user`` manages.

        Unlike the registries, accounts are not read by the whole scope: a leader, a department user or an
        officer sees no one's account, an admin those of his jurisdiction's subtree, a superuser everyone.
        It is ``services.ensure_can_manage`` as a query, so a page lists exactly the users it can act on —
        superusers are managed by superusers only, and an account without a jurisdiction by no admin.
        """
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        if not user.manages_users:
            return self.none()
        scoped = self.filter(is_superuser=False, jurisdiction__path__startswith=user.jurisdiction.path)
        roles = user.managed_roles
        # his own account stays on his pages: its profile is his (its role and scope no one changes himself)
        return scoped if roles is None else scoped.filter(models.Q(role__in=roles) | models.Q(pk=user.pk))


class UserManager(DjangoUserManager.from_queryset(UserQuerySet)):
    """Django's user manager (create_user, create_superuser) with the scoping gate."""


class User(AbstractUser):
    """A person who signs in. Bound to one jurisdiction; that binding is the whole of his scope."""

    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.LEADER)
    jurisdiction = models.ForeignKey(
        "registry.Jurisdiction", verbose_name=_("所属行政区"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="users",
    )
    department = models.ForeignKey(
        "registry.Department", verbose_name=_("所属科室"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="users",
    )
    inspector = models.OneToOneField(
        "registry.Inspector", verbose_name=_("执法人员档案"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="user",
    )
    phone = models.CharField(_("电话"), max_length=32, blank=True, validators=[validate_phone])
    password_changed_at = models.DateTimeField(_("密码设置时间"), default=timezone.now)
    must_change_password = models.BooleanField(
        _("须修改密码"), default=False,
        help_text=_("管理员为他人设置的密码，须由本人在下次登录时改掉"))

    objects = UserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def get_full_name(self) -> str:
        # Chinese names are written family name first, without a space.
        return f"{self.last_name}{self.first_name}".strip()

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_admin_role(self) -> bool:
        return self.role in (Role.CITY_ADMIN, Role.COUNTY_ADMIN)

    @property
    def manages_users(self) -> bool:
        """City and county admins keep the accounts of their own scope (the 用户管理 pages)."""
        return self.is_superuser or (self.is_admin_role and self.jurisdiction_id is not None)

    @property
    def managed_roles(self) -> frozenset[str] | None:
        """The roles of the accounts he keeps in his scope: None for every role (a superuser, a city admin), a
        county admin's working accounts only (``COUNTY_KEPT_ROLES``), none for a role that keeps no accounts."""
        if self.is_superuser or (self.manages_users and self.role == Role.CITY_ADMIN):
            return None
        return COUNTY_KEPT_ROLES if self.manages_users else frozenset()

    @property
    def oversees(self) -> bool:
        """Follows his jurisdiction's work as a whole: its admins act on it, a leader reads it (局领导 read the
        dashboards and reports of their scope, DESIGN §1)."""
        reads = self.is_admin_role or self.role == Role.LEADER
        return self.is_superuser or (reads and self.jurisdiction_id is not None)

    @property
    def reads_audit_log(self) -> bool:
        """The 审计日志 page (``/audit/``) is the security administrator's (等保's 安全审计): the admins who keep the
        accounts of their scope, as on the 用户管理 pages. Its events are every change of the scope, the accounts'
        included (passwords set, sign-in locks and the addresses behind them), which those pages keep from a
        leader, a department user and an officer; they read each object's history on its own page."""
        return self.manages_users

    @property
    def lifts_address_locks(self) -> bool:
        """An address capped for every name (``services.address_locked_until``) is no one county's: a county admin
        lifting it would reopen the spraying at every county's users. The city office decides."""
        return self.is_superuser or (self.role == Role.CITY_ADMIN and self.jurisdiction_id is not None)

    @property
    def can_edit_registry(self) -> bool:
        """City and county admins keep the registries of their own scope; everyone else reads."""
        return self.is_superuser or (self.is_admin_role and self.jurisdiction_id is not None)


class ApiTokenQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ApiTokenQuerySet":
        """The tokens ``user`` may see and revoke: his own, and those of the accounts he manages (the same subtree
        ``User.objects.visible_to`` gives him on the 用户管理 pages). A token is its owner's key, so whoever may
        act on the account may take the key away; nobody else learns it exists."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        return self.filter(models.Q(owner=user) | models.Q(owner__in=User.objects.visible_to(user)))

    def active(self) -> "ApiTokenQuerySet":
        """Neither revoked nor expired now."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class ApiToken(models.Model):
    """A personal, read-only key to the staff API (``Authorization: Bearer ssj_…``) for a bureau's integration: it
    acts as its owner, with exactly his scope and role, without his password (which expires, locks after
    failures, and could not tell a script's requests from the person's).

    Only the SHA-256 of the secret is stored: the secret is shown once, when it is made, and a request is looked
    up by the hash of the secret it brings (no comparison of secrets, so no timing to measure). ``prefix`` is a
    public part of the token (``ssj_<prefix>_…``) to recognise it by on the pages and in the audit chain."""

    owner = models.ForeignKey(User, verbose_name=_("所有者"), on_delete=models.PROTECT, related_name="api_tokens")
    name = models.CharField(_("用途"), max_length=100, help_text=_("说明令牌给谁、做什么用，如：省平台夜间同步"))
    prefix = models.CharField(_("令牌前缀"), max_length=16, db_index=True)
    secret_hash = models.CharField(_("令牌哈希（SHA-256）"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    created_by = models.ForeignKey(User, verbose_name=_("创建人"), on_delete=models.PROTECT, related_name="+")
    expires_at = models.DateTimeField(_("失效时间"))
    last_used_at = models.DateTimeField(_("最近使用时间"), null=True, blank=True)
    last_used_from = models.GenericIPAddressField(_("最近使用地址"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(User, verbose_name=_("吊销人"), null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    revoke_reason = models.CharField(_("吊销理由"), max_length=500, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name}（ssj_{self.prefix}…）"

    @property
    def valid_through(self) -> date:
        """The last day the token works (it expires at the start of the next day, local time)."""
        return (timezone.localtime(self.expires_at) - timedelta(microseconds=1)).date()

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_active(self) -> bool:
        return not self.is_revoked and not self.is_expired
