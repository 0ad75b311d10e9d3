"""The reports a county (and the city office) owes the city (实施方案 四(三)), as plain data.

每月5日前 the month's detail sheet (情况明细表): one row per inspection of the month; by Apr 10, Jul 5, Oct 11
and Dec 25 the quarter's status (监管工作落实情况). Nothing is computed afresh that another app already
keeps: the month's records are the ones 一公开 publishes (``InspectionRecord.objects.publishable()``, read as
``services.result_row`` reads them), the quarter's minimums and requests are the plans' ``PlanStratum`` rows,
publication deadlines are the batches' own and ``services.month_states``. ``report_books`` writes these as
workbooks; the page is ``views_staff.reports``.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from shuangsuiji.disclosure import services
from shuangsuiji.disclosure.models import DrawVerification, Outcome, PublishedResult
from shuangsuiji.disclosure.public import stored_label
from shuangsuiji.engine.workdays import Deadline
from shuangsuiji.fieldwork.models import (
    FollowUp,
    FollowUpStatus,
    Handling,
    InspectionRecord,
    Mode,
    Signature,
    SignerRole,
)
from shuangsuiji.fieldwork.models import Outcome as ItemOutcome
from shuangsuiji.intake.services import policy_for
from shuangsuiji.planning.gather import calendar, quarter_end, quarter_start
from shuangsuiji.planning.models import (
    DRAWN_STRATA,
    Draw,
    DrawStatus,
    Plan,
    PlanKind,
    Stratum,
    TaskPlan,
)
from shuangsuiji.punctuation import bracketed, colon, comma, join_semicolon, join_sep
from shuangsuiji.registry.models import Jurisdiction

MONTHLY = "monthly_detail"
QUARTERLY = "quarterly_status"


# --- deadlines -----------------------------------------------------------------------------------------------


def deadlines(year: int) -> tuple[Deadline, ...]:
    """Every report due to the city for the periods of ``year`` (the engine's ``reporting_deadlines``), none
    when no policy is in force that year; a deadline the calendar cannot count yet (a policy that moves dates
    to working days, December's detail before the next year's holidays are entered) is left out, not the
    year's other reports with it."""
    try:
        return calendar().reporting_deadlines(policy_for(year, 1), year, known_only=True)
    except ValidationError:
        return ()


def deadline_of(kind: str, period: str) -> Deadline | None:
    """The deadline of one report: ``kind`` as the engine names it, ``period`` "2026-03" or "2026Q1"."""
    year = int(period[:4])
    return next((d for d in deadlines(year) if d.kind == kind and d.period == period), None)


def upcoming(today: date, days: int = 31) -> list[Deadline]:
    """Reports due from ``today`` to ``days`` ahead. Last year's December detail is due in January and next
    year's annual list early in the year, so three years of deadlines are looked at."""
    last = date.fromordinal(today.toordinal() + days)
    found = [d for year in (today.year - 1, today.year, today.year + 1) for d in deadlines(year)
             if today <= d.due <= last]
    return sorted(found, key=lambda d: (d.due, d.kind, d.period))


# --- the monthly detail sheet --------------------------------------------------------------------------------


@dataclass
class DetailRow:
    number: int
    target_name: str
    credit_code: str
    jurisdiction: str
    stratum: str
    plan: str
    inspected_on: str
    mode: str
    team: str
    outcome: str
    problems: str
    record_number: str
    published: bool


def month_records(jurisdiction: Jurisdiction, year: int, month: int):
    """The month's random inspections in ``jurisdiction``'s subtree that count: sealed, passed in review, not
    replaced by a passed amendment (``publishable()``, what 一公开 publishes), re-checks left out. Unlike
    ``services.publishable_records`` the ones already published stay in: the sheet reports the month, not
    what is left to publish."""
    start, end = services.month_bounds(year, month)
    return (InspectionRecord.objects.publishable()
            .filter(target__jurisdiction__path__startswith=jurisdiction.path, task__isnull=False,
                    ended_at__gte=start, ended_at__lt=end)
            .select_related("target__jurisdiction", "task", "amends")
            .prefetch_related("signatures", "items__follow_up__penalty",
                              Prefetch("task__selections", queryset=TaskPlan.objects.select_related(
                                  "plan__jurisdiction", "plan__department")))
            .order_by("target__jurisdiction__path", "ended_at", "id"))


def unreviewed_count(jurisdiction: Jurisdiction, year: int, month: int) -> int:
    """Sealed inspections of the month still waiting for review: not on the sheet yet, said on the page."""
    start, end = services.month_bounds(year, month)
    return (InspectionRecord.objects.awaiting_review()
            .filter(target__jurisdiction__path__startswith=jurisdiction.path, task__isnull=False,
                    ended_at__gte=start, ended_at__lt=end).count())


def _team(record: InspectionRecord) -> str:
    """Who inspected: the officers and experts who signed the sealed record, experts marked."""
    signers = sorted((s for s in record.signatures.all() if s.role != SignerRole.SITE_MANAGER),
                     key=lambda s: (s.role != SignerRole.OFFICER, s.pk))
    expert = _("（专家）")
    return join_sep(f"{s.name}{expert}" if s.role == SignerRole.EXPERT else s.name for s in signers)


def _problems(row: dict) -> str:
    """The problems of a row, one a line, in the active language: the page's preview passes the reader's, the
    workbook runs under Chinese, where this gives the words and marks the city's form has always had
    ("项目：问题；立案处罚（整改期限2026-09-30），处罚决定书X")."""
    parts = []
    for problem in row["problems"]:
        text = f"{problem['item']}{colon()}{problem['description']}"
        # stored as its Chinese label (the row is the public's copy), said in the active language
        handling = stored_label(problem["handling"], Handling)
        if problem["deadline"]:
            handling += bracketed(_("整改期限%(deadline)s") % {"deadline": problem["deadline"]})
        if problem["decision_number"]:
            handling += comma() + _("处罚决定书%(number)s") % {"number": problem["decision_number"]}
        # a deadline without a handling would open with English's space before the bracket
        handling = handling.lstrip()
        parts.append(join_semicolon((text, handling)) if handling else text)
    return "\n".join(parts)


def monthly_detail(jurisdiction: Jurisdiction, year: int, month: int,
                   language: str = settings.LANGUAGE_CODE) -> list[DetailRow]:
    """The rows of the month's detail sheet, in the system's language (the sheet goes to the city on paper);
    the page's preview passes the reader's, so an English page does not show its fixed words in Chinese."""
    records = list(month_records(jurisdiction, year, month))
    published = set(PublishedResult.objects.published()
                    .filter(public_id__in=[services.root_number(r) for r in records])
                    .values_list("public_id", flat=True))
    rows = []
    with translation.override(language):
        strata = dict(Stratum.choices)
        for n, record in enumerate(records, start=1):
            row = services.result_row(record)  # the same reading of a record as the published one
            selection = min((s for s in record.task.selections.all() if s.active), key=lambda s: s.pk, default=None)
            stratum = ""
            if selection is not None and selection.plan.targets_given:
                # targeted (实施方案 二(三)) or drawn by another department (二(五)): not the bureau's random draw
                stratum = str(selection.plan.get_kind_display())
            elif selection is not None:
                stratum = str(strata[Stratum.JOINT if selection.plan.is_joint else selection.stratum])
            rows.append(DetailRow(
                number=n, target_name=row["target_name"], credit_code=row["credit_code"],
                jurisdiction=record.target.jurisdiction.name, stratum=stratum, plan=row["plan_label"],
                inspected_on=row["inspected_on"], mode=record.get_mode_display(), team=_team(record),
                outcome=str(Outcome(row["outcome"]).label),
                problems=_problems(row), record_number=record.number,
                published=services.root_number(record) in published))
    return rows


# --- the quarterly status ------------------------------------------------------------------------------------


@dataclass
class StratumCount:
    minimum: int = 0
    requested: int = 0
    drawn: int = 0
    inspected: int = 0
    with_problems: int = 0


@dataclass
class PlaceStatus:
    """One jurisdiction's quarter: what its own plans required and did."""

    jurisdiction: Jurisdiction
    strata: dict[str, StratumCount] = field(default_factory=lambda: {s: StratumCount() for s in DRAWN_STRATA})
    joint_tasks: int = 0
    joint_inspected: int = 0
    clue_tasks: int = 0
    """线索核查 (实施方案 二(三)): targeted checks of positive-list firms on an approved clue, shown beside the random
    inspections and counted in none of their figures (strata, inspectors, problems found)."""
    clue_inspected: int = 0
    cross_tasks: int = 0
    """跨部门联合抽查 (实施方案 二(五)): targets drawn by the initiating department on the 协同监管平台, shown beside
    the random inspections and, like a clue check, counted in none of their figures."""
    cross_inspected: int = 0
    off_site: int = 0
    """The random inspections (strata and internal joint) whose current record is a 非现场检查: the share the city
    watches, for off-site checks are the cheap way to a quota (a desk look at online data counted as a visit)."""
    inspectors: set[int] = field(default_factory=set)
    problems: int = 0
    closed: int = 0
    cases: int = 0
    penalties: int = 0
    transfers: int = 0
    months_due: int = 0
    months_on_time: int = 0
    draws: int = 0
    draws_verified: int = 0

    @property
    def inspector_count(self) -> int:
        return len(self.inspectors)

    @property
    def random_inspected(self) -> int:
        """Random inspections with a sealed record: every drawn stratum's and the internal joint ones."""
        return sum(count.inspected for count in self.strata.values()) + self.joint_inspected

    @property
    def all_off_site(self) -> bool:
        """Every random inspection of the quarter done off site. 实施方案 二(四) allows "现场或'非现场'检查方式",
        but a county that does none on site is the pattern MEE's paper warned of (中国环境报 2024-12, "警惕过度
        追求非现场执法比重的倾向"), so the city is shown it to ask why."""
        return self.random_inspected > 0 and self.off_site == self.random_inspected

    @property
    def off_site_share(self) -> str:
        """"off-site/inspected", or "—" where nothing was inspected yet."""
        return f"{self.off_site}/{self.random_inspected}" if self.random_inspected else "—"

    @property
    def months_published(self) -> str:
        """"on time/due", or "—" where no month's results were due: a city's own inspections are published
        under its counties, and its row read "0/0", as if none of its months had been on time."""
        return f"{self.months_on_time}/{self.months_due}" if self.months_due else "—"


@dataclass
class MonthRow:
    jurisdiction: str
    month: int
    deadline: date | None
    """None while the working days it falls in are unknown (``services.known_results_deadline``)."""
    released_on: date | None
    state: str


@dataclass
class DrawRow:
    plan: str
    drawn_on: date | None
    revealed: bool
    verified: str


@dataclass
class QuarterStatus:
    places: list[PlaceStatus]
    months: list[MonthRow]
    draws: list[DrawRow]

    @property
    def all_off_site(self) -> list[str]:
        """The places whose every random inspection so far was off site, for the note under the table."""
        return [place.jurisdiction.name for place in self.places if place.all_off_site]

    def total(self) -> PlaceStatus:
        """The sum over the places, for the city's last row."""
        total = PlaceStatus(self.places[0].jurisdiction if self.places else Jurisdiction())
        for place in self.places:
            for key, count in place.strata.items():
                into = total.strata[key]
                for name in ("minimum", "requested", "drawn", "inspected", "with_problems"):
                    setattr(into, name, getattr(into, name) + getattr(count, name))
            for name in ("joint_tasks", "joint_inspected", "clue_tasks", "clue_inspected", "cross_tasks",
                         "cross_inspected", "off_site",
                         "problems", "closed", "cases", "penalties", "transfers",
                         "months_due", "months_on_time", "draws", "draws_verified"):
                setattr(total, name, getattr(total, name) + getattr(place, name))
            total.inspectors |= place.inspectors
        return total


def _current_records(task_ids: list[int]) -> dict[int, InspectionRecord]:
    """Each task's record as it stands: the newest sealed one (an amendment replaces what it amends)."""
    current: dict[int, InspectionRecord] = {}
    for record in (InspectionRecord.objects.sealed().filter(task_id__in=task_ids)
                   .prefetch_related("items").order_by("sealed_at", "pk")):
        current[record.task_id] = record
    return current


def quarterly_status(jurisdiction: Jurisdiction, year: int, quarter: int, today: date | None = None
                     ) -> QuarterStatus:
    """The quarter of every jurisdiction in ``jurisdiction``'s subtree that has plans or results to publish:
    per stratum the policy minimum and the plan's request (``PlanStratum``), the tasks drawn (active
    selections), inspected (a sealed record) and with problems (the current record found one); joint
    inspections; the inspectors who signed the inspected tasks' records; the problems' handling (``FollowUp``); months
    whose results were due and released on time (``services.month_states``); draws revealed and verified."""
    today = today or timezone.localdate()
    plans = list(Plan.objects.filter(jurisdiction__path__startswith=jurisdiction.path, year=year, quarter=quarter)
                 .select_related("jurisdiction", "department").prefetch_related("strata")
                 .order_by("jurisdiction__path", "kind", "pk"))
    places: dict[int, PlaceStatus] = {}

    def place(where: Jurisdiction) -> PlaceStatus:
        return places.setdefault(where.pk, PlaceStatus(where))

    selections = list(TaskPlan.objects.filter(plan__in=[p.pk for p in plans], active=True)
                      .values_list("plan_id", "task_id", "stratum"))
    current = _current_records([task_id for _plan, task_id, _stratum in selections])
    members: dict[int, set[int]] = defaultdict(set)
    # Who went: the officers and experts who signed the visit's record (its first, sealed one: an amendment corrects
    # the record, not who went), as the monthly sheet names them. The record was signed by the team as told when it
    # was sealed (``team_places`` then): a merged visit's officers from another plan's draw not dispatched yet were
    # told nothing of it and did not go, and they still did not once that plan is dispatched after the seal — the
    # team now (``team_places``) has them, the record does not.
    for task_id, inspector_id in Signature.objects.filter(
            record__task_id__in=list(current), record__amends__isnull=True, record__sealed_at__isnull=False,
            inspector__isnull=False).values_list("record__task_id", "inspector_id"):
        members[task_id].add(inspector_id)
    by_plan = {plan.pk: plan for plan in plans}
    for plan in plans:
        status = place(plan.jurisdiction)
        if plan.kind == PlanKind.REGULAR:
            for stratum in plan.strata.all():
                if stratum.stratum in status.strata:
                    status.strata[stratum.stratum].minimum += stratum.minimum
                    status.strata[stratum.stratum].requested += stratum.requested
    for plan_id, task_id, stratum in selections:
        plan = by_plan[plan_id]
        status = place(plan.jurisdiction)
        record = current.get(task_id)
        if plan.is_clue_check:
            status.clue_tasks += 1
            status.clue_inspected += record is not None
            continue
        if plan.is_cross_department:
            status.cross_tasks += 1
            status.cross_inspected += record is not None
            continue
        if record is not None:
            status.inspectors |= members[task_id]
        if plan.is_joint:
            status.joint_tasks += 1
            status.joint_inspected += record is not None
            status.off_site += record is not None and record.mode == Mode.OFF_SITE
            continue
        count = status.strata.get(stratum)
        if count is None:
            continue
        count.drawn += 1
        if record is not None:
            count.inspected += 1
            status.off_site += record.mode == Mode.OFF_SITE
            count.with_problems += any(i.outcome == ItemOutcome.PROBLEM for i in record.items.all())

    # Problems found in the quarter's random inspections, where they stand now (闭环); a clue check's and a
    # cross-department check's are their own.
    plan_of_task = {task_id: plan_id for plan_id, task_id, _stratum in selections
                    if not by_plan[plan_id].targets_given}
    for follow_up in FollowUp.objects.filter(record__task_id__in=list(plan_of_task)).select_related("record"):
        status = place(by_plan[plan_of_task[follow_up.record.task_id]].jurisdiction)
        status.problems += 1
        status.closed += follow_up.status == FollowUpStatus.CLOSED
        status.cases += follow_up.handling == Handling.CASE
        status.penalties += follow_up.penalty_id is not None
        status.transfers += follow_up.handling in (Handling.TRANSFER, Handling.JUDICIARY)

    months = []
    quarter_months = range(3 * quarter - 2, 3 * quarter + 1)
    for state in services.month_states(jurisdiction, year, today):
        if state.month not in quarter_months:
            continue
        status = place(state.jurisdiction)
        released = [b.released_at for b in state.batches if b.released_at is not None]
        released_on = timezone.localdate(max(released)) if released else None
        # December's deadline falls in January: until next year's holidays are entered it is not known, and a month
        # without a known deadline is not yet due (the fourth quarter's status is owed by 25 December).
        past_due = state.deadline is not None and today > state.deadline
        if state.released:
            on_time = not state.overdue(today)
            label = "按期公开" if on_time else "逾期公开"
        else:
            on_time = False
            label = ("逾期未公开" if past_due else "未到期，待公开" if state.deadline
                     else "期限待定（待录入放假安排），待公开")
        if past_due or state.released:
            status.months_due += 1
            status.months_on_time += on_time
        months.append(MonthRow(state.jurisdiction.name, state.month, state.deadline, released_on, label))

    draws = []
    verified = dict(DrawVerification.objects.filter(draw__plan__in=[p.pk for p in plans]).order_by("checked_at", "pk")
                    .values_list("draw_id", "ok"))
    for draw in (Draw.objects.filter(plan__in=[p.pk for p in plans]).exclude(status=DrawStatus.SUPERSEDED)
                 .exclude(drawn_at__isnull=True).order_by("plan__jurisdiction__path", "plan_id", "number")):
        plan = by_plan[draw.plan_id]
        status = place(plan.jurisdiction)
        status.draws += 1
        ok = verified.get(draw.pk)
        status.draws_verified += ok is True
        label = ("验证通过" if ok else "验证未通过") if ok is not None else (
            "未验证" if plan.revealed_at else "密钥未公开")
        draws.append(DrawRow(str(plan), timezone.localdate(draw.drawn_at), plan.revealed_at is not None, label))

    ordered = sorted(places.values(), key=lambda p: p.jurisdiction.path)
    return QuarterStatus(ordered, months, draws)


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    return quarter_start(year, quarter), quarter_end(year, quarter)
