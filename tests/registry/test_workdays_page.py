"""工作日安排: the city office enters a year's holidays and 调休 working days from the State Council's notice
when the calendar package does not know the year yet; deadlines in that year then compute; the workbench
reminds the city office of a year the coming months need."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import ValidationError as FormError
from django.urls import reverse
from django.utils import timezone

from shuangsuiji.accounts import workbench
from shuangsuiji.audit.models import Event
from shuangsuiji.engine.workdays import CalendarUnknownError, package_years, years_needed
from shuangsuiji.planning import gather
from shuangsuiji.registry.forms import parse_days
from shuangsuiji.registry.models import WorkdayOverride
from shuangsuiji.registry.services import do_enter_workday_schedule

pytestmark = pytest.mark.django_db
YEAR = package_years()[1] + 1  # the first year the package does not know
PACKAGE_FIRST = package_years()[0]
D = date


@pytest.fixture(autouse=True)
def the_package_as_released(monkeypatch):
    """These tests are about the first year the package does not know: the suite's reach into next year
    (tests/conftest.py, read after this module's YEAR) is taken back for them."""
    from shuangsuiji.engine import workdays

    monkeypatch.setattr(workdays, "_PACKAGE_YEARS", range(PACKAGE_FIRST, YEAR))

HOLIDAYS = f"""{YEAR}-01-01 元旦
{YEAR}-02-06 至 {YEAR}-02-12 春节
{YEAR}/5/1~{YEAR}/5/5 劳动节
"""
WORKDAYS = f"{YEAR}-02-14 春节调休\n"


def first_saturday_after(day: date) -> date:
    while day.weekday() != 5:
        day = day.fromordinal(day.toordinal() + 1)
    return day


def test_days_are_read_one_a_line_or_as_ranges_with_their_names():
    days = parse_days(HOLIDAYS)
    assert days[D(YEAR, 1, 1)] == "元旦"
    assert [d for d in days if d.month == 2] == [D(YEAR, 2, n) for n in range(6, 13)]
    assert days[D(YEAR, 5, 3)] == "劳动节" and len(days) == 1 + 7 + 5
    assert parse_days("\n  \n") == {}


def test_every_bad_line_is_named_with_its_number_and_reason():
    with pytest.raises(FormError) as error:
        parse_days(f"{YEAR}-01-01\n明天放假\n{YEAR}-02-30\n{YEAR}-03-10 至 {YEAR}-03-01\n")
    messages = error.value.messages
    assert len(messages) == 3
    assert messages[0].startswith("第 2 行“明天放假”")
    assert "第 3 行" in messages[1] and "日期不存在" in messages[1]
    assert "第 4 行" in messages[2] and "结束日期" in messages[2]


def test_the_city_office_enters_a_year_and_its_deadlines_compute(users):
    assert not gather.calendar().knows(YEAR)
    with pytest.raises(CalendarUnknownError):
        gather.calendar().add_workdays(D(YEAR, 2, 5), 1)
    counts = do_enter_workday_schedule(year=YEAR, holidays=parse_days(HOLIDAYS), workdays=parse_days(WORKDAYS),
                                       source="国办发明电〔测试〕1号", acting_user=users["city_admin"])
    assert counts == {"created": 14, "updated": 0, "unchanged": 0}
    calendar = gather.calendar()
    assert calendar.knows(YEAR)
    # The working day after 5 February is not a holiday of the week after, and the 调休 Sunday counts.
    assert calendar.add_workdays(D(YEAR, 2, 5), 1) == D(YEAR, 2, 14)
    assert calendar.is_workday(D(YEAR, 2, 13)) is (D(YEAR, 2, 13).weekday() < 5)
    events = Event.objects.filter(action="workdayoverride.create")
    assert events.count() == 14 and set(events.values_list("reason", flat=True)) == {"国办发明电〔测试〕1号"}

    # Entered again with one day changed: that day changes, the rest stay, nothing is deleted.
    again = do_enter_workday_schedule(year=YEAR, holidays={D(YEAR, 1, 1): "元旦"},
                                      workdays={D(YEAR, 2, 14): "", first_saturday_after(D(YEAR, 1, 2)): "调休"},
                                      source="补充通知", acting_user=users["city_admin"])
    assert again == {"created": 1, "updated": 0, "unchanged": 2}
    assert WorkdayOverride.objects.filter(date__year=YEAR).count() == 15


def test_a_schedule_that_does_not_hold_is_refused_whole_with_every_reason(users):
    weekday = next(D(YEAR, 3, n) for n in range(2, 9) if D(YEAR, 3, n).weekday() == 2)
    with pytest.raises(ValidationError) as error:
        do_enter_workday_schedule(
            year=YEAR, holidays={D(YEAR, 1, 1): "", D(YEAR - 1, 12, 31): "", D(YEAR, 2, 14): ""},
            workdays={D(YEAR, 2, 14): "", weekday: ""}, source=" ", acting_user=users["city_admin"])
    text = " ".join(error.value.messages)
    assert "请填写依据" in text and f"{YEAR - 1}-12-31 不在 {YEAR} 年" in text
    assert f"{YEAR}-02-14 既填为放假日又填为调休上班日" in text
    assert f"{weekday.isoformat()} 是星期三，本来就是工作日" in text
    assert not WorkdayOverride.objects.exists()


@pytest.mark.parametrize("role", ["county_admin", "leader", "department_user", "inspector"])
def test_only_the_city_office_enters_the_schedule(users, role, client):
    with pytest.raises(PermissionDenied):
        do_enter_workday_schedule(year=YEAR, holidays={D(YEAR, 1, 1): ""}, workdays={}, source="x",
                                  acting_user=users[role])
    client.force_login(users[role])
    page = client.get(reverse("registry:workdays"))
    assert page.status_code == 200 and 'id="wd-form"' not in page.content.decode()
    refused = client.post(reverse("registry:workdays"), {"year": YEAR, "holidays": f"{YEAR}-01-01", "source": "x"})
    assert refused.status_code == 403
    assert not WorkdayOverride.objects.exists()


def test_the_page_enters_a_year_and_explains_a_bad_line(users, client):
    client.force_login(users["city_admin"])
    url = reverse("registry:workdays")
    page = client.get(url).content.decode()
    assert 'id="wd-form"' in page and "尚未录入" in page
    bad = client.post(url, {"year": YEAR, "holidays": f"{YEAR}-01-01\n{YEAR}-13-01", "workdays": "",
                            "source": "通知"})
    assert bad.status_code == 200 and "第 2 行" in bad.content.decode() and not WorkdayOverride.objects.exists()
    done = client.post(url, {"year": YEAR, "holidays": HOLIDAYS, "workdays": WORKDAYS, "source": "通知"},
                       follow=True)
    html = done.content.decode()
    assert "新增 14 天" in html and f"{YEAR}-02-14" in html
    assert WorkdayOverride.objects.get(date=D(YEAR, 2, 14)).is_workday
    assert client.get(url, {"year": "not a year"}).status_code == 200


def test_the_workbench_reminds_the_city_office_of_a_year_the_coming_months_need(users):
    autumn = D(YEAR - 1, 11, 29)
    assert years_needed(autumn) == [YEAR - 1, YEAR] and years_needed(D(YEAR - 1, 6, 1)) == [YEAR - 1]

    def reminder(user, today):
        return next((s.items for s in workbench.for_user(user, today).sections if s.key == "calendar"), None)

    items = reminder(users["city_admin"], autumn)
    assert [i.title for i in items.items] == [f"录入{YEAR}年放假和调休安排"] and not items.items[0].overdue
    # due the day before December's results deadline can fall at the earliest (ten days into the unknown year)
    assert items.items[0].due == D(YEAR, 1, 9)
    assert not reminder(users["city_admin"], D(YEAR, 1, 4)).items[0].overdue  # the year has begun: not yet needed
    assert reminder(users["city_admin"], D(YEAR, 1, 10)).items[0].overdue
    assert reminder(users["city_admin"], D(YEAR - 1, 6, 1)).total == 0  # not needed yet
    # the city office enters it: a county admin's workbench has no such section (not even under 目前没有待办)
    assert reminder(users["county_admin"], autumn) is None
    do_enter_workday_schedule(year=YEAR, holidays=parse_days(HOLIDAYS), workdays={}, source="通知",
                              acting_user=users["city_admin"])
    assert reminder(users["city_admin"], autumn).total == 0


@pytest.mark.parametrize("year", ["99999", "0", "-5", "1999", "2101"])
def test_a_year_out_of_range_in_the_address_shows_the_current_year(users, client, year):
    """?year=99999 was a server error (no such date); a year the schedule form would refuse shows this year."""
    client.force_login(users["county_admin"])
    page = client.get(reverse("registry:workdays"), {"year": year})
    assert page.status_code == 200
    assert page.context["year"] == timezone.localdate().year


def test_the_form_names_every_bad_line_of_both_fields_at_once_and_stores_nothing(users, client):
    """The form named each field's lines of a wrong form, but a line of the wrong year, a 调休 working day on a
    weekday or a day given as both came only once those were fixed, as days (one per day of a range) without
    the line they were typed on."""
    from shuangsuiji.registry.forms import WorkdayScheduleForm

    weekday = next(D(YEAR, 3, n) for n in range(2, 9) if D(YEAR, 3, n).weekday() == 2)
    saturday = first_saturday_after(D(YEAR, 2, 2))
    next_year = first_saturday_after(D(YEAR + 1, 1, 1))
    holidays = (f"{YEAR}-01-01 元旦\n"
                f"{YEAR - 1}-10-01 至 {YEAR - 1}-10-07 国庆节\n"  # last year's notice pasted
                "清明节放假\n"
                f"{YEAR}-02-06 至 {saturday.isoformat()} 春节\n"
                f"{YEAR}-04-31\n")
    workdays = (f"{weekday.isoformat()} 调休\n"
                f"{saturday.isoformat()} 春节调休\n"
                f"{next_year.isoformat()} 元旦调休\n")
    form = WorkdayScheduleForm({"year": YEAR, "holidays": holidays, "workdays": workdays, "source": "通知"})
    assert not form.is_valid()
    said = form.errors["holidays"]
    assert len(said) == 3
    assert said[0] == (f"第 2 行“{YEAR - 1}-10-01 至 {YEAR - 1}-10-07 国庆节”：{YEAR - 1}-10-01、{YEAR - 1}-10-02、"
                       f"{YEAR - 1}-10-03等 7 天 不在 {YEAR} 年")
    assert said[1].startswith("第 3 行“清明节放假”：应为一个日期")
    assert said[2] == f"第 5 行“{YEAR}-04-31”：日期不存在"
    said = form.errors["workdays"]
    assert len(said) == 3
    assert said[0] == (f"第 1 行“{weekday.isoformat()} 调休”：{weekday.isoformat()} 是星期三，本来就是工作日；"
                       "调休上班日应是周末")
    assert said[1] == f"第 2 行“{saturday.isoformat()} 春节调休”：{saturday.isoformat()} 已在放假日第 4 行填为放假日"
    assert said[2] == f"第 3 行“{next_year.isoformat()} 元旦调休”：{next_year.isoformat()} 不在 {YEAR} 年"

    client.force_login(users["city_admin"])
    page = client.post(reverse("registry:workdays"), {"year": YEAR, "holidays": holidays, "workdays": workdays,
                                                      "source": "通知"})
    html = page.content.decode()
    assert page.status_code == 200
    for line in ("第 2 行", "第 3 行", "第 5 行", "已在放假日第 4 行填为放假日", "是星期三"):
        assert line in html
    assert not WorkdayOverride.objects.exists() and not Event.objects.filter(action="workdayoverride.create").exists()

    # the good lines alone go in
    good = WorkdayScheduleForm({"year": YEAR, "holidays": f"{YEAR}-01-01 元旦\n{YEAR}-02-06 至 {YEAR}-02-12 春节",
                                "workdays": "", "source": "通知"})
    assert good.is_valid(), good.errors
    assert good.cleaned_data["holidays"][D(YEAR, 2, 9)] == "春节" and good.cleaned_data["workdays"] == {}
