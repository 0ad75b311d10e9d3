"""The planning API (/api/planning/), role by role: each user reads the plans and tasks the planning pages show
him and nothing else (outside his scope a plan or task does not exist: 404), nothing can be written, a draw's
secret stays out until the reveal published it, a task carries its items, team and record, the filters narrow
what the user sees, a page costs the same number of queries whatever its rows, and the schema builds clean."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

from shuangsuiji import params
from shuangsuiji.accounts.models import Role, User
from shuangsuiji.planning import services
from shuangsuiji.planning.models import Plan, PlanStatus, Task, TaskMember, TaskStatus
from shuangsuiji.registry.models import Inspector, Target
from tests.fieldwork.conftest import submitted

from .conftest import DRAW_DAY, ceremony

pytestmark = pytest.mark.django_db

PLANS, TASKS = "/api/planning/plans/", "/api/planning/tasks/"


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def listed(client: APIClient, url: str, **params) -> list[dict]:
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["next"] is None  # every test's rows fit on one page
    return body["results"]


def ids(client: APIClient, url: str, **params) -> set[int]:
    return {row["id"] for row in listed(client, url, **params)}


def tasks_of(*plans: Plan) -> set[int]:
    return set(Task.objects.filter(selections__plan__in=plans).values_list("pk", flat=True))


def in_county(task_ids: set[int], code: str) -> set[int]:
    return set(Task.objects.filter(pk__in=task_ids, target__jurisdiction__code=code).values_list("pk", flat=True))


def seal(task: Task, user: User):
    """The team's record of the visit, filled, signed and submitted as on the phone (the planning fixture's
    targets have no address or representative in the registry to prefill)."""
    return submitted(task, user, place="生产车间", address="涞水县工业园区", legal_representative="赵某")


def login_for(inspector: Inspector, jurisdiction) -> User:
    """The officer's login: the ``users`` fixture's for 张三, a new one for anyone else."""
    return User.objects.filter(inspector=inspector).first() or User.objects.create_user(
        username=f"officer-{inspector.pk}", password="x", role=Role.INSPECTOR, inspector=inspector,
        jurisdiction=jurisdiction)


@pytest.fixture
def quarter(city):
    """2021 Q2: county A's and county B's plans drawn and dispatched; the city's drawn, not yet dispatched. The
    city asks for both special units, so one of county A's is drawn by the city alone, and for 7 of the 13
    general units, so at least four of county A's (the county takes all ten) are merged visits."""
    tree, admin = city["tree"], city["users"]["city_admin"]
    plans = {key: services.do_create_plan(jurisdiction=tree[key], year=2021, quarter=2, acting_user=None)
             for key in ("a", "b", "city")}
    services.do_set_requested(plans["city"], {"special": 2}, acting_user=admin)
    for plan in plans.values():
        ceremony(plan)
    for key in ("a", "b"):
        services.do_dispatch(plans[key], acting_user=None)
    return plans


def merged_tasks(quarter) -> set[int]:
    return tasks_of(quarter["a"]) & tasks_of(quarter["city"])


# --- who sees what ------------------------------------------------------------------------------------------


def test_anonymous_is_refused(quarter):
    task = Task.objects.filter(selections__plan=quarter["a"]).first()
    client = APIClient()
    for url in (PLANS, TASKS, f"{PLANS}{quarter['a'].pk}/", f"{TASKS}{task.pk}/",
                f"{PLANS}{quarter['a'].pk}/draws/1/manifest/"):
        assert client.get(url).status_code in (401, 403), url


@pytest.mark.parametrize("role", ["county_admin", "department_user"])
def test_a_county_reads_its_own_plans_and_tasks_only(city, quarter, role):
    client = api(city["users"][role])
    assert ids(client, PLANS) == {quarter["a"].pk}
    # The county's tasks: those of its plans, the visits merged with the city's plan among them.
    assert ids(client, TASKS) == tasks_of(quarter["a"])
    assert merged_tasks(quarter) <= ids(client, TASKS)
    for plan in (quarter["b"], quarter["city"]):
        assert client.get(f"{PLANS}{plan.pk}/").status_code == 404
        assert client.get(f"{PLANS}{plan.pk}/draws/1/manifest/").status_code == 404
    other_county = tasks_of(quarter["b"])
    city_only_here = in_county(tasks_of(quarter["city"]) - tasks_of(quarter["a"]), "130623")
    assert other_county and city_only_here  # a special unit of county A the city drew alone
    for pk in other_county | city_only_here:
        assert client.get(f"{TASKS}{pk}/").status_code == 404
    assert listed(client, TASKS, jurisdiction="130624") == []


