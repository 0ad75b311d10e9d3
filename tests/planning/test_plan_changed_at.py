"""A published plan's change time (``Plan.changed_at``) for a mirror of the open data: every service that changes
what the public reads of a plan dates it in its own transaction, and /api/public/plans/?changed_since=… lists the
plans changed from a moment on, oldest change first, paged by a cursor, as the results list does."""

import datetime
import html
import importlib
import re

import pytest
from django.apps import apps
from django.utils import timezone

from shuangsuiji.disclosure.public import instant
from shuangsuiji.planning import services
from shuangsuiji.planning.models import Draw, Plan, Task
from shuangsuiji.registry import services as registry

from .conftest import DRAW_DAY
from .test_services import county_and_city_plans

URL = "/api/public/plans/"


def dated(plan: Plan) -> datetime.datetime | None:
    return Plan.objects.values_list("changed_at", flat=True).get(pk=plan.pk)


def test_every_step_that_changes_what_the_public_reads_dates_the_plan(city):
    county, admin, city_admin = city["tree"]["a"], city["users"]["county_admin"], city["users"]["city_admin"]
    plan = services.do_create_plan(jurisdiction=county, year=2021, quarter=2, acting_user=admin)
    steps = [
        lambda: services.do_approve_and_freeze(plan, acting_user=admin, draw_date=DRAW_DAY, today=DRAW_DAY),
        lambda: services.do_commit_secret(plan, acting_user=admin),
        lambda: services.do_record_public_value(plan, source="dice", value="3,5,1,6", witnesses=["张三", "李四"],
                                                acting_user=admin),
        lambda: services.do_draw(plan, acting_user=admin, today=DRAW_DAY),
        lambda: services.do_dispatch(plan, acting_user=admin),
    ]
    for step in steps:
        before = timezone.now()
        step()
        assert dated(plan) >= before, step
    task = Task.objects.filter(selections__plan=plan).order_by("pk").first()
    member = task.members.filter(active=True).select_related("inspector").first()
    before = timezone.now()
    services.do_substitute_inspector(task, member.inspector, reason="因病住院", acting_user=admin)
    assert dated(plan) >= before  # the manifest records the substitution
    request = services.do_request_redraw(plan, reason="名录库漏录两家新企业", acting_user=admin)
    before = timezone.now()
    services.do_approve_redraw(request, approve=True, decision="同意", acting_user=city_admin)
    assert dated(plan) >= before
    before = timezone.now()
    services.do_set_requested(plan, {"general": plan.strata.get(stratum="general").requested - 1},
                              reasons={"general": "本季度两家停产检修"}, acting_user=admin)
    assert dated(plan) >= before  # a re-drawn plan stays published: its strata are read


def test_a_refused_step_leaves_the_change_time_as_it_was(city):
    plan = services.do_create_plan(jurisdiction=city["tree"]["a"], year=2021, quarter=2,
                                   acting_user=city["users"]["county_admin"])
    services.do_approve_and_freeze(plan, acting_user=city["users"]["county_admin"], draw_date=DRAW_DAY,
                                   today=DRAW_DAY)
    frozen = dated(plan)
    with pytest.raises(Exception):  # noqa: B017 — not yet committed: no public value can be recorded
        services.do_record_public_value(plan, source="dice", value="3,5,1,6", witnesses=["张三", "李四"],
                                        acting_user=city["users"]["county_admin"])
    assert dated(plan) == frozen


