"""The plan form shows the joint plan's departments only when the plan is a joint one."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_departments_appear_only_for_an_internal_joint_plan(open_page, users, live_server):
    page = open_page(users["county_admin"], "pw-county_admin")
    page.goto(f"{live_server.url}/planning/new/")
    initiating, participating = page.locator("#id_department"), page.locator("[name=departments]").first
    assert page.locator("#id_kind").input_value() == "regular"
    expect(initiating).to_be_hidden()
    expect(participating).to_be_hidden()
    expect(page.locator("#id_year")).to_be_visible()  # the rest of the form stays
    # The page's script shows and hides the departments on the change event: expect() waits for it.
    page.select_option("#id_kind", "joint")
    expect(initiating).to_be_visible()
    expect(participating).to_be_visible()
    page.select_option("#id_kind", "regular")
    expect(initiating).to_be_hidden()
