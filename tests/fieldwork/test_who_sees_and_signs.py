"""Who sees a record's draft, who signs in whose name, and the place of a record switched between on site and off
site on a phone without JavaScript.

- A draft is the team's work in progress: its team writes it, the admins of its scope may open it (read-only) to
  chase it, and leaders and department users read submitted records only — through the one gate,
  ``InspectionRecord.objects.visible_to`` (docs/guide/leader.md).
- Each inspector signs only as himself (on his own phone); the site manager signs on an inspector's phone. Nobody
  removes a team mate's signature.
"""

import base64

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from shuangsuiji.fieldwork import services
from shuangsuiji.fieldwork.models import InspectionRecord, Mode, Signature
from tests.clients import signed_in

from .conftest import fill, photo, signature_png, submitted

pytestmark = pytest.mark.django_db

ADDRESS = "涞水县经济开发区创业路8号"


# --- who sees a draft -------------------------------------------------------------------------------------------


@pytest.fixture
def draft(task, users):
    record = fill(services.do_start_record(task, acting_user=users["inspector"]), users["inspector"])
    services.do_add_attachment(record, photo(), acting_user=users["inspector"])
    record.refresh_from_db()
    services.do_sign(record, acting_user=users["inspector"], png=signature_png(), revision=record.revision,
                     inspector=users["inspector"].inspector)
    return record


@pytest.mark.parametrize("role, sees", [
    ("inspector", True), ("partner", True), ("county_admin", True), ("city_admin", True),
    ("leader", False), ("department_user", False), ("outsider", False), ("other_county_admin", False)])
def test_who_opens_a_draft(draft, users, team, role, sees):
    user = users.get(role) or team[role]
    assert InspectionRecord.objects.visible_to(user).filter(pk=draft.pk).exists() is sees
    client = signed_in(user)
    expected = 200 if sees else 404
    assert client.get(reverse("fieldwork:record_detail", args=[draft.pk])).status_code == expected
    assert client.get(reverse("fieldwork:record_pdf", args=[draft.pk])).status_code in (
        (200, 409, 400) if sees else (404,))
    attachment = draft.attachments.get()
    assert client.get(reverse("fieldwork:attachment_file", args=[attachment.pk])).status_code == expected
    signature = draft.signatures.get()
    assert client.get(reverse("fieldwork:signature_image", args=[draft.pk, signature.pk])).status_code == expected
    listed = client.get(reverse("fieldwork:record_list") + "?state=draft")
    assert (draft.number in listed.content.decode()) is sees


@pytest.mark.parametrize("role", ["leader", "department_user", "county_admin", "city_admin", "inspector"])
def test_everyone_of_the_scope_reads_a_submitted_record(task, users, role):
    record = submitted(task, users["inspector"])
    assert signed_in(users[role]).get(reverse("fieldwork:record_detail", args=[record.pk])).status_code == 200


def test_an_admin_reads_a_draft_but_does_not_write_it(draft, users):
    admin = users["county_admin"]
    page = signed_in(admin).get(reverse("fieldwork:record_detail", args=[draft.pk])).content.decode()
    assert "继续填写" not in page
    assert signed_in(admin).get(reverse("fieldwork:record_edit", args=[draft.pk])).status_code == 403
    with pytest.raises(PermissionDenied):
        services.do_save_draft(draft, acting_user=admin, values={"findings": "改写"})


def test_the_task_list_says_a_draft_is_being_written_and_links_it_only_for_who_may_open_it(draft, task, users):
    url = reverse("planning:task_list")
    leader = signed_in(users["leader"]).get(url).content.decode()
    assert "填写中" in leader and reverse("fieldwork:record_detail", args=[draft.pk]) not in leader
    admin = signed_in(users["county_admin"]).get(url).content.decode()
    assert "填写中" in admin and reverse("fieldwork:record_detail", args=[draft.pk]) in admin


# --- who signs in whose name -------------------------------------------------------------------------------------


