# ruff: noqa: F811 (the planning tests' fixture, imported by name, is a parameter here)
"""The plan page on a county office's 1280 px screen, in either language: the strata table fits its card, so
the numbers to plan (the column the clerk edits) are in view without scrolling the table sideways."""

import pytest

from shuangsuiji.planning import services
from tests.planning.conftest import city  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_strata_table_fits_with_its_inputs_in_view(open_page, live_server, city, language):
    """In English the headings, kept on one line each, widened the table past its card: the 计划抽查 column and
    its inputs were cut off at the card's edge."""
    plan = services.do_create_plan(jurisdiction=city["tree"]["a"], year=2021, quarter=2, acting_user=None)
    page = open_page(city["users"]["county_admin"], "pw-county_admin", viewport={"width": 1280, "height": 900})
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.goto(f"{live_server.url}{plan.get_absolute_url()}")
    assert page.locator("html").get_attribute("lang") == language
    wrapper = page.locator("#strata").locator("xpath=..")
    widths = wrapper.evaluate("e => [e.scrollWidth, e.clientWidth]")
    assert widths[0] <= widths[1], widths
    card = wrapper.bounding_box()
    for box in (page.locator("#strata input[type=number]").nth(i).bounding_box()
                for i in range(page.locator("#strata input[type=number]").count())):
        assert box is not None and box["x"] + box["width"] <= card["x"] + card["width"], (box, card)
    if language == "zh-hans":
        # A Chinese heading stays whole (not broken after every character): the heading row is one line.
        heading = page.locator("#strata thead th").nth(1).bounding_box()
        assert heading is not None and heading["height"] < 60, heading


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_reader_gets_the_explanation_column_wide(open_page, live_server, city, language):
    """A leader reads the plan, he does not edit it: the 政策最低数及依据 column (why this many, under which rule) was
    squeezed to a strip a few words wide, because the category names were kept on one line (正面清单（经批准核查线索）,
    "Internal joint inspection") and the 计划抽查 column kept the width of inputs he does not have."""
    plan = services.do_create_plan(jurisdiction=city["tree"]["a"], year=2021, quarter=2, acting_user=None)
    page = open_page(city["users"]["leader"], "pw-leader", viewport={"width": 1280, "height": 900})
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.goto(f"{live_server.url}{plan.get_absolute_url()}")
    assert page.locator("#strata input[type=number]").count() == 0  # a reader's page
    row = page.locator("#strata tbody tr").first
    widths = [row.locator("td").nth(i).bounding_box()["width"] for i in range(5)]
    category, explanation, requested = widths[0], widths[2], widths[4]
    assert explanation >= 2 * category and explanation >= 1.5 * requested, widths


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_key_unit_counts_note_is_read_under_the_table_on_a_phone(open_page, live_server, city, language):
    """The key row, the joint row and the joint quota's base count key units three ways; the sentence saying why sits
    right under the table, on a phone too, inside the card and without a sideways scroll."""
    plan = services.do_create_plan(jurisdiction=city["tree"]["a"], year=2021, quarter=2, acting_user=None)
    page = open_page(city["users"]["county_admin"], "pw-county_admin", viewport={"width": 390, "height": 844})
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.goto(f"{live_server.url}{plan.get_absolute_url()}")
    note = page.locator("[data-key-counts]")
    assert note.is_visible()
    assert ("家数口径不同" if language == "zh-hans" else "counts of key units differ") in note.inner_text()
    box, table = note.bounding_box(), page.locator("#strata").bounding_box()
    assert box["y"] >= table["y"] + table["height"] - 1 and box["x"] + box["width"] <= 390, (box, table)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
