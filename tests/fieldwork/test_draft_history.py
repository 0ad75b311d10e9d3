"""A sealed record's history on its page: the draft's saves say who saved which field and when, but their values —
the team's unsigned work in progress — only to the readers of drafts (``models.reads_drafts``: the admins, the team's
officers, a superuser). A leader and a department user read sealed records only (docs/guide/leader.md, "检查记录的
草稿"), and so not a draft through its saves."""

import pytest
from django.urls import reverse

from shuangsuiji.accounts.models import User
from shuangsuiji.fieldwork import services
from tests.clients import signed_in

from .conftest import fill, sign_all

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
