# ruff: noqa: F811 (the portal tests' ``data`` fixture, imported by name, is a parameter here)
"""The public portal as its readers use it: a citizen typing a credit code with a Chinese input method or with a
wrong character, an enterprise reading its own result (the item with the problem set apart, in English too), and
the accessibility of the pages' structure (one heading, the current section, tables with headers)."""

import re

import pytest

from tests.disclosure.test_portal import data, ids_on  # noqa: F401

pytestmark = pytest.mark.django_db


def fullwidth(text: str) -> str:
    """The spelling a Chinese input method gives in its full-width mode: ９１１３…ＭＡ…"""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def test_a_credit_code_or_public_number_typed_full_width_finds_the_result(client, data):
    code = data["targets"]["mill"].credit_code
    assert ids_on(client, q=fullwidth(code)) == ["JL2026-000002"]
    assert ids_on(client, q=fullwidth(code.lower())) == ["JL2026-000002"]
    assert ids_on(client, q=fullwidth("JL2026-000005")) == ["JL2026-000005"]
    # The annual list reads the same search.
    page = client.get("/public/list/", {"q": fullwidth(code)}).content.decode()
    assert "涞水县乙纺织厂" in page and "涞水县甲化工有限公司" not in page


@pytest.mark.parametrize("spaced", ["{a} {b}", "{a}  {b}", "{a}\u3000{b}", " {a} {b} "])
def test_a_credit_code_copied_with_spaces_finds_the_result_or_says_what_is_wrong(client, data, spaced):
    """A code copied from a document that groups its characters (91130623 MA...) found nothing, and said
    nothing either: the hint for a mistyped code only read a code without spaces."""
    code = data["targets"]["mill"].credit_code
    assert ids_on(client, q=spaced.format(a=code[:8], b=code[8:])) == ["JL2026-000002"]
    page = client.get("/public/list/", {"q": spaced.format(a=code[:8], b=code[8:])}).content.decode()
    assert "涞水县乙纺织厂" in page and "涞水县甲化工有限公司" not in page
    api = client.get("/api/public/results/", {"q": spaced.format(a=code[:8], b=code[8:])}).json()
    assert [r["public_id"] for r in api["results"]] == ["JL2026-000002"]
    wrong = code[:-1] + ("1" if code[-1] != "1" else "2")
    text = client.get("/public/results/", {"q": spaced.format(a=wrong[:8], b=wrong[8:])}).content.decode()
    assert f"第18位校验码应为“{code[-1]}”" in re.search(r'id="code-hint">([^<]*)<', text).group(1)


def test_a_name_searched_with_a_space_keeps_it(client, data):
    """Only what is a code once its spaces are gone is read as one: a name's space stays part of the search."""
    row = data["rows"]["mill"]
    row.target_name = "涞水县 乙纺织厂"
    row.save()
    assert ids_on(client, q="县 乙纺") == ["JL2026-000002"]
    assert ids_on(client, q="县乙纺") == []


def test_a_name_keeps_its_full_width_brackets(client, data):
    """Only a code is folded to half-width: a name's （） would become () and match nothing."""
    row = data["rows"]["mill"]
    row.target_name = "涞水县乙纺织厂（普通合伙）"
    row.save()
    assert ids_on(client, q="纺织厂（普通") == ["JL2026-000002"]


def test_a_mistyped_credit_code_is_said_to_be_wrong_not_just_not_found(client, data):
    code = data["targets"]["mill"].credit_code
    wrong = code[:-1] + ("1" if code[-1] != "1" else "2")
    text = client.get("/public/results/", {"q": wrong}).content.decode()
    hint = re.search(r'id="code-hint">([^<]*)<', text).group(1)
    assert wrong in hint and "不是有效的统一社会信用代码" in hint and f"第18位校验码应为“{code[-1]}”" in hint
    assert "没有符合条件的已公开抽查结果" in text  # and still nothing is listed
    # A letter the standard does not use, on the annual list's search too, and in English.
    text = client.get("/public/list/", {"q": code[:-1] + "O"}).content.decode()
    assert "不使用字母 I、O、S、V、Z" in re.search(r'id="code-hint">([^<]*)<', text).group(1)
    client.cookies["django_language"] = "en"
    text = client.get("/public/results/", {"q": wrong}).content.decode()
    assert "is not a valid unified social credit code" in text and "check character" in text


@pytest.mark.parametrize("q", ["", "纺织", "JL2026-000005", "ABCDEFGHIJKLMNOPQR", "<b>91130623000000002X</b>"])
def test_no_hint_for_a_name_a_public_number_or_a_valid_code(client, data, q):
    text = client.get("/public/results/", {"q": q}).content.decode()
    assert 'id="code-hint"' not in text
    assert "<b>9113" not in text  # what is typed is never written back unescaped