def test_the_plans_api_lists_what_changed_since_a_moment_with_a_cursor(client, city):
    from .conftest import ceremony

    county, city_plan = county_and_city_plans(city)
    ceremony(county)
    moment = timezone.now()
    ceremony(city_plan)
    body = client.get(URL, {"changed_since": timezone.localtime(moment).isoformat()}).json()
    assert [row["id"] for row in body["results"]] == [city_plan.pk]
    assert body["results"][0]["changed_at"] == instant(dated(city_plan))
    assert set(body["results"][0]) == set(client.get(URL).json()["results"][0])
    # the county's dispatch brings it back, after the city's plan
    services.do_dispatch(county, acting_user=city["users"]["county_admin"])
    body = client.get(URL, {"changed_since": timezone.localtime(moment).isoformat()}).json()
    assert [row["id"] for row in body["results"]] == [city_plan.pk, county.pk]
    # a page of one at a time: each plan once, in the order of change
    seen, page = [], client.get(URL, {"changed_since": "2000-01-01T00:00:00+08:00", "page_size": 1}).json()
    while True:
        seen += [row["id"] for row in page["results"]]
        if not page["next"]:
            break
        assert "after=" in page["next"] and len(seen) < 10
        page = client.get(page["next"]).json()
    assert seen == [city_plan.pk, county.pk]


@pytest.mark.parametrize(("params", "name"), [
    ({"changed_since": "2026-03-01"}, "changed_since"),
    ({"after": "bm90IGEgY3Vyc29y"}, "after"),
    ({"after": "MXwyMDI2LTAzLTAxVDAwOjAwOjAwKzAwOjAwfGFiYw"}, "after"),  # 1|…|abc: a plan's id is a number
    ({"changed_since": "2026-03-01T00:00:00+08:00", "page": "2"}, "page"),
])
def test_a_moment_or_cursor_the_plans_api_cannot_read_is_a_400_naming_it(client, tree, params, name):
    response = client.get(URL, params)
    assert response.status_code == 400 and name in response.json()


def test_the_schema_describes_the_plans_change_time_and_parameter_in_both_languages(client):
    for language, says in (("zh-hans", "不要用本机时钟"), ("en", "clock")):
        client.cookies["django_language"] = language
        schema = client.get("/api/public/schema/", {"format": "json"}, HTTP_ACCEPT_LANGUAGE=language).json()
        parameters = {p["name"]: p for p in schema["paths"]["/api/public/plans/"]["get"]["parameters"]}
        assert says in parameters["changed_since"]["description"] and "after" in parameters
        row = schema["components"]["schemas"]["PublicPlan"]["properties"]
        assert row["changed_at"]["description"]
        if language == "en":
            assert not any("\u4e00" <= ch <= "\u9fff" for ch in parameters["changed_since"]["description"])


def test_the_migration_dates_the_published_plans_from_the_times_they_keep(city):
    from .conftest import ceremony

    fill = importlib.import_module("shuangsuiji.planning.migrations.0004_plan_changed_at_h122").fill_changed_at
    county, city_plan = county_and_city_plans(city)
    ceremony(county)
    services.do_dispatch(county, acting_user=city["users"]["county_admin"])
    services.do_approve_and_freeze(city_plan, acting_user=city["users"]["city_admin"], draw_date=DRAW_DAY,
                                   today=DRAW_DAY)
    draft = services.do_create_plan(jurisdiction=city["tree"]["b"], year=2021, quarter=2,
                                    acting_user=city["users"]["city_admin"])
    Plan.objects.update(changed_at=None)
    fill(apps, None)
    county.refresh_from_db()
    assert dated(county) == county.dispatched_at  # after its draw's last step
    assert dated(city_plan) == Draw.objects.get(plan=city_plan).frozen_at
    assert dated(draft) is None  # not published: its freeze will date it


def test_a_renamed_county_dates_its_plans(city, users):
    from .conftest import ceremony

    county, city_plan = county_and_city_plans(city)
    ceremony(county)
    before = timezone.now()
    place = city["tree"]["a"]
    place.name = "涞水区"
    registry.do_save(place, acting_user=users["city_admin"], reason="撤县设区")
    assert dated(county) >= before and dated(city_plan) < before  # the city's own plan did not change


