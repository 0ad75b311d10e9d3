"""Who may do what with outside data, inside his jurisdiction's subtree.

- Imports, the key-unit directory, the positive list, the quarterly classification and the decision on
  a clue belong to the admins (city or county) of the target's jurisdiction — the approval of an on-site
  check of a positive-list target is the enforcement unit head's (实施方案 二(三)).
- Penalties and complaints may also be entered one by one by a department user of the scope (the
  legal or enforcement section keeps them), and clues may be reported by department users and
  inspectors, who find them in off-site supervision.
- Nobody approves his own request (``ensure_not_self``): the admin who reported a clue leaves its decision to
  another admin.
- Leaders read. ``acting_user=None`` is the system (seed, scheduled commands) and may do everything.
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from shuangsuiji.accounts.models import Role
from shuangsuiji.registry.models import Jurisdiction

RECORDERS = (Role.CITY_ADMIN, Role.COUNTY_ADMIN, Role.DEPARTMENT)
CLUE_REPORTERS = (Role.CITY_ADMIN, Role.COUNTY_ADMIN, Role.DEPARTMENT, Role.INSPECTOR)


def _in_scope(user, jurisdiction: Jurisdiction) -> bool:
    return user.jurisdiction_id is not None and jurisdiction.path.startswith(user.jurisdiction.path)


def is_admin_of(user, jurisdiction: Jurisdiction) -> bool:
    if user is None or user.is_superuser:
        return True
    return user.is_active and user.is_admin_role and _in_scope(user, jurisdiction)


def can_record(user, jurisdiction: Jurisdiction) -> bool:
    if user is None or user.is_superuser:
        return True
    return user.is_active and user.role in RECORDERS and _in_scope(user, jurisdiction)


def can_report_clue(user, jurisdiction: Jurisdiction) -> bool:
    if user is None or user.is_superuser:
        return True
    return user.is_active and user.role in CLUE_REPORTERS and _in_scope(user, jurisdiction)


def ensure_admin_of(user, jurisdiction: Jurisdiction) -> None:
    if not is_admin_of(user, jurisdiction):
        raise PermissionDenied(_("只有%(name)s的管理员可以进行此操作") % {"name": jurisdiction.name})


def ensure_can_record(user, jurisdiction: Jurisdiction) -> None:
    if not can_record(user, jurisdiction):
        raise PermissionDenied(_("无权录入%(name)s的处罚或举报") % {"name": jurisdiction.name})


def ensure_can_report_clue(user, jurisdiction: Jurisdiction) -> None:
    if not can_report_clue(user, jurisdiction):
        raise PermissionDenied(_("无权报告%(name)s的线索") % {"name": jurisdiction.name})


def ensure_not_self(user, requested_by, message: str = "") -> None:
    """Four eyes: nobody approves his own request — an amendment, an on-site check, a plan's shortfall or re-draw,
    a clue he reported. ``requested_by`` None (the system, or an account since deleted) is nobody's."""
    if user is not None and requested_by is not None and user.pk == requested_by.pk:
        raise PermissionDenied(message or _("不能审批本人提出的申请"))


def is_any_admin(user) -> bool:
    """Whether the user administers some jurisdiction (shows the import and classify buttons)."""
    return user.is_superuser or (user.is_admin_role and user.jurisdiction_id is not None)


def records_somewhere(user) -> bool:
    """Whether the user may enter penalties and complaints in his own scope."""
    return user.is_superuser or (user.jurisdiction_id is not None and can_record(user, user.jurisdiction))


def reports_clues_somewhere(user) -> bool:
    return user.is_superuser or (user.jurisdiction_id is not None and can_report_clue(user, user.jurisdiction))
