"""Storing a generated population: the service behind ``seed_demo``.

``do_seed_demo`` runs its steps in one transaction and writes one audit event for the whole run, so a
failed or interrupted run leaves the database as it was. Rows are written in bulk (no per-row events:
the generator's rows are valid by construction and the tests check that). On PostgreSQL the large
tables go in with COPY, elsewhere with batched INSERTs.

Steps are plain functions of a ``SeedContext`` listed in ``STEPS``; later features (a past year of plans,
draws, tasks, records and publications) add theirs to the list and find the ids of what earlier steps
stored in the context.
"""

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from typing import Any, NamedTuple

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction

from shuangsuiji.accounts.models import Role
from shuangsuiji.audit.services import record_event
from shuangsuiji.demo.data import catalog
from shuangsuiji.demo.generator import Population, TargetRow
from shuangsuiji.demo.statistics import refresh_statistics
from shuangsuiji.disclosure.demo import seed_disclosure
from shuangsuiji.fieldwork.demo import seed_fieldwork
from shuangsuiji.intake.demo import seed_intake
from shuangsuiji.planning.demo import seed_planning
from shuangsuiji.registry.models import (
    CheckItem,
    Department,
    Inspector,
    Jurisdiction,
    Outlet,
    Recusal,
    Specialty,
    Target,
    TargetHistory,
)

DEMO_PASSWORD = "baoding2021"
"""Password of every demo login (README lists them). Demo data only: never seed a production database."""

BATCH = 5_000
INITIAL_REASON = "初始化"
HISTORY_LIMIT = 50_000
"""Targets get their initial TargetHistory rows only up to this many (demo Baoding, not the benchmarks)."""


class DemoUser(NamedTuple):
    username: str
    role: str
    jurisdiction_code: str
    last_name: str = ""
    first_name: str = ""
    department: str = ""
    is_inspector: bool = False
    is_superuser: bool = False


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("admin", Role.CITY_ADMIN, "130600", "系统", "管理员", is_superuser=True),
    DemoUser("city", Role.CITY_ADMIN, "130600", "赵", "明远"),
    DemoUser("county", Role.COUNTY_ADMIN, "130608", "钱", "立新"),
    DemoUser("county2", Role.COUNTY_ADMIN, "130609", "孙", "海燕"),
    DemoUser("dept", Role.DEPARTMENT, "130600", "李", "文博", department="大气环境处"),
    DemoUser("inspector", Role.INSPECTOR, "130608", is_inspector=True),
    DemoUser("leader", Role.LEADER, "130600", "周", "振华"),
)
"""One login per role: 保定市 for the city roles, 清苑区 and 徐水区 for the two county admins, the
inspector linked to an 清苑区 officer's registry entry (his name is the officer's)."""


class SeedError(Exception):
    """The database is not in a state the demo data can be added to; nothing was written."""


class ProductionRefused(SeedError):
    """DEBUG is off (a bureau's server) and the caller did not say the database is a benchmark's; nothing was
    read or written."""


def check_seed_allowed(*, allow_production: bool = False) -> None:
    """Raise ProductionRefused when DEBUG is off and ``allow_production`` is not given.

    DEBUG off is how the settings say "a bureau's server" (docs/operations.md): an empty production database
    must not get demo accounts whose shared password is in the README. ``do_seed_demo`` calls this first, so
    every caller (the command, a shell, a benchmark, a test) is held; ``seed_demo`` also calls it before it
    reads the database, and ``seed_demo --check`` (``make run``, before its ``migrate``) calls nothing else.
    """
    if not settings.DEBUG and not allow_production:
        raise ProductionRefused(
            f"设置 DEBUG 为关（环境变量 DEBUG），表明这是生产环境：演示用户的密码均为公开的 {DEMO_PASSWORD}，"
            "拒绝装入演示数据。演示请在 DEBUG 打开时运行（make run 的默认，不读生产环境文件）；"
            "确需在 DEBUG 关闭时装入（如基准测试），加 --allow-production。")


