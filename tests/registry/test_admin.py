"""The admin is scoped like the pages and saves through the services (history and audit event)."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from shuangsuiji.audit.models import Event
from shuangsuiji.engine.creditcode import complete
from shuangsuiji.registry.models import Target
from shuangsuiji.registry.services import do_save


@pytest.fixture
def staff(users):
    for key in ("county_admin", "city_admin"):
        users[key].is_staff = True
        users[key].save()
        users[key].user_permissions.set(Permission.objects.filter(content_type__app_label="registry"))
    return users


def test_admin_lists_only_the_scope_and_hides_other_counties(tree, staff):
    a = Target.objects.create(credit_code=complete("91130623000000001"), name="涞水甲", jurisdiction=tree["a"])
    b = Target.objects.create(credit_code=complete("91130624000000002"), name="阜平乙", jurisdiction=tree["b"])
    client = Client()
    client.force_login(staff["county_admin"])
    listing = client.get("/admin/registry/target/").content.decode()
    assert "涞水甲" in listing and "阜平乙" not in listing
    assert client.get(f"/admin/registry/target/{b.pk}/change/").status_code in (302, 404)
    assert client.get(f"/admin/registry/target/{a.pk}/change/").status_code == 200


def test_admin_save_goes_through_the_service(tree, staff):
    client = Client()
    client.force_login(staff["county_admin"])
    response = client.post("/admin/registry/target/add/", {
        "credit_code": complete("91130623000000003"), "name": "后台新增企业", "jurisdiction": tree["a"].pk,
        "category": "general", "status": "active", "outlets-TOTAL_FORMS": "0", "outlets-INITIAL_FORMS": "0",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    target = Target.objects.get(name="后台新增企业")
    assert Event.objects.filter(action="target.create", object_id=str(target.pk), reason="后台管理：新增").exists()
    assert target.history.filter(field="category").exists()


def admin_payload(target: Target, **changes) -> dict:
    payload = {"credit_code": target.credit_code, "name": target.name, "address": "",
               "jurisdiction": target.jurisdiction_id, "category": target.category, "reason": "",
               "effective_date": "", "outlets-TOTAL_FORMS": "0", "outlets-INITIAL_FORMS": "0"}
    payload.update(changes)
    return payload


def test_admin_category_change_needs_a_reason_and_keeps_history(tree, staff):
    target = Target.objects.create(credit_code=complete("91130623000000004"), name="涞水丙", jurisdiction=tree["a"])
    client = Client()
    client.force_login(staff["county_admin"])
    url = f"/admin/registry/target/{target.pk}/change/"
    refused = client.post(url, admin_payload(target, category="key"))
    assert refused.status_code == 200 and "必须填写变更理由" in refused.content.decode()
    assert Target.objects.get(pk=target.pk).category == "general"
    saved = client.post(url, admin_payload(target, category="key", reason="列入重点排污单位名录",
                                           effective_date="2021-01-01"))
    assert saved.status_code == 302
    row = target.history.get(field="category")
    assert (row.new_value, row.reason, str(row.effective_date)) == ("key", "列入重点排污单位名录", "2021-01-01")


def test_admin_offers_only_the_jurisdictions_one_may_file_under(tree, staff):
    client = Client()
    client.force_login(staff["county_admin"])
    response = client.post("/admin/registry/target/add/", admin_payload(
        Target(credit_code=complete("91130624000000005"), name="越界", jurisdiction=tree["b"])))
    assert response.status_code == 200 and "jurisdiction" in response.context["adminform"].form.errors
    assert not Target.objects.filter(name="越界").exists()


def test_admin_status_is_read_only_and_outlets_are_not_edited_here(tree, staff):
    target = Target.objects.create(credit_code=complete("91130623000000006"), name="涞水丁", jurisdiction=tree["a"])
    client = Client()
    client.force_login(staff["county_admin"])
    client.post(f"/admin/registry/target/{target.pk}/change/", admin_payload(
        target, status="defunct", defunct_date="2021-01-01", defunct_reason="x", **{
            "outlets-TOTAL_FORMS": "1", "outlets-0-code": "DW001", "outlets-0-name": "废气排口",
            "outlets-0-kind": "gas"}))
    target.refresh_from_db()
    assert target.status == "active" and not target.outlets.exists()


def test_reference_tables_are_kept_by_the_city_office_with_events(tree, staff):
    for key in ("county_admin", "city_admin"):
        staff[key].user_permissions.add(*Permission.objects.filter(content_type__model="workdayoverride"))
    county, city = Client(), Client()
    county.force_login(staff["county_admin"])
    city.force_login(staff["city_admin"])
    payload = {"date": "2027-02-06", "is_workday": "on", "note": "春节调休上班"}
    assert county.post("/admin/registry/workdayoverride/add/", payload).status_code == 403
    assert city.post("/admin/registry/workdayoverride/add/", payload).status_code == 302
    assert Event.objects.filter(action="workdayoverride.create", actor=staff["city_admin"]).exists()


def test_the_audit_log_reads_actions_and_changes_in_words(tree, staff, users):
    target = Target(credit_code=complete("91130623000000009"), name="涞水审计厂", jurisdiction=tree["a"])
    do_save(target, acting_user=users["county_admin"], reason="新增")
    target.contact_name = "王五"
    do_save(target, acting_user=users["county_admin"], reason="更新联系人")
    users["county_admin"].user_permissions.add(Permission.objects.get(codename="view_event"))
    client = Client()
    client.force_login(users["county_admin"])
    listing = client.get("/admin/audit/event/").content.decode()
    assert "修改检查对象" in listing and "新增检查对象" in listing
    event = Event.objects.get(action="target.update", object_id=str(target.pk))
    detail = client.get(f"/admin/audit/event/{event.pk}/change/").content.decode()
    assert "联系人：— → 王五" in detail
