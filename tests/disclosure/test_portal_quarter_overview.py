"""The plans page lists every county of the city for a quarter, one that published nothing too, saying so and
whether the day to publish (the last of the draw window, 实施方案 二(四)) has passed — from published plans and
the jurisdiction tree only."""

import datetime
import re

import pytest
from django.utils import timezone

from shuangsuiji.disclosure import public
from shuangsuiji.planning.models import Draw, DrawStatus, Plan, PlanKind, PlanStatus
from tests.disclosure.test_portal import make_plan

pytestmark = pytest.mark.django_db

MISSING = "本季度尚未公开抽查计划"


WHOLE = re.compile(r'<span class="text-nowrap">(\d{4}-\d{2}-\d{2})</span>')
"""A date kept on one line on a phone (``whole_dates``): the wording tests read it as text."""


def overview_section(text: str, *, markup: bool = False) -> str:
    start = text.index('id="quarter-overview"')
    section = text[start:text.index("</section>", start)]
    return section if markup else WHOLE.sub(r"\1", section)


def row_of(section: str, code: str) -> str:
    start = section.index(f'data-jurisdiction="{code}"')
    return section[start:section.index("</tr>", start)]


@pytest.fixture
def today(monkeypatch):
    """The portal's today, fixed: 2026-05-20, in the second quarter (whose plans were due by 2026-03-31)."""
    day = datetime.date(2026, 5, 20)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)
    return day


def test_a_county_that_published_nothing_is_listed_as_such_and_late(client, tree, today):
    make_plan(tree["a"], 2)  # 涞水县 has published its plan; 阜平县 only has a draft, which is not public
    draft = make_plan(tree["b"], 2, status=PlanStatus.DRAFT, draws=0)
    section = overview_section(client.get("/public/plans/", {"year": "2026", "quarter": "2"}).content.decode())
    assert "保定市及所辖各县（市、区）2026年第2季度抽查计划公开情况" in section
    assert MISSING not in row_of(section, "130623") and "双随机抽查" in row_of(section, "130623")
    missing = row_of(section, "130624")
    assert "阜平县" in missing and MISSING in missing and f"/public/plans/{draft.pk}/" not in missing
    assert "发布期限 2026-03-31 已过" in missing
    assert "上一季度最后 5 个工作日内" in section and "实施方案 二(四)" in section
    # 阜平县 and the city itself published nothing, 涞水县 no joint plan: all three owe a plan, listed first
    assert "发布期限已过，3 个行政区仍缺本季度应公开的计划：保定市、涞水县、阜平县。" in section


def test_before_the_deadline_a_missing_plan_is_not_yet_due(client, tree, today):
    make_plan(tree["a"], 3)
    section = overview_section(client.get("/public/plans/", {"year": "2026", "quarter": "3"}).content.decode())
    assert MISSING in row_of(section, "130624") and "发布期限 2026-06-30，尚未到期" in row_of(section, "130624")
    assert "已过" not in section


def test_without_a_filter_the_overview_is_of_this_quarter_and_a_county_filter_shows_its_city(client, tree, today):
    make_plan(tree["b"], 2)
    section = overview_section(client.get("/public/plans/").content.decode())
    assert "2026年第2季度" in section and MISSING in row_of(section, "130623")
    section = overview_section(client.get("/public/plans/", {"jurisdiction": "130624", "quarter": "2"})
                               .content.decode())
    assert MISSING in row_of(section, "130623") and MISSING not in row_of(section, "130624")
    # a year alone names four quarters: the page says how to see one
    text = client.get("/public/plans/", {"year": "2026"}).content.decode()
    assert 'id="quarter-overview"' not in text and 'id="quarter-overview-hint"' in text


def test_the_overview_reads_in_english(client, tree, today):
    client.cookies["django_language"] = "en"
    section = overview_section(client.get("/public/plans/", {"year": "2026", "quarter": "2"}).content.decode())
    assert "No plan published for this quarter yet" in section and "(the deadline, 2026-03-31, has passed)" in section
    # on a phone the date broke at its hyphen, "2026-03-" / "31": it is kept whole
    marked = overview_section(client.get("/public/plans/", {"year": "2026", "quarter": "2"}).content.decode(),
                              markup=True)
    assert '(the deadline, <span class="text-nowrap">2026-03-31</span>, has passed)' in marked
    assert ("The deadline has passed and 3 jurisdictions still lack a plan they must publish for this quarter: "
            "保定市, 涞水县, 阜平县.") in section


def test_the_overview_reads_only_published_plans(tree, today):
    make_plan(tree["a"], 2, status=PlanStatus.DRAFT, draws=0)
    overview = public.quarter_overview(public.PlanFilter({"year": "2026", "quarter": "2"}), today)
    assert [row.place.code for row in overview.places] == ["130600", "130623", "130624"]
    assert all(row.plans == [] for row in overview.places) and overview.missing == 3 and overview.late


def make_joint(tree, county: str, quarter: int) -> Plan:
    """A published internal joint plan of the county (its department's), not its regular plan."""
    plan = make_plan(tree[county], quarter)
    Plan.objects.filter(pk=plan.pk).update(kind=PlanKind.JOINT, department=tree["departments"][tree[county].code])
    return plan


