"""Two inspectors' phones edit one draft: a save is a compare-and-set per field. A team mate's photo, or his edit
of another field, is kept and is no conflict; only a field both changed differently is refused, naming it, who
changed it and when, with nothing stored. Signatures still cover exact content."""

import json

import pytest
from django.urls import reverse

from shuangsuiji.audit.models import Event
from shuangsuiji.fieldwork import services
from shuangsuiji.fieldwork.models import InspectionRecord, Outcome
from tests.clients import signed_in as client_for

from .conftest import photo, signature_png
from .test_views import form_data

pytestmark = pytest.mark.django_db


def stored(record: InspectionRecord) -> dict:
    """What the phone had when it loaded the draft: every record field's stored value (its base)."""
    record.refresh_from_db()
    return {name: getattr(record, name) for name in services.RECORD_FIELDS}


def item_bases(record: InspectionRecord) -> dict:
    return {item.pk: {name: getattr(item, name) for name in services.ITEM_FIELDS} for item in record.items.all()}


@pytest.fixture
def draft(task, users):
    return services.do_start_record(task, acting_user=users["inspector"])


def test_a_team_mates_photo_does_not_refuse_my_field_save(draft, users, team):
    base, revision = stored(draft), draft.revision
    services.do_add_attachment(draft, photo(), acting_user=team["partner"])
    saved = services.do_save_draft(draft, acting_user=users["inspector"], values={**base, "place": "一号车间"},
                                   base_revision=revision, base_values=base)
    draft.refresh_from_db()
    assert draft.place == "一号车间" and draft.attachments.count() == 1
    assert saved.revision == draft.revision == revision + 2  # the photo's revision, then mine


def test_a_team_mates_field_and_mine_are_both_kept(draft, users, team):
    base = stored(draft)
    services.do_save_draft(draft, acting_user=team["partner"], values={**base, "findings": "李四写的检查情况"},
                           base_values=base)
    # my phone still shows the old findings and sends them back unchanged with my own edit
    services.do_save_draft(draft, acting_user=users["inspector"], values={**base, "place": "一号车间"},
                           base_values=base)
    draft.refresh_from_db()
    assert (draft.place, draft.findings) == ("一号车间", "李四写的检查情况")
    assert stored_otherwise_labels(draft, {**base, "place": "一号车间"}) == ["检查情况"]
    event = Event.objects.filter(action="record.draft").order_by("-id").first()
    assert event.changes == {"place": [base["place"], "一号车间"]}  # only mine, the team mate's not overwritten


def stored_otherwise_labels(record, values) -> list[str]:
    return [field.label for field in services.stored_otherwise(record, values)]


def test_the_same_field_changed_differently_is_refused_naming_it_and_nothing_is_stored(draft, users, team):
    base, revision = stored(draft), draft.revision
    services.do_save_draft(draft, acting_user=team["partner"], values={**base, "place": "二号车间"}, base_values=base)
    with pytest.raises(services.DraftConflict) as caught:
        services.do_save_draft(draft, acting_user=users["inspector"],
                               values={**base, "place": "一号车间", "findings": "我写的检查情况"}, base_values=base)
    conflict = caught.value
    assert "检查地点" in conflict.message and "二号车间" in conflict.message and "partner" in conflict.message
    assert [(f["key"], f["label"], f["by"]) for f in conflict.fields] == [("place", "检查地点", "partner")]
    assert conflict.revision == revision + 1
    draft.refresh_from_db()
    assert (draft.place, draft.findings, draft.revision) == ("二号车间", "", revision + 1)  # my findings too: nothing


def test_the_same_field_changed_to_the_same_value_is_no_conflict(draft, users, team):
    base = stored(draft)
    services.do_save_draft(draft, acting_user=team["partner"], values={**base, "place": "一号车间"}, base_values=base)
    services.do_save_draft(draft, acting_user=users["inspector"], values={**base, "place": "一号车间"},
                           base_values=base)
    draft.refresh_from_db()
    assert draft.place == "一号车间" and draft.revision == 1


def test_a_save_sent_again_after_its_reply_was_lost_stores_nothing_twice(draft, users, team):
    base = stored(draft)
    sent = {**base, "place": "一号车间"}
    services.do_save_draft(draft, acting_user=users["inspector"], values=sent, base_values=base, base_revision=0)
    services.do_add_attachment(draft, photo(), acting_user=team["partner"])  # and a team mate's photo meanwhile
    again = services.do_save_draft(draft, acting_user=users["inspector"], values=sent, base_values=base,
                                   base_revision=0)
    assert again.revision == 2 and again.place == "一号车间"
    assert Event.objects.filter(action="record.draft").count() == 1


def test_item_results_are_merged_field_by_field(draft, users, team):
    base, items = stored(draft), item_bases(draft)
    first, second = sorted(items)
    partner = {**items, first: {**items[first], "outcome": Outcome.NO_PROBLEM}}
    services.do_save_draft(draft, acting_user=team["partner"], values=base, items=partner, base_values=base,
                           base_items=items)
    mine = {**items, second: {**items[second], "outcome": Outcome.PROBLEM, "notes": "布袋破损"}}
    services.do_save_draft(draft, acting_user=users["inspector"], values=base, items=mine, base_values=base,
                           base_items=items)
    outcomes = {item.pk: (item.outcome, item.notes) for item in draft.items.all()}
    assert outcomes == {first: (Outcome.NO_PROBLEM, ""), second: (Outcome.PROBLEM, "布袋破损")}
    # both on the first item's result, differently: refused, naming the item and its field
    clash = {**items, first: {**items[first], "outcome": Outcome.PROBLEM}}
    with pytest.raises(services.DraftConflict) as caught:
        services.do_save_draft(draft, acting_user=users["inspector"], values=base, items=clash, base_values=base,
                               base_items=items)
    name = draft.items.get(pk=first).name
    assert caught.value.fields[0]["key"] == f"item-{first}-outcome"
    assert f"“{name}·检查结果”已由partner于" in caught.value.message and "未发现问题" in caught.value.message
    assert draft.items.get(pk=first).outcome == Outcome.NO_PROBLEM


