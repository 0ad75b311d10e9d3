"""The home page on a quarter's first day, on a desk and a phone, in both languages: the plans not drawn say that the
draw is what is late and since when, and last quarter's overdue tasks stay in the table with their quarter named —
all within the screen."""

import pytest
from django.utils import timezone

from tests.accounts.test_workbench import a_task, long_ago
from tests.accounts.test_workbench_quarters import day_one, on
from tests.fieldwork.conftest import items, team  # noqa: F401 (fixtures, by name)

from .conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXTS = {"zh-hans": ("逾期的是抽取", "（均为往季）", "其中往季度的任务"),
         "en": ("What is overdue is the draw", "(past quarters)", "Of these, tasks of earlier quarters")}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize(("role", "viewport"), [("city_admin", {"width": 1280, "height": 900}),
                                                ("leader", PHONE), ("city_admin", PHONE)])
def test_day_one_says_what_is_late_and_keeps_last_quarters_tasks(open_page, tree, items, team, users,  # noqa: F811
                                                                  live_server, monkeypatch, role, viewport, language):
    a_task(tree["a"], [team["first"], team["second"]], name="涞水逾期厂", deadline=long_ago(), items=items)
    page = open_page(users[role], f"pw-{role}", viewport=viewport)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    first = day_one()
    on(monkeypatch, first)  # after signing in: the pages' today is the next quarter's first day
    assert timezone.localdate() == first
    page.goto(f"{live_server.url}/")
    late, earlier, hint = TEXTS[language]
    table = page.locator("#wb-counties")
    assert table.get_by_text(late).first.is_visible()
    assert table.get_by_text(earlier.strip(" ()")).first.is_visible()
    assert page.locator("#wb-overdue_tasks").get_by_text(hint).is_visible()
    if role == "city_admin":  # the leader makes no plan: nothing of his is missing
        assert page.locator("#wb-plans").get_by_text(late).is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
