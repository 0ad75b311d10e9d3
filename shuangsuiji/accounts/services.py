"""Service functions for users: the only way a login is created, re-scoped or its password set (DESIGN §5).

A user's role and jurisdiction are his whole authority, so every change of them is checked against the
acting user's own scope (a county admin manages his county's users only and can never hand out more than
he has), must carry a reason, and is written to the audit chain in the same transaction. Passwords and
their hashes never enter an event.
"""

import hashlib
import ipaddress
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from axes.utils import reset as reset_login_failures
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Max, Q, Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from shuangsuiji.accounts.models import ApiToken, Role, User, county_refusal
from shuangsuiji.audit.services import PendingEvent, record_events, system_language
from shuangsuiji.punctuation import join_semicolon, join_sep
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


def moved_login(inspector) -> User | None:
    """The login bound to the officer record ``inspector``, moved (unsaved) to the record's jurisdiction; None if
    there is none or it is there already. Raises ValidationError at ``jurisdiction`` when the login's role cannot
    follow (a county admin's own record moved to the city). ``Inspector.clean`` asks it before any save, so the
    pages and the admin say so at the field; ``registry.services.do_save`` saves what it returns."""
    login = User.objects.select_related("department").filter(inspector_id=inspector.pk).first()
    if login is None or inspector.jurisdiction_id is None or login.jurisdiction_id == inspector.jurisdiction_id:
        return None
    login.inspector = inspector  # as it is about to be saved, not as stored
    login.jurisdiction = inspector.jurisdiction
    if login.department_id is not None and login.department.jurisdiction_id != inspector.jurisdiction_id:
        login.department = inspector.department  # the officer's department is of his jurisdiction
    try:
        check_binding(login)
    except ValidationError as error:
        problems = join_semicolon(message for messages in error.message_dict.values() for message in messages)
        raise ValidationError({"jurisdiction": _(
            "该执法人员已开通账号“%(username)s”，账号须随档案改属%(name)s，但%(problems)s；请先在用户管理中调整该账号")
            % {"username": login.username, "name": inspector.jurisdiction.name, "problems": problems}}) from error
    return login


def ensure_can_manage(acting_user: User | None, user: User) -> None:
    """Raise PermissionDenied unless ``acting_user`` may give ``user`` his role and scope as they are now.

    Called on the stored user and again on the edited one, so a user can be neither taken from nor moved
    out of the acting user's scope, nor given a role the acting user does not keep (a county admin keeps his
    county's department users and inspectors only, ``User.managed_roles``: he neither makes an inspector a
    leader nor deactivates his county's leader). ``User.objects.visible_to`` is this rule as a query.
    """
    if acting_user is None or acting_user.is_superuser:
        return  # system actions (seed, commands) and superusers
    if not acting_user.is_admin_role or acting_user.jurisdiction_id is None:
        raise PermissionDenied(_("只有管理员可以管理用户"))
    if user.is_superuser:
        raise PermissionDenied(_("只有超级管理员可以管理超级管理员"))
    if user.jurisdiction_id is None or not user.jurisdiction.path.startswith(acting_user.jurisdiction.path):
        raise PermissionDenied(_("只能管理本行政区（含下级）的用户"))
    roles = acting_user.managed_roles
    if roles is not None and user.role not in roles and user.pk != acting_user.pk:
        raise PermissionDenied(county_refusal())


def _values(user: User) -> dict[str, Any]:
    """What an event records of a user: readable names, never the password."""
    values: dict[str, Any] = {name: getattr(user, name) for name in PROFILE_FIELDS}
    values["role"] = user.role
    with system_language():  # stored in the event: an inspector's name reads "王振燕（13060800001）" whoever saves
        for name in ("jurisdiction", "department", "inspector"):
            related = getattr(user, name) if getattr(user, f"{name}_id") else None
            values[name] = str(related) if related is not None else None
    values.update(is_staff=user.is_staff, is_superuser=user.is_superuser, is_active=user.is_active)
    return values


