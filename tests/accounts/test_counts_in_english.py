"""A count before a noun takes the noun's plural only when it is not 1: the phone cards and the workbench read
"1 days left" and "opens in 1 days" in English. The Chinese, which has no plural, reads as before."""

from datetime import date, timedelta
from types import SimpleNamespace

from django.template.loader import render_to_string
from django.utils import translation

from shuangsuiji.accounts.workbench import DrawWindow


def section_with(*items: SimpleNamespace) -> SimpleNamespace:
    return SimpleNamespace(key="tasks", title="任务", hint="", calendar_years=(), empty="",
                           items=SimpleNamespace(items=list(items), overdue=0, total=len(items), more=0, aside=""))


def due(overdue: bool, days: int) -> SimpleNamespace:
    return SimpleNamespace(title="检查任务", url="/", badge="", note="", place="", due=date(2026, 9, 30),
                           due_label="期限", overdue=overdue, days_late=days if overdue else 0,
                           days_left=0 if overdue else days)


def workbench_section(language: str, *items: SimpleNamespace) -> str:
    with translation.override(language):
        return render_to_string("accounts/_section.html", {"section": section_with(*items)})


def test_the_workbench_says_one_day_in_the_singular():
    page = workbench_section("en", due(True, 1), due(False, 1), due(True, 3), due(False, 3))
    assert "(1 day overdue)" in page and "(1 day left)" in page
    assert "(3 days overdue)" in page and "(3 days left)" in page
    assert "1 days" not in page


def test_the_workbench_reads_as_before_in_chinese():
    page = workbench_section("zh-hans", due(True, 1), due(False, 3))
    assert "（逾期 1 天）" in page and "（剩 3 天）" in page


def phone_card(language: str, days_left: int) -> str:
    target = SimpleNamespace(name="保定造纸厂", address="保定", jurisdiction=SimpleNamespace(name="竞秀区"))
    task = SimpleNamespace(pk=1, number="BD-2026-3-001", target=target, due=date(2026, 9, 30), days_left=days_left,
                           overdue_days=-days_left, record=None)
    with translation.override(language):
        return render_to_string("fieldwork/_task_card.html", {"task": task})


def test_the_phone_card_says_one_day_in_the_singular():
    assert "1 day left" in phone_card("en", 1) and "1 day overdue" in phone_card("en", -1)
    assert "3 days left" in phone_card("en", 3) and "3 days overdue" in phone_card("en", -3)
    assert "1 days" not in phone_card("en", 1) + phone_card("en", -1)


def test_the_phone_card_reads_as_before_in_chinese():
    assert "剩 1 天" in phone_card("zh-hans", 1) and "逾期 3 天" in phone_card("zh-hans", -3)


def window(today_to_first: int) -> tuple[DrawWindow, date]:
    days = tuple(date(2026, 3, 25) + timedelta(days=i) for i in range(5))
    return DrawWindow(2026, 2, days, "实施方案 二(三)"), days[0] - timedelta(days=today_to_first)


def test_the_draw_window_opens_in_one_day_and_has_one_working_day_left():
    """A workbench message counted in Python (ngettext), with 1 and with 3."""
    with translation.override("en"):
        soon, today = window(1)
        assert soon.hint(today).endswith("opens in 1 day")
        later, today = window(3)
        assert later.hint(today).endswith("opens in 3 days")
        open_window, _ = window(0)
        assert "5 working days left" in open_window.hint(open_window.days[0])
        assert "1 working day left " in open_window.hint(open_window.days[-1])
        assert "3 working days left " in open_window.hint(open_window.days[2])
    with translation.override("zh-hans"):
        soon, today = window(1)
        assert soon.hint(today).endswith("1 天后开始")
        assert "还剩 1 个工作日" in soon.hint(soon.days[-1])
