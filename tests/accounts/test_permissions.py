"""Every role against every registry page: what it lists, what it may open, what it may change.

County A (涞水县) and county B (阜平县) of 保定市 each hold a target, an inspector, a check item and a
department. The county admin, the department user and the inspector belong to A; the city admin and the
leader to the city; ``other_county_admin`` to B.
"""

import datetime
import io

import openpyxl
import pytest
from django.test import Client

from shuangsuiji.audit.models import Event
from shuangsuiji.engine.creditcode import complete
from shuangsuiji.registry.models import CheckItem, Department, Inspector, Target, TargetHistory
from tests.clients import signed_in

READ_ONLY = ["leader", "department_user", "inspector"]
IN_COUNTY_A = ["county_admin", "department_user", "inspector"]


@pytest.fixture
def world(tree, users):
    def county(key: str, serial: str) -> dict:
        jurisdiction = tree[key]
        department = Department.objects.create(jurisdiction=jurisdiction, name=f"{jurisdiction.name}监察股")
        return {
            "target": Target.objects.create(credit_code=complete(f"9113{jurisdiction.code[2:]}00000000{serial}"),
                                            name=f"{jurisdiction.name}化工厂", jurisdiction=jurisdiction),
            "inspector": Inspector.objects.create(
                name=f"{jurisdiction.name}王五", certificate_number=f"{jurisdiction.code}0009{serial}",
                certificate_expiry=datetime.date(2030, 1, 1), jurisdiction=jurisdiction, department=department),
            "checkitem": CheckItem.objects.create(
                code=f"{jurisdiction.code}-1", name=f"{jurisdiction.name}扬尘检查", legal_basis="大气污染防治法",
                content="查扬尘", jurisdiction=jurisdiction, list_level="county", responsible_department=department),
            "department": department,
        }

    return {"a": county("a", "1"), "b": county("b", "2")}


URLS = {"target": "targets", "inspector": "inspectors", "checkitem": "items", "department": "departments"}
NAME = {"target": "name", "inspector": "name", "checkitem": "name", "department": "name"}


def names_listed(client: Client, kind: str, world: dict) -> set[str]:
    content = client.get(f"/registry/{URLS[kind]}/").content.decode()
    return {county for county in ("a", "b") if getattr(world[county][kind], NAME[kind]) in content}


@pytest.mark.parametrize("kind", list(URLS))
@pytest.mark.parametrize("role, counties", [
    ("city_admin", {"a", "b"}), ("leader", {"a", "b"}), ("county_admin", {"a"}), ("department_user", {"a"}),
    ("inspector", {"a"}), ("other_county_admin", {"b"}),
])
def test_each_role_lists_its_scope_in_every_registry(world, users, kind, role, counties):
    assert names_listed(signed_in(users[role]), kind, world) == counties


@pytest.mark.parametrize("role", IN_COUNTY_A)
@pytest.mark.parametrize("kind", list(URLS))
def test_another_countys_detail_and_edit_answer_404(world, users, role, kind):
    client = signed_in(users[role])
    pk = world["b"][kind].pk
    assert client.get(f"/registry/{URLS[kind]}/{pk}/").status_code == 404
    assert client.get(f"/registry/{URLS[kind]}/{pk}/edit/").status_code == 404
    assert client.post(f"/registry/{URLS[kind]}/{pk}/edit/", {"name": "越权"}).status_code == 404
    assert getattr(type(world["b"][kind]).objects.get(pk=pk), NAME[kind]) != "越权"


@pytest.mark.parametrize("role", IN_COUNTY_A)
def test_another_countys_actions_answer_404(world, users, role):
    client = signed_in(users[role])
    assert client.post(f"/registry/targets/{world['b']['target'].pk}/defunct/",
                       {"defunct_date": "2021-06-30", "reason": "x"}).status_code == 404
    assert client.post(f"/registry/inspectors/{world['b']['inspector'].pk}/recusals/",
                       {"credit_code": world["b"]["target"].credit_code, "reason": "x"}).status_code == 404
    assert Target.objects.get(pk=world["b"]["target"].pk).is_active


