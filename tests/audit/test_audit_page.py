"""审计日志 (/audit/): the audit chain of one's scope for its security administrator — who may read it, which events
each admin sees (through the scoping gate), the filters, each row said as the histories say it, and the chain's
verification on demand."""

import datetime
import re
from datetime import timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from shuangsuiji.accounts.models import Role, User
from shuangsuiji.accounts.services import address_locked_until, do_create_user
from shuangsuiji.audit.models import Event
from shuangsuiji.engine.creditcode import complete
from shuangsuiji.registry.models import Category, Inspector, Specialty, Target
from shuangsuiji.registry.services import do_save, do_save_reference

pytestmark = pytest.mark.django_db

SPRAYER = "10.0.0.66"


@pytest.fixture(autouse=True)
def limits(settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 10
    settings.AXES_COOLOFF_TIME = timedelta(minutes=30)


def cap(address: str = SPRAYER, names: tuple[str, ...] = ("leader", "county_admin", "nobody")) -> None:
    """Wrong passwords from ``address``, four at each name in turn, until it is capped for every name."""
    client = Client(REMOTE_ADDR=address)
    for name in names:
        for _ in range(4):
            client.post("/login/", {"username": name, "password": "wrong-password"})
    assert address_locked_until(address) is not None


@pytest.fixture
def events(tree, users):
    """A target in each county (each its admin's event), a specialty (the shared reference data: no jurisdiction)
    and an address capped for every name (about no object, no jurisdiction)."""
    a = do_save(Target(credit_code=complete("91130623000000001"), name="涞水甲化工有限公司", jurisdiction=tree["a"]),
                acting_user=users["county_admin"], reason="新登记")
    a.category = Category.SPECIAL
    do_save(a, acting_user=users["county_admin"], reason="上季度因超标排放被行政处罚",
            effective_date=datetime.date(2021, 4, 1))
    b = do_save(Target(credit_code=complete("91130624000000001"), name="阜平乙建材有限公司", jurisdiction=tree["b"]),
                acting_user=users["other_county_admin"], reason="新登记")
    do_save_reference(Specialty(code="radiation", name="辐射安全"), acting_user=users["city_admin"], reason="新增专长")
    cap()
    return {"a": a, "b": b}


def page(user, query: str = "") -> tuple[int, str]:
    client = Client()
    if user is not None:
        client.force_login(user)
    response = client.get(f"/audit/{query}")
    return response.status_code, response.content.decode()


def table(html: str) -> str:
    return html.split('id="audit-events"', 1)[1].split("</table>", 1)[0]


def actions(html: str) -> list[str]:
    """The rows' actions, top to bottom, by their codes (each label carries its code as its title)."""
    return re.findall(r'<span title="([a-z_.]+)">', table(html))


# --- who may read it -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("role, status", [
    ("city_admin", 200), ("county_admin", 200), ("other_county_admin", 200),
    # a leader reads the work of his scope, not its accounts: the 用户管理 pages refuse him too (and a department
    # user and an officer); he reads each object's history on its own page
    ("leader", 403), ("department_user", 403), ("inspector", 403),
])
def test_the_admins_of_a_scope_read_it_and_no_one_else(events, users, role, status):
    code, html = page(users[role])
    assert code == status
    if status == 403:
        assert "只有市局和分局管理员可以查看审计日志" in html
        assert "涞水甲化工有限公司" not in html


def test_a_visitor_is_sent_to_sign_in(events):
    client = Client()
    response = client.get("/audit/")
    assert response.status_code == 302 and response.url.startswith("/login/")


def test_the_menu_offers_it_to_the_admins_only(users):
    for role, shown in (("city_admin", True), ("county_admin", True), ("leader", False), ("department_user", False),
                        ("inspector", False)):
        client = Client()
        client.force_login(users[role])
        assert ('href="/audit/"' in client.get("/").content.decode()) is shown, role


