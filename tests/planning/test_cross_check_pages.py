"""跨部门联合抽查 on the pages: the form reached from the plan list (admins only), its line-by-line check of the
pasted codes, the plan page with its departments, the task pages, the inspector's tasks, the planning API and the
public portal — which names the initiating and participating departments once the plan is published."""

import pytest
from django.urls import reverse
from django.utils import timezone

from shuangsuiji.accounts import workbench
from shuangsuiji.accounts.models import Role, User
from shuangsuiji.planning import services
from shuangsuiji.planning.models import Plan, PlanKind, Task

from .conftest import ceremony, credit_code
from .test_cross_check import MARKET, codes, create, keys_a

FORM = reverse("planning:cross_check_create")


def page(client, user, url) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def posted(city, **changes) -> dict:
    year, quarter = services.current_quarter()
    data = {"jurisdiction": city["tree"]["a"].pk, "period": f"{year}-{quarter}", "initiator": MARKET,
            "participants": "保定市应急管理局", "platform_ref": "XT-01", "deadline": "",
            "targets": "\n".join(codes(city, *keys_a(city, "general", 2))), "action": "create"}
    data.update(changes)
    return data


@pytest.mark.parametrize("role, status", [
    ("county_admin", 200), ("city_admin", 200), ("other_county_admin", 200), ("department_user", 403),
    ("inspector", 403), ("leader", 403)])
def test_the_form_is_the_admins_and_the_plan_list_offers_it_to_them(city, client, role, status):
    user = city["users"][role]
    client.force_login(user)
    assert client.get(FORM).status_code == status
    assert client.post(FORM, posted(city)).status_code in ((200, 302) if status == 200 else (403,))
    listed = client.get(reverse("planning:plan_list"))
    if listed.status_code == 200:
        assert ("新建跨部门联合抽查" in listed.content.decode()) is (status == 200)
    if role != "other_county_admin" and status == 200:
        assert Plan.objects.filter(kind=PlanKind.CROSS, created_by=user).count() == 1
    else:  # a county admin of B is offered only his own county: county A's check is refused
        assert not Plan.objects.exists()


def test_checking_the_codes_shows_every_line_and_stores_nothing(city, client):
    county = city["users"]["county_admin"]
    client.force_login(county)
    good = codes(city, *keys_a(city, "general", 1))[0]
    unknown = credit_code(city["tree"]["a"].code, 555)
    response = client.post(FORM, posted(city, targets=f"{good.lower()}\n\n{unknown}\n", action="check"))
    assert response.status_code == 200
    shown = response.content.decode()
    assert 'id="targets-preview"' in shown and city["targets"][keys_a(city, "general", 1)[0]].name in shown
    assert unknown in shown and "名录库中没有该代码的检查对象" in shown
    assert not Plan.objects.exists()


def test_entering_one_with_a_wrong_line_says_which_and_keeps_what_was_typed(city, client):
    county = city["users"]["county_admin"]
    client.force_login(county)
    good = codes(city, *keys_a(city, "general", 1))[0]
    text = f"{good}\n{good}"
    response = client.post(FORM, posted(city, targets=text))
    shown = response.content.decode()
    assert response.status_code == 200 and f"第2行 {good}：与第1行重复" in shown
    assert good in shown and "保定市应急管理局" in shown  # what was typed stays in the form
    assert not Plan.objects.exists()
    response = client.post(FORM, posted(city, participants="", initiator=""))
    assert "须有本局以外的部门参加" in response.content.decode() and not Plan.objects.exists()


def test_entering_one_leads_to_its_plan_page_with_its_departments(city, client):
    county = city["users"]["county_admin"]
    client.force_login(county)
    response = client.post(FORM, posted(city))
    plan = Plan.objects.get(kind=PlanKind.CROSS)
    assert response.status_code == 302 and response["Location"] == plan.get_absolute_url()
    shown = page(client, county, plan.get_absolute_url())
    assert 'id="cross-check-notice"' in shown and MARKET in shown and "保定市应急管理局" in shown
    assert "XT-01" in shown and "保存计划抽查数" not in shown
    listed = page(client, county, reverse("planning:plan_list") + "?kind=cross")
    assert plan.get_absolute_url() in listed and "跨部门联合抽查" in listed
    assert 'value="cross"' not in page(client, county, reverse("planning:plan_create"))


