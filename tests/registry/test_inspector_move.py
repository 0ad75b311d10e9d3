"""An officer moved to another jurisdiction takes his login along: a login bound to a county its officer record
has left would keep that county's scope (and fail the binding check the next time anyone saved it)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation

from shuangsuiji.accounts.models import Role, User
from shuangsuiji.accounts.services import check_binding
from shuangsuiji.audit.models import Event
from shuangsuiji.audit.services import verify_chain
from shuangsuiji.registry.models import Inspector
from shuangsuiji.registry.services import do_save
from shuangsuiji.systemtext import system_text

pytestmark = pytest.mark.django_db


def moved(inspector: Inspector, tree) -> Inspector:
    inspector.jurisdiction = tree["b"]
    inspector.department = tree["departments"]["130624"]
    return inspector


def test_the_login_follows_its_officer_with_its_own_audited_event(tree, users):
    officer = users["inspector"].inspector
    do_save(moved(officer, tree), acting_user=users["city_admin"], reason="调任阜平县")
    login = User.objects.get(pk=users["inspector"].pk)
    assert login.jurisdiction == tree["b"]
    check_binding(login)  # the binding holds again
    event = Event.objects.get(action="user.role_change")
    assert event.reason == "调任阜平县" and event.jurisdiction_id == tree["b"].pk
    assert Event.objects.filter(action="inspector.update").count() == 1
    assert verify_chain() == []


def test_without_a_reason_the_login_event_says_why(tree, users):
    do_save(moved(users["inspector"].inspector, tree), acting_user=users["city_admin"])
    reason = Event.objects.get(action="user.role_change").reason
    assert reason == "执法人员档案改属阜平县"

    with translation.override("en"):
        assert system_text(reason) == "Officer record moved to 阜平县"


def test_the_page_moves_both(tree, users):
    client = Client()
    client.force_login(users["city_admin"])
    officer = users["inspector"].inspector
    response = client.post(f"/registry/inspectors/{officer.pk}/edit/", {
        "name": officer.name, "certificate_number": officer.certificate_number, "certificate_expiry": "2030-01-01",
        "jurisdiction": tree["b"].pk, "department": tree["departments"]["130624"].pk, "status": "active",
        "is_double_random": "on", "reason": "调任阜平县"})
    assert response.status_code == 302, response.context["form"].errors
    assert User.objects.get(pk=users["inspector"].pk).jurisdiction == tree["b"]


def test_a_login_whose_role_cannot_follow_refuses_the_move_and_stores_nothing(tree, users):
    """A county admin's own officer record moved to the city: a county admin is bound to a county, so the move is
    refused at the jurisdiction, naming the login, and neither row changes."""
    admin = users["other_county_admin"]
    officer = Inspector.objects.create(name="王五", certificate_number="13062400003", jurisdiction=tree["b"],
                                       certificate_expiry=datetime.date(2030, 1, 1),
                                       department=tree["departments"]["130624"])
    admin.inspector = officer
    admin.save()
    officer.jurisdiction = tree["city"]
    officer.department = tree["departments"]["130600"]
    with pytest.raises(ValidationError) as refused:
        do_save(officer, acting_user=users["city_admin"], reason="调市局")
    assert "other_county_admin" in refused.value.message_dict["jurisdiction"][0]
    assert Inspector.objects.get(pk=officer.pk).jurisdiction == tree["b"]
    stored = User.objects.get(pk=admin.pk)
    assert stored.jurisdiction == tree["b"] and stored.role == Role.COUNTY_ADMIN
    assert not Event.objects.filter(action__in=("inspector.update", "user.role_change")).exists()


@pytest.fixture
def county_admins_officer(tree, users) -> Inspector:
    """County B's admin holds an officer record of county B himself."""
    officer = Inspector.objects.create(name="王五", certificate_number="13062400003", jurisdiction=tree["b"],
                                       certificate_expiry=datetime.date(2030, 1, 1),
                                       department=tree["departments"]["130624"])
    User.objects.filter(pk=users["other_county_admin"].pk).update(inspector=officer)
    return officer


def to_the_city(client: Client, url: str, officer: Inspector, tree, **extra) -> str:
    response = client.post(url, {
        "name": officer.name, "certificate_number": officer.certificate_number, "certificate_expiry": "2030-01-01",
        "jurisdiction": tree["city"].pk, "department": tree["departments"]["130600"].pk, "status": "active",
        "is_double_random": "on", "reason": "调市局", **extra})
    assert response.status_code == 200
    officer.refresh_from_db()
    assert officer.jurisdiction == tree["b"]
    return response.content.decode()


def test_the_page_and_the_admin_say_it_at_the_field(tree, users, county_admins_officer, django_user_model):
    """Asked in the model's clean, before any save: the page's form and the admin's show it beside 行政区 (the
    admin would otherwise have failed inside its save with a server error)."""
    client = Client()
    client.force_login(users["city_admin"])
    page = to_the_city(client, f"/registry/inspectors/{county_admins_officer.pk}/edit/", county_admins_officer, tree)
    assert "other_county_admin" in page and "请先在用户管理中调整该账号" in page

    superuser = django_user_model.objects.create_superuser(username="root", password="pw-root")
    client.force_login(superuser)
    admin = to_the_city(client, f"/admin/registry/inspector/{county_admins_officer.pk}/change/",
                        county_admins_officer, tree, effective_date="", external_kind="", organisation="", phone="",
                        qualifications="")
    assert "other_county_admin" in admin
    assert not Event.objects.filter(action__in=("inspector.update", "user.role_change")).exists()


INSPECTOR_HEADERS = ["姓名", "执法证号", "执法证有效期至", "行政区划代码", "科室"]


def test_an_import_that_moves_an_officer_moves_his_login(tree, users):
    from tests.conftest import xlsx_upload

    upload = xlsx_upload([INSPECTOR_HEADERS, ["张三", "13062300001", "2030-01-01", "130624", "执法大队"]])
    client = Client()
    client.force_login(users["city_admin"])
    assert client.post("/registry/inspectors/import/", {"file": upload}).status_code == 302
    assert Inspector.objects.get(certificate_number="13062300001").jurisdiction == tree["b"]
    login = User.objects.get(pk=users["inspector"].pk)
    assert login.jurisdiction == tree["b"]
    check_binding(login)
    assert Event.objects.get(action="user.role_change").reason == "Excel导入：upload.xlsx"
    assert verify_chain() == []


def test_an_import_whose_officer_login_cannot_follow_names_the_row(tree, users, county_admins_officer):
    from tests.conftest import xlsx_upload

    upload = xlsx_upload([INSPECTOR_HEADERS, ["王五", "13062400003", "2030-01-01", "130600", "综合执法支队"]])
    client = Client()
    client.force_login(users["city_admin"])
    response = client.post("/registry/inspectors/import/", {"file": upload})
    assert response.status_code == 400
    assert "other_county_admin" in response.content.decode()
    county_admins_officer.refresh_from_db()
    assert county_admins_officer.jurisdiction == tree["b"]
    assert not Event.objects.filter(action__in=("inspector.update", "user.role_change", "inspectors.import")).exists()