def validate_user(user: User, *, acting_user: User | None, reason: str = "",
                  stored: User | None = None) -> dict[str, list[Any]]:
    """Everything saving ``user`` checks, without saving: forms call it to show the errors by field.

    Returns the changes against the stored user (for a new one, every field given a value). Raises ValidationError by
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
    # A new account's event says what was given: an unset flag or blank field (超级用户状态 no, 邮箱 none) is
    # the default, and listing it would read as if someone had decided it.
    changes = {name: [before.get(name), value] for name, value in _values(user).items()
               if before.get(name) != value and (stored is not None or value not in (None, "", False))}
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
    _set_password(user, password, owner_chose=False)
    user.save()
    record_events([PendingEvent("user.create", user, user.jurisdiction_id, changes,
                                reason or gettext_lazy("新增用户"))], actor=acting_user)
    return user


@transaction.atomic
def do_update_user(user: User, *, acting_user: User | None, reason: str = "") -> User:
    """Save the edited ``user``. A change of role, scope or access needs a reason and is recorded as
    ``user.role_change``, a change of the account's status alone as ``user.deactivate`` or ``user.reactivate`` (the
    audit log's reader looks for 停用账号, not for a change of scope); other edits as ``user.update``."""
    stored = User.objects.select_for_update(of=("self",)).select_related("jurisdiction").get(pk=user.pk)
    changes = validate_user(user, acting_user=acting_user, reason=reason, stored=stored)
    if not changes:
        return user
    scope_changed = {name for name in changes if name in SCOPE_FIELDS}
    user.save()
    if scope_changed == {"is_active"}:
        event = PendingEvent("user.reactivate" if user.is_active else "user.deactivate", user, user.jurisdiction_id,
                             changes, reason)
    else:
        event = PendingEvent("user.role_change" if scope_changed else "user.update", user, user.jurisdiction_id,
                             changes, reason)
    record_events([event], actor=acting_user)
    if stored.is_active and not user.is_active:
        # a deactivated account's scripts stop with it, and stay stopped if it is enabled again: a token is
        # made anew by its owner, who then knows where it goes (the API also refuses any token of an inactive owner)
        _revoke_tokens(ApiToken.objects.active().filter(owner=user).select_related("owner"), acting_user=acting_user,
                       reason=_system_text(gettext_lazy("账号停用：%(reason)s"), reason=reason))
    return user


def do_change_role(user: User, *, acting_user: User | None, role: str, jurisdiction, reason: str,
                   department=None, inspector=None) -> User:
    """Give ``user`` a new role and scope (e.g. an officer promoted to county admin)."""
    user.role, user.jurisdiction, user.department, user.inspector = role, jurisdiction, department, inspector
    return do_update_user(user, acting_user=acting_user, reason=reason)


def _set_password(user: User, password: str | None, *, owner_chose: bool) -> None:
    """Check and set ``password`` (None: no password sign-in). One the owner did not choose himself — an admin
    set it, or a command — he must change at his next sign-in: others have known it."""
    if password:
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise ValidationError({"password": error.messages}) from None
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.password_changed_at = timezone.now()
    user.must_change_password = bool(password) and not owner_chose


@transaction.atomic
def do_set_password(user: User, password: str | None, *, acting_user: User | None) -> int:
    """Set a password (None disables password sign-in). The event says that it changed, not what to. Returns how
    many of the user's API tokens were revoked with it.

    The user's other sessions end (Django signs out every session made with the old password); the caller
    keeps the acting user's own session with ``update_session_auth_hash``. Someone else setting it — an admin's
    reset, the path of a forgotten or compromised password — revokes the user's working API tokens too, in this
    transaction: whoever held the password could have made one, and a token is not stopped by the new password.
    The owner's own change (the routine one every 90 days) keeps them: nothing says anyone else knew it.
    """
    stored = User.objects.select_for_update(of=("self",)).select_related("jurisdiction").get(pk=user.pk)
    own = acting_user is not None and acting_user.pk == user.pk
    if not own:
        ensure_can_manage(acting_user, stored)
    _set_password(user, password, owner_chose=own)
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])
    state = gettext_lazy("已设置") if password else gettext_lazy("已停用密码登录")
    record_events([PendingEvent("user.password", user, user.jurisdiction_id, {"password": [None, state]},
                                gettext_lazy("本人修改密码") if own else gettext_lazy("设置密码"))], actor=acting_user)
    if own:
        return 0
    return _revoke_tokens(ApiToken.objects.active().filter(owner=user).select_related("owner"),
                          acting_user=acting_user,
                          reason=_system_text(gettext_lazy("管理员重置密码，原有 API 令牌一并吊销")))


