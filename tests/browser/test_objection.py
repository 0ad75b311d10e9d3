# ruff: noqa: F811 (the portal tests' ``data`` fixture, imported by name, is a parameter here)
"""异议 in a real headless Chromium: the inspected firm objects on a phone from its result's page (a mistake
first, told by field, nothing it typed lost), notes its number, and later reads the county's answer, which the
county admin gave on the bureau's page."""

import re

import pytest

from shuangsuiji.disclosure.models import Objection, ObjectionStatus
from tests.browser.conftest import PHONE, assert_accessible
from tests.browser.test_list_filter_alignment import border, danger
from tests.browser.test_portal import fits, visit  # noqa: F401
from tests.disclosure.test_portal import data  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_firm_objects_on_a_phone_and_reads_the_countys_answer(visit, open_page, data, users):
    result = data["rows"]["chem"]
    page = visit(f"/public/results/{result.public_id}/", PHONE)
    page.locator("#objection-link a").click()
    page.wait_for_url(f"**/public/results/{result.public_id}/objection/")
    assert_accessible(page, "the objection form")
    content = "检查日期有误：当天我公司停产检修，检查组是第二天来的。"
    page.fill("#id_credit_code", result.credit_code[:-1])  # one character short
    page.fill("#id_organisation", result.target_name)
    page.fill("#id_content", content)
    page.locator("#objection-submit").click()
    page.wait_for_load_state()
    errors = page.locator(".invalid-feedback").all_inner_texts()
    assert {"长度应为18位，实为17位", "请填写联系人", "请填写联系电话，以便核实和答复"} <= set(errors)
    assert page.locator("#id_content").input_value() == content  # nothing typed is lost
    # each box with a problem is red, as the page says ("marked in red below"); a good one is not
    for box in ("#id_credit_code", "#id_contact_name", "#id_contact_phone"):
        assert border(page, box) == danger(page), box
    assert border(page, "#id_organisation") != danger(page)
    assert fits(page) and not Objection.objects.exists()

    page.fill("#id_credit_code", result.credit_code.lower())
    page.fill("#id_contact_name", "钱经理")
    page.fill("#id_contact_phone", "138 0312 0000")
    page.locator("#objection-submit").click()
    page.wait_for_url("**/public/objections/?*")
    objection = Objection.objects.get()
    assert objection.number in page.locator("#objection-received").inner_text()
    assert page.locator("#objection-state").inner_text() == "待答复"
    assert "138 0312 0000" not in page.content()  # the contact is not shown back on the portal
    assert fits(page)
    assert_accessible(page, "the objection's status")

    staff = open_page(users["county_admin"], "pw-county_admin")
    staff.locator("a", has_text=objection.number).first.click()  # from the 工作台's 待答复的异议
    staff.wait_for_url(f"**{objection.get_absolute_url()}")
    assert "138 0312 0000" in staff.locator("main").inner_text()
    staff.get_by_label("不予采纳").check()
    staff.fill("textarea[name=reply]", "经核对执法记录仪视频，检查日期无误。")
    staff.locator("#answer-submit").click()
    staff.wait_for_load_state()
    assert staff.locator("#objection-state").inner_text() == "不予采纳"
    assert staff.locator("#answer-form").count() == 0  # answered once
    assert_accessible(staff, "the answered objection")

    page.reload()
    assert page.locator("#objection-state").inner_text() == "不予采纳"
    assert page.locator("#objection-reply").inner_text() == "经核对执法记录仪视频，检查日期无误。"
    assert page.locator("#objection-received").count() == 0  # the "received" banner is for the first visit
    # not accepted: the page says the firm may object again, and its link leads to where it can
    assert "再次提出异议" in page.locator("#objection-next").inner_text() and fits(page)
    page.locator("#objection-next a").click()
    page.wait_for_url(f"**/public/results/{result.public_id}/")
    assert page.locator("#objection-link a").is_visible()
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.REJECTED and objection.answered_by == users["county_admin"]
    assert re.fullmatch(r"YY\d{8}-\w{6}", objection.number)
