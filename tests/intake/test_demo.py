"""The demo step of intake: a past year of outside data consistent with the generated categories."""

from datetime import date

import pytest

from shuangsuiji.audit.models import Event
from shuangsuiji.audit.services import verify_chain
from shuangsuiji.demo.generator import generate
from shuangsuiji.intake.models import (
    Classification,
    ClassificationRun,
    Clue,
    ClueStatus,
    Exceedance,
    KeyUnit,
    MonitoringImport,
    Penalty,
)
from shuangsuiji.registry.models import Target, TargetHistory

from ..seeding import seed_demo_command

TODAY = date(2021, 12, 20)


@pytest.fixture(scope="module")
def demo(module_db):
    """The tiny demo seeded once on ``TODAY`` for this module's tests, which read it (the run across a new
    year, on a database of its own, is in test_demo_new_year.py)."""
    seed_demo_command(scale="tiny", today=TODAY)
    return generate("tiny", today=TODAY), demo_counts()


@pytest.fixture
def seeded(demo, db):
    return demo


def demo_counts() -> dict:
    """seed_demo runs the intake step; its counts are in the run's audit event."""
    return Event.objects.get(action="demo.seed").changes


def test_the_current_quarter_reproduces_the_generated_categories(seeded):
    check_current_quarter(*seeded, {(2021, 1), (2021, 2), (2021, 3), (2021, 4)})


def check_current_quarter(population, counts: dict, quarters: set[tuple[int, int]]) -> None:
    """The classification of the seeded quarters: four of them, the latest equal to the generated categories."""
    assert counts["classified_quarters"] == 4
    assert {(run.year, run.quarter) for run in ClassificationRun.objects.all()} == quarters
    current = max(quarters)
    rows = {c.target.credit_code: c for c in Classification.objects.filter(year=current[0], quarter=current[1])
            .select_related("target")}
    active = [row for row in population.targets if row.status == "active"]
    assert len(rows) == len(active)
    for row in active:
        classified = rows[row.credit_code]
        assert (classified.category, classified.positive_list) == (row.category, row.positive_list), row
    stored = dict(Target.objects.values_list("credit_code", "category"))
    assert all(stored[row.credit_code] == row.category for row in active)


def test_earlier_quarters_have_their_own_special_targets_and_the_history_shows_it(seeded):
    special = {q: set(Classification.objects.filter(year=2021, quarter=q, category="special")
                      .values_list("target_id", flat=True)) for q in (1, 2, 3, 4)}
    assert all(special.values()) and special[1] != special[4]
    moved = TargetHistory.objects.filter(field="category", effective_date=date(2021, 4, 1)).first()
    assert moved is not None and moved.reason.startswith("2021年第2季度分类")
    assert verify_chain() == []


def test_the_data_behind_it_is_there(seeded):
    _population, counts = seeded
    assert Penalty.objects.count() == counts["penalties"] > 0
    assert Exceedance.objects.count() == counts["exceedances"] > 0
    assert MonitoringImport.objects.count() == counts["monitoring_imports"] > 0
    assert not Exceedance.objects.filter(batch__isnull=True).exists()
    assert KeyUnit.objects.filter(year=2021).exists() and KeyUnit.objects.filter(year=2020).exists()
    assert Clue.objects.filter(status=ClueStatus.APPROVED).exists()
    approved = Clue.objects.filter(status=ClueStatus.APPROVED, applied_year=2021, applied_quarter=4)
    assert approved.exists()
    for clue in approved:
        assert Classification.objects.get(target=clue.target, year=2021, quarter=4).must_inspect
    no_warnings = ClassificationRun.objects.filter(year=2021, quarter=4).get()
    assert not [w for w in no_warnings.warnings if "名录" in w]
