"""Pages of fieldwork: the inspector's phone (tasks, the record form, signatures, photos), records and their
review, amendments and approvals, follow-ups, the PDF.

Plain function views (Healthchecks style). Every queryset goes through ``visible_to(request.user)`` — for an
inspector that is his own teams' work — and outside it an object answers 404. Changes go through
``fieldwork.services``, which decide who may make them; the pages only hide what a user cannot do.
"""

import base64
import binascii
import copy
import json
from collections import Counter
from datetime import UTC, date, datetime, timedelta

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page
from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.forms import Form
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotModified,
    JsonResponse,
    QueryDict,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import parse_etags, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shuangsuiji import params
from shuangsuiji.accounts.models import Role
from shuangsuiji.accounts.workbench import owner_query
from shuangsuiji.audit.display import every_field_of, field_of, name_codes
from shuangsuiji.audit.services import history_for
from shuangsuiji.disclosure.services import (
    known_results_deadline,
    month_bounds,
    pending_deadline_note,
    results_deadline_year,
)
from shuangsuiji.fieldwork import approvals as approvals_queue
from shuangsuiji.fieldwork import live, permissions, services
from shuangsuiji.fieldwork.forms import (
    CaseForm,
    CloseForm,
    DecisionForm,
    EvidenceForm,
    ItemForm,
    PenaltyDecisionForm,
    PlanVisitForm,
    ReasonForm,
    RecheckSubstitutionForm,
    RecordForm,
    ReviewForm,
    TransferForm,
)
from shuangsuiji.fieldwork.models import (
    DRAFT_ACTIONS,
    ON_SITE_DRAFT_KEYS,
    AmendmentRequest,
    Attachment,
    FollowUp,
    FollowUpEvidence,
    FollowUpStatus,
    Handling,
    InspectionRecord,
    ItemResult,
    Mode,
    OnSiteApproval,
    Outcome,
    Recheck,
    RecheckStatus,
    RecordReview,
    RecordState,
    RequestState,
    ReviewDecision,
    SignerRole,
    of_tasks,
    owed_by,
    owned_by,
    reads_draft_of,
    reads_drafts,
    reviewed_by,
    reviewed_in_scope,
    sees_problems_through,
    task_number,
)
from shuangsuiji.intake.models import Clue, ClueStatus, Complaint, Exceedance, Penalty
from shuangsuiji.intake.permissions import is_any_admin
from shuangsuiji.media import file_problem
from shuangsuiji.planning import overlaps
from shuangsuiji.planning.models import (
    PlanStratum,
    RedrawRequest,
    RedrawState,
    ShortfallState,
    Task,
    TaskStatus,
    drawn_by,
    told_selections,
)
from shuangsuiji.planning.permissions import can_approve, visible_tasks
from shuangsuiji.planning.services import clues_awaiting_check
from shuangsuiji.punctuation import bracketed, colon, comma, join_semicolon, join_sep
from shuangsuiji.registry.models import Inspector, InspectorStatus
from shuangsuiji.registry.places import PlaceFilter, place_filter, readable_jurisdictions
from shuangsuiji.registry.search import by_target
from shuangsuiji.registry.views import CappedPaginator
from shuangsuiji.textsearch import every_word

PER_PAGE = 50
# The last milliseconds since the epoch a photo's time can have: a datetime ends with year 9999.
LAST_DAY_MS = int(datetime(9999, 12, 30, tzinfo=UTC).timestamp() * 1000)

DRAFT_HISTORY_HIDDEN = frozenset([*map(every_field_of, DRAFT_ACTIONS), *(
    field_of(action, key) for action, keys in ON_SITE_DRAFT_KEYS.items() for key in keys)])
"""What a sealed record's history keeps from a reader who did not read its draft (``models.drafts_unread``), on its
page and on /audit/."""


def _page(request: HttpRequest, queryset: QuerySet) -> Page:
    # Capped: an exact count of a national year's records read them all for every page (bench/README.md)
    return CappedPaginator(queryset, PER_PAGE).get_page(request.GET.get("page"))


