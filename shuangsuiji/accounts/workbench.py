"""The workbench (工作台) of the home page: what the signed-in user has to act on now, within his scope.

One plain function per kind of item. Each reaches the data through ``visible_to`` — the one scoping gate —
or through the service that already scopes it the same way (``disclosure.services``, by the user's
jurisdiction), and returns plain data in a few queries: counts come from aggregates grouped by jurisdiction,
lists are cut to the most urgent few, so the page costs the same for a county with three items as for a
province with thirty thousand. ``for_user`` picks the kinds a role acts on. Nothing here changes anything.
"""

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db.models import BooleanField, Case, Count, Exists, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from shuangsuiji.accounts.models import Role, User
from shuangsuiji.disclosure import reports
from shuangsuiji.disclosure import services as disclosure
from shuangsuiji.disclosure.models import Objection, Publication, PublicationKind, PublicationStatus
from shuangsuiji.engine.workdays import CalendarUnknownError, previous_quarter, quarter_of, years_needed
from shuangsuiji.fieldwork import live
from shuangsuiji.fieldwork.approvals import admin_queue
from shuangsuiji.fieldwork.models import (
    FollowUp,
    Handling,
    InspectionRecord,
    Recheck,
    RecheckStatus,
    ReviewDecision,
    owed_by,
    owners,
    reviewed_in_scope,
    task_number,
)
from shuangsuiji.intake.services import policy_for
from shuangsuiji.planning import gather, overlaps
from shuangsuiji.planning.models import (
    Plan,
    PlanKind,
    PlanStatus,
    Task,
    TaskMember,
    TaskPlan,
    TaskStatus,
    past_due,
    quarter_text,
    team_places,
)
from shuangsuiji.planning.permissions import visible_plans, visible_tasks
from shuangsuiji.punctuation import bracketed, citation_line, join_semicolon, join_sep
from shuangsuiji.registry.models import CheckItem, Department, Inspector, Jurisdiction, Level, Specialty, Target
from shuangsuiji.registry.services import keeps_reference_data
from shuangsuiji.systemtext import system_text

LIMIT = 8
"""Items listed per kind; the rest are counted, one click away on the page where they are handled."""

PLAN_BADGES = {
    PlanStatus.DRAFT: "text-bg-warning",
    PlanStatus.FROZEN: "text-bg-info",
    PlanStatus.COMMITTED: "text-bg-info",
    PlanStatus.PUBLIC: "text-bg-info",
    PlanStatus.DRAWN: "text-bg-primary",
    PlanStatus.DISPATCHED: "text-bg-success",
}


@dataclass
class Item:
    """One thing to do: what, where it is done, and by when."""

    title: str
    url: str
    due: date | None = None
    overdue: bool = False
    note: str = ""
    badge: str = ""
    badge_css: str = "text-bg-secondary"
    place: str = ""
    """The jurisdiction, shown to users whose scope holds several."""
    due_label: str = ""
    """What ``due`` is the end of, when "期限" alone would not say (a draw window, a publication deadline)."""
    days_left: int | None = None
    """Days from today to ``due`` (negative when overdue); set by ``for_user``."""
    due_pending: str = ""
    """Said in place of ``due`` when it cannot be counted yet (a year whose holidays are not entered)."""
    pending_year: int | None = None
    """The year whose holidays ``due_pending`` waits for: its section links to where they are entered."""

    @property
    def days_late(self) -> int:
        return -self.days_left if self.days_left is not None and self.days_left < 0 else 0


@dataclass
class Items:
    """The most urgent ``LIMIT`` items of one kind, with counts of all of them per jurisdiction."""

    items: list[Item] = field(default_factory=list)
    total: int = 0
    overdue: int = 0
    by_place: dict[int, int] = field(default_factory=dict)
    overdue_by_place: dict[int, int] = field(default_factory=dict)
    more_url: str = ""
    aside: str = ""
    """Said under the list: what is not counted and why (an admin's own requests, which another admin decides)."""
    earlier: dict[tuple[int, int], int] = field(default_factory=dict)
    """Of the overdue tasks, how many are of each quarter before the current one (each task once)."""
    earlier_by_place: dict[int, dict[tuple[int, int], int]] = field(default_factory=dict)
    """The same per jurisdiction (the bureau whose plan drew them), for the cells of the table of counties."""
    rechecks: int = 0
    """Of ``total``, how many are re-checks (an inspector's visits that are not drawn tasks): said beside the count."""

    @property
    def more(self) -> int:
        return max(0, self.total - len(self.items))


@dataclass
class DrawWindow:
    """The days on which a quarter's draw may take place: the last working days of the quarter before."""

    year: int
    quarter: int
    days: tuple[date, ...] = ()
    citation: str = ""
    problem: str = ""
    """Why the window is unknown (no policy in force, a year the working-day calendar does not know)."""
    unknown_year: int | None = None
    """The year whose holidays the window waits for, when that is why it is unknown."""

    @property
    def last(self) -> date | None:
        return self.days[-1] if self.days else None

    def closed(self, today: date) -> bool:
        return bool(self.days) and today > self.days[-1]

    def hint(self, today: date) -> str:
        if not self.days:
            return self.problem
        span = {"first": self.days[0].isoformat(), "last": self.days[-1].isoformat(), "n": len(self.days),
                "cite": citation_line(self.citation),
                "before": quarter_text(*previous_quarter(self.year, self.quarter))}
        if today < self.days[0]:
            days = (self.days[0] - today).days
            return ngettext("抽取期 %(first)s 至 %(last)s（%(before)s最后 %(n)s 个工作日，%(cite)s），"
                            "%(days)s 天后开始",
                            "抽取期 %(first)s 至 %(last)s（%(before)s最后 %(n)s 个工作日，%(cite)s），"
                            "%(days)s 天后开始",
                            days) % {**span, "days": days}
        if today > self.days[-1]:
            return _("抽取期 %(first)s 至 %(last)s（%(cite)s）已过") % span
        left = sum(1 for day in self.days if day >= today)
        return ngettext("正在抽取期内：%(first)s 至 %(last)s，还剩 %(left)s 个工作日（%(cite)s）",
                        "正在抽取期内：%(first)s 至 %(last)s，还剩 %(left)s 个工作日（%(cite)s）",
                        left) % {**span, "left": left}

    def late_hint(self, today: date) -> str:
        """What is late once the window has closed on a plan not drawn, and since when. A quarter's draw window is
        the end of the quarter before: on the quarter's first day its plans not yet drawn are overdue already —
        which read to a new admin as if the quarter's checks were late. Nothing is said before the window closes."""
        if not self.closed(today):
            return ""
        return _("逾期的是抽取：%(period)s的计划应在抽取期 %(first)s 至 %(last)s（%(before)s最后 %(n)s 个工作日，"
                 "%(cite)s）内抽取，%(since)s 起仍未抽取的即为逾期；已抽取计划的任务按各自的完成期限计") % {
            "period": quarter_text(self.year, self.quarter), "first": self.days[0].isoformat(),
            "last": self.days[-1].isoformat(), "n": len(self.days), "cite": citation_line(self.citation),
            "before": quarter_text(*previous_quarter(self.year, self.quarter)),
            "since": (self.days[-1] + timedelta(days=1)).isoformat()}


@dataclass
class PlanState:
    """Where a jurisdiction's regular plan of a quarter stands (a cell of the city's table of counties)."""

    status: str
    label: str
    url: str
    tasks: int = 0
    done: int = 0
    late: bool = False
    """Not drawn although the quarter's draw window has passed."""

    @property
    def css(self) -> str:
        return PLAN_BADGES.get(self.status, "text-bg-secondary")


@dataclass
class Cell:
    """How many items of one kind a county has, how many of them are overdue, and where they are listed."""

    n: int
    late: int
    url: str
    title: str = ""
    """Its column's heading: the cell's label where a phone stacks a county's cells (the headings are hidden)."""
    elsewhere: str = ""
    """Said in place of "–" where the row's items of this kind are counted on other rows: the city's own plans'
    results are published in the months of the firms' counties (``COUNTED_IN_COUNTIES``)."""
    earlier: int = 0
    """Of ``n``, how many are of quarters gone by (overdue tasks whose quarter's plan has left the row)."""
    earlier_note: str = ""
    """Which quarters those are, and how many of each."""


