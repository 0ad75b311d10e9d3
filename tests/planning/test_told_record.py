"""A merged visit's record says what its officers were sent to do: the plans told (dispatched), not another plan that
drew the firm too and has not gone out (``models.told_selections``).

- Before the city's dispatch the draft of a visit out for the county's plan names the county's plan alone as its
  检查来源 (page, PDF), and checks the county's items alone; the task page, the API and the phone's brief show the
  city's extra item to the city's readers only. The city's dispatch adds its source and its item to the draft, and the
  record's history says so (``record.team_joined``).
- A record sealed before the city's dispatch stays as sealed: its sources, items and seal, for every reader.
- An amendment (更正) of that record is written and signed by the county's team that went (``team_places_at`` the
  visit's seal), not by the city's officers who joined the visit after it; its sources and items are the record's."""

import re
import shutil
import subprocess

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from rest_framework.test import APIClient

from shuangsuiji.audit.models import Event
from shuangsuiji.fieldwork import permissions as record_permissions
from shuangsuiji.fieldwork import sealing
from shuangsuiji.fieldwork import services as fieldwork
from shuangsuiji.fieldwork.pdf import render_record_pdf
from shuangsuiji.planning import services
from shuangsuiji.planning.models import told_selections
from shuangsuiji.registry.models import CheckItem
from tests.fieldwork.conftest import signature_png, submitted

from .test_services import _officer

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("current_quarter")]

READERS = ["county_admin", "city_admin", "county_officer", "city_officer", "department_user", "leader"]
"""Every role that reads records: the drawing county's admin, the city's, the officer on the team, the officer the
city's undispatched draw put on the visit, the county's department user, the city's leader."""
EXTRA = "C-09"


@pytest.fixture
def visit(city, merged):
    """The ``merged`` visit, whose city plan asks an item the county's does not (``EXTRA``), with the users by role."""
    task, city_plan = merged["task"], merged["city_plan"]
    item = CheckItem.objects.create(code=EXTRA, name="市级专项检查事项", legal_basis="环境保护法", content="专项核查",
                                    jurisdiction=city["tree"]["city"],
                                    responsible_department=city["tree"]["departments"][city["tree"]["city"].code])
    city_plan.check_items.add(item)
    assert EXTRA in {i.code for i in task.check_items()}  # the city's plan asks it of the visit
    city_member = task.members.filter(draw__plan=city_plan, active=True).select_related("inspector").first()
    users = {**city["users"], "county_officer": merged["county_officer"], "city_officer": _officer(city_member)}
    county_plan = task.selections.exclude(plan=city_plan).get().plan
    return {**merged, "users": users, "county_plan": county_plan, "city_inspector": city_member.inspector}


def sources_on(client, record) -> str | None:
    """The record page's 检查来源 line as ``client`` reads it, None when he may not open the record."""
    response = client.get(reverse("fieldwork:record_detail", args=[record.pk]))
    if response.status_code != 200:
        assert response.status_code in (403, 404)
        return None
    page = response.content.decode()
    match = re.search(r'id="record-sources">(.*?)</div>', page, re.S)
    assert match, "the record names its sources"
    return match.group(1)


def pdf_text(record, tmp_path) -> str:
    path = tmp_path / f"record-{record.pk}.pdf"
    path.write_bytes(render_record_pdf(record))
    text = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, check=True, text=True).stdout
    return "".join(text.split())


def codes(record) -> list[str]:
    return list(record.items.order_by("order").values_list("code", flat=True))


@pytest.mark.parametrize("name", READERS)
def test_a_draft_names_and_checks_the_told_plans_until_the_other_goes_out(client, visit, name):
    task, city_plan, county_plan = visit["task"], visit["city_plan"], visit["county_plan"]
    record = fieldwork.do_start_record(task, acting_user=visit["county_officer"])
    assert EXTRA not in codes(record)  # the county's officers were told the county's items
    assert fieldwork.record_sources(record) == [str(county_plan)]
    client.force_login(visit["users"][name])
    line = sources_on(client, record)
    assert line is None or (str(county_plan) in line and str(city_plan) not in line), name
    # the city's readers see the city's item on the task page and in the API before its dispatch; nobody else does
    reads_city = name in ("city_admin", "leader")
    if name not in ("county_officer", "city_officer"):
        page = client.get(reverse("planning:task_detail", args=[task.pk])).content.decode()
        assert (EXTRA in page) is reads_city, name
        api = APIClient()
        api.force_authenticate(visit["users"][name])
        row = api.get(f"/api/planning/tasks/{task.pk}/").json()
        assert (EXTRA in {item["code"] for item in row["items"]}) is reads_city, name
    elif name == "county_officer":
        assert EXTRA not in client.get(reverse("fieldwork:task_brief", args=[task.pk])).content.decode()

    revision = record.revision
    services.do_dispatch(city_plan, acting_user=visit["users"]["city_admin"])
    record.refresh_from_db()
    # dispatched: its source and its item join the draft, after the county's rows, and the history says so
    assert fieldwork.record_sources(record) == sorted([str(county_plan), str(city_plan)],
                                                      key=lambda title: title != str(county_plan))
    assert codes(record)[-1] == EXTRA and record.revision > revision
    event = Event.objects.get(action="record.team_joined", object_id=str(record.pk))
    assert event.changes["items"] == [EXTRA] and event.changes["plan"] == str(city_plan)
    line = sources_on(client, record)
    assert line is None or (str(county_plan) in line and str(city_plan) in line), name