Progress = Callable[..., Iterable]


def no_progress(iterable: Iterable, **_: Any) -> Iterable:
    return iterable


@dataclass
class SeedContext:
    """What the steps share: the population, the ids of what is stored, and what each step did."""

    population: Population
    progress: Progress = no_progress
    jurisdictions: dict[str, int] = field(default_factory=dict)  # division code → id
    departments: dict[str, int] = field(default_factory=dict)  # department code → id
    specialties: dict[str, int] = field(default_factory=dict)
    inspectors: dict[str, int] = field(default_factory=dict)  # certificate number → id
    users: dict[str, int] = field(default_factory=dict)  # username → id
    recusal_targets: dict[str, int] = field(default_factory=dict)  # credit code → id, of recusals' targets
    counts: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)


class Step(NamedTuple):
    name: str
    label: str
    run: Callable[[SeedContext], None]


def _chunks(rows: Iterable, size: int = BATCH) -> Iterator[list]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _copy(model: type[models.Model], columns: list[str], rows: Iterable[tuple]) -> None:
    """PostgreSQL COPY of plain tuples into ``model``'s table, values already in database form."""
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _insert(model: type[models.Model], columns: list[str], rows: Iterable[tuple]) -> None:
    """Many rows in few statements: COPY on PostgreSQL, batched INSERT elsewhere."""
    if connection.vendor == "postgresql":
        _copy(model, columns, rows)
        return
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"
    with connection.cursor() as cursor:
        for chunk in _chunks(rows):
            cursor.executemany(sql, chunk)


def _ids(model: type[models.Model], key: str) -> dict[str, int]:
    return dict(model.objects.order_by().values_list(key, "pk").iterator(chunk_size=20_000))


class IdAllocator:
    """Primary keys for rows written without the ORM, so children can point at them without reading back.

    PostgreSQL hands them out from the table's own sequence (safe beside other writers); SQLite counts on
    from the current maximum, which is safe because the seeding transaction holds the write lock.
    """

    def __init__(self, model: type[models.Model]) -> None:
        self.table = model._meta.db_table
        self.next = 0
        if connection.vendor != "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(self.table)}")
                self.next = cursor.fetchone()[0] + 1

    def take(self, count: int) -> list[int]:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                               [self.table, count])
                return [row[0] for row in cursor.fetchall()]
        ids = list(range(self.next, self.next + count))
        self.next += count
        return ids


# ------------------------------------------------------------------------------------ step: registries


def _store_reference(ctx: SeedContext) -> None:
    population = ctx.population
    paths: dict[str, str] = {}
    for row in population.jurisdictions:
        paths[row.code] = (paths[row.parent_code] if row.parent_code else "") + row.code + "."
    # Level by level from the root, so every parent has its id before its children are written.
    for depth in sorted({path.count(".") for path in paths.values()}):
        level_rows = [row for row in population.jurisdictions if paths[row.code].count(".") == depth]
        created = Jurisdiction.objects.bulk_create(
            Jurisdiction(code=row.code, name=row.name, level=row.level, path=paths[row.code],
                         bureau_name=row.bureau_name,
                         parent_id=ctx.jurisdictions[row.parent_code] if row.parent_code else None)
            for row in level_rows
        )
        ctx.jurisdictions.update((obj.code, obj.pk) for obj in created)

    Specialty.objects.bulk_create(Specialty(code=s.code, name=s.name) for s in population.specialties)
    ctx.specialties = _ids(Specialty, "code")

    Department.objects.bulk_create(
        (Department(jurisdiction_id=ctx.jurisdictions[d.jurisdiction_code], name=d.name, code=d.code,
                    has_enforcement_duty=d.has_enforcement_duty) for d in population.departments),
        batch_size=BATCH,
    )
    ctx.departments = _ids(Department, "code")

    items = CheckItem.objects.bulk_create(
        CheckItem(code=i.code, name=i.name, legal_basis=i.legal_basis, content=i.content,
                  jurisdiction_id=ctx.jurisdictions[i.jurisdiction_code], list_level=i.list_level,
                  responsible_department_id=ctx.departments[i.responsible_department],
                  applies_general="general" in i.categories, applies_key="key" in i.categories,
                  applies_special="special" in i.categories,
                  specialty_id=ctx.specialties[i.specialty] if i.specialty else None, check_method=i.check_method,
                  industries=i.industries)
        for i in population.check_items
    )
    through = CheckItem.cooperating_departments.through
    through.objects.bulk_create(
        through(checkitem_id=item.pk, department_id=ctx.departments[code])
        for item, row in zip(items, population.check_items, strict=True) for code in row.cooperating_departments
    )
    ctx.counts.update(jurisdictions=len(paths), departments=len(population.departments),
                      check_items=len(items))


