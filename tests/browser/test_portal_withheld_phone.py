# ruff: noqa: F811 (the portal tests' ``data`` fixture, imported by name, is a parameter here)
"""A withheld and a masked result on a phone (390 × 844), in both languages. No such result was published in
the demo, so neither page had been looked at on one: the masked name stood as the page's heading ("＊＊＊"),
and "依法隐去" in the credit code's place was set in the code's monospace font, as if it were a code."""

import pytest

from tests.browser.conftest import PHONE
from tests.browser.test_portal import fits, visit  # noqa: F401
from tests.disclosure.test_portal import data  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {"zh-hans": ("依法不予公开的抽查结果", "第十四条", "单位名称依法隐去", "依法隐去"),
         "en": ("Inspection result withheld by law", "article 14", "Unit name redacted by law", "Redacted by law")}


def in_language(page, live_server, language: str, path: str):
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.goto(f"{live_server.url}{path}")
    return page


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_withheld_result_says_why_on_the_first_screen_of_a_phone(visit, live_server, data, language):
    heading, article, _, _ = WORDS[language]
    path = f"/public/results/{data['rows']['secret'].public_id}/"
    page = in_language(visit("/public/", PHONE), live_server, language, path)
    assert fits(page)
    assert page.locator("h1").inner_text() == heading
    basis = page.locator("#withheld-basis")
    assert article in basis.inner_text()
    box = basis.bounding_box()  # the reason is read without scrolling, the facts after it
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] and box["y"] + box["height"] <= PHONE["height"]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_masked_result_says_so_in_words_not_in_asterisks_or_a_codes_font(visit, live_server, data, language):
    _, _, heading, masked = WORDS[language]
    path = f"/public/results/{data['rows']['masked'].public_id}/"
    page = in_language(visit("/public/", PHONE), live_server, language, path)
    assert fits(page)
    assert page.locator("h1").inner_text() == heading
    code = page.locator("#result-facts dd").first
    assert code.inner_text() == masked
    # the words take the page's font, as the jurisdiction beside them does; a code's monospace says "a code"
    fonts = page.locator("#result-facts dd").evaluate_all("""cells => cells.slice(0, 2).map(c =>
        getComputedStyle(c.querySelector('span') || c).fontFamily)""")
    assert fonts[0] == fonts[1], fonts
    box = code.bounding_box()
    assert box["x"] + box["width"] <= PHONE["width"]
