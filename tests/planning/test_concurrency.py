"""Two admins press "抽取" at the same moment: one draw, the other told it is done."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from shuangsuiji.planning import services
from shuangsuiji.planning.models import Draw, DrawStatus, Plan, PlanStatus, Task, TaskPlan

from .conftest import DRAW_DAY


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_draws_make_one(city):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent connections need PostgreSQL; on SQLite the IMMEDIATE transaction mode makes the "
                    "second writer wait for the first at BEGIN, and the in-memory test database has one connection")
    county = city["users"]["county_admin"]
    plan = services.do_create_plan(jurisdiction=city["tree"]["a"], year=2021, quarter=2, acting_user=county)
    services.do_approve_and_freeze(plan, acting_user=county, draw_date=DRAW_DAY, today=DRAW_DAY)
    services.do_commit_secret(plan, acting_user=county)
    services.do_record_public_value(plan, source="dice", value="3516", witnesses=["张三", "李四"], acting_user=county)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def press(actor) -> None:
        try:
            barrier.wait()
            services.do_draw(Plan.objects.get(pk=plan.pk), acting_user=actor, today=DRAW_DAY)
            outcomes.append("drawn")
        except ValidationError as error:
            outcomes.append(error.messages[0])
        finally:
            connection.close()

    threads = [threading.Thread(target=press, args=(actor,)) for actor in (county, city["users"]["city_admin"])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes)[0] == "drawn" and outcomes.count("drawn") == 1, outcomes
    assert "已抽取" in next(outcome for outcome in outcomes if outcome != "drawn")
    assert Draw.objects.filter(plan=plan, status=DrawStatus.DRAWN).count() == 1
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.DRAWN
    requested = sum(plan.strata.filter(drawn=True).values_list("requested", flat=True))
    assert TaskPlan.objects.filter(plan=plan).count() == requested == Task.objects.count()