@dataclass
class Section:
    key: str
    title: str
    items: Items
    hint: str = ""
    empty: str = ""
    """Said when there is nothing; a section with it is shown even then (an inspector's task list)."""
    lead: bool = False
    """Shown above the table of counties (the quarter's plans), the rest below it."""
    calendar_years: list[int] = field(default_factory=list)
    """Years whose holidays are not entered while a deadline of the section falls in them: the section says so and
    links to 工作日安排 (set by ``for_user``)."""


@dataclass
class CountyRow:
    jurisdiction: Jurisdiction
    current: PlanState | None
    following: PlanState | None
    current_missing_late: bool
    following_missing_late: bool
    cells: list[Cell]
    """One per column of ``Workbench.columns``."""
    joint: Cell | None = None
    """The jurisdiction's internal joint plans of this quarter (every quarter at both levels, 实施方案 二(五));
    ``late`` after the quarter's draw window when it has none (1) or how many of them are not drawn."""
    behind: int = 0
    """How many of the row's entries are overdue: the table lists the counties furthest behind first."""


@dataclass
class Workbench:
    today: date
    year: int
    quarter: int
    next_year: int
    next_quarter: int
    sections: list[Section] = field(default_factory=list)
    rows: list[CountyRow] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    """Headings of the count columns of the table of counties."""
    draw_late: str = ""
    """Said above the table when a row's plan of this quarter is red: what is late (the draw) and since when."""

    @property
    def period(self) -> str:
        return str(quarter_text(self.year, self.quarter))

    @property
    def counts_approvals(self) -> bool:
        """Whether the table has the 待您审批 column (an admin's), whose note says on which row a request is."""
        return any(s.key == "approvals" for s in self.sections)

    @property
    def counts_by_county(self) -> bool:
        """Whether a row of the table (the city's) says its overdue problems or 一公开 items are on the counties'
        rows: the note above the table says so for every such column at once."""
        return any(cell.elsewhere for row in self.rows for cell in row.cells)

    @property
    def busy(self) -> list[Section]:
        return [s for s in self.sections if s.items.total or s.empty or s.items.aside]

    @property
    def leading(self) -> list[Section]:
        return [s for s in self.busy if s.lead]

    @property
    def following(self) -> list[Section]:
        return [s for s in self.busy if not s.lead]

    @property
    def idle(self) -> list[Section]:
        return [s for s in self.sections if not (s.items.total or s.empty or s.items.aside)]


# --- helpers -------------------------------------------------------------------------------------------------


def is_inspector(user) -> bool:
    return user.role == Role.INSPECTOR and not user.is_superuser


def is_admin(user) -> bool:
    return user.is_superuser or (user.is_admin_role and user.jurisdiction_id is not None)


def _root(user) -> Jurisdiction | None:
    """The top of the user's scope (a superuser bound to no jurisdiction oversees the first root), as
    ``disclosure.views_staff`` takes it."""
    if user.jurisdiction_id is not None:
        return user.jurisdiction
    return Jurisdiction.objects.filter(parent__isnull=True).order_by("path").first() if user.is_superuser else None


def next_quarter(year: int, quarter: int) -> tuple[int, int]:
    return (year + 1, 1) if quarter == 4 else (year, quarter + 1)


def _urgent_first(items: Iterable[Item]) -> list[Item]:
    return sorted(items, key=lambda i: (i.due is None, i.due or date.min, i.title))


def _counts(queryset: QuerySet, place: str, overdue: Q | None = None) -> tuple[dict[int, int], dict[int, int]]:
    """Items per jurisdiction and, if ``overdue`` says which are, how many of them are overdue: one query."""
    aggregates = {"n": Count("pk", distinct=True)}
    if overdue is not None:
        aggregates["late"] = Count("pk", filter=overdue, distinct=True)
    by_place: dict[int, int] = {}
    late: dict[int, int] = {}
    for row in queryset.order_by().values(place).annotate(**aggregates):
        by_place[row[place]] = row["n"]
        if row.get("late"):
            late[row[place]] = row["late"]
    return by_place, late


def _items(rows: list[Item], by_place: dict[int, int], late: dict[int, int], more_url: str = "") -> Items:
    return Items(items=rows, total=sum(by_place.values()), overdue=sum(late.values()), by_place=by_place,
                 overdue_by_place=late, more_url=more_url)


def _add(into: dict[int, int], key: int, n: int = 1) -> None:
    into[key] = into.get(key, 0) + n


def owner_query(user) -> dict[str, int]:
    """``drawn_by`` the user's one bureau, so that a county's "more" opens exactly what it counted; a city's
    lists show its counties' work too, which its count holds. The 现场检查 overview's 待审核 card links with it
    as well, so that it opens what the workbench and the card count (``fieldwork.models.reviewed_in_scope``)."""
    root = _root(user)
    if root is None or len(_places(user, root)) != 1:
        return {}
    return {"drawn_by": root.pk}


def _sealed_record(task_ref: str = "pk") -> Exists:
    return Exists(InspectionRecord.objects.filter(task=OuterRef(task_ref), sealed_at__isnull=False))


# --- the inspector -------------------------------------------------------------------------------------------


def _task_states() -> dict[str, tuple[str, str]]:
    return {
        "not_started": (_("未开始"), "text-bg-light border"),
        "draft": (_("草稿"), "text-bg-warning"),
        # one state, 更正中 (an amendment draft being written), as the task list and the phone's cards say it; a
        # correction the review returned says so (InspectionRecord.returned_in_review), in red: the result waits
        "returned": (_("更正中") + bracketed(_("审核退回")), "text-bg-danger"),
        "amending": (_("更正中"), "text-bg-warning"),
    }


def my_open_tasks(user, today: date) -> Items:
    """The inspector's dispatched tasks whose record is not submitted: not started, a draft, or an amendment
    (returned in review, or asked for). Earlier quarters' too: a task left open does not stop needing him when
    its quarter ends — it is overdue. Each links to where he acts: the draft, or the task's brief."""
    if user.inspector_id is None:
        return Items()
    drafts = InspectionRecord.objects.filter(task=OuterRef("pk"), sealed_at__isnull=True)
    # his places as told (``team_places``): not a merged visit's place in another plan's draw not dispatched yet
    teams = TaskMember.objects.filter(team_places(), inspector_id=user.inspector_id).values("task_id")
    tasks = (Task.objects.visible_to(user).filter(status=TaskStatus.DISPATCHED, pk__in=teams)
             .annotate(draft_id=Subquery(drafts.order_by("-created_at", "-pk").values("pk")[:1]),
                       returned=Exists(drafts.filter(amends__review__decision=ReviewDecision.RETURNED)),
                       amended_end=Subquery(drafts.filter(amends__isnull=False).order_by("-created_at", "-pk")
                                            .values("amends__ended_at")[:1]),
                       amending=Exists(drafts.filter(amends__isnull=False)),
                       submitted=_sealed_record())
             .filter(Q(draft_id__isnull=False) | Q(submitted=False)))
    # An amendment's lateness is its publication deadline's, counted below among the rows shown.
    by_place, late = _counts(tasks, "target__jurisdiction", Q(deadline__lt=today, amending=False))
    states = _task_states()
    rows = []
    found = list(tasks.select_related("target__jurisdiction").order_by("deadline", "target__name", "pk")[:LIMIT])
    publication_deadline = functools.cache(disclosure.known_results_deadline)
    for task in found:
        state = ("returned" if task.returned else "amending" if task.amending
                 else "draft" if task.draft_id else "not_started")
        label, css = states[state]
        url = (reverse("fieldwork:record_edit", args=[task.draft_id]) if task.draft_id
               else reverse("fieldwork:task_brief", args=[task.pk]))
        ended = timezone.localdate(task.amended_end) if task.amended_end else None
        due, is_publication = owed_by(task.deadline, amending=task.amending, returned=task.returned,
                                      visit_ended=ended, publication_deadline=publication_deadline)
        # The same date the task list (fieldwork/_task_card.html) and the inspector guide call 更正期限: what he
        # owes is the amendment; that it is owed by the result's publication deadline is the county's concern.
        due_label = pgettext("workbench", "更正期限") if is_publication else ""
        rows.append(Item(title=task.target.name, url=url, due=due, overdue=due is not None and due < today,
                         due_pending=disclosure.pending_deadline_note(ended.year, ended.month)
                         if is_publication and due is None else "",
                         pending_year=disclosure.results_deadline_year(ended.year, ended.month)
                         if is_publication and due is None else None,
                         note=f"{task_number(task)} · {task.target.address or task.target.jurisdiction.name}",
                         badge=label, badge_css=css, due_label=due_label))
        if task.amending and rows[-1].overdue:
            _add(late, task.target.jurisdiction_id)
    # The re-checks he must visit count too: the number he reads first is every visit he owes, as the task list's
    # heading counts them (fieldwork.views.my_tasks), and says how many of them are re-checks.
    rechecks = Recheck.objects.visible_to(user).filter(Q(status=RecheckStatus.OPEN) | live.amended_rechecks())
    recheck_places, recheck_late = _counts(rechecks, "target__jurisdiction",
                                           Q(status=RecheckStatus.OPEN, due_date__lt=today))
    for place, n in recheck_places.items():
        _add(by_place, place, n)
    for place, n in recheck_late.items():
        _add(late, place, n)
    # The tasks stay in their order (by deadline); each re-check goes among them by its own date, the one it is
    # late after.
    order = {id(row): task.deadline for row, task in zip(rows, found, strict=True)}
    for recheck in rechecks.select_related("target__jurisdiction").order_by("due_date", "pk")[:LIMIT]:
        is_open = recheck.status == RecheckStatus.OPEN
        # a done re-check being corrected owes its amendment, not the visit: no re-check date to be late on
        rows.append(Item(title=recheck.target.name, url=recheck.get_absolute_url(),
                         due=recheck.due_date if is_open else None,
                         overdue=is_open and recheck.due_date < today,
                         note=f"{recheck.number} · {recheck.target.address or recheck.target.jurisdiction.name}",
                         badge=_("复查") if is_open else _("复查更正中"), badge_css="text-bg-warning"))
        order[id(rows[-1])] = recheck.due_date if is_open else date.max
    rows.sort(key=lambda row: order[id(row)])  # stable: a task before a re-check due the same day
    items = _items(rows[:LIMIT], by_place, late, reverse("fieldwork:my_tasks"))
    items.rechecks = sum(recheck_places.values())
    return items


