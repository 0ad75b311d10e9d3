"""A 线索核查's history on its plan's page: the opening names the clue (number and day) and never quotes it. The clue's
text is the reporter's words; the plan is read by roles that may not read the clue (intake.models.ClueQuerySet: a
department user reads his section's clues only), so an opening stored before this rule, whose reason quoted the
clue, has its reason withheld from them."""

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import reverse

from shuangsuiji.audit.services import record_event
from shuangsuiji.intake.models import Clue
from shuangsuiji.planning import services

from .test_clue_check import approved_clue

SECRET = "在线监控显示夜间异常排放"  # the clue's text in approved_clue
ROLES = ["city_admin", "county_admin", "leader", "department_user", "inspector"]
# the inspector reported the clue but is on no team of the draft plan: its page does not exist for him
READS_PLAN = {"city_admin": 200, "county_admin": 200, "leader": 200, "department_user": 200, "inspector": 404}


def plan_page(user, plan) -> tuple[int, str]:
    client = Client()
    client.force_login(user)
    response = client.get(plan.get_absolute_url())
    return response.status_code, response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_the_openings_reason_names_the_clue_and_never_quotes_it(city, role):
    clue = approved_clue(city)
    plan = services.do_open_clue_check(clue, acting_user=city["users"]["county_admin"])
    user = city["users"][role]
    status, html = plan_page(user, plan)
    assert status == READS_PLAN[role]
    assert SECRET not in html
    if status != 200:
        return
    # the number and the day harm no one: every reader of the plan reads them, the clue's readers with its link
    assert f"线索 #{clue.pk}（{clue.found_on:%Y-%m-%d} 发现）经批准现场检查" in html
    assert "（不向您显示）" not in html
    reads_clue = Clue.objects.visible_to(user).filter(pk=clue.pk).exists()
    assert (reverse("intake:clue_detail", args=[clue.pk]) in html) is reads_clue


def test_in_english_the_opening_names_the_clue_in_english(city):
    clue = approved_clue(city)
    plan = services.do_open_clue_check(clue, acting_user=city["users"]["county_admin"])
    client = Client()
    client.force_login(city["users"]["department_user"])  # who may not read the clue
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(plan.get_absolute_url()).content.decode()
    assert f"Clue #{clue.pk} (found {clue.found_on:%Y-%m-%d}) approved for an on-site inspection" in html


@pytest.mark.parametrize("role", ROLES)
def test_an_opening_stored_quoting_the_clue_is_withheld_from_who_may_not_read_it(city, role):
    clue = approved_clue(city)
    plan = services.do_open_clue_check(clue, acting_user=city["users"]["county_admin"])
    with transaction.atomic():  # as the opening recorded it before: the clue's first 200 characters as the reason
        record_event("plan.open_clue_check", actor=city["users"]["county_admin"], obj=plan,
                     jurisdiction_id=plan.jurisdiction_id, changes={"clue": clue.pk}, reason=clue.description[:200])
    user = city["users"][role]
    status, html = plan_page(user, plan)
    assert status == READS_PLAN[role]
    if status != 200:
        return
    reads_clue = Clue.objects.visible_to(user).filter(pk=clue.pk).exists()
    assert (SECRET in html) is reads_clue
    if not reads_clue:
        assert "（不向您显示）" in html