def _changed_since(client, moment: datetime.datetime) -> list[dict]:
    """What a mirror reads from ``moment`` on, every page through ``next``."""
    rows, page = [], client.get(URL, {"changed_since": timezone.localtime(moment).isoformat(), "page_size": 1}).json()
    while True:
        rows += page["results"]
        if not page["next"]:
            return rows
        page = client.get(page["next"]).json()


def test_a_check_items_new_code_or_name_dates_exactly_the_published_plans_showing_it(client, city, users):
    """A published plan shows its check items (the API's codes, the plan page's names): an item re-coded or renamed
    in the registry changed those plans for the public, and a mirror reading changed_since never saw it."""
    from .conftest import ceremony

    county, city_plan = county_and_city_plans(city)
    ceremony(county)
    ceremony(city_plan)
    draft = services.do_create_plan(jurisdiction=city["tree"]["b"], year=2021, quarter=2,
                                    acting_user=users["city_admin"])
    risk, permit = city["items"]["risk"], city["items"]["permit"]  # county A's own item; the city's
    assert risk in county.check_items.all() and risk not in city_plan.check_items.all()
    assert permit in draft.check_items.all()
    moment = timezone.now()
    risk.code = "A-01-2021"
    risk.list_level = risk.jurisdiction.level  # the fixture's county item, on the county's list as it must be
    registry.do_save(risk, acting_user=users["city_admin"], reason="清单修订")
    rows = _changed_since(client, moment)
    assert [row["id"] for row in rows] == [county.pk]  # the city's plan does not show the item
    assert "A-01-2021" in rows[0]["check_items"] and "A-01" not in rows[0]["check_items"]
    moment = timezone.now()
    permit.name = "排污许可证执行情况"
    registry.do_save(permit, acting_user=users["city_admin"], reason="清单修订")
    assert sorted(row["id"] for row in _changed_since(client, moment)) == sorted([county.pk, city_plan.pk])
    assert dated(draft) is None or dated(draft) < moment  # not published: its freeze will date it
    # what a plan does not show of an item (its basis) moves no plan
    moment = timezone.now()
    permit.legal_basis = "《排污许可管理条例》第三十四条"
    registry.do_save(permit, acting_user=users["city_admin"], reason="依据更新")
    assert _changed_since(client, moment) == []


def test_a_check_item_renamed_by_the_items_workbook_dates_the_plans_showing_it(client, city, users):
    from shuangsuiji.registry.excel import IMPORTERS
    from tests.conftest import xlsx_upload

    from .conftest import ceremony

    county, city_plan = county_and_city_plans(city)
    ceremony(county)
    ceremony(city_plan)
    risk = city["items"]["risk"]
    headers = {column.key: column.header for column in IMPORTERS["items"].columns}
    upload = xlsx_upload([[headers[key] for key in ("code", "name", "legal_basis", "content", "jurisdiction",
                                                    "responsible_department")],
                          [risk.code, "环境风险防控与应急管理情况", risk.legal_basis, risk.content,
                           risk.jurisdiction.code, risk.responsible_department.name]])
    moment = timezone.now()
    totals = registry.do_import_registry("items", upload, "事项清单.xlsx", acting_user=users["city_admin"])
    assert totals["updated"] == 1
    assert [row["id"] for row in _changed_since(client, moment)] == [county.pk]


@pytest.mark.parametrize(("language", "plans_says", "results_says"), [
    ("zh-hans", ("少抽审批", "所在行政区更名", "发起科室更名", "抽查事项改编码"), "的结果"),
    ("en", ("shortfall decisions", "its jurisdiction renamed", "a joint plan's department renamed",
            "a check item of the plan"), "Only the results"),
])
def test_each_list_describes_what_its_changed_since_reads(client, language, plans_says, results_says):
    """The plans list's changed_since named the draw's steps only (not a shortfall decision, a jurisdiction renamed
    or moved, a check item changed), and its changed_at neither; the results list keeps its own reading."""
    client.cookies["django_language"] = language
    schema = client.get("/api/public/schema/", {"format": "json"}).json()

    def described(path: str) -> str:
        return {p["name"]: p for p in schema["paths"][path]["get"]["parameters"]}["changed_since"]["description"]

    for words in plans_says:
        assert words in described("/api/public/plans/"), words
    assert results_says in described("/api/public/results/")
    changed_at = schema["components"]["schemas"]["PublicPlan"]["properties"]["changed_at"]["description"]
    assert ("抽查事项" if language == "zh-hans" else "check items") in changed_at