TARGET_COLUMNS = [
    "id", "credit_code", "name", "address", "jurisdiction_id", "industry_code", "industry_name", "longitude",
    "latitude", "legal_representative", "contact_name", "contact_phone", "permit_number", "status", "defunct_date",
    "defunct_reason", "category", "positive_list", "created_at", "updated_at",
]


def _target_values(rows: list[TargetRow], ids: list[int], jurisdictions: dict[str, int],
                   stamp: Any) -> Iterator[tuple]:
    adapt_date = connection.ops.adapt_datefield_value
    for target_id, t in zip(ids, rows, strict=True):
        yield (target_id, t.credit_code, t.name, t.address, jurisdictions[t.jurisdiction_code], t.industry_code,
               t.industry_name, f"{t.longitude:.6f}", f"{t.latitude:.6f}", t.legal_representative, t.contact_name,
               t.contact_phone, t.permit_number, t.status, adapt_date(t.defunct_date), t.defunct_reason, t.category,
               t.positive_list, stamp, stamp)


def _history_rows(target_id: int, t: TargetRow, recorded_at: Any) -> Iterator[tuple]:
    def reason(detail: str) -> str:
        return f"{INITIAL_REASON}：{detail}" if detail else INITIAL_REASON

    registered = connection.ops.adapt_datefield_value(t.registered_on)
    yield (target_id, "category", "", t.category, registered, reason(t.category_reason), "[]", recorded_at)
    yield (target_id, "positive_list", "", str(t.positive_list), registered,
           reason(catalog.POSITIVE_REASON if t.positive_list else ""), "[]", recorded_at)
    yield (target_id, "status", "", "active", registered, INITIAL_REASON, "[]", recorded_at)
    if t.status == "defunct":
        yield (target_id, "status", "active", "defunct", connection.ops.adapt_datefield_value(t.defunct_date),
               t.defunct_reason, "[]", recorded_at)


HISTORY_COLUMNS = ["target_id", "field", "old_value", "new_value", "effective_date", "reason", "evidence",
                   "recorded_at"]
OUTLET_COLUMNS = ["target_id", "code", "name", "kind", "online_monitored"]


def _store_targets(ctx: SeedContext) -> None:
    population = ctx.population
    with_history = len(population.targets) <= HISTORY_LIMIT
    # Raw rows skip the model layer, so values go in as Django would write them for this database.
    now = datetime.now(UTC)
    stamp = now if connection.vendor == "postgresql" else connection.ops.adapt_datetimefield_value(now)
    wanted = {r.credit_code for r in population.recusals}
    outlets = history = 0
    allocator = IdAllocator(Target)
    stream = ctx.progress(population.targets, total=len(population.targets), desc="检查对象", unit="家")
    for chunk in _chunks(stream):
        ids = dict(zip((t.credit_code for t in chunk), allocator.take(len(chunk)), strict=True))
        _insert(Target, TARGET_COLUMNS, _target_values(chunk, list(ids.values()), ctx.jurisdictions, stamp))
        outlet_rows = [(ids[t.credit_code], o.code, o.name, o.kind, o.online_monitored)
                       for t in chunk for o in t.outlets]
        _insert(Outlet, OUTLET_COLUMNS, outlet_rows)
        outlets += len(outlet_rows)
        if with_history:
            history_rows = [row for t in chunk for row in _history_rows(ids[t.credit_code], t, stamp)]
            _insert(TargetHistory, HISTORY_COLUMNS, history_rows)
            history += len(history_rows)
        ctx.recusal_targets.update((code, ids[code]) for code in wanted.intersection(ids))
    ctx.counts.update(targets=len(population.targets), outlets=outlets, target_history=history)


