"""Service functions for users: the only way a login is created, re-scoped or its password set (DESIGN §5).

A user's role and jurisdiction are his whole authority, so every change of them is checked against the
acting user's own scope (a county admin manages his county's users only and can never hand out more than
he has), must carry a reason, and is written to the audit chain in the same transaction. Passwords and
their hashes never enter an event.
"""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from shuangsuiji.accounts.models import Role, User
from shuangsuiji.audit.services import PendingEvent, record_events
from shuangsuiji.registry.models import Level

SCOPE_FIELDS = ("role", "jurisdiction", "department", "inspector", "is_staff", "is_superuser", "is_active")
"""The fields that decide what a user may see and do; changing any of them needs a reason."""

PROFILE_FIELDS = ("username", "last_name", "first_name", "email", "phone")

ROLE_LEVEL = {Role.CITY_ADMIN: Level.CITY, Role.COUNTY_ADMIN: Level.COUNTY}
"""An admin keeps the registries of exactly the level his role names."""


def check_binding(user: User) -> None:
    """Raise ValidationError (by field) unless the user's role fits his jurisdiction, department and
    inspector record."""
    errors: dict[str, str] = {}
    jurisdiction = user.jurisdiction
    if jurisdiction is None:
        if not user.is_superuser:
            errors["jurisdiction"] = _("请选择所属行政区：没有行政区的用户什么也看不到")
    else:
        level = ROLE_LEVEL.get(user.role)
        if level and jurisdiction.level != level:
            errors["jurisdiction"] = _("%(role)s须绑定%(level)s行政区，%(name)s是%(actual)s") % {
                "role": user.get_role_display(), "level": Level(level).label, "name": jurisdiction.name,
                "actual": jurisdiction.get_level_display()}
        if user.department_id and user.department.jurisdiction_id != jurisdiction.pk:
            errors["department"] = _("科室“%(department)s”不属于%(name)s") % {
                "department": user.department.name, "name": jurisdiction.name}
        if user.inspector_id and user.inspector.jurisdiction_id != jurisdiction.pk:
            errors["inspector"] = _("执法人员档案“%(inspector)s”不属于%(name)s") % {
                "inspector": user.inspector.name, "name": jurisdiction.name}
    if user.role == Role.DEPARTMENT and not user.department_id:
        errors["department"] = _("科室用户须选择所属科室")
    if user.role == Role.INSPECTOR and not user.inspector_id:
        errors["inspector"] = _("执法人员用户须关联检查人员名录库中的执法人员档案")
    if errors:
        raise ValidationError(errors)


def ensure_can_manage(acting_user: User | None, user: User) -> None:
    """Raise PermissionDenied unless ``acting_user`` may give ``user`` his role and scope as they are now.

    Called on the stored user and again on the edited one, so a user can be neither taken from nor moved
    out of the acting user's scope.
    """
    if acting_user is None or acting_user.is_superuser:
        return  # system actions (seed, commands) and superusers
    if not acting_user.is_admin_role or acting_user.jurisdiction_id is None:
        raise PermissionDenied(_("只有管理员可以管理用户"))
    if user.is_superuser:
        raise PermissionDenied(_("只有超级管理员可以管理超级管理员"))
    if user.jurisdiction_id is None or not user.jurisdiction.path.startswith(acting_user.jurisdiction.path):
        raise PermissionDenied(_("只能管理本行政区（含下级）的用户"))


def _values(user: User) -> dict[str, Any]:
    """What an event records of a user: readable names, never the password."""
    values: dict[str, Any] = {name: getattr(user, name) for name in PROFILE_FIELDS}
    values["role"] = user.role
    for name in ("jurisdiction", "department", "inspector"):
        related = getattr(user, name) if getattr(user, f"{name}_id") else None
        values[name] = str(related) if related is not None else None
    values.update(is_staff=user.is_staff, is_superuser=user.is_superuser, is_active=user.is_active)
    return values


