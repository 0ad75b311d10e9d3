"""The counts of records awaiting review follow who reviews them (``fieldwork.permissions.reviewers``): the bureau
whose plan drew the visit — the city for its own visit to a county's firm, both for a visit a city and a county plan
share (docs/guide/county-admin.md, "现场检查概况"; city-admin.md, the workbench's table).

- The 现场检查 overview's 待审核 card counted every sealed record the reader may read, and its list showed them: a
  county admin's held the city's own visits to his firms, which he may not review, and its link opened them.
- The city workbench's 待审核记录 puts such a record on the row of the bureau that drew it, a shared one on both rows
  and once in the total.
- A county admin reads the city's record once sealed, never its draft: the draft's saves in its history, on its page
  and on /audit/, say who saved when, and withhold what was saved, as from a leader."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shuangsuiji.accounts import workbench
from shuangsuiji.accounts.models import User
from shuangsuiji.fieldwork import services as fieldwork
from shuangsuiji.fieldwork.models import InspectionRecord, drafts_unread, reads_draft_of

from . import test_overlaps
from .test_city_visit_review import sealed
from .test_services import _officer

pytestmark = pytest.mark.usefixtures("current_quarter")

overlap = test_overlaps.overlap  # county A's plan and the city's: a city-only visit to a county firm, merged visits

# what each admin reviews of the three sealed records: the city's own visit, a shared visit, the county's own
# (JL-sealed, the county's visit the city's plan drew again as a visit of its own)
REVIEWS = {"city_admin": {"JL-city", "JL-merged", "JL-sealed"}, "county_admin": {"JL-merged", "JL-sealed"},
           "other_county_admin": set()}
DRAFT_TEXT = "初稿：车间后门暗管疑似直排，待核"
WITHHELD = "（不向您显示）"


@pytest.fixture
def records(overlap):
    return {"city_only": sealed(overlap["first_city"], "JL-city"), "merged": sealed(overlap["joined"][0], "JL-merged"),
            "county": InspectionRecord.objects.get(number="JL-sealed")}


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def listed(client: Client, url: str) -> set[str]:
    response = client.get(url)
    assert response.status_code == 200
    return {record.number for record in response.context["page"].object_list}


def overview(client: Client):
    response = client.get(reverse("fieldwork:home"))
    assert response.status_code == 200
    return response


# --- the 现场检查 overview -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(REVIEWS))
def test_the_overviews_count_is_the_records_the_reader_reviews(city, records, name):
    response = overview(client_of(city["users"][name]))
    assert response.context["awaiting_review"] == len(REVIEWS[name])


@pytest.mark.parametrize("name", sorted(REVIEWS))
def test_the_overviews_list_is_the_records_the_reader_reviews(city, records, name):
    response = overview(client_of(city["users"][name]))
    assert {record.number for record in response.context["recent"]} == REVIEWS[name]


@pytest.mark.parametrize("name", sorted(REVIEWS))
def test_the_overviews_link_opens_exactly_what_it_counts(city, records, name):
    client = client_of(city["users"][name])
    response = overview(client)
    url = response.context["awaiting_url"]
    assert f'href="{url.replace("&", "&amp;")}" id="awaiting-review"' in response.content.decode()
    assert listed(client, url) == REVIEWS[name]


def test_a_county_admins_link_is_narrowed_to_his_bureaus_visits(city, records):
    url = overview(client_of(city["users"]["county_admin"])).context["awaiting_url"]
    assert url == f"{reverse('fieldwork:record_list')}?state=pending&drawn_by={city['tree']['a'].pk}"


def test_the_overview_and_the_workbench_say_the_same_number(city, records):
    for name in REVIEWS:
        user = city["users"][name]
        assert overview(client_of(user)).context["awaiting_review"] == workbench.records_awaiting_review(
            user, timezone.localdate()).total


def test_a_reviewed_record_leaves_the_count(city, records):
    user = city["users"]["county_admin"]
    fieldwork.do_review_record(records["merged"], passed=True, acting_user=user)
    response = overview(client_of(user))
    assert response.context["awaiting_review"] == 1
    assert {record.number for record in response.context["recent"]} == {"JL-sealed"}


# --- owner_query and the record list's drawn_by -----------------------------------------------------------------


def test_owner_query_names_a_countys_one_bureau_and_nothing_for_the_city(city):
    users, tree = city["users"], city["tree"]
    assert workbench.owner_query(users["county_admin"]) == {"drawn_by": tree["a"].pk}
    assert workbench.owner_query(users["other_county_admin"]) == {"drawn_by": tree["b"].pk}
    assert workbench.owner_query(users["city_admin"]) == {}


@pytest.mark.parametrize(("place", "numbers"), [("city", {"JL-city", "JL-merged"}), ("a", {"JL-merged", "JL-sealed"}),
                                                ("b", set())])
def test_the_record_list_by_drawing_bureau(city, records, place, numbers):
    client = client_of(city["users"]["city_admin"])
    url = f"{reverse('fieldwork:record_list')}?state=pending&drawn_by={city['tree'][place].pk}"
    assert listed(client, url) == numbers


# --- the city workbench's table -----------------------------------------------------------------------------------


def cells(user) -> dict:
    bench = client_of(user).get(reverse("home")).context["bench"]
    index = bench.columns.index("待审核记录")
    return {row.jurisdiction.code: row.cells[index] for row in bench.rows}


def test_the_city_workbench_counts_each_record_on_the_drawing_bureaus_row_and_a_shared_one_once(city, records):
    user, tree = city["users"]["city_admin"], city["tree"]
    row = cells(user)
    # the city's own visit on the city's row, the shared one on both, the county's own on the county's
    assert (row[tree["city"].code].n, row[tree["a"].code].n, row[tree["b"].code].n) == (2, 2, 0)
    assert workbench.records_awaiting_review(user, timezone.localdate()).total == 3


def test_each_city_workbench_cell_opens_the_records_it_counts(city, records):
    user, tree = city["users"]["city_admin"], city["tree"]
    client = client_of(user)
    for code, cell in cells(user).items():
        assert len(listed(client, cell.url)) == cell.n, code
    assert listed(client, cells(user)[tree["city"].code].url) == {"JL-city", "JL-merged"}


# --- the draft's saves in the history of the city's record ----------------------------------------------------


@pytest.fixture
def drafted(overlap):
    """The city's own visit and a shared one, each saved as a draft and then sealed with other findings."""
    out = {}
    for key, task in (("city_only", overlap["first_city"]), ("merged", overlap["joined"][0])):
        officer = _officer(task.members.filter(active=True).first())
        record = fieldwork.do_start_record(task, acting_user=officer)
        fieldwork.do_save_draft(record, acting_user=officer, values={"findings": DRAFT_TEXT})
        # sealed with its findings rewritten: the sealed record does not say DRAFT_TEXT, its history's save does
        InspectionRecord.objects.filter(pk=record.pk).update(findings="现场未发现问题", sealed_at=timezone.now(),
                                                             seal_hash="0" * 64)
        out[key] = record
    return out


