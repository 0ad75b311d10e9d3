"""The demo population generator: deterministic, valid, realistic in proportion, and pure."""

import ast
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest

from shuangsuiji.demo import generator
from shuangsuiji.demo.data import catalog, divisions
from shuangsuiji.demo.generator import apportion, generate
from shuangsuiji.engine.creditcode import validate

TODAY = date(2021, 12, 20)


@pytest.fixture(scope="module")
def baoding():
    population = generate("baoding", seed=2021, today=TODAY)
    return population, list(population.targets)


def test_same_arguments_give_the_same_population_row_for_row():
    first, second = generate("tiny", seed=7, today=TODAY), generate("tiny", seed=7, today=TODAY)
    for name in ("jurisdictions", "departments", "check_items", "inspectors", "recusals"):
        assert getattr(first, name) == getattr(second, name)
    assert list(first.targets) == list(second.targets)
    assert list(first.targets) == list(first.targets)  # iterating again regenerates the same rows


def test_another_seed_gives_other_targets():
    one = {t.credit_code for t in generate("tiny", seed=1, today=TODAY).targets}
    other = {t.credit_code for t in generate("tiny", seed=2, today=TODAY).targets}
    assert not one & other


def test_every_credit_code_is_valid_unique_and_carries_its_county(baoding):
    population, targets = baoding
    assert len(targets) == len(population.targets) == 12_000
    assert [t.credit_code for t in targets if validate(t.credit_code)] == []
    assert len({t.credit_code for t in targets}) == len(targets)
    assert all(t.credit_code[2:8] == t.jurisdiction_code for t in targets)
    assert Counter(t.credit_code[:2] for t in targets).keys() == {"91", "92", "12"}
    # Both forms of the 主体标识码: post-2015 "MA…" and the older 8-digit organisation code.
    assert 0.4 < sum(t.credit_code[8:10] == "MA" for t in targets) / len(targets) < 0.8


def test_demo_baoding_is_its_real_county_level_jurisdictions():
    population = generate("tiny", today=TODAY)
    counties = {j.code: j.name for j in population.jurisdictions if j.level == "county"}
    assert counties == {
        "130602": "竞秀区", "130606": "莲池区", "130607": "满城区", "130608": "清苑区", "130609": "徐水区",
        "130623": "涞水县", "130624": "阜平县", "130626": "定兴县", "130627": "唐县", "130628": "高阳县",
        "130630": "涞源县", "130631": "望都县", "130633": "易县", "130634": "曲阳县", "130635": "蠡县",
        "130636": "顺平县", "130637": "博野县", "130671": "保定高新技术产业开发区", "130672": "保定白沟新城",
        "130681": "涿州市", "130683": "安国市", "130684": "高碑店市",
    }
    # 雄安's three counties are supervised by 雄安新区's bureau, 定州 is 省直管 (divisions.py says why).
    assert not {"130629", "130632", "130638", "130682"} & counties.keys()
    levels = {j.code: j.level for j in population.jurisdictions}
    assert levels["130000"] == "province" and levels["130600"] == "city"
    bureaus = {j.code: j.bureau_name for j in population.jurisdictions}
    assert bureaus["130608"] == "保定市生态环境局清苑区分局" and bureaus["130672"] == "保定市生态环境局白沟新城分局"


