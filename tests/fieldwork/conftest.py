"""Fixtures of the fieldwork tests: a dispatched task in county A with a team of two officers who can sign
in, check items, and helpers that fill, sign and submit a record the way the phone page does."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from shuangsuiji.accounts.models import Role, User
from shuangsuiji.engine.workdays import quarter_of
from shuangsuiji.fieldwork import services
from shuangsuiji.fieldwork.models import FollowUp, Handling, Outcome, Recheck
from shuangsuiji.planning.models import (
    Draw,
    DrawStatus,
    MemberRole,
    Plan,
    PlanLevel,
    Task,
    TaskMember,
    TaskPlan,
    TaskStatus,
)
from shuangsuiji.registry.models import CheckItem, Inspector, Target
from tests.conftest import credit_code as code_for


def signature_png(seed: int = 1, *, blank: bool = False) -> bytes:
    """A PNG like the phone's canvas exports: transparent, with a dark stroke unless ``blank``."""
    image = Image.new("RGBA", (300, 120), (0, 0, 0, 0))
    if not blank:
        draw = ImageDraw.Draw(image)
        points = [(20 + 25 * i, 60 + ((i * 37 + seed * 11) % 50) - 25) for i in range(11)]
        draw.line(points, fill=(20, 20, 20, 255), width=4)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def photo(name: str = "现场照片.jpg", color: str = "green") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def team(tree, users):
    """Two certified officers of county A; the first is the ``inspector`` user's, the second gets a login."""
    first = users["inspector"].inspector
    second = Inspector.objects.create(name="李四", certificate_number="13062300002",
                                      certificate_expiry=datetime.date(2030, 1, 1), jurisdiction=tree["a"],
                                      department=tree["departments"]["130623"])
    partner = User.objects.create_user(username="partner", password="pw-partner", role=Role.INSPECTOR,
                                       jurisdiction=tree["a"], inspector=second)
    outsider_inspector = Inspector.objects.create(name="王五", certificate_number="13062300003",
                                                  certificate_expiry=datetime.date(2030, 1, 1), jurisdiction=tree["a"],
                                                  department=tree["departments"]["130623"])
    outsider = User.objects.create_user(username="outsider", password="pw-outsider", role=Role.INSPECTOR,
                                        jurisdiction=tree["a"], inspector=outsider_inspector)
    return {"first": first, "second": second, "partner": partner, "outsider": outsider,
            "outsider_inspector": outsider_inspector}


@pytest.fixture
def items(tree):
    department = tree["departments"]["130600"]
    return [
        CheckItem.objects.create(code="HB-001", name="污染防治设施运行情况", legal_basis="《大气污染防治法》第二十条",
                                 content="检查污染防治设施是否正常运行、运行台账是否完整", jurisdiction=tree["city"],
                                 responsible_department=department),
        CheckItem.objects.create(code="HB-002", name="排污许可证执行情况", legal_basis="《排污许可管理条例》第十七条",
                                 content="检查是否按证排污、是否按规定开展自行监测", jurisdiction=tree["city"],
                                 responsible_department=department),
    ]


def make_task(target: Target, items, members, *, status: str = TaskStatus.DISPATCHED,
              deadline: datetime.date | None = None) -> Task:
    """A task of this quarter's county plan, due in a month unless ``deadline`` says otherwise."""
    today = timezone.localdate()
    year, quarter = today.year, quarter_of(today)
    jurisdiction = target.jurisdiction
    plan, _created = Plan.objects.get_or_create(
        jurisdiction=jurisdiction, level=PlanLevel.COUNTY, year=year, quarter=quarter, kind="regular",
        defaults=dict(policy_id="baoding-2021", policy_version=1, policy_fingerprint="0" * 64,
                      policy_title="保定市2021", inspectors_counted=2, status="dispatched"))
    plan.check_items.add(*items)
    draw, _created = Draw.objects.get_or_create(plan=plan, number=1, defaults={"status": DrawStatus.DRAWN})
    task = Task.objects.create(year=year, quarter=quarter, target=target, status=status, category=target.category,
                               deadline=deadline or today + datetime.timedelta(days=30),
                               dispatched_at=timezone.now())
    TaskPlan.objects.create(task=task, plan=plan, draw=draw, stratum=target.category,
                            rank=TaskPlan.objects.filter(draw=draw).count() + 1)
    for slot, (inspector, role) in enumerate(members, start=1):
        TaskMember.objects.create(task=task, draw=draw, inspector=inspector, role=role, slot=slot, slot_kind="officer")
    return task


@pytest.fixture
def target(tree):
    return Target.objects.create(credit_code=code_for("130623", 1), name="涞水县甲化工有限公司", jurisdiction=tree["a"],
                                 address="涞水县经济开发区创业路8号", legal_representative="赵大勇",
                                 contact_name="钱经理", contact_phone="0312-4500001", permit_number="91130623MA001P",
                                 longitude="115.713900", latitude="39.393100")


@pytest.fixture
def task(target, items, team):
    return make_task(target, items, [(team["first"], MemberRole.OFFICER), (team["second"], MemberRole.OFFICER)])


def when(hours_ago: float) -> datetime.datetime:
    """A time ``hours_ago``, to the minute as the phone's date-time field gives it."""
    return (timezone.now() - datetime.timedelta(hours=hours_ago)).replace(second=0, microsecond=0)