def make_both(tree, place, quarter: int) -> None:
    """The place's joint plan and its regular one, both published."""
    joint = make_plan(place, quarter)
    Plan.objects.filter(pk=joint.pk).update(kind=PlanKind.JOINT, department=tree["departments"][place.code])
    make_plan(place, quarter)


def test_a_county_that_published_only_a_joint_plan_is_flagged_for_its_regular_one(client, tree, today):
    """Any published plan counted: 阜平县 with a joint plan alone read as having published, though every county
    owes its own regular plan each quarter (实施方案 二(四)) and a joint one (二(五)), and one is not the other."""
    make_both(tree, tree["city"], 2)
    make_both(tree, tree["a"], 2)
    make_joint(tree, "b", 2)
    overview = public.quarter_overview(public.PlanFilter({"year": "2026", "quarter": "2"}), today)
    assert [(row.place.code, row.missing) for row in overview.rows] == [
        ("130624", [PlanKind.REGULAR]), ("130600", []), ("130623", [])]
    assert overview.missing == 1
    section = overview_section(client.get("/public/plans/", {"year": "2026", "quarter": "2"}).content.decode())
    row = row_of(section, "130624")
    assert "内部联合抽查" in row and "尚未公开本季度的双随机抽查计划" in row and "发布期限 2026-03-31 已过" in row
    assert 'class="overview-missing"' in section.split('data-jurisdiction="130624"')[0][-40:]
    assert "发布期限已过，1 个行政区仍缺本季度应公开的计划：阜平县。" in section
    assert "并至少公开一份内部联合抽查计划（实施方案 二(五)；附件 二(二)“制定联合抽查计划”）" in section
    assert section.index('data-jurisdiction="130624"') < section.index('data-jurisdiction="130600"')
    client.cookies["django_language"] = "en"
    section = overview_section(client.get("/public/plans/", {"year": "2026", "quarter": "2"}).content.decode())
    assert "No double-random inspection plan published for this quarter yet" in row_of(section, "130624")


def test_a_county_with_its_regular_plan_but_no_joint_one_is_flagged_too(client, tree, today):
    make_both(tree, tree["city"], 3)
    make_plan(tree["a"], 3)
    make_both(tree, tree["b"], 3)
    section = overview_section(client.get("/public/plans/", {"year": "2026", "quarter": "3"}).content.decode())
    row = row_of(section, "130623")
    assert "尚未公开本季度的内部联合抽查计划" in row and "发布期限 2026-06-30，尚未到期" in row
    assert "1 个行政区尚缺本季度应公开的计划：涞水县。" in section and "已过" not in section
    assert "各行政区都已公开" not in section


def test_a_city_whose_places_published_all_they_owe_says_so(client, tree, today):
    for place in (tree["city"], tree["a"], tree["b"]):
        make_both(tree, place, 2)
    section = overview_section(client.get("/public/plans/", {"year": "2026", "quarter": "2"}).content.decode())
    assert "各行政区都已公开本季度应公开的计划。" in section and "overview-missing" not in section


def drawn_on(plan: Plan, day: datetime.date) -> None:
    """The plan's draws drawn at 10:00 Beijing time of ``day`` (the public sees 抽取时间 on the plan page)."""
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))
    Draw.objects.filter(plan=plan).update(drawn_at=moment)


def test_a_plan_drawn_after_the_deadline_is_marked_late_and_counted(client, tree, today):
    """The overview flagged a missing plan but not one published after the deadline: a plan is published (二(四):
    its targets 确定并在系统平台发布) on the day of its first draw, which the plan page shows."""
    for place in (tree["city"], tree["a"], tree["b"]):
        make_both(tree, place, 2)
    for plan in Plan.objects.all():
        drawn_on(plan, datetime.date(2026, 3, 27))  # within the window, by 2026-03-31
    late = Plan.objects.filter(jurisdiction=tree["b"], kind=PlanKind.REGULAR).get()
    drawn_on(late, datetime.date(2026, 4, 8))
    section = overview_section(client.get("/public/plans/", {"year": "2026", "quarter": "2"}).content.decode())
    assert "逾期公开，于 2026-04-08 公开，期限 2026-03-31" in row_of(section, "130624")
    assert "逾期" not in row_of(section, "130623") and "逾期" not in row_of(section, "130600")
    assert "各行政区都已公开本季度应公开的计划。" in section and "1 份计划未按期公开：阜平县。" in section
    # listed first, as a place short of a plan is
    assert section.index('data-jurisdiction="130624"') < section.index('data-jurisdiction="130600"')
    client.cookies["django_language"] = "en"
    section = overview_section(client.get("/public/plans/", {"year": "2026", "quarter": "2"}).content.decode())
    assert "published late, on 2026-04-08; the deadline was 2026-03-31" in row_of(section, "130624")
    assert "1 plan not published on time: 阜平县." in section


