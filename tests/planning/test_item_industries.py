"""The items a 线索核查 or a 跨部门联合抽查 may cover follow the items' industry scope as a task's do."""

import pytest
from django.core.exceptions import ValidationError

from shuangsuiji.planning import services
from shuangsuiji.registry.models import CheckItem, Target


@pytest.fixture
def vehicle(city):
    tree = city["tree"]
    return CheckItem.objects.create(code="C-14", name="机动车排放检验机构检验行为", legal_basis="大气法",
                                    content="检验行为", jurisdiction=tree["city"], industries="M7452",
                                    responsible_department=city["departments"]["enforcement_c"])


def general(city, n: int, industry: str) -> Target:
    target = city["targets"][f"{city['tree']['a'].code}-general-{n}"]
    Target.objects.filter(pk=target.pk).update(industry_code=industry)
    target.refresh_from_db()
    return target


def test_a_clue_check_offers_only_the_items_for_the_firms_industry(city, vehicle):
    a = city["tree"]["a"]
    tannery, station = general(city, 0, "C1910"), general(city, 1, "7452")
    offered = {t: [i.code for i in services.clue_check_items(t, a, 2021, 2)] for t in (tannery, station)}
    assert "C-14" not in offered[tannery] and "C-14" in offered[station]
    assert offered[station] == sorted([*offered[tannery], "C-14"])


def test_a_cross_check_offers_an_item_that_applies_to_one_of_its_targets_and_refuses_one_for_none(city, vehicle):
    a = city["tree"]["a"]
    tannery, farm, station = general(city, 0, "C1910"), general(city, 2, "A0313"), general(city, 1, "M7452")
    assert vehicle not in services.given_items([tannery, farm], a, 2021, 2)
    assert vehicle in services.given_items([tannery, station], a, 2021, 2)
    with pytest.raises(ValidationError, match=r"不适用于其类别、行业.*C-14"):
        services._chosen_items([vehicle], services.given_items([tannery, farm], a, 2021, 2), "这些检查对象")
