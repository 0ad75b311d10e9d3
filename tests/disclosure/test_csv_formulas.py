"""The portal's CSV downloads are made for Excel (a BOM, Chinese headers) and anyone may take them: a published
name or finding that begins like a formula ("=HYPERLINK(…)", "@SUM(…)", "+…", "-…") must not run there. The
CSV cell gets a leading apostrophe, as OWASP advises; the JSON download keeps the value as it is."""

import csv
import io
import json

import pytest

from shuangsuiji.disclosure.models import Outcome
from shuangsuiji.disclosure.public import csv_cell

from .test_portal import batch, credit_code, make_result, streamed

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://attacker.example/","详情")'


@pytest.mark.parametrize("text", [FORMULA, "+1+1", "-2+3", "@SUM(1)", "\t=1", "\r=1"])
def test_a_formula_looking_text_is_quoted(text):
    assert csv_cell("target_name", text) == "'" + text


@pytest.mark.parametrize("value, cell", [("涞水县甲化工有限公司", "涞水县甲化工有限公司"), (-3, "-3"), (None, ""),
                                         ("", ""), (True, "是")])
def test_other_values_are_as_they_were(value, cell):
    assert csv_cell("target_name", value) == cell


def test_the_results_csv_quotes_a_formula_and_the_json_keeps_it(client, tree):
    from shuangsuiji.registry.models import Target

    target = Target.objects.create(credit_code=credit_code("130623", 1), name=FORMULA, jurisdiction=tree["a"])
    make_result(batch(tree["a"], 3), target, 1, target_name=FORMULA, outcome=Outcome.PROBLEM, problems=[{
        "item": "=1+1", "description": "未按证排污", "handling": "立案查处", "deadline": "2026-04-30"}])
    rows = list(csv.reader(io.StringIO(streamed(client.get("/public/results/", {"format": "csv"})).lstrip("\ufeff"))))
    cells = [cell for row in rows[1:] for cell in row]
    assert "'" + FORMULA in cells and FORMULA not in cells
    assert not any(cell.startswith(("=", "+", "@")) for cell in cells)
    body = json.loads(streamed(client.get("/public/results/", {"format": "json"})))
    assert body["results"][0]["target_name"] == FORMULA