def exported_cells(response) -> set[str]:
    workbook = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    return {str(cell) for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True)
            for cell in row if cell is not None}


@pytest.mark.parametrize("kind, excel", [("target", "targets"), ("inspector", "inspectors"),
                                         ("checkitem", "items")])
def test_export_holds_only_the_scope_and_another_countys_filter_is_404(world, users, tree, kind, excel):
    client = signed_in(users["county_admin"])
    own = client.get(f"/registry/{excel}/export.xlsx")
    assert own.status_code == 200
    cells = exported_cells(own)
    assert getattr(world["a"][kind], NAME[kind]) in cells
    assert getattr(world["b"][kind], NAME[kind]) not in cells
    assert client.get(f"/registry/{excel}/export.xlsx", {"jurisdiction": tree["b"].pk}).status_code == 404
    assert client.get(f"/registry/{URLS[kind]}/", {"jurisdiction": tree["b"].pk}).status_code == 404


def test_another_countys_department_as_a_filter_is_404(world, users):
    client = signed_in(users["county_admin"])
    assert client.get("/registry/inspectors/", {"department": world["b"]["department"].pk}).status_code == 404
    assert client.get("/registry/inspectors/export.xlsx",
                      {"department": world["b"]["department"].pk}).status_code == 404
    own = client.get("/registry/inspectors/", {"department": world["a"]["department"].pk}).content.decode()
    assert world["a"]["inspector"].name in own


def test_city_admin_exports_one_county_by_filter(world, users, tree):
    cells = exported_cells(signed_in(users["city_admin"]).get("/registry/targets/export.xlsx",
                                                          {"jurisdiction": tree["b"].pk}))
    assert world["b"]["target"].name in cells and world["a"]["target"].name not in cells


@pytest.mark.parametrize("role", READ_ONLY)
@pytest.mark.parametrize("kind", list(URLS))
def test_read_only_roles_read_in_scope_but_cannot_change(world, users, role, kind):
    client = signed_in(users[role])
    obj = world["a"][kind]
    detail = client.get(f"/registry/{URLS[kind]}/{obj.pk}/")
    assert detail.status_code == 200
    assert f"/registry/{URLS[kind]}/{obj.pk}/edit/" not in detail.content.decode()
    listing = client.get(f"/registry/{URLS[kind]}/").content.decode()
    assert f"/registry/{URLS[kind]}/new/" not in listing and "/import/" not in listing
    refused = client.get(f"/registry/{URLS[kind]}/{obj.pk}/edit/")
    assert refused.status_code == 403 and "您的角色只能查看名录库" in refused.content.decode()
    assert client.post(f"/registry/{URLS[kind]}/{obj.pk}/edit/", {"name": "改名"}).status_code == 403
    assert client.get(f"/registry/{URLS[kind]}/new/").status_code == 403
    assert client.post(f"/registry/{URLS[kind]}/new/", {"name": "新增"}).status_code == 403
    assert getattr(type(obj).objects.get(pk=obj.pk), NAME[kind]) == getattr(obj, NAME[kind])


@pytest.mark.parametrize("role", READ_ONLY)
def test_read_only_roles_cannot_act(world, users, role):
    client = signed_in(users[role])
    target, inspector = world["a"]["target"], world["a"]["inspector"]
    assert client.get(f"/registry/targets/{target.pk}/defunct/").status_code == 403
    assert client.post(f"/registry/targets/{target.pk}/defunct/",
                       {"defunct_date": "2021-06-30", "reason": "x"}).status_code == 403
    assert client.post(f"/registry/inspectors/{inspector.pk}/recusals/",
                       {"credit_code": target.credit_code, "reason": "x"}).status_code == 403
    assert client.post("/registry/targets/import/").status_code == 403
    assert Target.objects.get(pk=target.pk).is_active and not inspector.recusals.exists()
    assert not Event.objects.exists()


@pytest.mark.parametrize("role, county", [("city_admin", "a"), ("city_admin", "b"), ("county_admin", "a"),
                                          ("other_county_admin", "b")])
