"""完成情况: the city's periodic assessment of each place's random-inspection work for one quarter (实施方案 (十四)
强化日常督导 "做好对随机抽查工作完成情况的阶段性考核"; 二 "对各县（市、区）随机抽查工作情况进行考核").

Nothing is worked out here that another page already works out: the plans published and their deadline are the
portal's quarter overview (``disclosure.public.places_quarter``), the key units' minimum is the one the plan stored
when it was made (``PlanStratum``), overdue tasks are ``planning.models.past_due`` as on the task list and the
workbench, the months' results are ``disclosure.services.month_states`` as on the 一公开 page, and the year's joint
inspections of key units are the quota's own count (``gather.year_progress``, ``quotas.joint_annual_minimum``).
Each place's tasks are those of its own plans (a city plan's task in a county is the city's work), read through
``visible_tasks``. The queries grow with the places, never with the tasks or records.
"""

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import BooleanField, Case, Count, Exists, OuterRef, Q, Value, When
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from shuangsuiji.accounts.workbench import _places, _root
from shuangsuiji.disclosure import public
from shuangsuiji.disclosure import services as disclosure
from shuangsuiji.engine.quotas import joint_annual_minimum
from shuangsuiji.fieldwork.models import InspectionRecord, RecordReview, of_tasks, owners
from shuangsuiji.intake.services import policy_for
from shuangsuiji.planning import gather
from shuangsuiji.planning.models import (
    PlanKind,
    PlanStratum,
    ShortfallState,
    Stratum,
    Task,
    TaskPlan,
    past_due,
    quarter_text,
)
from shuangsuiji.planning.permissions import visible_tasks
from shuangsuiji.planning.policy_text import percent, times, workdays
from shuangsuiji.punctuation import citation_line
from shuangsuiji.registry.models import Jurisdiction, Level

MET, SHORT, OPEN, NONE = "met", "short", "open", "none"
"""An indicator's state: met; short of the rule (said in words); not due yet (the quarter or year runs on); nothing
to assess (no plan, no policy in force)."""


@dataclass
class Figure:
    """One count of an indicator, linked to the list it counts where there is one."""

    label: str
    n: int
    url: str = ""


@dataclass
class Mark:
    """One indicator of one place: its state, what it found in words, and the counts behind it."""

    state: str
    text: str
    figures: list[Figure] = field(default_factory=list)
    url: str = ""
    """The page the text is about (the plan, the plans of the kind)."""

    @property
    def short(self) -> bool:
        return self.state == SHORT

    @property
    def word(self) -> str:
        """The state in words (a shortfall is never told by colour alone)."""
        return {MET: pgettext("completion", "达标"), SHORT: pgettext("completion", "未达标"),
                OPEN: pgettext("completion", "进行中"), NONE: pgettext("completion", "不适用")}[self.state]


@dataclass
class Column:
    key: str
    title: str
    rule: str
    """The rule in words, with its values from the policy in force and its citation."""


@dataclass
class PlaceRow:
    place: Jurisdiction
    marks: list[tuple[Column, Mark]]

    @property
    def shortfalls(self) -> int:
        return sum(1 for _column, mark in self.marks if mark.short)


@dataclass
class Completion:
    year: int
    quarter: int

    columns: list[Column]
    rows: list[PlaceRow]
    problem: str = ""
    """Why the rules cannot be said (no policy in force for the quarter)."""

    @property
    def period(self) -> str:
        return str(quarter_text(self.year, self.quarter))


def _task_url(place: Jurisdiction, year: int, quarter: int, **extra: str) -> str:
    query = {"period": f"{year}-{quarter}", "drawn_by": place.pk, **extra}
    return f"{reverse('planning:task_list')}?{urlencode(query)}"


def _plans_url(place: Jurisdiction, year: int, quarter: int, kind: str) -> str:
    query = {"period": f"{year}-{quarter}", "kind": kind, "jurisdiction": place.pk, "level": place.level}
    return f"{reverse('planning:plan_list')}?{urlencode(query)}"


