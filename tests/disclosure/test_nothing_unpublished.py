# ruff: noqa: F811 (fixtures of the fieldwork and planning tests, imported by name, are parameters here)
"""Nothing the public may not read reaches the portal — records made, sealed and reviewed through the fieldwork
services and published through the disclosure services, plans drawn through the real ceremony.

Distinctive personal values are planted in the records (a site manager's name, phones, an identity number, the
legal representative and contact, an officer's phone); the whole portal — every page and every download — is
fetched and searched for them, and for the rows of batches that were prepared or reviewed but not released,
for withheld and masked content, and (before the reveal) for a draw's secret, seed and selection."""

import datetime
import json

import pytest
from django.utils import timezone

from shuangsuiji.disclosure import services
from shuangsuiji.disclosure.models import ListedTarget, Publication, PublicationStatus, PublishedResult
from shuangsuiji.fieldwork import services as fieldwork
from shuangsuiji.fieldwork.models import Handling, InspectionRecord
from shuangsuiji.fieldwork.models import Outcome as ItemOutcome
from shuangsuiji.planning import services as planning
from shuangsuiji.planning.models import Draw, MemberRole
from shuangsuiji.registry.models import Target
from tests.fieldwork.conftest import (  # noqa: F401
    code_for,
    items,
    make_task,
    sign_all,
    target,
    task,
    team,
    when,
)
from tests.planning.conftest import ceremony, city  # noqa: F401

pytestmark = pytest.mark.django_db

SITE_MANAGER = "欧阳秘密"
SITE_PHONE = "13900001111"
ID_NUMBER = "110101199003071234"
OFFICER_PHONE = "13711112222"
LEGAL_REP = "赵大勇"  # the ``target`` fixture's legal representative
CONTACT = "钱经理"
CONTACT_PHONE = "0312-4500001"
PERSONAL = (SITE_MANAGER, SITE_PHONE, ID_NUMBER, OFFICER_PHONE, LEGAL_REP, CONTACT, CONTACT_PHONE)


def reviewed_record(task, users, *, problem: bool = False) -> InspectionRecord:
    """A record whose team typed personal data everywhere it could, signed, sealed and passed in review."""
    user = users["inspector"]
    record = fieldwork.do_start_record(task, acting_user=user)
    values = {"started_at": when(3), "ended_at": when(2), "site_manager_name": SITE_MANAGER,
              "site_manager_position": "环保负责人", "site_manager_phone": SITE_PHONE, "place": "生产车间",
              "findings": f"现场负责人{SITE_MANAGER}（身份证{ID_NUMBER}，电话{SITE_PHONE}）陪同检查。"}
    item_values = {}
    for n, item in enumerate(record.items.order_by("order")):
        if n == 0 and problem:
            item_values[item.pk] = {
                "outcome": ItemOutcome.PROBLEM, "handling": Handling.ORDER,
                "deadline": timezone.localdate() + datetime.timedelta(days=10),
                "notes": f"布袋除尘器破损，{SITE_MANAGER}称已报修，联系电话{SITE_PHONE}，身份证{ID_NUMBER}"}
        else:
            item_values[item.pk] = {"outcome": ItemOutcome.NO_PROBLEM}
    record = fieldwork.do_save_draft(record, acting_user=user, values=values, items=item_values)
    sign_all(record, user)
    record = fieldwork.do_submit_record(InspectionRecord.objects.get(pk=record.pk), acting_user=user)
    fieldwork.do_review_record(record, passed=True, acting_user=users["county_admin"])
    return InspectionRecord.objects.get(pk=record.pk)


def other_task(tree, items, team, serial: int, name: str, jurisdiction=None):
    place = jurisdiction or tree["a"]
    target = Target.objects.create(credit_code=code_for(place.code, serial), name=name, jurisdiction=place,
                                   industry_code="C2614", industry_name="有机化学原料制造",
                                   address="涞水县经济开发区", legal_representative=LEGAL_REP, contact_name=CONTACT,
                                   contact_phone=CONTACT_PHONE)
    return make_task(target, items, [(team["first"], MemberRole.OFFICER), (team["second"], MemberRole.OFFICER)])