def test_the_other_county_reads_its_own(city, quarter):
    client = api(city["users"]["other_county_admin"])
    assert ids(client, PLANS) == {quarter["b"].pk}
    assert ids(client, TASKS) == tasks_of(quarter["b"])
    assert client.get(f"{TASKS}{min(tasks_of(quarter['a']))}/").status_code == 404


@pytest.mark.parametrize("role", ["city_admin", "leader"])
def test_the_city_reads_every_county_and_filters_by_jurisdiction(city, quarter, role):
    client = api(city["users"][role])
    everything = tasks_of(*quarter.values())
    assert ids(client, PLANS) == {plan.pk for plan in quarter.values()}
    assert ids(client, TASKS) == everything
    assert ids(client, PLANS, jurisdiction="130623") == {quarter["a"].pk}
    assert ids(client, PLANS, jurisdiction="130600") == {plan.pk for plan in quarter.values()}
    assert ids(client, TASKS, jurisdiction="130624") == in_county(everything, "130624") == \
        tasks_of(quarter["b"]) | in_county(tasks_of(quarter["city"]), "130624")
    assert ids(client, TASKS, jurisdiction="130600") == everything
    # A code is a whole division: a prefix of one is no code the system knows, and is said to be so.
    refused = client.get(TASKS, {"jurisdiction": "1306"})
    assert refused.status_code == 400 and refused.json() == {"jurisdiction": ["未知的行政区划代码：1306"]}
    assert client.get(f"{TASKS}{min(tasks_of(quarter['b']))}/").status_code == 200


def test_an_inspector_sees_his_dispatched_tasks_and_his_own_team_only(city, quarter):
    merged = Task.objects.get(pk=min(merged_tasks(quarter)))
    member = merged.members.filter(active=True, draw__plan=quarter["a"]).select_related("inspector").first()
    officer = login_for(member.inspector, city["tree"]["a"])
    client = api(officer)
    expected = set(Task.objects.filter(members__inspector=member.inspector, members__active=True,
                                       members__draw__plan__in=[quarter["a"], quarter["b"]])
                   .values_list("pk", flat=True))
    assert merged.pk in expected and ids(client, TASKS) == expected
    assert listed(client, PLANS) == []
    assert client.get(f"{PLANS}{quarter['a'].pk}/").status_code == 404
    assert client.get(f"{PLANS}{quarter['a'].pk}/draws/1/manifest/").status_code == 404
    for pk in tasks_of(quarter["a"]) - expected:
        assert client.get(f"{TASKS}{pk}/").status_code == 404
    # On the merged visit he sees his own draw's team, as on his task page: not the city's officers, no
    # certificate numbers, no plans, tickets or substitutions.
    row = client.get(f"{TASKS}{merged.pk}/").json()
    own = merged.members.filter(draw__plan=quarter["a"], active=True).order_by("slot")
    assert [(m["inspector"], m["name"]) for m in row["team"]] == [(m.inspector_id, m.inspector.name) for m in own]
    assert merged.members.filter(draw__plan=quarter["city"]).exists()
    assert all(m["certificate_number"] is None and m["plan"] is None for m in row["team"])
    assert row["plans"] == [] and row["substitutions"] == [] and row["merged"] is None
    assert [i["code"] for i in row["items"]] == [i.code for i in merged.check_items()]