def _columns(policy, overview: public.QuarterOverview) -> list[Column]:
    if policy is None:
        unknown = overview.deadline_problem
        return [Column(key, title, unknown) for key, title in _titles()]
    key = policy.key_quarterly
    joint = policy.joint_inspection
    deadline = (_("截止 %(day)s") % {"day": overview.deadline.isoformat()}) if overview.deadline else \
        overview.deadline_problem
    rules = {
        "regular": _("每季度编制双随机抽查计划，在上一季度最后 %(n)s 内抽取并公开（%(deadline)s；%(cite)s）") % {
            "n": workdays(overview.workdays), "deadline": deadline, "cite": overview.citation},
        "joint": _("市、县两级每季度至少开展内部联合抽查 %(times)s（%(cite)s）") % {
            "times": times(joint.min_per_quarter), "cite": citation_line(joint.citation)},
        "key": _("重点排污单位每季度抽查比例：市级 %(city)s、县级 %(county)s，低于最低数须经市局批准（%(cite)s）") % {
            "city": percent(key.city), "county": percent(key.county), "cite": citation_line(key.citation)},
        "tasks": _("本季度本级所有计划（双随机抽查、内部联合抽查、线索核查、跨部门联合抽查）抽中的任务，期限内提交现场"
                   "检查记录；逾期：过了完成期限仍无已提交的记录。有其他计划的任务时另列“双随机抽查计划任务”及其"
                   "已提交记录数，即工作台各县（市、区）进度表“本季度双随机抽查计划”一栏的数"),
        "review": _("本级计划本季度任务已提交的现场检查记录，及跟进其发现问题的复查记录（与工作台“待审核记录”"
                    "同一口径），均须审核；检查记录经审核后方可公开，审核期限即该月结果的公开期限"),
        "results": _("抽查结果在当月检查结束后 %(days)s内公开（%(cite)s）") % {
            "days": workdays(policy.monthly_publication.workdays),
            "cite": citation_line(policy.monthly_publication.citation)},
        "joint_year": _("每年内部联合抽查的重点排污单位不少于本地重点排污单位的 %(ratio)s（%(cite)s）") % {
            "ratio": percent(joint.annual_key_ratio), "cite": citation_line(joint.citation)},
    }
    return [Column(key, title, rules[key]) for key, title in _titles()]


def _titles() -> list[tuple[str, str]]:
    return [("regular", _("双随机抽查计划")), ("joint", _("内部联合抽查计划")), ("key", _("重点排污单位抽取")),
            ("tasks", _("抽查任务")), ("review", _("记录审核")), ("results", _("结果公开")),
            ("joint_year", _("全年联合抽查重点排污单位"))]


def _regular(row: public.PlaceQuarter, overview: public.QuarterOverview) -> Mark:
    timings = [t for t in row.timings if t.plan.kind == PlanKind.REGULAR]
    if not timings:
        state = SHORT if overview.late else OPEN
        return Mark(state, _("未公开"), url=_plans_url(row.place, overview.year, overview.quarter, PlanKind.REGULAR))
    timing = timings[0]
    url = timing.plan.get_absolute_url()
    if timing.published_on is None:
        return Mark(SHORT if timing.late else OPEN, _("已冻结，尚未抽取"), url=url)
    said = {"day": timing.published_on.isoformat()}
    if timing.late:
        return Mark(SHORT, _("%(day)s 公开，晚于期限") % said, url=url)
    return Mark(MET, _("%(day)s 公开") % said, url=url)


def _joint(row: public.PlaceQuarter, overview: public.QuarterOverview) -> Mark:
    url = _plans_url(row.place, overview.year, overview.quarter, PlanKind.JOINT)
    n = sum(1 for plan in row.plans if plan.kind == PlanKind.JOINT)
    if not overview.joint_per_quarter:
        return Mark(NONE, "—", url=url)
    if PlanKind.JOINT in row.missing:
        return Mark(SHORT if overview.late else OPEN, _("未公开"), url=url)
    return Mark(MET, _("已公开 %(n)s 份") % {"n": n}, url=url)


SHORTFALL_WORDS = {
    ShortfallState.PENDING: _("待市局审批"),
    ShortfallState.APPROVED: _("市局已批准"),
    ShortfallState.REJECTED: _("市局未批准"),
}


def _key(stratum: PlanStratum | None, has_plan: bool) -> Mark:
    if stratum is None:
        return Mark(NONE, _("计划中没有重点排污单位类别") if has_plan else _("无已公开的双随机抽查计划"))
    said = {"n": stratum.requested, "min": stratum.minimum, "short": stratum.shortfall}
    figures = [Figure(_("计划抽取"), stratum.requested), Figure(_("政策最低数"), stratum.minimum)]
    if not stratum.shortfall:  # the text says both numbers; the figures only when it says the shortfall
        return Mark(MET, _("计划抽取 %(n)s 家，不低于最低数 %(min)s 家") % said,
                    url=stratum.plan.get_absolute_url())
    state = MET if stratum.shortfall_state == ShortfallState.APPROVED else SHORT
    return Mark(state, _("少于最低数 %(short)s 家（%(decision)s）") % {
        **said, "decision": SHORTFALL_WORDS.get(stratum.shortfall_state, _("未申请"))}, figures,
        url=stratum.plan.get_absolute_url())


