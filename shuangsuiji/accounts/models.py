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
        return self.filter(is_superuser=False, jurisdiction__path__startswith=user.jurisdiction.path)


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
    def oversees(self) -> bool:
        """Follows his jurisdiction's work as a whole: its admins act on it, a leader reads it (局领导 read the
        dashboards and reports of their scope, DESIGN §1)."""
        reads = self.is_admin_role or self.role == Role.LEADER
        return self.is_superuser or (reads and self.jurisdiction_id is not None)

    @property
    def can_edit_registry(self) -> bool:
        """City and county admins keep the registries of their own scope; everyone else reads."""
        return self.is_superuser or (self.is_admin_role and self.jurisdiction_id is not None)
