"""A 线索核查's history on its plan's page: the opening names the clue (number and day) and never quotes it. The clue's
text is the reporter's words; the plan is read by roles that may not read the clue (intake.models.ClueQuerySet: a
department user reads his section's clues only), so an opening stored before this rule, whose reason quoted the
clue, has its reason withheld from them. Its 线索编号 line numbers the clue ("#12") as the reason does — the clue's name
is its firm and day, its page the reporter's words — and links the clue for those its gate lets in."""

import re

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import reverse

from shuangsuiji.audit.models import Event
from shuangsuiji.audit.services import record_event, verify_chain
from shuangsuiji.intake.models import Clue
from shuangsuiji.planning import services

from .test_clue_check import approved_clue

SECRET = "在线监控显示夜间异常排放"  # the clue's text in approved_clue
CLUE_LINE = re.compile(r'线索编号</span>：(?:<a href="(?P<href>[^"]+)">)?(?P<said>[^<]*)(?:</a>)?</div>')
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


def clue_lines(html: str) -> list[tuple[str, str]]:
    """(what the 线索编号 lines of a history say, the page they link or "")."""
    return [(m["said"], m["href"] or "") for m in CLUE_LINE.finditer(html)]


@pytest.mark.parametrize("role", ROLES)
def test_the_clue_number_line_says_its_number_linked_for_who_may_open_the_clue(city, role):
    clue = approved_clue(city)
    plan = services.do_open_clue_check(clue, acting_user=city["users"]["county_admin"])
    with transaction.atomic():  # an opening stored before: its changes name the clue by the same primary key
        record_event("plan.open_clue_check", actor=city["users"]["county_admin"], obj=plan,
                     jurisdiction_id=plan.jurisdiction_id, changes={"clue": clue.pk}, reason=clue.description[:200])
    user = city["users"][role]
    status, html = plan_page(user, plan)
    assert status == READS_PLAN[role]
    if status != 200:
        return
    reads_clue = Clue.objects.visible_to(user).filter(pk=clue.pk).exists()
    link = reverse("intake:clue_detail", args=[clue.pk]) if reads_clue else ""
    # both events, the one stored now and the one stored before, say "#id", never the clue's name (firm and day)
    assert clue_lines(html) == [(f"#{clue.pk}", link)] * 2
    assert f"线索编号</span>：{clue}" not in html


def test_a_department_user_who_may_not_open_the_clue_reads_its_number_unlinked(city):
    clue = approved_clue(city)
    plan = services.do_open_clue_check(clue, acting_user=city["users"]["county_admin"])
    user = city["users"]["department_user"]
    assert not Clue.objects.visible_to(user).filter(pk=clue.pk).exists()  # the case the gate guards
    assert clue_lines(plan_page(user, plan)[1]) == [(f"#{clue.pk}", "")]


@pytest.mark.parametrize("role", ["city_admin", "county_admin"])
def test_the_audit_log_numbers_the_clue_too_and_the_stored_event_is_unchanged(city, role):
    clue = approved_clue(city)
    plan = services.do_open_clue_check(clue, acting_user=city["users"]["county_admin"])
    client = Client()
    client.force_login(city["users"][role])
    html = client.get("/audit/").content.decode()
    assert clue_lines(html) == [(f"#{clue.pk}", reverse("intake:clue_detail", args=[clue.pk]))]
    event = Event.objects.get(action="plan.open_clue_check", object_id=str(plan.pk))
    assert event.changes["clue"] == clue.pk  # the display changed, not what the chain hashes
    assert verify_chain() == []