def _tasks(place: Jurisdiction, year: int, quarter: int, counts: dict[str, int]) -> Mark:
    total, done, overdue = counts.get("total", 0), counts.get("done", 0), counts.get("overdue", 0)
    figures = [Figure(_("任务"), total, _task_url(place, year, quarter)),
               Figure(_("已提交记录"), done),
               Figure(_("逾期"), overdue, _task_url(place, year, quarter, overdue="1"))]
    regular, regular_done = counts.get("regular", 0), counts.get("regular_done", 0)
    if regular != total:
        # The workbench's table counts the regular plan's tasks only; said apart here, the two pages' numbers are
        # each what its label says and a reader comparing them sees where the difference lies.
        figures += [Figure(_("双随机抽查计划任务"), regular), Figure(_("双随机抽查计划已提交记录"), regular_done)]
    if not total:
        return Mark(NONE, _("无任务"), figures)
    said = {"done": done, "n": total, "late": overdue}
    if overdue:
        return Mark(SHORT, _("%(late)s 项逾期未提交记录") % said, figures)
    return Mark(MET if done == total else OPEN, _("已完成 %(done)s / %(n)s") % said, figures)


def _review(place: Jurisdiction, year: int, quarter: int, counts: dict[str, int]) -> Mark:
    sealed, waiting = counts.get("sealed", 0), counts.get("waiting", 0)
    query = {"state": "pending", "drawn_by": place.pk, "period": f"{year}-{quarter}"}
    rechecks = counts.get("rechecks", 0)
    # re-checks named when there are some: the rule says they are counted, the figure how many
    figures = [Figure(_("已提交"), sealed), *([Figure(_("其中复查"), rechecks)] if rechecks else []),
               Figure(_("已审核"), sealed - waiting),
               Figure(_("待审核"), waiting, f"{reverse('fieldwork:record_list')}?{urlencode(query)}")]
    if not sealed:
        return Mark(NONE, _("无已提交的记录"), figures)
    if waiting:
        return Mark(OPEN, _("%(n)s 份待审核") % {"n": waiting}, figures)
    return Mark(MET, _("全部已审核"), figures)


def _results(place: Jurisdiction, year: int, months: list[disclosure.MonthState], today: date,
             drawn: int = 0) -> Mark:
    """The months of the place's own results: a result is published with the month of the firm's place
    (``disclosure.publishable_records``). A city has no firms of its own: the results of the ``drawn`` tasks of its
    own plans are in the months of the counties they were drawn in, and it is said so, not that it has none."""
    url = f"{reverse('disclosure:overview')}?{urlencode({'year': year, 'jurisdiction': place.code})}"
    if not months and drawn and place.level != Level.COUNTY:
        return Mark(NONE, ngettext("本级计划 %(n)s 项任务的检查结果由检查对象所在县（市、区）按月公开，计入各县一行",
                                   "本级计划 %(n)s 项任务的检查结果由检查对象所在县（市、区）按月公开，计入各县一行",
                                   drawn) % {"n": drawn},
                    url=f"{reverse('disclosure:overview')}?{urlencode({'year': year})}")
    if not months:
        return Mark(NONE, _("本季度无待公开的结果"))
    late = [state for state in months if state.overdue(today)]
    if late:
        # a month named as the 一公开 page's columns name it: 1月, in English 2026-01
        names = _("、").join(disclosure.month_label(year, state.month) for state in late)
        return Mark(SHORT, _("%(months)s未按期公开") % {"months": names}, url=url)
    if all(state.released for state in months):
        return Mark(MET, _("已按期公开"), url=url)
    return Mark(OPEN, _("尚未全部公开，未过期限"), url=url)


def _joint_year(done: int, key_units: int, wanted: int, year_over: bool) -> Mark:
    said = {"done": done, "wanted": wanted, "units": key_units}
    figures = [Figure(_("已联合抽查"), done), Figure(_("全年至少"), wanted), Figure(_("本地重点排污单位"), key_units)]
    if not wanted:
        return Mark(NONE, _("本地无重点排污单位"), figures)
    if done >= wanted:
        return Mark(MET, _("已完成 %(done)s / %(wanted)s 家") % said, figures)
    return Mark(SHORT if year_over else OPEN, _("已完成 %(done)s / %(wanted)s 家") % said, figures)


