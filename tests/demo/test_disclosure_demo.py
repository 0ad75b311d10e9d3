"""The demo step of 一公开: the demo year's annual lists and months published through the services, one month
late and one overdue for the city to see, a rule, a case and a correction, and every revealed draw verified."""

from datetime import date

import pytest
from django.utils import timezone

from shuangsuiji.demo.generator import generate
from shuangsuiji.demo.services import do_seed_demo
from shuangsuiji.disclosure import demo, services
from shuangsuiji.disclosure.models import (
    Correction,
    DrawVerification,
    ListedTarget,
    Objection,
    ObjectionStatus,
    Outcome,
    Publication,
    PublicationKind,
    PublicationStatus,
    PublishedResult,
    RedactionCase,
    RedactionRule,
)
from shuangsuiji.planning.models import Draw, Plan
from shuangsuiji.registry.models import Jurisdiction, Level

pytestmark = pytest.mark.django_db
TODAY = date(2021, 12, 20)


@pytest.fixture
def seeded(db):
    population = generate("tiny", today=TODAY)
    context = do_seed_demo(population, allow_production=True)  # pytest-django's DEBUG off; a test database
    assert "disclosure" in context.timings
    return context


def test_the_demo_publishes_on_time_but_for_one_late_and_one_overdue_month_with_a_rule_a_case_a_correction(
        seeded):
    counties = list(Jurisdiction.objects.filter(path__startswith="130000.130600.", level=Level.COUNTY))
    lists = Publication.objects.filter(kind=PublicationKind.ANNUAL_LIST, year=TODAY.year)
    assert {p.jurisdiction_id for p in lists.published()} == {c.pk for c in counties}
    assert not any(p.is_overdue() for p in lists)
    assert ListedTarget.objects.published().exists()

    months = Publication.objects.filter(kind=PublicationKind.RESULTS)
    released = list(months.published())
    assert released and seeded.counts["batches"] == months.count()
    late = [p for p in released if p.is_overdue()]
    assert len(late) == 1 and late[0].jurisdiction.code == demo.LATE_COUNTY
    for batch in released:  # released after the month ended, reviewed by someone else than the preparer
        assert batch.released_at.date() > date(batch.year, batch.month, 28)
        assert batch.reviewed_by_id != batch.prepared_by_id
    for batch in months.exclude(status=PublicationStatus.RELEASED):
        assert batch.deadline >= TODAY  # only months still within their deadline wait

    city = Jurisdiction.objects.get(code="130600")
    overdue = [s for s in services.month_states(city, TODAY.year, TODAY) if s.overdue(TODAY)]
    assert {(s.jurisdiction.code, s.released) for s in overdue} == {(demo.UNPUBLISHED_COUNTY, False),
                                                                    (demo.LATE_COUNTY, True)}
    unpublished = next(s for s in overdue if not s.released)
    assert unpublished.unpublished > 0 and not unpublished.batches

    assert PublishedResult.objects.published().count() == seeded.counts["published_results"]

    # One seed for both halves: seeding the tiny city costs a minute or two.
    rule = RedactionRule.objects.get()
    case = RedactionCase.objects.get()
    assert rule.reason and case.reason and rule.created_by and case.decided_by
    withheld = PublishedResult.objects.published().filter(outcome=Outcome.WITHHELD)
    assert all(r.target_id == rule.target_id and r.target_name == "" for r in withheld)
    masked = PublishedResult.objects.filter(record=case.record).first()
    if masked is not None:
        assert all(p["description"] == "＊＊＊" for p in masked.problems)
    correction = Correction.objects.published().get()
    assert correction.reason and correction.before != correction.after
    # Each published row changed for the public when its batch was released (backdated with it), the corrected
    # one when it was corrected: a mirror of the demo syncs by the dates the portal shows.
    for row in PublishedResult.objects.published().select_related("publication"):
        expected = correction.corrected_at if row.pk == correction.result_id else row.publication.released_at
        assert row.changed_at == expected, row.public_id

    # One objection waits (for the ``county`` login's county when it has a published result), one elsewhere was
    # answered (not accepted).
    objections = {o.status: o for o in Objection.objects.select_related("jurisdiction", "result")}
    assert set(objections) == {ObjectionStatus.RECEIVED, ObjectionStatus.REJECTED}
    waiting_here = PublishedResult.objects.published().filter(jurisdiction__code="130608").exclude(credit_code="")
    assert (objections[ObjectionStatus.RECEIVED].jurisdiction.code == "130608") == waiting_here.exists()
    assert objections[ObjectionStatus.REJECTED].reply and objections[ObjectionStatus.REJECTED].answered_by
    assert all(o.credit_code == o.result.credit_code and o.result.publication.is_released
               for o in objections.values())

    past = Plan.objects.filter(status="dispatched").exclude(year=TODAY.year, quarter=4)
    # Past quarters are revealed, but for plans whose inspections are not all done (reveal waits for them).
    assert past.filter(revealed_at__isnull=False).exists()
    assert past.filter(revealed_at__isnull=True).count() == seeded.counts.get("reveal_waiting", 0)
    revealed = Draw.objects.filter(plan__revealed_at__isnull=False, manifest__isnull=False)
    assert revealed.count() == seeded.counts["verified_draws"] > 0
    checks = DrawVerification.objects.all()
    assert checks.count() == revealed.count() and all(c.ok for c in checks)
    assert all(c.checked_at <= timezone.now() for c in checks)


def test_a_demo_seeded_in_early_january_releases_the_new_years_list_before_its_holidays_are_entered(monkeypatch):
    """``seed_demo`` run in the first days of a year whose holidays are not entered yet failed as a whole (the
    day it releases the year's list is counted in working days). Monday to Friday now stand in."""
    from types import SimpleNamespace

    from shuangsuiji.engine import workdays

    monkeypatch.setattr(workdays, "_PACKAGE_YEARS", range(2004, 2027))  # 2027 unknown, whatever the package knows
    seeder = SimpleNamespace(calendar=workdays.WorkCalendar())
    assert demo._Seeder.early_in_year(seeder, 2027) == date(2027, 1, 8)  # 1 January 2027 is a Friday
    assert demo._Seeder.early_in_year(seeder, 2026) == date(2026, 1, 8)  # the package's: 1–3 off, Sunday 4th worked