def test_an_inspector_sees_nothing_of_a_plan_until_it_is_dispatched(city, quarter):
    member = TaskMember.objects.filter(draw__plan=quarter["city"], active=True).select_related("inspector").first()
    client = api(login_for(member.inspector, city["tree"]["city"]))
    assert listed(client, TASKS) == []
    assert client.get(f"{TASKS}{member.task_id}/").status_code == 404
    services.do_dispatch(quarter["city"], acting_user=None)
    mine = set(TaskMember.objects.filter(inspector=member.inspector, active=True).values_list("task_id", flat=True))
    assert ids(client, TASKS) == mine and member.task_id in mine


@pytest.mark.parametrize("role", ["city_admin", "county_admin", "department_user", "leader", "inspector"])
def test_nothing_can_be_written(city, quarter, role):
    client = api(city["users"][role])
    plan, task = quarter["a"], Task.objects.filter(selections__plan=quarter["a"]).first()
    before = (Plan.objects.count(), Task.objects.count(), list(Task.objects.values_list("pk", "status")))
    for url, detail in ((PLANS, f"{PLANS}{plan.pk}/"), (TASKS, f"{TASKS}{task.pk}/")):
        assert client.post(url, {"year": 2021, "quarter": 3}, format="json").status_code == 405
        assert client.put(detail, {"status": "withdrawn"}, format="json").status_code == 405
        assert client.patch(detail, {"status": "withdrawn"}, format="json").status_code == 405
        assert client.delete(detail).status_code == 405
    assert client.post(f"{PLANS}{plan.pk}/draws/1/manifest/").status_code == 405
    assert (Plan.objects.count(), Task.objects.count(), list(Task.objects.values_list("pk", "status"))) == before
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.DISPATCHED


# --- the draw: what is public when ----------------------------------------------------------------------------


def test_the_secret_and_the_selection_stay_out_until_the_reveal(city):
    plan = services.do_create_plan(jurisdiction=city["tree"]["a"], year=2021, quarter=2, acting_user=None)
    client = api(city["users"]["county_admin"])
    assert client.get(f"{PLANS}{plan.pk}/").json()["draws"] == []
    services.do_approve_and_freeze(plan, acting_user=None, draw_date=DRAW_DAY, today=DRAW_DAY)
    services.do_commit_secret(plan, acting_user=None)
    draw = plan.current_draw
    assert draw.secret  # stored from the commitment on
    response = client.get(f"{PLANS}{plan.pk}/")
    (shown,) = response.json()["draws"]
    assert shown["inputs_hash"] == draw.inputs_hash and shown["commitment"] == draw.commitment
    assert shown["draw_date"] == DRAW_DAY.isoformat() and shown["public_value"] == ""
    assert shown["secret"] is None and shown["manifest"] is None and shown["revealed"] is False
    assert draw.secret not in response.content.decode()

    services.do_record_public_value(plan, source="dice", value="3,5,1,6", witnesses=["张三", "李四"],
                                    acting_user=None)
    services.do_draw(plan, acting_user=None, today=DRAW_DAY)
    draw.refresh_from_db()
    selected = list(Task.objects.filter(selections__plan=plan).values_list("target__credit_code", flat=True))
    for role in ("county_admin", "city_admin", "leader"):
        reader = api(city["users"][role])
        response = reader.get(f"{PLANS}{plan.pk}/")
        body = response.json()
        (shown,) = body["draws"]
        # After the draw the plan page shows the seed and the selection hash; the secret not yet.
        assert (shown["seed"], shown["selection_hash"]) == (draw.seed, draw.manifest["selection_hash"])
        assert (shown["public_value"], shown["witnesses"]) == ("3516", ["张三", "李四"])
        assert shown["secret"] is None and draw.secret not in response.content.decode()
        assert body["current_draw"] == 1 and body["revealed"] is False
        manifest = reader.get(shown["manifest"])
        assert manifest.status_code == 200 and manifest["X-Manifest-State"] == "sealed"
        text = manifest.content.decode()
        assert draw.secret not in text and not any(code in text for code in selected)
        assert manifest.json()["selection_hash"] == draw.manifest["selection_hash"]

    services.do_dispatch(plan, acting_user=None)
    services.do_reveal(plan, acting_user=None)
    body = client.get(f"{PLANS}{plan.pk}/").json()
    (shown,) = body["draws"]
    assert body["revealed"] is True and shown["revealed"] is True and shown["manifest_complete"] is True
    assert shown["secret"] == draw.secret
    complete = client.get(shown["manifest"])
    assert complete["X-Manifest-State"] == "complete" and complete.json()["secret"] == draw.secret
    assert set(selected) <= {pick["id"] for stratum in complete.json()["strata"] for pick in stratum["selected"]}


