"""Pages of intake: scope (404 outside it), role permissions, forms and the classification pages."""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from shuangsuiji.intake.models import (
    Classification,
    Clue,
    ClueSource,
    ClueStatus,
    Complaint,
    KeyUnit,
    Penalty,
    PositiveListEntry,
)
from shuangsuiji.intake.services import do_classify, do_record_penalty, do_report_clue, do_save_positive_entry

D = datetime.date


@pytest.fixture
def records(tree, targets):
    department_b = tree["departments"]["130624"]
    department_a = tree["departments"]["130623"]
    own = do_record_penalty(target=targets["plant"], decision_number="涞环罚〔2021〕1号", decided_on=D(2021, 2, 1),
                            department=department_a, violation="超标排放", acting_user=None, amount=Decimal("1000"))
    foreign = do_record_penalty(target=targets["other"], decision_number="阜环罚〔2021〕1号", decided_on=D(2021, 2, 1),
                                department=department_b, violation="未批先建", acting_user=None)
    complaint = Complaint.objects.create(reference="12369-B-1", received_on=D(2021, 2, 2), channel="12369",
                                         target=targets["other"], content="异味")
    entry = do_save_positive_entry(PositiveListEntry(target=targets["other"], start=D(2021, 1, 1),
                                                     document_number="阜环〔2021〕2号"), acting_user=None)
    clue = do_report_clue(Clue(target=targets["other"], source=ClueSource.COMPLAINT, complaint=complaint,
                               found_on=D(2021, 2, 3), description="举报异味"), acting_user=None)
    unit = KeyUnit.objects.create(year=2021, target=targets["other"], directory="2021年名录")
    do_classify(year=2021, quarter=2, jurisdiction=tree["city"], acting_user=None)
    return {"own": own, "foreign": foreign, "complaint": complaint, "entry": entry, "clue": clue, "unit": unit}


LISTS = ["intake:home", "intake:penalty_list", "intake:complaint_list", "intake:exceedance_list",
         "intake:monitoring_import_list", "intake:keyunit_list", "intake:positive_list", "intake:clue_list",
         "intake:classification_summary"]


@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize("role", ["city_admin", "county_admin", "department_user", "inspector", "leader"])
def test_every_list_renders_for_every_role_within_scope(client, users, records, name, role):
    client.force_login(users[role])
    response = client.get(reverse(name))
    assert response.status_code == 200
    text = response.content.decode()
    if name == "intake:home":
        assert "2021年第2季度" in text and "行政处罚" in text
    if name == "intake:penalty_list":
        assert "涞环罚〔2021〕1号" in text
        assert ("阜环罚〔2021〕1号" in text) == (role in ("city_admin", "leader"))


@pytest.mark.parametrize(("name", "key"), [
    ("intake:penalty_detail", "foreign"), ("intake:penalty_edit", "foreign"), ("intake:complaint_detail", "complaint"),
    ("intake:positive_detail", "entry"), ("intake:clue_detail", "clue"), ("intake:keyunit_detail", "unit"),
])
def test_another_county_s_records_do_not_exist(client, users, records, name, key):
    client.force_login(users["county_admin"])
    assert client.get(reverse(name, args=[records[key].pk])).status_code == 404
    client.force_login(users["city_admin"])
    assert client.get(reverse(name, args=[records[key].pk])).status_code == 200


def test_target_classification_page_is_scoped_and_shows_reasons(client, users, records, targets):
    client.force_login(users["county_admin"])
    assert client.get(reverse("intake:target_classification", args=[targets["other"].pk])).status_code == 404
    page = client.get(reverse("intake:target_classification", args=[targets["plant"].pk])).content.decode()
    assert "特殊监管对象" in page and "涞环罚〔2021〕1号" in page
    assert f'href="/intake/penalties/{records["own"].pk}/"' in page


def test_the_include_renders_why_a_target_is_what_it_is(rf, records, targets):
    from django.template import engines

    html = engines["django"].from_string('{% include "intake/_target_classification.html" %}').render(
        {"target": targets["plant"]})
    assert "2021年第2季度" in html and "上一季度（2021年第1季度）因环境违法问题被行政处罚（1次）" in html
    assert f"/intake/penalties/{records['own'].pk}/" in html


