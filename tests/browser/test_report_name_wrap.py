# ruff: noqa: F811 (fixtures of the fieldwork tests, imported by name, are parameters here)
"""报送材料's monthly preview at a desk (1280 px): a firm's name that wraps keeps more than its last character on its
last line, and a team's names break between names, never inside one — in both languages, the table no wider than
its box.

A name of one length or another lost its last character, 司, to a line of its own (one name in seven of the demo's
November), and a team's 侯勇明 broke as 侯 / 勇明. Names of every length from 10 to 23 characters are listed, so
that whatever width the table gives the column, one of them is a character longer than a line."""

import datetime

import pytest
from django.utils import timezone

from shuangsuiji.fieldwork import services as fieldwork
from shuangsuiji.fieldwork.models import Handling
from shuangsuiji.registry.models import Inspector
from tests.accounts.test_workbench import a_task
from tests.fieldwork.conftest import items, submitted, team  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESK = {"width": 1280, "height": 900}
STEM = "保定市竞秀区新晟养殖肉类加工建材汽配"
SUFFIX = "有限公司"
TEAM = ("倪浩振", "白宇航", "何平安", "段宏梅")

LINES = """td => {
  // the characters of the cell's text, each with the line it is on (its box's top)
  const node = td.firstChild, text = node.textContent.trim(), start = node.textContent.indexOf(text);
  const range = document.createRange();
  return [...text].map((ch, i) => {
    range.setStart(node, start + i); range.setEnd(node, start + i + 1);
    return [ch, Math.round(range.getClientRects()[0].top)];
  });
}"""


def lines_of(cell) -> list[str]:
    """The cell's text as the browser lays it out, one string a line."""
    lines: dict[int, str] = {}
    for character, top in cell.evaluate(LINES):
        lines[top] = lines.get(top, "") + character
    return [lines[top] for top in sorted(lines)]


@pytest.fixture
def named_records(tree, items, team, users) -> datetime.date:
    """Reviewed records of firms whose names run from 10 to 23 characters, one visited by the inspector with four
    officers of three-character names and one that found a problem (its text widens the outcome column, as in the
    demo); the day the last was inspected."""
    four = [Inspector.objects.create(name=name, certificate_number=f"130623001{n:02d}",
                                     certificate_expiry=datetime.date(2030, 1, 1), jurisdiction=tree["a"],
                                     department=tree["departments"]["130623"])
            for n, name in enumerate(TEAM)]
    record = None
    for length in range(10, 24):
        members = [team["first"], *four] if length == 12 else [team["first"], team["second"]]
        task = a_task(tree["a"], members, name=(STEM * 2)[:length - len(SUFFIX)] + SUFFIX, items=items)
        record = submitted(task, users["inspector"], problem=Handling.ORDER if length == 15 else None)
        fieldwork.do_review_record(record, passed=True, acting_user=users["county_admin"])
    record.refresh_from_db()
    return timezone.localdate(record.ended_at)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_no_name_leaves_a_character_alone_and_no_team_breaks_a_name(open_page, live_server, users, named_records,
                                                                     language):
    ended = named_records
    page = open_page(users["county_admin"], "pw-county_admin", DESK)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.goto(f"{live_server.url}/disclosure/reports/?kind=monthly_detail&year={ended.year}&month={ended.month}")
    rows = page.locator("#report-rows tbody tr")
    assert rows.count() == 14
    wrapped = 0
    for n in range(14):
        name = lines_of(rows.nth(n).locator("td.app-report-head"))
        assert len(name[-1]) > 1, name  # e.g. ["保定市竞秀区新晟养殖有限公", "司"] before
        wrapped += len(name) > 1
    assert wrapped, "no name wrapped: the test proves nothing at this width"
    team = lines_of(page.locator("#report-rows td.app-report-team").filter(has_text=TEAM[0]))
    assert len(team) > 1, team
    for line in team:  # each line whole names: "张三、倪浩振、" and "白宇航、…", never "白" / "宇航"
        words = [word for word in line.replace(",", "、").replace(" ", "").split("、") if word]
        assert all(word in ("张三", *TEAM) for word in words), team
    widths = page.locator("#report-card .table-responsive").evaluate("s => [s.scrollWidth, s.clientWidth]")
    assert widths[0] <= widths[1], widths  # nothing scrolls sideways
