"""Demo data of intake: a past year of penalties, complaints, exceedances, directories, the positive list
and clues for a stored demo population, then its classification quarter by quarter.

``seed_intake(population)`` is a step of ``seed_demo`` (it runs after the registries are stored). It is
deterministic (random from the population's seed) and consistent with the generator: the special
targets of the population are the ones whose evidence falls in the last quarter before ``today``'s
quarter, the key targets are on this year's directory, the positive-list targets on the list — so the
classification of the current quarter gives every target the category the generator chose, while the
three quarters before it have their own special targets, and the target pages show a living history.
Records are written in bulk (demo data, valid by construction); the classifications go through
``do_classify`` like any other.
"""

import random
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from itertools import count
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from shuangsuiji.accounts.models import Role
from shuangsuiji.demo.data import catalog
from shuangsuiji.demo.generator import Population, TargetRow
from shuangsuiji.engine.workdays import previous_quarter, quarter_of
from shuangsuiji.intake import rules
from shuangsuiji.intake.models import (
    Channel,
    Clue,
    ClueSource,
    ClueStatus,
    Complaint,
    Exceedance,
    KeyUnit,
    MonitoringImport,
    Penalty,
    PositiveListEntry,
    Source,
)
from shuangsuiji.intake.services import Progress, do_classify, no_progress, policy_for
from shuangsuiji.registry.models import Department, Jurisdiction, Level, Outlet, Target

PENALTY_REASON, COMPLAINT_REASON, EXCEEDANCE_REASON = catalog.SPECIAL_REASONS
EVIDENCE_SHARE = 0.03
"""Share of active targets with special-supervision evidence in each earlier quarter (as the generator's)."""

VIOLATIONS = ("超标排放大气污染物", "未按规定运行大气污染防治设施", "未批先建", "危险废物贮存不规范",
              "无证排放污染物", "通过暗管逃避监管排放水污染物", "未按规定开展自行监测", "扬尘污染防治措施不到位",
              "未按规定设置危险废物识别标志", "超过排污许可证许可浓度排放水污染物")
COMPLAINTS = ("夜间排放刺鼻气味", "烟囱冒黑烟", "生产噪声扰民", "废水直排河道", "厂区粉尘污染严重",
              "露天焚烧废料", "危险废物随意堆放", "车间废气无组织排放")
CLUES = ("在线监测数据显示夜间颗粒物浓度异常升高", "分表计电显示治污设施停运而生产设施运行",
         "无人机巡查发现厂区疑似雨污混排", "视频监控显示危废暂存间未封闭")
POLLUTANTS = {"air": (("二氧化硫", 35, "mg/m³"), ("氮氧化物", 50, "mg/m³"), ("颗粒物", 10, "mg/m³")),
              "water": (("化学需氧量", 50, "mg/L"), ("氨氮", 5, "mg/L"))}
CLUE_EVERY = 4
CLUE_CYCLE = (ClueStatus.APPROVED, ClueStatus.PENDING, ClueStatus.REJECTED, ClueStatus.APPROVED)
REFUSAL = "经调取在线监测和用电数据核实，属设备检修期间的正常波动"
CHANNELS = ((Channel.HOTLINE, 50), (Channel.ONLINE, 25), (Channel.LETTER, 10), (Channel.VISIT, 10),
            (Channel.OTHER, 5))


def _quarters_back(year: int, quarter: int, count: int) -> list[tuple[int, int]]:
    """The ``count`` quarters before (year, quarter), oldest first."""
    quarters = []
    for _step in range(count):
        year, quarter = previous_quarter(year, quarter)
        quarters.append((year, quarter))
    return quarters[::-1]


def _day_in(rng: random.Random, year: int, quarter: int, until: date) -> date:
    first = rules.quarter_start(year, quarter)
    last = min(rules.quarter_end(year, quarter), until)
    return first + timedelta(days=rng.randrange((last - first).days + 1))


