"""One unit, one visit on the inspector's phone: the badge naming the unit's other open task of his this quarter
opens that task's brief, though the card it sits on is a link to its own task (a stretched link over the card)."""

import pytest

from shuangsuiji.fieldwork.models import task_number
from shuangsuiji.planning.models import MemberRole
from tests.fieldwork.conftest import make_task, target  # noqa: F401 (a fixture, a parameter here)

from .conftest import PHONE, assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_badge_opens_the_other_tasks_brief_not_its_cards(open_page, live_server, users, target):  # noqa: F811
    me = users["inspector"].inspector
    first = make_task(target, [], [(me, MemberRole.OFFICER)])
    second = make_task(target, [], [(me, MemberRole.OFFICER)])
    page = open_page(users["inspector"], "pw-inspector", PHONE)
    page.goto(f"{live_server.url}/fieldwork/tasks/")
    badge = page.locator(".fw-other-visits a", has_text=task_number(second))
    assert badge.count() == 1
    assert_accessible(page, "phone task list with the other-visit badges")
    badge.click()
    page.wait_for_url(f"{live_server.url}/fieldwork/tasks/{second.pk}/")
    assert page.locator("#other-visits").is_visible()  # the brief says it again, naming the first
    assert f"/fieldwork/tasks/{first.pk}/" in page.locator("#other-visits").inner_html()
