# ruff: noqa: F811 (fixtures of the fieldwork tests, imported by name, are parameters here)
"""One count of overdue problems (逾期未办结问题) for each reader.

A problem follows the firm (``permissions.can_follow_up``: the admins of the firm's jurisdiction, the city above it
included, see it through whoever's plan drew the visit; ``FollowUp.followed_up_by``). A county's 现场检查 overview
card counted the problems of its firms, 2, while the menu's badge and the workbench counted by the bureau whose plan
drew the visit, 1: the city plan's visit to the county's firm was left out, though the county is the one below the
city to act on it. The badge, the workbench (and the city's table of counties) and the card now count the same
problems, and each opens a list of exactly as many rows."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from shuangsuiji.accounts.models import Role, User
from shuangsuiji.fieldwork.models import FollowUp, Handling
from shuangsuiji.registry.models import Inspector, Target
from tests.accounts.test_workbench import a_task, page, section
from tests.accounts.test_workbench_owner import _city_plan, _listed
from tests.fieldwork.conftest import code_for, items, make_task, submitted, team  # noqa: F401 (fixtures, by name)

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser(username="root", password="pw-root")


@pytest.fixture
def county_leader(tree):
    return User.objects.create_user(username="county_leader", password="pw-county-leader", role=Role.LEADER,
                                    jurisdiction=tree["a"])


@pytest.fixture
def problems(tree, items, team, users):
    """Overdue problems of each county's firms, one found by the county's own plan and one by the city's (the city
    drew the firm), and one of county A not overdue yet."""
    members = [team["first"], team["second"]]
    city_task = a_task(tree["a"], members, name="市级计划厂", items=items)
    _city_plan(tree, city_task)
    found = {
        "county": submitted(a_task(tree["a"], members, name="县级计划厂", items=items), users["inspector"],
                            problem=Handling.CASE),
        "city": submitted(city_task, users["inspector"], problem=Handling.CASE),
    }
    b_officers = [Inspector.objects.create(name=name, certificate_number=f"1306240000{n}",
                                           certificate_expiry=datetime.date(2030, 1, 1), jurisdiction=tree["b"],
                                           department=tree["departments"]["130624"])
                  for n, name in enumerate(("周六", "吴七"))]
    b_user = User.objects.create_user(username="b-officer", password="pw-b-officer", role=Role.INSPECTOR,
                                      jurisdiction=tree["b"], inspector=b_officers[0])
    found["b"] = submitted(a_task(tree["b"], b_officers, name="阜平县计划厂", items=items), b_user,
                           problem=Handling.CASE)
    b_city_task = a_task(tree["b"], b_officers, name="阜平县市级计划厂", items=items)
    _city_plan(tree, b_city_task)
    found["b_city"] = submitted(b_city_task, b_user, problem=Handling.CASE)
    later = submitted(a_task(tree["a"], members, name="未逾期厂", items=items), users["inspector"],
                      problem=Handling.CASE)
    late = timezone.localdate() - datetime.timedelta(days=3)
    FollowUp.objects.exclude(record=later).update(due_date=late)
    return {key: record.number for key, record in found.items()}


def badge(response) -> int:
    """The menu's red count on the page, 0 when it shows none."""
    found = re.search(r'title="逾期未办结问题">(\d+)<', response.content.decode())
    return int(found.group(1)) if found else 0


def card(client, user) -> tuple[str, int, str]:
    """The 现场检查 overview's 逾期未办结问题 card: its label, its number, and the link it opens."""
    client.force_login(user)
    html = client.get(reverse("fieldwork:home")).content.decode()
    found = re.search(r'href="([^"]+)" id="overdue-link">([^<]+)</a>\s*<div class="display-6[^"]*" '
                      r'id="overdue-count">([\d,]+)</div>', html)
    assert found, html
    url, label, n = found.groups()
    return label, int(n.replace(",", "")), url.replace("&amp;", "&")


def agrees(client, user, numbers: list[str]) -> None:
    """The menu's badge, the workbench's 逾期未办结的问题 and the overview's card count ``numbers``, and the list each
    opens lists exactly them."""
    home = page(client, user)
    mine = section(home, "follow_ups")
    assert badge(home) == mine.total == mine.overdue == len(numbers)
    assert _listed(client, mine.more_url) == numbers
    label, n, url = card(client, user)
    assert (label, n) == ("逾期未办结问题", len(numbers))
    assert _listed(client, url) == numbers