def password_expires_at(user: User) -> datetime | None:
    """When the user's password must be changed by (None: it does not expire)."""
    days = settings.PASSWORD_MAX_AGE_DAYS
    return user.password_changed_at + timedelta(days=days) if days else None


def must_change_password(user: User) -> str:
    """Why ``user`` must set a new password before doing anything else ("" if he need not)."""
    if not user.has_usable_password():
        return ""
    if user.must_change_password:
        return _("您的密码由管理员设置，请先改为只有您自己知道的密码。")
    expires = password_expires_at(user)
    if expires is not None and expires <= timezone.now():
        return _("您的密码已使用超过%(days)d天，请先修改密码。") % {"days": settings.PASSWORD_MAX_AGE_DAYS}
    return ""


def locked_until(username: str, address: str | None = None) -> datetime | None:
    """When sign-in under ``username`` opens again after too many failures (None: it is not locked): from
    ``address``, or from the address locked longest when None (the lock is per name and address,
    AXES_LOCKOUT_PARAMETERS)."""
    locks = locked_addresses(username)
    if address is not None:
        return locks.get(address)
    return max(locks.values(), default=None)


def locked_addresses(username: str) -> dict[str, datetime]:
    """The addresses ``username`` may not sign in from after too many failures, each with when it opens again."""
    return _locks([username]).get(username, {})


def locked_until_each(usernames: Iterable[str]) -> dict[str, datetime]:
    """``locked_until`` for many names in one query (a page of the user list): the locked names only."""
    return {username: max(locks.values()) for username, locks in _locks(usernames).items()}


