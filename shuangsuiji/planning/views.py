"""Pages of planning: plans with their strata and the ceremony, the drawn tasks, and "my tasks".

Plain function views (Healthchecks style). Plans reach a page only through ``Plan.objects.visible_to``
(inspectors read none); tasks through ``visible_tasks``, which for an inspector is his own dispatched
tasks and nothing else — so nobody learns who inspects whom before the plan is dispatched, and outside
one's scope a plan or task does not exist (404). Every change goes through ``planning.services``.
"""

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from shuangsuiji import params
from shuangsuiji.accounts.models import Role
from shuangsuiji.audit.display import name_codes
from shuangsuiji.audit.services import history_for
from shuangsuiji.engine.workdays import CalendarUnknownError
from shuangsuiji.fieldwork.models import task_number
from shuangsuiji.intake.models import Clue
from shuangsuiji.planning import gather, overlaps, services
from shuangsuiji.planning.forms import (
    DecisionForm,
    FreezeForm,
    InspectorSubstitutionForm,
    JointContentsForm,
    PlanForm,
    PublicValueForm,
    ReasonForm,
    RequestedForm,
)
from shuangsuiji.planning.models import (
    KIND_FLAGS,
    DrawStatus,
    Plan,
    PlanKind,
    PlanLevel,
    PlanStatus,
    PlanStratum,
    RedrawRequest,
    RedrawState,
    ShortfallState,
    Stratum,
    Substitution,
    Task,
    TaskMember,
    TaskPlan,
    TaskStatus,
    drawn_by,
    past_due,
    quarter_text,
    team_places,
)
from shuangsuiji.planning.permissions import (
    can_approve,
    can_edit,
    can_enter_cross_check,
    can_run,
    of_department,
    reads_plans,
    shown_draws,
    shown_kind,
    shown_places,
    visible_plans,
    visible_tasks,
)
from shuangsuiji.punctuation import bracketed, colon, join_sep
from shuangsuiji.registry.models import Jurisdiction
from shuangsuiji.registry.places import place_filter
from shuangsuiji.registry.search import by_target
from shuangsuiji.registry.views import CappedPaginator
from shuangsuiji.textsearch import every_word

PER_PAGE = 50


TASK_ORDER = ("-year", "-quarter", "target__jurisdiction__path", "target__name", "pk")
"""The task list's order: the newest quarter first, then the jurisdictions as their tree (a province's cities, each
city's counties), each one's units by name, and last the task number (RW2026Q4-000123, the pk): a unit visited by
two plans in a quarter (a county's and the city's) has two tasks with the same keys, and without the number the
database may give them in either order on each page, so that paging repeated one and skipped the other. By plan is
no order: a visit counted for two plans would be listed twice."""


def _page(request: HttpRequest, queryset):
    # Capped: an exact count of a national year's tasks (~665,000) read them all for every page (bench/README.md)
    return CappedPaginator(queryset, PER_PAGE).get_page(request.GET.get("page"))


def _query(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _periods(queryset: QuerySet) -> list[tuple[str, str]]:
    pairs = queryset.order_by().values_list("year", "quarter").distinct()
    return [(f"{y}-{q}", quarter_text(y, q)) for y, q in sorted(set(pairs), reverse=True)]


def _task_periods(user) -> list[tuple[str, str]]:
    """The quarters of the tasks ``user`` sees, read from his plans that have tasks (a few thousand rows a year),
    not from the tasks (~665,000 a national year): a task is of its plan's quarter, its target in the plan's
    area, and ``visible_tasks`` are the tasks of the plans he reads."""
    return _periods(visible_plans(user).filter(Exists(TaskPlan.objects.filter(plan=OuterRef("pk")))))


def _filter_period(request: HttpRequest, queryset: QuerySet) -> QuerySet:
    year, _sep, quarter = request.GET.get("period", "").partition("-")
    if params.year(year) is not None and quarter in ("1", "2", "3", "4"):
        return queryset.filter(year=int(year), quarter=int(quarter))
    return queryset


def _scope_choices(user) -> QuerySet:
    if user.jurisdiction_id is None:
        return Jurisdiction.objects.filter(level__in=["city", "county"]) if user.is_superuser else \
            Jurisdiction.objects.none()
    return Jurisdiction.objects.filter(path__startswith=user.jurisdiction.path, level__in=["city", "county"])


def _fail(request: HttpRequest, error: Exception) -> None:
    if isinstance(error, ValidationError):
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.error(request, str(error) or _("无权进行此操作"))


def _refused_outright(request: HttpRequest, plan: Plan, error: Exception) -> HttpResponse | None:
    """A refusal not about a field typed (no right, or the plan's state: frozen in another tab, say): nothing on the
    form to put right, so it is said at the top of the plan's page in its present state rather than over a stale
    form. None for a refusal with fields, which the caller puts under them."""
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        return None
    _fail(request, error)
    return redirect(plan)


# --- plans -------------------------------------------------------------------------------------------------


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    if not reads_plans(request.user):
        return redirect("planning:my_tasks")
    base = visible_plans(request.user)
    # a place outside his area refused in words, nothing listed (registry/places.py)
    chosen = place_filter(request, refusal=_("%(name)s不在您的管辖范围内，不能列出它的计划"))
    plans = chosen.narrow(_filter_period(request, base), "jurisdiction")
    # level: the city's own plans without its counties' (the jurisdiction filter takes the whole subtree)
    for key, choices in (("kind", PlanKind.values), ("status", PlanStatus.values), ("level", PlanLevel.values)):
        if request.GET.get(key) in choices:
            plans = plans.filter(**{key: request.GET[key]})
    if request.GET.get("shortfall") == "1":
        plans = plans.filter(strata__shortfall_state__in=[ShortfallState.PENDING, ShortfallState.APPROVED,
                                                         ShortfallState.REJECTED]).distinct()
    plans = (plans.with_task_count().select_related("jurisdiction", "department")
             .prefetch_related(Prefetch("strata", queryset=PlanStratum.objects.order_by("id")))
             .order_by("-year", "-quarter", "jurisdiction__path", "-kind", "pk"))
    return render(request, "planning/plan_list.html", {
        "page": _page(request, plans), "query": _query(request), "periods": _periods(base),
        "jurisdictions": _scope_choices(request.user), "kinds": PlanKind.choices, "statuses": PlanStatus.choices,
        "can_create": request.user.is_superuser or request.user.is_admin_role or request.user.role == Role.DEPARTMENT,
        "can_enter_cross_check": can_enter_cross_check(request.user), "refused": chosen.refused,
    }, status=chosen.status)


def _create_initial(request: HttpRequest) -> dict:
    """What a link to the form names (the home page's "编制下季度计划"): only prefills, the form still checks."""
    initial = {}
    for key in ("jurisdiction", "year", "quarter"):
        value = params.number(request.GET.get(key))
        if value is not None:
            initial[key] = value
    if request.GET.get("kind") in PlanKind.values:
        initial["kind"] = request.GET["kind"]
    return initial


@login_required
def plan_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not (user.is_superuser or user.is_admin_role or user.role == Role.DEPARTMENT):
        raise PermissionDenied(_("只有管理员和科室用户可以编制抽查计划"))
    form = PlanForm(request.POST or None, user=user, initial=_create_initial(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        joint = data["kind"] == PlanKind.JOINT
        try:
            plan = services.do_create_plan(
                jurisdiction=data["jurisdiction"], year=data["year"], quarter=data["quarter"], acting_user=user,
                kind=data["kind"], department=data["department"] if joint else None,
                check_items=list(data["check_items"]) or None,
                departments=(list(data["departments"]) or None) if joint else None,
                require_specialties=data["require_specialties"], max_load=data["max_load"])
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, problems in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, problems)
            else:
                form.add_error(None, error.messages)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("已编制%(plan)s") % {"plan": plan})
            return redirect(plan)
    return render(request, "planning/plan_form.html", {"form": form})


def _plan_for(request: HttpRequest, pk: int) -> Plan:
    return get_object_or_404(visible_plans(request.user).select_related("jurisdiction", "department"), pk=pk)


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "planning/plan_detail.html", _detail_context(request, _plan_for(request, pk)))


