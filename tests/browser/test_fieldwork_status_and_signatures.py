"""The record form on a phone always says where the draft is — edits not yet on the server, saving, saved (which
version, when), not saved and why — and "草稿已保存（版本N）" goes once it is no longer true. A team mate's
signature, signed on his own phone, shows on mine with its image link without a reload (its removal too), and
what I am typing stays as typed."""

import pytest
from playwright.sync_api import expect

from shuangsuiji.accounts.models import Role, User
from shuangsuiji.fieldwork import services
from shuangsuiji.fieldwork.models import InspectionRecord, Signature

from .conftest import PHONE
from .test_fieldwork_phone import PARTNER_SIGNATURE, start_record, task, wait_until_sent  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_status_line_says_unsaved_saving_saved_and_failed_and_the_old_message_goes(
        open_page, users, task, live_server):  # noqa: F811
    page, record = start_record(open_page(users["inspector"], "pw-inspector", PHONE), task, live_server)
    status = page.locator("#fw-saved")
    page.fill("#id_place", "一号车间")
    page.click("button[name=action][value=save]")
    page.wait_for_selector("[data-fw-draft-saved]")
    record.refresh_from_db()
    saved = page.locator("[data-fw-draft-saved]")
    expect(saved).to_contain_text(f"草稿已保存（版本{record.revision}）")
    expect(status).to_have_attribute("data-state", "saved")
    expect(status).to_contain_text(f"草稿版本 {record.revision}")
    # an edit: not on the server yet, said at once; the message of the version before goes
    page.fill("#id_findings", "台账完整")
    expect(status).to_have_attribute("data-state", "unsaved")
    expect(status).to_contain_text("有修改尚未保存到服务器")
    expect(status).to_contain_text("已保存在本机")
    expect(saved).to_have_count(0)
    wait_until_sent(page)
    record = InspectionRecord.objects.get(pk=record.pk)
    expect(status).to_have_attribute("data-state", "saved")
    expect(status).to_contain_text(f"草稿版本 {record.revision} · 服务器保存于")
    # no network: not saved, and why; back online it is saved, at the next version
    page.context.set_offline(True)
    page.fill("#id_findings", "台账完整，设施正常")
    expect(status).to_have_attribute("data-state", "failed", timeout=10000)
    expect(status).to_contain_text("未能保存到服务器：没有网络")
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    wait_until_sent(page)
    record = InspectionRecord.objects.get(pk=record.pk)
    assert record.findings == "台账完整，设施正常"
    expect(status).to_contain_text(f"草稿版本 {record.revision} · 服务器保存于")


def test_a_team_mates_signature_and_its_removal_show_without_a_reload(
        open_page, users, task, live_server, settings):  # noqa: F811
    settings.FIELDWORK_LIVE_SECONDS = 1
    page, record = start_record(open_page(users["inspector"], "pw-inspector", PHONE), task, live_server)
    lisi = task.members.get(slot=2).inspector
    partner = User.objects.create_user(username="lisi", password="x", role=Role.INSPECTOR,
                                       jurisdiction=record.target.jurisdiction, inspector=lisi)
    row = page.locator(f'.fw-signer[data-signer="inspector:{lisi.pk}"]')
    expect(row).to_have_attribute("data-state", "missing")
    page.locator("#id_findings").press_sequentially("一号")  # typing when his signature comes in
    wait_until_sent(page)
    record = InspectionRecord.objects.get(pk=record.pk)
    signature = services.do_sign(record, acting_user=partner, png=PARTNER_SIGNATURE, revision=record.revision,
                                 inspector=lisi)
    expect(row).to_have_attribute("data-state", "ok", timeout=10000)
    expect(row.locator(".fw-signer-state")).to_contain_text("已签名")
    link = row.locator("a.fw-signature-image")
    expect(link).to_have_attribute("href", f"/fieldwork/records/{record.pk}/signatures/{signature.pk}.png")
    page.locator("#id_findings").press_sequentially("车间")
    expect(page.locator("#id_findings")).to_have_value("一号车间")  # what he typed stays as typed
    # my edit makes his signature stale, on my phone at once and on the server once sent
    expect(row).to_have_attribute("data-state", "stale")
    wait_until_sent(page)
    page.wait_for_timeout(2500)  # two polls: the server's word agrees
    expect(row).to_have_attribute("data-state", "stale")
    services.do_remove_signature(Signature.objects.get(pk=signature.pk), acting_user=partner)
    expect(row).to_have_attribute("data-state", "missing", timeout=10000)
    expect(link).to_have_count(0)
    expect(page.locator("#id_findings")).to_have_value("一号车间")