def _query(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _is_inspector(user) -> bool:
    return user.role == Role.INSPECTOR and not user.is_superuser


def _jurisdictions(user) -> QuerySet:
    return readable_jurisdictions(user)


def _tasks_of(user) -> QuerySet:
    """The dispatched tasks of the user's teams (an inspector), or of his scope (everyone else): planning's rule
    (``visible_tasks``) for both, so the task brief opens exactly the tasks the task page and the API show.

    An inspector's: a team he joined by a draw not yet dispatched is not his yet, even when the visit is out
    already for another plan's team (a target the city drew after the county dispatched it). Everyone else's: the
    visits of the plans he reads — a city plan's visit to a county's firm is the city's, and the county learns of
    it from its record, not before (docs/guide/county-admin.md, "市局计划在本县的检查")."""
    return visible_tasks(user).filter(status=TaskStatus.DISPATCHED)


def _latest_records(task_ids) -> dict[int, InspectionRecord]:
    """The newest record of each task (an amendment replaces the record it corrects)."""
    latest: dict[int, InspectionRecord] = {}
    for record in (InspectionRecord.objects.filter(task_id__in=task_ids).select_related("review", "amends__review")
                   .order_by("created_at", "id")):
        latest[record.task_id] = record
    return latest


def _tell(request: HttpRequest, error: Exception) -> None:
    messages.error(request, join_semicolon(getattr(error, "messages", None) or [str(error)]))


def _error_page(request: HttpRequest, error: Exception, back: str) -> HttpResponse:
    _tell(request, error)
    return redirect(back)


def _answer_status(request: HttpRequest, refused: Exception | None) -> int:
    """A page shown again after a refusal: the refusal told above it, and its status (403 when not allowed)."""
    if refused is None:
        return 200
    _tell(request, refused)
    return 403 if isinstance(refused, PermissionDenied) else 400


# --- the inspector's tasks ------------------------------------------------------------------------------------


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Inspectors go to their tasks; admins, leaders and departments see the county overview."""
    if _is_inspector(request.user):
        return redirect("fieldwork:my_tasks")
    return overview(request)


def _owed_by(task, record: InspectionRecord | None) -> tuple[date | None, bool, str, int | None]:
    """``owed_by`` for the task's latest record (none, a draft, an amendment, or sealed), what stands in
    for a correction's deadline that cannot be counted yet (December's, before next year's holidays), and the
    year whose holidays it waits for."""
    amends = None if record is None or record.is_sealed else record.amends
    review = getattr(amends, "review", None)
    ended = timezone.localdate(amends.ended_at) if amends and amends.ended_at else None
    due, is_publication = owed_by(task.deadline, amending=amends is not None,
                                  returned=review is not None and review.decision == ReviewDecision.RETURNED,
                                  visit_ended=ended, publication_deadline=_publication_deadline)
    pending = pending_deadline_note(ended.year, ended.month) if is_publication and due is None and ended else ""
    return due, is_publication, pending, results_deadline_year(ended.year, ended.month) if pending else None


def _publication_deadline(year: int, month: int) -> date | None:
    return known_results_deadline(year, month)


@login_required
def my_tasks(request: HttpRequest) -> HttpResponse:
    """The phone's start page: overdue and today's visits first, then drafts, the rest, re-checks, done."""
    user = request.user
    if not _is_inspector(user):
        return redirect("fieldwork:home")
    today = timezone.localdate()
    # One unit, one visit: each open task whose unit has another open task of his this quarter is marked in the
    # list's own statement, and names that task (one query for all the marks), scoped as the task brief's notice.
    scope = visible_tasks(user)
    tasks = list(overlaps.with_overlap(_tasks_of(user), scope).select_related("target__jurisdiction", "schedule")
                 .order_by("deadline", "pk"))
    others = overlaps.others_by_task(tasks, scope)
    latest = _latest_records([t.pk for t in tasks])
    groups: dict[str, list] = {"overdue": [], "today": [], "draft": [], "todo": [], "done": []}
    for task in tasks:
        record = latest.get(task.pk)
        task.record = record
        task.number = task_number(task)
        task.other_visits = others[task.pk]
        planned = getattr(task, "schedule", None)
        task.planned_on = planned.planned_on if planned else None
        task.due, task.due_is_publication, task.due_pending, task.pending_year = _owed_by(task, record)
        task.days_left = (task.due - today).days if task.due else None
        task.overdue_days = -task.days_left if task.due else None
        if record is not None and record.is_sealed:
            groups["done"].append(task)
        elif task.due is not None and task.due < today:
            groups["overdue"].append(task)
        elif task.planned_on == today or task.deadline == today or (
                record is not None and timezone.localdate(record.updated_at) == today):
            groups["today"].append(task)
        elif record is not None:
            groups["draft"].append(task)
        else:
            groups["todo"].append(task)
    groups["todo"].sort(key=lambda t: (t.planned_on or t.deadline, t.deadline))
    open_count = len(tasks) - len(groups["done"])
    groups["done"] = sorted(groups["done"], key=lambda t: t.record.sealed_at, reverse=True)[:20]
    newest_first = InspectionRecord.objects.order_by("-created_at")  # one query for every re-check's records
    # his open re-checks, and those done whose record is being corrected (an amendment draft): the latter under
    # "填写中" with the ordinary amendments, marked "更正中" as they are
    rechecks, amending = [], []
    for recheck in (Recheck.objects.visible_to(user).filter(Q(status=RecheckStatus.OPEN) | live.amended_rechecks())
                    .select_related("target", "source_record").order_by("due_date")
                    .prefetch_related(Prefetch("records", queryset=newest_first, to_attr="newest_records"))):
        newest = recheck.newest_records[0] if recheck.newest_records else None
        recheck.draft = newest if newest is not None and not newest.is_sealed else None
        recheck.overdue = recheck.status == RecheckStatus.OPEN and recheck.due_date < today
        (amending if recheck.status == RecheckStatus.DONE else rechecks).append(recheck)
    # a correction owed by December's publication deadline, before next year's holidays are entered: the phone says
    # which year is missing and links to where the city office enters it
    calendar_years = sorted({task.pending_year for task in tasks if task.pending_year})
    # The tasks the page shows, open and last submitted: its poll asks about each (live.js)
    shown = [task.pk for group in groups.values() for task in group]
    return render(request, "fieldwork/my_tasks.html", {
        "groups": groups, "rechecks": rechecks, "amending_rechecks": amending, "today": today,
        # every card still to be done, re-checks too: the heading counts what the list shows open
        "open_count": open_count + len(rechecks) + len(amending), "calendar_years": calendar_years,
        "live": _live(user, shown, [r.pk for r in rechecks + amending])})


def _live_text() -> dict[str, str]:
    """The texts live.js shows when the page's tasks changed, in the request's language (``json_script``).
    Each part counts tasks in a way that reads right for 1 and for many, in English too."""
    return {
        "changed": _("任务有变化") + colon(),
        "separator": comma(),
        "withdrawn": _("%(n)s 项已撤回"),
        "reassigned": _("%(n)s 项已改派他人"),
        "sealed": _("%(n)s 项的记录已由检查组提交"),
        "cancelled": _("%(n)s 项复查已取消（更正后不再责令整改）"),
        "added": _("%(n)s 项新任务"),
        "updated": _("%(n)s 项有更新"),
        "other": _("%(n)s 项已不在您的列表中"),
        "reload": _("点此刷新"),
        "recordWithdrawn": _("该任务已被管理员撤销：本记录不能再保存、签名或提交，请不要再去现场。"),
        "recordReassigned": _("您已被替换出该任务的检查组：本记录不能再保存、签名或提交，请不要再去现场。"),
        "recordSealed": _("该记录已由检查组其他成员提交封存，不能再修改。"),
        "recordOther": _("该任务已不在您的任务列表中：本记录不能再保存、签名或提交。"),
        "recordRedrawn": _("该任务所在的抽取已变更（重新抽取或递补），您不再是该任务的检查人员：本记录不能再保存、"
                           "签名或提交，请不要再去现场。"),
        "recordUnbound": _("您的账号已不再关联执法人员档案，没有可填写的任务：本记录不能再保存、签名或提交，"
                           "请联系管理员。"),
        "redrawn": _("%(n)s 项因抽取变更已不由您检查"),
        "unbound": _("%(n)s 项已不在您的列表中（账号不再关联执法人员档案）"),
        "recheckOther": _("该复查任务已不在您的复查任务中：本记录不能再保存、签名或提交。"),
        "recheckCancelled": _("该复查任务已取消：原检查记录经更正后不再责令整改，本记录不能再保存、签名或提交，"
                              "请不要再去现场。"),
        "view": _("点此查看"),
        "toList": _("返回我的任务"),
    }


def _live(user, task_ids: list[int], recheck_ids: list[int] = (), record: int | None = None) -> dict:
    """What the page's live.js needs: the snapshot it starts from, the address it polls, how often, its texts.
    ``record``: the draft a record form shows, whose signatures the poll reports too."""
    state = live.snapshot(user, _tasks_of(user), task_ids, recheck_ids, record)
    query = f"tasks={','.join(str(pk) for pk in task_ids)}"
    if recheck_ids:
        query += f"&rechecks={','.join(str(pk) for pk in recheck_ids)}"
    if record is not None:
        query += f"&record={record}"
    return {"state": state, "text": _live_text(), "every": settings.FIELDWORK_LIVE_SECONDS,
            "url": f"{reverse('fieldwork:task_changes')}?{query}"}


def _known_ids(request: HttpRequest, name: str) -> list[int] | JsonResponse:
    """The ids a poll lists in its parameter ``name`` (``tasks``, ``rechecks``), or the 400 saying what is wrong."""
    if name == "tasks":
        too_many = _("参数 tasks 最多列出%(max)s个任务编号，收到%(count)s个")
        not_numbers = _("参数 tasks 应为以逗号分隔的任务编号（数字），“%(value)s”不是")
    else:
        too_many = _("参数 rechecks 最多列出%(max)s个复查任务编号，收到%(count)s个")
        not_numbers = _("参数 rechecks 应为以逗号分隔的复查任务编号（数字），“%(value)s”不是")
    parts = [part.strip() for part in request.GET.get(name, "").split(",") if part.strip()]
    if len(parts) > live.MAX_KNOWN:
        return _json_error(too_many % {"max": live.MAX_KNOWN, "count": len(parts)}, 400)
    bad = next((part for part in parts if params.number(part) is None), None)
    if bad is not None:
        return _json_error(not_numbers % {"value": bad[:40]}, 400)
    return [params.number(part) for part in parts]


@login_required
def task_changes(request: HttpRequest) -> HttpResponse:
    """The version of what an inspector's phone page shows (his open tasks, their record's state, deadline,
    planned day and team; his open re-checks), for the page's poll: 304 while the request's ``If-None-Match`` is
    the current version, else the snapshot as JSON (``live.snapshot``). ``tasks`` and ``rechecks``: the ids of the
    tasks and re-checks the page shows, so the answer can say why one of them left his list. ``record``: the
    draft a record form shows, whose signatures the answer holds (a team mate's shows without a reload). Constant
    queries whatever the number of tasks."""
    user = request.user
    if not _is_inspector(user):
        return _json_error(_("只有执法人员有“我的检查”任务列表"), 403)
    tasks, rechecks = _known_ids(request, "tasks"), _known_ids(request, "rechecks")
    for refused in (tasks, rechecks):
        if isinstance(refused, JsonResponse):
            return refused
    record = None
    if request.GET.get("record", "").strip():
        record = params.number(request.GET["record"].strip())
        if record is None:
            return _json_error(_("参数 record 应为检查记录的编号（数字），“%(value)s”不是")
                               % {"value": request.GET["record"].strip()[:40]}, 400)
    state = live.snapshot(user, _tasks_of(user), tasks, rechecks, record)
    etag = f'"{state["version"]}"'
    if etag in parse_etags(request.headers.get("If-None-Match", "")):
        response = HttpResponseNotModified()
    else:
        response = JsonResponse(state, json_dumps_params={"ensure_ascii": False})
    response.headers["ETag"] = etag
    return response


def _target_history(target, user, exclude_record: InspectionRecord | None = None) -> dict:
    """What the team should know of the firm before the visit. Every past record and open problem is listed
    (its number, day and problems are the team's to know), but linked only where ``user`` may open it: an
    inspector reads his own teams' records, and the links to other teams' answered him "not found"."""
    today = timezone.localdate()
    records = (InspectionRecord.objects.sealed().filter(target=target).select_related("review")
               .prefetch_related("items").order_by("-sealed_at"))
    if exclude_record is not None:
        records = records.exclude(pk=exclude_record.pk)
    past = []
    for record in records[:10]:
        record.problems = [i for i in record.items.all() if i.outcome == Outcome.PROBLEM]
        past.append(record)
    readable = set(InspectionRecord.objects.visible_to(user).filter(pk__in=[r.pk for r in past])
                   .values_list("pk", flat=True))
    for record in past:
        record.readable = record.pk in readable
    open_follow_ups = list(FollowUp.objects.open().filter(target=target).select_related("problem", "record"))
    readable = set(FollowUp.objects.visible_to(user).filter(pk__in=[f.pk for f in open_follow_ups])
                   .values_list("pk", flat=True))
    for follow_up in open_follow_ups:
        follow_up.readable = follow_up.pk in readable
    return {
        "past_records": past,
        "open_follow_ups": open_follow_ups,
        "exceedances": Exceedance.objects.filter(target=target, measured_at__gte=timezone.now() - timedelta(days=90))
        .select_related("outlet").order_by("-measured_at"),
        "complaints": Complaint.objects.filter(target=target, received_on__gte=today - timedelta(days=365))
        .order_by("-received_on"),
        "penalties": Penalty.objects.filter(target=target, decided_on__gte=today - timedelta(days=730))
        .order_by("-decided_on"),
    }


def _his_task(request: HttpRequest, tasks: QuerySet, pk: int) -> Task:
    """The task of ``tasks``; a former member of it (withdrawn, or he replaced) is refused saying why — a link in
    an old message or an open page should not answer "not found" for the visit he was to make."""
    try:
        return tasks.get(pk=pk)
    except Task.DoesNotExist:
        left = services.left_task(request.user, pk)
        if left is not None:
            raise PermissionDenied(left) from None
        raise Http404 from None


@login_required
def task_brief(request: HttpRequest, pk: int) -> HttpResponse:
    return _task_brief_page(request, pk)


def _task_brief_page(request: HttpRequest, pk: int, *, refused: Exception | None = None,
                     plan_form: PlanVisitForm | None = None) -> HttpResponse:
    """What the team needs before and at the gate: where, who, what to check, and the target's history.

    After a refused 计划检查日期, the page again (400) with the day as typed and the reason at its box: the
    redirect showed today's date in the box and the reason only above the page."""
    user = request.user
    status = _answer_status(request, refused)
    task = _his_task(request, _tasks_of(user).select_related("target__jurisdiction"), pk)
    record = _latest_records([task.pk]).get(task.pk)
    probe = record or InspectionRecord(task=task, target=task.target)
    # the team as told (``team_places``): a merged visit's places from another plan's draw join it, and sign, once
    # that plan is dispatched
    team = services.participants(probe)
    history = _target_history(task.target, request.user)
    positive_list = services.positive_list_in_quarter(task)
    scheduled_on = getattr(getattr(task, "schedule", None), "planned_on", None)
    # One unit, one visit: the unit's other open tasks this quarter the user may open, their briefs once dispatched
    others = overlaps.other_visits(task, visible_tasks(user), viewer=user)
    for other in others:
        if other.status == TaskStatus.DISPATCHED:
            other.link = reverse("fieldwork:task_brief", args=[other.pk])
    return render(request, "fieldwork/task_brief.html", {
        "task": task, "number": task_number(task), "record": record, "team": team,
        # what the team was sent to check (``told_selections``), as its record's draft: not another plan's, drawn and
        # not dispatched yet
        "items": task.check_items(told_selections()),
        "positive_list": positive_list, "is_member": permissions.is_team_member(user, probe),
        "on_site_clue": services.approved_clue(task) if positive_list else None,
        # the date field starts at today for a task not scheduled yet, so the page says which it is
        "scheduled_on": scheduled_on,
        "plan_form": plan_form or PlanVisitForm(initial={"planned_on": scheduled_on or timezone.localdate()}),
        "exceedance_count": history["exceedances"].count(), **history,
        "exceedances": history["exceedances"][:5], "today": timezone.localdate(), "other_visits": others,
    }, status=status)


@login_required
@require_POST
def task_plan(request: HttpRequest, pk: int) -> HttpResponse:
    task = _his_task(request, _tasks_of(request.user), pk)
    form = PlanVisitForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError({"planned_on": _("请选择计划检查日期")})
        services.do_plan_visit(task, planned_on=form.cleaned_data["planned_on"], acting_user=request.user)
    except (ValidationError, PermissionDenied) as error:
        if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
            # the form's own "enter a valid date" gives way to the one reason said at the box
            form.errors.pop("planned_on", None)
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        return _task_brief_page(request, task.pk, refused=error, plan_form=form)
    messages.success(request, _("已安排在 %(day)s 检查") % {"day": form.cleaned_data["planned_on"]})
    return redirect("fieldwork:task_brief", pk=task.pk)


@login_required
@require_POST
def task_start(request: HttpRequest, pk: int) -> HttpResponse:
    task = _his_task(request, _tasks_of(request.user), pk)
    try:
        record = services.do_start_record(task, acting_user=request.user)
    except (ValidationError, PermissionDenied) as error:
        return _error_page(request, error, reverse("fieldwork:task_brief", args=[task.pk]))
    latest = _latest_records([task.pk])[task.pk]
    return redirect("fieldwork:record_edit", pk=(latest if not latest.is_sealed else record).pk)


@login_required
def recheck_list(request: HttpRequest) -> HttpResponse:
    # a place outside his area refused in words, nothing listed (registry/places.py)
    chosen = place_filter(request, refusal=_("%(name)s不在您的管辖范围内，不能列出它的复查任务"))
    rechecks = (chosen.narrow(Recheck.objects.visible_to(request.user), "target__jurisdiction")
                .select_related("target__jurisdiction", "source_record").prefetch_related("team"))
    status = request.GET.get("status", "open")
    if status in RecheckStatus.values:
        rechecks = rechecks.filter(status=status)
    return render(request, "fieldwork/recheck_list.html", {
        "page": _page(request, rechecks.order_by("due_date", "pk")), "query": _query(request), "status": status,
        "statuses": RecheckStatus.choices, "jurisdictions": _jurisdictions(request.user),
        "today": timezone.localdate(), "refused": chosen.refused}, status=chosen.status)


@login_required
def recheck_detail(request: HttpRequest, pk: int) -> HttpResponse:
    recheck = (Recheck.objects.visible_to(request.user).select_related("target__jurisdiction", "source_record")
               .filter(pk=pk).first())
    if recheck is None:
        # a former officer of it (replaced) is told why, not "not found"
        left = services.left_recheck(request.user, pk)
        if left is not None:
            raise PermissionDenied(left)
        raise Http404
    probe = InspectionRecord(recheck=recheck, target=recheck.target)
    team = list(recheck.team.select_related("jurisdiction").order_by("name", "pk"))
    can_substitute = recheck.status == RecheckStatus.OPEN and permissions.can_administer(request.user, probe)
    if can_substitute:
        # each officer's replacements: the officers in post of his unit not on the team (the service checks the
        # certificate and recusals again, and says what is wrong) — through the scoping gate, as the form looks the
        # newcomer up: a city officer on a county firm's re-check offered the county admin every officer of the
        # city, names and certificates, whom the registry does not show him. Such a member is the city's to
        # replace, and the page says so instead of a form.
        readable = Inspector.objects.visible_to(request.user)
        pool = list(readable.filter(jurisdiction__in={i.jurisdiction_id for i in team}, is_external=False,
                                    status=InspectorStatus.ACTIVE).exclude(pk__in=[i.pk for i in team])
                    .order_by("name", "pk"))
        replaceable = set(readable.filter(pk__in=[i.pk for i in team]).values_list("pk", flat=True))
        for inspector in team:
            inspector.replaceable = inspector.pk in replaceable
            inspector.candidates = [c for c in pool if c.jurisdiction_id == inspector.jurisdiction_id]
    records = list(recheck.records.order_by("created_at"))
    return render(request, "fieldwork/recheck_detail.html", {
        "recheck": recheck, "team": team, "records": records,
        # an amendment of its record being written (done, then corrected): the list's "更正中" card leads here
        "amendment_draft": next((r for r in records if r.amends_id and not r.is_sealed), None),
        # the statement of the record that stands (the latest sealed: an amendment supersedes its original), shown
        # here in full: an admin checking an early re-check should not have to open the record to read why
        "sealed_record": next((r for r in reversed(records) if r.is_sealed), None),
        "follow_ups": recheck.follow_ups.select_related("problem", "record", "closing_record"),
        # the source record as corrected: an amendment moves, rewrites or drops the orders this re-check verifies
        "source_amendment": services.newest_amendment(recheck.source_record),
        "is_member": permissions.is_team_member(request.user, probe), "today": timezone.localdate(),
        "can_substitute": can_substitute,
        "substitutions": recheck.substitutions.select_related("old_inspector", "new_inspector", "acted_by"),
        "recheck_days": services.RECHECK_WITHIN_DAYS, **_target_history(recheck.target, request.user)})


@login_required
@require_POST
def recheck_substitute(request: HttpRequest, pk: int) -> HttpResponse:
    """An admin replaces an officer of the re-check who cannot go (``services.do_substitute_recheck_officer``)."""
    recheck = get_object_or_404(Recheck.objects.visible_to(request.user), pk=pk)
    form = RecheckSubstitutionForm(request.POST)
    valid = form.is_valid()
    chosen = form.cleaned_data.get("member")
    inspector = get_object_or_404(recheck.team.all(), pk=chosen) if chosen else None
    if not valid:
        # the boxes of the team's rows close again on the page: the message names the officer (as a task's)
        if inspector is None or form.has_error("reason", "required"):
            messages.error(request, _("未替换%(name)s：请填写替换理由") % {"name": inspector.name if inspector else ""})
        else:
            messages.error(request, join_semicolon([f"{form[name].label}{colon()}{message}"
                                                    for name, errors in form.errors.items() for message in errors]))
        return redirect(recheck)
    # through the scoping gate: an officer of another county does not exist for a county admin (the service's
    # refusal named him, his post, his certificate and his recusals to whoever posted his id)
    newcomer = get_object_or_404(Inspector.objects.visible_to(request.user), pk=form.cleaned_data["newcomer"])
    try:
        services.do_substitute_recheck_officer(recheck, inspector, newcomer, reason=form.cleaned_data["reason"],
                                               acting_user=request.user)
    except (ValidationError, PermissionDenied) as error:
        _tell(request, error)
    else:
        messages.success(request, _("已由 %(new)s 接替 %(old)s 复查") % {"new": newcomer.name, "old": inspector.name})
    return redirect(recheck)


@login_required
@require_POST
def recheck_start(request: HttpRequest, pk: int) -> HttpResponse:
    recheck = get_object_or_404(Recheck.objects.visible_to(request.user), pk=pk)
    try:
        record = services.do_start_recheck_record(recheck, acting_user=request.user)
    except (ValidationError, PermissionDenied) as error:
        return _error_page(request, error, reverse("fieldwork:recheck_detail", args=[recheck.pk]))
    return redirect("fieldwork:record_edit", pk=record.pk)


# --- the record form ------------------------------------------------------------------------------------------


def _record(request: HttpRequest, pk: int, doing: str = services.WRITE) -> InspectionRecord:
    """The record as the gate lets the user read it. A former member of its task is refused (403) saying why, in
    the words of what he tried (``doing``: write it, read its page, download its PDF); anyone else gets 404."""
    try:
        return InspectionRecord.objects.visible_to(request.user).select_related(
            "task", "recheck", "target__jurisdiction", "amends", "on_site_approval__decided_by", "on_site_clue",
            "sealed_by", "amendment_approved_by", "created_by").get(pk=pk)
    except InspectionRecord.DoesNotExist:
        left = services.left_team(request.user, pk, doing)
        if left is not None:
            raise PermissionDenied(left) from None
        raise Http404 from None


def _phone_record(request: HttpRequest, pk: int) -> InspectionRecord | JsonResponse:
    """``_record`` for the phone's scripts (autosave, signature, photo): a draft its inspector may no longer write
    (his task withdrawn, he replaced, or out of his view altogether) is refused in JSON saying why, with
    ``stopped`` — record.js then saves no more — rather than the HTML page of a 403 or 404 the script could only
    show as "Forbidden" or "Not Found"."""
    try:
        return _record(request, pk)
    except PermissionDenied as error:
        return _json_error(str(error), 403, stopped=True)
    except Http404:
        # out of his reach for a reason not his to read (its task left his view, his login lost its officer
        # record): said in words, not as the HTML page "Not Found", and record.js stops sending
        return _json_error(_("该记录已不在您可以填写的范围内（其任务已不在您的任务列表中）：不能再保存、签名或提交"),
                           404, stopped=True)


def _forms(record: InspectionRecord, data=None) -> tuple[RecordForm, list[ItemForm]]:
    form = RecordForm(data, instance=record)
    items = [ItemForm(data, instance=item, prefix=f"item-{item.pk}", record_form=form)
             for item in record.items.order_by("order")]
    return form, items


def _entries(record: InspectionRecord) -> list[list[str]]:
    """The stored draft as the form's entries, in the shape record.js reads its form (``FormData``): [name, value]
    pairs in the page's order, a radio or a checkbox only when checked. An autosave's reply carries them, so the
    phone shows a team mate's values of the fields its inspector is not editing, and edits on from them."""
    form, items = _forms(record)
    entries: list[list[str]] = []
    for bound in [*form, *(field for item in items for field in item)]:
        widget, value = bound.field.widget, bound.value()
        if isinstance(widget, forms.CheckboxInput):
            if value:
                entries.append([bound.html_name, "on"])
        elif isinstance(widget, forms.RadioSelect):  # also CheckboxSelectMultiple: the checked ones, in page order
            chosen = set(widget.format_value(value))
            entries += [[bound.html_name, str(choice)] for choice, _label in bound.field.choices
                        if str(choice) in chosen]
        elif isinstance(widget, forms.Select):
            entries.append([bound.html_name, (widget.format_value(value) or [""])[0]])
        else:
            entries.append([bound.html_name, widget.format_value(value) or ""])
    return entries


def _bases(request: HttpRequest, record: InspectionRecord) -> tuple[dict | None, dict | None]:
    """What the phone had of each field before its edit: ``base``, the form's entries as JSON ([[name, value],
    …], as ``_entries`` gives them), parsed as the form parses a post. (None, None) when not sent (a page without
    record.js) or unreadable: the save's revision decides alone then, as before."""
    raw = request.POST.get("base")
    if not raw:
        return None, None
    data = QueryDict(mutable=True)
    try:
        for name, value in json.loads(raw):
            if not (isinstance(name, str) and isinstance(value, str)):
                return None, None
            data.appendlist(name, value)
    except (ValueError, TypeError):
        return None, None
    # A copy: a form's validation writes what it read into its instance, and this is not what the record holds.
    form, items = _forms(copy.copy(record), data)
    if not (form.is_valid() & all([item.is_valid() for item in items])):
        return None, None
    return form.values(), {item.instance.pk: item.values() for item in items}


def _save(request: HttpRequest, record: InspectionRecord, form: RecordForm, items: list[ItemForm]
          ) -> tuple[InspectionRecord, list[str]]:
    """The posted draft saved field by field against what the phone had (``base``); returns the record and the
    labels of the fields whose stored value is a team mate's, not what this phone sent."""
    base_values, base_items = _bases(request, record)
    values, item_values = form.values(), {item.instance.pk: item.values() for item in items}
    record = services.do_save_draft(record, acting_user=request.user, values=values, items=item_values,
                                    base_revision=params.number(request.POST.get("revision", "")),
                                    base_values=base_values, base_items=base_items)
    return record, [field.label for field in services.stored_otherwise(record, values, item_values)]


def _signers(record: InspectionRecord, user=None) -> list[dict]:
    """Who signs and the state of each signature (signed on this revision, stale, missing); ``own``: whether
    ``user``'s phone captures it — his own, and the site manager's (each member signs on his own phone)."""
    signatures = {s.inspector_id if s.inspector_id else "site_manager": s
                  for s in record.signatures.defer("image").order_by("signed_at")}
    rows = []
    for person in services.participants(record):
        rows.append({"key": f"inspector:{person.inspector.pk}", "name": person.inspector.name,
                     "detail": person.inspector.certificate_number, "role": person.role,
                     "role_label": SignerRole(person.role).label,
                     "signature": signatures.get(person.inspector.pk),
                     "own": user is None or person.inspector.pk == user.inspector_id})
    if record.mode == Mode.ON_SITE:
        rows.append({"key": "site_manager", "name": record.site_manager_name or _("（请先填写现场负责人姓名）"),
                     "detail": record.site_manager_position, "role": SignerRole.SITE_MANAGER,
                     "role_label": SignerRole.SITE_MANAGER.label, "signature": signatures.get("site_manager"),
                     "refused": record.site_manager_refused, "own": True})
    for row in rows:
        signature = row["signature"]
        row["state"] = "missing" if signature is None else ("ok" if signature.revision == record.revision else "stale")
    return rows


def _signer_states(record: InspectionRecord) -> list[dict]:
    return [{"key": row["key"], "state": row["state"],
             "signed_at": timezone.localtime(row["signature"].signed_at).strftime("%m-%d %H:%M")
             if row["signature"] else ""} for row in _signers(record)]


def _apply_errors(error: ValidationError, form: RecordForm, items: list[ItemForm]) -> tuple[list[str], list[str]]:
    """Put each error on its field; return the ones that belong to no field (the item list, …) and, apart, the
    signatures' — listed last and linked to the signatures, where the form ends: signing is the last step, and
    the list began with "… 尚未签名" that sent the inspector to sign a record he still had to complete."""
    if not hasattr(error, "error_dict"):
        return error.messages, []
    general: list[str] = []
    by_prefix = {item.prefix: item for item in items}
    for key, messages_ in error.message_dict.items():
        prefix, _sep, field = key.rpartition("-")
        if key in ("signatures", "confirm"):  # said apart: the signatures last, the box 确认提交并封存 at the button
            continue
        if key in form.fields:
            for message in messages_:
                form.add_error(key, message)
        elif prefix in by_prefix and field in by_prefix[prefix].fields:
            for message in messages_:
                by_prefix[prefix].add_error(field, message)
        else:
            general.extend(messages_)
    return general, error.message_dict.get("signatures", [])


def _script_text() -> dict[str, str]:
    """The texts record.js shows, in the request's language; written out with ``json_script``, so a
    translation with a quote or an angle bracket cannot break the page's JSON or end its script."""
    return {
        "saved": _("服务器保存于"),
        "local": _("已保存在本机"),
        "revision": _("草稿版本"),
        "unsaved": _("有修改尚未保存到服务器"),
        "saving": _("正在保存到服务器…"),
        "failed": _("未能保存到服务器："),
        "offline": _("没有网络"),
        "unreachable": _("服务器没有响应"),
        "offlineSubmit": _("现在没有网络。草稿已保存在本机，联网后再提交。"),
        "onlineSubmit": _("已恢复网络，本机的修改已同步到服务器，现在可以提交。"),
        "conflict": _("服务器上的草稿已被检查组其他成员更新。"),
        "loadServer": _("载入服务器版本"),
        "keepMine": _("保留本机修改并覆盖"),
        "restored": _("已恢复本机尚未同步的修改，联网后会自动同步。"),
        "merged": _("已载入服务器上的最新草稿，并保留了本机修改过的内容，请核对。"),
        "theirs": _("已载入检查组其他成员的修改："),
        "photos": _("%(count)s张照片"),
        "signEmpty": _("请在框内手写签名"),
        "signNameFirst": _("请先填写现场负责人姓名，再请其签名"),
        "signStale": _("签名后又修改了记录，本机签名已作废，请重新签名。"),
        "uploading": _("正在上传…"),
        "queued": _("张照片待联网后上传"),
        "uploaded": _("已上传"),
        "notUploaded": _("未上传："),
        "taken": _("拍摄"),
        "remove": _("删除"),
        "removeNamed": _("删除“%(name)s”"),
        "syncing": _("正在同步…"),
        "sealed": _("该记录已提交封存。"),
        "signIn": _("重新登录"),
        "viewSignature": _("查看签名"),
        "dismiss": _("知道了"),
        "clockAhead": _("手机时间比北京时间快%(diff)s（手机 %(phone)s，北京时间 %(server)s）。"
                        "请在手机设置中校准日期、时间和时区。“现在”按钮按北京时间填写，手填时间也请以北京时间为准。"),
        "clockBehind": _("手机时间比北京时间慢%(diff)s（手机 %(phone)s，北京时间 %(server)s）。"
                         "请在手机设置中校准日期、时间和时区。“现在”按钮按北京时间填写，手填时间也请以北京时间为准。"),
        "hoursMinutes": _("%(hours)s小时%(minutes)s分钟"),
        "hours": _("%(hours)s小时"),
        "minutes": _("%(minutes)s分钟"),
    }


def _edit_context(request: HttpRequest, record: InspectionRecord, form: RecordForm, items: list[ItemForm],
                  general: list[str] | None = None, *, unsaved: bool = False,
                  conflict_base: int | None = None, signing: list[str] | None = None,
                  unconfirmed: list[str] | None = None) -> dict:
    """``unsaved``: the page shows what was posted and refused before anything was stored; the phone must keep
    it as its own unsent edit, or leaving the page would lose the whole record. ``conflict_base``: the page
    shows what was posted on that revision and refused because a team mate saved a newer one; the phone keeps
    it as its unsent edit on that revision and asks which to keep. ``unconfirmed``: why 提交并封存 was refused
    for its box 确认提交并封存 left unticked, said at the box."""
    approvals = record.on_site_requests.select_related("requested_by", "decided_by").order_by("-requested_at")
    attachments = list(record.attachments.order_by("uploaded_at", "id"))
    for attachment in attachments:  # a file gone from the disk is said at its place, as on the record's page
        attachment.problem = file_problem(attachment)
    return {
        "record": record, "form": form, "items": items, "signers": _signers(record, request.user),
        "attachments": attachments, "general_errors": general or [],
        "signature_errors": signing or [], "confirm_errors": unconfirmed or [],
        "has_errors": (bool(general) or bool(signing) or bool(unconfirmed) or form.errors
                       or any(i.errors for i in items)),
        "approvals": approvals, "pending_approval": next((a for a in approvals if a.state == RequestState.PENDING),
                                                         None),
        "needs_approval": record.positive_list and not (record.on_site_approval_id or record.on_site_clue_id),
        "reason_form": ReasonForm(), "visit": record.visit_number, "handlings": Handling.choices,
        "rows_adjusted": services.recheck_rows_adjusted(record),
        # the mode as the page shows it (a refused post's, else the stored): the place's asterisk follows it
        "off_site": form["mode"].value() == Mode.OFF_SITE,
        "script_text": _script_text(), "unsaved": unsaved, "conflict_base": conflict_base,
        # his task withdrawn or he replaced while the form is open: said at once (live.js), saves stop
        # a re-check's: his team mate submitted it (a re-check is neither withdrawn nor reassigned: live._rechecks)
        # … and a team mate's signature (or its removal): the signatures section follows it without a reload
        "live": (_live(request.user, [record.task_id], record=record.pk) if record.task_id
                 else _live(request.user, [], [record.recheck_id], record=record.pk))
        if _is_inspector(request.user) else None,
        # the phone's clock is measured against these (record.js): its error, its zone, when to warn
        "server_now": _server_now_ms(),
        "server_zone": int(timezone.localtime().utcoffset().total_seconds() // 60),
        "clock_tolerance": int(services.CLOCK_WARNING.total_seconds() // 60),
    }


@login_required
def record_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The phone form. POST saves the draft (``action=save``) or saves and submits (``action=submit``)."""
    record = _record(request, pk)
    if record.is_sealed:
        # Said: a phone whose 提交 got no answer (the connection dropped) comes back here not knowing it went through.
        messages.info(request, _("该记录已于%(when)s由%(who)s提交封存，不能再修改") % {
            "when": timezone.localtime(record.sealed_at).strftime("%Y-%m-%d %H:%M"),
            "who": record.sealed_by.display_name if record.sealed_by else _("系统")})
        return redirect(record)
    if not permissions.is_team_member(request.user, record):
        raise PermissionDenied(permissions.recheck_cancelled(record) or _("只有本次检查的检查组成员可以填写检查记录"))
    if request.method != "POST":
        form, items = _forms(record)
        return render(request, "fieldwork/record_edit.html", _edit_context(request, record, form, items))
    form, items = _forms(record, request.POST)
    if not (form.is_valid() & all([item.is_valid() for item in items])):
        return render(request, "fieldwork/record_edit.html",
                      _edit_context(request, record, form, items, [_("请更正标红的字段")], unsaved=True), status=400)
    revision = request.POST.get("revision", "")
    try:
        record, theirs = _save(request, record, form, items)
    except services.DraftConflict as conflict:
        return render(request, "fieldwork/record_edit.html",
                      _edit_context(request, record, form, items, [conflict.message],
                                    conflict_base=params.number(revision)), status=409)
    except ValidationError as error:
        if getattr(error, "code", None) == "sealed":  # a team mate's phone submitted it meanwhile
            messages.info(request, error.messages[0])
            return redirect(record)
        general, signing = _apply_errors(error, form, items)
        return render(request, "fieldwork/record_edit.html",
                      _edit_context(request, record, form, items, general, unsaved=True, signing=signing), status=400)
    if request.POST.get("action") != "submit":
        # record.js takes it away once the draft moves on: it said version N above a form at version N+3
        messages.success(request, _("草稿已保存（版本%(revision)s）") % {"revision": record.revision},
                         extra_tags="fw-draft-saved")
        if theirs:
            messages.info(request, _("已保留检查组其他成员的修改：%(fields)s") % {"fields": join_sep(theirs)})
        return redirect("fieldwork:record_edit", pk=record.pk)
    try:
        if not confirmed(request):
            services.ensure_sealable(record, request.user)
            # Sealing cannot be undone; unconfirmed (a phone without JavaScript, the box left unticked) nothing is
            # sealed. The draft stays saved, as when the dialog's 返回检查 is tapped or the record is refused as
            # incomplete, and what else keeps it from being sealed is said at the same time: one more try can be
            # the last.
            raise ValidationError({"confirm": _("封存后不能修改：请核对后勾选“确认提交并封存”"),
                                   **services.completeness_errors(record)})
        record = services.do_submit_record(record, acting_user=request.user)
    except ValidationError as error:
        if getattr(error, "code", None) == "already_sealed":
            messages.info(request, error.messages[0])
            return redirect(record)
        general, signing = _apply_errors(error, form, items)
        unconfirmed = error.message_dict.get("confirm", []) if hasattr(error, "error_dict") else []
        return render(request, "fieldwork/record_edit.html",
                      _edit_context(request, record, form, items, general, signing=signing, unconfirmed=unconfirmed),
                      status=400)
    messages.success(request, _("检查记录已提交并封存，封存哈希 %(hash)s…") % {"hash": record.seal_hash[:16]})
    return redirect(record)


def _json_error(message: str, status: int, **extra) -> JsonResponse:
    return JsonResponse({"ok": False, "message": message, **extra}, status=status,
                        json_dumps_params={"ensure_ascii": False})


@login_required
@require_POST
def record_draft(request: HttpRequest, pk: int) -> JsonResponse:
    """Autosave from the phone (JSON answer). ``base``: what the phone had of each field before its edit (see
    ``_bases``); 409 only when a field it changed was changed otherwise by a team mate meanwhile (without
    ``base``: when the stored draft moved on since ``revision``). The answer carries the stored draft."""
    record = _phone_record(request, pk)
    if isinstance(record, JsonResponse):
        return record
    if record.is_sealed:
        return _json_error(_("该记录已提交封存"), 409, sealed=True, url=record.get_absolute_url())
    form, items = _forms(record, request.POST)
    if not (form.is_valid() & all([item.is_valid() for item in items])):
        errors = {**{k: v for k, v in form.errors.items()},
                  **{f"{i.prefix}-{k}": v for i in items for k, v in i.errors.items()}}
        # Say which field, as the form labels it (an item's field with the item's name), not its key — and what
        # is wrong with it: the banner is all the phone shows of a refused autosave ("电话" alone left the
        # inspector guessing what the server wanted of the number).
        named = [f"{form.fields[k].label}{bracketed(join_semicolon(v))}" for k, v in form.errors.items()
                 if k in form.fields]
        named += [f"{i.instance.name}·{i.fields[k].label}{bracketed(join_semicolon(v))}" if k in i.fields
                  else i.instance.name
                  for i in items for k, v in i.errors.items()]
        return _json_error(_("有字段未通过检查：%(fields)s") % {"fields": join_sep(named)}, 400, errors=errors)
    try:
        record, theirs = _save(request, record, form, items)
    except services.DraftConflict as conflict:
        return _json_error(conflict.message, 409, revision=conflict.revision, fields=conflict.fields)
    except PermissionDenied as error:
        return _json_error(str(error), 403)
    except ValidationError as error:
        return _json_error(join_semicolon(error.messages), 400)
    # fields: the stored draft (the phone's own edits and a team mate's), theirs: which of them came from him
    return JsonResponse({"ok": True, "revision": record.revision,
                         "saved_at": timezone.localtime(record.updated_at).strftime("%H:%M:%S"),
                         "signers": _signer_states(record), "now": _server_now_ms(),
                         "fields": _entries(record), "theirs": theirs,
                         "attachments": [{**_attachment_json(a), "ours": a.uploaded_by_id == request.user.pk}
                                         for a in record.attachments.order_by("uploaded_at", "id")]},
                        json_dumps_params={"ensure_ascii": False})


def _png_from(data_url: str) -> bytes:
    prefix = "data:image/png;base64,"
    if not data_url.startswith(prefix):
        raise ValidationError(_("签名须为PNG图像"))
    try:
        return base64.b64decode(data_url[len(prefix):], validate=True)
    except (binascii.Error, ValueError) as error:
        raise ValidationError(_("签名数据已损坏，请重新签名")) from error


def _phone_time(value: str | None) -> datetime | None:
    """An ISO time the phone sent, aware; None when it is none."""
    try:
        when = parse_datetime(value or "")
    except ValueError:  # well formed but no such day or hour (2021-02-30T25:00)
        return None
    if when is None or not params.storable_day(when.date()):
        return None
    return timezone.make_aware(when) if timezone.is_naive(when) else when


def _by_server_clock(request: HttpRequest, when: datetime | None) -> datetime | None:
    """A time the phone read from its own clock (a signature drawn, a photo taken), moved by that clock's error.

    A phone whose clock is an hour or a day off (or whose time was set by hand) would otherwise date the
    signature or photo in the sealed record as wrongly; and a photo dated in the future by a fast clock was
    refused — and dropped from the phone's queue. The phone sends its clock at sending (``sent_at``); the error
    is how far that is from the server's now, and a thing drawn or taken offline, sent later, is moved by as
    much. Without ``sent_at`` (an older page), the time is taken as it came."""
    sent_at = _phone_time(request.POST.get("sent_at"))
    if when is None or sent_at is None:
        return when
    try:
        return when + (timezone.now() - sent_at)
    except OverflowError:
        return None


def _server_now_ms() -> int:
    """The server's clock, for the phone to measure its own against (milliseconds since the epoch)."""
    return int(timezone.now().timestamp() * 1000)


@login_required
@require_POST
def record_sign(request: HttpRequest, pk: int) -> JsonResponse:
    """A signature drawn on the screen: ``signer`` is ``inspector:<id>`` or ``site_manager``; ``png`` a data
    URL; ``revision`` the record revision shown while signing; ``signed_at`` when it was drawn (ISO)."""
    record = _phone_record(request, pk)
    if isinstance(record, JsonResponse):
        return record
    signer = request.POST.get("signer", "")
    inspector = None
    if signer.startswith("inspector:") and params.number(signer[10:]) is not None:
        inspector = next((p.inspector for p in services.participants(record) if p.inspector.pk == int(signer[10:])),
                         None)
        if inspector is None:
            return _json_error(_("签名人不是本次检查的检查组成员"), 400)
    elif signer != "site_manager":
        return _json_error(_("请选择签名人"), 400)
    revision = params.number(request.POST.get("revision"))
    # when the phone says it was drawn: ignored when it is not a time (do_sign also ignores a wrong one); a
    # signature drawn offline is sent later, so the time it was drawn can only come from the phone's clock
    signed_at = _by_server_clock(request, _phone_time(request.POST.get("signed_at")))
    try:
        signature = services.do_sign(record, acting_user=request.user, png=_png_from(request.POST.get("png", "")),
                                     revision=-1 if revision is None else revision, inspector=inspector,
                                     signed_at=signed_at)
    except services.DraftConflict as conflict:
        return _json_error(conflict.message, 409, revision=conflict.revision)
    except PermissionDenied as error:
        return _json_error(str(error), 403)
    except ValidationError as error:
        return _json_error(join_semicolon(error.messages), 400)
    record.refresh_from_db()
    return JsonResponse({"ok": True, "signer": signer, "name": signature.name,
                         "signed_at": timezone.localtime(signature.signed_at).strftime("%m-%d %H:%M"),
                         "revision": record.revision, "signers": _signer_states(record)},
                        json_dumps_params={"ensure_ascii": False})


@login_required
@require_POST
def signature_delete(request: HttpRequest, pk: int, signature_pk: int) -> HttpResponse:
    record = _record(request, pk)
    signature = get_object_or_404(record.signatures, pk=signature_pk)
    try:
        services.do_remove_signature(signature, acting_user=request.user)
    except (ValidationError, PermissionDenied) as error:
        return _error_page(request, error, reverse("fieldwork:record_edit", args=[record.pk]))
    return redirect(reverse("fieldwork:record_edit", args=[record.pk]) + "#signatures")


@login_required
def signature_image(request: HttpRequest, pk: int, signature_pk: int) -> HttpResponse:
    record = _record(request, pk)
    signature = get_object_or_404(record.signatures, pk=signature_pk)
    response = HttpResponse(bytes(signature.image), content_type="image/png")
    return response


def _attachment_json(attachment: Attachment) -> dict:
    return {"id": attachment.pk, "name": attachment.original_name, "sha256": attachment.sha256,
            "url": reverse("fieldwork:attachment_file", args=[attachment.pk]),
            "delete_url": reverse("fieldwork:attachment_delete", args=[attachment.pk]),
            "taken_at": timezone.localtime(attachment.taken_at).strftime("%m-%d %H:%M") if attachment.taken_at else "",
            # said under the photo, as the page does (fieldwork/_converted.html)
            "converted": (_("由 %(label)s 转换为 JPG") % {"label": attachment.converted_label}
                          if attachment.converted_from else "")}


@login_required
@require_POST
def attachment_add(request: HttpRequest, pk: int) -> HttpResponse:
    """A photo or file from the phone (fetch: JSON answer; a plain form post: back to the form)."""
    wants_json = request.headers.get("Accept", "").startswith("application/json")
    record = _phone_record(request, pk) if wants_json else _record(request, pk)
    if isinstance(record, JsonResponse):
        return record
    upload = request.FILES.get("file")
    # File.lastModified, milliseconds since the epoch; up to the last day a datetime has (a later time is refused
    # below as later than now, rather than overflowing here)
    taken = params.number(request.POST.get("taken_at"), high=LAST_DAY_MS)
    taken_at = None
    if taken is not None:
        taken_at = _by_server_clock(request, datetime.fromtimestamp(taken / 1000, tz=timezone.get_current_timezone()))
    try:
        if upload is None:
            raise ValidationError(_("请选择要上传的照片或文件"))
        attachment = services.do_add_attachment(record, upload, acting_user=request.user, taken_at=taken_at,
                                                caption=params.text(request.POST.get("caption", ""), _("说明")))
    except (ValidationError, PermissionDenied) as error:
        message = join_semicolon(getattr(error, "messages", [str(error)]))
        if wants_json:
            return _json_error(message, 400)
        messages.error(request, message, extra_tags="attachments")  # shown at the photos (record_edit.html)
        return redirect(reverse("fieldwork:record_edit", args=[record.pk]) + "#attachments")
    if wants_json:
        record.refresh_from_db()
        return JsonResponse({"ok": True, "revision": record.revision, **_attachment_json(attachment),
                             "signers": _signer_states(record)}, json_dumps_params={"ensure_ascii": False})
    return redirect(reverse("fieldwork:record_edit", args=[record.pk]) + "#attachments")


def confirmed(request: HttpRequest) -> bool:
    """The person said yes to a step that cannot be undone: the page's dialog (static/js/confirm.js) or, without
    JavaScript, the confirmation page or box sends confirm=1 (a box ticked without a script sends "on")."""
    return request.POST.get("confirm", "") in ("1", "on")


@login_required
@require_POST
def attachment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """A photo is evidence and its removal cannot be undone: a post that does not say confirm=1 (the trash button
    of a phone without JavaScript, a mis-tap's second tap) is answered with the question, not the removal."""
    attachment = get_object_or_404(Attachment.objects.filter(
        record__in=InspectionRecord.objects.visible_to(request.user)).select_related("record__target"), pk=pk)
    back = reverse("fieldwork:record_edit", args=[attachment.record_id])
    try:
        if not confirmed(request):
            services.ensure_attachment_removable(attachment, request.user)
            return render(request, "fieldwork/attachment_delete.html",
                          {"attachment": attachment, "record": attachment.record, "back": back + "#attachments"})
        services.do_remove_attachment(attachment, acting_user=request.user)
    except (ValidationError, PermissionDenied) as error:
        return _error_page(request, error, back)
    messages.success(request, _("已删除“%(name)s”") % {"name": attachment.original_name},
                     extra_tags="attachments")  # shown at the photos, where the page comes back (record_edit.html)
    return redirect(back + "#attachments")


def _file_response(stored) -> FileResponse:
    try:
        handle = stored.file.open("rb")
    except OSError as error:
        raise Http404(_("文件不存在")) from error
    # A picture (its type checked when it came) is shown; anything else is a download of bytes, whatever type the
    # uploading browser claimed for it ("text/html" made into a page would run on this site).
    return FileResponse(handle, as_attachment=not stored.is_image, filename=stored.served_name,
                        content_type=(stored.content_type if stored.is_image else "") or "application/octet-stream")


@login_required
def attachment_file(request: HttpRequest, pk: int) -> FileResponse:
    attachment = get_object_or_404(Attachment.objects.filter(
        record__in=InspectionRecord.objects.visible_to(request.user)), pk=pk)
    return _file_response(attachment)


@login_required
def evidence_file(request: HttpRequest, pk: int) -> FileResponse:
    evidence = get_object_or_404(FollowUpEvidence.objects.filter(
        follow_up__in=FollowUp.objects.visible_to(request.user)), pk=pk)
    return _file_response(evidence)


@login_required
@require_POST
def record_on_site_request(request: HttpRequest, pk: int) -> HttpResponse:
    record = _record(request, pk)
    form = ReasonForm(request.POST)
    try:
        reason = form.data.get("reason", "")
        # an empty reason is the service's to explain; a typed one is held to the form's length
        services.do_request_on_site(record, reason=_valid(form)["reason"] if reason.strip() else reason,
                                    acting_user=request.user)
        messages.success(request, _("已提交现场检查审批申请，请等待执法机构负责人审批"))
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, join_semicolon(getattr(error, "messages", [str(error)])))
    return redirect(reverse("fieldwork:record_edit", args=[record.pk]) + "#mode")


# --- records --------------------------------------------------------------------------------------------------


def _state_filter(queryset: QuerySet, state: str) -> QuerySet:
    passed_amendment = RecordReview.objects.filter(record__amends=OuterRef("pk"), decision=ReviewDecision.PASSED)
    if state == RecordState.DRAFT:
        return queryset.drafts()
    if state == RecordState.PENDING:
        return queryset.awaiting_review()
    if state == RecordState.PASSED:
        return queryset.publishable()
    if state == RecordState.RETURNED:
        return queryset.filter(review__decision=ReviewDecision.RETURNED).exclude(Exists(passed_amendment))
    if state == RecordState.SUPERSEDED:
        return queryset.filter(Exists(passed_amendment))
    return queryset


@login_required
def record_list(request: HttpRequest) -> HttpResponse:
    # a place outside his area refused in words, nothing listed (registry/places.py)
    chosen = place_filter(request, refusal=_("%(name)s不在您的管辖范围内，不能列出它的记录"))
    records = chosen.narrow(InspectionRecord.objects.visible_to(request.user), "target__jurisdiction")
    q = request.GET.get("q", "").strip()
    if q:
        records = records.filter(every_word(q, lambda word: Q(number__icontains=word) | by_target(word)))
    state = request.GET.get("state", "")
    records = _state_filter(records, state)
    mode = request.GET.get("mode", "")
    if mode in Mode.values:
        records = records.filter(mode=mode)
    # The inspections of one month (ended then, as the monthly sheet and publication count them): the 报送材料
    # page links its "另有 n 份…尚未审核" here.
    month, month_error = _month(request.GET.get("month", ""))
    if month is not None:
        start, end = month_bounds(*month)
        records = records.filter(ended_at__gte=start, ended_at__lt=end)
    # The records submitted (sealed) in one year: the overview's "已提交记录" of each county opens exactly those,
    # not every record of the county (its drafts and earlier years' too), which was a different number.
    submitted, submitted_error = _year(request.GET.get("submitted", ""))
    if submitted is not None:
        records = records.sealed().filter(sealed_at__year=submitted)
    # The records of the tasks one bureau's own plans drew (``drawn_by``, as on the task list; in a quarter,
    # ``period``): the 完成情况 page's 待审核 opens exactly those it counts (a city plan's task in a county is the
    # city's). A bureau outside the reader's area, or no place at all, is refused in words as ``?jurisdiction=`` is
    # (it listed nothing without saying why).
    # Without a period, a bureau's work (``owned_by``): its tasks' records and their re-checks', as the workbench
    # counts 待审核 under the bureau that reviews them; a quarter's are that quarter's tasks' records and the
    # re-checks that follow them up (``of_tasks``), as 完成情况 counts them.
    owner = place_filter(request, "drawn_by", refusal=_("%(name)s不在您的管辖范围内，不能列出它抽取的任务的记录"))
    place = owner.place
    if owner.refused:
        records = records.none()
    elif place is not None:
        owner_id = place.pk
        year, _sep, quarter = request.GET.get("period", "").partition("-")
        if params.year(year) is not None and quarter in ("1", "2", "3", "4"):
            records = of_tasks(records, drawn_by(Task.objects.all(), owner_id).filter(year=int(year),
                                                                                    quarter=int(quarter)))
        elif state == RecordState.PENDING:
            # awaiting the review of the bureau: the records it reviews (``reviewed_by``), as the workbench and the
            # overview's card count them — not a merged visit's record sealed before its plan was dispatched
            records = reviewed_by(records, [owner_id])
        else:
            records = owned_by(records, [owner_id])
    refused = chosen.refused or owner.refused
    problems = ItemResult.objects.filter(record=OuterRef("pk"), outcome=Outcome.PROBLEM)
    if request.GET.get("problems") == "1":
        records = records.filter(Exists(problems))
    # The count as a correlated subquery, not a join with GROUP BY: grouping every record of the scope (with
    # its sealed content) before the page is cut took seconds for the city's thousands of records.
    counted = problems.order_by().values("record").annotate(n=Count("pk")).values("n")
    records = (records.select_related("target__jurisdiction", "review", "task", "recheck", "amendment__review")
               .annotate(problem_count=Coalesce(Subquery(counted, output_field=IntegerField()), 0))
               .order_by("-sealed_at", "-created_at"))
    return render(request, "fieldwork/record_list.html", {
        "page": _page(request, records), "query": _query(request), "states": RecordState.choices, "modes": Mode.choices,
        "jurisdictions": _jurisdictions(request.user), "state": state, "mode": mode,
        "month": request.GET.get("month", "").strip(), "month_error": month_error,
        "submitted": request.GET.get("submitted", "").strip()[:20], "submitted_error": submitted_error,
        "drawn_by": place, "period": request.GET.get("period", "").strip()[:20], "refused": refused},
        status=404 if refused else 200)


def _year(value: str) -> tuple[int | None, str]:
    """``?submitted=YYYY``: the year, or why it is not one."""
    value = value.strip()
    if not value:
        return None, ""
    year = params.number(value, low=1000, high=9999)
    if year is not None:
        return year, ""
    return None, _("“%(value)s”不是有效的年份，应为四位数字，如 2026") % {"value": value[:20]}


def _month(value: str) -> tuple[tuple[int, int] | None, str]:
    """``?month=YYYY-MM`` (a browser's month field): the (year, month), or why it is not one."""
    value = value.strip()
    if not value:
        return None, ""
    year, _dash, month = value.partition("-")
    if _dash and year.isdigit() and month.isdigit() and len(year) == 4 and 1 <= int(month) <= 12 and int(year) > 1:
        return (int(year), int(month)), ""
    return None, _("“%(value)s”不是有效的月份，应为“年-月”，如 2026-11") % {"value": value[:20]}


@login_required
def record_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail_page(request, _record(request, pk, services.READ))


def _detail_page(request: HttpRequest, record: InspectionRecord, *, refused: Exception | None = None,
                 review_form: ReviewForm | None = None, amend_reason: str = "",
                 decision_form: DecisionForm | None = None) -> HttpResponse:
    """The record's page; after a refused review or amendment request, with the refusal and what was typed.

    A refusal renders the page again (400) rather than redirecting to it, so the reviewer's choice and a long
    opinion are not lost to one missing or overlong field.
    """
    user = request.user
    status = _answer_status(request, refused)
    review = getattr(record, "review", None)
    chain_back = []
    cursor = record.amends
    while cursor is not None:
        chain_back.append(cursor)
        cursor = cursor.amends
    amendment = InspectionRecord.objects.filter(amends=record).first()
    # its number links where the gate lets the reader open it (an amendment still a draft: not for a leader)
    amendment_readable = amendment is not None and InspectionRecord.objects.visible_to(user).filter(
        pk=amendment.pk).exists()
    is_member = permissions.is_team_member(user, record)
    # review, amendments: the bureau whose plan drew the visit (permissions.reviewers), not the firm's county
    is_admin = permissions.can_review(user, record)
    open_amendment = record.amendment_requests.filter(state=RequestState.PENDING).select_related(
        "requested_by").first()
    attachments = list(record.attachments.order_by("uploaded_at", "id"))
    for attachment in attachments:  # a file gone from the disk is said at its place, not shown as a broken image
        attachment.problem = file_problem(attachment)
    items = list(record.items.order_by("order"))
    return render(request, "fieldwork/record_detail.html", {
        "record": record, "state": record.state, "review": review, "items": items,
        # a re-check's result in one line: how many of the orders it verified were rectified (its rows say which)
        "recheck_tally": {"rectified": sum(i.outcome == Outcome.NO_PROBLEM for i in items),
                          "unrectified": sum(i.outcome == Outcome.PROBLEM for i in items)}
        if record.is_recheck and record.is_sealed else None,
        "signatures": record.signatures.defer("image").select_related("inspector").order_by("signed_at"),
        "manager_signature": record.signatures.defer("image").filter(role=SignerRole.SITE_MANAGER).first(),
        "attachments": attachments, "amends_chain": chain_back,
        "amendment": amendment, "amendment_readable": amendment_readable,
        "amendment_requests": record.amendment_requests.select_related(
            "requested_by", "decided_by", "amendment"),
        "open_amendment": open_amendment,
        "follow_ups": FollowUp.objects.filter(Q(record=record) | Q(closing_record=record))
        .select_related("problem", "recheck").distinct(),
        "rechecks": record.rechecks.all(), "is_member": is_member, "is_admin": is_admin,
        "sources": services.record_sources(record),
        "can_review": is_admin and record.is_sealed and review is None and amendment is None,
        # the firm's county reads the record, the city whose own plan drew the visit reviews it: said, not a blank
        "reviewed_by": join_sep(place.name for place in permissions.reviewers(record))
        if not is_admin and permissions.can_administer(user, record) else "",
        "can_request_amendment": record.is_sealed and (is_member or is_admin) and amendment is None
        and open_amendment is None,
        "review_form": review_form or ReviewForm(), "amend_reason": amend_reason, "reason_form": ReasonForm(),
        "decision_form": decision_form or _decision_form("amendment", open_amendment),
        # coded values said with the names the reader may read: a dispatch's joining officers (``record.team_joined``)
        "history": name_codes(history_for(record)[:50], user), "visit": record.visit_number,
        # the clue the on-site visit rests on, linked for a reader its gate lets in (a department user: no 404 link)
        "clue_url": record.on_site_clue.get_absolute_url() if record.on_site_clue_id and Clue.objects.visible_to(
            user).filter(pk=record.on_site_clue_id).exists() else "",
        # the draft's events say who did what when; their values are the unsigned draft (models.DRAFT_ACTIONS), but
        # for the on-site approval the record was sealed with (models.ON_SITE_DRAFT_KEYS): kept from whoever did not
        # read that draft — a leader, and a county admin the record of the city's own visit (models.drafts_unread)
        "history_hidden": frozenset() if reads_draft_of(user, record) else DRAFT_HISTORY_HIDDEN,
        "today": timezone.localdate(),
    }, status=status)


@login_required
@require_POST
def record_review(request: HttpRequest, pk: int) -> HttpResponse:
    record = _record(request, pk)
    form = ReviewForm(request.POST)
    try:
        data = _valid(form)  # each problem with its field: a missing choice, an opinion past its length
        passed = data["passed"]
        services.do_review_record(record, passed=passed, reason=data["reason"], acting_user=request.user)
    except (ValidationError, PermissionDenied) as error:
        return _detail_page(request, record, refused=error, review_form=form)
    if passed:
        messages.success(request, _("审核通过，记录可以公开"))
    else:
        messages.success(request, _("已退回，已生成更正记录草稿，请检查组更正后重新签名提交"))
    return redirect(record)


@login_required
@require_POST
def record_amend(request: HttpRequest, pk: int) -> HttpResponse:
    record = _record(request, pk)
    typed = request.POST.get("reason", "")
    try:
        # An empty reason is the service's to name; the form holds a typed one to its length (and refuses NUL).
        reason = _valid(ReasonForm(request.POST))["reason"] if typed.strip() else typed
        services.do_request_amendment(record, reason=reason, acting_user=request.user)
    except (ValidationError, PermissionDenied) as error:
        return _detail_page(request, record, refused=error, amend_reason=typed)
    messages.success(request, _("更正申请已提交，等待审批"))
    return redirect(record)


def _decision_form(kind: str, pending, data=None) -> DecisionForm | None:
    """The decision form of one pending request. Its ids carry the request's number: on the approvals page
    several forms stand together, and a label ("批准") must check the radio of its own form, not the first."""
    if pending is None:
        return None
    return DecisionForm(data, auto_id=f"{kind}-{pending.pk}-%s")


@login_required
@require_POST
def amendment_decide(request: HttpRequest, pk: int) -> HttpResponse:
    amendment_request = get_object_or_404(AmendmentRequest.objects.visible_to(request.user), pk=pk)
    form = _decision_form("amendment", amendment_request, request.POST)
    from_queue = request.POST.get("back") == "approvals"  # decided from the approvals page: back to it
    try:
        data = _valid(form)
        services.do_decide_amendment(amendment_request, approve=data["approve"], decision=data["decision"],
                                     acting_user=request.user)
    except (ValidationError, PermissionDenied) as error:
        if from_queue:
            return _approvals_page(request, refused=error, bound=form, bound_to=amendment_request)
        return _detail_page(request, amendment_request.record, refused=error, decision_form=form)
    messages.success(request, _("已审批"))
    return redirect("fieldwork:approvals" if from_queue else amendment_request.record.get_absolute_url())


@login_required
@require_POST
def on_site_decide(request: HttpRequest, pk: int) -> HttpResponse:
    approval = get_object_or_404(OnSiteApproval.objects.visible_to(request.user), pk=pk)
    form = _decision_form("on-site", approval, request.POST)
    try:
        data = _valid(form)
        services.do_decide_on_site(approval, approve=data["approve"], decision=data["decision"],
                                   acting_user=request.user)
    except (ValidationError, PermissionDenied) as error:
        return _approvals_page(request, refused=error, bound=form, bound_to=approval)
    messages.success(request, _("已审批"))
    return redirect("fieldwork:approvals")


def _is_department_user(user) -> bool:
    return user.role == Role.DEPARTMENT and not user.is_superuser


def _approval_queue(request: HttpRequest, chosen: PlaceFilter | None = None) -> dict:
    """What the 审批 tab lists for the user, narrowed to the place ``chosen`` (the page's ``?jurisdiction=``: the
    city's workbench links each county's 待审批 cell here; nothing when it is refused), and ``count``, the number of
    its entries (the overview's card, unnarrowed).

    An inspector and a department user decide none of it (DESIGN §1: a department initiates its joint
    inspections; the enforcement unit's head decides the clues and requests, the city the plans): each sees what
    is his — an inspector his teams' requests and the clues he reported, a department user the clues he reported
    and the requests of his department's plans, not the county's queue on pages he cannot act on."""
    user = request.user
    on_site = (OnSiteApproval.objects.visible_to(user).filter(state=RequestState.PENDING)
               .select_related("target__jurisdiction", "record", "requested_by"))
    amendments = (AmendmentRequest.objects.visible_to(user).filter(state=RequestState.PENDING)
                  .select_related("record__target__jurisdiction", "requested_by"))
    clues = (Clue.objects.visible_to(user).filter(status=ClueStatus.PENDING)
             .select_related("target__jurisdiction", "reported_by").order_by("reported_at", "pk"))
    # Approved and waiting for their 线索核查, opened on the clue's page (实施方案 二(三) "应立即开展现场检查").
    unchecked = (clues_awaiting_check(Clue.objects.visible_to(user))
                 .select_related("target__jurisdiction", "decided_by").order_by("decided_at", "pk"))
    shortfalls = (PlanStratum.objects.visible_to(user).filter(shortfall_state=ShortfallState.PENDING)
                  .select_related("plan__jurisdiction", "plan__department").order_by("plan_id", "pk"))
    redraws = (RedrawRequest.objects.visible_to(user).filter(state=RedrawState.PENDING)
               .select_related("plan__jurisdiction", "plan__department", "requested_by")
               .order_by("requested_at", "pk"))
    chosen = chosen or PlaceFilter()
    # That jurisdiction's own, as the workbench's row counts them: the city's row is its own plans' requests, not
    # its counties' (each has its row); a county has none below it. A refused place: none of them.
    on_site = chosen.own(on_site, "target__jurisdiction")
    amendments = chosen.own(amendments, "record__target__jurisdiction")
    clues = chosen.own(clues, "target__jurisdiction")
    unchecked = chosen.own(unchecked, "target__jurisdiction")
    shortfalls = chosen.own(shortfalls, "plan__jurisdiction")
    redraws = chosen.own(redraws, "plan__jurisdiction")
    if _is_inspector(user):
        # His workbench counts no approvals: plans he cannot even open are not his (on_site and amendments are
        # scoped to his teams already).
        clues, unchecked = clues.filter(reported_by=user), unchecked.none()
        shortfalls, redraws = shortfalls.none(), redraws.none()
    elif _is_department_user(user):
        on_site, amendments = on_site.none(), amendments.none()
        clues, unchecked = clues.filter(reported_by=user), unchecked.none()
        shortfalls = shortfalls.filter(plan__department_id=user.department_id or 0)
        redraws = redraws.filter(plan__department_id=user.department_id or 0)
    if is_any_admin(user) and not _is_inspector(user):
        # An admin lists the requests of his queue (approvals.admin_queue), decided by the bureau that drew the visit
        # (permissions.reviewers): a county admin is not shown the city's own visits' requests, which the city
        # decides and whose on-site reasons come from the city team's draft, which he may not read.
        on_site = reviewed_in_scope(user, on_site, "record__")
        amendments = reviewed_in_scope(user, amendments, "record__")
    if not reads_drafts(user):
        # A pending on-site request belongs to a draft, and its reason may name who complained (ON_SITE_DRAFT_KEYS):
        # a leader reads sealed records only, and reads the approval once the record is sealed with it.
        on_site = on_site.none()
    on_site, amendments = list(on_site), list(amendments)
    plan_requests = ([(s.plan, _("%(stratum)s少抽 %(n)s 家") % {
        "stratum": s.get_stratum_display(), "n": s.shortfall}, "") for s in shortfalls]
        + [(r.plan, _("重新抽取"), r.reason) for r in redraws])
    count = len(on_site) + len(amendments) + clues.count() + unchecked.count() + len(plan_requests)
    own = others = 0
    if is_any_admin(user) and not _is_inspector(user):
        # An admin's count is what he may decide (as his workbench counts it); his own requests, which another
        # admin decides (ensure_not_self), and the rest (a county's plan requests, which the city decides; a
        # correction of his own team's record) are listed, marked, and said apart.
        queue = approvals_queue.narrowed(approvals_queue.admin_queue(user), chosen)
        count, own, others = queue.counts()
        mine = {"on_site": set(queue.on_site.mine.values_list("pk", flat=True)),
                "amendments": set(queue.amendments.mine.values_list("pk", flat=True))}
        for key, rows in (("on_site", on_site), ("amendments", amendments)):
            for row in rows:
                row.decides = row.pk in mine[key]
    return {"on_site": on_site, "amendments": amendments, "clues": clues, "unchecked": unchecked,
            "plan_requests": plan_requests, "count": count, "own": own, "others": others}


@login_required
def approvals(request: HttpRequest) -> HttpResponse:
    return _approvals_page(request)


def _approvals_page(request: HttpRequest, *, refused: Exception | None = None, bound: DecisionForm | None = None,
                    bound_to=None) -> HttpResponse:
    """What waits for the head of the enforcement unit: on-site checks of positive-list targets, amendments,
    decided here; and what the workbench counts as waiting too but is decided on its own page: positive-list
    firms' clues, plans' shortfalls and re-draws (the city's).

    After a refused decision, the page again (400) with that request's choice and opinion as typed."""
    status = _answer_status(request, refused)
    # a place outside his area refused in words, nothing listed (registry/places.py)
    chosen = place_filter(request, refusal=_("%(name)s不在您的管辖范围内，不能列出它的待审批事项"))
    queue = _approval_queue(request, chosen)
    for kind, rows in (("on-site", queue["on_site"]), ("amendment", queue["amendments"])):
        for row in rows:
            row.decision_form = bound if row == bound_to else _decision_form(kind, row)
    user = request.user
    inspector = _is_inspector(user)
    plan_requests = queue["plan_requests"]
    return render(request, "fieldwork/approvals.html", {
        **queue, "unchecked_clues": queue["unchecked"], "inspector": inspector,
        "department": _is_department_user(user), "place": chosen.place, "refused": chosen.refused,
        "can_decide": not inspector and is_any_admin(user),
        # the plans' hint only to who approves them (the city); a county admin reads the card's 市局审批
        "approves_plans": any(can_approve(user, plan) for plan, _what, _reason in plan_requests),
    }, status=status if refused is not None else chosen.status)


@login_required
def record_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    from shuangsuiji.fieldwork.pdf import render_record_pdf

    record = _record(request, pk, services.PDF)
    response = HttpResponse(render_record_pdf(record), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{record.number}.pdf"'
    return response


# --- follow-ups and the county's overview ---------------------------------------------------------------------


@login_required
def followup_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    # A place outside his area is refused in words with nothing listed (404, as the 报送材料 page answers a
    # jurisdiction outside it), never the whole area under a filter that seems to hold.
    chosen = place_filter(request, refusal=_("%(name)s不在您的管辖范围内，不能列出它的问题"))
    at = place_filter(request, "place", refusal=_("%(name)s不在您的管辖范围内，不能列出它的问题"))
    refused = chosen.refused or at.refused
    follow_ups = chosen.narrow(FollowUp.objects.visible_to(request.user), "target__jurisdiction")
    if refused:
        follow_ups = follow_ups.none()
    state = request.GET.get("state", "open")
    if state == "overdue":
        follow_ups = follow_ups.overdue(today)
    elif state in FollowUpStatus.values:
        follow_ups = follow_ups.filter(status=state)
    handling = request.GET.get("handling", "")
    if handling in Handling.values:
        follow_ups = follow_ups.filter(handling=handling)
    q = request.GET.get("q", "").strip()
    if q:
        follow_ups = follow_ups.filter(every_word(q, lambda word: Q(record__number__icontains=word) | by_target(word)
                                                  | Q(case_number__icontains=word)))
    # The problems of the firms registered at one place itself, not at the places below it: the city's row of the
    # workbench's table counts those (its counties' are on their rows, a problem following the firm), and its cell
    # opens exactly them — ``jurisdiction`` would list the whole city.
    place = at.place
    if place is not None:
        follow_ups = follow_ups.filter(target__jurisdiction=place)
    follow_ups = follow_ups.select_related("target__jurisdiction", "record", "problem", "recheck").order_by(
        "due_date", "pk")
    return render(request, "fieldwork/followup_list.html", {
        "place": place, "refused": refused,
        "page": _page(request, follow_ups), "query": _query(request), "state": state, "handling": handling,
        "handlings": Handling.choices, "jurisdictions": _jurisdictions(request.user), "today": today,
        "overdue_count": FollowUp.objects.visible_to(request.user).overdue(today).count()},
        status=404 if refused else 200)


@login_required
def followup_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _followup_page(request, _follow_up(request, pk))


def _follow_up(request: HttpRequest, pk: int) -> FollowUp:
    return get_object_or_404(FollowUp.objects.visible_to(request.user).select_related(
        "target__jurisdiction", "record", "problem", "recheck", "penalty", "closed_by", "closing_record"), pk=pk)


def _followup_page(request: HttpRequest, follow_up: FollowUp, *, refused: Exception | None = None,
                   bound: dict[str, Form] | None = None) -> HttpResponse:
    """The follow-up's page; after a refused step, again (400) with that step's form as typed: a penalty
    decision's number, amount and a long violation text came back empty, to be typed again."""
    user = request.user
    status = _answer_status(request, refused)
    can_act = follow_up.is_open and permissions.can_follow_up(user, follow_up)
    context = {
        "follow_up": follow_up, "evidence": follow_up.evidence.order_by("uploaded_at"), "can_act": can_act,
        # not only the team's or the admins': a department user of the scope enters the decision too
        "can_penalise": follow_up.is_open and permissions.can_penalise(user, follow_up),
        "case_form": CaseForm(initial={"case_number": follow_up.case_number,
                                       "case_filed_on": follow_up.case_filed_on}),
        "penalty_form": PenaltyDecisionForm(target=follow_up.target),
        "transfer_form": TransferForm(initial={"transfer_reference": follow_up.transfer_reference,
                                               "transferred_on": follow_up.transferred_on}),
        "close_form": CloseForm(), "evidence_form": EvidenceForm(), "today": timezone.localdate(),
        "history": history_for(follow_up)[:30],
        **(bound or {}),
    }
    return render(request, "fieldwork/followup_detail.html", context, status=status)


def _follow_up_action(request: HttpRequest, pk: int, action, *, name: str, form: Form) -> HttpResponse:
    """Run one step; refused, the page again with ``form`` (under ``name``) as typed and each problem at its
    field where the form has it."""
    follow_up = get_object_or_404(FollowUp.objects.visible_to(request.user), pk=pk)
    try:
        message = action(follow_up)
    except (ValidationError, PermissionDenied) as error:
        if isinstance(error, ValidationError) and hasattr(error, "error_dict") and form.is_bound:
            for field, problems in error.message_dict.items():
                if field in form.fields and field not in form.errors:
                    form.add_error(field, problems)
        return _followup_page(request, _follow_up(request, pk), refused=error, bound={name: form})
    messages.success(request, message)
    return redirect("fieldwork:followup_detail", pk=follow_up.pk)


def _valid(form) -> dict:
    """The form's data, or every problem named with its field ("处罚决定日期：该字段是必填项。")."""
    if not form.is_valid():
        raise ValidationError([problem for problems in _named_problems(form).values() for problem in problems])
    return form.cleaned_data


def _named_problems(form) -> dict[str, list[str]]:
    """The form's problems by field, each named with its field's label."""
    form.is_valid()
    # the colon of the interface's language: a full-width one read "Decision：This field is required." in English
    return {name: [f"{form.fields[name].label}{colon()}{error}" if name in form.fields else str(error)
                   for error in errors] for name, errors in form.errors.items()}


@login_required
@require_POST
def followup_case(request: HttpRequest, pk: int) -> HttpResponse:
    form = CaseForm(request.POST)

    def act(follow_up: FollowUp) -> str:
        data = _valid(form)
        services.do_register_case(follow_up, case_number=data["case_number"], filed_on=data["case_filed_on"],
                                  acting_user=request.user)
        return _("已登记立案")
    return _follow_up_action(request, pk, act, name="case_form", form=form)


@login_required
@require_POST
def followup_penalty(request: HttpRequest, pk: int) -> HttpResponse:
    # As 办结: shown again as typed if refused, the box 确认办结 unticked.
    data = request.POST.copy()
    data.pop("confirm", None)
    form = PenaltyDecisionForm(data, target=_follow_up(request, pk).target)

    def act(follow_up: FollowUp) -> str:
        if not confirmed(request):
            services.ensure_penalty_closable(follow_up, request.user)
            # Unconfirmed, nothing is recorded or closed; what is missing or wrong in the form is said at the same
            # time, so one more try can be the last.
            raise ValidationError({"confirm": _("办结后不能撤销：请核对后勾选“确认办结”"), **_named_problems(form)})
        data = _valid(form)
        services.do_record_penalty_decision(
            follow_up, decision_number=data["decision_number"], decided_on=data["decided_on"],
            department=data["department"], violation=data["violation"], amount=data["amount"],
            acting_user=request.user)
        return _("处罚决定已录入行政处罚库，问题已办结")
    return _follow_up_action(request, pk, act, name="penalty_form", form=form)


@login_required
@require_POST
def followup_transfer(request: HttpRequest, pk: int) -> HttpResponse:
    form = TransferForm(request.POST)

    def act(follow_up: FollowUp) -> str:
        data = _valid(form)
        services.do_record_transfer(follow_up, reference=data["transfer_reference"],
                                    transferred_on=data["transferred_on"], acting_user=request.user)
        return _("已登记移交/移送")
    return _follow_up_action(request, pk, act, name="transfer_form", form=form)


@login_required
@require_POST
def followup_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    # Refused (a file of a kind not taken, an empty one), the page again with the reason at the file box and the
    # caption as typed: it was said only above the page, after a redirect that dropped the caption.
    form = EvidenceForm(request.POST, request.FILES)

    def act(follow_up: FollowUp) -> str:
        data = _valid(form)
        services.do_add_evidence(follow_up, data["file"], caption=data["caption"], acting_user=request.user)
        return _("已上传佐证材料")
    return _follow_up_action(request, pk, act, name="evidence_form", form=form)


@login_required
@require_POST
def followup_close(request: HttpRequest, pk: int) -> HttpResponse:
    # Shown again as typed if refused (files cannot be: they are chosen again), but with 确认办结 unticked: a
    # refusal for something else closed nothing, and the next try is confirmed anew.
    data = request.POST.copy()
    data.pop("confirm", None)
    form = CloseForm(data)

    def act(follow_up: FollowUp) -> str:
        note = params.text(request.POST.get("note", ""), _("办结情况"))
        if not confirmed(request):
            services.ensure_closable(follow_up, request.user)
            # 办结 cannot be undone; unconfirmed (a phone without JavaScript, the box left unticked) nothing is
            # closed or stored. A missing note is said at the same time, so one more try can be the last.
            problems = {"confirm": _("办结后不能撤销：请核对后勾选“确认办结”")}
            if not note.strip():
                problems["note"] = _("请填写办结情况")
            raise ValidationError(problems)
        services.do_close_follow_up(follow_up, note=note, files=request.FILES.getlist("files"),
                                    acting_user=request.user)
        return _("问题已办结")
    return _follow_up_action(request, pk, act, name="close_form", form=form)


def overview(request: HttpRequest) -> HttpResponse:
    """The county's view: records waiting for review, follow-ups overdue and open, by county this year."""
    user = request.user
    today = timezone.localdate()
    records = InspectionRecord.objects.visible_to(user)
    follow_ups = FollowUp.objects.visible_to(user)
    year_start = date(today.year, 1, 1)
    sealed = records.sealed().filter(sealed_at__date__gte=year_start)
    by_county: dict[int, Counter] = {}
    names: dict[int, str] = {}
    codes: dict[int, str] = {}
    for row in (sealed.values("target__jurisdiction", "target__jurisdiction__name", "target__jurisdiction__code",
                              "mode")
                .annotate(n=Count("id", distinct=True),
                          problems=Count("id", filter=Q(items__outcome=Outcome.PROBLEM), distinct=True))):
        key = row["target__jurisdiction"]
        names[key] = row["target__jurisdiction__name"]
        codes[key] = row["target__jurisdiction__code"]
        counter = by_county.setdefault(key, Counter())
        counter["records"] += row["n"]
        counter["problems"] += row["problems"]
        counter[row["mode"]] += row["n"]
    for row in (follow_ups.open().values("target__jurisdiction", "target__jurisdiction__name",
                                         "target__jurisdiction__code")
                .annotate(open=Count("id"), overdue=Count("id", filter=Q(due_date__lt=today)))):
        key = row["target__jurisdiction"]
        names[key] = row["target__jurisdiction__name"]
        codes[key] = row["target__jurisdiction__code"]
        counter = by_county.setdefault(key, Counter())
        counter["open"] += row["open"]
        counter["overdue"] += row["overdue"]
    rows = []
    for key, counter in sorted(by_county.items(), key=lambda kv: codes[kv[0]]):
        share = counter["problems"] * 100 / counter["records"] if counter["records"] else 0
        rows.append({"id": key, "name": names[key], "share": share, **counter})
    # 待审核: the records the reader's bureau reviews (``permissions.reviewers``, counted as the workbench counts them,
    # ``reviewed_in_scope``) — a county's card counted the city's own plans' records of its firms, which the city
    # reviews, and its link opened them; the link opens exactly what the card and the list count (``owner_query``).
    awaiting = reviewed_in_scope(user, records.awaiting_review())
    # A department user reviews nothing (``permissions.can_review``: the admins of the bureau whose plan drew the
    # visit): the count is his bureau's, to read, and his card says so as his 本辖区逾期未办结问题 card does.
    awaiting_is_scope = _is_department_user(user)
    # 逾期未办结问题: those the reader sees through (``FollowUp.followed_up_by``: his firms' problems, whoever's plan
    # drew the visit), the number of the menu's badge and of his workbench's 逾期未办结的问题 — the list the card opens
    # holds exactly them. A department user sees none through: his card is his scope's, and says so.
    sees_through = sees_problems_through(user)
    overdue = (FollowUp.objects.followed_up_by(user) if sees_through else follow_ups).overdue(today)
    return render(request, "fieldwork/overview.html", {
        "awaiting_review": awaiting.count(), "awaiting_is_scope": awaiting_is_scope,
        "awaiting_url": f"{reverse('fieldwork:record_list')}?{urlencode({'state': 'pending', **owner_query(user)})}",
        "overdue": overdue.count(), "overdue_is_scope": not sees_through, "open": follow_ups.open().count(),
        # what the 审批 tab it links to lists: the clues and the plans' requests too, not only the records'
        "pending_approvals": _approval_queue(request)["count"],
        "open_rechecks": Recheck.objects.visible_to(user).filter(status=RecheckStatus.OPEN).count(),
        "rows": rows, "year": today.year,
        "recent": awaiting.select_related("target__jurisdiction").order_by("sealed_at", "pk")[:10],
    })