def test_a_department_user_records_a_penalty_by_form(client, users, tree, targets):
    client.force_login(users["department_user"])
    response = client.post(reverse("intake:penalty_create"), {
        "decision_number": "涞环罚〔2021〕9号", "decided_on": "2021-05-06", "target": targets["mill"].credit_code,
        "department": tree["departments"]["130623"].pk, "violation": "未按规定运行治污设施", "amount": "20000"})
    penalty = Penalty.objects.get(decision_number="涞环罚〔2021〕9号")
    assert response.status_code == 302 and response["Location"] == penalty.get_absolute_url()
    assert penalty.created_by == users["department_user"]


def test_a_form_refuses_a_target_outside_scope_with_a_clear_error(client, users, tree, targets):
    client.force_login(users["county_admin"])
    response = client.post(reverse("intake:penalty_create"), {
        "decision_number": "涞环罚〔2021〕10号", "decided_on": "2021-05-06", "target": targets["other"].credit_code,
        "department": tree["departments"]["130623"].pk, "violation": "x"})
    assert response.status_code == 200
    assert "不在您的管辖范围内" in response.content.decode()
    assert not Penalty.objects.filter(decision_number="涞环罚〔2021〕10号").exists()


def test_a_penalty_form_refuses_a_future_day_and_a_negative_fine_at_their_fields(client, users, tree, targets):
    """A decision dated 2031 was saved (and would count in a later quarter's classification); a negative fine
    reached the database's constraint, whose name was all the page said."""
    client.force_login(users["county_admin"])
    for _attempt in range(2):  # posted again if Beijing's midnight passed during the post: the form judged another day
        today = timezone.localdate()  # Beijing's day, which the check uses
        tomorrow = today + datetime.timedelta(days=1)
        response = client.post(reverse("intake:penalty_create"), {
            "decision_number": "涞环罚〔2031〕1号", "decided_on": tomorrow.isoformat(),
            "target": targets["mill"].credit_code, "department": tree["departments"]["130623"].pk,
            "violation": "超标排放", "amount": "-500"})
        if timezone.localdate() == today:
            break
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["decided_on"] == [f"不能晚于今天（{today.isoformat()}）"]
    assert errors["amount"] == ["罚款金额不能为负数"]
    assert "penalty_amount_not_negative" not in response.content.decode()
    assert not Penalty.objects.filter(decision_number="涞环罚〔2031〕1号").exists()


@pytest.mark.parametrize("role", ["inspector", "leader"])
def test_readers_cannot_record(client, users, role):
    client.force_login(users[role])
    assert client.get(reverse("intake:penalty_create")).status_code == 403
    assert client.get(reverse("intake:complaint_create")).status_code == 403


@pytest.mark.parametrize("role", ["department_user", "inspector", "leader"])
def test_only_admins_import(client, users, role):
    client.force_login(users[role])
    assert client.get(reverse("intake:import_upload", args=["penalties"])).status_code == 403
    assert client.get(reverse("intake:keyunit_create")).status_code == 403


def test_an_unknown_import_kind_is_404(client, users):
    client.force_login(users["county_admin"])
    assert client.get(reverse("intake:import_upload", args=["nonsense"])).status_code == 404
    assert client.get(reverse("intake:import_template", args=["nonsense"])).status_code == 404



def test_an_import_template_is_named_in_words(client, users):
    """The registry's templates download as 检查对象名录库导入模板.xlsx; these came as penalties-template.xlsx."""
    from urllib.parse import unquote

    client.force_login(users["county_admin"])
    response = client.get(reverse("intake:import_template", args=["penalties"]))
    assert response.status_code == 200
    assert "行政处罚导入模板.xlsx" in unquote(response["Content-Disposition"])

def test_clue_approval_needs_an_admin_of_the_target_s_scope(client, users, records):
    clue = records["clue"]
    client.force_login(users["county_admin"])  # county A; the clue is about county B
    assert client.post(reverse("intake:clue_decide", args=[clue.pk]), {"decision": "approve", "reason": "同意"}
                       ).status_code == 404
    client.force_login(users["leader"])  # sees the city but does not approve
    assert client.post(reverse("intake:clue_decide", args=[clue.pk]), {"decision": "approve", "reason": "同意"}
                       ).status_code == 403
    client.force_login(users["other_county_admin"])
    page = client.get(reverse("intake:clue_detail", args=[clue.pk])).content.decode()
    assert "执法机构负责人审批" in page
    client.post(reverse("intake:clue_decide", args=[clue.pk]), {"decision": "reject", "reason": "已电话核实，不属实"})
    clue.refresh_from_db()
    assert (clue.status, clue.decided_by, clue.decision_reason) == (
        ClueStatus.REJECTED, users["other_county_admin"], "已电话核实，不属实")
    assert clue.decided_at is not None
    response = client.post(reverse("intake:clue_decide", args=[clue.pk]), {"decision": "approve", "reason": "改批"},
                           follow=True)
    assert "不能再次审批" in response.content.decode()


