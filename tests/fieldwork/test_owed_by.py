"""The one rule of when a task's record is owed, which the phone and the 工作台 both use."""

from datetime import date

from shuangsuiji.fieldwork.models import owed_by

DEADLINE = date(2021, 9, 30)


def _publication(year: int, month: int) -> date:
    return date(year, month, 28)  # any function of the month: the rule must ask it for the visit's month


def test_a_task_without_an_amendment_is_owed_by_its_deadline():
    assert owed_by(DEADLINE, amending=False, returned=False, visit_ended=date(2021, 8, 3),
                   publication_deadline=_publication) == (DEADLINE, False)


def test_a_returned_record_is_owed_by_the_publication_deadline_of_the_month_its_visit_ended():
    assert owed_by(DEADLINE, amending=True, returned=True, visit_ended=date(2021, 10, 2),
                   publication_deadline=_publication) == (date(2021, 10, 28), True)


def test_an_amendment_asked_for_after_the_record_passed_is_owed_by_no_date():
    assert owed_by(DEADLINE, amending=True, returned=False, visit_ended=date(2021, 8, 3),
                   publication_deadline=_publication) == (None, False)
    assert owed_by(DEADLINE, amending=True, returned=True, visit_ended=None,
                   publication_deadline=_publication) == (None, False)