def _detail_context(request: HttpRequest, plan: Plan, *, public_form: PublicValueForm | None = None,
                    freeze_form: FreezeForm | None = None, typed=None,
                    problems: dict[str, list[str]] | None = None, joint_form: JointContentsForm | None = None) -> dict:
    """``typed`` and ``problems``: the numbers and reasons as posted and what was wrong with them, by stratum,
    when they were refused; the rows show them instead of what is stored. ``public_form``, ``freeze_form`` and
    ``joint_form``: a form as posted and refused, shown instead of a blank one."""
    user = request.user
    strata = list(plan.strata.order_by("id"))
    for row in strata:
        row.shown_requested = typed.get(f"requested_{row.stratum}", row.requested) if typed else row.requested
        row.shown_reason = typed.get(f"reason_{row.stratum}", "") if typed else row.shortfall_reason
        row.problems = (problems or {}).get(row.stratum, [])
    draw = plan.current_draw
    joint_total = None
    if plan.kind == PlanKind.REGULAR:
        joint_total = sum(PlanStratum.objects.filter(
            stratum=Stratum.JOINT, plan__kind=PlanKind.JOINT, plan__jurisdiction=plan.jurisdiction,
            plan__year=plan.year, plan__quarter=plan.quarter).values_list("requested", flat=True))
    # A merged task's selection (并入) is the draw's one selection of the firm, now on the visit it joined: its
    # inactive row on the withdrawn task is not listed again, so the draw's list stays what was drawn.
    selections = (TaskPlan.objects.filter(plan=plan, draw=draw).exclude(active=False, task__merged_into__isnull=False)
                  .select_related("task__target__jurisdiction")
                  .prefetch_related(Prefetch("task__members", queryset=TaskMember.objects.filter(
                      shown_places(user), active=True).select_related("inspector__department").order_by(
                      "draw_id", "slot"), to_attr="team"))
                  .order_by("-active", "stratum", "rank")) if draw is not None and draw.manifest else \
        TaskPlan.objects.none()
    result = ((draw.manifest or {}).get("assignment") or {}).get("result") or {} if draw else {}
    editable = plan.status == PlanStatus.DRAFT and can_edit(user, plan)
    context = {
        "plan": plan, "strata": strata, "draw": draw, "joint_total": joint_total,
        # the key row, the joint row and the joint quota's base count key units three ways: the page says why
        "key_counts_note": {Stratum.KEY, Stratum.JOINT} <= {row.stratum for row in strata},
        "joint_plans": Plan.objects.filter(kind=PlanKind.JOINT, jurisdiction=plan.jurisdiction, year=plan.year,
                                           quarter=plan.quarter).select_related("department"),
        "regular_plan": Plan.objects.filter(kind=PlanKind.REGULAR, jurisdiction=plan.jurisdiction, year=plan.year,
                                            quarter=plan.quarter).first() if plan.is_joint else None,
        "selections": _page(request, selections), "query": _query(request),
        "bindings": result.get("bindings", []), "load_cap": result.get("load_cap"),
        "superseded": plan.draws.filter(status=DrawStatus.SUPERSEDED).order_by("number"),
        "redraws": plan.redraw_requests.select_related("requested_by", "decided_by", "draw"),
        "pending_redraw": plan.redraw_requests.filter(state=RedrawState.PENDING).first(),
        # 实施方案 二(四): a draw whose visits have submitted records is not drawn again; said before anyone asks
        "sealed_visits": services.sealed_visits_of(draw).count()
        if draw is not None and draw.status == DrawStatus.DRAWN and plan.revealed_at is None else 0,
        "items": plan.check_items.select_related("responsible_department", "specialty").order_by("code"),
        "departments": plan.departments.order_by("name"),
        "can_run": can_run(user, plan), "can_edit": editable, "can_approve": can_approve(user, plan),
        "can_withdraw": services.can_withdraw_draft(user, plan),
        # a department user reads the plan, not every clue (intake.models.ClueQuerySet): no link to a 404
        "clue_visible": (clue_visible := plan.clue_id is not None
                         and Clue.objects.visible_to(user).filter(pk=plan.clue_id).exists()),
        # the opening's event of a check opened before the rule quoted the clue's text as its reason: kept from those
        # who may not read the clue (audit.labels: plan.open_clue_check's reason is private)
        "history_hidden": frozenset() if clue_visible or plan.clue_id is None else frozenset({"reason"}),
        "requested_form": RequestedForm(strata=[s for s in strata if s.drawn]) if editable else None,
        # a draft joint plan's items and departments, corrected by its department until the freeze
        "joint_form": joint_form or (JointContentsForm(plan=plan) if services.can_correct_joint(user, plan) else None),
        "public_form": public_form or PublicValueForm(), "reason_form": ReasonForm(), "decision_form": DecisionForm(),
        # a substitution's inspectors and firms by name too, as far as this reader's scope reads them
        "history": name_codes(history_for(plan)[:50], user),
        # its draws' substitutions: their events are the tasks' (``do_substitute_*``), so the history above lacks them
        "substitutions": Substitution.objects.filter(draw__plan=plan).select_related(
            "task__target", "old_inspector", "new_inspector", "new_task__target", "acted_by",
        ).order_by("acted_at", "pk"),
        "steps": _steps(plan, draw),
        "plan_deadline": services.plan_deadline(plan),
        # read live: a draft's stored warnings date from its making, and the run may have been replaced since
        "premature_classification": services.premature_problem(plan.jurisdiction, plan.year, plan.quarter)
        if plan.status == PlanStatus.DRAFT and not plan.targets_given else None,
        **_draw_days(plan, draw, timezone.localdate()),
    }
    if can_run(user, plan) and plan.status == PlanStatus.DISPATCHED and plan.revealed_at is None:
        context.update(_reveal_waits(plan, timezone.localdate()))
    if freeze_form is not None and "freeze_form" in context:
        context["freeze_form"] = freeze_form
    return context


