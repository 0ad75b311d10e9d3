"""A page in use keeps its session alive (static/js/session.js), and a page whose session ended says so before
its user submits what he typed."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_typing_keeps_the_session_alive_and_an_ended_one_is_announced(open_page, users, live_server):
    page = open_page(users["county_admin"], "pw-county_admin")
    page.clock.install()
    page.goto(f"{live_server.url}/account/")
    page.click("#id_old_password")
    page.keyboard.type("a")  # just loaded: no need to ask yet
    page.clock.fast_forward("05:01")
    with page.expect_request("**/account/alive/") as asked:
        page.keyboard.type("b")
    assert asked.value.response().status == 204
    page.context.clear_cookies(name="sessionid")  # the session ends (idle elsewhere, or the server's timeout)
    page.clock.fast_forward("05:01")
    page.keyboard.type("c")
    banner = page.locator(".app-session-ended")
    banner.wait_for()
    assert "登录已过期" in banner.inner_text() and "重新登录" in banner.inner_text()
    assert banner.locator("a").get_attribute("href") == "/login/?next=%2Faccount%2F"
    assert page.input_value("#id_old_password") == "abc"  # what he typed is still on the page
