"""The 计划检查日期 box offers the days the server takes: from today (the guide: 不能早于今天) to the deadline.
Its max was set but not its min, so a phone's date picker offered past days the server then refused."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

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
