"""Demo data of 一公开: the demo year's publications, so a fresh ``make run`` has a full portal and a city
overview with something to flag.

``seed_disclosure(population)`` is the step of ``seed_demo`` after fieldwork's (it publishes the reviewed
records). Everything goes through the services the pages use — prepare, review by a second person, release,
redaction decisions, a correction, reveal, verification — and only the batches' dates are set afterwards to
the days the county would have published them, so deadlines and lateness read as they would have:

- for each county, the year's list of targets under random inspection, released on time (each year with
  results, and today's);
- each month with reviewed results, released by its deadline (10 working days after the month), prepared by
  the county's admin (or the city's office where the demo has no county login) and reviewed by the leader;
  one county's one month released late, one month of 清苑区 left unpublished past its deadline (the overdue
  flag the city sees, and the batch a demo user can prepare in the browser), months over whose deadline has
  not come yet prepared but not released, and today's month not prepared (it is not over);
- one redaction rule and one case decision with their reasons (taken before the batches, so they apply), and
  one correction of a published result;
- every plan whose quarter is over revealed (the planning step already reveals its quarters), and every
  revealed draw verified: the step fails if one does not verify.
"""

import random
from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Case, Count, When
from django.db.models.functions import TruncMonth
from django.utils import timezone

from shuangsuiji.demo.generator import Population
from shuangsuiji.disclosure import services
from shuangsuiji.disclosure.models import (
    Outcome,
    Publication,
    PublishedResult,
    RedactionAction,
    RedactionBasis,
)
from shuangsuiji.engine.workdays import CalendarUnknownError, quarter_of
from shuangsuiji.fieldwork.models import InspectionRecord
from shuangsuiji.fieldwork.models import Outcome as ItemOutcome
from shuangsuiji.planning import gather
from shuangsuiji.planning import services as planning
from shuangsuiji.planning.models import Draw, Plan, PlanStatus
from shuangsuiji.registry.models import Jurisdiction, Level

Progress = Callable[..., Iterable]

UNPUBLISHED_COUNTY = "130608"
"""清苑区: its last month past the deadline is left unpublished (the demo ``county`` login can publish it)."""
LATE_COUNTY = "130609"
"""徐水区: one month released three working days after its deadline."""
COUNTY_LOGINS = {"130608": "county", "130609": "county2"}


class DisclosureSeedError(Exception):
    """A revealed draw of the demo did not verify: the demo would show a failed draw to the public."""


def no_progress(iterable: Iterable, **_: Any) -> Iterable:
    return iterable


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _backdate(batch: Publication, day: date) -> None:
    """The dates the county would have prepared, reviewed and released the batch on (the services stamp now)."""
    values: dict[str, Any] = {"prepared_at": _at(day, 9)}
    if batch.reviewed_at:
        values["reviewed_at"] = _at(day, 10)
    if batch.released_at:
        values["released_at"] = _at(day, 15)
        # The rows changed for the public at that release (what the open-data API's changed_since reads).
        PublishedResult.objects.filter(publication=batch).update(changed_at=values["released_at"])
    Publication.objects.filter(pk=batch.pk).update(**values)


def _months(city: Jurisdiction) -> list[tuple[int, int, int]]:
    """(county id, year, month) of every reviewed, unpublished result of the city's counties, in order."""
    rows = (InspectionRecord.objects.publishable()
            .filter(target__jurisdiction__path__startswith=city.path, task__isnull=False)
            .exclude(number__in=PublishedResult.objects.values("public_id"))
            .annotate(month=TruncMonth("ended_at")).values("target__jurisdiction", "month").annotate(n=Count("id"))
            .order_by("month", "target__jurisdiction"))
    return [(r["target__jurisdiction"], r["month"].year, r["month"].month) for r in rows]


