"""Two members of one team edit the same record on two phones (390×844); one presses 提交 twice. Set
FIELDWORK_SHOTS=<dir> to keep screenshots of what each phone shows."""

import pytest
from playwright.sync_api import expect

from shuangsuiji.accounts.models import Role, User
from shuangsuiji.fieldwork.models import InspectionRecord

from .conftest import PHONE
from .test_fieldwork_phone import (  # noqa: F401
    confirm_seal,
    shot,
    start_record,
    task,
    wait_for_record_page,
    wait_until_sent,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STATE = "JSON.parse(localStorage.getItem(document.getElementById('record-form').dataset.key))"


@pytest.fixture
def partner(task, users):  # noqa: F811
    """The second officer of the task (李四) with a login of his own."""
    second = task.members.exclude(inspector=users["inspector"].inspector).get().inspector
    return User.objects.create_user(username="partner", password="pw-partner", role=Role.INSPECTOR,
                                    jurisdiction=second.jurisdiction, inspector=second)


def test_two_phones_edit_one_record_and_neither_loses_what_he_typed(
        open_page, users, partner, task, live_server):  # noqa: F811
    first, record = start_record(open_page(users["inspector"], "pw-inspector", PHONE), task, live_server)
    second = open_page(partner, "pw-partner", PHONE)
    second.goto(f"{live_server.url}/fieldwork/records/{record.pk}/edit/")
    wait_for_record_page(second)
    # Both write the findings, differently (a team mate's edit of another field is no conflict: test_fieldwork_team)
    first.fill("#id_place", "一号生产车间")
    first.fill("#id_findings", "张三填写的检查情况")
    wait_until_sent(first)
    second.fill("#id_findings", "李四填写的检查情况")
    second.wait_for_selector("#fw-banner:has-text('已被检查组其他成员更新')")
    expect(second.locator("#fw-banner")).to_contain_text("“检查情况”已由")
    # He is typing far down the form: the banner is in the sticky status box, on his screen, not at the page's top.
    second.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    # Bootstrap makes the page's scrolling smooth: the banner is measured once the scroll has reached the
    # bottom, not after a fixed pause that a loaded machine can outlast.
    second.wait_for_function("() => Math.ceil(window.scrollY + window.innerHeight)"
                             " >= document.documentElement.scrollHeight - 1")
    box = second.locator("#fw-banner").bounding_box()
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], box
    shot(second, "phone-conflict", full=False)
    # He presses 提交 before choosing: the page must not post the form (the server refuses it for the newer
    # draft, and the refusal's page took what it showed for saved: leaving it lost his findings).
    posts = []
    second.on("request", lambda r: posts.append(r.url) if r.method == "POST" and r.url.endswith("/edit/") else None)
    second.click("#fw-submit")
    second.wait_for_selector("#fw-banner:has-text('已被检查组其他成员更新')")
    second.wait_for_timeout(500)
    assert posts == []
    assert second.evaluate(f"{STATE}.dirty") is True
    # He keeps his: his findings replace the first phone's, whose place stays.
    second.click("#fw-banner button:has-text('保留本机修改')")
    wait_for_record_page(second)
    second.wait_for_selector("#fw-banner:has-text('保留了本机修改过的内容')")
    assert second.input_value("#id_place") == "一号生产车间"
    assert second.input_value("#id_findings") == "李四填写的检查情况"
    wait_until_sent(second)
    shot(second, "phone-merged", full=False)
    record.refresh_from_db()
    assert (record.place, record.findings) == ("一号生产车间", "李四填写的检查情况")


def test_submit_pressed_twice_posts_once(open_page, users, task, live_server):  # noqa: F811
    """The second tap comes while the first waits for the autosave and is ignored: one post. (A tap after the
    post left reaches a sealed record: tests/fieldwork/test_field_conditions.py.)"""
    page, record = start_record(open_page(users["inspector"], "pw-inspector", PHONE), task, live_server)
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" and r.url.endswith("/edit/") else None)
    # the autosave is slow (a weak signal): the second tap comes while the first waits for it
    page.route("**/draft/", lambda route: (page.wait_for_timeout(1500), route.continue_()))
    page.fill("#id_findings", "检查了生产车间")
    page.click("#fw-submit")
    page.click("#fw-submit", no_wait_after=True)
    confirm_seal(page)  # asked once, for the one post
    page.wait_for_selector("#fw-errors")
    page.wait_for_timeout(500)
    assert len(posts) == 1, posts
    assert InspectionRecord.objects.get(pk=record.pk).findings == "检查了生产车间"
