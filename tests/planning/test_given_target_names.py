"""A 线索核查's firm and a 跨部门联合抽查's firms are stored in their events by bare 统一社会信用代码 (the opening, the
entry, a withdrawn draft's facts). Read back, each code has its firm's name beside it — "code（name）", as the
substitutions' codes have (``display.name_codes``) — for a reader whose scope holds the firm, and the code alone for
anyone else; one query for a page of events; the stored, hash-chained events are not rewritten."""

import pytest
from django.urls import reverse

from shuangsuiji.audit.display import changes_of, name_codes
from shuangsuiji.audit.models import Event
from shuangsuiji.audit.services import verify_chain
from shuangsuiji.planning import services
from tests.clients import signed_in

from .test_clue_check import approved_clue
from .test_cross_check import create, keys_a

pytestmark = pytest.mark.django_db

READERS = ("county_admin", "city_admin", "leader", "department_user")


def named(target) -> str:
    return f"{target.credit_code}（{target.name}）"


def said(events, user) -> str:
    return " ".join(change.after for event in name_codes(events, user) for change in changes_of(event))


def test_a_clue_checks_opening_names_its_firm_on_the_plan_page_and_in_the_audit_log(city):
    firm = city["targets"]["positive"]
    plan = services.do_open_clue_check(approved_clue(city), acting_user=city["users"]["county_admin"])
    for role in READERS:
        page = signed_in(city["users"][role]).get(plan.get_absolute_url()).content.decode()
        assert named(firm) in page, role
    log = signed_in(city["users"]["city_admin"]).get(reverse("audit:event_list")).content.decode()
    assert named(firm) in log
    # county B's admin may not read county A's firm: its code, never its name
    outsider = said(Event.objects.filter(action="plan.open_clue_check"), city["users"]["other_county_admin"])
    assert firm.credit_code in outsider and firm.name not in outsider


def test_a_cross_checks_entry_and_its_withdrawal_name_their_firms(city, django_assert_num_queries):
    firms = [city["targets"][key] for key in (*keys_a(city, "key", 2), *keys_a(city, "general", 1))]
    county = city["users"]["county_admin"]
    plan = create(city)
    page = signed_in(county).get(plan.get_absolute_url()).content.decode()
    assert all(named(firm) in page for firm in firms)
    services.do_withdraw_draft(plan, reason="发起部门已取消该次联合抽查", acting_user=county)
    services.do_withdraw_draft(create(city, platform_ref="BD-2026-XT-0010"), reason="录错了", acting_user=county)
    log = signed_in(city["users"]["city_admin"]).get(reverse("audit:event_list")).content.decode()
    assert all(named(firm) in log for firm in firms)

    events = list(Event.objects.filter(action__in=["plan.create_cross_check", "plan.withdraw_draft"]).order_by("id"))
    stored = [event.changes for event in events]
    assert len(events) == 4
    with django_assert_num_queries(1):  # one query for the page's firms, however many events name them
        name_codes(events, county)
    assert [e.changes for e in Event.objects.filter(pk__in=[e.pk for e in events]).order_by("id")] == stored
    assert verify_chain() == []
    outsider = said(events, city["users"]["other_county_admin"])
    assert all(firm.credit_code in outsider and firm.name not in outsider for firm in firms)
