"""The shared readers of hand-read numbers, times and text (shuangsuiji/params.py)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from shuangsuiji import params


@pytest.mark.parametrize(("value", "expected"), [
    ("0", 0), ("12", 12), ("9223372036854775807", 2**63 - 1),
    ("9223372036854775808", None), ("99999999999999999999", None),  # past a bigint
    ("²", None), ("١٢", None),  # isdigit() says yes to these; int() refuses "²"
    ("１２", 12), ("２０２６", 2026),  # a Chinese input method's full-width digits are read as every number's
    ("", None), ("-1", None), ("1.5", None), (" 1", None), (None, None), (12, None), ("x" * 5000, None),
])
def test_number_reads_ascii_digits_within_a_bigint(value, expected):
    assert params.number(value) == expected


def test_years_are_those_a_date_has():
    assert [params.year(v) for v in ("1", "2021", "9999", "0", "10000")] == [1, 2021, 9999, None, None]


@pytest.mark.parametrize("text", ["0001-01-01 00:00", "9999-12-31 23:59"])
def test_a_time_utc_cannot_hold_is_a_form_error(text):
    with pytest.raises(ValidationError) as refused:
        params.DateTimeField().clean(text)
    assert "0001-01-02 至 9999-12-30" in refused.value.messages[0]


def test_a_time_utc_holds_is_one():
    moment = params.DateTimeField().clean("0001-01-02 00:00")
    assert timezone.is_aware(moment) and moment.astimezone(datetime.UTC).year == 1


def test_text_with_a_nul_names_the_field():
    assert params.text("理由", "理由") == "理由"
    with pytest.raises(ValidationError, match="说明含有空字符"):
        params.text("a\x00b", "说明")


@pytest.mark.parametrize(("path", "name"), [
    ("/intake/penalties/?q=a%00b", "q"), ("/fieldwork/follow-ups/?handling=%00", "handling"),
    ("/disclosure/corrections/?public_id=%00", "public_id"),
    ("/disclosure/reports/?jurisdiction=13%00", "jurisdiction"),
])
def test_a_nul_in_a_query_parameter_is_a_400_naming_it(client, users, path, name):
    # The lists' hand-read filters sent it to the database: a 500 on PostgreSQL (SQLite found nothing).
    client.force_login(users["city_admin"])
    response = client.get(path)
    assert response.status_code == 400
    assert f"参数“{name}”含有空字符（NUL），请删除后重试" in response.content.decode()


def test_the_api_says_it_in_json(client, users):
    client.force_login(users["city_admin"])
    response = client.get("/api/registry/targets/", {"q": "a\x00b", "page": "1"})
    assert response.status_code == 400 and response.json() == {"q": ["参数“q”含有空字符（NUL），请删除后重试"]}


@pytest.mark.parametrize("path", ["/api/public/plans/99999999999999999999/draws/1/manifest.json",
                                  "/public/plans/99999999999999999999/draws/1/manifest.json",
                                  "/planning/99999999999999999999/",
                                  "/disclosure/results/AB%00C/correct/"])  # NUL in a key: a 500 on PostgreSQL
def test_an_id_past_a_bigint_or_a_key_with_nul_is_no_address(client, users, path):
    # As a foreign key's value it overflowed SQLite's integers (a 500); <id:…> does not match it.
    client.force_login(users["city_admin"])
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("field", [params.DateTimeField(), params.IsoDateTimeFilterField()])
def test_a_time_is_read_in_the_system_time_zone_whatever_offset_it_was_written_with(field):
    """PostgreSQL refuses an offset beyond ±15:59, which ISO 8601 allows (+23:13): a 500 there."""
    moment = field.clean("2026-03-01T10:00:00+23:13")
    assert moment.utcoffset() == timezone.localtime(moment).utcoffset() == datetime.timedelta(hours=8)
    assert moment == datetime.datetime(2026, 2, 28, 10, 47, tzinfo=datetime.UTC)


# --- every whole number of a query read alike: full-width digits in, a refusal naming the value ---------------------


@pytest.mark.parametrize("path", ["/api/public/list/", "/api/public/plans/", "/api/public/verification/"])
def test_the_public_api_reads_a_full_width_page_as_it_reads_a_full_width_year(client, db, path):
    # The year was read by Django's IntegerField (int(), any Unicode digits), the page by ASCII digits only: a
    # client typing "１" got a 400 for the page and the rows for the year.
    year = "２０２６" if path != "/api/public/list/" else "2026"
    response = client.get(path, {"year": year, "page": "１", "page_size": "２０"})
    assert response.status_code == 200, response.content.decode()


@pytest.mark.parametrize(("path", "name", "value", "message"), [
    ("/api/public/list/", "year", "20x6", "应为 2000 到 2100 的整数，收到“20x6”"),
    ("/api/public/plans/", "quarter", "5", "应为 1 到 4 的整数，收到“5”"),
    ("/api/public/verification/", "year", "٢٠٢٦", "应为 2000 到 2100 的整数，收到“٢٠٢٦”"),  # Arabic-Indic digits
    ("/api/public/plans/", "year", "2026.5", "应为 2000 到 2100 的整数，收到“2026.5”"),
    ("/api/public/list/", "page", "２x", "页码应为从 1 起的整数，收到“２x”"),
])
def test_a_public_api_number_it_cannot_read_is_refused_naming_the_parameter_and_the_value(
        client, db, path, name, value, message):
    response = client.get(path, {name: value})
    assert response.status_code == 400 and response.json() == {name: [message]}


def test_the_staff_api_filters_read_numbers_the_same_way(client, users):
    client.force_login(users["city_admin"])
    assert client.get("/api/planning/plans/", {"year": "２０２６", "quarter": "１", "page": "１"}).status_code == 200
    response = client.get("/api/planning/tasks/", {"year": "20x6"})
    assert response.status_code == 400 and response.json() == {"year": ["应为 2000 到 2100 的整数，收到“20x6”"]}


def test_the_english_refusal_says_the_value_too(client, db):
    client.cookies["django_language"] = "en"
    response = client.get("/api/public/plans/", {"quarter": "Q3"})
    assert response.json() == {"quarter": ['should be a whole number from 1 to 4, got "Q3"']}


def test_a_portal_page_shares_the_reader(client, db):
    """The portal pages read their filters with the API's forms: a full-width year lists, a bad one is refused
    beside its name with the value given."""
    assert client.get("/public/plans/", {"year": "２０２６", "quarter": "１"}).status_code == 200
    response = client.get("/public/list/", {"year": "20x6"})
    text = response.content.decode()
    assert response.status_code == 400 and "（year）" in text and "应为 2000 到 2100 的整数，收到“20x6”" in text


@pytest.mark.parametrize(("page", "shown"), [
    ("２", 2), (" 3 ", 3), ("1", 1),
    ("٢", 1), ("²", 1), ("x", 1), ("-1", 1),  # no number: the first page, as Django's get_page says
    ("99999999999999999999999", 3), ("4", 3),  # past the last, or past any integer: the last
])
def test_the_pages_pager_reads_the_page_as_every_number_is_read(page, shown):
    assert params.Paginator(list(range(25)), 10).get_page(page).number == shown
