"""Demo data of fieldwork: the demo year's dispatched tasks carry their field records, sealed and reviewed,
with the follow-up of every problem found — some closed, some open, some overdue.

``seed_fieldwork(population)`` is the step of ``seed_demo`` after planning's (it needs dispatched tasks). It
is deterministic (random from the population's seed and ``population.today``):

- every dispatched task gets a record on a working day of its own quarter between dispatch and its deadline,
  if that day is before ``today``: the current quarter's tasks are done up to today and the rest are still to
  visit (the teams' phones list them), and a few of the last past quarter are still undone (overdue on the
  phones);
- positive-list targets are checked off site (online monitoring, 分表计电, video, drones) unless an approved
  clue brought them into the draw; a small share of the others is checked off site too;
- problems are found in ``PROBLEM_SHARE`` of the records — the national share of 2019 (4.79%) — and handled
  立行立改, 责令改正 (with a re-check, most of them done), 立案处罚 (the case linked to the target's penalty
  decision of intake's data where one followed the visit), 移交 or 移送司法;
- every participant signs (a drawn signature per person), the site manager too on site; records are sealed
  by the same functions the pages use (``fieldwork.sealing``) and each seal is in the audit chain;
- the county reviews a record one to six days after it is sealed, so those of the last few days still wait
  for review; a few were returned and corrected by an amendment, some of them still being corrected.

Rows are written in bulk (demo data, valid by construction), in the order the database triggers allow: a
record's item results, signatures and attachments first, its seal last.
"""

import hashlib
import io
import random
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from PIL import Image, ImageDraw

from shuangsuiji.accounts.models import Role
from shuangsuiji.audit.services import PendingEvent, record_events
from shuangsuiji.demo.data import catalog
from shuangsuiji.demo.generator import Population
from shuangsuiji.engine import canonical
from shuangsuiji.engine.workdays import CalendarUnknownError, WorkCalendar, quarter_of, quarter_start
from shuangsuiji.fieldwork import sealing
from shuangsuiji.fieldwork.models import (
    AmendmentRequest,
    Attachment,
    ClosedAs,
    DecidedAs,
    FollowUp,
    FollowUpEvidence,
    FollowUpStatus,
    Handling,
    InspectionRecord,
    ItemResult,
    Mode,
    OffSiteMeans,
    Outcome,
    Recheck,
    RecheckStatus,
    RecordReview,
    RequestState,
    ReviewDecision,
    Signature,
    SignerRole,
)
from shuangsuiji.fieldwork.services import DUE_DAYS, RECHECK_WITHIN_DAYS
from shuangsuiji.intake.models import Classification, Clue, ClueStatus, Penalty, Source
from shuangsuiji.planning.models import Plan, Task, TaskMember, TaskPlan, TaskStatus, told_selections
from shuangsuiji.registry.models import CheckItem, items_for_target

Progress = Callable[..., Iterable]

PROBLEM_SHARE = 0.0479
"""Share of inspections that found a violation, nationally in 2019 (DESIGN §7)."""
OFF_SITE_SHARE = 0.06
"""Share of the other targets checked off site (the policy warns against making it the rule)."""
UNDONE_SHARE = 0.01
"""Tasks of the last past quarter still without a record."""
RETURN_SHARE = 0.02
HANDLINGS = ((Handling.RECTIFIED, 35), (Handling.ORDER, 38), (Handling.CASE, 20), (Handling.TRANSFER, 5),
             (Handling.JUDICIARY, 2))
PROBLEMS = (
    ("排污许可", ("未按排污许可证要求开展自行监测", "环境管理台账记录不完整，缺少近三个月运行记录")),
    ("挥发性有机物", ("VOCs收集设施破损，存在无组织排放", "活性炭未按规定周期更换")),
    ("大气", ("除尘设施布袋破损，排气筒颗粒物排放异常", "废气收集罩未正常运行，存在无组织排放")),
    ("水污染", ("污水处理设施未正常运行", "雨污分流不彻底，雨水排口有污水痕迹")),
    ("入河排污口", ("入河排污口标识牌缺失",)),
    ("固体废物", ("一般工业固体废物露天堆放，未采取防扬散措施",)),
    ("危险废物", ("危险废物贮存场所未设置识别标志", "危险废物管理台账与转移联单不一致")),
    ("三同时", ("配套环保设施未经验收即投入生产",)),
    ("自动监控", ("在线监测设备未按规定校准", "自动监控数据传输中断未及时报告")),
    ("应急", ("突发环境事件应急预案未按规定备案",)),
    ("噪声", ("厂界噪声超过排放标准",)),
    ("土壤", ("未按规定开展土壤污染隐患排查",)),
    ("辐射", ("辐射工作人员未按规定佩戴个人剂量计",)),
    ("信息", ("未按规定披露企业环境信息",)),
)
"""A plausible problem for an item, by a word of its name (the demo's item list)."""
GENERIC_PROBLEM = "环境管理台账记录不完整"
TRANSFER_TO = {Handling.TRANSFER: ("县自然资源和规划局", "县应急管理局", "县市场监督管理局", "县住房和城乡建设局"),
               Handling.JUDICIARY: ("县公安局",)}