def test_a_member_cannot_sign_in_a_team_mates_name(task, users, team):
    record = fill(services.do_start_record(task, acting_user=users["inspector"]), users["inspector"])
    with pytest.raises(PermissionDenied, match="只能以本人名义签名"):
        services.do_sign(record, acting_user=team["partner"], png=signature_png(), revision=record.revision,
                         inspector=team["first"])
    # the phone's request is refused the same way, and nothing is stored
    url = reverse("fieldwork:record_sign", args=[record.pk])
    data_url = "data:image/png;base64," + base64.b64encode(signature_png()).decode()
    response = signed_in(team["partner"]).post(url, {"signer": f"inspector:{team['first'].pk}", "png": data_url,
                                                     "revision": str(record.revision)})
    assert response.status_code == 403 and "只能以本人名义签名" in response.json()["message"]
    assert not Signature.objects.filter(record=record).exists()
    # his own, and the site manager's on his phone, he signs
    services.do_sign(record, acting_user=team["partner"], png=signature_png(2), revision=record.revision,
                     inspector=team["second"])
    services.do_sign(record, acting_user=team["partner"], png=signature_png(3), revision=record.revision)
    assert sorted(Signature.objects.filter(record=record).values_list("name", flat=True)) == ["李四", "钱经理"]


def test_a_member_cannot_remove_a_team_mates_signature(task, users, team):
    record = fill(services.do_start_record(task, acting_user=users["inspector"]), users["inspector"])
    mine = services.do_sign(record, acting_user=users["inspector"], png=signature_png(), revision=record.revision,
                            inspector=team["first"])
    manager = services.do_sign(record, acting_user=users["inspector"], png=signature_png(2),
                               revision=record.revision)
    with pytest.raises(PermissionDenied, match="只能删除本人的签名"):
        services.do_remove_signature(mine, acting_user=team["partner"])
    response = signed_in(team["partner"]).post(
        reverse("fieldwork:signature_delete", args=[record.pk, mine.pk]), follow=True)
    assert any("只能删除本人的签名" in str(m) for m in response.context["messages"])
    assert Signature.objects.filter(pk=mine.pk).exists()
    # the site manager's (drawn on a phone of the team) any member removes; his own, each
    services.do_remove_signature(manager, acting_user=team["partner"])
    services.do_remove_signature(mine, acting_user=users["inspector"])
    assert not Signature.objects.filter(record=record).exists()


def test_the_phone_offers_to_sign_for_its_user_and_the_site_manager_only(task, users, team):
    record = services.do_start_record(task, acting_user=users["inspector"])
    page = signed_in(users["inspector"]).get(reverse("fieldwork:record_edit", args=[record.pk])).content.decode()
    buttons = page.count('class="btn btn-sm btn-success fw-sign-button"')
    assert buttons == 2  # 张三's own and the site manager's
    assert f'fw-sign-button" data-signer="inspector:{team["first"].pk}"' in page
    assert f'fw-sign-button" data-signer="inspector:{team["second"].pk}"' not in page
    assert 'fw-sign-button" data-signer="site_manager"' in page
    assert "本人登录后签名" in page


# --- the place when the mode is switched without JavaScript ------------------------------------------------------


def _form(record, **values) -> dict:
    """The form as a phone without record.js posts it: every field as the page rendered it, no ``base``."""
    record.refresh_from_db()
    data = {"revision": str(record.revision), "action": "save", "mode": record.mode, "place": record.place,
            "address": record.address, "target_name": record.target_name, "credit_code": record.credit_code,
            "site_manager_statement": record.site_manager_statement}
    for item in record.items.all():
        data[f"item-{item.pk}-outcome"] = item.outcome
    data.update(values)
    return data


def test_switched_off_site_without_javascript_the_firms_address_is_no_place(task, users):
    inspector = users["inspector"]
    record = services.do_start_record(task, acting_user=inspector)
    assert (record.mode, record.place) == (Mode.ON_SITE, ADDRESS)
    url = reverse("fieldwork:record_edit", args=[record.pk])
    response = signed_in(inspector).post(url, _form(record, mode=Mode.OFF_SITE))
    assert response.status_code == 302, response.content.decode()[:500]
    record.refresh_from_db()
    assert (record.mode, record.place) == (Mode.OFF_SITE, "")
    # back on site: the empty place gets the firm's address to correct
    signed_in(inspector).post(url, _form(record, mode=Mode.ON_SITE))
    record.refresh_from_db()
    assert (record.mode, record.place) == (Mode.ON_SITE, ADDRESS)


def test_a_place_typed_stays_when_the_mode_is_switched(task, users):
    inspector = users["inspector"]
    record = services.do_start_record(task, acting_user=inspector)
    url = reverse("fieldwork:record_edit", args=[record.pk])
    signed_in(inspector).post(url, _form(record, mode=Mode.OFF_SITE, place="监控中心"))
    record.refresh_from_db()
    assert (record.mode, record.place) == (Mode.OFF_SITE, "监控中心")
    # a save that does not switch leaves the place alone (an off-site check may name where it was watched)
    signed_in(inspector).post(url, _form(record, place=ADDRESS))
    record.refresh_from_db()
    assert record.place == ADDRESS
