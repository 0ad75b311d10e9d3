"""A date cell of a day that does not exist says which part is wrong: "should be a date" beside a cell that
reads as one ("2028/02/30", "2021年13月5日") left the clerk looking for what to fix."""

import pytest
from django.utils import translation

from shuangsuiji.tabular.importing import CellProblem, day, moment


@pytest.mark.parametrize("cell, message", [
    ("2021-02-30", "2021年2月没有30日"),
    ("2028/02/30", "2028年2月没有30日"),
    ("2021.4.31", "2021年4月没有31日"),
    ("2021 年 2 月 30 日", "2021年2月没有30日"),
    ("２０２１－０４－３１", "2021年4月没有31日"),
    ("2021年13月5日", "没有13月：月份应为 1 到 12"),
    ("2021-00-10", "没有0月：月份应为 1 到 12"),
    ("三月五日", "应为日期，如 2021-04-01"),  # not written as a date at all: what a date looks like
    ("20210230", "应为日期，如 2021-04-01"),
])
def test_a_day_that_does_not_exist_is_named(cell, message):
    with pytest.raises(CellProblem) as problem:
        day(cell)
    assert str(problem.value) == message


def test_in_english():
    with translation.override("en"), pytest.raises(CellProblem) as problem:
        day("2021-02-30")
    assert str(problem.value) == "Month 2 of 2021 has no day 30"
    with translation.override("en"), pytest.raises(CellProblem) as problem:
        day("2021/13/05")
    assert str(problem.value) == "There is no month 13: months run from 1 to 12"


def test_real_days_still_read():
    assert str(day("2024-02-29")) == "2024-02-29" and str(day("2021年3月5日")) == "2021-03-05"


@pytest.mark.parametrize("cell, message", [
    ("2021-02-30 08:00", "2021年2月没有30日"),
    ("2021/02/30 08:00:00", "2021年2月没有30日"),
    ("2021-02-30T08:00", "2021年2月没有30日"),
    ("2021年2月30日 8时", "2021年2月没有30日"),
    ("２０２１－０４－３１　０８：００", "2021年4月没有31日"),
    ("2021-13-05 08:00", "没有13月：月份应为 1 到 12"),
    ("2021-03-01 25:00", "没有25时：小时应为 0 到 23"),
    ("2021-03-01 08:61", "分、秒应为 0 到 59"),
    ("2021-03-01 8点", "应为日期和时刻，如 2021-04-01 13:00"),  # a real day in a spelling not read
    ("昨天", "应为日期和时刻，如 2021-04-01 13:00"),
])
def test_a_date_and_time_cell_names_the_impossible_part_as_a_date_cell_does(cell, message):
    with pytest.raises(CellProblem) as problem:
        moment(cell)
    assert str(problem.value) == message


def test_a_date_cell_with_a_time_of_day_names_its_impossible_day_too():
    # Excel's midnight pasted as text is read as a day: a 30 February with it is the same mistake
    with pytest.raises(CellProblem) as problem:
        day("2021-02-30 00:00:00")
    assert str(problem.value) == "2021年2月没有30日"


def test_real_moments_still_read():
    assert moment("2024-02-29 23:59").strftime("%Y-%m-%d %H:%M") == "2024-02-29 23:59"