# --- which events: the scoping gate ------------------------------------------------------------------------------


def test_the_city_reads_every_county_and_what_is_no_countys(events, users):
    _code, html = page(users["city_admin"])
    assert actions(html) == ["login.address_locked_out", "specialty.create", "target.create", "target.update",
                             "target.create"]
    rows = table(html)
    assert "涞水甲化工有限公司" in rows and "阜平乙建材有限公司" in rows and SPRAYER in rows


def test_a_county_reads_its_own_county_only_and_no_address_lockout(events, users):
    """An event with no jurisdiction is the city's: an address's lockout names accounts of every county (and the
    names a stranger typed), the reference data is the city office's."""
    _code, html = page(users["county_admin"])
    assert actions(html) == ["target.update", "target.create"]
    assert "阜平乙建材有限公司" not in html and SPRAYER not in html and "辐射安全" not in html
    assert 'name="jurisdiction"' not in html  # one county: nothing to narrow to
    _code, html = page(users["other_county_admin"])
    assert actions(html) == ["target.create"]
    assert "阜平乙建材有限公司" in html and "涞水甲化工有限公司" not in html


def test_the_gate_itself(events, users, tree):
    def seen(user) -> set[str]:
        return set(Event.objects.visible_to(user).values_list("action", flat=True))

    assert seen(users["city_admin"]) == {"target.create", "target.update", "specialty.create",
                                         "login.address_locked_out"}
    assert seen(users["county_admin"]) == {"target.create", "target.update"}
    # an event about the province above the city (its row edited) is the city's, not a county's
    tree["province"].bureau_name = "河北省生态环境厅"
    do_save(tree["province"], acting_user=None, reason="补充部门名称")
    assert "jurisdiction.update" in seen(users["city_admin"])
    assert "jurisdiction.update" not in seen(users["county_admin"])
    superuser = User.objects.create_superuser("root", password="x")
    assert seen(superuser) == {*seen(users["city_admin"]), "jurisdiction.update"}


def test_a_county_asking_for_another_countys_events_gets_none(events, users, tree):
    _code, html = page(users["county_admin"], f"?jurisdiction={tree['b'].pk}")
    assert "阜平乙建材有限公司" not in html


def test_the_city_narrowing_to_a_place_outside_its_tree_finds_no_such_place(events, users, tree):
    assert page(users["city_admin"], "?jurisdiction=999999")[0] == 404


# --- filters -----------------------------------------------------------------------------------------------------


def test_filter_by_action(events, users):
    _code, html = page(users["city_admin"], "?action=target.update")
    assert actions(html) == ["target.update"]


def test_two_codes_that_read_alike_are_one_choice_finding_both(users, tree):
    """A clue check arranged is recorded on the clue and on its plan, both 安排线索核查: one choice, both events."""
    from django.db import transaction

    from shuangsuiji.audit.services import record_event

    with transaction.atomic():
        record_event("clue.check_opened", jurisdiction_id=tree["a"].pk, changes={"plan": 1})
        record_event("plan.open_clue_check", jurisdiction_id=tree["a"].pk, changes={"clue": 1})
    _code, html = page(users["city_admin"])
    assert html.count(">安排线索核查</option>") == 1
    _code, html = page(users["city_admin"], "?action=clue.check_opened")
    assert sorted(actions(html)) == ["clue.check_opened", "plan.open_clue_check"]


def test_filter_by_actor_name_or_username(events, users):
    users["county_admin"].last_name, users["county_admin"].first_name = "王", "五"
    users["county_admin"].save()
    do_save(Target(credit_code=complete("91130623000000002"), name="涞水丙纸业有限公司",
                   jurisdiction=events["a"].jurisdiction), acting_user=users["county_admin"], reason="新登记")
    _code, by_name = page(users["city_admin"], "?actor=王五")
    assert actions(by_name) == ["target.create"] and "涞水丙纸业有限公司" in table(by_name)
    _code, by_username = page(users["city_admin"], "?actor=other_county")
    assert actions(by_username) == ["target.create"] and "阜平乙建材有限公司" in table(by_username)


