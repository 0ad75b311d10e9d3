"""A re-check's record form learns, like a task's, that it can no longer be written (docs/guide/inspector.md,
"页面上的任务有变化"): the page's poll names the re-checks it shows (``rechecks``), and the answer says which of
them left his list and why — a team mate submitted the re-check record. A re-check is neither withdrawn nor given
to other officers (its team is who signed the order to rectify), so "sealed" is the one reason; one he cannot see
is not named. Scoped by ``visible_to``, in constant queries, 304 while nothing changed."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shuangsuiji.fieldwork import services
from tests.clients import signed_in

from .conftest import fill, rechecked, sign_all, signature_png

pytestmark = pytest.mark.django_db

URL = reverse("fieldwork:task_changes")


def ask(client, rechecks, etag=None, tasks=()):
    headers = {"HTTP_IF_NONE_MATCH": etag} if etag else {}
    return client.get(URL, {"tasks": ",".join(map(str, tasks)), "rechecks": ",".join(map(str, rechecks))},
                      HTTP_ACCEPT="application/json", **headers)


def test_a_recheck_record_sealed_by_the_partner_is_gone_as_sealed(recheck, users, team):
    client = signed_in(users["inspector"])
    draft = services.do_start_recheck_record(recheck, acting_user=users["inspector"])
    first = ask(client, [recheck.pk])
    assert first.status_code == 200 and first.json()["rechecks"][str(recheck.pk)]["record"] == "draft"
    assert first.json()["rechecks_gone"] == {}
    assert ask(client, [recheck.pk], first["ETag"]).status_code == 304
    # the partner typing is no change: no reload asked for every autosave
    draft = fill(draft, team["partner"])
    assert ask(client, [recheck.pk], first["ETag"]).status_code == 304
    sign_all(draft, team["partner"])
    services.do_submit_record(draft, acting_user=team["partner"])
    sealed = ask(client, [recheck.pk], first["ETag"])
    assert sealed.status_code == 200 and sealed["ETag"] != first["ETag"]
    assert str(recheck.pk) not in sealed.json()["rechecks"]
    assert sealed.json()["rechecks_gone"] == {str(recheck.pk): "sealed"}
    assert ask(client, [recheck.pk], sealed["ETag"]).status_code == 304
    # a page that does not show it (the list, reloaded) is no longer told about it at all
    assert str(recheck.pk) not in ask(client, []).json()["rechecks"] | ask(client, []).json()["rechecks_gone"]


def test_an_amendment_of_a_recheck_record_is_not_told_sealed_when_it_opens(recheck, users):
    sealed = rechecked(recheck, users["inspector"])
    request = services.do_request_amendment(sealed, reason="漏记一张照片", acting_user=users["inspector"])
    services.do_decide_amendment(request, approve=True, decision="同意", acting_user=users["county_admin"])
    amendment = sealed.amendment
    answer = ask(signed_in(users["inspector"]), [recheck.pk]).json()
    assert answer["rechecks"][str(recheck.pk)]["record"] == "amending" and answer["rechecks_gone"] == {}
    page = signed_in(users["inspector"]).get(reverse("fieldwork:record_edit", args=[amendment.pk]))
    assert f'data-recheck="{recheck.pk}"' in page.content.decode()


def test_the_recheck_form_polls_about_its_own_recheck(recheck, users, team):
    draft = services.do_start_recheck_record(recheck, acting_user=users["inspector"])
    page = signed_in(users["inspector"]).get(reverse("fieldwork:record_edit", args=[draft.pk]))
    html = page.content.decode()
    assert f'data-recheck="{recheck.pk}"' in html and 'data-mode="record"' in html and "data-task=" not in html
    assert page.context["live"]["url"] == f"{URL}?tasks=&rechecks={recheck.pk}&record={draft.pk}"
    assert page.context["live"]["state"]["rechecks"][str(recheck.pk)]["record"] == "draft"
    # the re-check record's signatures too: a team mate's shows on this form without a reload
    services.do_sign(draft, acting_user=team["partner"], png=signature_png(3), revision=draft.revision,
                     inspector=team["second"])
    answer = signed_in(users["inspector"]).get(page.context["live"]["url"], HTTP_ACCEPT="application/json")
    assert answer.json()["signatures"][f"inspector:{team['second'].pk}"]["state"] == "ok"
    assert "recheckOther" in page.context["live"]["text"]


def test_the_task_list_asks_about_the_rechecks_it_shows(recheck, task, users):
    page = signed_in(users["inspector"]).get(reverse("fieldwork:my_tasks"))
    assert page.context["live"]["url"] == f"{URL}?tasks={task.pk}&rechecks={recheck.pk}"
    assert str(recheck.pk) in page.context["live"]["state"]["rechecks"]


def test_scope_other_inspectors_and_other_roles(recheck, users, team):
    answer = ask(signed_in(team["outsider"]), [recheck.pk])
    # not his: neither listed nor explained, before or after it is done
    assert answer.status_code == 200 and answer.json()["rechecks"] == {} and answer.json()["rechecks_gone"] == {}
    rechecked(recheck, users["inspector"])
    assert ask(signed_in(team["outsider"]), [recheck.pk]).json()["rechecks_gone"] == {}
    assert ask(signed_in(team["partner"]), [recheck.pk]).json()["rechecks_gone"] == {str(recheck.pk): "sealed"}
    for role in ("county_admin", "city_admin", "leader", "department_user"):
        refused = ask(signed_in(users[role]), [recheck.pk])
        assert refused.status_code == 403, role
        assert refused.json()["message"] == "只有执法人员有“我的检查”任务列表"


@pytest.mark.parametrize(("value", "message"), [
    ("12,x", "参数 rechecks 应为以逗号分隔的复查任务编号（数字），“x”不是"),
    (",".join(["1"] * 501), "参数 rechecks 最多列出500个复查任务编号，收到501个"),
])
def test_a_malformed_list_of_rechecks_is_refused_saying_what(users, value, message):
    answer = signed_in(users["inspector"]).get(URL, {"rechecks": value}, HTTP_ACCEPT="application/json")
    assert answer.status_code == 400 and answer.json()["message"] == message


def test_constant_queries_whatever_the_number_of_rechecks(recheck, another_recheck, users):
    client = signed_in(users["inspector"])
    ask(client, [])  # the first request of a session reads more (the session touched)
    with CaptureQueriesContext(connection) as one:
        ask(client, [recheck.pk, 999999])
    more = [another_recheck() for _n in range(3)]
    rechecked(more[0], users["inspector"])
    with CaptureQueriesContext(connection) as many:
        answer = ask(client, [recheck.pk, *(r.pk for r in more), 999999])
    assert len(answer.json()["rechecks"]) == 3 and answer.json()["rechecks_gone"] == {str(more[0].pk): "sealed"}
    assert len(many) == len(one) <= 8