def _draw_days(plan: Plan, draw, today: date) -> dict:
    """What the ceremony says about days before the draw: the draw window, the freeze form's announced date
    (the window's first day when it is still ahead, else today), a warning while it can still be heeded,
    and the announced day a draw waits for. The service refuses what the page does not offer."""
    unknown_year = None
    try:
        # A clue check has no draw window: it is drawn the day its clue calls for it (实施方案 二(三) "立即"); nor
        # has a cross-department check, drawn when the initiating department's targets arrive.
        window = () if plan.targets_given else services.draw_window(plan)
    except CalendarUnknownError as error:
        window = ()
        unknown_year = error.year
    opens = services.freeze_opens(plan)
    days: dict = {"draw_window": window, "quarter_over": gather.quarter_end(plan.year, plan.quarter) < today,
                  "freeze_opens": opens if today < opens else None,
                  "window_notice": "", "notice_on_announced": False, "draw_waits_until": None,
                  # until the draw, the page says which year's holidays the window waits for, and links there
                  "calendar_years": [unknown_year] if unknown_year and not plan.reached(PlanStatus.DRAWN) else []}
    if plan.status == PlanStatus.DRAFT:
        # With the window unknown (its year's holidays not entered) no day is proposed: today was, months
        # before the window, and one click announced a draw far too early.
        proposed = (window[0] if today < window[0] else today) if window else (today if plan.targets_given else None)
        days["freeze_form"] = FreezeForm(today=today, initial={"draw_date": proposed})
        if not days["quarter_over"] and not days["freeze_opens"] and proposed in (today, None):
            days["window_notice"] = services.window_warning(plan, today)
    elif plan.status in (PlanStatus.FROZEN, PlanStatus.COMMITTED, PlanStatus.PUBLIC) and draw is not None:
        announced = draw.announced_date or today
        days["window_notice"] = services.window_warning(plan, max(announced, today))
        days["notice_on_announced"] = today <= announced
        if plan.status == PlanStatus.PUBLIC and today < announced:
            days["draw_waits_until"] = announced
    return days


def _reveal_waits(plan: Plan, today: date) -> dict:
    """While tasks are still to be visited in the quarter, the secret would name them (do_reveal refuses):
    the page says so, and from when it may be revealed, instead of a button that can only be refused."""
    end = gather.quarter_end(plan.year, plan.quarter)
    open_tasks = services.uninspected_tasks(plan) if today <= end else 0
    return {"reveal_open_tasks": open_tasks, "reveal_opens": end + timedelta(days=1) if open_tasks else None}