def test_a_renamed_department_dates_its_published_joint_plans(client, city, users):
    """A joint plan's public title names its department (read from the registry): renamed, the plan changed for
    the public, and a mirror reading changed_since kept the old title."""
    from .conftest import ceremony

    department = city["departments"]["enforcement_a"]
    joint = services.do_create_plan(jurisdiction=city["tree"]["a"], year=2021, quarter=2,
                                    acting_user=city["users"]["department_user"], kind="joint",
                                    department=department)
    ceremony(joint)
    county, _city_plan = county_and_city_plans(city)
    ceremony(county)
    moment = timezone.now()
    department.name = "生态环境保护综合执法大队"
    registry.do_save(department, acting_user=users["city_admin"], reason="机构改革更名")
    rows = _changed_since(client, moment)
    assert [row["id"] for row in rows] == [joint.pk]  # the county's regular plan names no department
    assert "生态环境保护综合执法大队" in rows[0]["title"]
    moment = timezone.now()
    department.code = "A-ENF"
    registry.do_save(department, acting_user=users["city_admin"], reason="编码调整")
    assert _changed_since(client, moment) == []  # its code is not on the plan


@pytest.mark.parametrize(("language", "says"), [
    ("zh-hans", {"changed_since": "抽查事项改编码、名称或适用行业或停用", "changed_at": "适用行业或停用",
                 "check_items": "其后停用的也在内", "page": "抽查事项改编码、名称或适用行业或停用"}),
    ("en", {"changed_since": "or taken out of use", "changed_at": "or an item taken out of use",
            "check_items": "including those taken out of use since", "page": "or taken out of use all update"}),
])
def test_an_item_taken_out_of_use_dates_its_plans_and_the_public_texts_say_so(client, city, users, language, says):
    """Taking a check item out of use (在用 off) dates the published plans showing it (items_changed: the plan page
    lists only items in use), but the schema and the open-data page named only a new code, name or industry scope,
    and check_items did not say it keeps the code of an item out of use: a mirror could not tell why a plan came
    back with nothing different in its row."""
    from .conftest import ceremony

    county, city_plan = county_and_city_plans(city)
    ceremony(county)
    ceremony(city_plan)
    risk = city["items"]["risk"]
    moment = timezone.now()
    risk.is_active = False
    risk.list_level = risk.jurisdiction.level
    registry.do_save(risk, acting_user=users["city_admin"], reason="清单修订")
    rows = _changed_since(client, moment)
    assert [row["id"] for row in rows] == [county.pk]
    assert risk.code in rows[0]["check_items"]  # the code stays in the row: what check_items says
    assert risk.name not in client.get(f"/public/plans/{county.pk}/").content.decode()  # the page lists it no more

    client.cookies["django_language"] = language
    schema = client.get("/api/public/schema/", {"format": "json"}).json()
    parameters = {p["name"]: p for p in schema["paths"]["/api/public/plans/"]["get"]["parameters"]}
    assert says["changed_since"] in parameters["changed_since"]["description"]
    row = schema["components"]["schemas"]["PublicPlan"]["properties"]
    assert says["changed_at"] in row["changed_at"]["description"]
    assert says["check_items"] in row["check_items"]["description"]
    page = html.unescape(re.sub(r"<[^>]+>", "", client.get("/public/opendata/").content.decode()))
    page = " ".join(page.split())
    assert says["page"] in page and says["check_items"] in page