def open_follow_ups(user, today: date, *, overdue_only: bool = False) -> Items:
    """Problems found and not yet closed (闭环), by due date: those the reader sees through
    (``FollowUp.followed_up_by``) — an office's, the problems of its firms whoever's plan drew the visit, each
    counted under the firm's jurisdiction (a problem follows the firm), as the menu's badge and the 现场检查
    overview count them; an inspector's, his teams'. An order to rectify is closed by its re-check, so it links to
    the re-check while that is open."""
    follow_ups = FollowUp.objects.followed_up_by(user).open()
    if overdue_only:
        follow_ups = follow_ups.filter(due_date__lt=today)
    by_place, late = _counts(follow_ups, "target__jurisdiction", Q(due_date__lt=today))
    more = reverse("fieldwork:followup_list") + ("?state=overdue" if overdue_only else "")
    handlings = dict(Handling.choices)
    rows = []
    for follow_up in (follow_ups.select_related("target__jurisdiction", "record", "recheck")
                      .order_by("due_date", "pk")[:LIMIT]):
        recheck = follow_up.recheck if follow_up.recheck_id and follow_up.recheck.status == RecheckStatus.OPEN \
            else None
        rows.append(Item(title=follow_up.target.name,
                         url=recheck.get_absolute_url() if recheck else follow_up.get_absolute_url(),
                         due=follow_up.due_date, overdue=follow_up.due_date < today,
                         note=recheck.number if recheck else follow_up.record.number,
                         badge=_("复查") if recheck else str(handlings[follow_up.handling]),
                         badge_css="text-bg-warning" if recheck else "text-bg-secondary",
                         place=follow_up.target.jurisdiction.name))
    return _items(rows, by_place, late, more)


# --- plans and the draw --------------------------------------------------------------------------------------


def draw_window(year: int, quarter: int) -> DrawWindow:
    """The draw window of the quarter ``(year, quarter)``, as ``planning.services.window_warning`` checks a
    draw against it."""
    try:
        policy = policy_for(year, quarter)
        days = gather.calendar().draw_window(policy, year, quarter)
    except ValidationError as error:  # no policy in force that day
        return DrawWindow(year, quarter, problem=join_semicolon(error.messages))
    except CalendarUnknownError as error:
        # Said to every admin, county ones too, who cannot enter the holidays: who does, and where.
        return DrawWindow(year, quarter, problem=_(
            "抽取期是%(before)s最后 %(n)s 个工作日；%(year)s年的放假和调休安排尚未录入，暂无法确定。"
            "国务院办公厅通知发布后，由市局管理员在“工作日安排”中录入。") % {
            "before": quarter_text(*previous_quarter(year, quarter)), "n": policy.draw_window.workdays,
            "year": error.year}, unknown_year=error.year)
    return DrawWindow(year, quarter, days, str(policy.draw_window.citation))


def _progress(plans: QuerySet) -> dict[int, tuple[int, int]]:
    """Each plan's live tasks and how many of them have a submitted record: ``plan id → (tasks, done)``, one
    query for all the plans."""
    rows = (TaskPlan.objects.filter(plan__in=plans.order_by().values("pk"), active=True).order_by()
            .annotate(done=_sealed_record("task")).values("plan_id")
            .annotate(n=Count("task_id", distinct=True), d=Count("task_id", filter=Q(done=True), distinct=True)))
    return {row["plan_id"]: (row["n"], row["d"]) for row in rows}


def _create_url(jurisdiction: Jurisdiction, year: int, quarter: int, kind: str) -> str:
    query = {"jurisdiction": jurisdiction.pk, "year": year, "quarter": quarter, "kind": kind}
    return f"{reverse('planning:plan_create')}?{urlencode(query)}"


def quarter_plans(user, year: int, quarter: int, window: DrawWindow, today: date) -> Items:
    """The plans of the user's own jurisdiction for a quarter: the step of each ceremony and, once drawn, how
    many of its tasks have a submitted record. A plan not drawn by the end of the quarter's draw window is
    overdue, and a regular plan not made at all is itself an item. A department user's are the joint plans
    his department initiates or takes part in (参加科室: one of its officers joins every visit, 实施方案 二(五)
    "配合科室共同参与"), each saying which; that the jurisdiction has no joint plan at all is his item (internal
    joint inspections every quarter at both levels, 实施方案 二(五))."""
    own = user.jurisdiction
    if own is None:
        return Items()
    department_user = user.role == Role.DEPARTMENT and not user.is_superuser
    plans = Plan.objects.visible_to(user).filter(jurisdiction=own, year=year, quarter=quarter)
    listed = plans
    if department_user:
        listed = plans.annotate(takes_part=Exists(Plan.departments.through.objects.filter(
            plan_id=OuterRef("pk"), department_id=user.department_id or 0)))
    found = list(listed.select_related("jurisdiction", "department").order_by("-kind", "department__name", "pk"))
    progress = _progress(plans) if any(plan.reached(PlanStatus.DRAWN) for plan in found) else {}
    rows = []
    for plan in found:
        initiates = department_user and user.department_id is not None and plan.department_id == user.department_id
        if department_user and not (initiates or plan.takes_part):
            continue
        drawn = plan.reached(PlanStatus.DRAWN)
        tasks, done = progress.get(plan.pk, (0, 0))
        note = ngettext("已提交记录 %(done)s / %(n)s 项任务", "已提交记录 %(done)s / %(n)s 项任务", tasks) % {
            "done": done, "n": tasks} if drawn else ""
        if department_user:
            role = _("本科室发起") if initiates else _("本科室参加")
            note = f"{role} · {note}" if note else role
        # A 线索核查 or a 跨部门联合抽查 has no draw window: its targets are given and it is drawn when it comes.
        windowed = not drawn and not plan.targets_given
        rows.append(Item(title=str(plan), url=plan.get_absolute_url(), note=note, due_label=_("抽取期截止"),
                         due=window.last if windowed else None, overdue=windowed and window.closed(today),
                         badge=plan.get_status_display(), badge_css=PLAN_BADGES.get(plan.status, "text-bg-secondary"),
                         place=own.name))
    may_create = is_admin(user) or (department_user and user.department_id is not None)
    # An admin's missing plans are the regular one and, where no department has initiated one, the joint one:
    # a county with no department users had its joint plan flagged on the city's table and nowhere on its own.
    kinds = [PlanKind.JOINT] if department_user else [PlanKind.REGULAR, PlanKind.JOINT]
    missing = [kind for kind in kinds if may_create and not any(plan.kind == kind for plan in found)]
    for kind in reversed(missing):
        title = _("编制%(period)s双随机抽查计划") if kind == PlanKind.REGULAR else \
            _("编制%(period)s内部联合抽查计划")
        rows.insert(0, Item(title=title % {"period": quarter_text(year, quarter)},
                            url=_create_url(own, year, quarter, kind), due=window.last,
                            overdue=window.closed(today), badge=_("尚未编制"), badge_css="text-bg-danger",
                            due_label=_("抽取期截止"), place=own.name))
    late = sum(1 for row in rows if row.overdue)
    return Items(items=rows, total=len(rows), overdue=late, by_place={own.pk: len(rows)} if rows else {},
                 overdue_by_place={own.pk: late} if late else {}, more_url=reverse("planning:plan_list"))