def redrawn_after_its_reveal(city) -> tuple:
    """A plan drawn, dispatched and revealed, then drawn again: (the plan, its first draw, its second). The services
    refuse a re-draw of a revealed plan now; plans re-drawn after their reveal before that exist in stored data,
    so the reveal is lifted for the approval and put back, as such data stands."""
    users = city["users"]
    plan = services.do_create_plan(jurisdiction=city["tree"]["a"], year=2021, quarter=2, acting_user=None)
    first = ceremony(plan)
    services.do_dispatch(plan, acting_user=None)
    request = services.do_request_redraw(plan, reason="名录库漏录新企业", acting_user=users["county_admin"])
    services.do_reveal(plan, acting_user=None)
    with pytest.raises(ValidationError, match="不能再重新抽取"):
        services.do_approve_redraw(request, approve=True, decision="同意", acting_user=users["city_admin"])
    with pytest.raises(ValidationError, match="不能再重新抽取"):
        services.do_request_redraw(plan, reason="再抽一次", acting_user=users["county_admin"])
    revealed_at = Plan.objects.get(pk=plan.pk).revealed_at
    Plan.objects.filter(pk=plan.pk).update(revealed_at=None)
    services.do_approve_redraw(request, approve=True, decision="同意", acting_user=users["city_admin"])
    Plan.objects.filter(pk=plan.pk).update(revealed_at=revealed_at)
    second = ceremony(Plan.objects.get(pk=plan.pk), dice="6,6,2,1")
    assert Plan.objects.get(pk=plan.pk).revealed_at is not None and second.secret
    return plan, first, second


def test_a_redraw_after_the_reveal_is_refused_and_one_made_before_that_rule_keeps_its_secret(city):
    """The reveal published the secrets of the draws made before it; a re-draw approved afterwards (possible
    before the services refused it) has a new secret, which must wait for a reveal of its own."""
    users = city["users"]
    plan, first, second = redrawn_after_its_reveal(city)
    client = api(users["county_admin"])
    response = client.get(f"{PLANS}{plan.pk}/")
    old, new = response.json()["draws"]
    assert (old["number"], old["status"], old["secret"], old["revealed"]) == (1, "superseded", first.secret, True)
    assert (new["number"], new["secret"], new["revealed"], new["manifest_complete"]) == (2, None, False, False)
    assert response.json()["current_draw"] == 2
    assert second.secret not in response.content.decode()
    sealed = client.get(new["manifest"])
    assert sealed["X-Manifest-State"] == "sealed" and second.secret not in sealed.content.decode()
    assert client.get(old["manifest"]).json()["secret"] == first.secret


def test_a_superseded_draw_stays_published_while_its_plan_is_drawn_again(city):
    """DESIGN §4: "the superseded draw stays published". An approved re-draw puts the plan back to a draft until its
    new freeze, and the portal and this API read plans by status: the plan, its published hashes and its sealed
    manifest answered 404 from the approval on."""
    users, client = city["users"], Client()
    plan = services.do_create_plan(jurisdiction=city["tree"]["a"], year=2021, quarter=2, acting_user=None)
    never_frozen = services.do_create_plan(jurisdiction=city["tree"]["b"], year=2021, quarter=2, acting_user=None)
    first = ceremony(plan)
    request = services.do_request_redraw(plan, reason="名录库漏录新企业", acting_user=users["county_admin"])
    services.do_approve_redraw(request, approve=True, decision="同意", acting_user=users["city_admin"])
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.DRAFT
    response = client.get(f"/api/public/plans/{plan.pk}/")
    assert response.status_code == 200
    (draw,) = response.json()["draws"]
    assert (draw["number"], draw["inputs_hash"], draw["commitment"]) == (1, first.inputs_hash, first.commitment)
    assert draw["secret"] is None and first.secret not in response.content.decode()
    manifest = client.get(draw["manifest_url"])
    assert manifest.status_code == 200 and manifest["X-Manifest-State"] == "sealed"
    assert first.secret not in manifest.content.decode()
    listed = {row["id"] for row in client.get("/api/public/plans/").json()["results"]}
    assert plan.pk in listed and never_frozen.pk not in listed
    assert client.get(f"/public/plans/{plan.pk}/").status_code == 200
    assert client.get(f"/api/public/plans/{never_frozen.pk}/").status_code == 404