@pytest.mark.parametrize(("name", "visit", "reads"), [
    ("county_admin", "city_only", False), ("county_admin", "merged", True), ("city_admin", "city_only", True),
    ("city_admin", "merged", True)])
def test_the_records_history_shows_the_drafts_values_to_who_read_the_draft(city, drafted, name, visit, reads):
    response = client_of(city["users"][name]).get(drafted[visit].get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "保存检查记录草稿" in html  # the save is listed to every reader of the record
    assert (DRAFT_TEXT in html) is reads
    assert (WITHHELD in html) is not reads


@pytest.mark.parametrize(("visit", "reads"), [("city_only", False), ("merged", True)])
def test_the_audit_log_withholds_them_as_the_records_page_does(city, drafted, visit, reads):
    client = client_of(city["users"]["county_admin"])
    response = client.get(reverse("audit:event_list"), {"action": "record.draft", "q": drafted[visit].number})
    assert response.status_code == 200
    html = response.content.decode()
    assert drafted[visit].number in html  # the event is listed: that the draft was saved, by whom and when
    assert (DRAFT_TEXT in html) is reads
    assert (WITHHELD in html) is not reads


def test_who_reads_which_draft(city, drafted):
    users = city["users"]
    ours = InspectionRecord.objects.filter(pk__in=[record.pk for record in drafted.values()])
    city_only = drafted["city_only"]
    assert set(drafts_unread(users["county_admin"], ours)) == {city_only}
    assert not drafts_unread(users["city_admin"], ours).exists()
    assert set(drafts_unread(users["leader"], ours)) == set(drafted.values())  # sealed records only
    root = User.objects.create_superuser("root", password="pw-root")
    assert not drafts_unread(root, ours).exists()
    assert reads_draft_of(users["city_admin"], city_only) and not reads_draft_of(users["county_admin"], city_only)
