# ruff: noqa: F811 (the planning tests' fixtures, imported by name, are parameters here)
"""并入 in the browser, as the county's admin does it: on the later task's page he opens the form, picks the earlier
task, gives a reason and submits; he lands on the earlier task, told it is merged, with the merged plan listed; the
later task says 已并入 and links to it. At a county office's 1280 px and on a phone (390 px), in either language.

Set ``SCREENSHOTS=DIR`` to keep a full-page screenshot of the form and of the result for review."""

import pytest

from shuangsuiji.fieldwork.models import task_number
from shuangsuiji.planning.models import Task, TaskStatus
from tests.planning.conftest import city, current_quarter  # noqa: F401
from tests.planning.test_merge_task import county_pair  # noqa: F401

from .conftest import PHONE, assert_accessible
from .test_ceremony import shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("current_quarter")]

DESK = {"width": 1280, "height": 900}


def fits(page) -> None:
    """Nothing of the page runs off the side of the screen: no sideways scrolling."""
    widths = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], widths


@pytest.mark.parametrize("viewport, language", [(DESK, "zh-hans"), (PHONE, "zh-hans"), (DESK, "en"), (PHONE, "en")])
def test_the_county_admin_merges_the_joint_visit_into_the_regular_one(open_page, live_server, city, county_pair,
                                                                       viewport, language):
    earlier, later, joint = county_pair["earlier"], county_pair["later"], county_pair["joint"]
    name = f"merge-{language}-{viewport['width']}"
    page = open_page(city["users"]["county_admin"], "pw-county_admin", viewport=viewport)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.goto(f"{live_server.url}{later.get_absolute_url()}")
    form = page.locator("#merge")
    form.locator("summary").click()
    select = form.locator("select[name=into]")
    assert select.is_visible()
    select.select_option(str(earlier.pk))
    form.locator("textarea[name=reason]").fill("联合检查与日常检查约定同日进行")
    fits(page)
    button = form.locator("button")
    box, card = button.bounding_box(), form.bounding_box()
    assert box is not None and box["x"] + box["width"] <= card["x"] + card["width"]
    assert_accessible(page, f"{name}: the later task's form")
    shoot(page, f"{name}-form")

    button.click()
    page.wait_for_url(f"{live_server.url}{earlier.get_absolute_url()}")
    said = page.locator(".alert-success").inner_text()
    assert task_number(later) in said and task_number(earlier) in said
    here = page.locator("#merged-here")
    assert here.is_visible() and here.locator(f"a[href='{later.get_absolute_url()}']").count() == 1
    # the joint plan is one of the kept task's plans now
    assert page.locator(f"a[href='{joint.get_absolute_url()}']").count() >= 1
    fits(page)
    assert_accessible(page, f"{name}: the kept task")
    shoot(page, f"{name}-kept")

    page.goto(f"{live_server.url}{later.get_absolute_url()}")
    assert page.locator(".alert-secondary").count() == 0  # "已撤销：并入 RW…" not said twice: once, with the link
    gone = page.locator("#merged-into")
    assert gone.is_visible() and gone.locator(f"a[href='{earlier.get_absolute_url()}']").count() == 1
    assert page.locator("#merge form").count() == 0
    fits(page)
    shoot(page, f"{name}-merged")
    task = Task.objects.get(pk=later.pk)
    assert task.status == TaskStatus.WITHDRAWN and task.merged_into_id == earlier.pk


def test_the_kept_task_says_why_it_may_not_be_merged_the_other_way(open_page, live_server, city, county_pair):
    """The earlier task's record is begun: its page lists the later task as refused, with the reason, no button."""
    earlier, later = county_pair["earlier"], county_pair["later"]
    page = open_page(city["users"]["county_admin"], "pw-county_admin", viewport=PHONE)
    page.goto(f"{live_server.url}{earlier.get_absolute_url()}")
    card = page.locator("#merge")
    assert task_number(later) in card.inner_text() and "已开始填写检查记录" in card.inner_text()
    assert card.locator(f"a[href='{later.get_absolute_url()}']").count() == 1  # the task to open to merge it
    assert card.locator("form").count() == 0
    fits(page)
    shoot(page, "merge-refused-390")
