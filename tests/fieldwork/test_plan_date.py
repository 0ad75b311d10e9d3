"""The 计划检查日期 box offers the days the server takes: from today (the guide: 不能早于今天) to the deadline.
Its max was set but not its min, so a phone's date picker offered past days the server then refused."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from shuangsuiji.fieldwork.models import TaskSchedule
from tests.clients import signed_in

pytestmark = pytest.mark.django_db


def test_the_planned_date_box_runs_from_today_to_the_deadline(task, users):
    page = signed_in(users["inspector"]).get(reverse("fieldwork:task_brief", args=[task.pk])).content.decode()
    box = page[page.index('id="id_planned_on"'):].split(">", 1)[0]
    assert f'min="{timezone.localdate():%Y-%m-%d}"' in box and f'max="{task.deadline:%Y-%m-%d}"' in box


def test_a_past_planned_date_is_still_refused_by_the_server(task, users):
    client = signed_in(users["inspector"])
    yesterday = timezone.localdate() - timedelta(days=1)
    answer = client.post(reverse("fieldwork:task_plan", args=[task.pk]), {"planned_on": yesterday.isoformat()},
                         follow=True)
    assert "计划日期不能早于今天" in answer.content.decode()


def test_an_overdue_task_offers_no_date_but_says_why(task, users):
    """Past its deadline a task takes no planned date (from today to a deadline gone by is no day at all): its
    page offered the box anyway, min after max, and 安排 answered with the browser's own bubble about the two.
    It says instead that the deadline is past and the visit is due now."""
    task.deadline = timezone.localdate() - timedelta(days=3)
    task.save(update_fields=["deadline"])
    page = signed_in(users["inspector"]).get(reverse("fieldwork:task_brief", args=[task.pk])).content.decode()
    assert 'id="id_planned_on"' not in page
    assert "已过完成期限，不能再安排检查日期，请尽快检查" in page
    assert "开始检查" in page  # the record can still be started


def test_a_task_due_today_can_still_be_put_on_today(task, users):
    task.deadline = timezone.localdate()
    task.save(update_fields=["deadline"])
    page = signed_in(users["inspector"]).get(reverse("fieldwork:task_brief", args=[task.pk])).content.decode()
    assert 'id="id_planned_on"' in page and "已过完成期限" not in page


def _plan_box(page: str) -> str:
    """The whole <input> tag of the date box."""
    start = page.rindex("<input", 0, page.index('id="id_planned_on"'))
    return page[start:].split(">", 1)[0]


def test_a_refused_planned_date_comes_back_as_typed_with_its_reason_at_the_box(task, users):
    """A refused day came back as today's (a redirect to the page, its box filled afresh) and its reason only
    above the page: the page again (400), the day as typed, the box marked and pointing at the reason."""
    client = signed_in(users["inspector"])
    late = task.deadline + timedelta(days=2)
    answer = client.post(reverse("fieldwork:task_plan", args=[task.pk]), {"planned_on": late.isoformat()})
    assert answer.status_code == 400
    page = answer.content.decode()
    box = _plan_box(page)
    assert f'value="{late:%Y-%m-%d}"' in box
    assert "is-invalid" in box and 'aria-invalid="true"' in box and 'aria-describedby="id_planned_on-error"' in box
    reason = page[page.index('id="id_planned_on-error"'):].split("</div>", 1)[0]
    assert "计划日期晚于任务完成期限" in reason
    assert not TaskSchedule.objects.filter(task=task).exists()


def test_a_planned_date_not_given_is_said_at_the_box(task, users):
    answer = signed_in(users["inspector"]).post(reverse("fieldwork:task_plan", args=[task.pk]), {"planned_on": ""})
    assert answer.status_code == 400
    page = answer.content.decode()
    assert 'aria-invalid="true"' in _plan_box(page)
    assert "请选择计划检查日期" in page[page.index('id="id_planned_on-error"'):].split("</div>", 1)[0]


def test_an_accepted_planned_date_still_goes_back_to_the_page(task, users):
    client = signed_in(users["inspector"])
    day = timezone.localdate()
    answer = client.post(reverse("fieldwork:task_plan", args=[task.pk]), {"planned_on": day.isoformat()})
    assert answer.status_code == 302
    page = client.get(answer.url).content.decode()
    assert f'value="{day:%Y-%m-%d}"' in _plan_box(page) and "aria-invalid" not in _plan_box(page)