def _steps(plan: Plan, draw) -> list[dict]:
    """The ceremony as the page shows it: each step, whether done, by whom and when."""
    def step(key: str, title: str, done: bool, who=None, when=None) -> dict:
        return {"key": key, "title": title, "done": done, "who": who, "when": when}

    return [
        step("freeze", _("审定并冻结输入"), plan.reached(PlanStatus.FROZEN) and draw is not None,
             draw and draw.frozen_by, draw and draw.frozen_at),
        step("commit", _("承诺密钥"), plan.reached(PlanStatus.COMMITTED) and draw is not None,
             draw and draw.committed_by, draw and draw.committed_at),
        step("public", _("录入公开随机数"), plan.reached(PlanStatus.PUBLIC) and draw is not None,
             draw and draw.public_recorded_by, draw and draw.public_recorded_at),
        step("draw", _("抽取"), plan.reached(PlanStatus.DRAWN) and draw is not None, draw and draw.drawn_by,
             draw and draw.drawn_at),
        step("dispatch", _("派发"), plan.reached(PlanStatus.DISPATCHED), plan.dispatched_by, plan.dispatched_at),
        step("reveal", _("公开密钥"), plan.revealed_at is not None, plan.revealed_by, plan.revealed_at),
    ]


def _act(request: HttpRequest, pk: int, action) -> HttpResponse:
    """Run a ceremony step posted from the plan page and come back to it with the outcome."""
    plan = _plan_for(request, pk)
    try:
        message = action(plan)
    except (ValidationError, PermissionDenied) as error:
        _fail(request, error)
    else:
        if message:
            messages.success(request, message)
    return redirect(plan)


@login_required
@require_POST
def plan_requested(request: HttpRequest, pk: int) -> HttpResponse:
    """The numbers asked for. Refused ones come back as typed, each problem under its stratum's row: a county
    admin who wrote a reason for asking less should not have to write it again because another row was off."""
    plan = _plan_for(request, pk)
    form = RequestedForm(request.POST, strata=list(plan.strata.filter(drawn=True).order_by("id")))
    problems: dict[str, list[str]] = {}
    try:
        if form.is_valid():
            requested, reasons = form.values()
            services.do_set_requested(plan, requested, reasons=reasons, acting_user=request.user)
        else:
            for name, errors in form.errors.items():
                stratum = name.partition("_")[2]  # requested_<stratum>, reason_<stratum>
                problems.setdefault(stratum, []).extend(f"{form.fields[name].label}{colon()}{e}" for e in errors)
            # the rows typed as numbers are judged too: one save says every row's problem, not one at a time
            for row in form.strata:
                value = form.cleaned_data.get(f"requested_{row.stratum}")
                if row.stratum not in problems and value is not None:
                    problem = services.requested_problem(row, value, form.cleaned_data.get(f"reason_{row.stratum}"))
                    if problem:
                        problems[row.stratum] = [problem]
    except (PermissionDenied, ValidationError) as error:
        if (refused := _refused_outright(request, plan, error)) is not None:
            return refused
        for stratum, found in error.message_dict.items():
            problems.setdefault(stratum, []).extend(found)
    if problems:
        messages.error(request, _("计划抽查数未保存，请更正“各类别抽查数”中标红的内容"))
        context = _detail_context(request, plan, typed=request.POST, problems=problems)
        return render(request, "planning/plan_detail.html", context, status=400)
    messages.success(request, _("已保存计划抽查数"))
    return redirect(plan)


@login_required
@require_POST
def plan_correct_joint(request: HttpRequest, pk: int) -> HttpResponse:
    """A draft joint plan's items and departments corrected. Refused choices come back ticked as posted, each problem
    under its field; a plan no longer open to correction (frozen in another tab, say) says why at the top."""
    plan = _plan_for(request, pk)
    refusal = services.correct_joint_refusal(request.user, plan)
    if refusal is not None:
        _fail(request, refusal)
        return redirect(plan)
    form = JointContentsForm(request.POST, plan=plan)
    changes = {}
    if form.is_valid():
        try:
            changes = services.do_correct_joint(plan, check_items=form.cleaned_data["check_items"],
                                                departments=form.cleaned_data["departments"],
                                                acting_user=request.user)
        except (PermissionDenied, ValidationError) as error:
            if (refused := _refused_outright(request, plan, error)) is not None:
                return refused
            for field, found in error.message_dict.items():
                form.add_error(field if field in form.fields else None, found)
    if form.errors:
        messages.error(request, _("抽查事项和参加科室未保存，请更正“计划内容”中标红的内容"))
        return render(request, "planning/plan_detail.html", _detail_context(request, plan, joint_form=form),
                      status=400)
    messages.success(request, _("已保存抽查事项和参加科室") if changes else _("抽查事项和参加科室没有改动"))
    return redirect(plan)


@login_required
@require_POST
def plan_shortfall(request: HttpRequest, pk: int, stratum_pk: int) -> HttpResponse:
    def decide(plan: Plan) -> str:
        row = get_object_or_404(plan.strata, pk=stratum_pk)
        form = DecisionForm(request.POST)
        if not form.is_valid():
            raise ValidationError(_("请选择批准或不批准"))
        services.do_approve_shortfall(row, approve=form.cleaned_data["approve"],
                                      decision=form.cleaned_data["decision"], acting_user=request.user)
        return _("已审批少抽申请")

    return _act(request, pk, decide)


@login_required
@require_POST
def plan_freeze(request: HttpRequest, pk: int) -> HttpResponse:
    """Step 1. A refusal comes back with the date as typed and the reason under it, as step 3 does: a
    redirect put the proposed day back in the box, and a clerk who had typed the announced day (and not read
    the message at the top) froze on a day nobody announced."""
    plan = _plan_for(request, pk)
    today = timezone.localdate()
    form = FreezeForm(request.POST, today=today)
    try:
        if form.is_valid():
            services.do_approve_and_freeze(plan, acting_user=request.user, draw_date=form.cleaned_data["draw_date"])
    except PermissionDenied as error:
        _fail(request, error)
        return redirect(plan)
    except ValidationError as error:
        form.add_error(None, error.messages)
    if not form.errors:
        messages.success(request, _("已审定并冻结。输入哈希见“抽取过程”，请立即公布"))
        return redirect(plan)
    plan.refresh_from_db()
    context = _detail_context(request, plan, freeze_form=form)
    if "freeze_form" not in context or context["quarter_over"] or context["freeze_opens"]:
        # The page offers no freeze form now (frozen in another tab, the quarter over, not yet open): the
        # reason goes at the top of the page, which says the plan's present state.
        _fail(request, ValidationError(list(form.non_field_errors()) or _("请填写有效的抽取日期")))
        return redirect(plan)
    messages.error(request, _("未审定并冻结，请看“审定并冻结输入”一步中标红的说明"))
    return render(request, "planning/plan_detail.html", context, status=400)