def test_a_valid_code_gets_no_hint(client, data):
    text = client.get("/public/results/", {"q": data["targets"]["mill"].credit_code}).content.decode()
    assert 'id="code-hint"' not in text


def test_the_item_with_a_problem_stands_out_and_outcomes_read_in_english(client, data):
    chem = data["rows"]["chem"]
    chem.items = [{"code": "C-01", "name": "排污许可制度执行情况", "outcome": "发现问题"},
                  {"code": "C-02", "name": "危险废物规范化环境管理情况", "outcome": "未发现问题"}]
    chem.save()
    text = client.get("/public/results/JL2026-000001/").content.decode()
    problem = re.search(r'<li class="[^"]*public-item-problem[^"]*">(.*?)</li>', text).group(1)
    assert "排污许可制度执行情况" in problem and "text-danger" in problem and "text-nowrap" in problem
    assert text.count("public-item-problem") == 1
    client.cookies["django_language"] = "en"
    text = client.get("/public/results/JL2026-000001/").content.decode()
    items = re.search(r'<ul class="list-group mb-3 public-items">(.*?)</ul>', text, re.S).group(1)
    assert "Problem found" in items and "No problem found" in items and "发现问题" not in items
    assert "On-site inspection" in text and "现场检查" not in text  # the method as well


def test_a_correction_reads_with_the_readers_colon(client, data, users):
    from shuangsuiji.disclosure import services

    chem = data["rows"]["chem"]
    services.do_correct_result(chem, values={"target_name": "涞水县甲化工股份有限公司"}, reason="名称按执照更正",
                               acting_user=users["county_admin"])
    text = client.get("/public/results/JL2026-000001/").content.decode()
    assert "单位名称：<del>" in text
    client.cookies["django_language"] = "en"
    text = client.get("/public/results/JL2026-000001/").content.decode()
    assert re.search(r"<li>[^<]*: <del>", text) and "：<del>" not in text


PAGES = {"results": "/public/results/", "list": "/public/list/", "plans": "/public/plans/",
         "items": "/public/items/", "verify": "/public/verify/"}


@pytest.mark.parametrize(("path", "current"), [
    ("/public/results/", "results"), ("/public/results/JL2026-000001/", "results"), ("/public/list/", "list"),
    ("/public/plans/", "plans"), ("/public/items/", "items"), ("/public/verify/", "verify"),
    ("/public/verification/", "verify"), ("/public/", None), ("/public/opendata/", None),
    ("/public/results/JL2026-000001/objection/", "results"), ("/public/objections/", None)])
def test_the_navigation_marks_the_section_the_page_is_in(client, data, path, current):
    text = client.get(path).content.decode()
    nav = re.search(r'<nav class="public-nav".*?</nav>', text, re.S).group(0)
    marked = re.findall(r'<a href="([^"]+)"\s+aria-current="page"', nav)
    assert marked == ([PAGES[current]] if current else [])


@pytest.mark.parametrize("path", ["/public/", "/public/results/", "/public/results/JL2026-000001/",
                                  "/public/results/JL2026-000003/", "/public/list/", "/public/plans/",
                                  "/public/items/", "/public/verify/", "/public/verification/", "/public/opendata/",
                                  "/public/results/JL2026-000001/objection/", "/public/objections/"])
def test_every_public_page_has_a_title_one_heading_and_tables_with_headers(client, data, path):
    text = client.get(path).content.decode()
    assert re.search(r'<html lang="zh-hans">', text)
    assert re.search(r"<title>[^<·]+\S · ", text)  # the page's own title before the portal's name
    assert len(re.findall(r"<h1[ >]", text)) == 1
    for table in re.findall(r"<table.*?</table>", text, re.S):
        assert "<th" in table, table[:300]
    for img in re.findall(r"<img[^>]*>", text):
        assert "alt=" in img
    # Every field a reader fills has a label (its id named by a <label for>) or a name of its own.
    labels = set(re.findall(r'<label[^>]*for="([^"]+)"', text))
    for field in re.findall(r"<(?:input|select|textarea)\b[^>]*>", text):
        if 'type="hidden"' in field or 'type="submit"' in field:
            continue
        named = re.search(r'id="([^"]+)"', field)
        assert (named and named.group(1) in labels) or "aria-label=" in field, field


def test_the_home_search_has_a_visible_label_not_a_placeholder(client, data):
    text = client.get("/public/").content.decode()
    form = re.search(r'<form method="get" action="/public/results/" role="search">.*?</form>', text, re.S).group(0)
    assert '<label class="form-label" for="home-q">' in form and 'id="home-q"' in form
    assert "placeholder=" not in form