def test_the_events_of_no_one_are_found_by_the_word_the_column_shows(events, users):
    _code, html = page(users["city_admin"], "?actor=系统")
    assert actions(html) == ["login.address_locked_out"] and ">系统<" in table(html)
    client = Client()
    client.force_login(users["city_admin"])
    client.cookies["django_language"] = "en"
    html = client.get("/audit/?actor=system").content.decode()
    assert actions(html) == ["login.address_locked_out"]
    _code, html = page(users["city_admin"], "?actor=县")  # a name's part still finds names only
    assert "login.address_locked_out" not in actions(html)


def test_an_account_is_found_by_its_owners_name_as_well_as_its_username(events, users, tree):
    # a user event names its account by username; the admin looks for the person by the name the user pages show
    from shuangsuiji.accounts.models import Role, User
    from shuangsuiji.accounts.services import do_create_user

    do_create_user(User(username="wangwu", last_name="王", first_name="五", role=Role.LEADER, jurisdiction=tree["a"]),
                   acting_user=users["city_admin"], password=None)  # a leader: the city's
    for query in ("?q=王五", "?q=wangwu", "?q=王"):
        _code, html = page(users["city_admin"], query)
        assert actions(html) == ["user.create"] and "wangwu" in table(html)
    _code, html = page(users["city_admin"], "?q=李四")
    assert actions(html) == []
    _code, html = page(users["other_county_admin"], "?q=王五")  # not his county's account: still not his to read
    assert actions(html) == []


def test_filter_by_dates_whole_local_days(users, tree):
    def at(moment: datetime.datetime, name: str) -> None:
        with mock.patch("django.utils.timezone.now", return_value=moment):
            do_save(Target(credit_code=complete(f"911306230000000{len(name):02d}"), name=name, jurisdiction=tree["a"]),
                    acting_user=users["county_admin"], reason="新登记")

    local = timezone.get_current_timezone()
    at(datetime.datetime(2026, 3, 1, 0, 30, tzinfo=local), "三月一日企业")  # the day before in UTC
    at(datetime.datetime(2026, 3, 2, 23, 50, tzinfo=local), "三月二日晚企业")
    at(datetime.datetime(2026, 3, 3, 9, 0, tzinfo=local), "三月三日早上的企业")
    _code, html = page(users["county_admin"], "?since=2026-03-01&until=2026-03-02")
    rows = table(html)
    assert "三月一日企业" in rows and "三月二日晚企业" in rows and "三月三日早上的企业" not in rows
    _code, html = page(users["county_admin"], "?since=2026-03-03")
    assert actions(html) == ["target.create"] and "三月三日早上的企业" in table(html)


@pytest.mark.parametrize("query, field, message", [
    ("?since=2026-03-05&until=2026-03-01", "截止日期", "截止日期 2026-03-01 早于起始日期 2026-03-05"),
    ("?since=2026-02-30", "起始日期", "日期格式应为 年-月-日，如 2026-03-01"),
    ("?until=9999-12-31", "截止日期", "日期应在 0001-01-02 至 9999-12-30 之间"),
])
def test_a_filter_that_cannot_be_read_lists_nothing_and_says_what_and_where(events, users, query, field, message):
    code, html = page(users["city_admin"], query)
    assert code == 400
    errors = html.split('id="filter-errors"', 1)[1].split("</div>", 1)[0]
    assert "筛选条件有误，未列出事件" in errors
    assert f"<strong>{field}</strong>：" in html and message in html
    assert actions(html) == [] and "请先改正上面的筛选条件" in html


def test_filter_by_jurisdiction_for_the_city(events, users, tree):
    _code, html = page(users["city_admin"], f"?jurisdiction={tree['b'].pk}")
    assert actions(html) == ["target.create"] and "阜平乙建材有限公司" in table(html)


