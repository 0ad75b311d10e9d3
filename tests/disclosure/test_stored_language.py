# ruff: noqa: F811 (fixtures of the fieldwork and planning tests, imported by name, are parameters here)
"""What disclosure stores is in the system's language (Chinese) when an English-speaking user acts: a draw's
verification report, the batch a discard event names."""

import pytest
from django.utils import translation

from shuangsuiji.audit.models import Event
from shuangsuiji.disclosure import services
from shuangsuiji.planning import services as planning
from tests.disclosure.test_services import month_of, reviewed
from tests.fieldwork.conftest import items, target, task, team  # noqa: F401
from tests.planning.conftest import ceremony, city  # noqa: F401

pytestmark = pytest.mark.django_db


def test_a_draw_verified_in_english_keeps_its_report_in_chinese(city):
    county = city["users"]["county_admin"]
    plan = planning.do_create_plan(jurisdiction=city["tree"]["a"], year=2021, quarter=2, acting_user=county)
    draw = ceremony(plan, user=county)
    planning.do_dispatch(plan, acting_user=county)
    planning.do_reveal(plan, acting_user=county)
    draw.refresh_from_db()
    with translation.override("en"):
        check = services.do_verify_draw(draw)
    assert check.ok and check.report == "密钥与承诺一致，种子、各类别抽取结果与人员分配均可复现"


def test_a_batch_discarded_in_english_is_named_in_chinese(task, users):
    record = reviewed(task, users)
    year, month = month_of(record)
    batch = services.do_prepare_results(jurisdiction=record.target.jurisdiction, year=year, month=month,
                                        acting_user=users["county_admin"])
    with translation.override("en"):
        services.do_discard(batch, reason="重来", acting_user=users["county_admin"])
    assert Event.objects.get(action="disclosure.discard").changes["batch"] == f"涞水县{year}年{month}月抽查结果"