@pytest.mark.parametrize(("who", "county"), [("county_admin", "a"), ("county_leader", "a"),
                                             ("other_county_admin", "b")])
def test_a_county_counts_its_firms_problems_whoever_drew_the_visit(who, county, problems, users, county_leader,
                                                                   client):
    """The county's badge and workbench said 1 and its card 2: each now says the problems of its firms, the city
    plan's visit to its firm among them, and each link opens exactly those."""
    user = county_leader if who == "county_leader" else users[who]
    keys = ["city", "county"] if county == "a" else ["b", "b_city"]
    agrees(client, user, sorted(problems[key] for key in keys))


@pytest.mark.parametrize("who", ["city_admin", "leader", "superuser"])
def test_the_city_counts_every_problem_and_each_countys_on_its_row(who, problems, tree, users, superuser, client):
    """The city's badge, workbench and card counted every problem before too; its table did not: county A's row said
    1 (its own plan's) and the city's row held the city plan's visits to the counties' firms. The row of a county
    now says what that county's badge and workbench say, and the city's row where its plans' problems are."""
    user = superuser if who == "superuser" else users[who]
    county_a = section(page(client, users["county_admin"]), "follow_ups")
    agrees(client, user, sorted(problems.values()))
    bench = page(client, user).context["bench"]  # the reader's, signed in to open his cells' links
    column = bench.columns.index("逾期问题")
    cells = {row.jurisdiction.code: row.cells[column] for row in bench.rows}
    assert (cells[tree["a"].code].n, cells[tree["a"].code].late) == (county_a.total, county_a.overdue) == (2, 2)
    assert _listed(client, cells[tree["a"].code].url) == sorted([problems["city"], problems["county"]])
    assert cells[tree["b"].code].n == 2
    assert _listed(client, cells[tree["b"].code].url) == sorted([problems["b"], problems["b_city"]])
    city = cells[tree["city"].code]
    assert city.n == 0 and "问题随企业" in city.elsewhere


def test_a_firm_registered_at_the_city_itself_is_on_the_citys_row_and_its_link_lists_it_alone(
        problems, tree, items, team, users, client):
    """A firm registered at the city, not at one of its counties, is counted on the city's row; its cell opens the
    problems of the city's own firms, not the whole city's (``jurisdiction`` is the city's subtree)."""
    firm = Target.objects.create(credit_code=code_for("130600", 7), name="市直企业", jurisdiction=tree["city"],
                                 address="保定市东风路1号", legal_representative="郑法人")
    record = submitted(make_task(firm, items, [(team["first"], "officer"), (team["second"], "officer")]),
                       users["inspector"], problem=Handling.CASE)
    FollowUp.objects.filter(record=record).update(due_date=timezone.localdate() - datetime.timedelta(days=1))
    bench = page(client, users["city_admin"]).context["bench"]
    column = bench.columns.index("逾期问题")
    city = next(row for row in bench.rows if row.jurisdiction == tree["city"]).cells[column]
    assert (city.n, city.elsewhere) == (1, "")
    assert _listed(client, city.url) == [record.number]
    client.force_login(users["city_admin"])
    assert "仅显示登记在保定市本级的企业的问题" in client.get(city.url).content.decode()


def test_a_department_users_card_says_it_counts_his_area_not_his_queue(problems, users, client):
    """A department user enters a filed case's penalty decision but sees no problem through: no badge, no
    workbench section, and his card, which counts his area's problems, said 逾期未办结问题 as the admins' does."""
    home = page(client, users["department_user"])
    assert badge(home) == 0 and section(home, "follow_ups").total == 0
    label, n, url = card(client, users["department_user"])
    assert (label, n) == ("本辖区逾期未办结问题", 2)
    assert _listed(client, url) == sorted([problems["city"], problems["county"]])
    client.force_login(users["department_user"])
    assert "由管理员督办；已立案的，您可以录入处罚决定" in client.get(reverse("fieldwork:home")).content.decode()
