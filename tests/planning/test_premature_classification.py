"""A plan whose quarter was classified before that quarter's window of evidence began.

``do_classify`` refuses such a run now (h118), but one stored before the refusal existed still decides the plan's
strata: it made no target special (no penalty, complaint or exceedance of the window could exist yet), so a plan
drawn on it would take 0 of the special units the policy requires at ≥ 50% (指导意见 二(二)). The plan page says
so with a link to re-classify, and the freeze refuses until the quarter is classified again.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from shuangsuiji.intake.models import Classification, ClassificationRun
from shuangsuiji.intake.services import do_classify
from shuangsuiji.planning import services
from shuangsuiji.planning.models import PlanStatus, Stratum

from .conftest import DRAW_DAY, ceremony

pytestmark = pytest.mark.django_db

# 2021 Q2 rests on 2021 Q1's penalties, complaints and exceedances; a run of 2020-12-20 predates all of them.
EARLY = timezone.make_aware(datetime.datetime(2020, 12, 20, 10, 0))


def store_premature_run(city, *, when=EARLY) -> ClassificationRun:
    """A 2021 Q2 classification of the city as the old code stored it in December 2020: every target of the
    registry general or key, none special (the two special units of county A came out general)."""
    tree = city["tree"]
    run = ClassificationRun.objects.create(jurisdiction=tree["city"], year=2021, quarter=2, policy_id="baoding-2021",
                                           policy_version=1, policy_fingerprint="0" * 64,
                                           targets=len(city["targets"]))
    ClassificationRun.objects.filter(pk=run.pk).update(run_at=when)  # auto_now_add: set the old date after
    Classification.objects.bulk_create([
        Classification(target=target, year=2021, quarter=2, run=run,
                       category="key" if target.category == "key" else "general",
                       positive_list=target.positive_list, on_site_eligible=not target.positive_list,
                       must_inspect=False, policy_id="baoding-2021", policy_version=1, policy_fingerprint="0" * 64)
        for target in city["targets"].values()])
    return run


def county_plan(city):
    return services.do_create_plan(jurisdiction=city["tree"]["a"], year=2021, quarter=2,
                                   acting_user=city["users"]["county_admin"])


def test_the_freeze_refuses_a_plan_on_a_classification_stored_before_its_window_and_stores_nothing(city):
    store_premature_run(city)
    plan = county_plan(city)
    assert plan.strata.get(stratum=Stratum.SPECIAL).population == 0  # what the draw would have rested on
    with pytest.raises(ValidationError) as refused:
        services.do_approve_and_freeze(plan, acting_user=city["users"]["county_admin"], draw_date=DRAW_DAY,
                                       today=DRAW_DAY)
    message = " ".join(refused.value.messages)
    assert "2021年第2季度的季度分类是保定市于2020-12-20做的" in message
    assert "2021-01-01至2021-03-31" in message and "请重新进行2021年第2季度分类" in message
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT and not plan.draws.exists()


def test_re_classifying_the_quarter_clears_the_refusal(city):
    store_premature_run(city)
    do_classify(year=2021, quarter=2, jurisdiction=city["tree"]["a"], acting_user=city["users"]["county_admin"],
                today=DRAW_DAY)
    assert services.premature_problem(city["tree"]["a"], 2021, 2) is None
    # county B's targets still carry the city's early run: a plan of county B (or of the city) is still refused
    assert "2020-12-20" in services.premature_problem(city["tree"]["b"], 2021, 2)
    assert "2020-12-20" in services.premature_problem(city["tree"]["city"], 2021, 2)


def test_a_plan_on_a_timely_run_freezes_and_draws_its_special_units(city):
    run = store_premature_run(city)
    ClassificationRun.objects.filter(pk=run.pk).update(run_at=timezone.make_aware(datetime.datetime(2021, 3, 20)))
    Classification.objects.filter(target__category="special").update(category="special")
    plan = county_plan(city)
    assert plan.strata.get(stratum=Stratum.SPECIAL).population == 2
    draw = ceremony(plan, user=city["users"]["county_admin"])
    assert draw.plan.status == PlanStatus.DRAWN


def test_a_run_stored_on_the_window_s_first_day_is_no_problem(city):
    store_premature_run(city, when=timezone.make_aware(datetime.datetime(2021, 1, 1, 0, 0)))
    assert services.premature_problem(city["tree"]["a"], 2021, 2) is None
    # nor one that classified other places only: county B's plan is not touched by a run over county A alone
    ClassificationRun.objects.all().update(run_at=EARLY)
    Classification.objects.exclude(target__jurisdiction=city["tree"]["a"]).delete()
    assert services.premature_problem(city["tree"]["b"], 2021, 2) is None
    assert services.premature_problem(city["tree"]["a"], 2021, 2)


@pytest.mark.parametrize(("role", "link"), [("county_admin", True), ("leader", False)])
def test_the_plan_page_warns_and_links_to_re_classify(client, city, monkeypatch, role, link):
    store_premature_run(city)
    plan = county_plan(city)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: DRAW_DAY)
    client.force_login(city["users"][role])
    page = client.get(plan.get_absolute_url()).content.decode()
    assert 'id="premature-classification"' in page and "2020-12-20" in page
    target = (f'{reverse("intake:classification_summary")}?jurisdiction={plan.jurisdiction_id}&amp;year=2021'
              f'&amp;quarter=2&amp;reclassify=1#classify')
    assert (target in page) is link
    if link:
        # the link's page proposes re-classifying 2021 Q2 (not the next quarter, classifiable by then)
        form = client.get(reverse("intake:classification_summary"), {
            "jurisdiction": plan.jurisdiction_id, "year": 2021, "quarter": 2, "reclassify": 1}).context["classify_form"]
        assert (str(form["year"].value()), str(form["quarter"].value())) == ("2021", "2")