def validate_user(user: User, *, acting_user: User | None, reason: str = "",
                  stored: User | None = None) -> dict[str, list[Any]]:
    """Everything saving ``user`` checks, without saving: forms call it to show the errors by field.

    Returns the changes against the stored user (every field for a new one). Raises ValidationError by
    field, or PermissionDenied when the acting user may not make this change at all.
    """
    if stored is None and user.pk:
        stored = User.objects.select_related("jurisdiction").get(pk=user.pk)
    if stored is not None:
        ensure_can_manage(acting_user, stored)
    # Only a superuser hands out admin-site access or superuser rights: both reach past the scoping gate.
    granted = user.is_superuser or (user.is_staff and not (stored is not None and stored.is_staff))
    if acting_user is not None and not acting_user.is_superuser and granted:
        raise PermissionDenied(_("只有超级管理员可以授予后台或超级管理员权限"))
    check_binding(user)
    ensure_can_manage(acting_user, user)
    user.full_clean(exclude=["password"])
    before = _values(stored) if stored is not None else {}
    changes = {name: [before.get(name), value] for name, value in _values(user).items()
               if before.get(name) != value}
    if stored is not None and any(name in SCOPE_FIELDS for name in changes):
        if acting_user is not None and acting_user.pk == user.pk:
            raise PermissionDenied(_("不能修改自己的角色、范围或账号状态，请由上级管理员办理"))
        if not reason.strip():
            raise ValidationError({"reason": _("修改角色、所属范围或账号状态必须填写变更理由")})
    return changes


@transaction.atomic
def do_create_user(user: User, *, acting_user: User | None, password: str | None, reason: str = "") -> User:
    """Create a login. ``password`` None makes an account that cannot sign in by password yet."""
    if not user._state.adding:
        raise ValueError("do_create_user takes a new, unsaved user")
    changes = validate_user(user, acting_user=acting_user)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    record_events([PendingEvent("user.create", user, user.jurisdiction_id, changes, reason or _("新增用户"))],
                  actor=acting_user)
    return user


@transaction.atomic
def do_update_user(user: User, *, acting_user: User | None, reason: str = "") -> User:
    """Save the edited ``user``. A change of role, scope or access needs a reason and is recorded as
    ``user.role_change``; other edits as ``user.update``."""
    stored = User.objects.select_for_update(of=("self",)).select_related("jurisdiction").get(pk=user.pk)
    changes = validate_user(user, acting_user=acting_user, reason=reason, stored=stored)
    if not changes:
        return user
    scope_changed = any(name in SCOPE_FIELDS for name in changes)
    user.save()
    record_events([PendingEvent("user.role_change" if scope_changed else "user.update", user,
                                user.jurisdiction_id, changes, reason)], actor=acting_user)
    return user


def do_change_role(user: User, *, acting_user: User | None, role: str, jurisdiction, reason: str,
                   department=None, inspector=None) -> User:
    """Give ``user`` a new role and scope (e.g. an officer promoted to county admin)."""
    user.role, user.jurisdiction, user.department, user.inspector = role, jurisdiction, department, inspector
    return do_update_user(user, acting_user=acting_user, reason=reason)


@transaction.atomic
def do_set_password(user: User, password: str | None, *, acting_user: User | None) -> User:
    """Set a password (None disables password sign-in). The event says that it changed, not what to."""
    stored = User.objects.select_for_update(of=("self",)).select_related("jurisdiction").get(pk=user.pk)
    if acting_user is None or acting_user.pk != user.pk:
        ensure_can_manage(acting_user, stored)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save(update_fields=["password"])
    record_events([PendingEvent("user.password", user, user.jurisdiction_id,
                                {"password": [None, _("已设置") if password else _("已停用密码登录")]},
                                _("设置密码"))], actor=acting_user)
    return user


@transaction.atomic
def do_set_admin_permissions(user: User, *, acting_user: User | None, groups, permissions,
                             reason: str = "") -> User:
    """Set the admin-site groups and permissions of ``user``: a superuser's decision, recorded."""
    if acting_user is not None and not acting_user.is_superuser:
        raise PermissionDenied(_("只有超级管理员可以授予后台或超级管理员权限"))
    groups, permissions = list(groups), list(permissions)
    changes = {}
    for name, values in (("groups", groups), ("user_permissions", permissions)):
        old = sorted(str(v) for v in getattr(user, name).all())
        new = sorted(str(v) for v in values)
        if old != new:
            changes[name] = [old, new]
    if not changes:
        return user
    user.groups.set(groups)
    user.user_permissions.set(permissions)
    record_events([PendingEvent("user.permissions", user, user.jurisdiction_id, changes,
                                reason or _("后台权限"))], actor=acting_user)
    return user