def fill(record, user, *, problem: str | None = None, deadline: datetime.date | None = None, **extra):
    """Fill every required field like a team would; ``problem`` = a handling for the first item."""
    values = {"started_at": when(3), "ended_at": when(2), "findings": "检查了生产车间和治理设施。",
              "site_manager_name": "钱经理", "site_manager_position": "环保负责人", **extra}
    if record.recheck_id and "early_recheck_statement" not in values:
        # the tests re-check today, before the deadline: the firm's early report, as the team would write it
        values["early_recheck_statement"] = "企业于昨日书面报告已提前完成整改。"
    item_values = {}
    for n, item in enumerate(record.items.order_by("order")):
        if n == 0 and problem:
            fields = {"outcome": Outcome.PROBLEM, "notes": "布袋除尘器破损，未及时更换", "handling": problem}
            if problem == Handling.ORDER:
                fields["deadline"] = deadline or timezone.localdate() + datetime.timedelta(days=10)
            if problem in (Handling.TRANSFER, Handling.JUDICIARY):
                fields["transfer_to"] = "涞水县自然资源和规划局" if problem == Handling.TRANSFER else "涞水县公安局"
            if problem == Handling.RECTIFIED:
                fields["rectification"] = "现场已更换破损布袋"
            item_values[item.pk] = fields
        else:
            item_values[item.pk] = {"outcome": Outcome.NO_PROBLEM}
    return services.do_save_draft(record, acting_user=user, values=values, items=item_values)


def own_user(inspector) -> User | None:
    """The login of ``inspector``: each member signs as himself, on his own phone (one is made if he has none). An
    officer's record held by an admin's account signs through no phone of the team: the system (None) signs it."""
    user = User.objects.filter(inspector=inspector, role=Role.INSPECTOR, is_active=True).order_by("pk").first()
    if user is None and User.objects.filter(inspector=inspector).exists():
        return None
    if user is None:
        user = User.objects.create_user(username=f"officer-{inspector.pk}", password=f"pw-officer-{inspector.pk}",
                                        role=Role.INSPECTOR, jurisdiction=inspector.jurisdiction, inspector=inspector)
    return user


def sign_all(record, user):
    """Every member signs (each as himself), then the site manager on ``user``'s phone."""
    record.refresh_from_db()
    for person in services.participants(record):
        services.do_sign(record, acting_user=own_user(person.inspector), png=signature_png(person.inspector.pk),
                         revision=record.revision, inspector=person.inspector)
    if record.mode == "on_site" and not record.site_manager_refused:
        services.do_sign(record, acting_user=user, png=signature_png(99), revision=record.revision)
    record.refresh_from_db()
    return record


def submitted(task, user, **kwargs):
    record = services.do_start_record(task, acting_user=user)
    record = fill(record, user, **kwargs)
    sign_all(record, user)
    return services.do_submit_record(record, acting_user=user)


NO_PROBLEM = {"outcome": Outcome.NO_PROBLEM, "notes": "", "handling": "", "deadline": None}
"""An item's values, found without problem: what an amendment sets where the record's problem was wrong."""


def amended(record, users, *rows: dict, values: dict | None = None):
    """``record`` returned for correction by the county's admin (审核退回) and its amendment submitted by the
    ``inspector`` user: its items, first to last, changed to ``rows`` (the items past them as they were), its
    fields to ``values``. The sealed amendment."""
    services.do_review_record(record, passed=False, reason="责令整改认定有误", acting_user=users["county_admin"])
    record.refresh_from_db()
    amendment = record.amendment
    ids = list(amendment.items.order_by("order").values_list("pk", flat=True))
    items = dict(zip(ids[:len(rows)], rows, strict=True))  # strict: more rows than items is the test's mistake
    services.do_save_draft(amendment, acting_user=users["inspector"], values=values or {}, items=items)
    sign_all(amendment, users["inspector"])
    return services.do_submit_record(amendment, acting_user=users["inspector"])


def ordered_record(task, user, **kwargs):
    """``user``'s record of ``task``, submitted: the first item (HB-001) ordered to rectify (within 10 days unless
    ``deadline`` says otherwise), the second (HB-002) without problem. The ``source`` fixture's, for any task."""
    return submitted(task, user, problem=Handling.ORDER, **kwargs)


def recheck_of(record) -> Recheck:
    """The re-check that ``record``'s order to rectify opened."""
    return Recheck.objects.get(source_record=record)


def rechecked(recheck: Recheck, user, **kwargs):
    """``recheck``'s record, begun by ``user``, filled (``kwargs`` as ``fill`` takes them: ``problem=`` finds the
    problem again), signed by the team and submitted: the sealed re-check record."""
    record = fill(services.do_start_recheck_record(recheck, acting_user=user), user, **kwargs)
    sign_all(record, user)
    return services.do_submit_record(record, acting_user=user)


@pytest.fixture
def source(task, users):
    """The ``inspector`` user's record of ``task``, submitted: the first item (HB-001) ordered to rectify within
    10 days, the second (HB-002) without problem, signed by him and his partner."""
    return ordered_record(task, users["inspector"])


@pytest.fixture
def recheck(source):
    """The re-check that ``source``'s order opened: the ``inspector`` user's and his partner's to do."""
    return recheck_of(source)


@pytest.fixture
def problem_handled(task, users):
    """A factory: the follow-up (the problem to see to) of the ``inspector`` user's record of ``task``, submitted
    like ``source`` but with the first item's problem handled as it is told (``Handling.CASE``, ``RECTIFIED``…)."""
    def make(handling: str) -> FollowUp:
        return FollowUp.objects.get(record=submitted(task, users["inspector"], problem=handling))
    return make


@pytest.fixture
def another_recheck(target, items, team, users):
    """A factory: each call makes a re-check like ``recheck``, of a new task of the same firm for the same team
    (for the tests that count queries over many re-checks)."""
    def make() -> Recheck:
        other = make_task(target, items, [(team["first"], MemberRole.OFFICER), (team["second"], MemberRole.OFFICER)])
        return recheck_of(ordered_record(other, users["inspector"]))
    return make