def test_a_merged_save_still_makes_signatures_stale_and_signing_stays_strict(draft, users, team):
    base = stored(draft)
    user = users["inspector"]
    signed = draft.revision
    services.do_sign(draft, acting_user=user, png=signature_png(), revision=signed, inspector=user.inspector)
    services.do_add_attachment(draft, photo(), acting_user=team["partner"])
    services.do_save_draft(draft, acting_user=user, values={**base, "place": "一号车间"}, base_values=base)
    draft.refresh_from_db()
    assert draft.signatures.get().revision == signed < draft.revision  # shown as to be signed again
    with pytest.raises(services.DraftConflict):
        services.do_sign(draft, acting_user=team["partner"], png=signature_png(2), revision=draft.revision - 1,
                         inspector=team["second"])


def test_a_caller_that_sends_only_the_revision_is_refused_as_before(draft, users, team):
    base = stored(draft)
    services.do_add_attachment(draft, photo(), acting_user=team["partner"])
    with pytest.raises(services.DraftConflict):
        services.do_save_draft(draft, acting_user=users["inspector"], values={**base, "place": "一号车间"},
                               base_revision=0)
    # a field sent without its base on an old revision cannot be proved untouched: refused too
    with pytest.raises(services.DraftConflict):
        services.do_save_draft(draft, acting_user=users["inspector"], values={"place": "一号车间"},
                               base_values={"findings": ""}, base_revision=0)
    draft.refresh_from_db()
    assert draft.place != "一号车间"


# --- the phone's autosave ---------------------------------------------------------------------------------------


def entries(data: dict) -> str:
    """``base`` as record.js sends it: the form's [name, value] entries, as JSON."""
    return json.dumps([[name, value] for name, value in data.items() if name != "revision"], ensure_ascii=False)


def test_the_autosave_reply_carries_the_merged_draft_and_names_the_team_mates_fields(draft, users, team):
    user = users["inspector"]
    loaded = form_data(draft)  # what my page showed
    services.do_add_attachment(draft, photo(), acting_user=team["partner"])
    services.do_save_draft(draft, acting_user=team["partner"], values={"findings": "李四写的检查情况"},
                           base_values={"findings": ""})
    response = client_for(user).post(reverse("fieldwork:record_draft", args=[draft.pk]),
                                      {**loaded, "place": "一号车间", "base": entries(loaded)})
    assert response.status_code == 200, response.content
    answer = response.json()
    draft.refresh_from_db()
    assert (draft.place, draft.findings, draft.revision) == ("一号车间", "李四写的检查情况", 3)
    assert answer["revision"] == 3 and answer["theirs"] == ["检查情况"]
    shown = dict((name, value) for name, value in answer["fields"] if name in ("place", "findings", "mode"))
    assert shown == {"place": "一号车间", "findings": "李四写的检查情况", "mode": draft.mode}


def test_the_stored_draft_in_the_reply_is_what_the_form_posts(draft, users):
    """The reply's entries become the phone's base: posted back unchanged they are no edit at all."""
    user = users["inspector"]
    client = client_for(user)
    url = reverse("fieldwork:record_draft", args=[draft.pk])
    first = client.post(url, {**form_data(draft), "findings": "第一行\n第二行",
                              "off_site_means": ["video", "online_monitoring"], "site_manager_refused": "on",
                              "started_at": "2026-11-30T08:05"}).json()
    again = client.post(url, {**dict(first["fields"]), "off_site_means": [v for n, v in first["fields"]
                                                                           if n == "off_site_means"],
                              "revision": "0", "base": json.dumps(first["fields"])})
    assert again.status_code == 200 and again.json()["revision"] == first["revision"] == 1
    assert again.json()["fields"] == first["fields"]


def test_a_collision_answers_409_naming_the_fields_for_the_page(draft, users, team):
    loaded = form_data(draft)
    services.do_save_draft(draft, acting_user=team["partner"], values={"place": "二号车间"},
                           base_values={"place": draft.place})
    response = client_for(users["inspector"]).post(reverse("fieldwork:record_draft", args=[draft.pk]),
                                                   {**loaded, "place": "一号车间", "base": entries(loaded)})
    assert response.status_code == 409
    answer = response.json()
    assert answer["fields"][0]["key"] == "place" and "检查地点" in answer["message"]
    draft.refresh_from_db()
    assert draft.place == "二号车间"


def test_the_form_post_keeps_a_team_mates_edit_made_after_the_phone_synced(draft, users, team):
    loaded = form_data(draft)
    services.do_save_draft(draft, acting_user=team["partner"], values={"findings": "李四写的检查情况"},
                           base_values={"findings": ""})
    response = client_for(users["inspector"]).post(
        reverse("fieldwork:record_edit", args=[draft.pk]),
        {**loaded, "place": "一号车间", "base": entries(loaded), "action": "save"}, follow=True)
    assert response.status_code == 200
    assert "已保留检查组其他成员的修改：检查情况" in response.content.decode()
    draft.refresh_from_db()
    assert (draft.place, draft.findings) == ("一号车间", "李四写的检查情况")