def test_task_pages_the_inspector_and_the_api_say_cross_department(city, client):
    county = city["users"]["county_admin"]
    plan = create(city, text=codes(city, *keys_a(city, "general", 1))[0])
    ceremony(plan, user=county, day=timezone.localdate())
    services.do_dispatch(plan, acting_user=county)
    [task] = Task.objects.all()
    assert "跨部门联合抽查" in page(client, county, task.get_absolute_url())
    assert "跨部门联合抽查" in page(client, county, reverse("planning:task_list"))
    client.force_login(county)
    rows = client.get("/api/planning/tasks/?is_cross_department=true").json()["results"]
    assert [(row["is_cross_department"], row["is_clue_check"]) for row in rows] == [(True, False)]
    assert client.get("/api/planning/tasks/?is_cross_department=false").json()["results"] == []
    body = client.get(f"/api/planning/plans/{plan.pk}/").json()
    assert body["kind"] == "cross" and body["cross"]["initiator"] == MARKET
    assert body["cross"]["participants"] == [MARKET] and body["cross"]["initiated_here"] is False
    assert [p["cross"] for p in client.get("/api/planning/plans/?kind=cross").json()["results"]] != [None]
    member = task.members.filter(active=True).select_related("inspector").first()
    officer = (User.objects.filter(inspector=member.inspector).first()
               or User.objects.create_user(username="officer", password="pw-officer", role=Role.INSPECTOR,
                                           jurisdiction=city["tree"]["a"], inspector=member.inspector))
    client.force_login(officer)
    mine = client.get("/planning/tasks/mine/", follow=True).content.decode()
    assert task.target.name in mine and "跨部门联合抽查" in mine


def test_the_public_portal_shows_the_label_and_departments_only_once_published(city, client):
    county = city["users"]["county_admin"]
    plan = create(city, participants=["保定市应急管理局"])
    url = reverse("public:plan_detail", args=[plan.pk])
    assert client.get(url).status_code == 404  # a draft is not published
    ceremony(plan, user=county, day=timezone.localdate())
    public = client.get(url).content.decode()
    assert "跨部门联合抽查计划" in public and 'id="cross-check"' in public
    assert MARKET in public and "保定市应急管理局" in public
    assert all(target.name not in public for target in plan.cross.targets.all())  # sealed until the reveal
    csv = b"".join(client.get("/public/plans/", {"format": "csv"}).streaming_content).decode("utf-8-sig")
    assert [line.split(",")[2] for line in csv.splitlines() if line.startswith(f"{plan.pk},")] == ["跨部门联合抽查"]


def test_an_undrawn_cross_check_is_not_late_for_a_draw_window_it_does_not_have(city):
    county = city["users"]["county_admin"]
    plan = create(city)
    today = timezone.localdate()
    window = workbench.draw_window(plan.year, plan.quarter)
    items = workbench.quarter_plans(county, plan.year, plan.quarter, window, today).items
    [item] = [i for i in items if i.url == plan.get_absolute_url()]
    assert (item.overdue, item.due) == (False, None) and "跨部门联合抽查" in item.title


def test_a_city_admin_narrows_a_county_s_check_to_the_county_s_own_item(city, client):
    city_admin = city["users"]["city_admin"]
    client.force_login(city_admin)
    form = page(client, city_admin, FORM)
    risk = city["items"]["risk"]  # county A's own list
    assert f'value="{risk.pk}"' in form
    response = client.post(FORM, posted(city, check_items=[risk.pk]))
    plan = Plan.objects.get(kind=PlanKind.CROSS)
    assert response.status_code == 302 and list(plan.check_items.all()) == [risk]


def test_the_button_that_enters_one_says_register_in_english(city, client):
    """The form's button ("登记", to enter the check) read "Registered" in English: the catalogues' translation
    of 登记 as the reason an object came into the registry. A button is an action."""
    client.force_login(city["users"]["city_admin"])
    client.cookies["django_language"] = "en"
    html = client.get(reverse("planning:cross_check_create")).content.decode()
    assert '<i class="bi bi-check-lg"></i> Register</button>' in html and "Registered</button>" not in html

