"""One state, one name: an amendment draft being written is 更正中 on the officer's workbench, the task list and the
phone's task cards alike. The workbench said 已退回，待更正 where the task list said 更正中 for the same draft; a
correction the review returned says so beside the name (审核退回) everywhere, one the team asked for does not."""

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from shuangsuiji.accounts import workbench
from shuangsuiji.fieldwork import services as fieldwork
from shuangsuiji.fieldwork.models import InspectionRecord
from tests.clients import signed_in

from . import test_overlaps
from .test_services import _officer

pytestmark = pytest.mark.usefixtures("current_quarter")

overlap = test_overlaps.overlap

RETURNED = "更正中（审核退回）"


def visit(task):
    officer = _officer(task.members.filter(active=True).first())
    record = InspectionRecord.objects.filter(task=task).first() or InspectionRecord.objects.create(
        number=f"JL-{task.pk}", task=task, target=task.target, sealed_at=timezone.now(), ended_at=timezone.now(),
        seal_hash="0" * 64)
    return task, officer, record


def said(city, task, officer) -> tuple[str, str, str]:
    """The workbench badge, the task list page and the phone's task list, for the visit."""
    [badge] = [item.badge for item in workbench.my_open_tasks(officer, timezone.localdate()).items
               if item.title == task.target.name]
    listed = signed_in(city["users"]["county_admin"]).get(reverse("planning:task_list"), {"q": task.target.name})
    phone = signed_in(officer).get(reverse("fieldwork:my_tasks"))
    return badge, listed.content.decode(), phone.content.decode()


def test_an_amendment_draft_is_being_corrected_on_every_list_and_a_returned_one_says_so(city, overlap):
    county_admin = city["users"]["county_admin"]
    task, officer, record = visit(overlap["joined"][0])
    fieldwork.do_review_record(record, passed=False, reason="检查时间填错", acting_user=county_admin)
    badge, listed, phone = said(city, task, officer)
    assert badge == RETURNED
    assert RETURNED in listed and RETURNED in phone
    with translation.override("en"):
        assert [item.badge for item in workbench.my_open_tasks(officer, timezone.localdate()).items
                if item.title == task.target.name] == ["Being amended (returned in review)"]
    # the team's own request, approved: the same state and name, without the review's mark
    task, officer, record = visit(overlap["sealed"])  # the county's visit, its record sealed
    request = fieldwork.do_request_amendment(record, reason="漏填联系人", acting_user=officer)
    fieldwork.do_decide_amendment(request, approve=True, decision="同意", acting_user=county_admin)
    badge, listed, phone = said(city, task, officer)
    assert badge == "更正中"
    assert "更正中" in listed and "审核退回" not in listed