def test_a_superseded_first_draw_dates_the_plan_and_an_undrawn_plan_is_late_after_the_deadline(tree, today):
    """A re-draw the city allowed does not make a plan drawn in time late; a frozen plan never drawn by the
    deadline has not published its targets."""
    redrawn = make_plan(tree["a"], 2, draws=2)
    first, second = Draw.objects.filter(plan=redrawn).order_by("number")
    Draw.objects.filter(pk=first.pk).update(drawn_at=timezone.make_aware(datetime.datetime(2026, 3, 30, 9)))
    Draw.objects.filter(pk=second.pk).update(drawn_at=timezone.make_aware(datetime.datetime(2026, 4, 20, 9)))
    undrawn = make_plan(tree["b"], 2)
    Draw.objects.filter(plan=undrawn).update(drawn_at=None, manifest=None, status=DrawStatus.OPEN)
    Plan.objects.filter(pk=undrawn.pk).update(status=PlanStatus.FROZEN)
    overview = public.quarter_overview(public.PlanFilter({"year": "2026", "quarter": "2"}), today)
    timings = {t.plan.pk: t for t in overview.late_plans}
    assert set(timings) == {undrawn.pk} and timings[undrawn.pk].published_on is None
    before = public.quarter_overview(public.PlanFilter({"year": "2026", "quarter": "2"}), datetime.date(2026, 3, 31))
    assert before.late_plans == []  # not drawn yet, but the deadline is today: not late


def test_the_list_of_plans_has_a_heading_of_its_own_after_the_overview(client, tree, today):
    """On a phone the list of plans ran on from the overview's two dozen rows with nothing between them."""
    make_plan(tree["a"], 2)
    text = client.get("/public/plans/").content.decode()
    heading = text[text.index('id="plans-list-title"'):text.index("</h2>", text.index('id="plans-list-title"'))]
    assert text.index("</section>", text.index('id="quarter-overview"')) < text.index('id="plans-list-title"')
    assert "已公开的抽查计划" in heading and "各季度，新的在前" in heading
    assert 'aria-labelledby="plans-list-title"' in text
    text = client.get("/public/plans/", {"year": "2026", "quarter": "2"}).content.decode()
    assert "各季度，新的在前" not in text


def test_the_plan_page_says_when_the_plan_was_published_and_whether_late(client, tree, today):
    """The overview flagged a late plan, and the plan it links to said nothing of it (its draw times are far down)."""
    late, on_time = make_plan(tree["b"], 2), make_plan(tree["a"], 2)
    drawn_on(late, datetime.date(2026, 4, 8))
    drawn_on(on_time, datetime.date(2026, 3, 27))
    page = client.get(f"/public/plans/{late.pk}/").content.decode()
    start = page.index('id="plan-published-on"')
    line = WHOLE.sub(r"\1", page[start:page.index("</p>", start)])
    assert "逾期公开：于 2026-04-08 首次抽取公开，期限 2026-03-31" in line
    page = client.get(f"/public/plans/{on_time.pk}/").content.decode()
    start = page.index('id="plan-published-on"')
    line = WHOLE.sub(r"\1", page[start:page.index("</p>", start)])
    assert "首次抽取（即公开之日）：2026-03-27" in line and "逾期" not in line
    client.cookies["django_language"] = "en"
    page = WHOLE.sub(r"\1", client.get(f"/public/plans/{late.pk}/").content.decode())
    assert "Published late: first drawn and published on 2026-04-08, the deadline was 2026-03-31" in page


@pytest.mark.parametrize("now", [
    datetime.datetime(2026, 4, 1, 0, 30),  # a quarter's first day, just after Beijing midnight (UTC: 31 March)
    datetime.datetime(2026, 6, 30, 23, 30),  # a quarter's last day, in its window's last hour
    datetime.datetime(2026, 6, 22, 9, 0),  # the Monday after the Dragon Boat holiday (19-21 June)
    datetime.datetime(2027, 1, 4, 8, 0),  # the next year, its first working day
], ids=["quarter-first-day", "quarter-last-day", "monday-after-holiday", "next-year"])
def test_the_test_plans_are_drawn_in_their_window_whatever_day_the_suite_runs(client, tree, monkeypatch, now):
    """``make_plan`` drew "30 days before today": a first-quarter plan came out late, a later one drawn before its
    window or after the reveal, depending on the day CI ran. Its draw is now in the plan's own window, before its
    reveal, and the plan reads as on time, whatever the date and hour (Beijing time) the suite runs at."""
    from shuangsuiji.intake.services import policy_for
    from shuangsuiji.planning import gather

    moment = timezone.make_aware(now)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    today = timezone.localdate()
    assert today == now.date()
    for quarter in (1, 2, 3, 4):
        plan = make_plan(tree["a"], quarter, revealed=True)
        window = gather.calendar().draw_window(policy_for(2026, quarter), 2026, quarter)
        timing = public.plan_timing(plan, today)
        assert timing.published_on in window and not timing.late, (quarter, timing)
        assert plan.draws.get().drawn_at < plan.revealed_at
        page = client.get(f"/public/plans/{plan.pk}/").content.decode()
        line = page[page.index('id="plan-published-on"'):page.index("</p>", page.index('id="plan-published-on"'))]
        assert "首次抽取（即公开之日）" in line and "逾期" not in line
