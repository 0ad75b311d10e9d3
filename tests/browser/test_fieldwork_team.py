"""Two inspectors of one team, each with a phone, fill one record at once: a team mate's photo or his edit of
other fields does not make the other's autosave a conflict, and the other phone then shows his values. Only a
field both changed differently is a conflict, and the page says which and who changed it. Set
FIELDWORK_SHOTS=<dir> to keep screenshots of what the inspectors see."""

import pytest
from playwright.sync_api import expect

from shuangsuiji.accounts.models import Role, User
from shuangsuiji.fieldwork.models import InspectionRecord, Outcome

from .conftest import PHONE
from .test_fieldwork_network_and_clock import STATE
from .test_fieldwork_phone import photo_file, shot, start_record, task, wait_for_record_page, wait_until_sent  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def partner(task, tree):  # noqa: F811
    """The login of the task's second officer, 李四."""
    second = task.members.exclude(inspector__user__isnull=False).get().inspector
    return User.objects.create_user(username="partner", password="pw-partner", role=Role.INSPECTOR,
                                    jurisdiction=tree["a"], inspector=second, last_name="李", first_name="四")


def two_phones(open_page, users, partner, task, live_server):  # noqa: F811
    """张三 starts the record on his phone; 李四 opens it on his."""
    mine, record = start_record(open_page(users["inspector"], "pw-inspector", PHONE), task, live_server)
    his = open_page(partner, "pw-partner", PHONE)
    his.goto(f"{live_server.url}/fieldwork/records/{record.pk}/edit/")
    wait_for_record_page(his)
    return mine, his, record


def test_a_team_mates_photo_and_fields_do_not_refuse_my_autosave_and_show_on_my_phone(
        open_page, users, partner, task, live_server, tmp_path):  # noqa: F811
    mine, his, record = two_phones(open_page, users, partner, task, live_server)
    first = record.items.order_by("order").first()
    # 李四 takes a photo, writes the findings and records the first item's result
    his.set_input_files("#fw-file", photo_file(tmp_path))
    his.wait_for_selector("#fw-attachments img")
    his.fill("#id_findings", "李四：治理设施运行正常")
    his.click(f"input[name='item-{first.pk}-outcome'][value='{Outcome.NO_PROBLEM}'] + label")
    wait_until_sent(his)
    record.refresh_from_db()
    assert record.findings == "李四：治理设施运行正常" and record.attachments.count() == 1
    # 张三's phone still shows the draft as it was; he writes the place
    assert mine.input_value("#id_findings") == ""
    mine.fill("#id_place", "一号生产车间")
    wait_until_sent(mine)
    expect(mine.locator("#fw-banner")).to_contain_text("已载入检查组其他成员的修改：检查情况、污染防治设施运行情况·检查结果、1张照片")
    expect(mine.locator("#fw-attachments li[data-sha256] img")).to_have_count(1)  # his photo on my phone
    shot(mine, "team-merged", full=False)
    record = InspectionRecord.objects.get(pk=record.pk)
    assert (record.place, record.findings) == ("一号生产车间", "李四：治理设施运行正常")
    assert record.items.get(pk=first.pk).outcome == Outcome.NO_PROBLEM
    # his values are on my screen now, and my next autosave is based on the merged draft
    expect(mine.locator("#id_findings")).to_have_value("李四：治理设施运行正常")
    expect(mine.locator(f"input[name='item-{first.pk}-outcome'][value='{Outcome.NO_PROBLEM}']")).to_be_checked()
    assert mine.evaluate(f"{STATE}.base") == record.revision
    mine.fill("#id_findings", "李四：治理设施运行正常。张三：台账完整")
    wait_until_sent(mine)
    record.refresh_from_db()
    assert (record.place, record.findings) == ("一号生产车间", "李四：治理设施运行正常。张三：台账完整")
    # and his phone, on his next edit, gets my place and my addition to the findings without a conflict
    his.fill("#id_site_manager_name", "钱经理")
    wait_until_sent(his)
    expect(his.locator("#id_place")).to_have_value("一号生产车间")
    expect(his.locator("#id_findings")).to_have_value("李四：治理设施运行正常。张三：台账完整")
    record.refresh_from_db()
    assert (record.place, record.site_manager_name) == ("一号生产车间", "钱经理")


def test_the_same_field_changed_on_both_phones_is_a_conflict_that_names_it(
        open_page, users, partner, task, live_server):  # noqa: F811
    mine, his, record = two_phones(open_page, users, partner, task, live_server)
    his.fill("#id_place", "二号车间")
    wait_until_sent(his)
    mine.fill("#id_place", "一号车间")
    mine.fill("#id_findings", "张三写的检查情况")
    banner = mine.locator("#fw-banner")
    expect(banner).to_contain_text("“检查地点”已由李四于")
    expect(banner).to_contain_text("改为“二号车间”")
    expect(mine.locator("#wrap-id_place.fw-collision")).to_be_visible()
    shot(mine, "team-collision", full=False)
    mine.locator("#wrap-id_place").evaluate("el => window.scrollBy(0, el.getBoundingClientRect().top - 340)")
    shot(mine, "team-collision-field", full=False)
    record.refresh_from_db()
    assert (record.place, record.findings) == ("二号车间", "")  # nothing of the refused save stored
    # he keeps his own: his place and his findings go on the server's draft
    mine.click("#fw-banner button:has-text('保留本机修改并覆盖')")
    wait_for_record_page(mine)
    wait_until_sent(mine)
    record.refresh_from_db()
    assert (record.place, record.findings) == ("一号车间", "张三写的检查情况")
