# ruff: noqa: F811 (the portal tests' ``data`` fixture, imported by name, is a parameter here)
"""The English portal says in English what the system stored in Chinese for a code or a fixed vocabulary — a
result's plan title (composed from jurisdiction, quarter and kind), a problem's handling, the check method —
from the stored words, which stay as published: the Chinese pages read exactly as before, and what people
typed (names, descriptions) or what is a proper name (jurisdictions, departments) stays as written."""

import re

import pytest
from django.utils import translation

from shuangsuiji.disclosure import services
from shuangsuiji.fieldwork.models import Handling
from shuangsuiji.planning.models import said_plan_title
from shuangsuiji.registry.models import CheckItem
from tests.disclosure.test_portal import data, make_plan  # noqa: F401

pytestmark = pytest.mark.django_db

TITLE = "涞水县2026年第1季度双随机抽查计划"  # what the ``data`` fixture's rows store, as do_prepare_results wrote it


def page(client, path: str, language: str) -> str:
    client.cookies["django_language"] = language
    return client.get(path).content.decode()


def with_problems(row, handlings: list[str]):
    row.problems = [{"item": "排污许可制度执行情况", "description": f"问题{n}", "handling": handling,
                     "deadline": "2026-04-30", "decision_number": ""} for n, handling in enumerate(handlings)]
    row.save()
    return row


@pytest.mark.parametrize(("stored", "english"), [
    ("涞水县2026年第1季度双随机抽查计划", "涞水县 Q1 2026 Double-random inspection plan"),
    ("涞水县2026年第3季度大气环境股内部联合抽查计划", "涞水县 Q3 2026 大气环境股 Internal joint inspection plan"),
    ("涞水县2026年第2季度线索核查计划（第12号）", "涞水县 Q2 2026 Clue check plan (no. 12)"),
    ("保定市2026年第4季度跨部门联合抽查计划（第7号）", "保定市 Q4 2026 Cross-department joint check plan (no. 7)"),
])
def test_a_stored_plan_title_is_composed_again_in_the_readers_language(stored, english):
    with translation.override("en"):
        assert said_plan_title(stored) == english
    with translation.override("zh-hans"):
        assert said_plan_title(stored) == stored


@pytest.mark.parametrize("stored", [
    "涞水县专项检查计划",  # typed, not composed
    "涞水县2026年第1季度专项抽查计划",  # no kind of the system
    "涞水县2026年第1季度双随机抽查计划（第3号）",  # a regular plan has no number: not what the system composed
    "涞水县2026年第1季度内部联合抽查计划",  # a joint plan names its department
    "",
])
def test_a_title_the_system_did_not_compose_stays_as_stored(stored):
    with translation.override("en"):
        assert said_plan_title(stored) == stored


def test_the_result_page_says_the_plan_and_each_handling_in_english_and_the_chinese_page_as_stored(client, data):
    chem = with_problems(data["rows"]["chem"], [str(label) for label in Handling.labels])
    plan = make_plan(data["targets"]["chem"].jurisdiction, 1)
    chem.plan_id = plan.pk
    chem.save()
    path = f"/public/results/{chem.public_id}/"
    text = page(client, path, "en")
    assert f'<a href="/public/plans/{plan.pk}/">涞水县 Q1 2026 Double-random inspection plan</a>' in text
    assert TITLE not in text
    handled = re.findall(r'<td data-label="Handling">([^<]*)</td>', text)
    with translation.override("en"):
        assert handled == [str(label) for label in Handling.labels]
    assert not any(str(label) in text for label in _chinese_labels(Handling))
    # The Chinese page shows the stored words, as it did before the English page read them.
    text = page(client, path, "zh-hans")
    assert f'<a href="/public/plans/{plan.pk}/">{TITLE}</a>' in text
    handled = re.findall(r'<td data-label="处理">([^<]*)</td>', text)
    assert handled == [str(label) for label in _chinese_labels(Handling)]
    chem.refresh_from_db()
    assert chem.plan_label == TITLE and chem.problems[0]["handling"] == "立行立改"  # nothing stored changed


def _chinese_labels(choices) -> list[str]:
    with translation.override("zh-hans"):
        return [str(label) for label in choices.labels]


def test_a_handling_a_person_wrote_stays_as_written(client, data):
    chem = with_problems(data["rows"]["chem"], ["立案查处"])  # not one of the system's words
    assert re.findall(r'<td data-label="Handling">([^<]*)</td>',
                      page(client, f"/public/results/{chem.public_id}/", "en")) == ["立案查处"]


