"""The task's page on a 390 px phone, its record submitted: the button 查看已提交的检查记录 JL… broke the record's
number at its hyphen ("JL2026Q4-" / "005597"), in Chinese and in English. The number is kept whole (on the label's
line when it fits, else on a line of its own). Set FIELDWORK_SHOTS=<dir> to keep screenshots."""

import pytest
from playwright.sync_api import expect

from tests.fieldwork.conftest import items, submitted, target, task, team  # noqa: F401 (fixtures)

from .conftest import PHONE
from .test_fieldwork_phone import SHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_submitted_records_number_is_on_one_line(open_page, live_server, task, users, language):  # noqa: F811
    record = submitted(task, users["inspector"])
    assert "-" in record.number  # the hyphen the number broke at
    page = open_page(users["inspector"], "pw-inspector", PHONE)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.goto(f"{live_server.url}/fieldwork/tasks/{task.pk}/")
    number = page.locator("#fw-sealed-record-number")
    expect(number).to_have_text(record.number)
    # an inline box broken across lines has one client rectangle per line
    lines = number.evaluate("element => element.getClientRects().length")
    assert lines == 1, f"the record's number spans {lines} lines"
    button = page.locator("#fw-sealed-record").bounding_box()
    box = number.bounding_box()
    assert box["x"] >= button["x"] and box["x"] + box["width"] <= button["x"] + button["width"]  # not overflowing
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/sealed-record-button-{language}.png")