def test_the_public_api_and_portal_keep_the_secret_of_a_redraw_made_after_the_reveal(city):
    """As the staff API does (above): the portal, its manifest and /api/public/ took the plan's reveal for every
    draw's, and gave anyone a later re-draw's secret, seed and complete selection."""
    plan, first, second = redrawn_after_its_reveal(city)
    client = Client()
    body = client.get(f"/api/public/plans/{plan.pk}/")
    old, new = body.json()["draws"]
    assert (old["secret"], old["seed"], old["manifest_complete"]) == (first.secret, first.seed, True)
    assert (new["secret"], new["seed"], new["manifest_complete"]) == (None, None, False)
    (row,) = [r for r in client.get("/api/public/plans/").json()["results"] if r["id"] == plan.pk]
    assert row["secret"] == ""
    manifest = client.get(new["manifest_url"])
    assert manifest["X-Manifest-State"] == "sealed" and client.get(old["manifest_url"]).json()["secret"] == first.secret
    states = {r["draw"]: r["state"] for r in client.get("/api/public/verification/").json()["results"]}
    assert states[2] == "sealed"
    shown = "".join(b"".join(client.get(path)).decode() for path in (
        f"/public/plans/{plan.pk}/", f"/public/plans/{plan.pk}/draws/2/manifest.json", "/public/verify/",
        "/public/plans/?format=csv", "/public/plans/?format=json"))
    assert first.secret in shown and second.secret not in shown and second.seed not in shown
    assert second.secret not in body.content.decode() + manifest.content.decode()

def test_a_plan_shows_its_strata_against_the_policy(city):
    county, admin = city["users"]["county_admin"], city["users"]["city_admin"]
    plan = services.do_create_plan(jurisdiction=city["tree"]["a"], year=2021, quarter=2, acting_user=county)
    services.do_set_requested(plan, {"general": 5}, reasons={"general": "试点季度"}, acting_user=county)
    body = api(county).get(f"{PLANS}{plan.pk}/").json()
    assert (body["jurisdiction"], body["level"], body["year"], body["quarter"]) == ("130623", "county", 2021, 2)
    assert (body["kind"], body["status"], body["policy_id"]) == ("regular", "draft", plan.policy_id)
    assert body["policy_version"] == plan.policy_version and body["check_items"] == ["A-01", "A-02", "C-01", "C-02"]
    strata = {row["stratum"]: row for row in body["strata"]}
    assert (strata["key"]["population"], strata["key"]["minimum"], strata["key"]["requested"]) == (4, 4, 4)
    assert "指导意见 二(一)" in strata["key"]["citation"] and strata["key"]["explanation"]
    general = strata["general"]
    assert (general["minimum"], general["requested"], general["shortfall"]) == (10, 5, 5)
    assert (general["shortfall_state"], general["shortfall_reason"]) == ("pending", "试点季度")
    services.do_approve_shortfall(plan.strata.get(stratum="general"), approve=True, decision="同意试点",
                                  acting_user=admin)
    general = {row["stratum"]: row for row in api(county).get(f"{PLANS}{plan.pk}/").json()["strata"]}["general"]
    assert (general["shortfall_state"], general["shortfall_decision"]) == ("approved", "同意试点")


# --- a task's content -----------------------------------------------------------------------------------------


