"""Who may do what in fieldwork.

- **The team fills the record** (谁检查谁录入): the active members of the task's team (officers and
  experts) whose plan is dispatched (``planning.models.team_places``), or the officers of a re-check, start
  it, save it, attach files, capture signatures and submit.
  Nobody else writes a record, an admin included.
- **The admins of the bureau whose plan drew the visit** (``reviewers``: the plans' jurisdictions, and the city
  above a county) review its sealed records, approve their amendments and the on-site checks of positive-list
  targets (the head of the enforcement unit): the city carries out its own level's inspections (指导意见 (十四)), so
  a visit only a city plan drew is the city's to review although the firm is in a county, as its task is the city's
  (``planning.permissions.visible_tasks``) and the workbench counts its record on the city's row
  (``models.owned_in_scope``). A merged visit is each told bureau's: those whose plans were dispatched when its
  record was sealed (``reviewers``, ``models.reviewed_in_scope``). A re-check's record is reviewed by whoever
  reviews the record it re-checks. Nobody approves his own request.
- **The admins of the target's jurisdiction** (``can_administer``) follow the problems up once the record is
  sealed: a problem follows the firm. So a county sees through the problems a city plan's visit found at its firm,
  and counts them as its own overdue problems (``models.FollowUpQuerySet.followed_up_by``: the menu's badge, the
  workbench, the overview's card).
- **A problem's follow-up** is handled by the record's team or the admins; a penalty decision is entered by
  those who may enter penalties (``intake.permissions.can_record``: admins and department users of the firm's
  scope), and by them only: the team does not decide a penalty, and the department user who does (the legal or
  enforcement section, as for any penalty) needs no other part in the follow-up (``can_penalise``).
- Leaders and department users read what their scope holds; inspectors see only their teams' work (the
  querysets' ``visible_to`` does that).
- ``acting_user=None`` is the system (demo seed, scheduled commands) and may do everything.
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from shuangsuiji.accounts.models import Role
from shuangsuiji.fieldwork.models import RecheckStatus
from shuangsuiji.intake.permissions import can_record, ensure_not_self, is_admin_of  # noqa: F401 (permissions.ensure_not_self)
from shuangsuiji.planning.models import TaskPlan, team_places_at, told_selections
from shuangsuiji.punctuation import join_sep
from shuangsuiji.registry.models import Jurisdiction


def team_inspector_ids(record) -> set[int]:
    """Who writes, signs and submits ``record``: the team of its task as told (``planning.models.team_places``: a
    merged visit's officers from another plan's draw not dispatched yet are not on it; an amendment of a record
    sealed before that plan went out is the team's that went, ``team_places_at`` its seal), or its re-check's team."""
    if record.task_id:
        return set(record.task.members.filter(team_places_at(record.visit_sealed_at))
                   .values_list("inspector_id", flat=True))
    return set(record.recheck.team.values_list("pk", flat=True))


def recheck_cancelled(record) -> str | None:
    """Why nobody writes the record any more: its re-check was cancelled, an amendment of the source record no
    longer ordering rectification (``services._cancel_rechecks``). Its draft is kept read-only as it was."""
    if not record.recheck_id or record.recheck.status != RecheckStatus.CANCELLED:
        return None
    return _("复查任务%(number)s已取消（%(reason)s），本记录不能再保存、签名或提交；已填写的内容原样保留") % {
        "number": record.recheck.number, "reason": record.recheck.cancel_reason}


def is_team_member(user, record) -> bool:
    if user is None:
        return True
    if recheck_cancelled(record):
        return False
    return (user.is_active and user.role == Role.INSPECTOR and user.inspector_id is not None
            and user.inspector_id in team_inspector_ids(record))


def ensure_team_member(user, record) -> None:
    if not is_team_member(user, record):
        raise PermissionDenied(recheck_cancelled(record)
                               or _("只有本次检查的检查组成员可以填写、签名和提交检查记录"))


def can_administer(user, record) -> bool:
    return is_admin_of(user, record.target.jurisdiction)


def reviewers(record) -> list[Jurisdiction]:
    """The jurisdictions whose admins review ``record`` (and decide its amendments and on-site requests): those of
    the plans told of its visit when it was sealed (``told_selections`` at ``visit_sealed_at``; now, for a draft),
    for a re-check's record those of the visit its chain of source records starts from — ``models.reviewed_by`` for
    one record, which the queues of records awaiting review count with. A merged visit's other plan, drawn and not
    dispatched when the record was sealed, sent nobody there and was told nothing
    (``planning.permissions.shown_draws``): its bureau neither reviews the record nor is named on it (由…审核, a
    refusal), and does not after its own dispatch either — the record stays that of the plans it was written for,
    as its 检查来源 does (``services.record_sources``). A visit no live selection holds any more (its draw
    superseded) falls back to the firm's jurisdiction, so that somebody still may act on it."""
    source, seen = record, set()
    while source.task_id is None and source.recheck_id is not None and source.pk not in seen:
        seen.add(source.pk)
        source = source.recheck.source_record
    places = []
    if source.task_id is not None:
        places = list(Jurisdiction.objects.filter(
            pk__in=TaskPlan.objects.filter(told_selections(source.visit_sealed_at), task_id=source.task_id)
            .values("plan__jurisdiction"))
            .order_by("path"))
    return places or [record.target.jurisdiction]


def can_review(user, record) -> bool:
    """Review the record, decide its amendment requests and its on-site request (``reviewers``)."""
    return any(is_admin_of(user, place) for place in reviewers(record))


def ensure_can_review(user, record) -> None:
    if not can_review(user, record):
        raise PermissionDenied(_("本次检查由%(name)s的计划抽取，只有%(name)s的管理员可以进行此操作") % {
            "name": join_sep(place.name for place in reviewers(record))})


def ensure_not_on_team(user, record, *, on_site: bool = False) -> None:
    """A record is reviewed, its correction approved, and a positive-list firm's on-site visit approved, by someone
    who was not on its team: an admin who also holds an officer record may have been drawn onto it (four eyes, as
    ``ensure_not_self`` for requests). The on-site approval is the evidence that the visit was lawful (实施方案
    二(三)): a member of the team going in approved his own visit when another member had asked."""
    if user is not None and user.inspector_id is not None and user.inspector_id in team_inspector_ids(record):
        if on_site:
            raise PermissionDenied(_("您是本次检查的检查组成员，不能审批本组的现场检查申请，请由其他管理员办理"))
        raise PermissionDenied(_("您是本次检查的检查组成员，不能审核本组的检查记录，请由其他管理员办理"))


def can_follow_up(user, follow_up) -> bool:
    return can_administer(user, follow_up.record) or is_team_member(user, follow_up.record)


def ensure_can_follow_up(user, follow_up) -> None:
    if not can_follow_up(user, follow_up):
        raise PermissionDenied(_("只有检查组成员或%(name)s的管理员可以办理该问题") % {
            "name": follow_up.target.jurisdiction.name})


def can_penalise(user, follow_up) -> bool:
    """Enter a case's penalty decision (录入处罚决定并办结): the penalty right in the firm's jurisdiction alone."""
    return can_record(user, follow_up.target.jurisdiction)


def ensure_can_penalise(user, follow_up) -> None:
    if not can_penalise(user, follow_up):
        raise PermissionDenied(_("只有%(name)s的管理员或科室用户可以录入处罚决定") % {
            "name": follow_up.target.jurisdiction.name})