def regular_plan_states(user, windows: Iterable[DrawWindow], today: date) -> dict[tuple[int, int, int], PlanState]:
    """Each jurisdiction's regular plan of the windows' quarters with its progress, in two queries:
    ``(jurisdiction id, year, quarter) → PlanState``."""
    windows = {(w.year, w.quarter): w for w in windows}
    wanted = Q(pk__in=[])
    for year, quarter in windows:
        wanted |= Q(year=year, quarter=quarter)
    plans = Plan.objects.visible_to(user).filter(wanted, kind=PlanKind.REGULAR)
    progress = _progress(plans)
    labels = dict(PlanStatus.choices)
    states = {}
    for plan in plans.order_by().values("pk", "jurisdiction_id", "year", "quarter", "status"):
        drawn = plan["status"] in (PlanStatus.DRAWN, PlanStatus.DISPATCHED)
        tasks, done = progress.get(plan["pk"], (0, 0))
        states[(plan["jurisdiction_id"], plan["year"], plan["quarter"])] = PlanState(
            plan["status"], str(labels[plan["status"]]), reverse("planning:plan_detail", args=[plan["pk"]]),
            tasks, done, late=not drawn and windows[(plan["year"], plan["quarter"])].closed(today))
    return states


# --- the county's fieldwork ----------------------------------------------------------------------------------


def _deadlines(months: Iterable[tuple[int, int]]) -> dict[tuple[int, int], date | None]:
    # None for a month whose deadline falls in a year whose holidays are not entered yet (the calendar section asks)
    return {(year, month): disclosure.known_results_deadline(year, month) for year, month in set(months)}


def records_awaiting_review(user, today: date) -> Items:
    """Submitted records nobody has reviewed yet, oldest first. A random inspection's result must be published
    by the deadline of the month it ended in, and only a reviewed record is published: that deadline is the
    review's too (a re-check's record is not published and has none). Those the user's bureaus review
    (``reviewed_in_scope``): a merged visit's record is not counted for a plan that was not told of it when it was
    sealed."""
    records = reviewed_in_scope(user, InspectionRecord.objects.visible_to(user).awaiting_review())
    dated = records.order_by().annotate(month=TruncMonth("ended_at"), published=Case(
        When(task__isnull=False, then=Value(True)), default=Value(False), output_field=BooleanField()))
    # Per owner for the table (a merged visit's record on each owner's row), and distinct for the totals.
    groups = owners(dated, "", "month", "published", reviewing=True)
    totals = list(dated.values("month", "published").annotate(n=Count("pk")))
    deadlines = _deadlines((g["month"].year, g["month"].month) for g in totals if g["published"] and g["month"])

    def late_group(group: dict) -> bool:
        month = group["month"]
        deadline = deadlines.get((month.year, month.month)) if group["published"] and month else None
        return deadline is not None and today > deadline

    by_place: dict[int, int] = {}
    late: dict[int, int] = {}
    for group in groups:
        _add(by_place, group["owner"], group["n"])
        if late_group(group):
            _add(late, group["owner"], group["n"])
    rows = []
    for record in records.select_related("target__jurisdiction").order_by("ended_at", "pk")[:LIMIT]:
        due, pending = None, ""
        if record.task_id and record.ended_at:
            ended = timezone.localtime(record.ended_at)
            due = deadlines.get((ended.year, ended.month))
            pending = "" if due else disclosure.pending_deadline_note(ended.year, ended.month)
        rows.append(Item(title=record.target.name, url=record.get_absolute_url(), due=due,
                         overdue=due is not None and today > due, due_label=pgettext("workbench", "公开期限"),
                         due_pending=pending,
                         pending_year=disclosure.results_deadline_year(ended.year, ended.month) if pending else None,
                         note=_("%(number)s · %(day)s 提交") % {
                             "number": record.number, "day": f"{timezone.localtime(record.sealed_at):%m-%d}"},
                         badge=_("复查") if record.recheck_id else "", badge_css="text-bg-warning",
                         place=record.target.jurisdiction.name))
    return Items(items=rows, total=sum(g["n"] for g in totals), overdue=sum(g["n"] for g in totals if late_group(g)),
                 by_place=by_place, overdue_by_place=late,
                 more_url=f"{reverse('fieldwork:record_list')}?{urlencode({'state': 'pending', **owner_query(user)})}")


def overdue_tasks(user, today: date) -> Items:
    """Drawn tasks past their deadline without a submitted record (a draft is not a record yet) — of the plans
    the user may read, as on the task list and the task's page: a city plan's task in a county is the city's,
    and a county admin's item would have opened a page that does not exist for him."""
    tasks = past_due(visible_tasks(user), today)
    # Counted under the bureau whose plan drew the task (``drawn_by``: the city's own plans on the city's row), not
    # under the target's county; a visit two bureaus drew is each one's, and the total counts it once. By the
    # plan's quarter too, as 完成情况 counts a quarter's 逾期: a task of a quarter gone by stays overdue here (its
    # quarter's row and plan have left the table), and its cell says how many are of which earlier quarter.
    since = overlaps.this_quarter(today)
    by_place: dict[int, int] = {}
    earlier: dict[int, dict[tuple[int, int], int]] = {}
    for group in (TaskPlan.objects.filter(task__in=tasks, active=True, plan__in=visible_plans(user)).order_by()
                  .values("plan__jurisdiction", "plan__year", "plan__quarter")
                  .annotate(n=Count("task", distinct=True))):
        owner, period = group["plan__jurisdiction"], (group["plan__year"], group["plan__quarter"])
        _add(by_place, owner, group["n"])
        if period < since:
            quarters_of = earlier.setdefault(owner, {})
            quarters_of[period] = quarters_of.get(period, 0) + group["n"]
    rows = [Item(title=task.target.name, url=task.get_absolute_url(), due=task.deadline, overdue=True,
                 note=f"{task_number(task)} · {task.period}",
                 badge=_("未派发") if task.status == TaskStatus.DRAWN else "", badge_css="text-bg-warning",
                 place=task.target.jurisdiction.name)
            for task in tasks.select_related("target__jurisdiction").order_by("deadline", "target__name",
                                                                                "pk")[:LIMIT]]
    # Each task once (a visit two bureaus drew is on both rows), by its own quarter: the section's count and hint.
    quarters = {(row["year"], row["quarter"]): row["n"] for row in (
        tasks.order_by().values("year", "quarter").annotate(n=Count("pk", distinct=True)))} if by_place else {}
    total = sum(quarters.values())
    items = Items(items=rows, total=total, overdue=total, by_place=by_place, overdue_by_place=dict(by_place),
                  more_url=f"{reverse('planning:task_list')}?overdue=1", earlier_by_place=earlier,
                  earlier={period: n for period, n in sorted(quarters.items()) if period < since})
    return items


def earlier_text(quarters: dict[tuple[int, int], int]) -> str:
    """"2026年第3季度 2 项、2026年第4季度 1 项": the overdue tasks of quarters gone by, oldest first."""
    return join_sep(ngettext("%(period)s %(n)s 项", "%(period)s %(n)s 项", n) % {
        "period": quarter_text(*period), "n": n} for period, n in sorted(quarters.items()))