@login_required
@require_POST
def plan_commit(request: HttpRequest, pk: int) -> HttpResponse:
    def commit(plan: Plan) -> str:
        services.do_commit_secret(plan, acting_user=request.user)
        return _("已承诺密钥。密钥承诺值见“抽取过程”，请立即公布")

    return _act(request, pk, commit)


@login_required
@require_POST
def plan_public(request: HttpRequest, pk: int) -> HttpResponse:
    """Step 3. A value refused comes back in the form as typed, each problem under its field: at a draw
    with witnesses watching, nobody should have to pick the source and type the numbers again."""
    plan = _plan_for(request, pk)
    form = PublicValueForm(request.POST)
    try:
        if form.is_valid():
            data = form.cleaned_data
            services.do_record_public_value(
                plan, source=data["source"], value=data["value"], witnesses=form.witness_names(),
                lottery_name=data["lottery_name"], lottery_date=data["lottery_date"],
                drand_round=data["drand_round"], acting_user=request.user)
        else:
            # The fields the form accepted are checked too, so that a blank value and a missing witness are
            # said together rather than one after the other.
            data = form.cleaned_data
            witnesses = form.witness_names() if "witnesses" in data else ()
            services.public_value(
                data.get("source") or "", value=data.get("value") or "", witnesses=witnesses,
                lottery_name=data.get("lottery_name") or "", lottery_date=data.get("lottery_date"),
                drand_round=data.get("drand_round"))
    except PermissionDenied as error:
        _fail(request, error)
        return redirect(plan)
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for field, problems in error.message_dict.items():
                if field in form.fields and field in form.errors:
                    continue  # the form's own word on that field stands (e.g. a blank value is "required")
                form.add_error(field if field in form.fields else None, problems)
        else:
            form.add_error(None, error.messages)
    if form.errors:
        messages.error(request, _("公开随机数未录入，请更正“录入公开随机数”中标红的内容"))
        return render(request, "planning/plan_detail.html", _detail_context(request, plan, public_form=form),
                      status=400)
    messages.success(request, _("已录入公开随机数"))
    return redirect(plan)


@login_required
@require_POST
def plan_draw(request: HttpRequest, pk: int) -> HttpResponse:
    def draw(plan: Plan) -> str:
        done = services.do_draw(plan, acting_user=request.user)  # the page shows its window warning
        drawn = done.selections.filter(active=True).count()
        return ngettext("已抽取：先抽检查对象，再抽执法人员，共 %(n)s 项任务",
                        "已抽取：先抽检查对象，再抽执法人员，共 %(n)s 项任务", drawn) % {"n": drawn}

    return _act(request, pk, draw)


@login_required
@require_POST
def plan_dispatch(request: HttpRequest, pk: int) -> HttpResponse:
    def dispatch(plan: Plan) -> str:
        facts = services.do_dispatch(plan, acting_user=request.user)
        return dispatched_message(facts["tasks"], facts.get("already_dispatched", 0))

    return _act(request, pk, dispatch)


def dispatched_message(tasks: int, shared: int = 0) -> str:
    """What 派发 tells the admin: how many tasks went out and, when some targets were also drawn by another plan
    whose dispatch took their tasks, how many. Each number takes its own plural (the English said "Dispatched 1
    tasks"), so the remark about the others is a message of its own, set inside the first."""
    # named as the inspector's menu names it: he has no "我的任务", his tasks are under 现场检查
    if not shared:
        return ngettext("已派发 %(n)s 项任务，执法人员现在可以在“现场检查”中看到各自的任务",
                        "已派发 %(n)s 项任务，执法人员现在可以在“现场检查”中看到各自的任务", tasks) % {"n": tasks}
    others = ngettext("另有 %(shared)s 项检查对象同时被其他计划抽中，其任务已随该计划派发",
                      "另有 %(shared)s 项检查对象同时被其他计划抽中，其任务已随该计划派发", shared) % {"shared": shared}
    return ngettext("已派发 %(n)s 项任务%(others)s，执法人员现在可以在“现场检查”中看到各自的任务",
                    "已派发 %(n)s 项任务%(others)s，执法人员现在可以在“现场检查”中看到各自的任务",
                    tasks) % {"n": tasks, "others": bracketed(others)}


@login_required
@require_POST
def plan_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    def reveal(plan: Plan) -> str:
        services.do_reveal(plan, acting_user=request.user)
        return _("密钥已公开，完整的抽取清单可以下载复核")

    return _act(request, pk, reveal)


@login_required
@require_POST
def plan_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """Withdraw a draft 线索核查 or 跨部门联合抽查: gone, back to the plan list; refused, back to the plan."""
    plan = _plan_for(request, pk)
    try:
        facts = services.do_withdraw_draft(plan, reason=request.POST.get("reason", ""), acting_user=request.user)
    except (ValidationError, PermissionDenied) as error:
        _fail(request, error)
        gone = isinstance(error, ValidationError) and getattr(error, "code", None) == "done"
        return redirect("planning:plan_list" if gone else plan)  # withdrawn by another admin meanwhile
    messages.success(request, _("已撤销“%(title)s”（草稿，未公开）；撤销记录保留在变更记录中") % {
        "title": facts["title"]})
    return redirect("planning:plan_list")


