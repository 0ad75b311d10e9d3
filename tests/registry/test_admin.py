"""The admin is scoped like the pages and saves through the services (history and audit event)."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from shuangsuiji.audit.models import Event
from shuangsuiji.engine.creditcode import complete
from shuangsuiji.registry.models import Target


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