def overlapping_tasks(user, today: date) -> Items:
    """One unit, one visit (实施方案 二(五) "对同一监管对象的多个检查事项，原则上应一次完成"): the open tasks of the
    user's scope that make a visit to coordinate with another open task of his scope at their unit (one of the two
    of this quarter or later: ``planning.overlaps``) — exactly the rows the task list shows filtered by
    "只看同一单位多项任务", so the count and its link agree. Each row names the other tasks."""
    scope = visible_tasks(user)
    since = overlaps.this_quarter(today)
    tasks = overlaps.overlapping(scope, scope, since=since)
    total = tasks.count()
    shown = list(tasks.select_related("target__jurisdiction").order_by("deadline", "target__name", "pk")[:LIMIT]
                 ) if total else []
    for task in shown:
        task.overlap = True  # each row is one (``overlapping``): name its other tasks, as the task list does
    others = overlaps.others_by_task(shown, scope, since=since)
    rows = [Item(title=task.target.name, url=task.get_absolute_url(), due=task.deadline, overdue=task.deadline < today,
                 note=_("%(number)s · %(period)s · 另有 %(others)s") % {
                     "number": task_number(task), "period": task.period,
                     "others": join_sep(other.number for other in others[task.pk])},
                 place=task.target.jurisdiction.name)
            for task in shown]
    return Items(items=rows, total=total, more_url=f"{reverse('planning:task_list')}?overlap=1")


def approvals(user, today: date) -> Items:
    """What waits for his decision (``fieldwork.approvals``, as the 审批 page counts it): a plan's shortfall below a
    policy minimum and a re-draw (the city decides, before the draw window closes for a shortfall — an unapproved
    one stops the freeze), an amendment of a sealed record and an on-site check of a positive-list target (the
    jurisdiction's admins, never on their own request nor their own team's record), a positive-list firm's clue (the
    same admins, never the one who reported it), an approved clue's check to open. His own requests and what others
    decide (a county's plan requests wait for the city) are said beside the count, not in it."""
    if not is_admin(user):
        return Items()
    queue = admin_queue(user)
    by_place: dict[int, int] = {}
    late: dict[int, int] = {}
    rows: list[Item] = []

    shortfalls = queue.shortfalls.mine
    groups = list(shortfalls.order_by().values("plan__jurisdiction", "plan__year", "plan__quarter")
                  .annotate(n=Count("pk")))
    windows = {key: draw_window(*key) for key in {(g["plan__year"], g["plan__quarter"]) for g in groups}}
    for group in groups:
        _add(by_place, group["plan__jurisdiction"], group["n"])
        if windows[(group["plan__year"], group["plan__quarter"])].closed(today):
            _add(late, group["plan__jurisdiction"], group["n"])
    for stratum in shortfalls.select_related("plan__jurisdiction", "plan__department").order_by("plan_id",
                                                                                               "pk")[:LIMIT]:
        plan = stratum.plan
        window = windows[(plan.year, plan.quarter)]
        rows.append(Item(title=_("%(plan)s：%(stratum)s少抽 %(n)s 家") % {
            "plan": plan, "stratum": stratum.get_stratum_display(), "n": stratum.shortfall},
            url=plan.get_absolute_url(), due=window.last, overdue=window.closed(today), due_label=_("抽取期截止"),
            badge=_("少抽待审批"), badge_css="text-bg-danger", place=plan.jurisdiction.name))

    redraws = queue.redraws.mine
    for key, n in _counts(redraws, "plan__jurisdiction")[0].items():
        _add(by_place, key, n)
    for request in (redraws.select_related("plan__jurisdiction", "plan__department")
                    .order_by("requested_at", "pk")[:LIMIT]):
        rows.append(Item(title=str(request.plan), url=request.plan.get_absolute_url(), note=request.reason[:60],
                         badge=_("重新抽取待审批"), badge_css="text-bg-danger", place=request.plan.jurisdiction.name))

    # A positive-list firm's clue waits for the head of the enforcement unit: the seed wants the firm inspected
    # at once once it is approved (实施方案 二(三)), so an unseen request is time lost.
    clues = queue.clues.mine
    for key, n in _counts(clues, "target__jurisdiction")[0].items():
        _add(by_place, key, n)
    for clue in clues.select_related("target__jurisdiction").order_by("reported_at", "pk")[:LIMIT]:
        rows.append(Item(title=clue.target.name, url=clue.get_absolute_url(),
                         note=f"{clue.get_source_display()} · {clue.description[:40]}", badge=_("线索待审批"),
                         badge_css="text-bg-primary", place=clue.target.jurisdiction.name))
    # Approved, and then "应立即开展现场检查": a clue without its 线索核查 waits for the admins who open it
    # (planning.services.do_open_clue_check) — unless the quarter's regular draw already took the firm for it.
    unchecked = queue.unchecked.mine
    for key, n in _counts(unchecked, "target__jurisdiction")[0].items():
        _add(by_place, key, n)
    for clue in unchecked.select_related("target__jurisdiction").order_by("decided_at", "pk")[:LIMIT]:
        rows.append(Item(title=clue.target.name, url=clue.get_absolute_url() + "#clue-check",
                         note=f"{clue.get_source_display()} · {clue.description[:40]}",
                         badge=_("待安排线索核查"), badge_css="text-bg-danger", place=clue.target.jurisdiction.name))

    decide = reverse("fieldwork:approvals")
    kinds = ((queue.amendments.mine, True, pgettext("workbench", "更正申请")),
             (queue.on_site.mine, False, _("正面清单企业现场检查")))
    for pending, amendment, label in kinds:
        place = "record__target__jurisdiction" if amendment else "target__jurisdiction"
        for key, n in _counts(pending, place)[0].items():
            _add(by_place, key, n)
        for request in pending.select_related(place, "record").order_by("requested_at", "pk")[:LIMIT]:
            target = request.record.target if amendment else request.target
            rows.append(Item(title=target.name, url=decide, note=f"{request.record.number} · {request.reason[:40]}",
                             badge=label, badge_css="text-bg-primary", place=target.jurisdiction.name))
    items = _items(_urgent_first(rows)[:LIMIT], by_place, late, decide)
    own = sum(split.own.count() for split in queue.splits)
    others = sum(split.others.count() for split in queue.splits)
    said = []
    if own:
        said.append(ngettext("您提交的 %(n)s 项待他人审批", "您提交的 %(n)s 项待他人审批", own) % {"n": own})
    if others:
        said.append(ngettext("另有 %(n)s 项由他人审批", "另有 %(n)s 项由他人审批", others) % {"n": others})
    items.aside = join_semicolon(said)
    return items


# --- 一公开 ------------------------------------------------------------------------------------------------


def unreleased_months(user, today: date) -> Items:
    """Months whose inspection results are not all released (``disclosure.services.month_states``): results
    not in a batch yet, or a batch not yet reviewed or released, each against the month's deadline. Last
    year's months too, all year: December's deadline falls in January, and a month of last year still open is
    the oldest debt — it used to drop off this list (and the city's table) on 1 April, still unpublished."""
    root = _root(user)
    if root is None or not user.oversees:
        return Items()
    years = [today.year - 1, today.year]
    # The running month's results are published after it ends: it is a task only once a batch of it exists.
    states = [s for year in years for s in disclosure.month_states(root, year, today) if not s.released
              and ((s.year, s.month) < (today.year, today.month) or any(not b.is_released for b in s.batches))]
    steps = {PublicationStatus.PREPARED: _("批次待审核"), PublicationStatus.REVIEWED: _("批次待发布")}
    by_place: dict[int, int] = {}
    late: dict[int, int] = {}
    rows = []
    for state in states:
        place = state.jurisdiction
        overdue = state.deadline is not None and today > state.deadline
        _add(by_place, place.pk)
        if overdue:
            _add(late, place.pk)
        waiting = next((b for b in state.batches if not b.is_released), None)
        if waiting is not None:
            url, badge = reverse("disclosure:batch_detail", args=[waiting.pk]), steps[waiting.status]
        else:
            url = f"{reverse('disclosure:overview')}?{urlencode({'year': state.year, 'jurisdiction': place.code})}"
            badge = _("待生成批次")
        note = ngettext("%(n)s 条已审核结果未公开", "%(n)s 条已审核结果未公开", state.unpublished) % {
            "n": state.unpublished} if state.unpublished else ""
        rows.append(Item(title=_("%(name)s%(year)d年%(month)d月抽查结果") % {
            "name": place.name, "year": state.year, "month": state.month}, url=url, due=state.deadline,
            overdue=overdue, due_label=pgettext("workbench", "公开期限"), note=note, badge=badge,
            due_pending="" if state.deadline else disclosure.pending_deadline_note(state.year, state.month),
            pending_year=None if state.deadline else disclosure.results_deadline_year(state.year, state.month),
            badge_css="text-bg-warning", place=place.name))
    return _items(_urgent_first(rows)[:LIMIT], by_place, late, reverse("disclosure:overview"))