RETURN_REASONS = ("检查结束时间填写有误，请核实后更正", "检查地点未具体到车间或点位", "被检查单位联系人电话有误")
MANAGER_TITLES = ("环保负责人", "生产副总", "安全环保部经理", "厂长", "环保专员")
FINDINGS_OK = "现场检查时企业正常生产，污染防治设施运行正常，台账资料齐全，未发现环境违法问题。"
FINDINGS_OFF_SITE = "通过非现场手段检查：在线监测数据连续、达标，用电监控显示治污设施与生产设施同步运行，未发现异常。"
BATCH = 2000
CALENDAR = WorkCalendar()


def no_progress(iterable: Iterable, **_: Any) -> Iterable:
    return iterable


def _aware(day: date, hour: int, minute: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _early(number: str) -> bool:
    """Whether the demo re-checks the orders of record ``number`` early (about one in six): from a digest of the
    number, so the same every run and without drawing from the seeder's random stream."""
    return hashlib.sha256(number.encode()).digest()[0] % 6 == 0


def _last_workday(first: date, last: date) -> date:
    """The last working day in [first, last] (Monday to Friday where the calendar has no such year); ``last`` if
    there is none."""
    for n in range((last - first).days + 1):
        day = last - timedelta(days=n)
        try:
            if CALENDAR.is_workday(day):
                return day
        except CalendarUnknownError:
            if day.weekday() < 5:
                return day
    return last


def _workday(rng: random.Random, first: date, last: date) -> date:
    """A working day in [first, last] by China's calendar (Monday to Friday where the year is not in it yet);
    the last day if there is none."""
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    working = []
    for day in days:
        try:
            if CALENDAR.is_workday(day):
                working.append(day)
        except CalendarUnknownError:
            if day.weekday() < 5:
                working.append(day)
    return rng.choice(working or [last])


_signature_cache: dict[str, bytes] = {}


def signature_png(name: str) -> bytes:
    """A drawn-looking signature, the same for the same person: a pen stroke across a transparent strip."""
    if name in _signature_cache:
        return _signature_cache[name]
    rng = random.Random(f"signature:{name}")
    image = Image.new("LA", (240, 80), (0, 0))
    pen = ImageDraw.Draw(image)
    x, points = 14, []
    while x < 226:
        points.append((x, 40 + rng.randint(-24, 24)))
        x += rng.randint(10, 22)
    pen.line(points, fill=(20, 255), width=3, joint="curve")
    pen.line([(points[0][0], 66), (points[-1][0], 63 + rng.randint(-5, 5))], fill=(20, 255), width=2)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    _signature_cache[name] = buffer.getvalue()
    return _signature_cache[name]


def photo_jpeg(seed: str, color: tuple[int, int, int]) -> bytes:
    rng = random.Random(seed)
    image = Image.new("RGB", (480, 360), color)
    pen = ImageDraw.Draw(image)
    for _ in range(6):
        x, y = rng.randint(0, 400), rng.randint(0, 300)
        pen.rectangle([x, y, x + rng.randint(30, 120), y + rng.randint(20, 90)],
                      fill=tuple(max(0, c - rng.randint(20, 70)) for c in color))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=60)
    return buffer.getvalue()


def _store_file(folder: str, data: bytes) -> tuple[str, str]:
    digest = hashlib.sha256(data).hexdigest()
    path = default_storage.save(f"fieldwork/{folder}/{digest[:2]}/{digest}.jpg", ContentFile(data))
    return path, digest