def test_only_the_events_about_no_object(events, users):
    _code, html = page(users["city_admin"], "?about=none")
    assert actions(html) == ["login.address_locked_out"]
    assert "无对象" in table(html)
    _code, html = page(users["city_admin"], "?about=object")
    assert "login.address_locked_out" not in actions(html) and len(actions(html)) == 4


def test_free_text_on_the_object(events, users):
    _code, html = page(users["city_admin"], "?q=甲化工")
    assert actions(html) == ["target.update", "target.create"]
    _code, html = page(users["city_admin"], f"?q={events['b'].pk}")  # an object's number
    assert "阜平乙建材有限公司" in table(html)


def test_newest_first_and_paginated(users, tree):
    for n in range(55):
        do_save(Target(credit_code=complete(f"9113062300000{n:04d}"), name=f"第{n}号企业", jurisdiction=tree["a"]),
                acting_user=users["county_admin"], reason="新登记")
    _code, first = page(users["county_admin"])
    assert "第54号企业" in table(first) and "第4号企业" not in table(first)
    assert "共 55 条" in first and "第 1 / 2 页" in first
    _code, second = page(users["county_admin"], "?page=2")
    assert "第4号企业" in table(second) and "第0号企业" in table(second) and "第54号企业" not in table(second)


# --- each row ----------------------------------------------------------------------------------------------------


def test_a_row_says_the_event_as_the_history_does_with_a_link_to_the_object(events, users):
    _code, html = page(users["city_admin"], "?action=target.update")
    row = table(html)
    assert '<span title="target.update">修改检查对象</span>' in row
    assert "监管类别</span>：一般排污单位 → 特殊监管对象" in row  # audit.display, as on the target's page
    assert "上季度因超标排放被行政处罚" in row
    assert f'<a href="/registry/targets/{events["a"].pk}/">涞水甲化工有限公司' in row
    assert "涞水县" in row  # the event's jurisdiction
    assert "county_admin" in row  # who did it


def test_the_rows_in_english(events, users):
    client = Client()
    client.force_login(users["city_admin"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/audit/?action=target.update").content.decode()
    assert "Category</span>: General unit → Special-supervision unit" in table(html)
    assert "修改检查对象" not in html and "审计日志" not in html
    # the reason the system wrote for a lockout is said in the reader's language too
    html = client.get("/audit/?about=none").content.decode()
    assert "Address locked after too many failed sign-ins" in table(html) and "同一地址" not in table(html)


def test_an_account_links_to_its_user_page_for_whoever_manages_it(users, tree):
    recruit = User(username="recruit", role=Role.LEADER, jurisdiction=tree["city"])
    do_create_user(recruit, acting_user=users["city_admin"], password="Tiger-Lily-77x")
    _code, html = page(users["city_admin"], "?action=user.create")
    assert f'<a href="/accounts/users/{recruit.pk}/">recruit</a>' in table(html)


def test_an_object_gone_keeps_its_name_without_a_link(events, users):
    from django.db import transaction

    from shuangsuiji.audit.services import record_event

    with transaction.atomic():
        record_event("target.update", obj=events["a"], jurisdiction_id=events["a"].jurisdiction_id,
                     changes={"name": ["旧名", "涞水甲化工有限公司"]}, reason="更名")
    Target.objects.filter(pk=events["a"].pk).delete()
    _code, html = page(users["city_admin"], "?q=甲化工")
    row = table(html)
    assert "涞水甲化工有限公司" in row and "/registry/targets/" not in row


def test_an_officers_phone_is_withheld_from_whoever_no_longer_keeps_his_registry(users, tree):
    """The phone change was his county's event; he has moved to the other county since. His old county's admin
    reads the event (it is of his county) but no longer keeps the officer's registry: the number is withheld, as
    the officer's own page would withhold it from him."""
    officer = Inspector.objects.create(name="李四", certificate_number="13062300009",
                                       certificate_expiry=datetime.date(2030, 1, 1), jurisdiction=tree["a"],
                                       department=tree["departments"]["130623"])
    officer.phone = "13912345678"
    do_save(officer, acting_user=users["county_admin"], reason="换号")
    _code, html = page(users["county_admin"], "?action=inspector.update")
    assert "13912345678" in table(html)  # his keeper
    officer.jurisdiction, officer.department = tree["b"], tree["departments"]["130624"]
    do_save(officer, acting_user=users["city_admin"], reason="调动")
    _code, html = page(users["county_admin"], "?action=inspector.update")
    assert "13912345678" not in html
    assert "电话</span>：（不向您显示）" in table(html)
    _code, html = page(users["city_admin"], "?action=inspector.update")
    assert "13912345678" in table(html)


def test_a_lockout_row_offers_the_city_the_lift_while_the_address_is_locked(events, users):
    _code, html = page(users["city_admin"], "?about=none")
    row = table(html)
    assert "同一地址登录失败过多，地址锁定" in row and "仍锁定至" in row
    assert f'href="/accounts/address-locks/lift/?address={SPRAYER}&amp;next=' in row
    from axes.models import AccessAttempt

    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=31))  # the lock has run out
    _code, html = page(users["city_admin"], "?about=none")
    assert "仍锁定至" not in table(html) and "/accounts/address-locks/lift/" not in table(html)