def release(batch: Publication, users) -> Publication:
    services.do_review(batch, acting_user=users["leader"])
    return services.do_release(batch, acting_user=users["city_admin"])


@pytest.fixture
def portal(tree, items, team, users, task):
    """County A's month released: a result with a problem, one withheld by a case decision, one with its name
    and code masked. Then a supplementary batch of the same month prepared and reviewed but not released, and
    an annual list of county A reviewed but not released; county B's annual list released."""
    team["first"].phone = OFFICER_PHONE
    team["first"].save(update_fields=["phone"])
    county = users["county_admin"]
    shown = reviewed_record(task, users, problem=True)
    withheld = reviewed_record(other_task(tree, items, team, 21, "涞水县保密材料厂"), users)
    masked = reviewed_record(other_task(tree, items, team, 22, "涞水县隐名化工厂"), users)
    services.do_decide_redaction(withheld, action="withhold", basis="commercial", reason="涉及商业秘密的配方",
                                 acting_user=county)
    services.do_decide_redaction(masked, action="mask", fields=["target_name", "credit_code"], basis="privacy",
                                 reason="个体工商户，名称即经营者姓名", acting_user=county)
    day = timezone.localdate(shown.ended_at)
    release(services.do_prepare_results(jurisdiction=tree["a"], year=day.year, month=day.month,
                                        acting_user=county), users)
    late = reviewed_record(other_task(tree, items, team, 23, "涞水县未发布印染厂"), users)
    supplementary = services.do_prepare_results(jurisdiction=tree["a"], year=day.year, month=day.month,
                                                acting_user=county)
    services.do_review(supplementary, acting_user=users["leader"])
    annual_a = services.do_prepare_annual_list(jurisdiction=tree["a"], year=day.year, acting_user=county)
    services.do_review(annual_a, acting_user=users["leader"])
    Target.objects.create(credit_code=code_for("130624", 31), name="阜平县公开石材厂", jurisdiction=tree["b"],
                          legal_representative=LEGAL_REP, contact_phone=CONTACT_PHONE)
    release(services.do_prepare_annual_list(jurisdiction=tree["b"], year=day.year, acting_user=users["city_admin"]),
            users)
    return {"shown": shown, "withheld": withheld, "masked": masked, "late": late, "day": day,
            "unreleased": [supplementary, annual_a]}


def crawl(client, extra: list[str] = ()) -> str:
    """Every portal page and download, and the detail page of everything they link to."""
    texts = []
    paths = ["/public/", "/public/items/", "/public/list/", "/public/plans/", "/public/results/",
             "/public/verification/", "/public/verify/"]
    for path in ["/public/list/", "/public/results/", "/public/plans/", "/public/items/", "/public/verification/"]:
        paths += [f"{path}?format=csv", f"{path}?format=json"]
    paths += [f"/public/results/{r.public_id}/" for r in PublishedResult.objects.published()]
    codes = {r.credit_code for r in PublishedResult.objects.published() if r.credit_code}
    codes |= set(ListedTarget.objects.published().values_list("credit_code", flat=True))
    paths += [f"/public/targets/{code}/" for code in codes] + [f"/public/targets/{c}/?format=csv" for c in codes]
    for path in [*paths, *extra]:
        response = client.get(path)
        assert response.status_code == 200, path
        body = b"".join(response.streaming_content) if response.streaming else response.content
        texts.append(body.decode("utf-8"))
    return "\n".join(texts)


def test_personal_data_withheld_and_masked_content_never_reach_any_page_or_download(client, portal, target):
    shown, withheld, masked = portal["shown"], portal["withheld"], portal["masked"]
    text = crawl(client)
    # What must be there is there: the crawl reads real pages, not error pages.
    assert shown.number in text and "涞水县甲化工有限公司" in text and "布袋除尘器破损" in text
    assert withheld.number in text and "涉及商业秘密" in text and masked.number in text
    assert "阜平县公开石材厂" in text
    for value in PERSONAL:
        assert value not in text, value
    for hidden in ("涞水县保密材料厂", withheld.target.credit_code, "涞水县隐名化工厂", masked.target.credit_code):
        assert hidden not in text, hidden
    detail = client.get(f"/public/results/{withheld.number}/").content.decode()
    assert "依法不予公开" in detail and "涉及商业秘密" in detail
    masked_detail = client.get(f"/public/results/{masked.number}/").content.decode()
    assert "依法隐去" in masked_detail and "涉及个人隐私" in masked_detail
    # The withheld target's code finds nothing: its page does not confirm it was inspected.
    assert client.get(f"/public/targets/{withheld.target.credit_code}/").status_code == 404


