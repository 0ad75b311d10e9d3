"""The sealed manifest after the reveal: a reader who did not save it at the draw could not run the verifier's
``--sealed`` check, because the portal then served only the complete manifest and the plan page did not say so."""

import copy
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils import timezone

from shuangsuiji.planning.models import Draw
from tests.disclosure.test_portal import TOOLS, make_plan

pytestmark = pytest.mark.django_db

VECTORS = Path(__file__).resolve().parents[1] / "engine" / "vectors"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_the_sealed_manifest_served_after_the_reveal_is_the_one_published_at_the_draw(client, tree, tmp_path):
    """Byte for byte: the file hash the plan page showed before the reveal is the hash of what is served after it,
    although a substitution has changed the stored manifest in between; the verifier accepts the pair."""
    revealed = json.loads((VECTORS / "draw-manifest.json").read_text(encoding="utf-8"))
    at_the_draw = copy.deepcopy(revealed)
    at_the_draw["substitutions"] = []  # the vector's substitution comes after the draw, as do_substitute_* does
    plan = make_plan(tree["a"], 3)
    Draw.objects.filter(plan=plan).update(manifest=at_the_draw)
    base = f"/public/plans/{plan.pk}/draws/1/"

    before = client.get(base + "manifest.json")
    assert before["X-Manifest-State"] == "sealed"
    published = sha256(before.content)
    page = client.get(f"/public/plans/{plan.pk}/").content.decode()
    assert f'id="draw-1-sealed-sha256">{published}<' in page
    assert client.get(base + "manifest-sealed.json").content == before.content

    Draw.objects.filter(plan=plan).update(manifest=revealed)
    plan.revealed_at = timezone.now()
    plan.save(update_fields=["revealed_at"])

    complete = client.get(base + "manifest.json")
    assert complete["X-Manifest-State"] == "complete"
    sealed = client.get(base + "manifest-sealed.json")
    assert sealed.status_code == 200 and sealed["X-Manifest-State"] == "sealed"
    assert f'filename="plan{plan.pk}-draw1-sealed.json"' in sealed["Content-Disposition"]
    assert sha256(sealed.content) == published and sealed.content == before.content
    # The engine's own sealed form of the test vector: the same fields and values.
    assert json.loads(sealed.content) == json.loads((VECTORS / "draw-manifest-sealed.json").read_bytes())
    page = client.get(f"/public/plans/{plan.pk}/").content.decode()
    assert f'id="draw-1-sealed-sha256">{published}<' in page

    (tmp_path / "complete.json").write_bytes(complete.content)
    (tmp_path / "sealed.json").write_bytes(sealed.content)
    run = subprocess.run([sys.executable, str(TOOLS / "verify_draw.py"), str(tmp_path / "complete.json"),
                          "--sealed", str(tmp_path / "sealed.json")], capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stdout


def test_the_plan_page_offers_the_sealed_manifest_after_the_reveal_and_says_how_to_check_it(client, tree):
    plan = make_plan(tree["a"], 2, revealed=True)
    page = client.get(f"/public/plans/{plan.pk}/").content.decode()
    assert f'href="/public/plans/{plan.pk}/draws/1/manifest-sealed.json" download' in page
    assert "下载抽取时公开的封存清单（JSON）" in page
    assert (f"python3 verify_draw.py plan{plan.pk}-draw1-complete.json "
            f"--sealed plan{plan.pk}-draw1-sealed.json") in page
    # what the re-served copy cannot prove, said honestly, and whose record it is (the portal is every county's)
    assert "抽取结果哈希则以涞水县生态环境局保存的记录为准" in page
    verify = client.get("/public/verify/").content.decode()
    assert "计划页面仍提供“抽取时公开的封存清单”" in verify
    client.cookies["django_language"] = "en"
    page = client.get(f"/public/plans/{plan.pk}/").content.decode()
    assert "Download the sealed manifest published at the draw (JSON)" in page
    assert "Sealed manifest SHA-256" in page
    assert "for its selection hash you rely on the record kept by 涞水县 Ecology and Environment Bureau" in page
    verify = client.get("/public/verify/").content.decode()
    assert "still offers \"the sealed manifest published at the draw\"" in verify


def test_before_the_reveal_the_plan_page_offers_only_the_sealed_manifest(client, tree):
    plan = make_plan(tree["a"], 2)
    page = client.get(f"/public/plans/{plan.pk}/").content.decode()
    assert "manifest-sealed.json" not in page and 'id="draw-1-sealed"' not in page
    assert 'id="draw-1-sealed-sha256"' in page


def test_the_public_api_offers_the_sealed_manifest_after_the_reveal_as_the_portal_does(client, tree):
    """The API's manifest endpoint gives the complete manifest after the reveal: the sealed one, for the verifier's
    ``--sealed`` check, is offered beside it (manifest_sealed_url), the same bytes as the portal's, and documented."""
    from rest_framework.test import APIClient

    from tests.test_api_schema import SchemaGenerator

    revealed = json.loads((VECTORS / "draw-manifest.json").read_text(encoding="utf-8"))
    plan = make_plan(tree["a"], 3)
    Draw.objects.filter(plan=plan).update(manifest=revealed)
    plan.revealed_at = timezone.now()
    plan.save(update_fields=["revealed_at"])
    api = APIClient()
    (draw,) = api.get(f"/api/public/plans/{plan.pk}/").json()["draws"]
    assert draw["manifest_complete"] is True
    assert api.get(draw["manifest_url"])["X-Manifest-State"] == "complete"
    assert draw["manifest_sealed_url"].endswith(f"/api/public/plans/{plan.pk}/draws/1/manifest-sealed.json")
    sealed = api.get(draw["manifest_sealed_url"])
    assert sealed.status_code == 200 and sealed["X-Manifest-State"] == "sealed"
    assert sealed.content == client.get(f"/public/plans/{plan.pk}/draws/1/manifest-sealed.json").content
    assert api.get(f"/api/public/plans/{plan.pk}/draws/9/manifest-sealed.json").json() == {"detail": "未找到。"}

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"]["/api/public/plans/{plan_id}/draws/{number}/manifest-sealed.json"]["get"]
    assert "--sealed" in operation["description"]
    assert "manifest_sealed_url" in schema["components"]["schemas"]["Draw"]["properties"]


@pytest.mark.parametrize(("language", "says"), [
    ("zh-hans", "单位名称或统一社会信用代码最多 64 个字符，收到 65 个"),
    ("en", "Unit name or credit code: at most 64 characters, got 65")])
def test_a_search_over_the_limit_says_which_and_how_long_and_a_blank_page_size_is_the_default(language, says):
    """Django said "确保该变量包含不超过 64 字符 (目前字符数 65)。"; "?page_size= " (a space) was a 400 where an empty
    one is the default page."""
    from rest_framework.test import APIClient

    api = APIClient()
    api.cookies["django_language"] = language
    for path in ("/api/public/list/", "/api/public/results/"):
        assert api.get(path, {"q": "a" * 65}).json() == {"q": [says]}, path
        assert api.get(path, {"q": "a" * 64}).status_code == 200
        for blank in (" ", "  "):
            answer = api.get(path, {"page_size": blank, "page": blank})
            assert answer.status_code == 200, answer.content


def test_the_open_data_page_says_where_the_api_serves_the_sealed_manifest(client):
    for language, says in (("zh-hans", "公开密钥后，封存的清单仍在"),
                           ("en", "After the reveal the sealed manifest stays at")):
        client.cookies["django_language"] = language
        page = client.get("/public/opendata/").content.decode()
        assert says in page and "/manifest-sealed.json</code>" in page, language