def _store_inspectors(ctx: SeedContext) -> None:
    population = ctx.population
    rows = ctx.progress(population.inspectors, total=len(population.inspectors), desc="执法人员", unit="人")
    for chunk in _chunks(rows):
        Inspector.objects.bulk_create(
            Inspector(name=i.name, certificate_number=i.certificate_number, certificate_expiry=i.certificate_expiry,
                      jurisdiction_id=ctx.jurisdictions[i.jurisdiction_code],
                      department_id=ctx.departments[i.department_code], qualifications=i.qualifications,
                      status=i.status, is_double_random=i.is_double_random, is_external=i.is_external,
                      external_kind=i.external_kind, organisation=i.organisation, phone=i.phone)
            for i in chunk
        )
    ctx.inspectors = _ids(Inspector, "certificate_number")
    through = Inspector.specialties.through
    _insert(through, ["inspector_id", "specialty_id"],
            ((ctx.inspectors[i.certificate_number], ctx.specialties[s]) for i in population.inspectors
             for s in i.specialties))
    Recusal.objects.bulk_create(
        Recusal(inspector_id=ctx.inspectors[r.certificate_number], target_id=ctx.recusal_targets[r.credit_code],
                reason=r.reason)
        for r in population.recusals
    )
    ctx.counts.update(inspectors=len(population.inspectors), recusals=len(population.recusals))


def seed_registries(ctx: SeedContext) -> None:
    """两库一单: jurisdictions, departments, specialties, the item list, targets, inspectors, recusals."""
    _store_reference(ctx)
    _store_targets(ctx)
    _store_inspectors(ctx)


# ------------------------------------------------------------------------------------ step: users


def seed_users(ctx: SeedContext) -> None:
    """One demo login per role, bound to Baoding's jurisdictions (present at every scale)."""
    User = get_user_model()
    # One deliberately slow hash for all: the logins share a password, and seven hashes cost seconds.
    password = make_password(DEMO_PASSWORD)
    for spec in DEMO_USERS:
        fields: dict[str, Any] = {
            "role": spec.role, "jurisdiction_id": ctx.jurisdictions[spec.jurisdiction_code],
            "last_name": spec.last_name, "first_name": spec.first_name,
        }
        if spec.department:
            fields["department_id"] = ctx.departments[f"{spec.jurisdiction_code}-{_department_code(ctx, spec)}"]
        if spec.is_inspector:
            inspector = _demo_inspector(ctx, spec.jurisdiction_code)
            fields.update(inspector_id=inspector.pk, department_id=inspector.department_id,
                          last_name=inspector.name[0], first_name=inspector.name[1:], phone=inspector.phone)
        user = User.objects.create(username=spec.username, password=password, is_superuser=spec.is_superuser,
                                   is_staff=spec.is_superuser, **fields)
        ctx.users[spec.username] = user.pk
    ctx.counts["users"] = len(DEMO_USERS)


def _department_code(ctx: SeedContext, spec: DemoUser) -> str:
    for row in ctx.population.departments:
        if row.jurisdiction_code == spec.jurisdiction_code and row.name == spec.department:
            return row.code.rsplit("-", 1)[1]
    raise SeedError(f"演示用户 {spec.username} 的科室“{spec.department}”不在演示数据中")


