"""The plan page says the engine's quota explanations, stored in Chinese, in the reader's language."""

import pytest
from django.conf import settings
from django.test import Client

from shuangsuiji.planning import services
from shuangsuiji.planning.models import Stratum

pytestmark = pytest.mark.django_db


def page(user, plan, language: str | None = None) -> str:
    client = Client()
    client.force_login(user)
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client.get(f"/planning/{plan.pk}/").content.decode()


def test_the_quota_explanations_read_in_english_and_stay_as_stored_in_chinese(city, users):
    plan = services.do_create_plan(jurisdiction=city["tree"]["a"], year=2021, quarter=2, acting_user=None)
    key = plan.strata.get(stratum=Stratum.KEY).explanation
    assert key.startswith("重点排污单位 4 家。")  # stored as the engine wrote it

    english = page(users["county_admin"], plan, "en")
    assert ("4 key units. County level, at least 50% each quarter: ⌈50% × 4⌉ = 2. This is the second quarter of "
            "the first half-year: all 4 units not yet inspected on site in it must be inspected. "
            "Minimum this quarter: 4.") in english
    assert "重点排污单位 4 家" not in english and "本季度最低抽查" not in english
    assert "Positive-list targets are not inspected on site in principle" in english  # the shell's own note

    chinese = page(users["county_admin"], plan)
    assert key in chinese


def test_the_plans_author_is_made_by_while_the_form_button_is_make(city, users):
    """One Chinese word, two English ones: the page's label names who made the plan, the form's button acts."""
    plan = services.do_create_plan(jurisdiction=city["tree"]["a"], year=2021, quarter=2, acting_user=None)
    english = page(users["county_admin"], plan, "en")
    assert '<dt class="col-sm-3">Made by</dt>' in english
    client = Client()
    client.force_login(users["county_admin"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    form = client.get("/planning/new/").content.decode()
    assert "</i> Make</button>" in form


def test_the_plans_history_says_its_quarter_and_strata_in_english(city, users):
    """The plan's creation event stores the quarter and each stratum as the system wrote them ("2021年第2季度",
    "重点排污单位 4/4"): the change history says them in the reader's language, and as stored in Chinese."""
    plan = services.do_create_plan(jurisdiction=city["tree"]["a"], year=2021, quarter=2, acting_user=None)
    history = page(users["county_admin"], plan, "en").split("Change history", 1)[1]
    assert "Q2 2021" in history and "2021年第2季度" not in history
    assert "Key unit: 4/4" in history
    chinese = page(users["county_admin"], plan).split("变更记录", 1)[1]
    assert "2021年第2季度" in chinese and "重点排污单位 4/4" in chinese
