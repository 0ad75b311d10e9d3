"""A county admin keeps a target through the real pages, on a desktop and on a phone."""

import pytest
from playwright.sync_api import expect

from shuangsuiji.engine.creditcode import complete
from shuangsuiji.registry.models import Target, TargetHistory

from .conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def target(tree):
    return Target.objects.create(credit_code=complete("91130623000000001"), name="涞水甲化工有限公司",
                                 jurisdiction=tree["a"])


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_county_admin_finds_edits_and_sees_the_history(open_page, users, target, live_server, viewport):
    page = open_page(users["county_admin"], "pw-county_admin", viewport)
    page.goto(f"{live_server.url}/registry/targets/")
    page.fill("#id_q", target.credit_code)
    page.click("button:has-text('查询')")
    page.click("text=涞水甲化工有限公司")
    page.click("a:has-text('编辑')")
    page.select_option("#id_category", "key")
    page.click("button:has-text('保存')")
    expect(page.locator("body")).to_contain_text("必须填写变更理由")  # a category change must say why
    page.fill("#id_reason", "列入重点排污单位名录")
    page.click("button:has-text('保存')")
    page.wait_for_selector("text=已保存")
    expect(page.locator("body")).to_contain_text("列入重点排污单位名录")  # the history, below the message
    assert TargetHistory.objects.filter(target=target, field="category", new_value="key").exists()


def test_other_county_sees_nothing_of_it(open_page, users, target, live_server):
    page = open_page(users["other_county_admin"], "pw-other_county_admin")
    response = page.goto(f"{live_server.url}/registry/targets/{target.pk}/")
    assert response.status == 404



@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_target_page_fits_a_phone_in_either_language(open_page, users, tree, live_server, language):
    """In English "Unified social credit code" beside an 18-character code with letters (wider than digits)
    pushed the page 10 px wider than a 390 px phone: a long value breaks instead."""
    target = Target.objects.create(credit_code="92130609MA5U7DTM1W", name="徐水区升宏汽车修理中心",
                                   jurisdiction=tree["a"], address="河北省保定市徐水区建设路362号")
    page = open_page(users["leader"], "pw-leader", PHONE)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.goto(f"{live_server.url}/registry/targets/{target.pk}/")
    assert page.locator("html").get_attribute("lang") == language
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
