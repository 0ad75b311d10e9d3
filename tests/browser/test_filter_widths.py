"""List filters at a desk (1280 px), in English and Chinese: no field stretches across the bar when it wraps to a
second line, each select keeps room for its longest choice, and a registry list's search box is as tall as its
selects."""

import pytest

from shuangsuiji.registry.models import Level
from tests.conftest import make_jurisdiction

from .test_list_filter_alignment import bottom, cut_choices

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESK = {"width": 1280, "height": 900}


def open_list(open_page, users, live_server, language: str, path: str, who: str = "city_admin"):
    page = open_page(users[who], f"pw-{who}", DESK)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.goto(f"{live_server.url}{path}")
    return page


def width(page, selector: str) -> float:
    return page.locator(selector).bounding_box()["width"]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_record_lists_year_and_month_keep_a_dates_width(open_page, users, live_server, language):
    """In English "Year submitted" went to the second line of the record list's filters and, sharing that line with
    the check box and the buttons, stretched across the bar: a 920-px box for four digits (985 px in Chinese). The
    month and the year keep a date's width wherever they fall; the buttons still close the last line."""
    page = open_list(open_page, users, live_server, language, "/fieldwork/records/")
    assert width(page, "#id_submitted") <= 200 and width(page, "#id_month") <= 200
    assert width(page, "#id_submitted") >= page.locator("label[for=id_submitted]").bounding_box()["width"]
    button = bottom(page, "form.card button.btn-success")
    assert bottom(page, "#id_submitted") == pytest.approx(button, abs=4)  # on the buttons' line, not above them
    # the placeholder's words whole in the search box ("Record number, unit name or crec")
    assert page.locator("#id_q").evaluate("""box => { const style = getComputedStyle(box);
        const pen = document.createElement("canvas").getContext("2d");
        pen.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
        return pen.measureText(box.placeholder).width
            <= box.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight); }""")
    assert page.evaluate("document.documentElement.scrollWidth") <= DESK["width"]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_task_lists_status_alone_on_the_second_line_does_not_stretch(open_page, users, live_server, language):
    """The task list's status select, the one field on the second line beside the check boxes, was 840 px wide."""
    page = open_list(open_page, users, live_server, language, "/planning/tasks/")
    assert page.locator("#f-status").bounding_box()["y"] > page.locator("#f-q").bounding_box()["y"]
    assert width(page, "#f-status") <= 24 * 16


@pytest.mark.parametrize(("path", "selects"), [
    ("/planning/", ["#f-period", "#f-j", "#f-kind", "#f-status"]),  # "Cross-department joint check"
    ("/fieldwork/follow-ups/", ["#id_state", "#id_handling", "#id_jurisdiction"]),  # "Case opened for a penalty"
    ("/fieldwork/rechecks/", ["#id_status", "#id_jurisdiction"]),
    ("/intake/clues/", ["select[name=jurisdiction]", "select[name=status]"]),  # "On-site inspection approved"
    ("/audit/", ["#id_action", "#id_jurisdiction", "#id_about"]),  # "User's role or scope changed"
])
def test_a_chosen_filter_shows_whole_in_english(open_page, users, tree, live_server, path, selects):
    """In sixths of the bar (about 150 px of text), an English choice was cut once chosen ("Cross-department joint
    che"), and so was Baoding's longest county-level name in either language. Each select is now as wide as its
    longest choice."""
    make_jurisdiction("130671", "保定高新技术产业开发区", Level.COUNTY, tree["city"])
    page = open_list(open_page, users, live_server, "en", path)
    assert {box: cut_choices(page, box) for box in selects} == {box: [] for box in selects}
    assert page.evaluate("document.documentElement.scrollWidth") <= DESK["width"]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_registry_lists_search_box_is_as_tall_as_its_selects(open_page, users, live_server, language):
    """The registry lists' small fields (app-field-sm) made only the selects small: the boxes' own rule, with its two
    :not()s, won over the small one for an input, which stood 38 px tall beside 31-px selects and buttons."""
    page = open_list(open_page, users, live_server, language, "/registry/targets/")
    search = page.locator("#id_q").bounding_box()
    select = page.locator("#id_status").bounding_box()
    assert search["height"] == pytest.approx(select["height"], abs=1)
    assert search["y"] == pytest.approx(select["y"], abs=1)
    assert page.locator("#id_q").evaluate("box => getComputedStyle(box).fontSize") == "14px"