def _moment(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


class _Writer:
    """Builds the records; numbers them the way each bureau would (文号 per county and year)."""

    def __init__(self, rng: random.Random, today: date, jurisdictions: dict[int, Jurisdiction],
                 departments: dict[int, Department]) -> None:
        self.rng = rng
        self.today = today
        self.jurisdictions = jurisdictions
        self.departments = departments
        self.sequence: dict[tuple[str, Any], int] = defaultdict(int)
        self.penalties: list[Penalty] = []
        self.complaints: list[Complaint] = []
        self.exceedances: list[Exceedance] = []
        self.taken: set[tuple[int, str, datetime]] = set()
        self.per_month: dict[tuple[int, int, int], int] = defaultdict(int)  # (county, year, month) → count
        # 文号 begin with the bureau's short name (清苑区 → 清苑环罚〔2021〕3号); a name shared by two
        # jurisdictions (synthetic national scale) adds the division code to keep numbers unique.
        shorts = {pk: j.name.rstrip("县区市") or j.name for pk, j in jurisdictions.items()}
        taken = Counter(shorts.values())
        self.shorts = {pk: short if taken[short] == 1 else f"{short}{jurisdictions[pk].code}"
                       for pk, short in shorts.items()}

    def _next(self, kind: str, key: Any) -> int:
        self.sequence[(kind, key)] += 1
        return self.sequence[(kind, key)]

    def penalty(self, target_id: int, jurisdiction_id: int, day: date) -> None:
        short = self.shorts[jurisdiction_id]
        number = self._next("penalty", (jurisdiction_id, day.year))
        amount = None if self.rng.random() < 0.1 else Decimal(self.rng.randrange(20, 500) * 1000)
        self.penalties.append(Penalty(
            decision_number=f"{short}环罚〔{day.year}〕{number}号", decided_on=day, target_id=target_id,
            department=self.departments[jurisdiction_id], violation=self.rng.choice(VIOLATIONS), amount=amount,
            source=Source.IMPORT))

    def complaint(self, target_id: int, day: date) -> Complaint:
        channel = self.rng.choices([c for c, _w in CHANNELS], [w for _c, w in CHANNELS])[0]
        prefix = "12369" if channel == Channel.HOTLINE else "XF"
        complaint = Complaint(
            reference=f"{prefix}-{day:%Y%m%d}-{self._next('complaint', day):04d}", received_on=day, channel=channel,
            target_id=target_id, content=self.rng.choice(COMPLAINTS), verified=self.rng.random() < 0.6,
            source=Source.IMPORT)
        self.complaints.append(complaint)
        return complaint

    def exceed(self, target_id: int, jurisdiction_id: int, outlet: tuple[int, str], count: int, year: int,
               quarter: int) -> None:
        """``count`` hourly exceedances at one outlet in the quarter, in one or two episodes."""
        outlet_id, kind = outlet
        name, limit, unit = self.rng.choice(POLLUTANTS.get(kind, POLLUTANTS["air"]))
        made = 0
        while made < count:
            day = _day_in(self.rng, year, quarter, self.today - timedelta(days=1))
            episode = min(count - made, 1 + self.rng.randrange(6))
            start = self.rng.randrange(24 - episode + 1)  # within the day, so within the quarter
            for offset in range(episode):
                moment = _moment(day, 0) + timedelta(hours=start + offset)
                key = (outlet_id, name, moment)
                if key in self.taken:
                    continue
                self.taken.add(key)
                value = Decimal(limit) * Decimal(self.rng.randrange(105, 260)) / 100
                self.exceedances.append(Exceedance(outlet_id=outlet_id, target_id=target_id, pollutant=name,
                                                   measured_at=moment, value=value.quantize(Decimal("0.01")),
                                                   limit=Decimal(limit), unit=unit))
                local = timezone.localtime(moment)
                self.per_month[(jurisdiction_id, local.year, local.month)] += 1
                made += 1


def _deciders() -> list[Any]:
    """Admins who may approve clues, deepest jurisdiction first."""
    admins = get_user_model().objects.filter(role__in=[Role.CITY_ADMIN, Role.COUNTY_ADMIN], is_active=True,
                                             jurisdiction__isnull=False).select_related("jurisdiction")
    return sorted(admins, key=lambda user: -len(user.jurisdiction.path))


@transaction.atomic
def seed_intake(population: Population, *, progress: Progress = no_progress) -> dict[str, int]:
    """Add a past year of outside data to a stored demo population and classify its last four quarters.

    The quarter of ``population.today`` is the current one; its classification and the three before it
    are stored (and applied to the targets). Returns the counts of what was written.
    """
    rng = random.Random(f"{population.seed}:intake")
    today = population.today
    current = (today.year, quarter_of(today))
    data_quarters = _quarters_back(*current, 4)  # the windows of the four classified quarters
    last_quarter = data_quarters[-1]
    earlier = data_quarters[:-1]

    ids = {code: (pk, jurisdiction_id) for code, pk, jurisdiction_id in
           Target.objects.values_list("credit_code", "id", "jurisdiction_id")}
    monitored: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for outlet_id, target_id, kind in Outlet.objects.filter(online_monitored=True).values_list(
            "id", "target_id", "kind").order_by("id"):
        monitored[target_id].append((outlet_id, kind))
    jurisdictions = {j.pk: j for j in Jurisdiction.objects.all()}
    departments = {d.jurisdiction_id: d for d in
                   Department.objects.filter(code__endswith=f"-{catalog.ENFORCEMENT_CODE}")}
    writer = _Writer(rng, today, jurisdictions, departments)
    key_units: list[KeyUnit] = []
    positive: list[PositiveListEntry] = []
    clue_plans: list[tuple[int, int, str]] = []  # (target id, jurisdiction id, status)
    listed_numbers = count(1)
    directory_years = sorted({current[0], data_quarters[0][0]})

    def directory_name(publisher: Jurisdiction, year: int) -> str:
        return f"{publisher.name}{year}年重点排污单位名录（{publisher.name[:2]}环函〔{year}〕{12 + year % 7}号）"

    def _list(row: TargetRow, target_id: int, jurisdiction_id: int) -> None:
        """The directories (key units, and some special targets also on them: special beats key) and
        the positive list with its clues."""
        county = jurisdictions[jurisdiction_id]
        publisher = jurisdictions.get(county.parent_id, county)  # the city publishes the directory
        listed = row.category == "key" or (row.category == "special" and bool(row.outlets) and rng.random() < 0.4)
        for year in directory_years:
            if listed and (year == current[0] or rng.random() < 0.95):
                kinds = "、".join(sorted({"大气环境" if o.kind == "air" else "水环境" for o in row.outlets})) or "其他"
                key_units.append(KeyUnit(year=year, target_id=target_id, directory=directory_name(publisher, year),
                                         kinds=kinds))
        first_day = rules.quarter_start(*data_quarters[0])
        if row.positive_list:
            start = first_day - timedelta(days=rng.randrange(30, 700))
            positive.append(PositiveListEntry(target_id=target_id, start=start,
                                              document_number=f"保环办〔{start.year}〕{rng.randrange(10, 90)}号",
                                              note=catalog.POSITIVE_REASON))
            if next(listed_numbers) % CLUE_EVERY == 1:  # every few listed targets, in a fixed cycle of decisions
                clue_plans.append((target_id, jurisdiction_id, CLUE_CYCLE[len(clue_plans) % len(CLUE_CYCLE)]))
        elif row.category == "general" and rng.random() < 0.002:
            # Once on the list, taken off before last quarter.
            start = first_day - timedelta(days=rng.randrange(30, 400))
            positive.append(PositiveListEntry(target_id=target_id, start=start,
                                              end=rules.quarter_start(*last_quarter) - timedelta(days=1),
                                              document_number=f"保环办〔{start.year}〕{rng.randrange(10, 90)}号",
                                              note="因环境违法行为移出正面清单"))

    threshold = policy_for(*current).special_criteria.exceedances_at_one_outlet

    def evidence(target_id: int, jurisdiction_id: int, reason: str, year: int, quarter: int) -> None:
        day = _day_in(rng, year, quarter, today)
        if reason == EXCEEDANCE_REASON and monitored.get(target_id):
            writer.exceed(target_id, jurisdiction_id, rng.choice(monitored[target_id]),
                          threshold + rng.randrange(10), year, quarter)
        elif reason == PENALTY_REASON:
            writer.penalty(target_id, jurisdiction_id, day)
        else:
            writer.complaint(target_id, day)

    for row in progress(population.targets, desc="外部数据", total=len(population.targets), unit="家"):
        if row.status != "active" or row.credit_code not in ids:
            continue
        target_id, jurisdiction_id = ids[row.credit_code]
        # Last quarter decides today's category: exactly the generator's special targets have evidence in it.
        if row.category == "special":
            evidence(target_id, jurisdiction_id, row.category_reason, *last_quarter)
        for year, quarter in earlier:
            if rng.random() < EVIDENCE_SHARE:
                evidence(target_id, jurisdiction_id, rng.choice(catalog.SPECIAL_REASONS), year, quarter)
        # This quarter so far: what next quarter's classification will see.
        so_far = today > rules.quarter_start(*current)
        if so_far and rng.random() < EVIDENCE_SHARE / 2:
            evidence(target_id, jurisdiction_id, rng.choice(catalog.SPECIAL_REASONS), *current)
        # Below the threshold: a few exceedances at an outlet do not make a target special.
        for year, quarter in [*data_quarters, current] if so_far else data_quarters:
            if monitored.get(target_id) and rng.random() < 0.15:
                writer.exceed(target_id, jurisdiction_id, rng.choice(monitored[target_id]),
                              1 + rng.randrange(threshold - 1), year, quarter)
        _list(row, target_id, jurisdiction_id)

    Penalty.objects.bulk_create(writer.penalties, batch_size=2000)
    Complaint.objects.bulk_create(writer.complaints, batch_size=2000)
    batches = _store_monitoring(writer, monitored, jurisdictions, data_quarters[0], today)
    KeyUnit.objects.bulk_create(key_units, batch_size=2000)
    PositiveListEntry.objects.bulk_create(positive, batch_size=2000)
    clues = _store_clues(rng, clue_plans, last_quarter, current, today, writer, jurisdictions)
    counts = {"penalties": len(writer.penalties), "complaints": len(writer.complaints),
              "exceedances": len(writer.exceedances), "monitoring_imports": batches, "key_units": len(key_units),
              "positive_list": len(positive), "clues": clues}
    cities = sorted((j for j in jurisdictions.values() if j.level == Level.CITY), key=lambda j: j.code)
    classified = [*_quarters_back(*current, 3), current]
    for year, quarter in progress(classified, desc="季度分类", unit="季度"):
        for city in cities:
            do_classify(year=year, quarter=quarter, jurisdiction=city, acting_user=None, today=today)
    counts["classified_quarters"] = len(classified)
    return counts


def _store_monitoring(writer: _Writer, monitored: dict[int, list[tuple[int, str]]],
                      jurisdictions: dict[int, Jurisdiction], first_quarter: tuple[int, int], today: date) -> int:
    """The exceedances, each in the monthly import of its county that brought it, with the counts of the
    hourly readings those imports held (outlets × pollutants × hours) — the readings themselves are not kept."""
    outlets_of: dict[int, list[str]] = defaultdict(list)
    county_of_target: dict[int, int] = {}
    for target_id, jurisdiction_id in Target.objects.filter(pk__in=list(monitored)).values_list(
            "id", "jurisdiction_id"):
        county_of_target[target_id] = jurisdiction_id
        for _outlet_id, kind in monitored[target_id]:
            outlets_of[jurisdiction_id].append(kind)
    batches: dict[tuple[int, int, int], MonitoringImport] = {}
    month = rules.quarter_start(*first_quarter)
    while month <= today:
        following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
        end = min(following, today)
        hours = (end - month).days * 24
        for county_id, kinds in sorted(outlets_of.items()):
            readings = sum(len(POLLUTANTS.get(kind, POLLUTANTS["air"])) for kind in kinds) * hours
            if not readings:
                continue
            over = writer.per_month.get((county_id, month.year, month.month), 0)
            batches[(county_id, month.year, month.month)] = MonitoringImport(
                jurisdiction=jurisdictions[county_id],
                file_name=f"{jurisdictions[county_id].name}{month.year}年{month.month}月在线监测小时数据.xlsx",
                first_reading=_moment(month, 0), last_reading=_moment(end, 0) - timedelta(hours=1),
                readings=readings, outlets=len(kinds), within_limit=max(readings - over, 0), exceedances_new=over,
                exceedances_known=0)
        month = following
    MonitoringImport.objects.bulk_create(batches.values(), batch_size=500)
    for exceedance in writer.exceedances:
        local = timezone.localtime(exceedance.measured_at)
        exceedance.batch = batches.get((county_of_target[exceedance.target_id], local.year, local.month))
    Exceedance.objects.bulk_create(writer.exceedances, batch_size=5000)
    return len(batches)


def _store_clues(rng: random.Random, plans: Iterable[tuple[int, int, str]], last_quarter: tuple[int, int],
                 current: tuple[int, int], today: date, writer: _Writer,
                 jurisdictions: dict[int, Jurisdiction]) -> int:
    """Clues against positive-list targets: approved and refused ones found last quarter, pending ones
    found this quarter (some from a complaint), each decided by an admin of the target's scope."""
    deciders = _deciders()
    clues = []
    current_start = rules.quarter_start(*current)
    for target_id, jurisdiction_id, status in plans:
        path = jurisdictions[jurisdiction_id].path
        decider = next((user for user in deciders if path.startswith(user.jurisdiction.path)), None)
        if status == ClueStatus.PENDING and today > current_start:
            found_on = _day_in(rng, *current, today)
            complaint = writer.complaint(target_id, found_on) if rng.random() < 0.4 else None
            clues.append(Clue(target_id=target_id, source=ClueSource.COMPLAINT if complaint else ClueSource.OFF_SITE,
                              complaint=complaint, found_on=found_on,
                              description=complaint.content if complaint else rng.choice(CLUES)))
            continue
        found_on = rules.quarter_start(*last_quarter) + timedelta(days=rng.randrange(80))
        decided = _moment(found_on + timedelta(days=1 + rng.randrange(5)), 10)
        approved = status == ClueStatus.APPROVED
        clues.append(Clue(
            target_id=target_id, source=ClueSource.OFF_SITE, found_on=found_on, description=rng.choice(CLUES),
            status=ClueStatus.APPROVED if approved else ClueStatus.REJECTED, decided_by=decider, decided_at=decided,
            decision_reason="同意开展现场检查" if approved else REFUSAL))
    # Complaints behind pending clues were made above; store them before the clues that point to them.
    Complaint.objects.bulk_create([c for c in writer.complaints if c.pk is None], batch_size=2000)
    Clue.objects.bulk_create(clues, batch_size=2000)
    # reported_at is set on saving; a demo clue was reported the morning it was found.
    for clue in clues:
        Clue.objects.filter(pk=clue.pk).update(reported_at=_moment(clue.found_on, 9))
    return len(clues)
