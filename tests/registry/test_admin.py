"""The admin is scoped like the pages and saves through the services (history and audit event)."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from shuangsuiji.audit.models import Event
from shuangsuiji.engine.creditcode import complete
from shuangsuiji.registry.models import Department, Inspector, Target
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


# --- the jurisdiction tree: the scoping gate's paths ---------------------------------------------------------


def jurisdiction_payload(jurisdiction, **changes) -> dict:
    payload = {"code": jurisdiction.code, "name": jurisdiction.name, "level": jurisdiction.level,
               "parent": jurisdiction.parent_id or "", "bureau_name": jurisdiction.bureau_name, "reason": "区划调整",
               "effective_date": ""}
    payload.update(changes)
    return payload


@pytest.fixture
def superuser(tree):
    from shuangsuiji.accounts.models import User

    return User.objects.create_superuser(username="root", password="pw-root", jurisdiction=tree["city"])


def test_a_county_cannot_be_filed_under_another_county(tree, users, superuser):
    """Under 阜平县, 涞水县 and its targets would fall into the scope of 阜平县's admin."""
    target = Target.objects.create(credit_code=complete("91130623000000005"), name="涞水丁", jurisdiction=tree["a"])
    client = Client()
    client.force_login(superuser)
    url = f"/admin/registry/jurisdiction/{tree['a'].pk}/change/"
    refused = client.post(url, jurisdiction_payload(tree["a"], parent=tree["b"].pk, name="涞水县（改）"))
    page = refused.content.decode()
    assert refused.status_code == 200 and "县级行政区的上级须高于县级，阜平县是县级" in page
    assert 'value="涞水县（改）"' in page  # what was typed stays
    tree["a"].refresh_from_db()
    assert (tree["a"].parent_id, tree["a"].name) == (tree["city"].pk, "涞水县")
    assert not Target.objects.visible_to(users["other_county_admin"]).filter(pk=target.pk).exists()


def test_a_city_cannot_be_filed_under_its_own_county(tree, superuser):
    client = Client()
    client.force_login(superuser)
    url = f"/admin/registry/jurisdiction/{tree['city'].pk}/change/"
    refused = client.post(url, jurisdiction_payload(tree["city"], parent=tree["a"].pk))
    assert refused.status_code == 200 and "市级行政区的上级须高于市级" in refused.content.decode()
    tree["city"].refresh_from_db()
    assert tree["city"].parent_id == tree["province"].pk


def test_a_level_below_its_children_is_refused(tree, superuser):
    client = Client()
    client.force_login(superuser)
    url = f"/admin/registry/jurisdiction/{tree['city'].pk}/change/"
    refused = client.post(url, jurisdiction_payload(tree["city"], level="county"))
    assert refused.status_code == 200 and "下级涞水县、阜平县不低于县级" in refused.content.decode()


def test_a_new_city_code_carries_its_counties_along(tree, users, superuser):
    """The counties keep being the city's: its admin, leader and department users still see their targets."""
    target = Target.objects.create(credit_code=complete("91130623000000006"), name="涞水戊", jurisdiction=tree["a"])
    client = Client()
    client.force_login(superuser)
    response = client.post(f"/admin/registry/jurisdiction/{tree['city'].pk}/change/",
                           jurisdiction_payload(tree["city"], code="130699"))
    assert response.status_code == 302, response.content.decode()[:2000]
    tree["a"].refresh_from_db()
    assert tree["a"].path == "130000.130699.130623."
    for key in ("city_admin", "leader", "county_admin"):
        users[key].refresh_from_db()
        assert Target.objects.visible_to(users[key]).filter(pk=target.pk).exists(), key
    assert not Target.objects.visible_to(users["other_county_admin"]).filter(pk=target.pk).exists()


def test_a_county_moved_to_another_city_leaves_the_first_citys_scope(tree, users):
    from shuangsuiji.registry.models import Jurisdiction, Level

    other_city = Jurisdiction(code="130700", name="张家口市", level=Level.CITY, parent=tree["province"])
    do_save(other_city, acting_user=None)
    target = Target.objects.create(credit_code=complete("91130623000000007"), name="涞水己", jurisdiction=tree["a"])
    county = tree["a"]
    county.parent = other_city
    do_save(county, acting_user=None, reason="区划调整")
    assert not Target.objects.visible_to(users["city_admin"]).filter(pk=target.pk).exists()
    users["county_admin"].refresh_from_db()
    assert Target.objects.visible_to(users["county_admin"]).filter(pk=target.pk).exists()