class _Seeder:
    def __init__(self, population: Population, progress: Progress) -> None:
        self.today = population.today
        self.progress = progress
        self.rng = random.Random(f"{population.seed}-disclosure")
        self.calendar = gather.calendar()
        users = get_user_model().objects.in_bulk(["city", "leader", *COUNTY_LOGINS.values()], field_name="username")
        self.city_user, self.leader = users["city"], users["leader"]
        self.county_users = {code: users.get(name) for code, name in COUNTY_LOGINS.items()}
        self.city = self.city_user.jurisdiction
        self.counties = list(Jurisdiction.objects.filter(path__startswith=self.city.path, level=Level.COUNTY)
                             .order_by("path"))
        self.counts: dict[str, int] = {"batches": 0, "late_batches": 0, "unreleased_batches": 0, "listed": 0,
                                       "published_results": 0, "withheld": 0, "corrections": 0}

    def preparer(self, county: Jurisdiction):
        return self.county_users.get(county.code) or self.city_user

    def release_day(self, year: int, month: int, deadline: date, late: bool) -> date:
        """A working day between the month's end and the deadline (three working days after it when late)."""
        if late:
            return self.calendar.add_workdays(deadline, 3)
        month_end = date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)
        first = self.calendar.add_workdays(month_end, 3)
        return self.calendar.add_workdays(first, self.rng.randint(0, 6)) if first < deadline else deadline

    def publish(self, batch: Publication, day: date, *, release: bool = True) -> Publication:
        if release:
            services.do_review(batch, note="已核对，同意公开", acting_user=self.leader)
            batch = services.do_release(batch, acting_user=batch.prepared_by)
        else:
            batch.refresh_from_db()
        _backdate(batch, day)
        return batch

    def early_in_year(self, year: int) -> date:
        """The year's fifth working day, when its list is released. Seeded in early January, before the bureau has
        entered the new year's holidays, the calendar cannot count it: Monday to Friday stand in (the day is
        capped at today anyway), rather than the whole seed failing."""
        try:
            return self.calendar.add_workdays(date(year, 1, 1), 5)
        except CalendarUnknownError:
            day, weekdays = date(year, 1, 1), 0
            while weekdays < 5:
                day += timedelta(days=1)
                weekdays += day.weekday() < 5
            return day

    def annual_lists(self, years: Iterable[int]) -> None:
        for year in sorted(set(years)):
            deadline = services.annual_list_deadline(year)[0]
            day = min(self.early_in_year(year), deadline, self.today)
            for county in self.progress(self.counties, total=len(self.counties), desc=f"{year}年名录", unit="县"):
                batch = services.do_prepare_annual_list(jurisdiction=county, year=year,
                                                        acting_user=self.preparer(county))
                self.publish(batch, day)
                self.counts["listed"] += batch.row_count

    def redaction(self, months: list[tuple[int, int, int]]) -> None:
        """One standing rule and one case decision, with the reasons the portal shows in their place."""
        records = InspectionRecord.objects.publishable().filter(task__isnull=False).select_related("target")
        first_year, first_month = months[0][1], months[0][2]
        secret = (records.filter(target__jurisdiction__code=UNPUBLISHED_COUNTY, ended_at__year=first_year,
                                 ended_at__month=first_month).order_by("number").first()
                  or records.filter(target__jurisdiction__code=UNPUBLISHED_COUNTY).order_by("number").first())
        if secret is not None:
            services.do_add_redaction_rule(
                jurisdiction=secret.target.jurisdiction, action=RedactionAction.WITHHOLD,
                basis=RedactionBasis.STATE_SECRET, target=secret.target,
                acting_user=self.preparer(secret.target.jurisdiction),
                reason="该单位承担涉密配套生产任务，其检查结果涉及国家秘密（政府信息公开条例第十四条）")
        # The draws' secrets come from the OS, so which targets were inspected — and which county found a
        # problem — differs from one seeding to the next: a tiny city's LATE_COUNTY may have none.
        with_problems = records.filter(items__outcome=ItemOutcome.PROBLEM).order_by("number")
        problem = (with_problems.filter(target__jurisdiction__code=LATE_COUNTY).first()
                   or with_problems.filter(target__jurisdiction__path__startswith=self.city.path).first())
        if problem is not None:
            services.do_decide_redaction(
                problem, action=RedactionAction.MASK, fields=["problems"], basis=RedactionBasis.PRIVACY,
                acting_user=self.preparer(problem.target.jurisdiction),
                reason="问题描述涉及举报人及现场人员的个人信息，隐去描述、保留处理方式（政府信息公开条例第十五条）")

    def months(self, months: list[tuple[int, int, int]]) -> None:
        places = {c.pk: c for c in self.counties}
        due = {(y, m): services.results_deadline(y, m)[0] for _c, y, m in months}
        past = [(c, y, m) for c, y, m in months if due[(y, m)] < self.today and c in places]
        # The last month of 清苑区 past its deadline stays unpublished; an earlier month of 徐水区 came out late.
        skipped = next((k for k in reversed(past) if places[k[0]].code == UNPUBLISHED_COUNTY), None)
        late_candidates = [k for k in past if places[k[0]].code == LATE_COUNTY]
        late = late_candidates[len(late_candidates) // 2] if late_candidates else None
        for key in self.progress(months, total=len(months), desc="月度公开", unit="批"):
            county_id, year, month = key
            if county_id not in places or key == skipped or (year, month) >= (self.today.year, self.today.month):
                continue  # the month still running is published after it ends
            county = places[county_id]
            batch = services.do_prepare_results(jurisdiction=county, year=year, month=month,
                                                acting_user=self.preparer(county))
            deadline = due[(year, month)]
            if deadline < self.today:
                self.publish(batch, min(self.today, self.release_day(year, month, deadline, key == late)))
                self.counts["late_batches"] += key == late
            else:  # still within its deadline: prepared, waiting for review
                self.publish(batch, min(self.today, self.release_day(year, month, deadline, False)), release=False)
                self.counts["unreleased_batches"] += 1
            self.counts["batches"] += 1

    def correction(self) -> None:
        """Bring one published result up to date (a penalty decided later, an amendment), or else correct a name
        by hand: the portal shows either as a correction with its reason."""
        pending = services.pending_corrections(self.city)
        if pending:
            result = pending[0][0]
            services.do_republish_amended(result, reason="公开后作出了处罚决定或更正了检查记录，按最新记录更正",
                                          acting_user=self.preparer(result.jurisdiction))
            self.counts["corrections"] += 1
            return
        result = (PublishedResult.objects.published().filter(outcome=Outcome.NO_PROBLEM)
                  .exclude(target_name="").order_by("public_id").first())
        if result is not None:
            services.do_correct_result(result, values={"target_name": f"{result.target_name}（原名录名称）"},
                                       reason="单位名称按营业执照更正", acting_user=self.preparer(result.jurisdiction))
            self.counts["corrections"] += 1

    def objections(self) -> None:
        """Two enterprises object to their published results: one in the county of the ``county`` login waits on
        its 工作台, one elsewhere was answered (not accepted, with the reasons the enterprise reads)."""
        county_logins = [code for code, user in self.county_users.items() if user is not None]
        waiting_place = county_logins[0] if county_logins else None
        published = (PublishedResult.objects.published().exclude(outcome=Outcome.WITHHELD).exclude(credit_code="")
                     .select_related("jurisdiction").order_by("-inspected_on", "public_id"))
        # A result with a problem if there is one (what a firm objects to), else any: the draws, and so which
        # results a small demo publishes, change with every seed.
        published = published.order_by(Case(When(outcome=Outcome.PROBLEM, then=0), default=1), "-inspected_on",
                                       "public_id")
        waiting = (published.filter(jurisdiction__code=waiting_place).first()
                   or published.exclude(jurisdiction__code__in=county_logins).first())
        answered = published.exclude(jurisdiction__code__in=county_logins).exclude(
            pk=getattr(waiting, "pk", None)).first()
        for result, text in ((waiting, "公开的问题“{problem}”与实际不符：检查后第二天我厂已整改完毕并报送了整改材料，"
                                       "请核实后更正“发现的问题及处理”。"),
                             (answered, "我厂对“{problem}”的结论有异议：检查当天相关设施运行正常，不存在该问题。")):
            if result is None:
                continue
            problem = next((p.get("description") for p in result.problems if p.get("description")), "发现的问题")
            text = text.format(problem=problem[:40])
            objection = services.do_receive_objection(
                result, credit_code=result.credit_code, organisation=result.target_name, contact_name="刘经理",
                contact_phone=f"0312-{self.rng.randint(2000000, 8999999)}", content=text, address="192.0.2.10")
            if result is answered:
                services.do_answer_objection(
                    objection, accepted=False, acting_user=self.preparer(result.jurisdiction),
                    reply="经复核检查记录、现场照片和执法记录仪视频，检查时该问题确实存在，检查结论无误，不予采纳。"
                          "如对处理决定不服，可依法申请行政复议或提起行政诉讼。")
            self.counts["objections"] = self.counts.get("objections", 0) + 1

    def reveal_and_verify(self) -> None:
        current = (self.today.year, quarter_of(self.today))
        for plan in Plan.objects.filter(status=PlanStatus.DISPATCHED, revealed_at__isnull=True):
            if (plan.year, plan.quarter) < current:
                try:
                    planning.do_reveal(plan, acting_user=None)
                except ValidationError:  # its inspections are not over (a task still without a record)
                    self.counts["reveal_waiting"] = self.counts.get("reveal_waiting", 0) + 1
                    continue
                self.counts["revealed_now"] = self.counts.get("revealed_now", 0) + 1
        draws = Draw.objects.filter(plan__revealed_at__isnull=False, manifest__isnull=False).select_related("plan")
        failed = []
        for draw in self.progress(list(draws), desc="验证抽取", unit="次"):
            check = services.do_verify_draw(draw)
            if not check.ok:
                failed.append(f"{draw.plan} 第{draw.number}次：{check.report}")
        if failed:
            raise DisclosureSeedError("演示数据中有抽取验证不通过：\n" + "\n".join(failed))
        self.counts["verified_draws"] = draws.count()


def _has_policy(year: int, month: int) -> bool:
    """Whether a policy file covers the month (records just before the first policy year have no deadline)."""
    try:
        services.results_deadline(year, month)
    except (ValidationError, LookupError):
        return False
    return True


def seed_disclosure(population: Population, *, progress: Progress = no_progress) -> dict[str, int]:
    """The disclosure step of ``seed_demo``. Returns counts of what was published."""
    seeder = _Seeder(population, progress)
    found = _months(seeder.city)
    covered = {(y, m) for _c, y, m in found if _has_policy(y, m)}  # once a month: the lookup reads the policy file
    months = [k for k in found if (k[1], k[2]) in covered]
    if not months:
        # Nothing reviewed to publish: a partial seed (the planning and fieldwork tests seed up to their own
        # step) gets no publications rather than lists of a year nobody inspected.
        return seeder.counts
    seeder.annual_lists([y for _c, y, _m in months] + [seeder.today.year])
    seeder.redaction(months)
    seeder.months(months)
    seeder.correction()
    seeder.objections()
    seeder.reveal_and_verify()
    published = PublishedResult.objects.published()
    seeder.counts["published_results"] = published.count()
    seeder.counts["withheld"] = published.filter(outcome=Outcome.WITHHELD).count()
    return seeder.counts
