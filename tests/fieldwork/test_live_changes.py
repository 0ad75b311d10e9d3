"""The inspector's open page learns that his tasks changed (docs/guide/inspector.md, "页面上的任务有变化"): the
endpoint his page polls answers 304 while nothing changed, else what his page shows now and why a task it shows
left his list; it is scoped like the pages, in constant queries. A draft he may no longer write (his task
withdrawn, he replaced) refuses every save saying why, not "not found"."""

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from shuangsuiji.accounts.middleware import SessionPolicyMiddleware
from shuangsuiji.accounts.models import Role, User
from shuangsuiji.fieldwork import services as fieldwork
from shuangsuiji.planning import services
from shuangsuiji.planning.models import MemberRole, Plan, Task, TaskStatus
from shuangsuiji.registry.models import Target
from tests.clients import signed_in
from tests.fieldwork.conftest import fill, make_task, sign_all, signature_png
from tests.planning.conftest import ceremony, city  # noqa: F401 (a fixture, a parameter here)

pytestmark = pytest.mark.django_db

URL = reverse("fieldwork:task_changes")


def ask(client, ids, etag=None, **headers):
    if etag:
        headers["HTTP_IF_NONE_MATCH"] = etag
    return client.get(URL, {"tasks": ",".join(str(i) for i in ids)}, HTTP_ACCEPT="application/json", **headers)


def user_of(inspector):
    return User.objects.filter(inspector=inspector).first() or User.objects.create_user(
        username=f"officer-{inspector.pk}", password="x", role=Role.INSPECTOR, jurisdiction=inspector.jurisdiction,
        inspector=inspector)


@pytest.fixture
def dispatched(city):  # noqa: F811
    """County A's plan drawn and dispatched; one of its tasks, a login for each member of its team."""
    plan = services.do_create_plan(jurisdiction=city["tree"]["a"], year=2021, quarter=2, acting_user=None)
    ceremony(plan)
    services.do_dispatch(Plan.objects.get(pk=plan.pk), acting_user=None)
    task = Task.objects.filter(selections__plan=plan, status=TaskStatus.DISPATCHED).order_by("pk").first()
    members = [m.inspector for m in task.members.filter(active=True).select_related("inspector")]
    return task, [user_of(inspector) for inspector in members]