def test_a_task_carries_its_target_items_team_and_sealed_record(city, quarter):
    task = Task.objects.filter(selections__plan=quarter["a"]).exclude(pk__in=merged_tasks(quarter)).first()
    Inspector.objects.update(phone="13800000000")  # personal data that must not leave through the API
    client = api(city["users"]["county_admin"])
    response = client.get(f"{TASKS}{task.pk}/")
    row = response.json()
    assert "13800000000" not in response.content.decode()
    assert row["number"] == f"RW2021Q2-{task.pk:06d}" and (row["year"], row["quarter"]) == (2021, 2)
    assert (row["credit_code"], row["target_name"], row["jurisdiction"]) == (
        task.target.credit_code, task.target.name, "130623")
    assert (row["status"], row["deadline"], row["category"]) == ("dispatched", "2021-06-30", task.category)
    assert [(i["code"], i["name"]) for i in row["items"]] == [(i.code, i.name) for i in task.check_items()]
    assert row["items"]  # the county's plan carries items for every category
    members = task.members.select_related("inspector", "draw").order_by("draw_id", "slot", "-active")
    assert [(m["inspector"], m["name"], m["role"], m["certificate_number"], m["active"], m["plan"])
            for m in row["team"]] == [(m.inspector_id, m.inspector.name, m.role, m.inspector.certificate_number,
                                       m.active, m.draw.plan_id) for m in members]
    assert len(row["team"]) >= 2 and all(m["role"] == "officer" for m in row["team"])
    (selection,) = row["plans"]
    assert (selection["plan"], selection["jurisdiction"], selection["level"]) == (quarter["a"].pk, "130623", "county")
    assert selection["stratum"] == task.selections.get().stratum and selection["ticket"]
    assert row["merged"] is False and row["record"] is None

    officer = login_for(members[0].inspector, city["tree"]["a"])
    record = seal(task, officer)
    for reader in (client, api(officer)):
        row = reader.get(f"{TASKS}{task.pk}/").json()
        assert (row["record"], row["record_number"]) == (record.pk, record.number)
        assert reader.get(f"/api/fieldwork/records/{row['record']}/").json()["seal_hash"] == record.seal_hash


def test_merged_visits_and_substitutions(city, quarter):
    merged = merged_tasks(quarter)
    assert len(merged) >= 4
    # Every other visit counts for one plan only — county B's may merge with the city's too.
    also = tasks_of(quarter["b"]) & tasks_of(quarter["city"])
    # the city's plan, drawn and not dispatched, is named to its readers alone (permissions.shown_draws): the county
    # reads its visits as its own until the city dispatches
    for role, reads in (("county_admin", False), ("city_admin", True)):
        rows = {row["id"]: row for row in listed(api(city["users"][role]), TASKS)}
        for pk in merged:
            assert rows[pk]["merged"] is reads
            assert {p["plan"] for p in rows[pk]["plans"]} == ({quarter["a"].pk, quarter["city"].pk} if reads
                                                              else {quarter["a"].pk})
        assert {pk for pk, row in rows.items() if row["merged"]} == ((merged | also) & set(rows) if reads else set())
    services.do_dispatch(quarter["city"], acting_user=None)
    for role in ("county_admin", "city_admin"):
        rows = {row["id"]: row for row in listed(api(city["users"][role]), TASKS)}
        for pk in merged:
            assert rows[pk]["merged"] is True
            assert {p["plan"] for p in rows[pk]["plans"]} == {quarter["a"].pk, quarter["city"].pk}
        assert {pk for pk, row in rows.items() if row["merged"]} == (merged | also) & set(rows)

    task = Task.objects.filter(selections__plan=quarter["a"]).exclude(pk__in=merged).first()
    member = task.members.filter(active=True).select_related("inspector").first()
    replacement = services.do_substitute_inspector(task, member.inspector, reason="病假", acting_user=None)
    row = api(city["users"]["county_admin"]).get(f"{TASKS}{task.pk}/").json()
    (substitution,) = row["substitutions"]
    assert (substitution["kind"], substitution["reason"], substitution["plan"]) == ("inspector", "病假",
                                                                                  quarter["a"].pk)
    assert (substitution["old_inspector"], substitution["old_inspector_name"]) == (member.inspector_id,
                                                                                  member.inspector.name)
    assert (substitution["new_inspector"], substitution["new_inspector_name"]) == (replacement.inspector_id,
                                                                                  replacement.inspector.name)
    team = {(m["inspector"], m["active"]) for m in row["team"]}
    assert (member.inspector_id, False) in team and (replacement.inspector_id, True) in team


