"""What an inspector and the county admin read in English on the field screens: natural English, one term for
单位名称 (Unit name, as 被检查单位 is the inspected unit and 排污单位 a unit), a follow-up's state and due date
as a phrase ("Open · due …", not "Open, Due …"), and the decisions and dates said as what they are."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from shuangsuiji.disclosure.models import PublishedResult
from shuangsuiji.fieldwork import services
from shuangsuiji.fieldwork.models import FollowUp, Handling, InspectionRecord
from shuangsuiji.registry.models import Target
from tests.clients import signed_in

from .conftest import photo, submitted

pytestmark = pytest.mark.django_db


def _get(user, name: str, pk: int | None, language: str) -> str:
    try:
        response = signed_in(user, language).get(reverse(name, args=[pk] if pk else []))
    finally:
        translation.activate("zh-hans")
    assert response.status_code == 200
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def ordered(source, users):
    """A record whose first problem was ordered to rectify (its follow-up open), passed in review."""
    services.do_review_record(source, passed=True, acting_user=users["county_admin"])
    return source, FollowUp.objects.get(record=source)


def test_an_open_follow_up_reads_open_and_due_on_the_record_page(ordered, users):
    record, follow_up = ordered
    due = follow_up.due_date.strftime("%Y-%m-%d")
    for user in (users["inspector"], users["county_admin"]):
        en = _get(user, "fieldwork:record_detail", record.pk, "en")
        assert f"Open · due {due}" in en and "Open, Due" not in en
    assert f"处理中，期限 {due}" in _get(users["county_admin"], "fieldwork:record_detail", record.pk, "zh-hans")


def test_a_closed_follow_up_says_when_it_was_closed(task, users):
    record = submitted(task, users["inspector"], problem=Handling.RECTIFIED)
    follow_up = services.do_close_follow_up(FollowUp.objects.get(record=record), note="已当场整改",
                                            files=[photo()], acting_user=users["inspector"])
    assert not follow_up.is_open
    day = timezone.localtime(follow_up.closed_at).strftime("%Y-%m-%d")
    assert f"Closed on {day}" in _get(users["inspector"], "fieldwork:record_detail", record.pk, "en")
    page = _get(users["inspector"], "fieldwork:followup_detail", follow_up.pk, "en")
    assert "<th>Closed</th>" in page and "<th>Close</th>" not in page
    assert "<th>Close by</th>" in page and "<th>Due</th>" not in page
    assert "<th>办结</th>" in _get(users["inspector"], "fieldwork:followup_detail", follow_up.pk, "zh-hans")


def test_the_record_page_names_the_unit_the_review_and_the_amendment(ordered, users):
    record, _follow_up = ordered
    en = _get(users["county_admin"], "fieldwork:record_detail", record.pk, "en")
    assert "<th>Unit name</th>" in en and "<th>Name</th>" not in en
    assert ">Passed</span>" in en and ">Pass</span>" not in en
    assert ">Reason for the amendment</label>" in en and "Reason for the correction" not in en
    edit = _get(users["inspector"], "fieldwork:record_edit",
                services.do_start_record(_second_task(record), acting_user=users["inspector"]).pk, "en")
    assert 'for="id_target_name">Unit name' in edit


def _second_task(record):
    from .conftest import make_task

    task = record.task
    return make_task(task.target, list(task.check_items()), [(m.inspector, m.role) for m in task.members.all()])


def test_the_task_list_says_due_as_part_of_its_line(task, users):
    services.do_start_record(task, acting_user=users["inspector"])
    en = _get(users["inspector"], "fieldwork:my_tasks", None, "en")
    assert "· due " in en
    assert "· Due " not in en


def test_unit_name_is_one_term_across_the_app():
    with translation.override("en"):
        labels = {str(model._meta.get_field(field).verbose_name)
                  for model, field in ((Target, "name"), (InspectionRecord, "target_name"),
                                       (PublishedResult, "target_name"))}
    assert labels == {"Unit name"}


def test_the_method_pair_reads_alike_and_the_section_is_field_work(task, users):
    """The record form's radio pair said "On-site inspection" beside "Off-site check": one method named as an
    inspection, the other as a lesser "check". Both are inspections now. The fieldwork home's title and the task
    brief's breadcrumb, which name the section (现场检查 in the menu), say "Field work" as the menu does, not
    the method."""
    record = services.do_start_record(task, acting_user=users["inspector"])
    form = _get(users["inspector"], "fieldwork:record_edit", record.pk, "en")
    assert "On-site inspection" in form and "Off-site inspection" in form and "Off-site check<" not in form
    brief = _get(users["inspector"], "fieldwork:task_brief", task.pk, "en")
    crumb = re.search(r'<ol class="breadcrumb[^>]*>(.*?)</ol>', brief).group(1)
    assert ">Field work</a>" in crumb and "On-site inspection" not in crumb
    home = _get(users["county_admin"], "fieldwork:home", None, "en")
    assert "<title>Field work" in home