def batches_to_review(user, today: date) -> Items:
    """Publication batches someone else prepared that this user may review (the second person: an admin of
    the jurisdiction or a leader above it; nobody reviews his own)."""
    if not (is_admin(user) or user.role == Role.LEADER):
        return Items()
    batches = (Publication.objects.visible_to(user).filter(status=PublicationStatus.PREPARED)
               .exclude(prepared_by=user))
    by_place, late = _counts(batches, "jurisdiction", Q(deadline__lt=today))
    rows = [Item(title=str(batch), url=reverse("disclosure:batch_detail", args=[batch.pk]), due=batch.deadline,
                 overdue=today > batch.deadline, due_label=pgettext("workbench", "公开期限"),
                 note=ngettext("%(n)s 条 · %(who)s 生成", "%(n)s 条 · %(who)s 生成", batch.row_count) % {
                     "n": batch.row_count, "who": batch.prepared_by.display_name if batch.prepared_by else "—"},
                 badge=_("待审核"), badge_css="text-bg-primary", place=batch.jurisdiction.name)
            for batch in batches.select_related("jurisdiction", "prepared_by").order_by("deadline", "pk")[:LIMIT]]
    return _items(rows, by_place, late, reverse("disclosure:overview"))


def pending_corrections(user) -> Items:
    """Published results behind their record (an approved amendment, a penalty decided, a redaction decision):
    ``disclosure.services.pending_corrections`` for the user's scope. Its cost grows with the published results
    that could have moved (penalised, amended or redacted records) — a few queries, but Python work per row."""
    root = _root(user)
    if root is None or not user.oversees:
        return Items()
    stale = disclosure.pending_corrections(root)
    by_place: dict[int, int] = {}
    for result, _record, _fresh in stale:
        _add(by_place, result.jurisdiction_id)
    url = reverse("disclosure:corrections")
    rows = [Item(title=f"{result.public_id} {result.target_name}", url=url, note=_("公开内容落后于检查记录"),
                 place=result.jurisdiction_name) for result, _record, _fresh in stale[:LIMIT]]
    return _items(rows, by_place, {}, url)


def waiting_objections(user) -> Items:
    """Enterprises' objections to their published results, not yet answered, oldest first (no deadline in the
    policy: the days they have waited are shown)."""
    if not (is_admin(user) or user.role == Role.LEADER):
        return Items()
    waiting = Objection.objects.visible_to(user).waiting()
    by_place, late = _counts(waiting, "jurisdiction")
    rows = [Item(title=f"{o.number} {o.organisation}", url=o.get_absolute_url(),
                 note=_("%(day)s 收到 · 对 %(id)s") % {"day": timezone.localdate(o.received_at).isoformat(),
                                                     "id": o.result.public_id},
                 badge=_("待答复"), badge_css="text-bg-warning", place=o.jurisdiction.name)
            for o in waiting.select_related("jurisdiction", "result").order_by("received_at", "pk")[:LIMIT]]
    return _items(rows, by_place, late, reverse("disclosure:objections"))


# --- reports to the city -----------------------------------------------------------------------------------

REMIND_DAYS = 31
"""How far ahead the reports due to the city are listed."""


def _report_url(deadline) -> str:
    """Where the report of ``deadline`` is made, prefilled for its period."""
    period = deadline.period
    year = period[:4]
    if deadline.kind == "registry_adjustment":
        return f"{reverse('registry:dynamic_report')}?{urlencode({'year': year, 'quarter': period[-1]})}"
    if deadline.kind == "annual_list":
        return f"{reverse('disclosure:overview')}?{urlencode({'year': year})}"
    query = {"kind": deadline.kind, "year": year}
    if deadline.kind == "monthly_detail":
        query["month"] = int(period[5:])
    else:
        query["quarter"] = period[-1]
    return f"{reverse('disclosure:reports')}?{urlencode(query)}"


@dataclass
class CalendarNeed:
    """The first deadline that cannot be counted without a year's holidays, and the earliest it can fall."""

    earliest: date
    what: str
    """The deadline in words, with its rule's citation."""