# --- filters --------------------------------------------------------------------------------------------------


def test_task_filters(city, quarter):
    client = api(city["users"]["city_admin"])
    everything = tasks_of(*quarter.values())
    assert ids(client, TASKS, year=2021, quarter=2) == everything
    assert ids(client, TASKS, quarter=3) == set() and ids(client, TASKS, year=2022) == set()
    drawn = set(Task.objects.filter(status=TaskStatus.DRAWN).values_list("pk", flat=True))
    assert drawn and ids(client, TASKS, status="drawn") == drawn  # the city's own, not yet dispatched
    assert ids(client, TASKS, status="dispatched") == everything - drawn
    assert ids(client, TASKS, plan=quarter["city"].pk) == tasks_of(quarter["city"])
    # A plan outside the user's scope is not one he can filter by.
    county = api(city["users"]["county_admin"])
    assert county.get(TASKS, {"plan": quarter["b"].pk}).status_code == 400
    assert ids(county, TASKS, plan=quarter["a"].pk) == tasks_of(quarter["a"])
    assert client.get(TASKS, {"status": "finished"}).status_code == 400



def test_a_year_or_quarter_that_is_no_whole_number_in_range_is_refused(city, quarter):
    """A decimal was rounded down by the integer column: ?year=2021.5 listed every plan and task of 2021, as if
    filtered as asked; a quarter past 4 listed nothing, which reads as "no rows there"."""
    client = api(city["users"]["city_admin"])
    for url in (PLANS, TASKS):
        assert client.get(url, {"year": "2021.0", "quarter": "2"}).json()["count"] > 0
        for name, value in (("year", "2021.5"), ("year", "20211"), ("quarter", "5"), ("quarter", "0"),
                            ("quarter", "1.5")):
            response = client.get(url, {name: value})
            assert response.status_code == 400 and list(response.json()) == [name], (url, name, value)

def test_mine_is_the_users_own_teams(city, quarter):
    users = city["users"]
    assert ids(api(users["county_admin"]), TASKS, mine="true") == set()  # no officer linked to him
    department_user = users["department_user"]
    department_user.inspector = city["people"]["李四"]
    department_user.save()
    client = api(department_user)
    teams = set(TaskMember.objects.filter(inspector=city["people"]["李四"], active=True)
                .values_list("task_id", flat=True))
    assert teams and ids(client, TASKS, mine="true") == teams
    assert ids(client, TASKS, mine="false") == tasks_of(quarter["a"])
    inspector = api(users["inspector"])
    assert ids(inspector, TASKS, mine="true") == ids(inspector, TASKS) != set()


def test_plan_filters(city, quarter):
    client = api(city["users"]["city_admin"])
    assert ids(client, PLANS, level="city") == {quarter["city"].pk}
    assert ids(client, PLANS, status="dispatched") == {quarter["a"].pk, quarter["b"].pk}
    assert ids(client, PLANS, year=2021, quarter=2, kind="regular") == {p.pk for p in quarter.values()}
    assert ids(client, PLANS, kind="joint") == set()



def walk(client: APIClient, url: str, between=None) -> list[int]:
    """Every id of a list, page by page as a client follows ``next``; ``between`` runs after the first page."""
    body = client.get(url).json()
    seen = [row["id"] for row in body["results"]]
    if between is not None:
        between(seen)
    while body["next"]:
        body = client.get(body["next"]).json()
        seen += [row["id"] for row in body["results"]]
    return seen