def test_unchanged_is_304_and_a_withdrawal_says_withdrawn(city, dispatched):  # noqa: F811
    task, (user, *_rest) = dispatched
    client = signed_in(user)
    first = ask(client, [task.pk])
    assert first.status_code == 200
    state = first.json()
    assert first["ETag"] == f'"{state["version"]}"'
    assert str(task.pk) in state["tasks"] and state["gone"] == {}
    assert user.inspector_id in state["tasks"][str(task.pk)]["team"]
    unchanged = ask(client, [task.pk], first["ETag"])
    assert unchanged.status_code == 304 and unchanged.content == b"" and unchanged["ETag"] == first["ETag"]

    Target.objects.filter(pk=task.target_id).update(status="defunct", defunct_date=timezone.localdate())
    services.do_substitute_target(task, reason="企业已关停注销", acting_user=city["users"]["county_admin"])
    changed = ask(client, [task.pk], first["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]
    assert str(task.pk) not in changed.json()["tasks"]
    assert changed.json()["gone"] == {str(task.pk): "withdrawn"}
    assert ask(client, [task.pk], changed["ETag"]).status_code == 304


def test_a_replaced_inspector_is_told_reassigned_and_the_newcomer_gets_the_task(city, dispatched):  # noqa: F811
    task, (leaving, staying, *_rest) = dispatched
    before_staying = ask(signed_in(staying), [task.pk])
    newcomer = services.do_substitute_inspector(task, leaving.inspector, reason="病假",
                                                acting_user=city["users"]["county_admin"]).inspector
    assert ask(signed_in(leaving), [task.pk]).json()["gone"] == {str(task.pk): "reassigned"}
    # the team mate who stays sees the team change; the newcomer sees a task his page did not show
    after_staying = ask(signed_in(staying), [task.pk], before_staying["ETag"])
    assert after_staying.status_code == 200
    assert newcomer.pk in after_staying.json()["tasks"][str(task.pk)]["team"]
    assert str(task.pk) in ask(signed_in(user_of(newcomer)), []).json()["tasks"]


def test_a_record_sealed_by_the_partner_leaves_the_open_tasks(task, team, users):
    client = signed_in(users["inspector"])
    first = ask(client, [task.pk])
    assert first.json()["tasks"][str(task.pk)]["record"] == ""
    fieldwork.do_start_record(task, acting_user=team["partner"])
    drafting = ask(client, [task.pk], first["ETag"])
    assert drafting.json()["tasks"][str(task.pk)]["record"] == "draft"
    record = task.records.get()
    # a team mate's autosave is no change the list shows: no reload asked for every minute he types
    record = fill(record, team["partner"])
    assert ask(client, [task.pk], drafting["ETag"]).status_code == 304
    fieldwork.do_submit_record(sign_all(record, team["partner"]), acting_user=team["partner"])
    sealed = ask(client, [task.pk], drafting["ETag"])
    assert sealed.status_code == 200 and sealed.json()["gone"] == {str(task.pk): "sealed"}


def test_scope_other_inspectors_and_other_roles(task, team, users):
    outsider = signed_in(team["outsider"])
    answer = ask(outsider, [task.pk])
    # not his: neither listed nor explained — the answer names nothing he never had
    assert answer.status_code == 200 and answer.json()["tasks"] == {} and answer.json()["gone"] == {}
    for role in ("county_admin", "city_admin", "leader", "department_user"):
        refused = ask(signed_in(users[role]), [task.pk])
        assert refused.status_code == 403, role
        assert refused.json()["message"] == "只有执法人员有“我的检查”任务列表"


def test_anonymous_is_refused(task):
    anonymous = ask(Client(), [task.pk])
    assert anonymous.status_code == 401 and anonymous.json()["url"].startswith(reverse("login"))
    page = Client().get(URL)
    assert page.status_code == 302 and page["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(("value", "message"), [
    ("12,abc", "参数 tasks 应为以逗号分隔的任务编号（数字），“abc”不是"),
    (",".join(["1"] * 501), "参数 tasks 最多列出500个任务编号，收到501个"),
])
def test_a_malformed_list_of_tasks_is_refused_saying_what(users, value, message):
    answer = signed_in(users["inspector"]).get(URL, {"tasks": value}, HTTP_ACCEPT="application/json")
    assert answer.status_code == 400 and answer.json()["message"] == message


def test_constant_queries_whatever_the_number_of_tasks(task, target, items, team, users):
    client = signed_in(users["inspector"])
    ask(client, [])  # the first request of a session reads more (the session touched)
    with CaptureQueriesContext(connection) as one:
        ask(client, [task.pk, 999999])
    more = [make_task(target, items, [(team["first"], MemberRole.OFFICER), (team["second"], MemberRole.OFFICER)])
            for _n in range(6)]
    for extra in more[:3]:
        fieldwork.do_start_record(extra, acting_user=users["inspector"])
    Task.objects.filter(pk=more[5].pk).update(status=TaskStatus.WITHDRAWN)
    with CaptureQueriesContext(connection) as many:
        answer = ask(client, [task.pk, *(t.pk for t in more)])
    assert len(answer.json()["tasks"]) == 6 and answer.json()["gone"] == {str(more[5].pk): "withdrawn"}
    assert len(many) == len(one) <= 8


def test_the_task_list_starts_from_the_version_its_poll_asks_about(task, users, settings):
    client = signed_in(users["inspector"])
    page = client.get(reverse("fieldwork:my_tasks"))
    state = page.context["live"]["state"]
    assert page.context["live"]["url"] == f"{URL}?tasks={task.pk}"
    assert f'"{state["version"]}"' == ask(client, [task.pk])["ETag"]
    assert 'id="fw-live"' in page.content.decode() and "fieldwork/live.js" in page.content.decode()
    settings.FIELDWORK_LIVE_SECONDS = 0  # switched off: the page neither polls nor loads the script
    assert "fieldwork/live.js" not in client.get(reverse("fieldwork:my_tasks")).content.decode()


def test_the_record_form_polls_about_its_own_task(task, users):
    record = fieldwork.do_start_record(task, acting_user=users["inspector"])
    page = signed_in(users["inspector"]).get(reverse("fieldwork:record_edit", args=[record.pk]))
    html = page.content.decode()
    assert f'data-task="{task.pk}"' in html and 'data-mode="record"' in html
    assert page.context["live"]["url"] == f"{URL}?tasks={task.pk}&record={record.pk}"


def test_the_forms_poll_says_a_team_mates_signature_and_its_removal_in_constant_queries(task, team, users):
    """The form's poll names its draft: the answer holds its signatures (which, on which version, the image's id),
    so the form shows a team mate's without a reload; 304 while none changed; the same queries whatever the
    number of signatures; nothing of a draft that is not his."""
    record = fieldwork.do_start_record(task, acting_user=users["inspector"])
    client = signed_in(users["inspector"])
    url = client.get(reverse("fieldwork:record_edit", args=[record.pk])).context["live"]["url"]
    first = client.get(url, HTTP_ACCEPT="application/json")
    assert first.json()["signatures"] == {}
    assert client.get(url, HTTP_ACCEPT="application/json", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    with CaptureQueriesContext(connection) as none_signed:
        client.get(url, HTTP_ACCEPT="application/json")
    signature = fieldwork.do_sign(record, acting_user=team["partner"], png=signature_png(2),
                                  revision=record.revision, inspector=team["second"])
    record.refresh_from_db()
    fieldwork.do_sign(record, acting_user=users["inspector"], png=signature_png(1), revision=record.revision,
                      inspector=team["first"])
    with CaptureQueriesContext(connection) as two_signed:
        second = client.get(url, HTTP_ACCEPT="application/json", HTTP_IF_NONE_MATCH=first["ETag"])
    assert second.status_code == 200 and len(two_signed) == len(none_signed)
    signed = second.json()["signatures"]
    assert set(signed) == {f"inspector:{team['first'].pk}", f"inspector:{team['second'].pk}"}
    his = signed[f"inspector:{team['second'].pk}"]
    assert his["id"] == signature.pk and his["state"] == "ok"
    assert signed[f"inspector:{team['first'].pk}"]["state"] == "ok"
    # an edit after the signatures: they sign an earlier version
    fill(record, users["inspector"])
    assert {row["state"] for row in client.get(url, HTTP_ACCEPT="application/json").json()["signatures"].values()
            } == {"stale"}
    fieldwork.do_remove_signature(signature, acting_user=team["partner"])
    assert set(client.get(url, HTTP_ACCEPT="application/json").json()["signatures"]) == {
        f"inspector:{team['first'].pk}"}
    # an outsider naming the draft learns nothing of it; a malformed id is refused saying what
    outsider = signed_in(team["outsider"])
    assert outsider.get(url, HTTP_ACCEPT="application/json").json()["signatures"] == {}
    bad = client.get(f"{URL}?tasks={task.pk}&record=abc", HTTP_ACCEPT="application/json")
    assert bad.status_code == 400 and "参数 record" in bad.json()["message"]


def test_the_poll_keeps_no_session_alive(task, users):
    client = signed_in(users["inspector"])
    session = client.session
    session[SessionPolicyMiddleware.SEEN] = 1  # long ago: any request of his would touch it
    session.save()
    ask(client, [task.pk], HTTP_X_BACKGROUND="poll")
    assert client.session[SessionPolicyMiddleware.SEEN] == 1
    client.get(reverse("fieldwork:my_tasks"))
    assert client.session[SessionPolicyMiddleware.SEEN] > 1


def test_saves_of_a_withdrawn_tasks_draft_are_refused_saying_why(city, dispatched):  # noqa: F811
    task, (user, *_rest) = dispatched
    record = fieldwork.do_start_record(task, acting_user=user)
    Target.objects.filter(pk=task.target_id).update(status="defunct", defunct_date=timezone.localdate())
    services.do_substitute_target(task, reason="企业已关停注销", acting_user=city["users"]["county_admin"])
    client = signed_in(user)
    draft = client.post(reverse("fieldwork:record_draft", args=[record.pk]), {"findings": "继续填写"},
                        HTTP_ACCEPT="application/json")
    assert draft.status_code == 403 and draft.json()["stopped"] is True
    assert f"已撤销（企业已关停注销），检查记录{record.number}不能再保存、签名或提交" in draft.json()["message"]
    page = client.post(reverse("fieldwork:record_edit", args=[record.pk]), {"action": "submit"})
    assert page.status_code == 403 and "已撤销（企业已关停注销）" in page.content.decode()
    record.refresh_from_db()
    assert record.findings == "" and record.sealed_at is None  # nothing stored


def test_saves_of_a_replaced_inspector_are_refused_saying_why(city, dispatched):  # noqa: F811
    task, (leaving, *_rest) = dispatched
    record = fieldwork.do_start_record(task, acting_user=leaving)
    services.do_substitute_inspector(task, leaving.inspector, reason="病假", acting_user=city["users"]["county_admin"])
    client = signed_in(leaving)
    for name, data in (("record_draft", {"findings": "我来写"}), ("record_sign", {"signer": "site_manager"})):
        answer = client.post(reverse(f"fieldwork:{name}", args=[record.pk]), data, HTTP_ACCEPT="application/json")
        assert answer.status_code == 403 and answer.json()["stopped"] is True, name
        assert "您已不在任务" in answer.json()["message"] and "病假" in answer.json()["message"], name


def test_a_stranger_is_not_told_the_record_exists(task, team):
    record = fieldwork.do_start_record(task, acting_user=None)
    answer = signed_in(team["outsider"]).post(reverse("fieldwork:record_draft", args=[record.pk]), {},
                                              HTTP_ACCEPT="application/json")
    assert answer.status_code == 404


def test_the_snapshot_is_json_a_phone_reads(task, users):
    body = ask(signed_in(users["inspector"]), [task.pk]).content.decode()
    assert set(json.loads(body)) == {"version", "tasks", "gone", "rechecks", "rechecks_gone"}