def first_need_of(year: int) -> CalendarNeed | None:
    """The first deadline that counts days of ``year`` in working days: a month's results deadline (N working days
    after the month, 附件 二(四)) that runs into ``year`` — December's, always, or an earlier month's when N is
    long — or, when the policy moves reporting dates off rest days, a report due in ``year``. While ``year`` is
    unknown its real day cannot be counted, so it is the earliest it can fall (``earliest_add_workdays``). A draw
    window in ``year`` (its first quarter's last days, for the second quarter) always comes later. None when no
    policy is in force for the year before."""
    calendar = gather.calendar()
    found: list[CalendarNeed] = []
    for month in range(1, 13):
        try:
            policy = policy_for(year - 1, (month - 1) // 3 + 1)
        except ValidationError:
            continue
        rule = policy.monthly_publication
        month_end = (date(year, 1, 1) if month == 12 else date(year - 1, month + 1, 1)) - timedelta(days=1)
        day = calendar.earliest_add_workdays(month_end, rule.workdays)
        if day.year >= year:  # the count reached into ``year``: the first such month is the earliest
            found.append(CalendarNeed(day, _("%(year)s年%(month)s月抽查结果的公开期限（当月结束后 %(n)s 个工作日）") % {
                "year": year - 1, "month": month, "n": rule.workdays}))
            break
    try:
        policy = policy_for(year - 1, 4)
    except ValidationError:
        policy = None
    if policy is not None and policy.reporting_calendar.shift_to_workday:
        # a date moved off a rest day only ever moves later: the date as written is the earliest
        unshifted = replace(policy, reporting_calendar=replace(policy.reporting_calendar, shift_to_workday=False))
        due = [d for y in (year - 1, year) for d in calendar.reporting_deadlines(unshifted, y) if d.due.year == year]
        if due:
            first = min(due, key=lambda d: d.due)
            found.append(CalendarNeed(first.due, system_text(first.description)))
    return min(found, key=lambda need: need.earliest) if found else None


def calendar_years(user, today: date) -> Items:
    """For the city office, who enters them: the years the coming months need whose holidays and 调休 the
    calendar does not know yet. Until they are in, no deadline counted in working days in them can be
    computed; the State Council's notice comes out in November or December. The item is due the day before the
    first deadline that needs the year (``first_need_of``: December's results deadline, in January), and says
    which it is."""
    if not keeps_reference_data(user):
        return Items()
    known = gather.calendar()
    rows = []
    for year in years_needed(today):
        if known.knows(year):
            continue
        need = first_need_of(year)
        due = need.earliest - timedelta(days=1) if need else date(year - 1, 12, 31)
        note = _("国务院办公厅通知发布后录入；此前该年以工作日计算的期限无法确定")
        if need:
            note = _("国务院办公厅通知发布后录入：%(what)s按%(year)s年的工作日计算，最早在 %(day)s，须在此前录入") % {
                "what": need.what, "year": year, "day": need.earliest.isoformat()}
        rows.append(Item(title=_("录入%(year)s年放假和调休安排") % {"year": year},
                         url=f"{reverse('registry:workdays')}?year={year}", due=due, overdue=today > due,
                         badge=_("日历未知"), badge_css="text-bg-danger", note=note,
                         due_label=pgettext("workbench", "录入期限")))
    return Items(items=rows, total=len(rows), overdue=sum(1 for row in rows if row.overdue),
                 more_url=reverse("registry:workdays"))


def _annual_lists_out(user, years: set[int]) -> set[int]:
    """The years whose list of targets under random inspection every county in the user's scope has released."""
    if not years:
        return set()
    counties = set(Jurisdiction.objects.visible_to(user).filter(level=Level.COUNTY).values_list("pk", flat=True))
    released: dict[int, set[int]] = {}
    for year, place in (Publication.objects.visible_to(user)
                        .filter(kind=PublicationKind.ANNUAL_LIST, year__in=years, status=PublicationStatus.RELEASED)
                        .order_by().values_list("year", "jurisdiction_id").distinct()):
        released.setdefault(year, set()).add(place)
    return {year for year in years if counties and counties <= released.get(year, set())}


def makes_reports(user) -> bool:
    """Whose bureau owes the reports to the city: an admin bound to a jurisdiction (a county's, the city office).
    A superuser bound to none belongs to no bureau — he administers the system, owes no report, and reads any
    bureau's on the 报送材料 page — so their deadlines are no reminder of his, as they are none of a leader's."""
    return is_admin(user) and user.jurisdiction_id is not None


def reporting_reminders(user, today: date) -> Items:
    """Reports due to the city in the next ``REMIND_DAYS`` days (the engine's ``reporting_deadlines``).
    Reminders only: whether the stamped paper went out is not in the system, so none is ever overdue. The
    year's list of targets is in the system, though: once every county of the scope has released it, it is no
    longer reminded (it was, all January, after the lists were out)."""
    if not makes_reports(user):
        return Items()
    upcoming = reports.upcoming(today, REMIND_DAYS)
    out = _annual_lists_out(user, {int(d.period) for d in upcoming if d.kind == "annual_list"})
    rows = [Item(title=system_text(deadline.description), url=_report_url(deadline), due=deadline.due,
                 note=citation_line(deadline.citation), due_label=pgettext("workbench", "报送期限"))
            for deadline in upcoming if not (deadline.kind == "annual_list" and int(deadline.period) in out)]
    return Items(items=rows[:LIMIT], total=len(rows), more_url=reverse("disclosure:reports"))


# --- the page ------------------------------------------------------------------------------------------------


def _places(user, root: Jurisdiction) -> list[Jurisdiction]:
    return list(Jurisdiction.objects.visible_to(user).filter(path__startswith=root.path,
                                                             level__in=[Level.CITY, Level.COUNTY]).order_by("path"))


def _column_specs() -> list[tuple[str, str]]:
    """The table's count columns: (section key, short heading). Each row counts its own place's items; 待您审批 says
    whose decision it counts (the reader's, as the section and the 审批 page): a county's plan requests the city
    decides are on that county's row, and the city's row holds its own plans' requests (another admin's, as nobody
    decides his own) — the column sums to the section's count, and each cell opens exactly its rows."""
    return [("overdue_tasks", _("逾期任务")), ("review", _("待审核记录")), ("follow_ups", _("逾期问题")),
            ("months", _("未公开月份")), ("batches", _("待审批次")), ("corrections", _("待更正")),
            ("objections", _("待答复异议")), ("approvals", _("待您审批"))]


def _counted_in_counties() -> dict[str, str]:
    """The columns counted by the firm's county — the overdue problems and the 一公开 ones — and what the city's row
    says of them when it has none.

    A problem follows the firm (``FollowUp.followed_up_by``): the county whose firm it is follows it up and counts
    it, whoever's plan drew the visit. A result is published in the month of the firm's county
    (``disclosure.month_states``, ``publishable_records``), and its batch, its pending corrections and its objections
    are that county's: the city's own plans' problems and results are on the counties' rows, and its row read "–",
    as if it had nothing to follow up or publish. It says where they are instead, as 完成情况's 结果公开 does
    (``completion._results``), and links to the page that lists them."""
    return {
        "follow_ups": _("问题随企业，由检查对象所在县（市、区）督办，本级计划发现的问题也计入各县一行"),
        "months": _("本级计划的检查结果由检查对象所在县（市、区）按月公开，计入各县一行"),
        "batches": _("公开批次按检查对象所在县（市、区）逐月生成，本级计划的结果在其中，计入各县一行"),
        "corrections": _("待更正的公开结果计入检查对象所在县（市、区）一行，本级计划的结果也是"),
        "objections": _("异议由结果所属的县（市、区）答复，计入各县一行，对本级计划结果的异议也是"),
    }


def _cell_urls() -> dict[str, tuple[str, ...]]:
    """Where each kind of item is listed, and which key of a county narrows that list to it (as the parameter
    ``jurisdiction`` unless a third element names another: the overdue tasks and the records to review by the plan's
    owner): reversed once per
    page, not once per cell (a province's table has a thousand cells, and reversing them took half the page's
    time)."""
    return {
        "overdue_tasks": (f"{reverse('planning:task_list')}?overdue=1&", "pk", "drawn_by"),
        "review": (f"{reverse('fieldwork:record_list')}?state=pending&", "pk", "drawn_by"),
        "follow_ups": (f"{reverse('fieldwork:followup_list')}?state=overdue&", "pk"),
        "months": (f"{reverse('disclosure:overview')}?", "code"),
        "batches": (f"{reverse('disclosure:overview')}?", "code"),
        "corrections": (reverse("disclosure:corrections"), ""),
        "objections": (f"{reverse('disclosure:objections')}?", "pk"),
        "approvals": (f"{reverse('fieldwork:approvals')}?", "pk"),
    }


def _cell_url(urls: dict[str, tuple[str, ...]], key: str, place: Jurisdiction) -> str:
    """The list of one kind of item narrowed to one county, where the page has that filter."""
    base, by, *named = urls[key]
    return base + urlencode({named[0] if named else "jurisdiction": getattr(place, by)}) if by else base


def _county_rows(user, workbench: Workbench, windows: tuple[DrawWindow, DrawWindow]) -> None:
    """The city's table: per county, where its regular plans stand and how many items of each kind it has,
    overdue in red — the sections' own counts per jurisdiction, so no queries but the plans' and the places'."""
    root = _root(user)
    if root is None:
        return
    places = _places(user, root)
    if len(places) < 2:
        return
    current, following = windows
    today = workbench.today
    states = regular_plan_states(user, windows, today)
    # How many joint plans each place has this quarter, and how many of them are not drawn yet: one not drawn once
    # the draw window has closed is as late as a regular one (its own workbench lists it overdue, 完成情况 says 未达标),
    # where the table showed "1 个计划" as if all were well.
    undrawn = ~Q(status__in=[PlanStatus.DRAWN, PlanStatus.DISPATCHED])
    joint_plans = {row["jurisdiction"]: (row["n"], row["undrawn"]) for row in (
        Plan.objects.visible_to(user).filter(kind=PlanKind.JOINT, year=current.year, quarter=current.quarter)
        .order_by().values("jurisdiction").annotate(n=Count("pk"), undrawn=Count("pk", filter=undrawn)))}
    keyed = {s.key: s.items for s in workbench.sections}
    columns = [(key, title) for key, title in _column_specs() if key in keyed]
    workbench.columns = [title for _key, title in columns]
    urls = _cell_urls()
    elsewhere = _counted_in_counties()
    joint_url = reverse("planning:plan_list")
    for place in places:
        cells = [Cell(keyed[key].by_place.get(place.pk, 0), keyed[key].overdue_by_place.get(place.pk, 0),
                      _cell_url(urls, key, place), title) for key, title in columns]
        for (key, _title), cell in zip(columns, cells, strict=True):
            if past := keyed[key].earlier_by_place.get(place.pk):
                cell.earlier, cell.earlier_note = sum(past.values()), earlier_text(past)
        if place.level != Level.COUNTY:
            for (key, _title), cell in zip(columns, cells, strict=True):
                if key in elsewhere and not cell.n:
                    # the whole list, not this place's: narrowed to the city it showed no month of its own
                    cell.elsewhere, cell.url = elsewhere[key], urls[key][0].rstrip("?&")
                elif key == "follow_ups":
                    # the problems of the firms registered at the city itself: ``jurisdiction`` lists its
                    # counties' too, more than the cell counts
                    cell.url = urls[key][0] + urlencode({"place": place.pk})
        now = states.get((place.pk, current.year, current.quarter))
        later = states.get((place.pk, following.year, following.quarter))
        now_missing = now is None and current.closed(today)
        later_missing = later is None and following.closed(today)
        joints, joints_undrawn = joint_plans.get(place.pk, (0, 0))
        joint = Cell(joints, (joints_undrawn or int(not joints)) if current.closed(today) else 0,
                     f"{joint_url}?"
                     + urlencode({"period": f"{current.year}-{current.quarter}", "kind": PlanKind.JOINT,
                                  "jurisdiction": place.pk, "level": place.level}))
        behind = (sum(1 for cell in cells if cell.late) + int(now_missing or bool(now and now.late))
                  + int(later_missing or bool(later and later.late)) + int(bool(joint.late)))
        workbench.rows.append(CountyRow(place, now, later, now_missing, later_missing, cells, joint, behind))
        if now_missing or (now and now.late) or joint.late:
            workbench.draw_late = current.late_hint(today)
    # The user's own jurisdiction (the city's own plans) first, then the counties furthest behind; the sort is
    # stable, so counties equally behind stay in the order of their codes.
    workbench.rows.sort(key=lambda row: (row.jurisdiction.pk != root.pk, -row.behind))


def for_user(user, today: date | None = None) -> Workbench:
    """The workbench of ``user``: the kinds of items his role acts on, each already scoped to him."""
    today = today or timezone.localdate()
    year, quarter = today.year, quarter_of(today)
    following = next_quarter(year, quarter)
    workbench = Workbench(today, year, quarter, *following)
    sections = workbench.sections
    if is_inspector(user):
        sections += [Section("tasks", _("我的检查任务"), my_open_tasks(user, today),
                             empty=_("没有待完成的检查任务。计划派发后，任务会出现在这里。")),
                     Section("follow_ups", _("待办结的问题"), open_follow_ups(user, today))]
    elif user.oversees or user.role == Role.DEPARTMENT:
        windows = (draw_window(year, quarter), draw_window(*following))
        sections += [
            Section("plans", _("本季度抽查计划（%(period)s）") % {"period": quarter_text(year, quarter)},
                    quarter_plans(user, year, quarter, windows[0], today), lead=True),
            Section("next", _("下季度抽取（%(period)s）") % {"period": quarter_text(*following)},
                    quarter_plans(user, *following, windows[1], today), hint=windows[1].hint(today), lead=True,
                    calendar_years=[windows[1].unknown_year] if windows[1].unknown_year else []),
        ]
        if sections[0].items.overdue:
            # The quarter's first days: its plans not drawn are late — the draw, not yet the checks; said so.
            sections[0].hint = windows[0].late_hint(today)
        if is_admin(user):
            if keeps_reference_data(user):
                # Only the city office enters the holidays: to a county admin an empty section would read
                # "目前没有待办：工作日安排" while the next year's is still missing (the sections that need it say so).
                sections.append(Section("calendar", _("工作日安排"), calendar_years(user, today), lead=True))
            sections += [
                Section("approvals", _("待审批"), approvals(user, today)),
                Section("overdue_tasks", _("逾期未提交记录的任务"), overdue_tasks(user, today)),
                Section("overlaps", _("同一单位多项任务"), overlapping_tasks(user, today),
                        hint=_("同一单位有两项以上未完成的任务（至少一项是本季度或以后的，上季度逾期的也算），"
                               "原则上应一次完成（实施方案 二(五)），可安排同日检查")),
                Section("review", _("待审核的检查记录"), records_awaiting_review(user, today)),
                Section("follow_ups", _("逾期未办结的问题"), open_follow_ups(user, today, overdue_only=True)),
                Section("months", _("月度结果公开"), unreleased_months(user, today)),
                Section("batches", _("待您审核的公开批次"), batches_to_review(user, today)),
                Section("corrections", _("待更正的公开结果"), pending_corrections(user)),
                Section("objections", _("待答复的异议"), waiting_objections(user)),
            ]
            if makes_reports(user):
                # Not an empty section for a superuser bound to no jurisdiction: he makes no report.
                sections.append(Section("reports", _("近期报送"), reporting_reminders(user, today),
                                        hint=_("向市局报送的材料及其期限（实施方案 四(三)）；是否已报送以纸质件为准")))
            _county_rows(user, workbench, windows)
        elif user.oversees:
            # A leader reads where his jurisdiction stands — the same items and table, nothing to act on but
            # the batches a second person must review.
            sections += [
                Section("batches", _("待您审核的公开批次"), batches_to_review(user, today)),
                Section("overdue_tasks", _("逾期未提交记录的任务"), overdue_tasks(user, today)),
                Section("overlaps", _("同一单位多项任务"), overlapping_tasks(user, today),
                        hint=_("同一单位有两项以上未完成的任务（至少一项是本季度或以后的，上季度逾期的也算），"
                               "原则上应一次完成（实施方案 二(五)），可安排同日检查")),
                Section("review", _("待审核的检查记录"), records_awaiting_review(user, today)),
                Section("follow_ups", _("逾期未办结的问题"), open_follow_ups(user, today, overdue_only=True)),
                Section("months", _("月度结果公开"), unreleased_months(user, today)),
                Section("corrections", _("待更正的公开结果"), pending_corrections(user)),
                Section("objections", _("待答复的异议"), waiting_objections(user)),
            ]
            _county_rows(user, workbench, windows)
    for section in sections:
        if section.items.earlier:
            # A task overdue since a quarter gone by is still to be done: said with its quarter, as the rows say it.
            section.hint = _("其中往季度的任务：%(quarters)s；季度过了仍须检查并提交记录（列表中标明季度）") % {
                "quarters": earlier_text(section.items.earlier)}
        # a deadline the calendar cannot count yet (December's results, a draw in an unknown year): the section
        # says which year's holidays are missing and where they are entered, to every role that sees it
        section.calendar_years = sorted({*section.calendar_years, *(
            item.pending_year for item in section.items.items if item.pending_year)})
        for item in section.items.items:
            if item.due is not None:
                item.days_left = (item.due - today).days
                # A context of its own: other apps translate the bare word as a column heading.
                item.due_label = item.due_label or pgettext("workbench", "期限")
    return workbench


@dataclass(frozen=True)
class SetUpStep:
    title: str
    done: bool
    url: str
    how: str


def first_day(user) -> list[SetUpStep]:
    """The first day's steps (docs/operations.md, "The first day"), while any is still to do in ``user``'s scope;
    empty once all are done. An empty database's home page otherwise shows nothing but zeros and overdue
    plans: the superuser and the admins are shown what comes next, in the order the imports need.

    A handful of EXISTS queries, so the page stays cheap once the registries are full."""
    if not is_admin(user):
        return []
    steps = []
    if user.is_superuser:
        steps += [
            SetUpStep(_("行政区"), Jurisdiction.objects.exists(), reverse("admin:registry_jurisdiction_add"),
                      _("管理后台：先省，再以省为上级的市，再以市为上级的各县（区）")),
            SetUpStep(_("业务专长"), Specialty.objects.exists(), reverse("admin:registry_specialty_add"),
                      _("管理后台：执法人员的业务专长、事项的所需专长须是其中之一")),
            SetUpStep(_("市局管理员账号"), User.objects.filter(role=Role.CITY_ADMIN, is_active=True).exists(),
                      reverse("accounts:user_create"),
                      _("角色市局管理员，行政区为本市；他再开通各县（区）管理员的账号")),
        ]
    steps += [
        SetUpStep(_("科室"), Department.objects.visible_to(user).exists(), reverse("registry:department_create"),
                  _("执法人员的科室、事项的责任科室和配合科室须是其中之一")),
        SetUpStep(_("抽查事项"), CheckItem.objects.visible_to(user).exists(),
                  reverse("registry:excel_import", args=["items"]), _("下载模板填写后导入")),
        SetUpStep(_("检查对象"), Target.objects.visible_to(user).exists(),
                  reverse("registry:excel_import", args=["targets"]), _("下载模板填写后导入")),
        SetUpStep(_("执法人员"), Inspector.objects.visible_to(user).exists(),
                  reverse("registry:excel_import", args=["inspectors"]),
                  _("下载模板填写后导入；再导入回避名单，并为执法人员开通账号")),
    ]
    return steps if not all(step.done for step in steps) else []
