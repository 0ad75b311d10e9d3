"""Key units the quarter classifies special still owe the half-year coverage (指导意见 二(一): 每半年对辖区所有
重点排污单位进行一遍巡查): the plan reads the directory from the classification's reasons."""

from decimal import Decimal

import pytest

from shuangsuiji.intake.models import KeyUnit
from shuangsuiji.intake.services import do_classify, do_record_penalty, do_save_key_unit
from shuangsuiji.planning import gather, services

from .conftest import D

pytestmark = pytest.mark.django_db


def test_a_key_unit_penalised_last_quarter_is_a_must_in_the_special_stratum_of_the_second_quarter(city):
    """County A's four key units are on the 2021 directory; key-0 was penalised in the first quarter, so the
    second quarter classifies it special (special beats key). Nothing was inspected in the first half, so all
    four owe their visit: the three still key as must-include of the key stratum, and key-0 of the special
    one. Before, the special stratum had no must-include and key-0 could pass the half-year uninspected."""
    county = city["tree"]["a"]
    admin = city["users"]["county_admin"]
    keys = [city["targets"][f"{county.code}-key-{n}"] for n in range(4)]
    for target in keys:
        do_save_key_unit(KeyUnit(year=2021, target=target, directory="保定市2021年重点排污单位名录"), acting_user=admin)
    do_record_penalty(
        target=keys[0],
        decision_number="涞环罚〔2021〕9号",
        decided_on=D(2021, 2, 1),
        department=city["tree"]["departments"][county.code],
        violation="超标排放",
        acting_user=admin,
        amount=Decimal("50000"),
    )
    do_classify(year=2021, quarter=2, jurisdiction=county, acting_user=admin)

    people = gather.population(county, 2021, 2)
    listed = {fact.id for fact in people.facts if fact.key_listed}
    assert listed == {target.credit_code for target in keys}

    plan = services.do_create_plan(jurisdiction=county, year=2021, quarter=2, acting_user=admin)
    key_row, special_row = plan.strata.get(stratum="key"), plan.strata.get(stratum="special")
    assert (key_row.population, key_row.must_include) == (3, 3)
    # the registry's two specials had nothing last quarter: the classification makes them general
    assert (special_row.population, special_row.must_include) == (1, 1)
    assert "其中列入重点排污单位名录的 1 家，上半年尚未现场检查的 1 家必查。" in special_row.explanation
    quarter_quotas, _, _ = gather.quotas(services.policy_for(2021, 2), county, 2021, 2)
    assert quarter_quotas.quota("special").must_include == (keys[0].credit_code,)
