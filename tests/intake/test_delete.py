"""A penalty or complaint entered by mistake (twice under two numbers, for the wrong target) is deleted by the staff
who record them, with a reason kept in the audit log; the next classification no longer counts it."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from shuangsuiji.audit.models import Event
from shuangsuiji.intake.models import Classification, Clue, ClueSource, Complaint, Penalty, PositiveListEntry
from shuangsuiji.intake.services import (
    do_classify,
    do_delete_complaint,
    do_record_penalty,
    do_report_clue,
    do_save_positive_entry,
)

D = datetime.date


@pytest.fixture
def twice(tree, targets):
    """The same decision entered twice, the second time with its brackets typed differently — stored before the
    service wrote every number in one spelling (``validators.document_number``), which now refuses the second."""
    department = tree["departments"]["130623"]
    first = do_record_penalty(target=targets["plant"], decision_number="涞环罚〔2021〕1号", decided_on=D(2021, 2, 1),
                              department=department, violation="超标排放", acting_user=None, amount=Decimal("1000"))
    second = Penalty.objects.create(target=targets["plant"], decision_number="涞环罚[2021]1号",
                                    decided_on=D(2021, 2, 1), department=department, violation="超标排放",
                                    amount=Decimal("1000"), source=first.source)
    return [first, second]


def test_a_penalty_entered_twice_is_deleted_and_counts_once(client, users, tree, targets, twice):
    do_classify(year=2021, quarter=2, jurisdiction=tree["a"], acting_user=None)
    reason = Classification.objects.get(target=targets["plant"], year=2021, quarter=2).reasons[0]["text"]
    assert "（2次）" in reason
    client.force_login(users["department_user"])
    response = client.post(reverse("intake:penalty_delete", args=[twice[1].pk]), {"reason": "重复录入"})
    assert response.status_code == 302 and response["Location"] == reverse("intake:penalty_list")
    assert list(Penalty.objects.values_list("decision_number", flat=True)) == ["涞环罚〔2021〕1号"]
    event = Event.objects.get(action="penalty.delete")
    assert (event.reason, event.object_id, event.changes["decision_number"]) == (
        "重复录入", str(targets["plant"].pk), ["涞环罚[2021]1号", None])
    do_classify(year=2021, quarter=2, jurisdiction=tree["a"], acting_user=None)
    reason = Classification.objects.get(target=targets["plant"], year=2021, quarter=2).reasons[0]["text"]
    assert "（1次）" in reason


def test_a_deletion_without_a_reason_is_refused_on_the_page(client, users, twice):
    client.force_login(users["county_admin"])
    page = client.get(reverse("intake:penalty_detail", args=[twice[1].pk])).content.decode()
    assert reverse("intake:penalty_delete", args=[twice[1].pk]) in page
    response = client.post(reverse("intake:penalty_delete", args=[twice[1].pk]), {"reason": "  "})
    assert response.status_code == 200 and "is-invalid" in response.content.decode()
    assert Penalty.objects.count() == 2 and not Event.objects.filter(action="penalty.delete").exists()


@pytest.mark.parametrize("role", ["other_county_admin", "leader", "inspector"])
def test_only_those_who_record_in_the_scope_delete(client, users, twice, role):
    client.force_login(users[role])
    response = client.post(reverse("intake:penalty_delete", args=[twice[1].pk]), {"reason": "重复录入"})
    assert response.status_code in (403, 404)
    assert Penalty.objects.count() == 2
    if role == "leader":
        page = client.get(reverse("intake:penalty_detail", args=[twice[1].pk])).content.decode()
        assert reverse("intake:penalty_delete", args=[twice[1].pk]) not in page


def test_a_complaint_a_clue_refers_to_stays_with_the_reason_said(client, users, targets):
    complaint = Complaint.objects.create(reference="12369-A-1", received_on=D(2021, 2, 2), channel="12369",
                                         target=targets["plant"], content="异味")
    do_save_positive_entry(PositiveListEntry(target=targets["plant"], start=D(2021, 1, 1),
                                             document_number="涞环〔2021〕2号"), acting_user=None)
    do_report_clue(Clue(target=targets["plant"], source=ClueSource.COMPLAINT, complaint=complaint,
                        found_on=D(2021, 2, 3), description="举报异味"), acting_user=None)
    client.force_login(users["county_admin"])
    response = client.post(reverse("intake:complaint_delete", args=[complaint.pk]), {"reason": "录错对象"})
    page = response.content.decode()
    assert response.status_code == 200 and "已关联正面清单企业线索，不能删除" in page and 'value="录错对象"' in page
    assert Complaint.objects.filter(pk=complaint.pk).exists()


def test_a_complaint_is_deleted_by_the_service(users, targets):
    complaint = Complaint.objects.create(reference="12369-A-2", received_on=D(2021, 2, 2), channel="12369",
                                         target=targets["plant"], content="异味")
    do_delete_complaint(complaint, acting_user=users["county_admin"], reason="对象录错")
    assert not Complaint.objects.exists()
    assert Event.objects.get(action="complaint.delete").changes["reference"] == ["12369-A-2", None]
