"""A small city for the planning tests: two counties of the ``tree`` fixture with targets of every category,
inspectors, departments and check items, and a helper that runs a plan's ceremony."""

import datetime

import pytest

from shuangsuiji.demo.generator import Population
from shuangsuiji.demo.services import STEPS, do_seed_demo
from shuangsuiji.planning import services
from shuangsuiji.planning.models import Draw, Plan
from shuangsuiji.registry.models import CheckItem, Department, Inspector, Recusal, Specialty, Target
from tests.conftest import credit_code

D = datetime.date
DRAW_DAY = D(2021, 3, 25)
"""Inside the draw window of 2021 Q2 (the last five working days of Q1)."""


def seed_without_plans(population: Population) -> None:
    """Demo data up to the quarterly classifications, without the demo's own past plans (the tests make them)."""
    # allow_production: pytest-django runs with DEBUG off, where the service refuses; this is a test database
    do_seed_demo(population, steps=[step for step in STEPS if step.name not in {"planning", "fieldwork"}],
                 allow_production=True)


def ceremony(plan: Plan, *, user=None, day: datetime.date = DRAW_DAY, dice: str = "3,5,1,6") -> Draw:
    """Freeze, commit, roll witness dice and draw ``plan`` as ``user``; the live draw."""
    services.do_approve_and_freeze(plan, acting_user=user, draw_date=day, today=day)
    services.do_commit_secret(plan, acting_user=user)
    services.do_record_public_value(plan, source="dice", value=dice, witnesses=["张三", "李四"], acting_user=user)
    return services.do_draw(plan, acting_user=user, today=day)


@pytest.fixture
def current_quarter(monkeypatch):
    """The quarter ``planning.overlaps`` takes for the current one, pinned to 2021 Q2, the quarter these tests draw
    (by the clock every 2021 task is of a past quarter); call the fixture's value with (year, quarter) to move it."""
    from shuangsuiji.planning import overlaps

    now = {"quarter": (2021, 2)}
    monkeypatch.setattr(overlaps, "this_quarter", lambda today=None: now["quarter"])

    def move(year: int, quarter: int) -> None:
        now["quarter"] = (year, quarter)

    return move


@pytest.fixture
def city(tree, users):
    """County A (涞水县): 4 key, 2 special and 10 general targets plus one on the positive list; six officers
    in two departments, one of them recused from a key unit. County B (阜平县): 3 general targets and a key
    unit, two officers. The city: four officers of its enforcement unit. Items: the city's list (applying to
    every county) and county A's own item, for which its enforcement unit initiates joint plans."""
    a, b, c = tree["a"], tree["b"], tree["city"]
    air = Specialty.objects.create(code="air", name="大气")
    enforcement_a = tree["departments"][a.code]
    air_a = Department.objects.create(jurisdiction=a, name="大气环境股", code=f"{a.code}-AI")
    enforcement_c = tree["departments"][c.code]
    targets = {}
    serial = 0
    for jurisdiction, spec in ((a, [("key", 4), ("special", 2), ("general", 10)]), (b, [("general", 3), ("key", 1)])):
        for category, count in spec:
            for n in range(count):
                serial += 1
                targets[f"{jurisdiction.code}-{category}-{n}"] = Target.objects.create(
                    credit_code=credit_code(jurisdiction.code, serial), name=f"{jurisdiction.name}{category}{n}号单位",
                    jurisdiction=jurisdiction, category=category)
    targets["positive"] = Target.objects.create(credit_code=credit_code(a.code, 99), name="涞水县正面清单单位",
                                                jurisdiction=a, positive_list=True)
    expiry = D(2030, 1, 1)
    people = {"张三": Inspector.objects.get(certificate_number="13062300001")}
    for n, (name, department) in enumerate([("李四", enforcement_a), ("王五", enforcement_a), ("赵六", enforcement_a),
                                            ("钱七", air_a), ("孙八", air_a)], start=2):
        people[name] = Inspector.objects.create(name=name, certificate_number=f"1306230000{n}",
                                                certificate_expiry=expiry, jurisdiction=a, department=department)
    people["孙八"].specialties.add(air)
    for n, name in enumerate(["周一", "吴二"], start=1):
        people[name] = Inspector.objects.create(name=name, certificate_number=f"1306240000{n}",
                                                certificate_expiry=expiry, jurisdiction=b,
                                                department=tree["departments"][b.code])
    for n, name in enumerate(["郑甲", "冯乙", "陈丙", "褚丁"], start=1):
        people[name] = Inspector.objects.create(name=name, certificate_number=f"1306000000{n}",
                                                certificate_expiry=expiry, jurisdiction=c, department=enforcement_c)
    Recusal.objects.create(inspector=people["李四"], target=targets[f"{a.code}-key-0"], reason="近亲属任职")
    items = {
        "permit": CheckItem.objects.create(code="C-01", name="排污许可制度执行情况", legal_basis="排污许可管理条例",
                                           content="持证排污", jurisdiction=c, responsible_department=enforcement_c),
        "air": CheckItem.objects.create(code="C-02", name="大气污染物排放情况", legal_basis="大气污染防治法",
                                        content="达标排放", jurisdiction=c, responsible_department=enforcement_c,
                                        applies_general=False, specialty=air),
        "risk": CheckItem.objects.create(code="A-01", name="环境风险防控情况", legal_basis="环境保护法",
                                         content="应急预案", jurisdiction=a, responsible_department=enforcement_a),
    }
    items["noise"] = CheckItem.objects.create(code="A-02", name="工业噪声污染防治情况", legal_basis="噪声污染防治法",
                                              content="厂界噪声", jurisdiction=a, responsible_department=air_a,
                                              applies_key=False, applies_special=False)
    items["risk"].cooperating_departments.add(air_a)
    return {"tree": tree, "users": users, "targets": targets, "people": people, "items": items,
            "departments": {"enforcement_a": enforcement_a, "air_a": air_a, "enforcement_c": enforcement_c}}


@pytest.fixture
def merged(city):
    """A merged visit (one firm drawn by county A's plan and the city's), out for the county's dispatched plan while
    the city's draw is drawn and not dispatched: the task, the city's plan, its officers' names, a county officer."""
    from shuangsuiji.planning.models import Task, TaskStatus

    from .test_services import _officer, county_and_city_plans

    county, city_plan = county_and_city_plans(city)
    ceremony(county)
    services.do_dispatch(county, acting_user=None)
    city_draw = ceremony(city_plan)  # drawn, not dispatched
    task = Task.objects.filter(selections__plan=county).filter(selections__plan=city_plan).distinct().first()
    assert task is not None and task.status == TaskStatus.DISPATCHED
    city_names = {m.inspector.name for m in task.members.filter(draw=city_draw, active=True)}
    county_member = task.members.exclude(draw=city_draw).filter(active=True).first()
    assert city_names and city_names.isdisjoint(
        {m.inspector.name for m in task.members.exclude(draw=city_draw)})
    return {"task": task, "city_plan": city_plan, "city_names": city_names, "county_officer": _officer(county_member)}