def _locks(usernames: Iterable[str]) -> dict[str, dict[str, datetime]]:
    """{name: {address: locked until}} of the names locked from some address. django-axes keeps one attempt row
    per name, address and browser and counts a name and address's failures over its browsers, so they are
    summed here as it sums them."""
    limit, cool_off = settings.AXES_FAILURE_LIMIT, settings.AXES_COOLOFF_TIME
    since = timezone.now() - cool_off
    rows = (AccessAttempt.objects.filter(username__in=list(usernames), attempt_time__gte=since)
            .order_by().values_list("username", "ip_address")
            .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time")))
    locks: dict[str, dict[str, datetime]] = {}
    for username, address, failures, last in rows:
        if failures >= limit:
            locks.setdefault(username, {})[address or ""] = last + cool_off
    return locks


def address_locked_until(address: str | None) -> datetime | None:
    """When sign-in from ``address`` opens again for every name (None: it is not capped): LOGIN_ADDRESS_FAILURE_LIMIT
    failed sign-ins from it within the cool-off, whatever the names tried, refuse it (password spraying: a few
    guesses at each of many names stay under the per-name limit).

    Counted from the same attempt rows as the per-name lock, one per name, address and browser, each holding its
    failures and the time of its last: a row stops counting a cool-off after its last failure, so the cap ends
    when the rows still counting hold fewer than the limit. A name's success from the address forgets that name's
    failures there (AXES_RESET_ON_SUCCESS), not the other names'; refused attempts are not counted (axes does not
    record them), so the end named on the page holds."""
    limit, cool_off = settings.LOGIN_ADDRESS_FAILURE_LIMIT, settings.AXES_COOLOFF_TIME
    if not limit or not address:
        return None
    rows = (AccessAttempt.objects.filter(ip_address=address, attempt_time__gte=timezone.now() - cool_off)
            .order_by("-attempt_time").values_list("failures_since_start", "attempt_time"))
    counted = 0
    for failures, last in rows:
        counted += failures
        if counted >= limit:  # the newer rows alone fall below the limit once this one stops counting
            return last + cool_off
    return None


def address_locks_for(username: str) -> dict[str, datetime]:
    """The capped addresses (``address_locked_until``) ``username`` was last seen at: those of his failures
    within the cool-off and of his last ten sign-ins (his office, his home, his phone's network) — what his admin
    is told when lifting his name's lock does not let him in from there."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    addresses = set(AccessFailureLog.objects.filter(username=username, attempt_time__gte=since)
                    .values_list("ip_address", flat=True).distinct())
    addresses.update(AccessLog.objects.filter(username=username).order_by("-attempt_time")
                     .values_list("ip_address", flat=True)[:10])
    locks = {address: address_locked_until(address) for address in addresses if address}
    return {address: until for address, until in sorted(locks.items()) if until is not None}


def login_name(request, credentials: dict | None = None) -> str | None:
    """The user name django-axes counts a sign-in's failures under (AXES_USERNAME_CALLABLE): the name tried, as
    its records can hold it. The login form does not limit the name's length and HTTP Basic neither its length
    nor its characters, and a name of thousands of characters or holding a NUL was a server error on
    PostgreSQL when axes stored the failure. Cut to the 255 characters its columns hold (no user's name is that
    long, so no one's count is touched) and with NUL replaced (PostgreSQL refuses it in text)."""
    name = (credentials or getattr(request, "data", request.POST)).get("username")
    if name is None:
        return None
    return str(name).replace("\x00", "\ufffd")[:255]


def lockout_message(username: str, address: str) -> str:
    """What a sign-in under a name locked from ``address`` is told: until when, and who can open it sooner. When
    the address is capped for every name (``address_locked_until``), it is told that first: no admin's unlock of the
    name opens that."""
    until = locked_until(username, address)
    capped = address_locked_until(address)
    if capped is None:
        return _name_lockout_message(username, address, until)
    told = _("此网络地址（%(address)s）在%(minutes)d分钟内已有%(limit)d次登录失败（不论用户名），从此地址登录任何"
             "用户名均已锁定至%(until)s。请届时再试，或从其他网络登录；管理员解除个人账号的锁定不能解除此地址的"
             "锁定。") % {
        "address": address, "minutes": settings.AXES_COOLOFF_TIME // timedelta(minutes=1),
        "limit": settings.LOGIN_ADDRESS_FAILURE_LIMIT, "until": date_format(timezone.localtime(capped), "Y-m-d H:i")}
    # both: each lock and its end (the name's may end later; an admin's unlock lifts only that one)
    return f"{told} {_name_lockout_message(username, address, until)}" if until is not None else told


def _name_lockout_message(username: str, address: str, until: datetime | None) -> str:
    until = until or timezone.now() + settings.AXES_COOLOFF_TIME
    return _("用户名“%(username)s”在此网络地址（%(address)s）连续%(limit)d次登录失败，从此地址登录已锁定至%(until)s。"
             "请届时再试，或请本单位管理员解除锁定。") % {
        "username": username, "address": address, "limit": settings.AXES_FAILURE_LIMIT,
        "until": date_format(timezone.localtime(until), "Y-m-d H:i")}


def previous_sign_in(user: User) -> AccessLog | None:
    """The user's sign-in before the current one (time and address), from django-axes' access log."""
    return AccessLog.objects.filter(username=user.username).order_by("-attempt_time")[1:2].first()


def recent_sign_ins(user: User, count: int = 10) -> list[dict[str, Any]]:
    """The user's latest sign-ins and failed attempts under his name, newest first, for him to spot one that
    was not his: {"at", "ok", "locked", "ip"}."""
    done = [{"at": log.attempt_time, "ok": True, "locked": False, "ip": log.ip_address}
            for log in AccessLog.objects.filter(username=user.username).order_by("-attempt_time")[:count]]
    failed = [{"at": log.attempt_time, "ok": False, "locked": log.locked_out, "ip": log.ip_address}
              for log in AccessFailureLog.objects.filter(username=user.username).order_by("-attempt_time")[:count]]
    return sorted(done + failed, key=lambda row: row["at"], reverse=True)[:count]


def failures_since(user: User, since: datetime | None) -> int:
    """Failed sign-ins under the user's name since ``since`` (all that are logged when None)."""
    failures = AccessFailureLog.objects.filter(username=user.username)
    return (failures.filter(attempt_time__gt=since) if since else failures).count()


@transaction.atomic
def do_unlock_login(user: User, *, acting_user: User | None) -> int:
    """Forget ``user``'s failed sign-ins, lifting a lockout before it ends by itself (the user called and
    proved who he is). Returns how many failures were forgotten; an event records it."""
    ensure_can_manage(acting_user, user)
    was_locked = locked_until(user.username)
    forgotten = reset_login_failures(username=user.username)
    if forgotten:
        record_events([PendingEvent("user.unlock", user, user.jurisdiction_id, {"locked_until": [was_locked, None]},
                                    gettext_lazy("解除登录锁定"))], actor=acting_user)
    return forgotten


def record_lockout(username: str, address: str, failures: int, until: datetime | None) -> None:
    """Write the audit event of an account locked from ``address`` after ``failures`` failed sign-ins (no event
    for a name that is nobody's: the failure log keeps those)."""
    user = User.objects.filter(username=username).first()
    if user is None:
        return
    with transaction.atomic():
        record_events([PendingEvent("user.locked_out", user, user.jurisdiction_id,
                                    {"failures": [None, failures], "locked_until": [None, until],
                                     "address": [None, address]},
                                    gettext_lazy("连续登录失败，账号锁定"))])


def record_address_lockout(address: str, until: datetime) -> None:
    """Write the audit event of ``address`` capped for every name until ``until``: its failures within the
    cool-off, how many names they tried and which of them are accounts (the names that are nobody's are in the
    failure log only: they are whatever the client typed). The event is about no one account, so it is on no
    user's history (no page lists such events: docs/operations.md says where to read them)."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    rows = AccessAttempt.objects.filter(ip_address=address, attempt_time__gte=since)
    counts = rows.aggregate(failures=Sum("failures_since_start"), names=Count("username", distinct=True))
    accounts = sorted(User.objects.filter(username__in=rows.values("username")).values_list("username", flat=True))
    with transaction.atomic():
        record_events([PendingEvent("login.address_locked_out", None, None,
                                    {"address": [None, address], "failures": [None, counts["failures"]],
                                     "names": [None, counts["names"]], "accounts": [None, accounts],
                                     "locked_until": [None, until]},
                                    gettext_lazy("同一地址登录失败过多，地址锁定"))])


@dataclass(frozen=True)
class AddressLock:
    """An address capped for every name (``address_locked_until``), as the page lifting it shows it and the event of
    the lift records it."""

    address: str
    until: datetime
    failures: int
    """Failed sign-ins from the address within the cool-off: what lifting it forgets."""
    names: int
    """How many names they tried."""
    locked_accounts: list[str]
    """The accounts whose own name is locked from the address too (``AXES_FAILURE_LIMIT`` failures there): lifting
    the address forgets their failures there as well, so those locks go with it."""
    kept_accounts: tuple[str, ...] = ()
    """Of ``locked_accounts``, those the lifting admin does not manage (a superuser's, an account of no jurisdiction):
    their failures from the address are kept, so their locks stay (``do_lift_address_lock``)."""


def canonical_address(address: str) -> str:
    """``address`` as django-axes stores it (``ipaddress``'s spelling: IPv6 compressed, lower case), or
    ValidationError at ``address`` when it is no IPv4 or IPv6 address."""
    try:
        return str(ipaddress.ip_address((address or "").strip()))
    except ValueError:
        raise ValidationError({"address": _("“%(address)s”不是网络地址：请填写 IPv4 或 IPv6 地址，如 10.0.0.66") % {
            "address": (address or "")[:64]}}) from None


def address_lock(address: str, *, acting_user: User | None = None) -> AddressLock | None:
    """The cap on ``address`` now (None: sign-in from it is open to every name); with ``acting_user``, which of the
    locked accounts his lift would leave locked (``kept_accounts``)."""
    until = address_locked_until(address)
    if until is None:
        return None
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    rows = (AccessAttempt.objects.filter(ip_address=address, attempt_time__gte=since).order_by()
            .values("username").annotate(failures=Sum("failures_since_start")))
    per_name = {row["username"]: row["failures"] for row in rows}
    locked = [name for name, failures in per_name.items() if failures >= settings.AXES_FAILURE_LIMIT]
    accounts = sorted(User.objects.filter(username__in=locked).values_list("username", flat=True))
    kept = set(_unmanaged(acting_user, accounts)) if acting_user is not None else set()
    return AddressLock(address, until, sum(per_name.values()), len(per_name), accounts,
                       tuple(name for name in accounts if name in kept))


def _unmanaged(acting_user: User | None, usernames: Iterable[str]) -> list[str]:
    """The names of ``usernames`` that are accounts ``acting_user`` may not act on (``ensure_can_manage``, as a
    query: ``User.objects.visible_to``) — a superuser's above all, which only a superuser manages."""
    if acting_user is None or acting_user.is_superuser:
        return []
    return list(User.objects.filter(username__in=list(usernames))
                .exclude(pk__in=User.objects.visible_to(acting_user).values("pk"))
                .values_list("username", flat=True))


@transaction.atomic
def do_lift_address_lock(address: str, *, acting_user: User | None, reason: str) -> AddressLock:
    """Lift the cap on ``address`` before it ends by itself (the city office found it is its own network's exit,
    say, where a training session's typos added up): every failed sign-in from it is forgotten, as django-axes'
    ``axes_reset_ip`` forgets them, so every name signs in from it again — and the names locked from it by their
    own failures are unlocked there too (their failures are among those forgotten; the event names them). The
    failure log keeps every attempt. ``acting_user`` None is the server's operator (``manage.py
    lift_address_lock``); otherwise a city admin or a superuser (``User.lifts_address_locks``). A city admin's lift
    keeps the failures of the accounts he may not act on (a superuser's): their locks stay (``kept_accounts``), and
    when those failures alone cap the address the lift is refused. Returns the lock as it was, less what was kept;
    ValidationError at ``address`` when the address is not one or is not capped (or, for a city admin, capped by
    the kept failures alone), at ``reason`` when none is given."""
    if acting_user is not None and not acting_user.lifts_address_locks:
        raise PermissionDenied(_("只有市局管理员可以解除网络地址的登录锁定：一个地址的锁定涉及所有用户名，"
                                 "不只是本行政区的"))
    errors: dict[str, list[str]] = {}
    try:
        address = canonical_address(address)
    except ValidationError as error:
        errors.update(error.message_dict)
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = [_("请填写解除理由，如：经核实为本单位办公网出口，培训时多人输错密码")]
    if errors:
        raise ValidationError(errors)
    # the address's attempts locked first: of two admins lifting it at once, the second finds it open and is told so
    names = list(AccessAttempt.objects.select_for_update().filter(ip_address=address)
                 .values_list("username", flat=True))
    lock = address_lock(address, acting_user=acting_user)
    if lock is None:
        raise ValidationError({"address": _("网络地址 %(address)s 现在没有因登录失败过多而锁定，无需解除") % {
            "address": address}})
    # A city admin's lift forgets no failure of an account he may not act on: lifting the address would otherwise
    # unlock a superuser's name there (a lock only a superuser may lift, ``do_unlock_login``), and reset its count.
    kept = _unmanaged(acting_user, set(names))
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    kept_failures = (AccessAttempt.objects.filter(ip_address=address, username__in=kept, attempt_time__gte=since)
                     .aggregate(failures=Sum("failures_since_start"))["failures"] or 0)
    AccessAttempt.objects.filter(ip_address=address).exclude(username__in=kept).delete()
    if kept and address_locked_until(address) is not None:
        # the kept failures alone still cap the address: lifting it is a superuser's decision (the raise rolls the
        # deletion back: nothing is forgotten)
        raise ValidationError({"address": _(
            "网络地址 %(address)s 的登录失败中，仅超级管理员等您无权管理的账号（%(accounts)s）的失败"
            "就已达到地址锁定的次数，您不能解除；请联系超级管理员") % {
                "address": address, "accounts": join_sep(sorted(kept))}})
    unlocked = [name for name in lock.locked_accounts if name not in lock.kept_accounts]
    record_events([PendingEvent("login.address_unlock", None, None, {
        "address": lock.address, "locked_until": lock.until, "failures": lock.failures - kept_failures,
        "names": lock.names, "accounts": unlocked}, reason)], actor=acting_user)
    return replace(lock, failures=lock.failures - kept_failures, locked_accounts=unlocked)


@transaction.atomic
def do_set_admin_permissions(user: User, *, acting_user: User | None, groups, permissions,
                             reason: str = "") -> User:
    """Set the admin-site groups and permissions of ``user``: a superuser's decision, recorded."""
    if acting_user is not None and not acting_user.is_superuser:
        raise PermissionDenied(_("只有超级管理员可以授予后台或超级管理员权限"))
    groups, permissions = list(groups), list(permissions)
    changes = {}
    with system_language():  # a permission's name says its model's, translated
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
                                reason or gettext_lazy("后台权限"))], actor=acting_user)
    return user


# ------------------------------------------------------------------------------ API tokens

TOKEN_START = "ssj_"
TOKEN_SHAPE = re.compile(r"ssj_([0-9a-f]{8})_[A-Za-z0-9_-]{43}")
"""``ssj_`` + 8 hex digits of public prefix + ``_`` + 32 random bytes in URL-safe base64 (43 characters)."""
TOKEN_DEFAULT_DAYS = 90
TOKEN_MAX_DAYS = 365
TOKEN_MAX_ACTIVE = 10
TOKEN_TOUCH_EVERY = timedelta(minutes=1)
"""``last_used_at`` is written at most this often per token: a nightly pull of thousands of pages is not a
database write per page."""


def _system_text(text, **values: Any) -> str:
    with system_language():
        return str(text) % values


def token_hash(token: str) -> str:
    """What is stored of a token, and what a request's token is looked up by."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> tuple[str, str]:
    """A fresh (prefix, token): the prefix is public (it is shown on the pages), the 32 random bytes after it are
    the secret."""
    prefix = secrets.token_hex(4)
    return prefix, f"{TOKEN_START}{prefix}_{secrets.token_urlsafe(32)}"


def token_expiry(valid_through: date) -> datetime:
    """A token valid through a day expires at the start of the next, in the system's time zone."""
    return timezone.make_aware(datetime.combine(valid_through + timedelta(days=1), time.min))


def check_token_request(name: str, valid_through: date | None, today: date | None = None) -> None:
    """Raise ValidationError by field unless a token can be made with this name and last day."""
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    if not (name or "").strip():
        errors["name"] = _("请填写用途，说明令牌给谁、做什么用，如：省平台夜间同步")
    latest = today + timedelta(days=TOKEN_MAX_DAYS)
    if valid_through is None:
        errors["valid_through"] = _("请填写有效期至哪一天（最长%(days)d天，即最晚%(latest)s）") % {
            "days": TOKEN_MAX_DAYS, "latest": latest.isoformat()}
    elif valid_through < today:
        errors["valid_through"] = _("有效期至%(day)s已经过去：请选今天或以后的日期") % {
            "day": valid_through.isoformat()}
    elif valid_through > latest:
        over = (valid_through - latest).days
        errors["valid_through"] = ngettext("有效期最长%(days)d天，即最晚%(latest)s；%(day)s超出了%(over)d天",
                                           "有效期最长%(days)d天，即最晚%(latest)s；%(day)s超出了%(over)d天", over) % {
            "days": TOKEN_MAX_DAYS, "latest": latest.isoformat(), "day": valid_through.isoformat(), "over": over}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def do_create_token(owner: User, *, acting_user: User | None, name: str, valid_through: date) -> tuple[ApiToken, str]:
    """Make ``owner`` a read-only API token valid through ``valid_through``; returns it and its secret, which is
    stored nowhere (only its SHA-256) and must be shown to him now or never.

    Only the owner makes his own tokens (an admin who made one for someone else would hold that person's key);
    ``acting_user`` None is the system (a command). At most ``TOKEN_MAX_ACTIVE`` unrevoked, unexpired tokens per
    person, counted under a lock of his row, so two requests at once cannot both take the tenth place."""
    if acting_user is not None and acting_user.pk != owner.pk:
        raise PermissionDenied(_("API 令牌只能由本人创建"))
    owner = User.objects.select_for_update(of=("self",)).get(pk=owner.pk)
    if not owner.is_active:
        raise PermissionDenied(_("账号已停用，不能创建 API 令牌"))
    name = (name or "").strip()
    check_token_request(name, valid_through)
    held = ApiToken.objects.active().filter(owner=owner).count()
    if held >= TOKEN_MAX_ACTIVE:
        raise ValidationError(_("每人最多%(limit)d个有效的 API 令牌（未吊销且未过期），您已有%(held)d个；"
                                "请先吊销不再使用的令牌") % {"limit": TOKEN_MAX_ACTIVE, "held": held})
    prefix, secret = new_token()
    token = ApiToken.objects.create(owner=owner, name=name, prefix=prefix, secret_hash=token_hash(secret),
                                    created_by=acting_user or owner, expires_at=token_expiry(valid_through))
    # the event names the token by its public prefix; neither the secret nor its hash enters the chain
    record_events([PendingEvent("apitoken.create", owner, owner.jurisdiction_id,
                                {"api_token": str(token), "valid_through": valid_through},
                                gettext_lazy("创建 API 令牌"))], actor=acting_user)
    return token, secret


@transaction.atomic
def do_revoke_token(token: ApiToken, *, acting_user: User | None, reason: str) -> ApiToken:
    """Revoke ``token`` for good: its owner, or an admin who manages its owner (``ensure_can_manage``), with a
    reason. A token revoked already is refused, naming when and by whom."""
    token = ApiToken.objects.select_for_update(of=("self",)).select_related("owner__jurisdiction").get(pk=token.pk)
    if acting_user is not None and acting_user.pk != token.owner_id:
        ensure_can_manage(acting_user, token.owner)
    if token.revoked_at is not None:
        raise ValidationError(_("该令牌已于%(when)s由%(who)s吊销") % {
            "when": date_format(timezone.localtime(token.revoked_at), "Y-m-d H:i"),
            "who": token.revoked_by.display_name if token.revoked_by else _("系统")})
    if not (reason or "").strip():
        raise ValidationError({"reason": _("请填写吊销理由，如：脚本停用、令牌可能泄露")})
    _revoke_tokens([token], acting_user=acting_user, reason=reason.strip())
    return token


def _revoke_tokens(tokens: Iterable[ApiToken], *, acting_user: User | None, reason: str) -> int:
    """Revoke each token with an event on its owner; inside the caller's transaction. Returns how many."""
    now = timezone.now()
    events = []
    for token in tokens:
        token.revoked_at, token.revoked_by, token.revoke_reason = now, acting_user, reason[:500]
        token.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
        events.append(PendingEvent("apitoken.revoke", token.owner, token.owner.jurisdiction_id,
                                   {"api_token": str(token)}, reason))
    if events:
        record_events(events, actor=acting_user)
    return len(events)


def touch_token(token: ApiToken, address: str) -> None:
    """Note that ``token`` was used now, from ``address`` — unless that was noted less than a minute ago. The
    condition is in the update itself, so parallel requests of one pull write it once."""
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < TOKEN_TOUCH_EVERY:
        return
    try:
        address = str(ipaddress.ip_address(address))
    except ValueError:
        address = None  # an unreadable X-Forwarded-For hop: the time still counts
    ApiToken.objects.filter(Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - TOKEN_TOUCH_EVERY),
                            pk=token.pk).update(last_used_at=now, last_used_from=address)
    token.last_used_at, token.last_used_from = now, address