def test_a_walk_through_the_tasks_sees_each_once_when_a_target_is_renamed(quarter, city, monkeypatch):
    """The list was ordered by the target's name within a jurisdiction: a target renamed in the registry while a
    provincial platform paged through the tasks moved its task to a page already read — lost to that pull — and
    pushed another into two pages."""
    monkeypatch.setattr(params.Pagination, "page_size", 2)
    client = api(city["users"]["city_admin"])
    everything = walk(client, TASKS)
    assert len(everything) > 4 and len(set(everything)) == len(everything)

    def rename_a_later_one(seen: list[int]) -> None:
        later = Task.objects.exclude(pk__in=seen).filter(target__jurisdiction=city["tree"]["a"]).order_by("pk").last()
        Target.objects.filter(pk=later.target_id).update(name="0" + later.target.name)  # sorts before every name

    seen = walk(client, TASKS, rename_a_later_one)
    assert sorted(seen) == sorted(everything)


# --- cost and schema ------------------------------------------------------------------------------------------


def queries(client: APIClient, url: str) -> tuple[int, int]:
    """(queries, rows) of the first page."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries), len(response.json()["results"])


def test_a_page_costs_the_same_number_of_queries_whatever_its_rows(city):
    tree, users = city["tree"], city["users"]
    county = services.do_create_plan(jurisdiction=tree["a"], year=2021, quarter=2, acting_user=None)
    ceremony(county)
    services.do_dispatch(county, acting_user=None)
    readers = {role: api(users[role]) for role in ("city_admin", "county_admin", "inspector")}
    few = {(role, url): queries(client, url) for role, client in readers.items() for url in (PLANS, TASKS)}
    # More plans, tasks, merged visits, teams, a substitution and a sealed record.
    for place in ("b", "city"):
        plan = services.do_create_plan(jurisdiction=tree[place], year=2021, quarter=2, acting_user=None)
        ceremony(plan)
        services.do_dispatch(plan, acting_user=None)
    task = Task.objects.filter(selections__plan=county).first()
    member = task.members.filter(active=True).select_related("inspector").first()
    services.do_substitute_inspector(task, member.inspector, reason="病假", acting_user=None)
    mine = Task.objects.filter(members__inspector=users["inspector"].inspector, members__active=True).first()
    seal(mine, users["inspector"])
    many = {(role, url): queries(client, url) for role, client in readers.items() for url in (PLANS, TASKS)}
    assert many[("city_admin", TASKS)][1] > few[("city_admin", TASKS)][1]
    assert many[("city_admin", PLANS)][1] == 3 > few[("city_admin", PLANS)][1]
    assert {key: count for key, (count, _rows) in many.items()} == {key: count for key, (count, _rows) in few.items()}


def test_the_schema_documents_the_planning_api_without_warnings(users):
    GENERATOR_STATS.reset()
    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert not GENERATOR_STATS, "drf-spectacular warned or erred (see the captured stderr)"
    validate_schema(schema)
    paths = schema["paths"]
    assert {"/api/planning/plans/", "/api/planning/plans/{id}/", "/api/planning/plans/{id}/draws/{number}/manifest/",
            "/api/planning/tasks/", "/api/planning/tasks/{id}/"} <= set(paths)
    names = [operation["operationId"] for path in paths.values() for operation in path.values()]
    assert len(names) == len(set(names))
    assert {"planning_plans_list", "planning_plans_retrieve", "planning_plans_manifest", "planning_tasks_list",
            "planning_tasks_retrieve"} <= set(names)
    parameters = {p["name"] for p in paths["/api/planning/tasks/"]["get"]["parameters"]}
    assert {"jurisdiction", "year", "quarter", "status", "plan", "mine", "my_department", "page"} <= parameters
    # The enums the registry and fieldwork APIs had keep their names beside the planning API's own.
    enums = schema["components"]["schemas"]
    assert enums["KindEnum"]["enum"] == ["water", "air", "other"]
    assert enums["RoleEnum"]["enum"] == ["officer", "expert", "site_manager"]
    assert set(enums["TaskMemberRoleEnum"]["enum"]) == {"officer", "expert"}
    served = api(users["city_admin"]).get("/api/schema/", {"format": "json"})
    assert served.status_code == 200 and "/api/planning/tasks/" in served.json()["paths"]


def test_the_api_root_lists_plans_and_tasks(users):
    root = api(users["county_admin"]).get("/api/planning/").json()
    assert set(root) == {"plans", "tasks"} and root["tasks"].endswith(TASKS)