def task_items(tasks: list[Task]) -> dict[int, list[CheckItem]]:
    """``Task.check_items(told_selections())`` for many tasks in three queries, as a draft begun on the phone has
    them (``fieldwork.services``): the items of every plan told of the visit (a live selection of a dispatched plan;
    a merged visit's other plan, drawn and not dispatched, checks nothing yet) that apply to the target (its
    category in the quarter and its industry), by code. The tasks come with their targets loaded."""
    plans = defaultdict(set)
    for task_id, plan_id in (TaskPlan.objects.filter(told_selections(), task__in=tasks)
                             .values_list("task_id", "plan_id")):
        plans[task_id].add(plan_id)
    by_plan = defaultdict(list)
    for link in Plan.check_items.through.objects.filter(plan_id__in={p for ids in plans.values() for p in ids}):
        by_plan[link.plan_id].append(link.checkitem_id)
    catalogue = CheckItem.objects.in_bulk({i for ids in by_plan.values() for i in ids})
    result = {}
    for task in tasks:
        chosen = {i for plan_id in plans.get(task.pk, ()) for i in by_plan[plan_id]}
        result[task.pk] = items_for_target(sorted((catalogue[i] for i in chosen), key=lambda item: item.code),
                                           task.category, task.target.industry_code)
    return result