def test_admins_see_edit_buttons_and_forms_in_their_scope(world, users, role, county):
    client = signed_in(users[role])
    for kind, url in URLS.items():
        obj = world[county][kind]
        assert f"/registry/{url}/{obj.pk}/edit/" in client.get(f"/registry/{url}/{obj.pk}/").content.decode()
        assert client.get(f"/registry/{url}/{obj.pk}/edit/").status_code == 200
        assert f"/registry/{url}/new/" in client.get(f"/registry/{url}/").content.decode()


def test_county_admin_reads_the_city_list_but_cannot_edit_it(world, users, tree):
    city_item = CheckItem.objects.create(code="C-1", name="市级排污许可检查", legal_basis="排污许可管理条例",
                                         content="查许可", jurisdiction=tree["city"],
                                         responsible_department=tree["departments"]["130600"])
    client = signed_in(users["county_admin"])
    page = client.get(f"/registry/items/{city_item.pk}/")
    assert page.status_code == 200 and f"/registry/items/{city_item.pk}/edit/" not in page.content.decode()
    assert client.get(f"/registry/items/{city_item.pk}/edit/").status_code == 403


def test_jurisdictions_are_read_only_for_everyone(world, users, tree):
    client = signed_in(users["city_admin"])
    page = client.get(f"/registry/jurisdictions/{tree['a'].pk}/").content.decode()
    assert "涞水县" in page and "/edit/" not in page.split("变更记录")[0].split("</nav>", 1)[1]
    assert signed_in(users["county_admin"]).get(f"/registry/jurisdictions/{tree['b'].pk}/").status_code == 404


@pytest.mark.parametrize("url", [
    "/registry/targets/", "/registry/targets/1/", "/registry/targets/1/edit/", "/registry/targets/new/",
    "/registry/targets/1/defunct/", "/registry/inspectors/", "/registry/inspectors/1/recusals/",
    "/registry/items/", "/registry/departments/", "/registry/jurisdictions/", "/registry/targets/export.xlsx",
])
def test_anonymous_is_sent_to_login(world, url):
    response = Client().get(url)
    assert response.status_code == 302 and response["Location"].startswith("/login/?next=")


def test_an_inspector_edit_leaves_an_event_with_reason_and_changes(world, users):
    inspector = world["a"]["inspector"]
    response = signed_in(users["county_admin"]).post(f"/registry/inspectors/{inspector.pk}/edit/", {
        "name": inspector.name, "certificate_number": inspector.certificate_number,
        "certificate_expiry": "2032-06-30", "jurisdiction": inspector.jurisdiction_id,
        "department": inspector.department_id, "status": "active", "is_double_random": "on",
        "reason": "换发执法证"})
    assert response.status_code == 302
    event = Event.objects.get(action="inspector.update", object_id=str(inspector.pk))
    assert event.reason == "换发执法证" and event.actor == users["county_admin"]
    assert event.changes["certificate_expiry"] == ["2030-01-01", "2032-06-30"]


def test_positive_list_and_status_changes_keep_dated_history(world, users):
    target = world["a"]["target"]
    client = signed_in(users["county_admin"])
    client.post(f"/registry/targets/{target.pk}/edit/", {
        "credit_code": target.credit_code, "name": target.name, "jurisdiction": target.jurisdiction_id,
        "category": "general", "positive_list": "on", "reason": "列入正面清单", "effective_date": "2021-04-01"})
    client.post(f"/registry/targets/{target.pk}/defunct/", {"defunct_date": "2021-09-30", "reason": "企业注销"})
    rows = {(h.field, h.new_value, str(h.effective_date), h.reason) for h in TargetHistory.objects.filter(
        target=target)}
    assert ("positive_list", "True", "2021-04-01", "列入正面清单") in rows
    assert ("status", "defunct", "2021-09-30", "企业注销") in rows
    page = client.get(f"/registry/targets/{target.pk}/").content.decode()
    assert "列入正面清单" in page and "企业注销" in page
    assert Event.objects.filter(action__startswith="target.", object_id=str(target.pk)).count() == 2
