"""The verify page followed literally, as a citizen with the portal and Python alone: download what its links give
into an empty folder, run the command it prints, and compare the inputs hash the verifier prints with the plan page.
Before the reveal, the plan page says what can be checked now and when the rest can."""

import html
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from shuangsuiji.planning.models import Draw
from tests.disclosure.test_portal import make_plan

ROOT = Path(__file__).resolve().parents[2]
VECTOR = ROOT / "tests" / "engine" / "vectors" / "draw-manifest.json"
pytestmark = pytest.mark.django_db


def text_of(client, path: str, language: str = "zh-hans") -> str:
    client.cookies["django_language"] = language
    response = client.get(path)
    assert response.status_code == 200, path
    return response.content.decode()


def download(client, href: str, folder: Path) -> Path:
    response = client.get(href)
    assert response.status_code == 200, href
    name = re.search(r'filename="([^"]+)"', response["Content-Disposition"]).group(1)
    (folder / name).write_bytes(response.content)
    return folder / name


def revealed_plan_with_a_real_manifest(tree):
    plan = make_plan(tree["a"], 1, revealed=True)
    manifest = json.loads(VECTOR.read_text(encoding="utf-8"))
    Draw.objects.filter(plan=plan).update(manifest=manifest, inputs_hash=manifest["inputs_hash"],
                                          commitment=manifest["commitment"], seed=manifest["seed"],
                                          secret=manifest["secret"])
    return plan, manifest


@pytest.mark.parametrize("language, said", [("zh-hans", "OK 验证通过"), ("en", "OK: the ")])
def test_the_verify_page_followed_literally_verifies_the_plan_pages_draw(client, tree, tmp_path, language, said):
    plan, manifest = revealed_plan_with_a_real_manifest(tree)
    page = text_of(client, "/public/verify/", language)
    for href in re.findall(r'href="(/public/verify/verify_[a-z_]+\.py)"', page):
        download(client, href, tmp_path)
    example = re.search(r'href="(/public/plans/\d+/draws/\d+/manifest\.json)" download', page).group(1)
    saved = download(client, example, tmp_path)
    command = next(block for block in re.findall(r'<pre class="public-code">(.*?)</pre>', page, re.S)
                   if block.startswith("python3 verify_draw.py plan")).split()
    assert command[2] == saved.name
    done = subprocess.run([sys.executable, "-I", "-S", *command[1:]], cwd=tmp_path, capture_output=True, text=True,
                          encoding="utf-8")
    assert done.returncode == 0 and done.stdout.startswith(said), done.stdout + done.stderr
    if language == "en":
        assert not re.search(r"[\u4e00-\u9fff]", done.stdout)
    # the step the page adds: the hash printed is the one the plan page published
    plan_page = text_of(client, f"/public/plans/{plan.pk}/", language)
    assert manifest["inputs_hash"] in done.stdout and manifest["inputs_hash"] in plan_page
    assert 'id="compare-hash"' in page


def test_the_specifications_the_page_cites_are_linked_and_served(client):
    page = text_of(client, "/public/verify/")
    for name, title in (("draw-spec.md", "shuangsuiji-draw/1"), ("assignment-spec.md", "shuangsuiji-assignment/1")):
        assert f'href="/public/verify/{name}"' in page
        response = client.get(f"/public/verify/{name}")
        assert response.status_code == 200 and response["Content-Type"] == "text/plain; charset=utf-8"
        assert response.content == (ROOT / "docs" / name).read_bytes() and title in response.content.decode()
    assert client.get("/public/verify/operations.md").status_code == 404


def test_the_sealed_alone_paragraph_says_what_the_verifier_prints(client, tree, tmp_path):
    # The page said the program reports "only a revealed manifest can be recomputed"; it now answers SEALED and
    # prints the hashes to compare. Run it on the sealed manifest the plan page offers.
    plan = make_plan(tree["a"], 2)
    manifest = json.loads(VECTOR.read_text(encoding="utf-8"))
    Draw.objects.filter(plan=plan).update(manifest=manifest, inputs_hash=manifest["inputs_hash"])
    plan_page = text_of(client, f"/public/plans/{plan.pk}/")
    now = html.unescape(re.search(r'id="draw-1-now">(.*?)</p>', plan_page, re.S).group(1))
    assert "输入哈希和密钥承诺" in now and "本季度检查结束、密钥公开后" in now
    for name in ("verify_draw.py", "verify_assignment.py"):
        download(client, f"/public/verify/{name}", tmp_path)
    saved = download(client, f"/public/plans/{plan.pk}/draws/1/manifest.json", tmp_path)
    assert saved.name.endswith("-sealed.json")
    done = subprocess.run([sys.executable, "-I", "-S", "verify_draw.py", saved.name], cwd=tmp_path,
                          capture_output=True, text=True, encoding="utf-8")
    page = text_of(client, "/public/verify/")
    paragraph = re.search(r'id="sealed-alone">(.*?)</p>', page, re.S).group(1)
    assert done.returncode == 1 and "“SEALED 封存清单”（退出码 1）" in paragraph
    assert done.stdout.startswith("SEALED 封存清单") and manifest["inputs_hash"] in done.stdout
    assert manifest["commitment"] in done.stdout
    english = text_of(client, f"/public/plans/{plan.pk}/", "en")
    assert "What can be checked now" in english


@pytest.mark.parametrize("language, label", [("zh-hans", "行政区划代码："), ("en", "Division code: ")])
def test_the_plan_page_shows_the_division_code_the_verifier_names_the_plan_by(client, tree, language, label):
    """A manifest names its plan by the division code (inputs.plan.jurisdiction) and verify_draw.py prints it; the
    plan page named the place only, so a reader could not match the two without looking the code up elsewhere."""
    plan, _manifest = revealed_plan_with_a_real_manifest(tree)
    page = html.unescape(re.sub(r"<[^>]+>", "", text_of(client, f"/public/plans/{plan.pk}/", language)))
    assert f"{label}{plan.jurisdiction.code}" in page
    verify = html.unescape(re.sub(r"<[^>]+>", "", text_of(client, "/public/verify/", language)))
    assert ("计划页面标题下写有行政区划代码" if language == "zh-hans" else
            "the plan page shows the division code under its title") in verify


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_lang_option_is_not_broken_at_its_hyphens_on_a_phone(client, language):
    """On a 390-pixel phone the English paragraph broke "--lang en" after its first hyphen ("-" / "-lang en"),
    which a reader typed as "-lang"; the option is kept on one line, and shown as HTML, not as escaped tags."""
    page = text_of(client, "/public/verify/", language)
    paragraph = re.search(r'id="verify-output">(.*?)</p>', page, re.S).group(1)
    assert '<span class="text-nowrap">--lang en</span>' in paragraph and "&lt;" not in paragraph