def _demo_inspector(ctx: SeedContext, county_code: str) -> Inspector:
    """An active officer of the county's enforcement unit holding a certificate valid for a good while."""
    today = ctx.population.today
    candidates = (Inspector.objects.filter(jurisdiction_id=ctx.jurisdictions[county_code], is_external=False,
                                           status="active", department__has_enforcement_duty=True,
                                           certificate_expiry__gt=today.replace(year=today.year + 1))
                  .order_by("certificate_number"))
    inspector = candidates.first()
    if inspector is None:
        raise SeedError(f"行政区 {county_code} 没有可关联演示执法人员账号的在岗持证执法人员")
    return inspector


def seed_outside_data(ctx: SeedContext) -> None:
    """A past year of penalties, complaints, exceedances, directories and clues, and four classified
    quarters (the intake app's demo step)."""
    ctx.counts.update(seed_intake(ctx.population, progress=ctx.progress))


def seed_past_draws(ctx: SeedContext) -> None:
    """The three quarters before today's planned, drawn, dispatched and revealed (the planning app's step)."""
    ctx.counts.update(seed_planning(ctx.population, progress=ctx.progress))


def seed_field_records(ctx: SeedContext) -> None:
    """Sealed, reviewed records and their follow-ups for those quarters' tasks (the fieldwork app's step)."""
    ctx.counts.update(seed_fieldwork(ctx.population, progress=ctx.progress))


def seed_publications(ctx: SeedContext) -> None:
    """一公开: the annual lists, the months' results released (one late, one overdue), a redaction rule and case,
    a correction, and every revealed draw verified (the disclosure app's step)."""
    ctx.counts.update(seed_disclosure(ctx.population, progress=ctx.progress))


STEPS: list[Step] = [
    Step("registries", "两库一单", seed_registries),
    Step("users", "演示用户", seed_users),
    Step("intake", "外部数据与季度分类", seed_outside_data),
    Step("planning", "抽查计划与抽取", seed_past_draws),
    Step("fieldwork", "现场检查记录与问题处置", seed_field_records),
    Step("disclosure", "一公开：名录、月度结果与抽取验证", seed_publications),
]


def registry_is_empty() -> bool:
    return not (Jurisdiction.objects.exists() or Target.objects.exists() or Inspector.objects.exists())


def do_seed_demo(population: Population, *, progress: Progress = no_progress,
                 on_step: Callable[[Step, float], None] | None = None,
                 steps: Iterable[Step] | None = None, allow_production: bool = False) -> SeedContext:
    """Store ``population`` and the demo users in an empty database, as one transaction and one event.

    With DEBUG off it refuses (ProductionRefused) unless ``allow_production``: the benchmarks, which measure a
    demo population with production settings, and the tests (pytest-django runs with DEBUG off) say so.
    """
    check_seed_allowed(allow_production=allow_production)  # before the transaction: not even a read
    return _seed(population, progress=progress, on_step=on_step, steps=steps)


@transaction.atomic
def _seed(population: Population, *, progress: Progress, on_step: Callable[[Step, float], None] | None,
          steps: Iterable[Step] | None) -> SeedContext:
    if not registry_is_empty():
        raise SeedError("数据库中已有行政区、检查对象或执法人员，演示数据只能装入空库")
    User = get_user_model()
    taken = sorted(User.objects.filter(username__in=[u.username for u in DEMO_USERS])
                   .values_list("username", flat=True))
    if taken:
        raise SeedError(f"演示用户名已被占用：{'、'.join(taken)}")
    ctx = SeedContext(population=population, progress=progress)
    for step in STEPS if steps is None else steps:
        started = time.perf_counter()
        step.run(ctx)
        refresh_statistics()
        ctx.timings[step.name] = time.perf_counter() - started
        if on_step:
            on_step(step, ctx.timings[step.name])
    record_event(
        "demo.seed", jurisdiction_id=ctx.jurisdictions.get(population.jurisdictions[0].code),
        changes={"scale": population.scale, "seed": population.seed, "today": population.today, **ctx.counts},
        reason="装入演示数据（合成数据，单位与人员均为虚构）",
    )
    return ctx