def test_categories_statuses_and_outlets_come_in_realistic_proportions(baoding):
    _, targets = baoding
    n = len(targets)
    categories = Counter(t.category for t in targets)
    assert 0.07 < categories["key"] / n < 0.11
    assert 0.02 < categories["special"] / n < 0.04
    assert 0.01 < sum(t.positive_list for t in targets) / n < 0.03
    assert 0.03 < sum(t.status == "defunct" for t in targets) / n < 0.05
    for code, count in Counter(t.jurisdiction_code for t in targets if t.category == "key").items():
        assert count >= 3, code
    assert len({t.jurisdiction_code for t in targets if t.category == "key"}) == 22
    # Heavy industry is on the key-unit directory far more often than the average trade.
    steel = [t for t in targets if t.industry_code in ("C3110", "C3120", "D4411", "C3011")]
    assert sum(t.category == "key" for t in steel) / len(steel) > 0.5
    for t in targets:
        assert not (t.positive_list and t.category == "special")
        assert (t.status == "defunct") == (t.defunct_date is not None) == bool(t.defunct_reason)
        if t.defunct_date:
            assert t.registered_on < t.defunct_date <= TODAY
        if t.category == "key":
            assert t.outlets and t.outlets[0].online_monitored and t.permit_number.startswith(t.credit_code)
        if t.category_reason.endswith("超标5次以上"):
            assert any(o.online_monitored for o in t.outlets)
        assert len({o.code for o in t.outlets}) == len(t.outlets)
    special_reasons = {t.category_reason for t in targets if t.category == "special"}
    assert special_reasons == set(catalog.SPECIAL_REASONS)


def test_targets_look_like_baoding_enterprises(baoding):
    _, targets = baoding
    centres = {c.code: c for c in divisions.BAODING_COUNTIES}
    for t in targets:
        centre = centres[t.jurisdiction_code]
        assert abs(t.longitude - centre.longitude) <= centre.radius
        assert abs(t.latitude - centre.latitude) <= centre.radius
        assert t.address.startswith("河北省保定市")
        assert len(t.contact_phone) == 11 and t.contact_phone.startswith("1")
        assert 2 <= len(t.legal_representative) <= 3
    assert len({(t.jurisdiction_code, t.name) for t in targets}) == len(targets)
    # County trades: 高阳's textiles, 安国's herbal medicine, 白沟's bags.
    by_county = {code: Counter(t.industry_code for t in targets if t.jurisdiction_code == code)
                 for code in ("130628", "130683", "130672")}
    assert by_county["130628"].most_common(1)[0][0] in ("C1712", "C1713")
    assert by_county["130683"].most_common(1)[0][0] == "C2730"
    assert by_county["130672"].most_common(1)[0][0] == "C1922"
    assert {"O8111", "Q8411"} <= {t.industry_code for t in targets}
    assert all(t.credit_code.startswith("92") for t in targets if t.industry_code == "O8111")


def test_inspectors_have_certificates_departments_specialties_and_exceptions(baoding):
    population, _ = baoding
    inspectors = population.inspectors
    assert len(inspectors) == 400
    assert len({i.certificate_number for i in inspectors}) == len(inspectors)
    departments = {d.code: d for d in population.departments}
    specialties = {s.code for s in population.specialties}
    for i in inspectors:
        assert departments[i.department_code].jurisdiction_code == i.jurisdiction_code
        assert departments[i.department_code].has_enforcement_duty
        assert i.specialties and set(i.specialties) <= specialties
        assert i.is_external == (i.certificate_expiry is None) == bool(i.external_kind) == bool(i.organisation)
    officers = [i for i in inspectors if not i.is_external]
    assert any(i.certificate_expiry < TODAY for i in officers)
    assert any(TODAY <= i.certificate_expiry < TODAY + timedelta(days=60) for i in officers)
    statuses = Counter(i.status for i in inspectors)
    assert statuses["on_leave"] and statuses["left"] and statuses["active"] > 0.9 * len(inspectors)
    assert {i.external_kind for i in inspectors if i.is_external} <= {"testing_institute", "research_institute",
                                                                      "expert"}
    assert any(i.is_external for i in inspectors) and any("radiation" in i.specialties for i in inspectors)
    per_unit = Counter(i.jurisdiction_code for i in officers if departments[i.department_code].name
                       in (catalog.COUNTY_ENFORCEMENT_UNIT, catalog.CITY_ENFORCEMENT_UNIT))
    assert all(per_unit[j.code] >= 2 for j in population.jurisdictions if j.level != "province")


