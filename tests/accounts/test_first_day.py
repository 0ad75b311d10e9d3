"""The home page tells the operator of an empty database what comes next (docs/operations.md, "The first day").

An empty database's home page showed the superuser nothing but zeros: the jurisdictions are entered in the admin,
which nothing on the page named. Now the superuser and the admins see the first day's steps, in the order the
imports need, each done one marked, until all are done; the other roles never see them."""

import re

import pytest
from django.test import Client

from shuangsuiji.accounts.models import User
from shuangsuiji.registry.models import CheckItem, Specialty, Target

pytestmark = pytest.mark.django_db



def steps(client: Client) -> list[tuple[str, bool]] | None:
    """The card's steps as (title, done), or None when the page has no card."""
    text = client.get("/").text
    if 'id="first-day"' not in text:
        return None
    card = text.split('id="first-day"', 1)[1].split("</section>", 1)[0]
    items = re.findall(r"<li[^>]*>(.*?)</li>", card, re.S)
    return [(re.sub(r"<[^>]+>", "", item).split()[0], "bi-check2-circle" in item) for item in items]


def test_an_empty_database_shows_the_superuser_every_step_with_where_to_do_it(db):
    root = User.objects.create_superuser("root", "root@example.gov.cn", "Root#Baoding2026")
    client = Client()
    client.force_login(root)
    page = client.get("/").text
    assert steps(client) == [(title, False) for title in
                             ["行政区", "业务专长", "市局管理员账号", "科室", "抽查事项", "检查对象", "执法人员"]]
    for url in ["/admin/registry/jurisdiction/add/", "/admin/registry/specialty/add/", "/accounts/users/new/",
                "/registry/departments/new/", "/registry/items/import/", "/registry/targets/import/",
                "/registry/inspectors/import/"]:
        assert f'href="{url}"' in page


def test_the_steps_done_are_marked_and_the_card_goes_when_all_are(users, tree):
    city_admin = users["city_admin"]
    client = Client()
    client.force_login(city_admin)
    # the fixture has the jurisdictions, departments and one officer; a city admin is not shown the admin-site steps
    assert steps(client) == [("科室", True), ("抽查事项", False), ("检查对象", False), ("执法人员", True)]
    CheckItem.objects.create(code="BD-1", name="排污许可", legal_basis="条例", content="按证排污",
                             jurisdiction=tree["city"], responsible_department=tree["departments"]["130600"])
    Target.objects.create(credit_code="91130623MA0A0000X0", name="涞水示例厂", jurisdiction=tree["a"])
    assert steps(client) is None

    root = User.objects.create_superuser("root", "root@example.gov.cn", "Root#Baoding2026")
    client.force_login(root)
    assert steps(client)[:3] == [("行政区", True), ("业务专长", False), ("市局管理员账号", True)]
    Specialty.objects.create(code="air", name="大气")
    assert steps(client) is None


def test_a_county_admin_s_steps_are_his_county_s(users, tree):
    """The other county's target does not tick his 检查对象 step: each county imports its own."""
    Target.objects.create(credit_code="91130624MA0A0000X0", name="阜平示例厂", jurisdiction=tree["b"])
    client = Client()
    client.force_login(users["county_admin"])
    assert ("检查对象", False) in steps(client)
    client.force_login(users["other_county_admin"])
    assert ("检查对象", True) in steps(client)
    assert ("执法人员", False) in steps(client)  # the fixture's officer is county A's


@pytest.mark.parametrize("role", ["department_user", "inspector", "leader"])
def test_the_other_roles_never_see_the_steps(role, users):
    client = Client()
    client.force_login(users[role])
    assert client.get("/").status_code == 200
    assert steps(client) is None