def task_counts(user, places: list[Jurisdiction], year: int, quarter: int, today: date) -> dict[int, dict[str, int]]:
    """Per place, the live tasks of its own plans of the quarter (every kind), those with a submitted record, the same
    two of its regular plan alone (the workbench's 本季度双随机抽查计划), those past due (``past_due``), and the
    submitted records of those tasks and of their re-checks, with how many wait for review and how many are
    re-checks': a few grouped queries (and one per link of the longest re-check chain)."""
    mine = visible_tasks(user)
    counts: dict[int, dict[str, int]] = {place.pk: {} for place in places}

    def live(place_field: str = "plan__jurisdiction") -> Q:
        return Q(**{f"{place_field}__in": places}, plan__year=year, plan__quarter=quarter, active=True)

    selections = TaskPlan.objects.filter(live(), task__in=mine).order_by()
    sealed = Exists(InspectionRecord.objects.filter(task=OuterRef("task"), sealed_at__isnull=False))
    for row in (selections.annotate(sealed=sealed).values("plan__jurisdiction")
                .annotate(total=Count("task", distinct=True),
                          done=Count("task", filter=Q(sealed=True), distinct=True),
                          regular=Count("task", filter=Q(plan__kind=PlanKind.REGULAR), distinct=True),
                          regular_done=Count("task", filter=Q(sealed=True, plan__kind=PlanKind.REGULAR),
                                             distinct=True))):
        counts[row["plan__jurisdiction"]].update(
            total=row["total"], done=row["done"], regular=row["regular"], regular_done=row["regular_done"])
    for row in (past_due(mine, today).filter(selections__in=selections).order_by()
                .values("selections__plan__jurisdiction").annotate(n=Count("pk", distinct=True))):
        counts[row["selections__plan__jurisdiction"]]["overdue"] = row["n"]
    # The records of those tasks and of the re-checks that follow them up (``of_tasks``), each under the bureau whose
    # plan drew the visit (``owners``), as the workbench counts 待审核 and the list the count opens shows them.
    reviewed = Exists(RecordReview.objects.filter(record=OuterRef("pk")))
    quarter_tasks = Task.objects.filter(selections__in=selections)
    records = (of_tasks(InspectionRecord.objects.visible_to(user).sealed(), quarter_tasks)
               .annotate(reviewed=reviewed, recheck_record=Case(When(recheck__isnull=False, then=Value(True)),
                                                                 default=Value(False), output_field=BooleanField())))
    for group in owners(records, "", "reviewed", "recheck_record"):
        place = counts.get(group["owner"])
        if place is None:  # a merged visit's other bureau, outside the reader's places
            continue
        for key, wanted in (("sealed", True), ("waiting", not group["reviewed"]),
                            ("rechecks", group["recheck_record"])):
            if wanted:
                place[key] = place.get(key, 0) + group["n"]
    return counts


def scope(user) -> list[Jurisdiction]:
    """The places the user assesses: a city admin, a leader and a superuser the city and every county, a county
    admin his own county (``visible_to``, as the workbench's table of counties)."""
    root = _root(user)
    return _places(user, root) if root is not None else []


def for_user(user, year: int, quarter: int, today: date) -> Completion:
    places = scope(user)
    if not places:
        return Completion(year, quarter, [], [])
    city = next((p for p in places if p.level == Level.CITY), None) or places[0].parent or places[0]
    overview = public.places_quarter(city, places, year, quarter, today)
    try:
        policy = policy_for(year, quarter)
    except ValidationError:
        policy = None
    columns = _columns(policy, overview)
    regular_ids = [plan.pk for row in overview.places for plan in row.plans if plan.kind == PlanKind.REGULAR]
    strata = {s.plan.jurisdiction_id: s for s in PlanStratum.objects.filter(plan__in=regular_ids, stratum=Stratum.KEY)
              .select_related("plan__jurisdiction")}
    tasks = task_counts(user, places, year, quarter, today)
    root = _root(user)
    quarter_months = range(3 * quarter - 2, 3 * quarter + 1)
    months: dict[int, list[disclosure.MonthState]] = {}
    for state in disclosure.month_states(root, year, today):
        if state.month in quarter_months:
            months.setdefault(state.jurisdiction.pk, []).append(state)
    year_over = today > date(year, 12, 31)
    facts = gather.key_unit_facts(places, year, quarter) if policy is not None else {}
    rows = []
    for row in overview.places:
        place = row.place
        has_plan = any(plan.kind == PlanKind.REGULAR for plan in row.plans)
        marks = {"regular": _regular(row, overview), "joint": _joint(row, overview),
                 "key": _key(strata.get(place.pk), has_plan),
                 "tasks": _tasks(place, year, quarter, tasks[place.pk]),
                 "review": _review(place, year, quarter, tasks[place.pk]),
                 "results": _results(place, year, months.get(place.pk, []), today, tasks[place.pk].get("total", 0))}
        if policy is not None:
            done = sum(gather.year_progress(place, place.level, year, quarter + 1).joint_key_inspections.values())
            key_units, wanted = joint_annual_minimum(policy, facts[place.pk])
            marks["joint_year"] = _joint_year(done, key_units, wanted, year_over)
        else:
            marks["joint_year"] = Mark(NONE, "—")
        rows.append(PlaceRow(place, [(column, marks[column.key]) for column in columns]))
    return Completion(year, quarter, columns, rows, "" if policy is not None else overview.deadline_problem)