def test_departments_and_item_list_follow_the_seed(baoding):
    population, targets = baoding
    city_departments = {d.name for d in population.departments if d.jurisdiction_code == "130600"}
    assert city_departments == {
        "法规与标准处", "自然生态保护处", "水生态环境处", "大气环境处", "土壤生态环境处", "固体废物及化学品处",
        "辐射安全管理处", "环境影响评价与排放管理处", "生态环境监测处", "机动车污染防治处", "生态环境综合执法支队",
    }
    qingyuan = {d.name for d in population.departments if d.jurisdiction_code == "130608"}
    assert {"生态环境综合执法大队", "综合股", "环境影响评价股"} <= qingyuan
    departments = {d.code for d in population.departments}
    items = population.check_items
    assert len({i.code for i in items}) == len(items) >= 15
    for item in items:
        assert item.jurisdiction_code == "130600" and item.list_level == "city"
        assert item.responsible_department in departments and set(item.cooperating_departments) <= departments
        assert "《" in item.legal_basis and item.content and item.categories
    names = {i.name for i in items}
    assert {"排污许可制度执行情况", "危险废物规范化环境管理情况", "核技术利用单位辐射安全许可及防护情况"} <= names
    codes = {t.credit_code for t in targets}
    certificates = {i.certificate_number for i in population.inspectors}
    assert population.recusals
    assert all(r.credit_code in codes and r.certificate_number in certificates for r in population.recusals)


def test_hebei_has_its_eleven_cities_and_the_province_administered_units():
    population = generate("hebei", today=TODAY)
    cities = {j.code: j.name for j in population.jurisdictions if j.level == "city"}
    assert {c[0] for c in divisions.HEBEI_CITIES} | {"130600"} <= cities.keys()
    assert cities["133100"] == "河北雄安新区" and cities["130682"] == "定州市" and cities["130181"] == "辛集市"
    parents = {j.code: j.parent_code for j in population.jurisdictions}
    assert parents["130638"] == "133100" and parents["130682"] == "130000"
    assert len(population.targets) == 150_000 and len(population.inspectors) == 5_000
    assert len({j.code for j in population.jurisdictions}) == len(population.jurisdictions)
    xiong = list(population.targets.of("130638"))
    assert xiong and all(t.credit_code[2:8] == "130638" and not validate(t.credit_code) for t in xiong)


def test_national_scale_has_the_designed_size_with_consistent_codes():
    population = generate("national", today=TODAY)
    jurisdictions = population.jurisdictions
    assert 2_900 <= len(jurisdictions) <= 3_100
    assert len({j.code for j in jurisdictions}) == len(jurisdictions)
    assert all(len(j.code) == 6 and j.code.isdigit() for j in jurisdictions)
    seen = set()
    for j in jurisdictions:  # parents first, and every county sits under a city of its own province
        assert j.parent_code is None or j.parent_code in seen
        seen.add(j.code)
    assert sum(j.level == "province" for j in jurisdictions) == 31
    assert len(population.targets) == 1_000_000 and len(population.inspectors) == 50_000
    assert len({i.certificate_number for i in population.inspectors}) == 50_000
    some = list(population.targets.of(next(j.code for j in jurisdictions if j.code.startswith("65")
                                           and j.level == "county")))
    assert some and all(not validate(t.credit_code) for t in some)


def test_apportion_is_exact_and_respects_the_minimum():
    assert apportion(10, [1, 1, 1]) == [4, 3, 3]
    assert sum(apportion(12_000, [5.0, 0.1, 3.3, 7.5], minimum=5)) == 12_000
    assert min(apportion(100, [1000, 1, 1], minimum=6)) == 6
    with pytest.raises(ValueError, match="at least"):
        apportion(5, [1, 1], minimum=3)


def test_generator_never_imports_django():
    """The engine benchmarks import the generator without a Django project."""
    package = Path(generator.__file__).parent
    for path in [package / "generator.py", *sorted((package / "data").glob("*.py"))]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        modules = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        modules |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        assert not {m for m in modules if m.split(".")[0] in {"django", "rest_framework"}}, path
        assert not {m for m in modules if m.startswith(("shuangsuiji.registry", "shuangsuiji.accounts"))}, path
