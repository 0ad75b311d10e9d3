"""The record list's 发现问题 column says a re-check's result, "复查：已整改" / "复查：1 项未整改" ("Re-check:
rectified" / "Re-check: 1 item not rectified"): a re-check's rows verify orders, and the list said "—" of one that
found the order still not carried out and a bare "1" of it, as if the re-check had found a new problem. The
firm's past visits say it through the same function."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from shuangsuiji.fieldwork.models import Handling, recheck_result
from tests.clients import signed_in

from .conftest import another_recheck, rechecked  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def problems_cell(html: str, number: str) -> str:
    """The text of the 发现问题 cell in the row of record ``number``."""
    row = html[html.index(f">{number}</a>"):]
    row = row[:row.index("</tr>")]
    cell = re.search(r'<td data-label="(?:发现问题|Problem found)"[^>]*>(.*?)</td>', row, re.S)
    assert cell is not None, row
    return re.sub(r"<[^>]+>", "", cell.group(1)).strip()


@pytest.mark.parametrize(("language", "rectified", "not_rectified"), [
    ("zh-hans", "复查：已整改", "复查：1 项未整改"),
    ("en", "Re-check: rectified", "Re-check: 1 item not rectified"),
])
def test_a_rechecks_row_says_its_result(users, source, recheck, another_recheck, language, rectified,  # noqa: F811
                                        not_rectified):
    done = rechecked(recheck, users["inspector"])
    again = rechecked(another_recheck(), users["inspector"], problem=Handling.CASE)
    html = signed_in(users["county_admin"], language).get(reverse("fieldwork:record_list")).content.decode()
    assert problems_cell(html, done.number) == rectified
    assert problems_cell(html, again.number) == not_rectified
    assert problems_cell(html, source.number) == "1"  # a random check's row still counts the problems it found


def test_the_plural_and_the_past_visits_say_the_same(users, source, recheck):
    done = rechecked(recheck, users["inspector"])
    with translation.override("en"):
        assert recheck_result(0) == "Re-check: rectified"
        assert recheck_result(1) == "Re-check: 1 item not rectified"
        assert recheck_result(3) == "Re-check: 3 items not rectified"
    with translation.override("zh-hans"):
        assert recheck_result(3) == "复查：3 项未整改"
    # the task page's 以往检查 of the firm, in English: the re-check's line as the list says it
    history = signed_in(users["inspector"], "en").get(reverse("fieldwork:task_brief", args=[source.task_id]))
    line = history.content.decode().split(done.number, 1)[1].split("</li>", 1)[0]
    assert "Re-check: rectified" in line


@pytest.mark.parametrize(("language", "says"), [("zh-hans", "problem 为未整改"), ("en", "problem not rectified")])
def test_the_api_schema_says_what_a_rechecks_outcome_means(language, says):
    """The records API serves a re-check's rows with the same "ok" / "problem": its schema said only 检查结果."""
    from drf_spectacular.generators import SchemaGenerator

    with translation.override(language):
        schema = SchemaGenerator().get_schema(request=None, public=True)
    assert says in schema["components"]["schemas"]["ItemResult"]["properties"]["outcome"]["description"]
