"""A sealed record's history on its page: the draft's saves say who saved which field and when, but their values —
the team's unsigned work in progress — only to the readers of drafts (``models.reads_drafts``: the admins, the team's
officers, a superuser). A leader and a department user read sealed records only (docs/guide/leader.md, "检查记录的
草稿"), and so not a draft through its saves."""

import pytest
from django.urls import reverse

from shuangsuiji.accounts.models import User
from shuangsuiji.fieldwork import services
from tests.clients import signed_in

from .conftest import fill, photo, sign_all, signature_png

DRAFT_TEXT = "初稿：车间后门暗管疑似直排，待核"
WITHHELD = "（不向您显示）"
# what the record's page answers each role, and whether he reads the draft's values in its history
READERS = {"county_admin": (200, True), "city_admin": (200, True), "inspector": (200, True), "leader": (200, False),
           "department_user": (200, False), "other_county_admin": (404, False), "outsider": (404, False)}


@pytest.fixture
def sealed(task, users):
    user = users["inspector"]
    record = services.do_start_record(task, acting_user=user)
    record = services.do_save_draft(record, acting_user=user, values={"findings": DRAFT_TEXT})
    record = fill(record, user)  # the findings rewritten before signing: the sealed record does not say DRAFT_TEXT
    sign_all(record, user)
    return services.do_submit_record(record, acting_user=user)


@pytest.mark.parametrize("role", sorted(READERS))
def test_the_drafts_values_are_read_by_who_reads_drafts(sealed, users, team, role):
    user = team["outsider"] if role == "outsider" else users[role]
    response = signed_in(user).get(reverse("fieldwork:record_detail", args=[sealed.pk]))
    status, reads = READERS[role]
    assert response.status_code == status
    if status != 200:
        return
    html = response.content.decode()
    assert "保存检查记录草稿" in html  # the saves are listed for everyone who reads the record
    assert (DRAFT_TEXT in html) is reads
    assert (WITHHELD in html) is not reads


def test_a_superuser_reads_them(sealed):
    root = User.objects.create_superuser("root", password="pw-root")
    html = signed_in(root).get(reverse("fieldwork:record_detail", args=[sealed.pk])).content.decode()
    assert DRAFT_TEXT in html and WITHHELD not in html


# --- the draft's other events: files attached and removed, signatures, the on-site request -----------------------

REMOVED_FILE = "周某举报材料.jpg"  # a removed photo's name: a person's name, never in the sealed record
FIRST_SIGNER = "吴某某"  # the site manager first typed and signed, then replaced before sealing
ON_SITE_REASON = "群众郑某举报夜间偷排，需现场核实"
ON_SITE_DECISION = "同意现场核实"  # shown on the sealed record's page to all its readers


@pytest.fixture
def sealed_after_a_busy_draft(task, users):
    """A positive-list firm's record: the team asked to go on site, attached a photo and removed it, the site manager
    signed under a first name that was then corrected; none of it is in the sealed record."""
    task.target.positive_list = True
    task.target.save()
    user = users["inspector"]
    record = services.do_start_record(task, acting_user=user)
    approval = services.do_request_on_site(record, reason=ON_SITE_REASON, acting_user=user)
    services.do_decide_on_site(approval, approve=True, decision=ON_SITE_DECISION, acting_user=users["county_admin"])
    attachment = services.do_add_attachment(record, photo(REMOVED_FILE), acting_user=user)
    services.do_remove_attachment(attachment, acting_user=user)
    record = fill(record, user, mode="on_site", place="一号车间", site_manager_name=FIRST_SIGNER)
    services.do_sign(record, acting_user=user, png=signature_png(99), revision=record.revision)
    record = fill(record, user, mode="on_site", place="一号车间")  # the name corrected: the signature is void
    record.refresh_from_db()
    services.do_remove_signature(record.signatures.get(role="site_manager"), acting_user=user)
    sign_all(record, user)
    return services.do_submit_record(record, acting_user=user)


@pytest.mark.parametrize("role", sorted(READERS))
def test_the_drafts_files_signatures_and_requests_are_read_by_who_reads_drafts(sealed_after_a_busy_draft, users,
                                                                               team, role):
    user = team["outsider"] if role == "outsider" else users[role]
    response = signed_in(user).get(reverse("fieldwork:record_detail", args=[sealed_after_a_busy_draft.pk]))
    status, reads = READERS[role]
    assert response.status_code == status
    if status != 200:
        return
    html = response.content.decode()
    for listed in ("上传附件", "删除附件", "签名", "撤销签名", "申请现场检查", "批准现场检查"):
        assert listed in html  # what happened, by whom and when, is listed to every reader of the record
    for value in (REMOVED_FILE, FIRST_SIGNER, ON_SITE_REASON):
        assert (value in html) is reads, value
    assert (WITHHELD in html) is not reads


def test_a_superuser_reads_the_drafts_files_and_signatures(sealed_after_a_busy_draft):
    root = User.objects.create_superuser("root", password="pw-root")
    html = signed_in(root).get(reverse("fieldwork:record_detail", args=[sealed_after_a_busy_draft.pk])).content.decode()
    assert REMOVED_FILE in html and FIRST_SIGNER in html and ON_SITE_REASON in html and WITHHELD not in html