def test_classify_from_the_page(client, users, tree, targets):
    client.force_login(users["county_admin"])
    response = client.post(reverse("intake:classification_run"),
                           {"jurisdiction": tree["a"].pk, "year": 2021, "quarter": 3}, follow=True)
    assert response.status_code == 200
    assert Classification.objects.filter(year=2021, quarter=3).count() == 4
    assert "已完成2021年第3季度分类" in response.content.decode()
    # Another county is not in the choices at all.
    client.post(reverse("intake:classification_run"), {"jurisdiction": tree["b"].pk, "year": 2021, "quarter": 3})
    assert not Classification.objects.filter(target=targets["other"]).exists()


def test_summary_shows_counts_and_changes_since_last_quarter(client, users, records, tree):
    do_classify(year=2021, quarter=3, jurisdiction=tree["city"], acting_user=None)
    client.force_login(users["city_admin"])
    page = client.get(reverse("intake:classification_summary"),
                      {"jurisdiction": tree["city"].pk, "year": 2021, "quarter": 3}).content.decode()
    assert "涞水县" in page and "阜平县" in page
    assert "特殊监管对象 → 一般排污单位" in page  # the Q1 penalties no longer count in Q3


def test_the_pages_speak_english_when_asked(client, users, records):
    client.force_login(users["city_admin"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("intake:classification_summary")).content.decode()
    assert "Quarterly classification" in page and "Changes since" in page


def test_an_exceedance_is_recorded_by_form_once(client, users, targets):
    client.force_login(users["department_user"])
    data = {"target": targets["plant"].credit_code, "outlet_code": "DA002", "pollutant": "颗粒物",
            "measured_at": "2021-03-05T14:00", "value": "18.5", "limit": "10", "unit": "mg/m³"}
    response = client.post(reverse("intake:exceedance_create"), data)
    outlet = targets["plant"].outlets.get(code="DA002")
    assert response.status_code == 302 and response["Location"].endswith(f"?outlet={outlet.pk}")
    stored = outlet.exceedances.get()
    assert (stored.target, stored.value) == (targets["plant"], Decimal("18.5"))
    again = client.post(reverse("intake:exceedance_create"), data).content.decode()
    assert "该排口这一污染物在这一时刻的超标数据已经录入" in again
    below = client.post(reverse("intake:exceedance_create"), {**data, "measured_at": "2021-03-05T15:00", "value": "9"})
    assert "监测值不大于标准限值" in below.content.decode()
    unknown = client.post(reverse("intake:exceedance_create"), {**data, "outlet_code": "DA404"})
    assert "该对象没有这一排口" in unknown.content.decode()
    assert outlet.exceedances.count() == 1


def test_a_county_sees_the_city_s_run_but_only_its_own_totals(client, users, records, tree):
    client.force_login(users["county_admin"])
    page = client.get(reverse("intake:classification_summary"), {"year": 2021, "quarter": 2}).content.decode()
    assert "保定市" in page  # the city's run classified this county too
    assert ">5<" not in page  # the city's total of five targets is not the county's business
    assert "分类对象合计" in page and ">4<" in page


@pytest.mark.parametrize(("name", "query"), [
    ("intake:penalty_list", {"quarter": "99999-1"}),  # a year no date has: was ValueError
    ("intake:penalty_list", {"quarter": "²-1"}),  # "²".isdigit() but int("²") fails: was ValueError
    ("intake:complaint_list", {"jurisdiction": "²"}),
    ("intake:exceedance_list", {"outlet": "²"}),
    ("intake:exceedance_list", {"outlet": "99999999999999999999"}),  # past SQLite's integer: was OverflowError
    ("intake:exceedance_list", {"from": "0001-01-01", "to": "9999-12-31"}),  # no UTC time: was OverflowError
    ("intake:keyunit_list", {"year": "²"}),
    ("intake:clue_create", {"target": "²"}),
    ("intake:classification_summary", {"jurisdiction": "²"}),
    ("intake:classification_summary", {"year": "99999", "quarter": "1"}),
])
def test_malformed_filters_are_ignored(client, users, records, name, query):
    client.force_login(users["city_admin"])
    answer = client.get(reverse(name), query)
    if name.endswith("_list") and "jurisdiction" in query:
        # a list's place filter naming no place is said so, nothing listed (tests/registry/test_list_place_refusals.py)
        assert answer.status_code == 404 and "没有这个行政区（jurisdiction=²）" in answer.content.decode()
    else:
        assert answer.status_code == 200


def test_an_exceedance_at_a_time_that_cannot_be_stored_is_a_form_error(client, users, targets):
    client.force_login(users["department_user"])
    data = {"target": targets["plant"].credit_code, "outlet_code": "DA002", "pollutant": "颗粒物",
            "measured_at": "0001-01-01T00:00", "value": "18.5", "limit": "10", "unit": "mg/m³"}
    response = client.post(reverse("intake:exceedance_create"), data)  # a 500 on PostgreSQL
    assert response.status_code == 200 and "时间超出可记录的范围" in response.content.decode()
    assert not targets["plant"].outlets.get(code="DA002").exceedances.exists()


def test_the_summary_asks_for_the_changed_rows_without_naming_them(client, users, targets, tree):
    """The changes since last quarter are read with a subquery: a province's classification named each changed
    target's id in the page's query and again in its count (tens of thousands of ids, seconds per request;
    bench/staff_bench.py). The queries stay the same size however many targets changed."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.intake.conftest import make_target

    client.force_login(users["city_admin"])
    query = {"jurisdiction": tree["city"].pk, "year": 2021, "quarter": 3}

    def sizes() -> tuple[int, int, str]:
        Classification.objects.all().delete()
        do_classify(year=2021, quarter=2, jurisdiction=tree["city"], acting_user=None)
        # a positive-list target of the second quarter is an ordinary one in the third: every target changes
        Classification.objects.filter(year=2021, quarter=2).update(category="special")
        do_classify(year=2021, quarter=3, jurisdiction=tree["city"], acting_user=None)
        with CaptureQueriesContext(connection) as captured:
            page = client.get(reverse("intake:classification_summary"), query).content.decode()
        return (len(captured.captured_queries), max(len(q["sql"]) for q in captured.captured_queries), page)

    sizes()  # the first request of a session reads what later ones keep
    few_queries, few_longest, _page = sizes()
    for serial in range(10, 110):
        make_target(tree["a"], serial, f"涞水县新厂{serial}")
    many_queries, many_longest, page = sizes()
    # (a digit more in an id is not a list of a hundred more of them)
    assert many_queries == few_queries and many_longest - few_longest < 10, (few_longest, many_longest)
    changed = Classification.objects.filter(year=2021, quarter=3).exclude(category="special").count()
    assert changed == len(targets) + 100 and page.count("特殊监管对象 → ") >= 1


def test_the_penalty_form_knows_a_decision_recorded_with_other_brackets(client, users, tree, targets):
    client.force_login(users["department_user"])
    payload = {"decision_number": "涞环罚〔2021〕9号", "decided_on": "2021-05-06",
               "target": targets["mill"].credit_code, "department": tree["departments"]["130623"].pk,
               "violation": "未按规定运行治污设施", "amount": "20000"}
    assert client.post(reverse("intake:penalty_create"), payload).status_code == 302
    again = client.post(reverse("intake:penalty_create"), {**payload, "decision_number": "涞环罚【2021】9号"})
    assert again.status_code == 200 and "decision_number" in again.context["form"].errors
    assert Penalty.objects.count() == 1


def test_the_summary_counts_in_the_database_and_reads_no_quarter_row_by_row(client, users, targets, tree):
    """A province's quarter is tens of thousands of classifications: the page counts them by category, flag,
    division and change grouped in the database (bench/staff_bench.py), and reads rows only for a page of the
    changed ones — never the whole quarter into Python."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    do_classify(year=2021, quarter=2, jurisdiction=tree["city"], acting_user=None)
    Classification.objects.filter(year=2021, quarter=2).update(category="special")
    do_classify(year=2021, quarter=3, jurisdiction=tree["city"], acting_user=None)
    client.force_login(users["city_admin"])
    with CaptureQueriesContext(connection) as captured:
        page = client.get(reverse("intake:classification_summary"),
                          {"jurisdiction": tree["city"].pk, "year": 2021, "quarter": 3})
    assert page.status_code == 200
    whole = [q["sql"] for q in captured.captured_queries
             if 'FROM "intake_classification"' in q["sql"].split("WHERE")[0] and "LIMIT" not in q["sql"]
             and "COUNT(" not in q["sql"]]
    assert whole == [], whole
    quarter = Classification.objects.filter(year=2021, quarter=3)
    assert page.context["totals"]["all"] == quarter.count()
    assert sum(n for _old, _new, n in page.context["transitions"]) == quarter.exclude(category="special").count()