@pytest.mark.parametrize("name", READERS)
def test_a_record_sealed_before_the_other_plans_dispatch_stays_as_sealed(client, visit, name, tmp_path):
    task, city_plan, county_plan = visit["task"], visit["city_plan"], visit["county_plan"]
    record = submitted(task, visit["county_officer"], place="生产车间", address="涞水县经济开发区",
                       legal_representative="赵大勇")
    assert EXTRA not in codes(record) and sealing.verify(record) == []
    client.force_login(visit["users"][name])
    before = sources_on(client, record)
    assert before is None or (str(county_plan) in before and str(city_plan) not in before), name
    services.do_dispatch(city_plan, acting_user=visit["users"]["city_admin"])
    record.refresh_from_db()
    # the city's officers join the visit now; its record was written for the county's plan and stays so
    assert fieldwork.record_sources(record) == [str(county_plan)]
    assert EXTRA not in codes(record) and sealing.verify(record) == []
    after = sources_on(client, record)
    assert after == before or (before is None and str(city_plan) not in (after or "")), name
    if name == "county_admin" and shutil.which("pdftotext"):
        text = pdf_text(record, tmp_path)
        assert "".join(str(county_plan).split()) in text and "".join(str(city_plan).split()) not in text


def test_an_amendment_of_a_record_sealed_before_the_dispatch_is_the_teams_that_went(visit):
    task, city_plan, county_plan = visit["task"], visit["city_plan"], visit["county_plan"]
    users = visit["users"]
    record = submitted(task, visit["county_officer"], place="生产车间", address="涞水县经济开发区",
                       legal_representative="赵大勇")
    went = {s.inspector_id for s in record.signatures.all() if s.inspector_id}
    services.do_dispatch(city_plan, acting_user=users["city_admin"])
    assert visit["city_inspector"].pk in set(task.members.filter(active=True).values_list("inspector_id", flat=True))
    fieldwork.do_review_record(record, passed=False, reason="现场负责人职务有误", acting_user=users["county_admin"])
    record.refresh_from_db()
    amendment = record.amendment
    # its signers are the team that went, as told when the record was sealed: not the city's officers who joined later
    assert {p.inspector.pk for p in fieldwork.participants(amendment)} == went
    assert record_permissions.team_inspector_ids(amendment) == went
    with pytest.raises(PermissionDenied):
        fieldwork.do_sign(amendment, acting_user=users["city_officer"], png=signature_png(7),
                          revision=amendment.revision, inspector=visit["city_inspector"])
    assert fieldwork.record_sources(amendment) == [str(county_plan)] and EXTRA not in codes(amendment)
    # the team that went corrects it, signs and submits it: the city's officers are not waited for
    fieldwork.do_save_draft(amendment, acting_user=users["county_officer"], values={"site_manager_position": "厂长"},
                            items={})
    amendment.refresh_from_db()
    for person in fieldwork.participants(amendment):
        fieldwork.do_sign(amendment, acting_user=_officer(task.members.filter(inspector=person.inspector).first()),
                          png=signature_png(person.inspector.pk), revision=amendment.revision,
                          inspector=person.inspector)
    fieldwork.do_sign(amendment, acting_user=users["county_officer"], png=signature_png(99),
                      revision=amendment.revision)
    sealed = fieldwork.do_submit_record(amendment, acting_user=users["county_officer"])
    assert sealed.is_sealed and {s.inspector_id for s in sealed.signatures.all() if s.inspector_id} == went
    assert fieldwork.record_sources(sealed) == [str(county_plan)]


def test_told_selections_at_a_seal(visit):
    """The cut-off itself: the city's selection is told after its dispatch, and not at a seal before it."""
    task, city_plan = visit["task"], visit["city_plan"]
    record = submitted(task, visit["county_officer"], place="生产车间", address="涞水县经济开发区",
                       legal_representative="赵大勇")
    told = set(task.selections.filter(told_selections()).values_list("plan_id", flat=True))
    assert city_plan.pk not in told
    services.do_dispatch(city_plan, acting_user=None)
    assert city_plan.pk in set(task.selections.filter(told_selections()).values_list("plan_id", flat=True))
    assert city_plan.pk not in set(task.selections.filter(told_selections(record.sealed_at))
                                   .values_list("plan_id", flat=True))