def test_what_the_guide_says_of_a_sealed_manifest_alone_is_what_the_verifier_says(client, tree, tmp_path):
    """docs/guide/verify.md and the verify page tell a reader who runs the verifier on a sealed manifest what the
    message means (the draw is not wrong, the secret is not out yet): the message quoted is the verifier's."""
    import subprocess
    import sys
    from pathlib import Path

    from tests.disclosure.test_portal import TOOLS, make_plan

    plan = make_plan(tree["a"], 2)
    response = client.get(f"/public/plans/{plan.pk}/draws/1/manifest.json")
    assert response["X-Manifest-State"] == "sealed"
    sealed = tmp_path / f"plan{plan.pk}-draw1-sealed.json"
    sealed.write_bytes(response.content)
    run = subprocess.run([sys.executable, str(TOOLS / "verify_draw.py"), str(sealed)], capture_output=True,
                         text=True, check=False)
    assert run.returncode == 1
    quoted = "SEALED 封存清单"
    assert run.stdout.startswith(quoted) and "这不说明抽取有误" in run.stdout
    guide = (Path(__file__).resolve().parents[2] / "docs" / "guide" / "verify.md").read_text(encoding="utf-8")
    assert f"它答 `{quoted}`，退出码 1" in guide
    page = client.get("/public/verify/").content.decode()
    assert f"程序会报“{quoted}”（退出码 1）" in page


def test_a_stratum_is_named_in_words_and_its_manifest_key_introduced_as_such(client, tree):
    """The selection and the verify page's example showed a bare "general" in the Chinese interface; the key is
    kept (the reader finds it in the manifest and in the seed), said to be the manifest's spelling."""
    from tests.disclosure.test_portal import make_plan

    plan = make_plan(tree["a"], 1, revealed=True)
    text = client.get(f"/public/plans/{plan.pk}/").content.decode()
    assert ('<strong>一般排污单位</strong> <small class="text-secondary">（清单中写作 '
            '<span class="font-monospace">general</span>）</small>') in text
    verify = client.get("/public/verify/").content.decode()
    assert "类别“一般排污单位”（清单中写作 general）：从" in verify
    client.cookies["django_language"] = "en"
    verify = client.get("/public/verify/").content.decode()
    assert 'stratum "General unit" (general in the manifest):' in verify


@pytest.mark.parametrize(("stored", "english"), [
    ("线索核查：2026-11-29 发现的线索经钱立新批准现场检查，该企业为唯一的必查对象；检查人员照常随机选派。"
     "这是针对线索的检查，不计入任何随机抽查比例。",
     "Clue check: the clue found on 2026-11-29 was approved for an on-site check by 钱立新;"),
    ("跨部门联合抽查：保定市市场监督管理局在部门协同监管平台抽取的 4 家检查对象，均为必查对象；"
     "本局执法人员照常随机选派。检查对象不是按本局各类别抽取的，不计入本局任何随机抽查比例。",
     "Cross-department joint check: all the targets 保定市市场监督管理局 drew on the joint supervision platform are "
     "must-inspect (4 in all)"),
])
def test_a_clue_or_cross_department_plans_explanation_reads_in_english(stored, english):
    """The one stratum's explanation of a clue check or a cross-department check, as planning.services writes
    it, stayed Chinese on the English plan page (public and staff)."""
    from django.utils import translation

    from shuangsuiji.systemtext import system_text

    with translation.override("en"):
        assert system_text(stored).startswith(english)
    with translation.override("zh-hans"):
        assert system_text(stored) == stored


@pytest.mark.parametrize(("path", "filtered", "says"), [
    ("/public/verification/", {"year": "2020"}, "没有符合条件的已抽取计划"),
    ("/public/items/", {"jurisdiction": "130624"}, "没有符合条件的抽查事项"),
])
def test_an_empty_filtered_list_says_nothing_matches_not_that_there_is_nothing(client, tree, path, filtered, says):
    """"尚无已抽取的公开计划" under a year filter read as "no plan was ever drawn"."""
    text = client.get(path, filtered).content.decode()
    assert says in text and "尚无" not in text


def test_a_public_number_typed_into_the_address_in_lower_case_or_full_width_opens_its_result(client, data):
    """The search box read jl2026-000001 as JL2026-000001; the same number typed into the address (from a
    printed notice) was a 404, on the page, the API and the objection form alike."""
    for typed in ("jl2026-000001", fullwidth("JL2026-000001")):
        page = client.get(f"/public/results/{typed}/")
        assert page.status_code == 200 and "JL2026-000001" in page.content.decode()
        assert client.get(f"/api/public/results/{typed}/").json()["public_id"] == "JL2026-000001"
        assert client.get(f"/public/results/{typed}/objection/").status_code == 200
    assert client.get("/public/results/jl2026-999999/").status_code == 404
