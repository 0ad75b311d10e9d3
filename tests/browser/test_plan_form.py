"""The plan form shows the joint plan's departments only when the plan is a joint one."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_departments_appear_only_for_an_internal_joint_plan(open_page, users, live_server):
    page = open_page(users["county_admin"], "pw-county_admin")
    page.goto(f"{live_server.url}/planning/new/")
    initiating, participating = page.locator("#id_department"), page.locator("[name=departments]").first
    assert page.locator("#id_kind").input_value() == "regular"
    assert not initiating.is_visible() and not participating.is_visible()
    assert page.locator("#id_year").is_visible()  # the rest of the form stays
    page.select_option("#id_kind", "joint")
    assert initiating.is_visible() and participating.is_visible()
    page.select_option("#id_kind", "regular")
    assert not initiating.is_visible()
