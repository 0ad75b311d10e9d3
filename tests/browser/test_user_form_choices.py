"""The city admin opens an account for an officer of a county: picking the county on the form offers that county's
officers at once (a city has more than one list offers, so the form opened with the city's own), and what he
typed — the temporary passwords included — is still in its box."""

import datetime

import pytest
from playwright.sync_api import expect

from shuangsuiji.accounts.models import Role, User
from shuangsuiji.registry.filters import MAX_OPTIONS
from shuangsuiji.registry.models import Inspector

from .conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Li-Si-2021"


@pytest.fixture
def officers(tree):
    """More officers in county B than a list offers at once, and 李四 of county A, who has no login yet."""
    Inspector.objects.bulk_create(
        Inspector(name=f"阜平{n}", certificate_number=f"13062490{n:04d}", certificate_expiry=datetime.date(2030, 1, 1),
                  jurisdiction=tree["b"], department=tree["departments"]["130624"]) for n in range(MAX_OPTIONS))
    return {"recruit": Inspector.objects.create(
        name="李四", certificate_number="13062300002", certificate_expiry=datetime.date(2030, 1, 1),
        jurisdiction=tree["a"], department=tree["departments"]["130623"])}


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_choosing_a_county_offers_its_officers_and_keeps_what_was_typed(open_page, users, tree, officers,
                                                                         live_server, viewport):
    recruit = officers["recruit"]
    page = open_page(users["city_admin"], "pw-city_admin", viewport)
    page.goto(f"{live_server.url}/accounts/users/new/")
    inspector = page.locator("#id_inspector")
    expect(inspector.locator(f"option[value='{recruit.pk}']")).to_have_count(0)  # the city's own, at first
    page.fill("#id_username", "lisi")
    page.fill("#id_last_name", "李")
    page.fill("#id_first_name", "四")
    page.select_option("#id_role", Role.INSPECTOR)
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.select_option("#id_jurisdiction", str(tree["a"].pk))
    # no reload: the page's typed values are where they were, and county A's officer is offered
    expect(inspector.locator(f"option[value='{recruit.pk}']")).to_have_count(1)
    expect(inspector.locator("option")).to_have_count(2)  # "- 请选择 -" and 李四: no officer of county B
    expect(page.locator("#choices-status")).to_have_text("已按所选行政区更新“科室”和“执法人员档案”的选项")
    for box, value in (("#id_username", "lisi"), ("#id_last_name", "李"), ("#id_password1", PASSWORD),
                       ("#id_password2", PASSWORD)):
        expect(page.locator(box)).to_have_value(value)
    page.select_option("#id_inspector", str(recruit.pk))
    # another county, then back: B's officers (as many as the list offers), then A's, the choice kept meanwhile
    page.select_option("#id_jurisdiction", str(tree["b"].pk))
    expect(inspector.locator("option")).to_have_count(MAX_OPTIONS + 2)  # B's, and 李四 as chosen
    expect(inspector).to_have_value(str(recruit.pk))
    page.select_option("#id_jurisdiction", str(tree["a"].pk))
    expect(inspector.locator("option")).to_have_count(2)
    page.click("button:has-text('保存')")
    page.wait_for_selector("text=已新增用户")
    user = User.objects.get(username="lisi")
    assert user.inspector == recruit and user.jurisdiction == tree["a"] and user.check_password(PASSWORD)
    assert page.evaluate("document.documentElement.scrollWidth") <= (viewport or {"width": 1366})["width"]


def test_an_officer_of_another_county_is_still_refused_when_sent(open_page, users, tree, officers, live_server):
    """The list follows the county, but the server still judges: an officer kept from county A while county B is
    chosen is refused at the field, with both named."""
    recruit = officers["recruit"]
    page = open_page(users["city_admin"], "pw-city_admin")
    page.goto(f"{live_server.url}/accounts/users/new/")
    page.fill("#id_username", "lisi")
    page.select_option("#id_role", Role.INSPECTOR)
    page.select_option("#id_jurisdiction", str(tree["a"].pk))
    page.locator(f"#id_inspector option[value='{recruit.pk}']").wait_for(state="attached")
    page.select_option("#id_inspector", str(recruit.pk))
    page.select_option("#id_jurisdiction", str(tree["b"].pk))
    expect(page.locator("#id_inspector option")).to_have_count(MAX_OPTIONS + 2)
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.click("button:has-text('保存')")
    expect(page.locator(".invalid-feedback")).to_contain_text("执法人员档案“李四”不属于阜平县")
    assert not User.objects.filter(username="lisi").exists()


def test_when_the_choices_do_not_come_the_page_says_so_and_still_sends(open_page, users, tree, officers, live_server):
    recruit = officers["recruit"]
    page = open_page(users["city_admin"], "pw-city_admin")
    page.goto(f"{live_server.url}/accounts/users/new/")
    page.route("**/users/new/choices/**", lambda route: route.abort())
    page.select_option("#id_jurisdiction", str(tree["a"].pk))
    expect(page.locator("#choices-status")).to_contain_text("未能按所选行政区更新")
    expect(page.locator("#choices-status")).to_be_visible()
    expect(page.locator(f"#id_inspector option[value='{recruit.pk}']")).to_have_count(0)  # as it was
