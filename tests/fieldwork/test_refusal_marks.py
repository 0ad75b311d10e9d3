"""The red asterisks of the site manager's section say what the server asks for (services.completeness_errors):
his name and the unit's opinion until he refuses to sign, then the refusal note instead. The page comes from the
server with the marks as the box stands — the record as stored, or as posted when a post is shown again — so a
phone with neither JavaScript nor CSS :has() reads them right too (tests/browser/test_fieldwork_conditional_sections.py
follows the box live)."""

import re

import pytest
from django.urls import reverse

from shuangsuiji.fieldwork import services
from shuangsuiji.fieldwork.forms import TEXT_LIMITS
from tests.clients import signed_in

from .test_views import form_data

pytestmark = pytest.mark.django_db

OPTIONAL_IF_REFUSED = ("site_manager_name", "site_manager_statement")


def marks(page: str) -> dict[str, str]:
    """Each site-manager field's asterisk, as the page has it."""
    found = {}
    for name in (*OPTIONAL_IF_REFUSED, "site_manager_refusal_note"):
        label = re.search(rf'id="wrap-id_{name}">\s*<label[^>]*>(.*?)</label>', page, re.S)
        assert label, name
        mark = re.search(r'<span class="text-danger"[^>]*>\*</span>', label.group(1))
        assert mark, name
        found[name] = mark.group(0)
    return found


def test_a_record_not_refused_marks_the_managers_name_and_opinion(task, users):
    record = services.do_start_record(task, acting_user=users["inspector"])
    page = signed_in(users["inspector"]).get(reverse("fieldwork:record_edit", args=[record.pk])).content.decode()
    for name, mark in marks(page).items():
        assert " hidden" not in mark, name


def test_a_refused_record_comes_without_the_marks_of_what_is_no_longer_required(task, users):
    user = users["inspector"]
    record = services.do_start_record(task, acting_user=user)
    services.do_save_draft(record, acting_user=user, values={"site_manager_refused": True})
    page = signed_in(user).get(reverse("fieldwork:record_edit", args=[record.pk])).content.decode()
    found = marks(page)
    for name in OPTIONAL_IF_REFUSED:
        assert " hidden" in found[name], name
    assert " hidden" not in found["site_manager_refusal_note"]  # asked for instead


def test_a_post_shown_again_has_the_marks_of_the_box_as_posted(task, users):
    """The box ticked and a findings too long: the draft is not saved, the stored record is not refused, but the
    page shows the box ticked as posted, and the marks with it."""
    user = users["inspector"]
    record = services.do_start_record(task, acting_user=user)
    response = signed_in(user).post(reverse("fieldwork:record_edit", args=[record.pk]), form_data(
        record, site_manager_refused="on", findings="检" * (TEXT_LIMITS["findings"] + 1), action="save"))
    assert response.status_code == 400
    found = marks(response.content.decode())
    for name in OPTIONAL_IF_REFUSED:
        assert " hidden" in found[name], name


def box(page: str, name: str) -> str:
    """The opening tag of a field's box (input, textarea or select), as the page has it."""
    found = re.search(rf'<(?:input|textarea|select)\b[^>]*\bid="id_{name}"[^>]*>', page)
    assert found, name
    return found.group(0)


def test_each_required_box_says_so_to_a_screen_reader(task, users):
    """The asterisk is a picture of "required" and says "star" aloud: hidden from a screen reader, the box itself
    says it (aria-required), as it does not by ``required`` (a draft may be saved incomplete). An optional box
    says nothing; an item's result, a group of buttons, is required as a group."""
    record = services.do_start_record(task, acting_user=users["inspector"])
    page = signed_in(users["inspector"]).get(reverse("fieldwork:record_edit", args=[record.pk])).content.decode()
    item = record.items.order_by("order").first()
    for name in ("started_at", "ended_at", "place", "target_name", "credit_code", "legal_representative", "address",
                 "findings", *OPTIONAL_IF_REFUSED, "site_manager_refusal_note", f"item-{item.pk}-notes",
                 f"item-{item.pk}-handling", f"item-{item.pk}-deadline"):
        assert 'aria-required="true"' in box(page, name), name
    for name in ("permit_number", "contact_name", "contact_phone", "site_manager_position", "site_manager_phone"):
        assert "aria-required" not in box(page, name), name
    assert re.search(rf'role="radiogroup" id="id_item-{item.pk}-outcome" aria-required="true"', page)
    for name, mark in marks(page).items():
        assert 'aria-hidden="true"' in mark, name


def test_a_refused_record_says_the_managers_name_and_opinion_are_not_required(task, users):
    user = users["inspector"]
    record = services.do_start_record(task, acting_user=user)
    services.do_save_draft(record, acting_user=user, values={"site_manager_refused": True})
    page = signed_in(user).get(reverse("fieldwork:record_edit", args=[record.pk])).content.decode()
    for name in OPTIONAL_IF_REFUSED:
        assert 'aria-required="false"' in box(page, name), name
    assert 'aria-required="true"' in box(page, "site_manager_refusal_note")


def test_an_off_site_record_asks_for_no_place(task, users):
    """An off-site check is asked for no place (services.completeness_errors): its box says it is not required,
    its asterisk is shown only while 现场检查 is chosen, and the signatures' hint names no site manager."""
    user = users["inspector"]
    record = services.do_start_record(task, acting_user=user)
    client = signed_in(user)
    url = reverse("fieldwork:record_edit", args=[record.pk])
    page = client.get(url).content.decode()
    assert 'aria-required="true"' in box(page, "place")
    services.do_save_draft(record, acting_user=user, values={"mode": "off_site"})
    page = client.get(url).content.decode()
    assert 'aria-required="false"' in box(page, "place")
    label = re.search(r'id="wrap-id_place">\s*<label[^>]*>(.*?)</label>', page, re.S).group(1)
    assert 'data-show-when-mode="on_site">*</span>' in label
    assert re.search(r'data-show-when-mode="on_site">全体检查人员和现场负责人在屏幕上签名', page)
    assert re.search(r'data-show-when-mode="off_site">全体检查人员在屏幕上签名', page)