@login_required
@require_POST
def plan_redraw_request(request: HttpRequest, pk: int) -> HttpResponse:
    def ask(plan: Plan) -> str:
        form = ReasonForm(request.POST)
        if not form.is_valid():
            raise ValidationError(_("请填写重新抽取的理由"))
        services.do_request_redraw(plan, reason=form.cleaned_data["reason"], acting_user=request.user)
        return _("已提交重新抽取申请，待市局审批")

    return _act(request, pk, ask)


@login_required
@require_POST
def plan_redraw_decide(request: HttpRequest, pk: int, request_pk: int) -> HttpResponse:
    def decide(plan: Plan) -> str:
        redraw = get_object_or_404(RedrawRequest, pk=request_pk, plan=plan)
        form = DecisionForm(request.POST)
        if not form.is_valid():
            raise ValidationError(_("请选择批准或不批准"))
        services.do_approve_redraw(redraw, approve=form.cleaned_data["approve"],
                                   decision=form.cleaned_data["decision"], acting_user=request.user)
        return _("已批准重新抽取：原抽取保留并标记作废，计划回到编制状态") if form.cleaned_data["approve"] \
            else _("已驳回重新抽取申请")

    return _act(request, pk, decide)


@login_required
def plan_manifest(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    plan = _plan_for(request, pk)
    draw = get_object_or_404(plan.draws, number=number, manifest__isnull=False)
    text, complete = services.published_manifest(draw)
    name = f"manifest-{plan.jurisdiction.code}-{plan.year}Q{plan.quarter}-{plan.pk}-{number}" \
           f"{'' if complete else '-sealed'}.json"
    response = HttpResponse(text, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- tasks -------------------------------------------------------------------------------------------------


@login_required
def task_list(request: HttpRequest) -> HttpResponse:
    if request.user.role == Role.INSPECTOR and not request.user.is_superuser:
        return redirect("planning:my_tasks")
    base = visible_tasks(request.user)
    # a place outside his area refused in words, nothing listed (registry/places.py)
    chosen = place_filter(request, refusal=_("%(name)s不在您的管辖范围内，不能列出它的任务"))
    tasks = chosen.narrow(_filter_period(request, base), "target__jurisdiction")
    if request.GET.get("joint") == "1":
        # as the rows are badged: a merged visit's joint plan not dispatched yet only for that plan's readers
        tasks = tasks.filter(shown_kind(request.user, "is_joint"))
    if request.GET.get("my_department") == "1":
        # the joint plans his department initiates or takes part in (the workbench's 本科室发起 / 本科室参加)
        tasks = of_department(tasks, request.user)
    if request.GET.get("overdue") == "1":
        tasks = past_due(tasks, timezone.localdate())
    if request.GET.get("overlap") == "1":
        # 同一单位多项任务: open tasks whose unit has another open task of the viewer's scope this quarter
        tasks = overlaps.overlapping(tasks, base)
    # 抽取单位: the tasks a bureau's own plans drew (a city plan's task in a county is the city's); the workbench's
    # overdue column and the 完成情况 page count tasks so, and their counts open exactly this list. A bureau
    # outside the reader's area, or no place at all, is refused in words as ``?jurisdiction=`` is: it listed
    # nothing without saying why.
    owner = place_filter(request, "drawn_by", refusal=_("%(name)s不在您的管辖范围内，不能列出它抽取的任务"))
    if owner.refused:
        tasks = tasks.none()
    elif owner.place is not None:
        tasks = drawn_by(tasks, owner.place.pk)
    refused = chosen.refused or owner.refused
    text = request.GET.get("q", "").strip()
    if text:
        # each word the target's name or credit code, from the registry's indexes
        tasks = tasks.filter(every_word(text, by_target))
    # Progress of what the filters chose, whatever the status filter then shows.
    # COUNT(*), not COUNT(DISTINCT id): ``visible_tasks`` is a semi-join and no filter here joins a many-valued
    # relation, so no task is counted twice; the DISTINCT sorted every task of the scope.
    counts = dict(tasks.order_by().values_list("status").annotate(n=Count("*")))
    if request.GET.get("status") in TaskStatus.values:
        tasks = tasks.filter(status=request.GET["status"])
    tasks = (overlaps.with_overlap(tasks, base).select_related("target__jurisdiction")
             .prefetch_related(Prefetch("members", queryset=TaskMember.objects.filter(
                                            shown_places(request.user), active=True)
                                        .select_related("inspector").order_by("draw_id", "slot"), to_attr="team"),
                               # the plans as the reader is shown them (``shown_draws``): not another plan's draw
                               # not dispatched yet that he does not read
                               Prefetch("selections", queryset=TaskPlan.objects.filter(shown_draws(request.user),
                                                                                       active=True)
                                        .select_related("plan__jurisdiction", "plan__department"), to_attr="live"),
                               "records__review", "records__amendment__review", "records__amends__review")
             .order_by(*TASK_ORDER))
    page = _page(request, tasks)
    # One unit, one visit: each marked row names the unit's other open tasks the reader may see, with their plans
    # and teams (three queries for the page, none when no row is marked)
    others = overlaps.others_by_task(page.object_list, base, viewer=request.user)
    for task in page.object_list:
        task.kinds = task.kinds_shown(task.live)  # the badges of the plans shown to the reader
        task.other_visits = others[task.pk]
        task.people = list(dict.fromkeys(member.inspector for member in task.team))  # once, if two draws chose him
        # Progress in the field: the newest record of the task (an amendment comes after what it corrects).
        records = sorted(task.records.all(), key=lambda r: (r.created_at, r.pk))
        task.progress = records[-1] if records else None
    # 填写中 is said to everyone; it links only where the record's gate lets the reader open it (a leader reads
    # submitted records only: a draft is the team's work in progress).
    from shuangsuiji.fieldwork.models import InspectionRecord

    progress = [task.progress.pk for task in page.object_list if task.progress is not None]
    readable = set(InspectionRecord.objects.visible_to(request.user).filter(pk__in=progress)
                   .values_list("pk", flat=True)) if progress else set()
    for task in page.object_list:
        task.progress_readable = task.progress is not None and task.progress.pk in readable
    return render(request, "planning/task_list.html", {
        "page": page, "query": _query(request), "periods": _task_periods(request.user), "today": timezone.localdate(),
        "jurisdictions": _scope_choices(request.user), "statuses": TaskStatus.choices, "counts": counts,
        "department": request.user.department, "refused": refused,
    }, status=404 if refused else 200)


@login_required
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_object_or_404(visible_tasks(request.user).select_related("target__jurisdiction"), pk=pk)
    user = request.user
    inspector_view = user.role == Role.INSPECTOR and not user.is_superuser
    members = task.members.filter(shown_places(user)).select_related("inspector__department", "draw__plan").order_by(
        "draw_id", "slot", "-active")
    if inspector_view:
        # An inspector sees the team he belongs to (his partners), not the teams of other plans' draws.
        own_draws = task.members.filter(inspector_id=user.inspector_id, active=True).values("draw_id")
        members = members.filter(draw_id__in=own_draws, active=True)
    # A visit that counts for two plans (a county's and a joint one, or the city's) has a team from each draw;
    # a person drawn by both is one member of the visit: one row, with his place in each draw.
    team: dict[int, list[TaskMember]] = {}
    for member in members:
        team.setdefault(member.inspector_id, []).append(member)
    # After the visit the record says who went: a person drawn (by a plan drawn after the visit, say) who did
    # not sign it is marked, and nobody is substituted any more.
    inspected = task.records.filter(sealed_at__isnull=False).order_by("sealed_at").first()
    signed = set(inspected.signatures.values_list("inspector_id", flat=True)) if inspected else set()
    rows = [{"inspector": places[0].inspector, "places": places, "active": any(p.active for p in places),
             "absent": inspected is not None and places[0].inspector_id not in signed}
            for places in team.values()]
    # The plans the visit counts for, and what was substituted on it, as the reader is shown them (``shown_draws``): a
    # merged visit's other plan, drawn and not dispatched, is not named — nor whom it replaced — to whoever does not
    # read it, as its officers are not (``shown_places``).
    selections = list(task.selections.select_related("plan__jurisdiction", "plan__department", "draw").order_by("pk"))
    shown = set(task.selections.filter(shown_draws(user)).values_list("pk", flat=True))
    unshown = {(s.plan.jurisdiction_id, s.draw.number) for s in selections if s.pk not in shown}
    selections = [s for s in selections if s.pk in shown]
    runnable = [s.plan for s in selections if s.active and can_run(user, s.plan)
                and s.plan.status in (PlanStatus.DRAWN, PlanStatus.DISPATCHED)]
    history = [] if inspector_view else name_codes(_task_history(task, unshown)[:30], user)
    # One unit, one visit: the unit's other open tasks this quarter that the viewer may open (overlaps)
    others = overlaps.other_visits(task, visible_tasks(user), viewer=user)
    return render(request, "planning/task_detail.html", {
        **_merge_context(user, task, others, inspector_view),
        "task": task, "team": rows, "selections": selections,
        # its badges: an officer's are the plans told of his visit (its flags), another reader's the plans shown to him
        "kinds": {flag: getattr(task, flag) for flag in KIND_FLAGS.values()} if inspector_view
        else task.kinds_shown(selections),
        # the items and departments of the plans named (``shown_draws``), not another plan's drawn and not dispatched
        "items": task.check_items(shown_draws(user)), "departments": task.departments(shown_draws(user)),
        "inspector_view": inspector_view,
        "substitutions": [] if inspector_view else task.substitutions.filter(shown_draws(user)).select_related(
            "old_inspector", "new_inspector", "new_task__target", "acted_by", "draw__plan"),
        "can_substitute": bool(runnable) and task.status != TaskStatus.WITHDRAWN and inspected is None,
        "inspected": inspected, "other_visits": others,
        "reason_form": ReasonForm(), "history": history,
    })


def _merge_context(user, task: Task, others: list[Task], inspector_view: bool) -> dict:
    """并入 on the task page: the task it was merged into, the tasks merged into it (those the reader may open), and
    for whoever runs every plan of the task (``services.can_merge``) the unit's other open tasks of the quarter it
    may be merged into — those the service would refuse listed apart with its reason, so the page says what blocks
    it rather than offer a button that fails."""
    merged_into = visible_tasks(user).filter(pk=task.merged_into_id).first() if task.merged_into_id else None
    merged_here = list(visible_tasks(user).filter(merged_into=task).order_by("pk"))
    for one in [merged_into, *merged_here]:
        if one is not None:
            one.number = task_number(one)
    choices, blocked = [], []
    if (not inspector_view and task.status == TaskStatus.DISPATCHED and others
            and services.can_merge(user, task)):
        for other in others:
            if (other.year, other.quarter) != (task.year, task.quarter) or not services.can_merge(user, other):
                continue
            problem = services.merge_problem(task, other)
            (blocked if problem else choices).append((other, problem))
    return {"merged_into": merged_into, "merged_here": merged_here, "merge_choices": [o for o, _p in choices],
            "merge_blocked": blocked, "merge_form": ReasonForm()}


@login_required
@require_POST
def task_merge(request: HttpRequest, pk: int) -> HttpResponse:
    """并入: this task into another open task of its unit (``services.do_merge_task``); refusals come back as
    messages on this task's page, nothing changed."""
    tasks = visible_tasks(request.user)
    task = get_object_or_404(tasks.select_related("target"), pk=pk)
    form = ReasonForm(request.POST)
    chosen = request.POST.get("into", "")
    into = tasks.filter(pk=int(chosen)).first() if chosen.isdigit() and len(chosen) < 12 else None
    try:
        if into is None:
            raise ValidationError(_("未并入：请选择要并入的任务"))
        if not form.is_valid():
            raise ValidationError(_("未并入：请填写并入理由") if form.has_error("reason", "required") else
                                  _("未并入。并入理由：%(problem)s") % {"problem": form.errors["reason"][0]})
        into = services.do_merge_task(request.user, task, into=into, reason=form.cleaned_data["reason"])
    except (ValidationError, PermissionDenied) as error:
        _fail(request, error)
        return redirect(task)
    messages.success(request, _("任务%(task)s已并入任务%(into)s：一次检查，一份检查记录") % {
        "task": task_number(task), "into": task_number(into)})
    return redirect(into)


SUBSTITUTION_EVENTS = ("plan.substitute_target", "plan.substitute_inspector")


def _task_history(task: Task, unshown: set[tuple[int, int]]):
    """The task's events without the substitutions of the draws its reader is not shown (``shown_draws``), each known
    as the event records it: by its plan's jurisdiction and its number. Should a told draw of that jurisdiction have
    the same number on the visit (the city's regular and joint plans), its substitution lines go too: the history hides
    more rather than tell of a draw not dispatched (the list of substitutions names the told one's)."""
    events = history_for(task)
    for jurisdiction_id, number in unshown:
        events = events.exclude(action__in=SUBSTITUTION_EVENTS, jurisdiction_id=jurisdiction_id, changes__draw=number)
    return events


@login_required
@require_POST
def task_substitute_target(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_object_or_404(visible_tasks(request.user).select_related("target"), pk=pk)
    form = ReasonForm(request.POST)
    try:
        if not form.is_valid():
            # a reason too long was told to be written, as if it had been left blank
            raise ValidationError(_("请填写递补理由") if form.has_error("reason", "required") else
                                  _("未递补。递补理由：%(problem)s") % {"problem": form.errors["reason"][0]})
        substitutes = services.do_substitute_target(task, reason=form.cleaned_data["reason"],
                                                    acting_user=request.user)
    except (ValidationError, PermissionDenied) as error:
        _fail(request, error)
        return redirect(task)
    names = join_sep(t.target.name for t in substitutes) or _("无（该类别已无可递补对象）")
    messages.success(request, _("已按号签递补：%(names)s") % {"names": names})
    return redirect(substitutes[0] if substitutes else task)


@login_required
@require_POST
def task_substitute_inspector(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_object_or_404(visible_tasks(request.user).select_related("target"), pk=pk)
    form = InspectorSubstitutionForm(request.POST)
    try:
        valid = form.is_valid()
        chosen = form.cleaned_data.get("member")
        member = get_object_or_404(task.members.select_related("inspector"), pk=chosen) if chosen else None
        if not valid:
            # The boxes of the team's rows close again on the page: the message names the officer, and a reason
            # too long is not told to be written.
            if member is None or form.has_error("reason", "required"):
                raise ValidationError(_("未替换%(name)s：请填写替换理由") % {
                    "name": member.inspector.name if member else ""})
            raise ValidationError(_("未替换%(name)s。替换理由：%(problem)s") % {
                "name": member.inspector.name, "problem": form.errors["reason"][0]})
        replacement = services.do_substitute_inspector(task, member.inspector, reason=form.cleaned_data["reason"],
                                                       acting_user=request.user, draw=member.draw)
    except (ValidationError, PermissionDenied) as error:
        _fail(request, error)
    else:
        messages.success(request, _("已按号签由 %(new)s 接替 %(old)s") % {
            "new": replacement.inspector.name, "old": member.inspector.name})
    return redirect(task)


@login_required
def my_tasks(request: HttpRequest) -> HttpResponse:
    """The dispatched tasks of the signed-in officer's teams, with their deadlines and teammates.

    An inspector works from fieldwork's phone list (today's and overdue visits first, the record of each);
    he is sent there, so he has one list of his tasks, not two that disagree. Other users linked to an
    officer read this list: open tasks first, by deadline, then the tasks whose record is submitted."""
    user = request.user
    if user.role == Role.INSPECTOR and not user.is_superuser:
        return redirect("fieldwork:my_tasks")
    if user.inspector_id is None:
        raise Http404(_("当前用户没有关联执法人员档案"))
    submitted = Task.objects.filter(pk=OuterRef("pk"), records__sealed_at__isnull=False)
    # his places as told (``team_places``): an admin reads a plan before its dispatch, yet its visits are his to
    # carry out (and his record to sign) only once it is dispatched
    mine = TaskMember.objects.filter(team_places(), inspector_id=user.inspector_id)
    tasks = (visible_tasks(user).filter(pk__in=mine.values("task_id"))
             .annotate(submitted=Exists(submitted)).select_related("target__jurisdiction")
             .order_by("submitted", "deadline", "target__name"))
    page = _page(request, tasks)
    own = set(mine.filter(task__in=page.object_list).values_list("task_id", "draw_id"))
    teams: dict[int, list[TaskMember]] = {}
    for member in (TaskMember.objects.filter(task__in=page.object_list, active=True)
                   .select_related("inspector__department").order_by("slot")):
        if (member.task_id, member.draw_id) in own:
            teams.setdefault(member.task_id, []).append(member)
    for task in page.object_list:
        task.team = teams.get(task.pk, [])
    return render(request, "planning/my_tasks.html", {"page": page, "query": _query(request),
                                                      "today": timezone.localdate()})
