"""A simulated year on a small generated Baoding: every plan of every jurisdiction, four quarters, through the
same service functions as the pages. The policy's minimums are recomputed here from the classifications and
the policy file — not read back from the plans — and every manifest is re-run by the engine's verifier and by
the standalone ``tools/verify_draw.py``.
"""

import importlib.util
from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest

from shuangsuiji.demo.generator import Scale, generate
from shuangsuiji.engine import manifest
from shuangsuiji.engine.quotas import ceil_fraction
from shuangsuiji.intake.models import Classification
from shuangsuiji.intake.services import policy_for
from shuangsuiji.planning import demo
from shuangsuiji.planning.models import Draw, Plan, PlanKind, Stratum, Task, TaskPlan, TaskStatus
from shuangsuiji.registry.models import Inspector, Jurisdiction, Level, Target

from .conftest import seed_without_plans

pytestmark = pytest.mark.django_db
YEAR = 2021
SMALL_BAODING = Scale("lawful", "baoding", 1500, 400)
"""Demo Baoding's 23 jurisdictions with fewer targets: enough officers in every county for its joint plans."""


def standalone_verifier():
    path = Path(__file__).resolve().parents[2] / "tools" / "verify_draw.py"
    spec = importlib.util.spec_from_file_location("verify_draw_standalone", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.verify_draw


def classified(scope: Jurisdiction, quarter: int) -> dict[str, set[str]]:
    """Credit codes per on-site stratum of the quarter's classification in the scope (active targets)."""
    strata: dict[str, set[str]] = defaultdict(set)
    for code, category, eligible in Classification.objects.filter(
            year=YEAR, quarter=quarter, target__jurisdiction__path__startswith=scope.path,
            target__status="active").values_list("target__credit_code", "category", "on_site_eligible"):
        if eligible:
            strata[category].add(code)
    return strata


def key_units(scope: Jurisdiction, quarter: int) -> set[str]:
    """Credit codes of the on-site key units of the quarter: the key stratum and the directory's units the
    quarter classified special (their reasons name the directory) — 重点排污单位 whatever their stratum."""
    strata = classified(scope, quarter)
    return strata[Stratum.KEY] | {
        code for code, reasons in Classification.objects.filter(
            year=YEAR, quarter=quarter, category="special", on_site_eligible=True, target__status="active",
            target__jurisdiction__path__startswith=scope.path).values_list("target__credit_code", "reasons")
        if any(reason["rule"] == "key_directory" for reason in reasons)}


def drawn(plan: Plan, stratum: str) -> set[str]:
    return set(TaskPlan.objects.filter(plan=plan, stratum=stratum, active=True)
               .values_list("task__target__credit_code", flat=True))


@pytest.fixture
def year():
    seed_without_plans(generate(SMALL_BAODING, today=date(YEAR, 12, 20)))
    for quarter in (1, 2, 3, 4):
        demo.run_quarter(YEAR, quarter, reveal=True)


def test_every_plan_of_a_simulated_year_meets_the_policy_and_every_manifest_verifies(year):
    policy = policy_for(YEAR, 1)
    scopes = list(Jurisdiction.objects.filter(level__in=[Level.CITY, Level.COUNTY]).order_by("path"))
    plans = Plan.objects.select_related("jurisdiction")
    assert plans.filter(kind=PlanKind.REGULAR).count() == 4 * len(scopes)
    assert plans.filter(kind=PlanKind.JOINT).count() == 4 * len(scopes)  # every jurisdiction, every quarter

    general_year: dict[int, int] = defaultdict(int)
    joint_year: dict[int, int] = defaultdict(int)
    for plan in plans.filter(kind=PlanKind.REGULAR).order_by("quarter", "jurisdiction__path"):
        level, strata = plan.level, classified(plan.jurisdiction, plan.quarter)
        for stratum, ratio in ((Stratum.KEY, policy.key_quarterly.at(level)),
                               (Stratum.SPECIAL, policy.special_quarterly.at(level))):
            chosen = drawn(plan, stratum)
            assert chosen <= strata[stratum], f"{plan}: {stratum} drew outside its stratum"
            minimum = ceil_fraction(ratio * len(strata[stratum]))
            assert len(chosen) >= minimum, f"{plan}: {stratum} {len(chosen)} < {minimum}"
        general = drawn(plan, Stratum.GENERAL)
        assert general <= strata[Stratum.GENERAL]
        general_year[plan.jurisdiction_id] += len(general)
        if plan.quarter == 4:
            officers = Inspector.objects.filter(jurisdiction=plan.jurisdiction, status="active", is_external=False,
                                                is_double_random=True,
                                                certificate_expiry__gte=date(YEAR, 10, 1)).count()
            annual = ceil_fraction(policy.general_annual.at(level) * officers)
            exhausted = len(general) == len(strata[Stratum.GENERAL])  # took every general unit it could
            assert general_year[plan.jurisdiction_id] >= annual or exhausted, (
                f"{plan.jurisdiction}: {general_year[plan.jurisdiction_id]} general units in {YEAR} < {annual}")
    for plan in plans.filter(kind=PlanKind.JOINT):
        joint = drawn(plan, Stratum.JOINT)
        assert len(joint) >= policy.joint_inspection.min_per_quarter, f"{plan}: no joint inspection this quarter"
        assert joint <= key_units(plan.jurisdiction, plan.quarter), f"{plan}: key units first"
        joint_year[plan.jurisdiction_id] += len(joint)
    for scope in scopes:
        local = len(key_units(scope, 4))
        wanted = ceil_fraction(policy.joint_inspection.annual_key_ratio * local)
        assert joint_year[scope.pk] >= wanted, f"{scope}: {joint_year[scope.pk]} joint key inspections < {wanted}"

    # The county's half-year coverage: every key unit of a county is visited at least once each half-year.
    for county in [s for s in scopes if s.level == Level.COUNTY]:
        for first, second in ((1, 2), (3, 4)):
            visited = set(Task.objects.filter(year=YEAR, quarter__in=(first, second),
                                              target__jurisdiction=county).exclude(status=TaskStatus.WITHDRAWN)
                          .values_list("target__credit_code", flat=True))
            missed = key_units(county, second) - visited
            assert not missed, f"{county} H{second // 2}: key units never inspected: {sorted(missed)}"

    # Nothing an inspection may not touch was drawn, and every team is lawful and re-runnable.
    exempt = set(Target.objects.filter(classifications__year=YEAR, classifications__on_site_eligible=False)
                 .values_list("credit_code", flat=True))
    verify_draw = standalone_verifier()
    for draw in Draw.objects.select_related("plan"):
        selected = {pick["id"] for stratum in draw.manifest["strata"] for pick in stratum["selected"]}
        quarter_exempt = set(Classification.objects.filter(year=YEAR, quarter=draw.plan.quarter,
                                                           on_site_eligible=False)
                             .values_list("target__credit_code", flat=True))
        assert not selected & quarter_exempt, f"{draw}: positive-list targets drawn without an approved clue"
        assert draw.manifest["assignment"]["result"]["bindings"] == [], f"{draw}: no lawful teams"
        assert manifest.verify(draw.manifest) == [], draw
        assert verify_draw(draw.manifest, None) == [], draw
    assert exempt, "the simulated city has positive-list targets, so the exemption was put to the test"
    # Merged visits happened and count for both levels.
    merged = Task.objects.filter(selections__plan__level="city").filter(selections__plan__level="county").distinct()
    assert merged.exists()
    assert all(task.selections.filter(active=True).count() >= 2 for task in merged)