# --- the chain ---------------------------------------------------------------------------------------------------


def test_the_city_verifies_the_chain_on_demand(events, users):
    _code, html = page(users["city_admin"])
    chain = html.split('id="audit-chain"', 1)[1].split("</form>", 1)[0]
    assert "哈希链共 5 个事件" in chain and 'name="verify" value="1"' in chain
    assert "哈希链完整" not in html  # not on every opening: it reads every event
    _code, html = page(users["city_admin"], "?verify=1&about=none")
    assert "哈希链完整" in html and "刚才逐条核验了 5 个事件" in html
    assert actions(html) == ["login.address_locked_out"]  # the filters stay


def test_a_broken_chain_shows_where(events, users):
    Event.objects.filter(pk=Event.objects.order_by("id")[1].pk).delete()
    _code, html = page(users["city_admin"], "?verify=1")
    assert "哈希链完整" not in html
    problems = html.split('id="chain-problems"', 1)[1].split("</ul>", 1)[0]
    assert "核验发现 2 处不一致" in html
    assert "其前有事件被删除或插入" in problems and "有事件被删除" in problems


def test_a_county_does_not_run_the_whole_chains_check(events, users):
    _code, html = page(users["county_admin"], "?verify=1")
    assert "哈希链完整" not in html and 'name="verify"' not in html
    assert "全系统只有一条哈希链，由市局核验。" in html
    assert "哈希链共" not in html  # the whole system's size is not his to read


@pytest.mark.parametrize("query, name", [("?since=2026-13-01", "since"), ("?until=abc", "until"),
                                         ("?since=2026-03-05&until=2026-03-01", "until")])
def test_the_box_of_a_filter_that_cannot_be_read_is_marked_invalid(events, users, query, name):
    """As every list filter marks its own (includes/list_filter.html): red (.app-invalid, its colour tested in
    tests/browser/test_list_filter_alignment.py), aria-invalid, and tied to its message."""
    _code, html = page(users["city_admin"], query)
    box = re.search(rf'<div class="([^"]*)"><input type="date" name="{name}"[^>]*>', html)
    assert box and "app-invalid" in box.group(1).split()
    assert 'aria-invalid="true"' in box.group(0) and f'aria-describedby="id_{name}_error"' in box.group(0)
    other = "until" if name == "since" else "since"
    assert 'aria-invalid' not in re.search(rf'<input type="date" name="{other}"[^>]*>', html).group(0)
