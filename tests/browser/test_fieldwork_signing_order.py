"""What the record form keeps an inspector from doing for nothing on a phone (390×844): handing the site manager
the signature pad before his name is in the record (the server takes his signature under that name and refused
it, after he had drawn), and picking a 整改期限 the server refuses (not later than the day of the inspection)."""

from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from .conftest import PHONE
from .test_fieldwork_phone import draw_signature, start_record, task, wait_until_sent  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MANAGER = "[data-signer='site_manager']"


def test_the_site_manager_signs_only_once_his_name_is_entered(open_page, users, task, live_server):  # noqa: F811
    page, record = start_record(open_page(users["inspector"], "pw-inspector", PHONE), task, live_server)
    page.click(f".fw-sign-button{MANAGER}")
    # No pad: the page asks for his name, at the box, in sight under the sticky status box.
    expect(page.locator("#fw-banner")).to_contain_text("请先填写现场负责人姓名，再请其签名")
    expect(page.locator("#id_site_manager_name")).to_be_focused()
    expect(page.locator("#fw-sign-modal")).to_be_hidden()
    # (the page scrolls smoothly, Bootstrap's scroll-behavior: measured once it has come to the box)
    page.wait_for_function("""() => {
        const box = document.getElementById("id_site_manager_name").getBoundingClientRect();
        const status = document.getElementById("fw-status").getBoundingClientRect();
        return box.top >= status.bottom && box.bottom <= window.innerHeight; }""", timeout=5000)
    assert record.signatures.count() == 0

    page.fill("#id_site_manager_name", "钱经理")
    wait_until_sent(page)
    page.click(f".fw-sign-button{MANAGER}")
    expect(page.locator("#fw-sign-name")).to_have_text("钱经理")
    draw_signature(page, 0)
    page.wait_for_selector(f".fw-signer{MANAGER}[data-state='ok']")
    assert record.signatures.get().name == "钱经理"


def test_the_deadline_picker_starts_the_day_after_the_inspection(open_page, users, task, live_server):  # noqa: F811
    page, record = start_record(open_page(users["inspector"], "pw-inspector", PHONE), task, live_server)
    deadlines = page.locator("input[type=date][name$='-deadline']")
    expect(deadlines).to_have_count(record.items.count())
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()  # no time yet: today is the inspection's day
    for n in range(deadlines.count()):
        expect(deadlines.nth(n)).to_have_attribute("min", tomorrow)
    # The inspection began two days ago, and ended yesterday: the day after its end is the first day offered.
    two_days_ago = timezone.localdate() - timedelta(days=2)
    page.fill("#id_started_at", f"{two_days_ago.isoformat()}T09:00")
    expect(deadlines.first).to_have_attribute("min", (two_days_ago + timedelta(days=1)).isoformat())
    page.fill("#id_ended_at", f"{(two_days_ago + timedelta(days=1)).isoformat()}T11:00")
    expect(deadlines.first).to_have_attribute("min", (two_days_ago + timedelta(days=2)).isoformat())
    assert date.fromisoformat(deadlines.first.get_attribute("min")) == timezone.localdate()
    wait_until_sent(page)