def test_prepared_or_reviewed_batches_are_absent_from_lists_details_and_downloads(client, portal):
    late = portal["late"]
    assert [Publication.objects.get(pk=b.pk).status for b in portal["unreleased"]] == [PublicationStatus.REVIEWED] * 2
    text = crawl(client)
    assert late.number not in text and "涞水县未发布印染厂" not in text and late.target.credit_code not in text
    assert client.get(f"/public/results/{late.number}/").status_code == 404
    assert client.get(f"/public/targets/{late.target.credit_code}/").status_code == 404
    # County A's reviewed annual list is not out: its rows are in no list, by any filter.
    assert "涞水县甲化工有限公司" not in client.get("/public/list/", {"jurisdiction": "130623"}).content.decode()
    for fmt in ("csv", "json"):
        body = b"".join(client.get("/public/list/", {"format": fmt}).streaming_content).decode()
        assert "阜平县公开石材厂" in body and "涞水县" not in body
    month = portal["day"].strftime("%Y-%m")
    body = json.loads(b"".join(client.get("/public/results/", {"format": "json", "month": month})
                               .streaming_content))
    assert sorted(r["public_id"] for r in body["results"]) == sorted(
        [portal["shown"].number, portal["withheld"].number, portal["masked"].number])


def test_a_draft_plan_is_not_there_and_a_sealed_draw_shows_neither_secret_nor_selection(client, city):
    county = city["users"]["county_admin"]
    plan = planning.do_create_plan(jurisdiction=city["tree"]["a"], year=2021, quarter=2, acting_user=county)
    draft = planning.do_create_plan(jurisdiction=city["tree"]["b"], year=2021, quarter=2,
                                    acting_user=city["users"]["city_admin"])
    assert client.get(f"/public/plans/{plan.pk}/").status_code == 404  # a draft: nothing is public yet
    draw = ceremony(plan, user=county)
    planning.do_dispatch(plan, acting_user=county)
    draw = Draw.objects.get(pk=draw.pk)
    selected = [s["id"] for stratum in draw.manifest["strata"] for s in stratum["selected"]]
    assert selected and draw.secret and draw.seed

    page = client.get(f"/public/plans/{plan.pk}/").content.decode()
    assert draw.inputs_hash in page and draw.commitment in page
    assert draw.public_value in page, draw.public_value
    manifest = client.get(f"/public/plans/{plan.pk}/draws/{draw.number}/manifest.json")
    assert manifest["X-Manifest-State"] == "sealed" and json.loads(manifest.content)["state"] == "sealed"
    everything = page + manifest.content.decode() + crawl(client)
    for secret in (draw.secret, draw.seed, *selected):
        assert secret not in everything, secret
    assert "已封存" in client.get("/public/verification/").content.decode()

    assert client.get(f"/public/plans/{draft.pk}/").status_code == 404
    assert client.get(f"/public/plans/{draft.pk}/draws/1/manifest.json").status_code == 404
    assert str(draft) not in client.get("/public/plans/").content.decode()

    planning.do_reveal(plan, acting_user=county)
    page = client.get(f"/public/plans/{plan.pk}/").content.decode()
    assert draw.secret in page and draw.seed in page and all(code in page for code in selected)
    complete = client.get(f"/public/plans/{plan.pk}/draws/{draw.number}/manifest.json")
    assert complete["X-Manifest-State"] == "complete" and json.loads(complete.content)["secret"] == draw.secret
    services.do_verify_draw(draw)
    assert "验证通过" in client.get("/public/verification/").content.decode()