# --- departments and their officers stay in one jurisdiction --------------------------------------------------


def department_payload(department, **changes) -> dict:
    payload = {"jurisdiction": department.jurisdiction_id, "name": department.name, "code": department.code,
               "has_enforcement_duty": "on", "is_active": "on", "reason": "", "effective_date": ""}
    payload.update(changes)
    return payload


def test_a_department_with_officers_and_a_login_cannot_move_to_another_county(tree, users, superuser):
    """Moved, the officers of 涞水县 would make up 阜平县's joint teams and its department user start plans there."""
    department = tree["departments"][tree["a"].code]
    for acting, url in ((superuser, f"/admin/registry/department/{department.pk}/change/"),
                        (users["city_admin"], f"/registry/departments/{department.pk}/edit/")):
        client = Client()
        client.force_login(acting)
        refused = client.post(url, department_payload(department, jurisdiction=tree["b"].pk, name="执法大队（改）"))
        page = refused.content.decode()
        assert refused.status_code in (200, 400), url
        assert "科室“执法大队（改）”已关联用户、执法人员，不能改属其他行政区" in page, url
        assert "执法大队（改）" in page
        department.refresh_from_db()
        assert (department.jurisdiction_id, department.name) == (tree["a"].pk, "执法大队")


def test_a_department_nothing_refers_to_may_move_and_be_renamed(tree, superuser):
    department = Department.objects.create(jurisdiction=tree["a"], name="新设科室")
    client = Client()
    client.force_login(superuser)
    response = client.post(f"/admin/registry/department/{department.pk}/change/",
                           department_payload(department, jurisdiction=tree["b"].pk))
    assert response.status_code == 302, response.content.decode()[:2000]
    department.refresh_from_db()
    assert department.jurisdiction_id == tree["b"].pk


def test_the_admin_refuses_an_officer_in_another_jurisdictions_department(tree, users, superuser):
    officer = Inspector.objects.get(certificate_number="13062300001")
    client = Client()
    client.force_login(superuser)
    refused = client.post(f"/admin/registry/inspector/{officer.pk}/change/", {
        "name": officer.name, "certificate_number": officer.certificate_number, "certificate_expiry": "2030-01-01",
        "jurisdiction": tree["a"].pk, "department": tree["departments"][tree["b"].code].pk, "status": officer.status,
        "is_double_random": "on", "reason": "", "effective_date": "", "external_kind": "", "organisation": "",
        "phone": "", "qualifications": ""})
    assert refused.status_code == 200 and "科室须属于所选行政区" in refused.content.decode()
    officer.refresh_from_db()
    assert officer.department_id == tree["departments"][tree["a"].code].pk


def test_a_level_change_that_would_strand_an_admin_is_refused(tree, users, superuser):
    """涞水县 made a city of the province (区划调整) would leave its county admin bound to a city: refused, naming him;
    without an admin bound there (阜平县 once its admin is moved away) the same change passes."""
    client = Client()
    client.force_login(superuser)
    refused = client.post(f"/admin/registry/jurisdiction/{tree['a'].pk}/change/",
                          jurisdiction_payload(tree["a"], level="city", parent=tree["province"].pk))
    assert refused.status_code == 200
    assert "涞水县有county_admin等管理员账号按原层级绑定" in refused.content.decode()
    tree["a"].refresh_from_db()
    assert tree["a"].level == "county"

    from shuangsuiji.accounts.models import User

    User.objects.filter(jurisdiction=tree["b"]).update(jurisdiction=tree["a"])
    allowed = client.post(f"/admin/registry/jurisdiction/{tree['b'].pk}/change/",
                          jurisdiction_payload(tree["b"], level="city", parent=tree["province"].pk))
    assert allowed.status_code == 302
    tree["b"].refresh_from_db()
    assert tree["b"].level == "city"