def test_a_correction_says_the_handling_and_the_outcomes_in_english(client, data, users):
    chem = with_problems(data["rows"]["chem"], ["责令改正"])
    services.do_correct_result(chem, values={
        "problems": [dict(chem.problems[0], handling="立案处罚")],
        "items": [{"code": "C-01", "name": "排污许可制度执行情况", "outcome": "发现问题"}]},
        reason="录入有误", acting_user=users["county_admin"])
    path = f"/public/results/{chem.public_id}/"
    changes = re.findall(r"<li>([^<]*)<del>([^<]*)</del> → ([^<]*)</li>", page(client, path, "en"))
    assert ("Problems found and handling: ", "排污许可制度执行情况: 问题0 (Ordered to rectify)",
            "排污许可制度执行情况: 问题0 (Case opened for a penalty)") in changes
    assert ("Check item: ", "排污许可制度执行情况: No problem found", "排污许可制度执行情况: Problem found") in changes
    changes = re.findall(r"<li>([^<]*)<del>([^<]*)</del> → ([^<]*)</li>", page(client, path, "zh-hans"))
    assert ("发现的问题及处理：", "排污许可制度执行情况：问题0（责令改正）",
            "排污许可制度执行情况：问题0（立案处罚）") in changes
    assert ("抽查事项：", "排污许可制度执行情况：未发现问题", "排污许可制度执行情况：发现问题") in changes


def test_the_csv_keeps_the_handling_as_published_in_english_too(client, data):
    with_problems(data["rows"]["chem"], ["责令改正"])
    client.cookies["django_language"] = "en"
    response = client.get("/public/results/", {"outcome": "problem", "format": "csv"})
    body = b"".join(response.streaming_content).decode("utf-8")
    assert "排污许可制度执行情况：问题0（责令改正）" in body and TITLE in body


def test_the_check_method_the_system_fills_in_reads_in_english_and_a_typed_one_as_typed(client, tree):
    department = tree["departments"]["130600"]
    for code, method in (("C-01", "现场检查"), ("C-02", "现场检查与资料核查")):
        CheckItem.objects.create(code=code, name="事项", legal_basis="条例", content="内容", check_method=method,
                                 jurisdiction=tree["city"], responsible_department=department)
    methods = re.findall(r'<td data-label="Method">([^<]*)</td>', page(client, "/public/items/", "en"))
    assert methods == ["On-site inspection", "现场检查与资料核查"]
    methods = re.findall(r'<td data-label="检查方式">([^<]*)</td>', page(client, "/public/items/", "zh-hans"))
    assert methods == ["现场检查", "现场检查与资料核查"]


def test_the_plan_pages_share_and_the_filters_help_use_the_readers_punctuation(client, data, tree):
    plan = make_plan(tree["a"], 2)
    plan.strata.update(stratum="key", population=4, minimum=2)
    assert "(50%)" in page(client, f"/public/plans/{plan.pk}/", "en")
    assert "（50%）" in page(client, f"/public/plans/{plan.pk}/", "zh-hans")
    assert "Industry code: " in page(client, "/public/results/", "en")
    assert "行业代码：" in page(client, "/public/list/", "zh-hans")


def test_the_verify_pages_program_comments_and_prints_in_the_readers_language(client):
    """The consistent-sampler snippet is the page's text too: its comment and what it prints were Chinese on the
    English page (a reader copying it got "一致"/"不一致" back)."""
    blocks = re.findall(r'<pre class="public-code">(.*?)</pre>', page(client, "/public/verify/", "en"), re.S)
    snippet = next(block for block in blocks if "consistent_sampler.sampler" in block and "import json" in block)
    assert "# check weighted strata with verify_draw.py" in snippet
    assert '"matches" if got == want else "differs"' in snippet
    assert not [block for block in blocks if re.search(r"[\u4e00-\u9fff]", block)]
    snippet = next(block for block in re.findall(r'<pre class="public-code">(.*?)</pre>',
                                                 page(client, "/public/verify/", "zh-hans"), re.S)
                   if "import json" in block)
    assert '"一致" if got == want else "不一致"' in snippet and "# 按权重抽取的类别请用 verify_draw.py 核对" in snippet


def test_the_english_names_of_lists_are_plural_and_of_one_result_singular(client, data):
    """The plans dataset was titled "Inspection plan" (the word of one plan, its msgid shared with a result's
    label), the verify page's link to the plans list too, and one result's page "Inspection results JL…"."""
    opendata = page(client, "/public/opendata/", "en")
    titles = re.findall(r'<h3 class="h6 card-title">([^<]*)</h3>', opendata)
    assert titles == ["Inspection results", "List of sources under random inspection", "Inspection plans",
                      "Random check-item list", "Draw verification status", "Corrections"]
    assert '<a href="/public/plans/">Inspection plans</a>' in page(client, "/public/verify/", "en")
    result = page(client, "/public/results/JL2026-000001/", "en")
    assert "<title>Inspection result JL2026-000001 ·" in result
    assert "Plan</dt>" not in result and ">Inspection plan</dt>" in result  # the label of its one plan stays
    # The Chinese pages read as before.
    assert "<h3 class=\"h6 card-title\">抽查计划</h3>" in page(client, "/public/opendata/", "zh-hans")
    assert "<title>抽查结果 JL2026-000001 ·" in page(client, "/public/results/JL2026-000001/", "zh-hans")
