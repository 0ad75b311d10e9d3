"""The demo step of fieldwork: the demo year's tasks carry sealed, reviewed records and their follow-ups."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from shuangsuiji.demo.generator import generate
from shuangsuiji.demo.services import STEPS, do_seed_demo
from shuangsuiji.engine.workdays import quarter_of
from shuangsuiji.fieldwork import demo, sealing, services
from shuangsuiji.fieldwork.models import FollowUp, FollowUpStatus, InspectionRecord, Mode, Outcome, RecordReview
from shuangsuiji.planning.models import Task

pytestmark = pytest.mark.django_db
TODAY = date(2021, 12, 20)


def test_seed_fieldwork_gives_the_year_its_records_and_follow_ups(db):
    population = generate("tiny", today=TODAY)
    # up to the draws; allow_production: pytest-django runs with DEBUG off, and this is a test database
    do_seed_demo(population, steps=[step for step in STEPS if step.name != "fieldwork"], allow_production=True)
    counts = demo.seed_fieldwork(population)

    originals = InspectionRecord.objects.filter(amends__isnull=True, recheck__isnull=True)
    visited = originals.count()
    dispatched = Task.objects.filter(status="dispatched")
    assert visited + counts["tasks_undone"] + counts["tasks_in_progress"] == dispatched.count()
    # Today's quarter is under way: visited up to yesterday, the rest still open on the teams' phones.
    current = dispatched.filter(year=TODAY.year, quarter=4)
    assert 0 < counts["tasks_in_progress"] == current.filter(records__isnull=True).count() < current.count()
    assert not originals.filter(started_at__date__gte=TODAY).exists()
    # A quarter's tasks are dispatched in the last days of the quarter before; the teams go in their own quarter.
    for record in originals.filter(task__isnull=False).select_related("task"):
        day, task = timezone.localdate(record.started_at), record.task
        assert (day.year, quarter_of(day)) == (task.year, task.quarter), (record.number, day)
        assert timezone.localdate(task.dispatched_at) < day <= task.deadline, (record.number, day)
    assert not RecordReview.objects.filter(reviewed_at__date__gte=TODAY).exists()
    assert not FollowUp.objects.filter(closed_at__date__gte=TODAY).exists()
    # What waits for review was sealed in the last days (the county reviews within a week), not months ago.
    waiting = originals.awaiting_review()
    assert waiting.exists()
    assert not waiting.filter(sealed_at__date__lt=TODAY - timedelta(days=7)).exists()
    assert not originals.drafts().exists()
    with_problems = originals.filter(items__outcome=Outcome.PROBLEM).distinct().count()
    assert with_problems == round(visited * demo.PROBLEM_SHARE) == counts["records_with_problems"]
    assert originals.filter(mode=Mode.OFF_SITE).exists() and originals.filter(mode=Mode.ON_SITE).exists()
    for record in InspectionRecord.objects.sealed():
        assert sealing.verify(record) == [], record.number
    assert InspectionRecord.objects.publishable().exists()
    assert RecordReview.objects.filter(record__in=originals).count() == counts["reviews"] < visited
    assert FollowUp.objects.count() == with_problems
    assert FollowUp.objects.filter(status=FollowUpStatus.CLOSED).exists()
    # The demo reads the tasks' items in bulk; they are the ones each task's page shows.
    tasks = list(Task.objects.all()[:200])
    found = demo.task_items(tasks)
    assert all(list(task.check_items()) == found[task.pk] for task in tasks)
    # Some firms reported rectifying early and were re-checked on or before the deadline: such a record carries
    # the statement its seal requires (services.early_recheck); one after the deadline carries none.
    rechecked = list(InspectionRecord.objects.sealed().filter(recheck__isnull=False).select_related("recheck"))
    early = [record for record in rechecked if services.early_recheck(record)]
    assert early and len(early) < len(rechecked)
    assert all("提前完成整改" in record.early_recheck_statement for record in early)
    assert not any(record.early_recheck_statement for record in rechecked if record not in early)
    assert not any("early_recheck_statement" in services.completeness_errors(record) for record in early)
