# ruff: noqa: F811 (the portal tests' ``data`` fixture, imported by name, is a parameter here)
"""A month on an English page reads as its dates do, year-month with two digits (2026-01, like 2026-01-31): it
read "2026-1" in a batch's name, a workbench item and a refusal, and "1/2026" in a report's title. A Chinese page
keeps 2026年1月."""

import datetime
import io
import re
from urllib.parse import unquote

import openpyxl
import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from shuangsuiji.disclosure import services
from shuangsuiji.disclosure.models import Publication, PublicationKind
from shuangsuiji.engine.workdays import WorkCalendar
from shuangsuiji.systemtext import system_text
from tests.disclosure.test_portal import data  # noqa: F401
from tests.test_systemtext import POLICY


def said(language: str, make) -> str:
    with translation.override(language):
        return str(make())


def refusal(language: str, **facts) -> str:
    with translation.override(language), pytest.raises(ValidationError) as refused:
        services.do_prepare_results(**facts)
    return "；".join(refused.value.messages)


@pytest.mark.parametrize(("month", "english", "chinese"), [
    (1, "涞水县: inspection results, 2026-01", "涞水县2026年1月抽查结果"),
    (11, "涞水县: inspection results, 2026-11", "涞水县2026年11月抽查结果"),
])
def test_a_batch_is_named_by_its_month(tree, month, english, chinese):
    batch = Publication(jurisdiction=tree["a"], kind=PublicationKind.RESULTS, year=2026, month=month)
    assert said("en", lambda: batch) == english
    assert said("zh-hans", lambda: batch) == chinese


def test_the_portal_lists_a_batch_by_its_month(client, data):
    """The public home page's latest publications: April's batch of 涞水县."""
    assert "涞水县2026年4月抽查结果" in client.get("/public/").content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get("/public/").content.decode()
    # the month kept on one line on a phone (punctuation.whole_dates)
    assert '涞水县: inspection results, <span class="text-nowrap">2026-04</span>' in english
    assert "2026-4<" not in english


def test_a_refusal_names_the_month(tree, users):
    facts = {"jurisdiction": tree["a"], "acting_user": users["county_admin"]}
    later = timezone.localdate().year + 1
    assert refusal("en", year=later, month=2, **facts) == f"{later}-02 has not begun; its results cannot be published"
    assert refusal("zh-hans", year=later, month=2, **facts) == f"{later}年2月尚未开始，不能公开其结果"
    assert refusal("en", year=2025, month=3, **facts) == (
        "涞水县 has no reviewed, unpublished inspection results for 2025-03")
    assert refusal("zh-hans", year=2025, month=3, **facts) == "涞水县2025年3月没有已审核通过、尚未公开的检查结果"


def test_a_december_waiting_for_next_years_holidays_names_the_month():
    assert said("en", lambda: services.calendar_pending_message(2030, 12)).startswith(
        "The results of 2030-12 are due in 2031")
    assert said("zh-hans", lambda: services.calendar_pending_message(2030, 12)).startswith(
        "2030年12月结果的公开期限在2031年")


def test_a_monthly_report_is_named_by_its_month():
    """The engine writes the reports' titles in Chinese; an English page says them with the month as 2021-03."""
    march = next(d for d in WorkCalendar().reporting_deadlines(POLICY, 2021)
                 if d.description.startswith("报送2021年3月"))
    assert said("en", lambda: system_text(march.description)) == (
        'Send the "double random, one public" detail sheet of 2021-03')
    assert said("zh-hans", lambda: system_text(march.description)) == march.description
    title = "涞水县2021年3月“双随机、一公开”情况明细表"
    assert said("en", lambda: system_text(title)) == '涞水县: "double random, one public" detail sheet of 2021-03'


def test_the_workbench_names_a_month_to_publish(tree, users, monkeypatch):
    """A county's month whose results wait to be published, on its admin's 工作台."""
    from shuangsuiji.accounts import workbench

    class Month:  # what disclosure.month_states says of a month: its results not released, no batch yet
        jurisdiction, year, month, released, batches, unpublished = tree["a"], 2026, 2, False, [], 3
        deadline = datetime.date(2026, 3, 16)

    monkeypatch.setattr(workbench.disclosure, "month_states", lambda root, year, today: [Month] if year == 2026 else [])
    today = datetime.date(2026, 4, 1)
    english = said("en", lambda: workbench.unreleased_months(users["county_admin"], today).items[0].title)
    chinese = said("zh-hans", lambda: workbench.unreleased_months(users["county_admin"], today).items[0].title)
    assert (english, chinese) == ("涞水县 results of 2026-02", "涞水县2026年2月抽查结果")


def test_the_progress_grid_heads_its_months_as_the_pages_write_a_month(client, tree, users):
    """The city's grid of each county's months: its columns read 1月…12月, in English 2026-01…2026-12 (they read
    1…12, a bare number beside the year's other months written 2026-01)."""
    year = timezone.localdate().year - 1  # a year gone by: all twelve months
    client.force_login(users["city_admin"])
    heads = {}
    for language in ("zh-hans", "en"):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        page = client.get(reverse("disclosure:overview"), {"year": year}).content.decode()
        grid = page[page.index('id="grid"'):page.index("</thead>", page.index('id="grid"'))]
        heads[language] = re.findall(r"<th>([^<]*)</th>", grid)
    assert heads["zh-hans"] == [f"{m}月" for m in range(1, 13)] + ["逾期"]
    assert heads["en"] == [f"{year}-{m:02d}" for m in range(1, 13)] + ["Overdue"]


# --- a month in a download's name: two digits, as in its dates ------------------------------------------------


@pytest.mark.parametrize(("month", "name"), [
    (1, "涞水县2026年01月“双随机、一公开”情况明细表.xlsx"),
    (11, "涞水县2026年11月“双随机、一公开”情况明细表.xlsx"),
])
def test_the_monthly_sheet_downloads_under_a_name_that_sorts_by_month(client, tree, users, month, name):
    """2026年1月 sorted after 2026年11月 in a folder of them; the sheet's own title keeps 2026年1月."""
    client.force_login(users["county_admin"])
    response = client.get(reverse("disclosure:report_download"), {"kind": "monthly_detail", "year": 2026,
                                                                     "month": month, "jurisdiction": "130623"})
    assert response.status_code == 200
    assert unquote(response["Content-Disposition"]) == f"attachment; filename*=UTF-8''{name}"
    title = openpyxl.load_workbook(io.BytesIO(response.content)).active["A1"].value
    assert title == f"涞水县2026年{month}月“双随机、一公开”情况明细表"


def test_the_quarterly_sheet_keeps_its_name(client, tree, users):
    client.force_login(users["county_admin"])
    response = client.get(reverse("disclosure:report_download"), {"kind": "quarterly_status", "year": 2026,
                                                                     "quarter": 1, "jurisdiction": "130623"})
    assert unquote(response["Content-Disposition"]).endswith("涞水县2026年第1季度“双随机、一公开”监管工作落实情况.xlsx")


@pytest.mark.parametrize("typed", ["2026-4", "2026-04"])
def test_the_portals_download_names_a_month_with_two_digits(client, data, typed):
    response = client.get("/public/results/", {"jurisdiction": "130623", "month": typed, "format": "csv"})
    assert 'filename="results-130623-2026-04.csv"' in response["Content-Disposition"]
