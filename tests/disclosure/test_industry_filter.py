"""The portal's industry filter finds what a reader means, whether the code was stored with its section letter or not.

The registry keeps an industry code as written — "C2614" or "2614", both GB/T 4754 — and the published rows copy
it. A reader typing "26" or "C26" means the same division (26 is in section C) and must find both ways of
storing it; "26" used to be refused ("a section letter first") and "C26" missed "2614". Runs on SQLite and on
PostgreSQL, where the prefixes must stay plain ``LIKE 'x%'`` matches the ``varchar_pattern_ops`` index serves.
"""

import json
import re

import pytest
from django.db import connection

from shuangsuiji.disclosure.models import ListedTarget, PublicationKind, PublishedResult
from shuangsuiji.disclosure.public import INDUSTRY_HELP, industry_filter, industry_prefixes, listed_targets, results
from shuangsuiji.registry.models import Target
from tests.disclosure.test_portal import batch, credit_code, make_result, streamed
from tests.queryplans import query_plan

pytestmark = pytest.mark.django_db

CODES = {1: "C2614", 2: "2619", 3: "C1712", 4: "1713", 5: "D4411", 6: "4412", 7: "C", 8: "", 9: "1011"}
"""Serial → stored industry code: lettered and unlettered codes of two manufacturing divisions and of
electricity (D 44), a code of the section alone, none, and coal washing (B 10) without its letter."""


@pytest.fixture
def stored(tree):
    county = tree["a"]
    march = batch(county, 3)
    annual = batch(county, 0, kind=PublicationKind.ANNUAL_LIST)
    for serial, code in CODES.items():
        target = Target.objects.create(credit_code=credit_code("130623", serial), name=f"涞水县行业{serial}号",
                                       jurisdiction=county, industry_code=code)
        make_result(march, target, serial)
        ListedTarget.objects.create(publication=annual, target=target, credit_code=target.credit_code,
                                    name=target.name, jurisdiction_name=county.name, jurisdiction_code=county.code,
                                    industry_code=code, industry_name="")


def found(typed: str) -> set[str]:
    form, rows = results({"industry": typed})
    assert form.is_valid(), form.errors
    codes = {row.industry_code for row in rows}
    listed = {row.industry_code for row in listed_targets({"industry": typed})[1]}
    assert listed == codes  # the annual list filters the same way
    return codes


@pytest.mark.parametrize(("typed", "expected"), [
    ("26", {"C2614", "2619"}),
    ("C26", {"C2614", "2619"}),
    ("c26", {"C2614", "2619"}),
    ("Ｃ２６", {"C2614", "2619"}),  # typed with a Chinese input method
    ("2614", {"C2614"}),
    ("C2614", {"C2614"}),
    ("17", {"C1712", "1713"}),
    ("1", {"C1712", "1713", "1011"}),
    ("C1", {"C1712", "1713"}),  # 10–12 are mining's (B), not manufacturing's
    ("B", {"1011"}),
    ("C", {"C2614", "2619", "C1712", "1713", "C"}),
    ("D", {"D4411", "4412"}),
    ("44", {"D4411", "4412"}),
    ("4", {"D4411", "4412"}),
    ("A26", set()),  # 26 is no division of section A
    ("9", set()),
])
def test_a_prefix_finds_codes_stored_with_and_without_the_section_letter(stored, typed, expected):
    assert found(typed) == expected


def test_the_page_and_the_downloads_find_both(client, stored):
    for typed in ("26", "C26"):
        page = client.get("/public/results/", {"industry": typed})
        assert page.status_code == 200
        text = page.content.decode()
        assert "涞水县行业1号" in text and "涞水县行业2号" in text and "涞水县行业3号" not in text
        body = json.loads(streamed(client.get("/public/results/", {"industry": typed, "format": "json"})))
        assert {row["industry_code"] for row in body["results"]} == {"C2614", "2619"}
        api = client.get("/api/public/list/", {"industry": typed}).json()
        assert {row["industry_code"] for row in api["results"]} == {"C2614", "2619"}


@pytest.mark.parametrize("typed", ["26%", "C-26", "26C", "C26145", "CC"])
def test_what_is_no_prefix_is_refused_naming_the_forms_it_takes(client, stored, typed):
    page = client.get("/public/results/", {"industry": typed})
    assert page.status_code == 400
    text = page.content.decode()
    assert "（industry）" in text and "C26" in text and "26" in text


def test_the_filter_says_what_it_accepts(client, stored):
    for path in ("/public/results/", "/public/list/"):
        text = client.get(path).content.decode()
        assert str(INDUSTRY_HELP) in text and 'aria-describedby="f-industry-help"' in text
    client.cookies["django_language"] = "en"
    assert "with or without its section letter" in client.get("/public/results/").content.decode()


def test_the_prefixes_are_plain_prefixes():
    """Each is a code's beginning, so the filter is an OR of ``LIKE 'x%'``, never a pattern or a contains."""
    for typed in ("26", "C26", "C", "C1", "4", "2614", "A26", "T"):
        prefixes = industry_prefixes(typed)
        assert prefixes and all(prefix.isalnum() for prefix in prefixes), prefixes
    assert industry_prefixes("C") == ["13", "14", "15", "16", "17", "18", "19", "2", "3", "40", "41", "42", "43", "C"]


def test_postgresql_reads_the_prefixes_from_the_pattern_index(stored):
    if connection.vendor != "postgresql":
        pytest.skip("the varchar_pattern_ops index is PostgreSQL's")
    # the filter alone, as the planner may read it at scale (here the join to the few batches comes first)
    rows = PublishedResult.objects.filter(industry_filter("26")).values("id")
    plan = query_plan(rows)
    assert "disclosure_result_industry_prefix" in plan, plan
    assert not re.search(r" ~\*? '", plan), plan  # no regular expression (~, ~*), only LIKE (~~)
    assert "~~ '26%'" in plan and "~~ 'C26%'" in plan, plan  # LIKE, each a prefix