class _Seeder:
    def __init__(self, population: Population, progress: Progress, tasks: QuerySet | None = None) -> None:
        self.population = population
        self.scope = tasks if tasks is not None else Task.objects.all()
        self.today = population.today
        self.progress = progress
        self.rng = random.Random(f"{population.seed}:fieldwork:{self.today.isoformat()}")
        self.counts: Counter = Counter()
        self.early_rechecks = 0
        self.events: list[PendingEvent] = []
        users = get_user_model().objects
        self.reviewers = {u.jurisdiction_id: u for u in users.filter(role=Role.COUNTY_ADMIN, is_active=True)}
        self.city_reviewer = users.filter(role=Role.CITY_ADMIN, is_superuser=False, is_active=True).first()
        self.inspector_users = {u.inspector_id: u for u in users.filter(inspector__isnull=False)}

    def problem_text(self, item_name: str) -> str:
        for word, texts in PROBLEMS:
            if word in item_name:
                return self.rng.choice(texts)
        return GENERIC_PROBLEM

    def person(self) -> str:
        given = self.rng.choice(catalog.GIVEN_NAME_CHARACTERS)
        if self.rng.random() < 0.7:
            given += self.rng.choice(catalog.GIVEN_NAME_CHARACTERS)
        return self.rng.choice(catalog.SURNAMES) + given

    # --- visits -----------------------------------------------------------------------------------------

    def tasks(self) -> list[Task]:
        current = (self.today.year, quarter_of(self.today))
        tasks = [t for t in self.scope.filter(status=TaskStatus.DISPATCHED, records__isnull=True)
                 .select_related("target__jurisdiction").order_by("year", "quarter", "pk")
                 if (t.year, t.quarter) <= current]
        last = max(((t.year, t.quarter) for t in tasks if (t.year, t.quarter) < current), default=None)
        undone = {t.pk for t in tasks if (t.year, t.quarter) == last and self.rng.random() < UNDONE_SHARE}
        self.counts["tasks_undone"] = len(undone)
        return [t for t in tasks if t.pk not in undone]

    def plan(self, tasks: list[Task]) -> list[dict]:
        """What each visit was: its day and times, mode, people and items (nothing written yet)."""
        members: dict[int, list[TaskMember]] = defaultdict(list)
        for member in (TaskMember.objects.filter(task__in=tasks, active=True).select_related("inspector")
                       .order_by("role", "slot", "pk")):
            if all(m.inspector_id != member.inspector_id for m in members[member.task_id]):
                members[member.task_id].append(member)
        positive = {(c.target_id, c.year, c.quarter): c.positive_list
                    for c in Classification.objects.filter(target__in=[t.target_id for t in tasks])
                    .only("target_id", "year", "quarter", "positive_list")}
        clues = {(c.target_id, c.applied_year, c.applied_quarter): c
                 for c in Clue.objects.filter(status=ClueStatus.APPROVED, applied_year__isnull=False)
                 .select_related("decided_by")}
        items = task_items(tasks)
        visits = []
        for task in self.progress(tasks, desc="现场检查记录（安排）", unit="项"):
            team = members.get(task.pk, [])
            if not team:
                continue
            start = (task.dispatched_at.date() if task.dispatched_at else task.deadline - timedelta(days=60))
            # A quarter's tasks are dispatched in the last days of the quarter before; the teams go in their
            # own quarter, the one the task counts for.
            first = max(start + timedelta(days=3), quarter_start(task.year, task.quarter))
            day = _workday(self.rng, first, task.deadline - timedelta(days=1))
            if day >= self.today:  # the team has not been there yet: the task is open on their phones
                self.counts["tasks_in_progress"] += 1
                continue
            begins = _aware(day, self.rng.choice((9, 9, 10, 10, 14, 15)), self.rng.choice((0, 10, 20, 30, 40)))
            listed = positive.get((task.target_id, task.year, task.quarter), task.target.positive_list)
            clue = clues.get((task.target_id, task.year, task.quarter)) if listed else None
            off_site = (listed and clue is None) or self.rng.random() < OFF_SITE_SHARE
            visits.append({
                "task": task, "team": team, "day": day, "begins": begins,
                "ends": begins + timedelta(minutes=self.rng.randint(40, 150)), "positive_list": listed,
                "clue": clue, "mode": Mode.OFF_SITE if off_site else Mode.ON_SITE,
                "means": sorted(self.rng.sample(OffSiteMeans.values, self.rng.randint(1, 2))) if off_site else [],
                "items": items.get(task.pk, []), "problems": {},
            })
        self.choose_problems(visits)
        return visits

    def choose_problems(self, visits: list[dict]) -> None:
        """Exactly round(PROBLEM_SHARE × visits) visits find problems; cases go first to the targets whose
        penalty decision (in intake's data) followed the visit, so the decision is the case's outcome."""
        wanted = round(len(visits) * PROBLEM_SHARE)
        penalties = defaultdict(list)
        for penalty in Penalty.objects.filter(decided_on__lt=self.today).order_by("decided_on"):
            penalties[penalty.target_id].append(penalty)
        followed = [v for v in visits if v["items"] and any(
            v["day"] < p.decided_on <= v["day"] + timedelta(days=DUE_DAYS[Handling.CASE])
            for p in penalties.get(v["task"].target_id, ()))]
        cases = self.rng.sample(followed, min(len(followed), round(wanted * 0.12)))
        case_ids = {id(v) for v in cases}
        rest = [v for v in visits if v["items"] and id(v) not in case_ids]
        chosen = cases + self.rng.sample(rest, max(0, wanted - len(cases)))
        handlings = [h for h, weight in HANDLINGS for _ in range(weight)]
        for visit in chosen:
            item = self.rng.choice(visit["items"])
            handling = Handling.CASE if id(visit) in case_ids else self.rng.choice(handlings)
            if visit["mode"] == Mode.OFF_SITE and handling == Handling.RECTIFIED:
                handling = Handling.ORDER  # nobody rectifies on the spot what was seen remotely
            visit["problems"][item.pk] = handling
            visit["penalty"] = next((p for p in penalties.get(visit["task"].target_id, ())
                                     if visit["day"] < p.decided_on), None) if id(visit) in case_ids else None
        self.counts["records_with_problems"] = len(chosen)

    # --- records ----------------------------------------------------------------------------------------

    def record(self, visit: dict, *, number: str, recheck: Recheck | None = None) -> InspectionRecord:
        target = visit["task"].target if recheck is None else recheck.target
        on_site = visit["mode"] == Mode.ON_SITE
        problems = visit["problems"]
        problem_text = "；".join(f"{item.name}：{visit['notes'][item.pk]}" for item in visit["items"]
                                 if item.pk in problems)
        if problems:
            findings = f"检查发现以下问题：{problem_text}。已当场告知企业并提出处理意见。"
        else:
            findings = FINDINGS_OK if on_site else FINDINGS_OFF_SITE
        return InspectionRecord(
            number=number, task=visit["task"] if recheck is None else None, recheck=recheck, target=target,
            mode=visit["mode"], off_site_means=visit["means"], positive_list=visit["positive_list"],
            on_site_clue=visit.get("clue") if on_site else None, started_at=visit["begins"], ended_at=visit["ends"],
            place=(target.address or target.name) if on_site else "非现场（在线监控平台、用电监控系统）",
            credit_code=target.credit_code, target_name=target.name,
            legal_representative=target.legal_representative or self.person(), contact_name=target.contact_name,
            contact_phone=target.contact_phone, address=target.address or target.jurisdiction.name,
            permit_number=target.permit_number, findings=findings,
            site_manager_name=visit["manager"] if on_site else "",
            site_manager_position=visit["manager_title"] if on_site else "",
            site_manager_statement="以上记录属实。" if on_site else "", revision=1, updated_at=visit["ends"],
            early_recheck_statement=visit.get("early_statement", "") if recheck is not None else "",
            created_by=self.inspector_users.get(visit["team"][0].inspector_id),
        )

    def items(self, record: InspectionRecord, visit: dict) -> list[ItemResult]:
        rows = []
        for n, item in enumerate(visit["items"], start=1):
            handling = visit["problems"].get(item.pk, "")
            row = ItemResult(record=record, check_item=item, order=n, code=item.code, name=item.name,
                             content=visit.get("contents", {}).get(item.pk, item.content),
                             outcome=Outcome.PROBLEM if handling else visit.get("outcome", Outcome.NO_PROBLEM))
            if handling:
                row.notes, row.handling = visit["notes"][item.pk], handling
                if handling == Handling.ORDER:
                    row.deadline = visit["day"] + timedelta(days=self.rng.choice((15, 20, 30)))
                elif handling in TRANSFER_TO:
                    row.transfer_to = self.rng.choice(TRANSFER_TO[handling])
                elif handling == Handling.RECTIFIED:
                    row.rectification = "企业已当场整改，整改后情况见照片"
            rows.append(row)
        return rows

    def signatures(self, record: InspectionRecord, visit: dict, content_hash: str) -> list[Signature]:
        signed = visit["ends"] - timedelta(minutes=2)
        rows = [Signature(record=record, role=SignerRole.EXPERT if m.role == "expert" else SignerRole.OFFICER,
                          inspector=m.inspector, name=m.inspector.name,
                          certificate_number=m.inspector.certificate_number, image=signature_png(m.inspector.name),
                          revision=record.revision, content_hash=content_hash, signed_at=signed + timedelta(seconds=n))
                for n, m in enumerate(visit["team"])]
        if record.mode == Mode.ON_SITE:
            rows.append(Signature(record=record, role=SignerRole.SITE_MANAGER, name=record.site_manager_name,
                                  image=signature_png(record.site_manager_name), revision=record.revision,
                                  content_hash=content_hash, signed_at=signed + timedelta(seconds=30)))
        for row in rows:
            row.image_hash = canonical.sha256_hex(row.image)
        return rows

    def write(self, batch: list[tuple[InspectionRecord, dict]]) -> None:
        """Store records with their children, then seal them, then log every seal."""
        records = InspectionRecord.objects.bulk_create([record for record, _visit in batch], batch_size=BATCH)
        items: dict[int, list[ItemResult]] = {}
        attachments: dict[int, list[Attachment]] = {}
        for record, visit in zip(records, (v for _r, v in batch), strict=True):
            items[record.pk] = self.items(record, visit)
            attachments[record.pk] = []
            if visit["problems"] and record.mode == Mode.ON_SITE:
                name = f"现场照片-{record.number}.jpg"
                path, digest = _store_file("demo", photo_jpeg(record.number, (110, 120, 100)))
                attachments[record.pk].append(Attachment(
                    record=record, file=path, original_name=name, content_type="image/jpeg",
                    size=default_storage.size(path), sha256=digest, taken_at=visit["begins"] + timedelta(minutes=20),
                    uploaded_at=visit["begins"] + timedelta(minutes=21), uploaded_by=record.created_by))
        ItemResult.objects.bulk_create([row for rows in items.values() for row in rows], batch_size=BATCH)
        Attachment.objects.bulk_create([row for rows in attachments.values() for row in rows], batch_size=BATCH)
        signatures: dict[int, list[Signature]] = {}
        for record, visit in zip(records, (v for _r, v in batch), strict=True):
            content = sealing.content_document(record, items[record.pk], attachments[record.pk])
            signatures[record.pk] = self.signatures(record, visit, canonical.digest(content))
            visit["content"] = content
        Signature.objects.bulk_create([row for rows in signatures.values() for row in rows], batch_size=BATCH)
        for record, visit in zip(records, (v for _r, v in batch), strict=True):
            order = {"officer": 0, "expert": 1, "site_manager": 2}
            signed = sorted(signatures[record.pk], key=lambda s: (order[s.role], s.pk))
            record.sealed_at = visit["ends"] + timedelta(minutes=3)
            record.sealed_by = self.inspector_users.get(visit["team"][0].inspector_id)
            data = sealing.seal_bytes(sealing.seal_document(record, visit["content"], signed, record.sealed_at,
                                                            record.sealed_by))
            record.sealed_content = data.decode("utf-8")
            record.seal_hash = canonical.sha256_hex(data)
            record.items_written = items[record.pk]
        InspectionRecord.objects.bulk_update(records, ["sealed_at", "sealed_by", "seal_hash", "sealed_content"],
                                             batch_size=BATCH)
        self.events += [PendingEvent("record.seal", r, r.target.jurisdiction_id,
                                     {"seal_hash": [None, r.seal_hash], "mode": [None, r.mode]}, "演示数据")
                        for r in records]
        self.counts["records"] += len(records)

    # --- the story after sealing ------------------------------------------------------------------------

    def seal_visits(self, visits: list[dict]) -> list[InspectionRecord]:
        for visit in visits:
            on_site = visit["mode"] == Mode.ON_SITE
            visit["manager"] = self.person() if on_site else ""
            visit["manager_title"] = self.rng.choice(MANAGER_TITLES) if on_site else ""
            visit["notes"] = {item.pk: self.problem_text(item.name) for item in visit["items"]
                              if item.pk in visit["problems"]}
        sealed: list[InspectionRecord] = []
        for start in self.progress(range(0, len(visits), BATCH), desc="现场检查记录（封存）", unit="批"):
            batch = [(self.record(v, number=f"JL{v['task'].year}Q{v['task'].quarter}-{v['task'].pk:06d}"), v)
                     for v in visits[start:start + BATCH]]
            self.write(batch)
            sealed += [record for record, _visit in batch]
        for record, visit in zip(sealed, visits, strict=True):
            visit["record"] = record
        on_site = defaultdict(list)
        for visit in visits:
            if visit["mode"] == Mode.ON_SITE:
                on_site[visit["day"]].append(visit["task"].pk)
        for day, ids in on_site.items():
            Task.objects.filter(pk__in=ids).update(inspected_on=day)
        self.counts["records_off_site"] = sum(1 for v in visits if v["mode"] == Mode.OFF_SITE)
        return sealed

    def review(self, visits: list[dict]) -> None:
        reviews, returned = [], []
        for visit in visits:
            record = visit["record"]
            reviewer = self.reviewers.get(record.target.jurisdiction_id, self.city_reviewer)
            when = record.sealed_at + timedelta(days=self.rng.randint(1, 6), hours=2)
            if timezone.localdate(when) >= self.today:
                continue  # sealed in the last days: waiting for the county's review
            if not visit["problems"] and self.rng.random() < RETURN_SHARE:
                reason = self.rng.choice(RETURN_REASONS)
                reviews.append(RecordReview(record=record, decision=ReviewDecision.RETURNED, reason=reason,
                                            reviewed_by=reviewer, reviewed_at=when))
                returned.append((visit, reason, reviewer, when))
            else:
                reviews.append(RecordReview(record=record, decision=ReviewDecision.PASSED, reviewed_by=reviewer,
                                            reviewed_at=when))
        RecordReview.objects.bulk_create(reviews, batch_size=BATCH)
        self.counts["reviews"] = len(reviews)
        self.amend(returned)

    def amend(self, returned: list[tuple[dict, str, Any, datetime]]) -> None:
        """Returned records: two in three corrected, re-signed, sealed and passed; the rest still being fixed."""
        corrected, drafts = [], []
        for n, (visit, reason, reviewer, when) in enumerate(returned):
            original = visit["record"]
            amended = dict(visit, begins=visit["begins"], ends=visit["ends"] + timedelta(minutes=5))
            amendment = self.record(amended, number=f"{original.number}-G1")
            amendment.amends, amendment.amendment_reason = original, reason
            amendment.amendment_approved_by, amendment.amendment_approved_at = reviewer, when
            if n % 3 == 2 or timezone.localdate(when) + timedelta(days=2) >= self.today:
                amendment.revision = 0
                drafts.append((amendment, amended, reason, reviewer, when))
            else:
                amended["ends"] = when + timedelta(days=2)
                corrected.append((amendment, amended, reason, reviewer, when))
        if corrected:
            self.write([(a, v) for a, v, *_rest in corrected])
        InspectionRecord.objects.bulk_create([a for a, *_rest in drafts])
        for amendment, visit, *_rest in drafts:
            ItemResult.objects.bulk_create(self.items(amendment, visit))
        AmendmentRequest.objects.bulk_create(
            AmendmentRequest(record=visit["record"], reason=reason, requested_by=reviewer, requested_at=when,
                             via_review=True, state=RequestState.APPROVED, decided_by=reviewer, decided_at=when,
                             decided_as=DecidedAs.REVIEW_RETURN, amendment=amendment)
            for amendment, visit, reason, reviewer, when in corrected + drafts)
        RecordReview.objects.bulk_create(
            RecordReview(record=amendment, decision=ReviewDecision.PASSED, reviewed_by=reviewer,
                         reviewed_at=amendment.sealed_at + timedelta(days=1))
            for amendment, _visit, _reason, reviewer, _when in corrected
            if timezone.localdate(amendment.sealed_at) + timedelta(days=1) < self.today)
        self.counts["amendments"] = len(corrected) + len(drafts)

    def follow_up(self, visits: list[dict]) -> None:
        opened, rechecks = [], []
        for visit in visits:
            record = visit["record"]
            for item in record.items_written:
                if item.outcome != Outcome.PROBLEM:
                    continue
                due = (item.deadline + timedelta(days=RECHECK_WITHIN_DAYS) if item.handling == Handling.ORDER
                       else visit["day"] + timedelta(days=DUE_DAYS[item.handling]))
                follow_up = FollowUp(problem=item, record=record, target=record.target, handling=item.handling,
                                     due_date=due, opened_at=record.sealed_at)
                opened.append((follow_up, visit, item))
        FollowUp.objects.bulk_create([f for f, _v, _i in opened], batch_size=BATCH)
        for follow_up, visit, item in opened:
            self.close(follow_up, visit, item, rechecks)
        FollowUp.objects.bulk_update([f for f, _v, _i in opened],
                                     ["status", "closed_at", "closed_by", "closing_note", "closed_as", "case_number",
                                      "case_filed_on", "penalty", "transfer_reference", "transferred_on", "recheck",
                                      "closing_record", "due_date"],
                                     batch_size=BATCH)
        self.counts["follow_ups"] = len(opened)
        self.counts["follow_ups_open"] = sum(1 for f, _v, _i in opened if f.status == FollowUpStatus.OPEN)
        self.counts["follow_ups_overdue"] = sum(1 for f, _v, _i in opened
                                                if f.status == FollowUpStatus.OPEN and f.due_date < self.today)
        self.counts["rechecks"] = len(rechecks)

    def close(self, follow_up: FollowUp, visit: dict, item: ItemResult, rechecks: list) -> None:
        rng, today = self.rng, self.today
        closer = visit["record"].sealed_by

        def closed(when: datetime, note: str) -> None:
            if timezone.localdate(when) >= today:  # not yet: nothing in the demo happens later than yesterday
                return
            follow_up.status, follow_up.closed_at, follow_up.closing_note = FollowUpStatus.CLOSED, when, note
            follow_up.closed_by = closer

        if item.handling == Handling.RECTIFIED:
            if rng.random() < 0.9:
                when = visit["ends"] + timedelta(days=rng.randint(0, 2), hours=1)
                self.evidence(follow_up, "整改后照片", when)
                closed(when, "企业已整改到位，整改后照片已上传")
        elif item.handling == Handling.ORDER:
            self.recheck(follow_up, visit, item, rechecks)
        elif item.handling == Handling.CASE:
            filed = visit["day"] + timedelta(days=rng.randint(2, 10))
            if filed <= today:
                follow_up.case_number = f"冀保环立〔{filed.year}〕{follow_up.pk % 1000:03d}号"
                follow_up.case_filed_on = filed
                follow_up.due_date = filed + timedelta(days=DUE_DAYS[Handling.CASE])
            penalty = visit.get("penalty")
            if penalty is not None and follow_up.case_filed_on and penalty.decided_on >= follow_up.case_filed_on:
                follow_up.penalty = penalty
                Penalty.objects.filter(pk=penalty.pk).update(source=Source.FIELDWORK,
                                                             source_reference=visit["record"].number)
                closed(_aware(penalty.decided_on, 16, 0), "")
                if follow_up.status == FollowUpStatus.CLOSED:  # said from the decision, as the service closes it
                    follow_up.closed_as = ClosedAs.PENALTY
            elif follow_up.case_filed_on and follow_up.due_date < today and rng.random() < 0.7:
                # Not every case ends in a penalty: the investigation may find the facts do not hold.
                when = _aware(follow_up.case_filed_on + timedelta(days=rng.randint(30, 80)), 15, 0)
                self.evidence(follow_up, "不予行政处罚决定书", when)
                closed(when, "经调查，违法事实不能成立，决定不予行政处罚")
        else:
            sent = visit["day"] + timedelta(days=rng.randint(1, 7))
            if sent <= today and rng.random() < 0.8:
                follow_up.transfer_reference = f"保环移〔{sent.year}〕{follow_up.pk % 100:02d}号"
                follow_up.transferred_on = sent
                when = _aware(sent + timedelta(days=rng.randint(1, 8)), 11, 0)
                if when.date() <= today:
                    self.evidence(follow_up, "接收回执", when)
                    closed(when, f"{item.transfer_to}已签收")

    def evidence(self, follow_up: FollowUp, caption: str, when: datetime) -> None:
        if timezone.localdate(when) >= self.today:
            return
        name = f"{caption}-{follow_up.pk}.jpg"
        path, digest = _store_file("demo-evidence", photo_jpeg(name, (90, 110, 130)))
        FollowUpEvidence.objects.create(follow_up=follow_up, file=path, original_name=name, content_type="image/jpeg",
                                        size=default_storage.size(path), sha256=digest, caption=caption,
                                        uploaded_at=when, taken_at=when - timedelta(minutes=10))

    def recheck(self, follow_up: FollowUp, visit: dict, item: ItemResult, rechecks: list) -> None:
        record = visit["record"]
        recheck = Recheck.objects.create(number=f"FC-{record.number}", source_record=record, target=record.target,
                                         not_before=item.deadline,
                                         due_date=item.deadline + timedelta(days=RECHECK_WITHIN_DAYS),
                                         created_at=record.sealed_at)
        recheck.number = f"FC{timezone.localdate(record.sealed_at).year}-{recheck.pk:06d}"
        recheck.save(update_fields=["number"])
        recheck.team.set([m.inspector for m in visit["team"] if m.role == "officer"])
        follow_up.recheck = recheck
        rechecks.append(recheck)
        day = _workday(self.rng, item.deadline + timedelta(days=1), item.deadline + timedelta(days=12))
        if day >= self.today - timedelta(days=1) or self.rng.random() < 0.12:
            return  # not re-checked yet: open, and overdue once the re-check's window has passed
        statement = ""
        if _early(record.number) or not self.early_rechecks:
            # the firm reported it had rectified early, so the officers went on or before the deadline, and say so
            # as the seal requires (services.early_recheck). Picked from the record's number and a fixed choice
            # of day, not from the seeder's random stream, so the rest of the demo stays what it was; the first
            # re-check always, so that a small demo (a test's, whose draws differ from run to run) has one.
            self.early_rechecks += 1
            day = _last_workday(item.deadline - timedelta(days=4), item.deadline)
            report = day - timedelta(days=2)
            statement = (f"企业于{report.month}月{report.day}日书面报告已提前完成整改（{item.notes}），"
                         "并报送整改照片，申请提前复查；经执法机构同意，于整改期限届满前复查。")
        begins = _aware(day, 10, 0)
        again = {**visit, "day": day, "begins": begins, "ends": begins + timedelta(minutes=45), "mode": Mode.ON_SITE,
                 "means": [], "items": [item.check_item], "problems": {}, "early_statement": statement,
                 "contents": {item.check_item_id: f"复查整改情况：{item.notes}（整改期限 {item.deadline}）"},
                 "manager": self.person(), "manager_title": self.rng.choice(MANAGER_TITLES), "notes": {}}
        recheck_record = self.record(again, number=f"JL{recheck.number}", recheck=recheck)
        self.write([(recheck_record, again)])
        Recheck.objects.filter(pk=recheck.pk).update(status=RecheckStatus.DONE, done_at=recheck_record.sealed_at)
        RecordReview.objects.create(record=recheck_record, decision=ReviewDecision.PASSED,
                                    reviewed_by=self.reviewers.get(record.target.jurisdiction_id, self.city_reviewer),
                                    reviewed_at=recheck_record.sealed_at + timedelta(days=1))
        follow_up.status, follow_up.closed_at = FollowUpStatus.CLOSED, recheck_record.sealed_at
        follow_up.closed_as = ClosedAs.RECTIFIED
        follow_up.closing_record, follow_up.closed_by = recheck_record, recheck_record.sealed_by
        self.counts["recheck_records"] += 1


@transaction.atomic
def seed_fieldwork(population: Population, *, progress: Progress = no_progress,
                   tasks: QuerySet | None = None) -> dict[str, int]:
    """The fieldwork step of ``seed_demo``: records, reviews, amendments and follow-ups for the dispatched tasks
    up to ``population.today`` (the current quarter's up to the day before). Returns counts of what was made.

    ``tasks``: only these (of those dispatched and without a record), e.g. one share of the country at a time
    (bench/staff_bench.py's national year): each call re-decides which tasks of the last past quarter are left
    undone, so tasks left undone by an earlier call would otherwise be visited by the next."""
    seeder = _Seeder(population, progress, tasks)
    visits = seeder.plan(seeder.tasks())
    if not visits:
        return {"records": 0}
    seeder.seal_visits(visits)
    seeder.review(visits)
    seeder.follow_up(visits)
    record_events(seeder.events, actor=None)
    counts = dict(seeder.counts)
    counts["problem_share_percent"] = round(100 * counts.get("records_with_problems", 0) / len(visits), 2)
    return counts
