"""A county admin opens an account for a new officer through the real pages, on a desktop and on a phone."""

import datetime

import pytest
from playwright.sync_api import expect

from shuangsuiji.accounts.models import Role, User
from shuangsuiji.audit.models import Event
from shuangsuiji.registry.models import Inspector

from .conftest import PHONE, open_phone_menu

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def recruit(tree):
    return Inspector.objects.create(name="李四", certificate_number="13062300002",
                                    certificate_expiry=datetime.date(2030, 1, 1), jurisdiction=tree["a"],
                                    department=tree["departments"]["130623"])


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_county_admin_creates_an_inspector_account(open_page, users, tree, recruit, live_server, viewport):
    page = open_page(users["county_admin"], "pw-county_admin", viewport)
    if viewport:
        open_phone_menu(page)
    page.click("a.dropdown-toggle:has-text('更多')")
    page.wait_for_selector(".dropdown-menu.show a.dropdown-item:has-text('用户')")
    page.click("a.dropdown-item:has-text('用户')")
    page.wait_for_url("**/accounts/users/")
    page.click("a:has-text('新增用户')")
    page.fill("#id_username", "lisi")
    page.fill("#id_last_name", "李")
    page.fill("#id_first_name", "四")
    page.select_option("#id_role", Role.INSPECTOR)
    page.select_option("#id_jurisdiction", str(tree["a"].pk))
    page.select_option("#id_inspector", str(recruit.pk))
    page.fill("#id_password1", "Li-Si-2021")
    page.fill("#id_password2", "Li-Si-2021x")  # a typo: the form says so and keeps the rest
    page.click("button:has-text('保存')")
    page.wait_for_selector(".invalid-feedback")
    assert not User.objects.filter(username="lisi").exists()
    # The refusal is a new page: its fields are read through expect(), which waits until they are parsed.
    expect(page.locator("#id_username")).to_have_value("lisi")
    expect(page.locator("#id_inspector")).to_have_value(str(recruit.pk))
    page.fill("#id_password1", "Li-Si-2021")
    page.fill("#id_password2", "Li-Si-2021")
    page.click("button:has-text('保存')")
    page.wait_for_selector("text=已新增用户")
    # The message is at the top of the new page; what is under it may not be parsed yet.
    expect(page.locator("body")).to_contain_text("须修改密码")
    expect(page.locator(".history-table")).to_contain_text("新增用户")
    page.wait_for_load_state()  # the width is measured on the whole page, laid out
    assert page.evaluate("document.documentElement.scrollWidth") <= (viewport or {"width": 1366})["width"]
    user = User.objects.get(username="lisi")
    assert user.inspector == recruit and user.must_change_password and user.check_password("Li-Si-2021")
    assert Event.objects.filter(action="user.create", object_id=str(user.pk), actor=users["county_admin"]).exists()
