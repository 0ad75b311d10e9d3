"""A list filter's field error does not put its row out of line (includes/list_filter.html)."""

import pytest

from .conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def bottom(page, selector: str) -> float:
    box = page.locator(selector).bounding_box()
    return box["y"] + box["height"]


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_filters_error_leaves_its_input_in_line_with_its_neighbours(open_page, users, live_server, viewport,
                                                                      language):
    """The item list's "for industry" filter said its error below its input, and the row, which lines its fields
    up by their bottom edge, lifted that input above "in use" beside it and the buttons. The error now sits
    between the label and the input: the inputs stay on one line, on a desktop and on a phone."""
    page = open_page(users["county_admin"], "pw-county_admin", viewport)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.goto(f"{live_server.url}/registry/items/?for_industry=XYZ9")
    error = page.locator("#id_for_industry_error")
    assert error.is_visible()  # a filter in use keeps the filters open on a phone
    # the error reads before its input, beside the label, not under the input
    assert error.bounding_box()["y"] < page.locator("#id_for_industry").bounding_box()["y"]
    if viewport is None:  # on a desktop the buttons close the same row
        assert bottom(page, "form.card button.btn-success") == pytest.approx(bottom(page, "#id_for_industry"), abs=4)
        # the error wraps within its field, which it does not widen (each field as wide as its longest choice)
        assert error.bounding_box()["width"] <= page.locator("#id_for_industry").bounding_box()["width"] + 1
    else:  # on a phone "in use" shares its line
        assert bottom(page, "#id_for_industry") == pytest.approx(bottom(page, "#id_is_active"), abs=1)


def border(page, selector: str) -> str:
    return page.locator(selector).evaluate("box => getComputedStyle(box).borderTopColor")


def danger(page) -> str:
    """The page's --bs-danger (app.css darkens Bootstrap's for contrast) as the browser computes a colour."""
    return page.evaluate("""() => { const probe = document.createElement("i");
        probe.style.color = "var(--bs-danger)"; document.body.append(probe);
        const colour = getComputedStyle(probe).color; probe.remove(); return colour; }""")


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize(("path", "user", "invalid", "valid"), [
    ("/audit/?since=2026-13-01", "city_admin", "#id_since", "#id_until"),  # a date box
    ("/registry/items/?for_industry=XYZ9", "county_admin", "#id_for_industry", "#id_q"),  # a text box
])
def test_a_filters_invalid_box_turns_red_as_an_invalid_select_does(open_page, users, viewport, path, user, invalid,
                                                                   valid, live_server):
    """The audit log's date box refused an impossible date and stayed grey: the red border (.app-invalid) was
    less specific than the boxes' own border rule, so only a select ever turned red."""
    page = open_page(users[user], f"pw-{user}", viewport)
    page.goto(f"{live_server.url}{path}")
    assert page.locator(invalid).get_attribute("aria-invalid") == "true"
    assert border(page, invalid) == danger(page)
    assert border(page, valid) != danger(page)


DESK = {"width": 1280, "height": 900}


def cut_choices(page, selector: str) -> list[str]:
    """The choices of a select too wide for it: each would be shown cut ("On-si") once chosen."""
    return page.locator(selector).evaluate("""select => {
        const style = getComputedStyle(select), pen = document.createElement("canvas").getContext("2d");
        pen.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
        const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
        return [...select.options].map(o => o.text).filter(text => pen.measureText(text).width > room); }""")


@pytest.mark.parametrize("width", [1024, 1200, 1280])
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_record_lists_filters_show_their_choices_whole_and_the_buttons_close_the_last_row(
        open_page, users, live_server, language, width):
    """At 1024 px the record list's selects, sharing one row with six other fields, were squeezed to "All" and cut
    a chosen "Passed (publishable)" or "On-site inspection". Each select keeps room for its longest choice and the
    search for its placeholder: the fields that no longer fit go to a second line, which the buttons close, in
    line with the boxes beside them; nothing scrolls sideways."""
    page = open_page(users["city_admin"], "pw-city_admin", {"width": width, "height": 900})
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.goto(f"{live_server.url}/fieldwork/records/")
    assert {box: cut_choices(page, box) for box in ("#id_state", "#id_mode", "#id_jurisdiction")} == {
        "#id_state": [], "#id_mode": [], "#id_jurisdiction": []}
    assert page.locator("#id_q").bounding_box()["width"] >= 200  # the placeholder's words, not "Record nun"
    # the buttons close the form: no field on a line below them, none beside them out of line
    last = max(bottom(page, box) for box in ("#id_q", "#id_state", "#id_month", "#id_submitted"))
    button = bottom(page, "form.card button.btn-success")
    assert button >= last - 4 and bottom(page, "form.card a.btn") == pytest.approx(button, abs=1)
    assert all(bottom(page, box) == pytest.approx(button, abs=4) for box in ("#id_month", "#id_submitted")
               if bottom(page, box) > button - 20)
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", [800, 1024, 1200, 1280])
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_task_lists_filter_row_adds_up_to_twelve(open_page, users, live_server, language, width):
    """The task list's filters were 3+2+2+2+2+2 twelfths (13) from 768 px on: the overdue box and the buttons always
    went to a line of their own. On a tablet the fields fill the first line (6+3+3) and the status, the check boxes
    and the buttons the second; from 992 px the fields share the rows, each select wide enough for its choices."""
    page = open_page(users["city_admin"], "pw-city_admin", {"width": width, "height": 900})
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.goto(f"{live_server.url}/planning/tasks/")
    assert page.locator("#f-j").is_visible()  # the city's four fields
    top = {box: page.locator(box).bounding_box()["y"] for box in ("#f-q", "#f-period", "#f-j", "#f-status")}
    button = page.locator("form.card button.btn-success")
    if width < 992:
        assert top["#f-q"] == top["#f-period"] == top["#f-j"] < top["#f-status"]
        assert bottom(page, "form.card button.btn-success") == pytest.approx(bottom(page, "#f-status"), abs=4)
    else:
        # each select shows its longest choice whole ("All quarters", not "All qua"): the fields that do not fit
        # beside the search go to a second line, the buttons no higher than the last field
        assert {box: cut_choices(page, box) for box in ("#f-period", "#f-j", "#f-drawn-by", "#f-status")} == {
            "#f-period": [], "#f-j": [], "#f-drawn-by": [], "#f-status": []}
        assert top["#f-q"] == top["#f-period"] == top["#f-j"]
        assert bottom(page, "form.card button.btn-success") >= bottom(page, "#f-status") - 4
        assert page.locator("#f-overdue").bounding_box()["x"] < button.bounding_box()["x"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width
