# ruff: noqa: F811 (the portal tests' ``data`` fixture, imported by name, is a parameter here)
"""The portal's wording where it was wrong or read badly: a plan's planned numbers as counts ("106 key units",
"重点排污单位 106 家", not "Key unit 106"), the publishing bureau named rather than "我局" (the portal is every
county's and the city's), and a withheld or masked result with the article its stored basis rests on."""

import re
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from shuangsuiji.disclosure import services
from shuangsuiji.disclosure.models import Outcome, RedactionBasis
from shuangsuiji.planning.models import PlanStratum
from shuangsuiji.registry.models import Target
from tests.disclosure.test_portal import batch, credit_code, data, make_plan, make_result  # noqa: F401

pytestmark = pytest.mark.django_db

DISCLOSURE = Path(__file__).resolve().parents[2] / "shuangsuiji" / "disclosure"


def planned_cell(client, language: str) -> str:
    client.cookies["django_language"] = language
    text = client.get("/public/plans/").content.decode()
    label = "计划抽查数" if language == "zh-hans" else "Planned"
    return re.search(rf'data-label="{label}">([^<]*)</td>', text).group(1)


def test_the_plans_list_gives_each_stratum_as_a_count_with_its_plural(client, tree):
    plan = make_plan(tree["a"], 2)  # general, 3 planned
    PlanStratum.objects.create(plan=plan, stratum="key", population=10, minimum=1, requested=1,
                               explanation="⌈10% × 10⌉ = 1", citation="实施方案 二(三)")
    PlanStratum.objects.create(plan=plan, stratum="special", population=4, minimum=2, requested=2,
                               explanation="⌈50% × 4⌉ = 2", citation="实施方案 二(三)")
    assert planned_cell(client, "zh-hans") == "一般排污单位 3 家；重点排污单位 1 家；特殊监管对象 2 家"
    assert planned_cell(client, "en") == "3 general units; 1 key unit; 2 special-supervision units"


def test_a_joint_plans_count_names_what_is_counted(client, tree):
    plan = make_plan(tree["a"], 2)
    plan.strata.update(stratum="joint", requested=14)
    assert planned_cell(client, "zh-hans") == "内部联合抽查对象 14 家"
    assert planned_cell(client, "en") == "14 targets for internal joint inspection"


def test_no_public_page_speaks_as_one_bureau():
    """"我局"/"本局"/"我们" on a portal that publishes for the city and each county: the reader cannot tell whose."""
    sources = [*sorted((DISCLOSURE / "templates" / "disclosure" / "public").glob("*.html")), DISCLOSURE / "forms.py"]
    said = {path.name: re.findall(r"我局|本局|我们", path.read_text(encoding="utf-8")) for path in sources}
    assert {name: found for name, found in said.items() if found} == {}


def test_the_verify_page_says_whose_plan_publishes_the_hashes(client):
    page = client.get("/public/verify/").content.decode()
    assert "每次抽取前，制定计划的生态环境部门（市局或县（市、区）分局）先在计划页面公开" in page
    client.cookies["django_language"] = "en"
    page = client.get("/public/verify/").content.decode()
    assert "the bureau that made the plan (the city bureau or a county branch)" in page


def test_the_plan_page_names_the_bureau_whose_record_the_selection_hash_rests_on(client, tree):
    tree["a"].bureau_name = "保定市生态环境局涞水县分局"
    tree["a"].save()
    plan = make_plan(tree["a"], 2, revealed=True)
    page = client.get(f"/public/plans/{plan.pk}/").content.decode()
    assert "抽取结果哈希则以保定市生态环境局涞水县分局保存的记录为准" in page


@pytest.mark.parametrize(("basis", "article_zh", "article_en"), [
    ("state_secret", "《政府信息公开条例》第十四条", "article 14"),
    ("law", "《政府信息公开条例》第十四条", "article 14"),
    ("commercial", "《政府信息公开条例》第十五条", "article 15"),
    ("privacy", "《政府信息公开条例》第十五条", "article 15"),
])
def test_a_withheld_result_cites_the_article_its_basis_rests_on(client, data, basis, article_zh, article_en):
    """The page cited "第十四、十五条" whatever the basis: a privacy case sent the reader to the state-secret
    article too."""
    row = data["rows"]["secret"]
    row.withheld_basis = basis
    row.save()
    page = client.get(f"/public/results/{row.public_id}/").content.decode()
    assert f"依据：{RedactionBasis(basis).label}（{article_zh}）。" in page and "第十四、十五条" not in page
    assert "检查已经进行" in page and "被检查单位、抽查事项和检查结果不予公开" in page
    client.cookies["django_language"] = "en"
    page = client.get(f"/public/results/{row.public_id}/").content.decode()
    assert f"Government Information, {article_en})." in page and "articles 14 and 15" not in page


def test_a_withheld_result_of_a_stored_basis_no_longer_known_shows_it_without_an_article(client, data):
    row = data["rows"]["secret"]
    row.withheld_basis = "秘密等级"
    row.save()
    page = client.get(f"/public/results/{row.public_id}/").content.decode()
    assert "依据：秘密等级。" in page and "条例》第" not in page.split('id="withheld-basis"')[1].split("</div>")[0]


def test_a_masked_name_is_not_the_pages_heading(client, data):
    page = client.get(f"/public/results/{data['rows']['masked'].public_id}/").content.decode()
    heading = re.search(r'<h1 class="h5">(.*?)</h1>', page).group(1)
    assert "＊" not in heading and "单位名称依法隐去" in heading
    assert "单位名称：依法隐去（涉及个人隐私，《政府信息公开条例》第十五条）" in page
    plain = client.get(f"/public/results/{data['rows']['mill'].public_id}/").content.decode()
    assert re.search(r'<h1 class="h5">(.*?)</h1>', plain).group(1) == "涞水县乙纺织厂"


def test_the_withheld_results_objection_note_names_its_bureau_not_a_branch(client, tree):
    """A city-level result has a 市局, no 分局: "请与保定市生态环境分局联系" named an office that does not exist."""
    tree["city"].bureau_name = "保定市生态环境局"
    tree["city"].save()
    target = Target.objects.create(credit_code=credit_code("130600", 9), name="保定市己热电厂",
                                   jurisdiction=tree["city"], industry_code="D4411", industry_name="火力发电")
    row = make_result(batch(tree["city"], 4), target, 9, credit_code="", target_name="", industry_code="",
                      industry_name="", items=[], plan_label="", mode="", outcome=Outcome.WITHHELD,
                      withheld_basis="commercial", redactions=[{"field": "*", "basis": "commercial", "source": "case"}])
    page = client.get(f"/public/results/{row.public_id}/objection/").content.decode()
    assert "请与保定市生态环境局联系" in page and "分局" not in page
    with pytest.raises(ValidationError, match="请与保定市生态环境局联系。"):  # the service says it the same way
        services.do_receive_objection(row, credit_code=target.credit_code, organisation=target.name,
                                      contact_name="王五", contact_phone="13800000000", content="检查日期有误",
                                      address="10.0.0.1")
