"""Every way a task can leave an inspector's view is said to his open record form (docs/guide/inspector.md,
"页面上的任务有变化"), never silence while the form goes on saving a draft that can no longer be submitted: the
poll names a re-draw that took the visit from his team ("redrawn", not "reassigned": no admin replaced him), a
login no longer bound to an officer record ("unbound"); a task the answer does not name at all is said by live.js
itself ("other", the browser test). The phone's saves of a record out of his reach are refused in JSON that says
so and stops the form, not the HTML page "Not Found".

And the list: an amendment (更正) draft of a re-check's record is on the phone's task list under "填写中", marked
"更正中" as an ordinary record's amendment is, and its re-check's page leads to it; in constant queries."""

import pytest
from django.urls import reverse

from shuangsuiji.accounts.models import User
from shuangsuiji.fieldwork import services
from shuangsuiji.planning.models import TaskMember
from tests.clients import signed_in

from .conftest import fill, rechecked, sign_all

pytestmark = pytest.mark.django_db

URL = reverse("fieldwork:task_changes")


def ask(client, tasks=(), rechecks=()):
    return client.get(URL, {"tasks": ",".join(map(str, tasks)), "rechecks": ",".join(map(str, rechecks))},
                      HTTP_ACCEPT="application/json")


def test_a_redraw_that_takes_the_visit_from_his_team_is_told_redrawn_not_reassigned(task, users, team):
    client = signed_in(users["inspector"])
    assert str(task.pk) in ask(client, [task.pk]).json()["tasks"]
    # what planning.services._supersede does to the team of a draw drawn again while another plan keeps the visit
    # (a merged visit): his place on it ends, and no Substitution names him
    TaskMember.objects.filter(task=task, inspector=users["inspector"].inspector).update(active=False)
    assert ask(client, [task.pk]).json()["gone"] == {str(task.pk): "redrawn"}


def test_a_login_no_longer_bound_to_an_officer_record_is_told_unbound(task, users, team):
    client = signed_in(users["inspector"])
    record = services.do_start_record(task, acting_user=users["inspector"])
    User.objects.filter(pk=users["inspector"].pk).update(inspector=None)
    assert ask(client, [task.pk, 999999]).json()["gone"] == {str(task.pk): "unbound", "999999": "unbound"}
    # his form's autosave is refused saying so, and stops the form (record.js), not an HTML "Not Found"
    answer = client.post(reverse("fieldwork:record_draft", args=[record.pk]), {"findings": "继续写"},
                         HTTP_ACCEPT="application/json")
    assert answer.status_code == 404 and answer.json()["stopped"] is True
    assert answer.json()["message"] == ("该记录已不在您可以填写的范围内（其任务已不在您的任务列表中）："
                                        "不能再保存、签名或提交")
    record.refresh_from_db()
    assert record.findings != "继续写"  # nothing stored


def test_an_outsider_still_learns_nothing_of_a_task_he_never_had(task, team):
    # the reasons above are his own; a task he never was on is neither listed nor explained
    assert ask(signed_in(team["outsider"]), [task.pk]).json()["gone"] == {}


def test_the_record_form_carries_every_reason_in_words(task, users):
    record = services.do_start_record(task, acting_user=users["inspector"])
    text = signed_in(users["inspector"]).get(reverse("fieldwork:record_edit", args=[record.pk])).context["live"]["text"]
    assert text["recordRedrawn"].startswith("该任务所在的抽取已变更（重新抽取或递补）")
    assert text["recordUnbound"].startswith("您的账号已不再关联执法人员档案")
    assert "redrawn" in text and "unbound" in text  # the list's banner counts them too


@pytest.fixture
def amended_recheck(recheck, users):
    """A re-check done (its record sealed), whose record an admin let the team correct: an amendment draft."""
    sealed = rechecked(recheck, users["inspector"])
    request = services.do_request_amendment(sealed, reason="漏记整改照片", acting_user=users["inspector"])
    services.do_decide_amendment(request, approve=True, decision="同意", acting_user=users["county_admin"])
    sealed.refresh_from_db()
    return recheck, sealed.amendment


def card_of(page: str, number: str) -> str:
    start = page.index(number)
    return page[page.rindex("<a ", 0, start):page.index("</a>", start)]


def test_a_recheck_amendment_draft_is_on_the_list_under_drafts(amended_recheck, users, team,
                                                              django_assert_max_num_queries):
    recheck, amendment = amended_recheck
    client = signed_in(users["inspector"])
    client.get(reverse("fieldwork:my_tasks"))  # the first request of a session reads more (the session touched)
    with django_assert_max_num_queries(15):
        page = client.get(reverse("fieldwork:my_tasks"))
    html = page.content.decode()
    card = card_of(html, recheck.number)
    assert "更正中" in card and f'href="{reverse("fieldwork:recheck_detail", args=[recheck.pk])}"' in card
    # under "填写中", before the re-checks still to do (there are none: no such heading)
    assert html.index("填写中") < html.index(recheck.number) and 'fw-section-title">复查任务<' not in html
    # the list's poll asks about it, and knows it as an amendment being written
    assert page.context["live"]["state"]["rechecks"][str(recheck.pk)]["record"] == "amending"
    # its partner's list too, with no page of his having shown it before
    assert ask(signed_in(team["partner"])).json()["rechecks"][str(recheck.pk)]["record"] == "amending"
    # the heading counts it with the tasks still to be done (the task itself is done: its record is sealed)
    assert page.context["open_count"] == 1 and "1 项待完成" in html
    # the re-check's page leads to the draft
    detail = client.get(reverse("fieldwork:recheck_detail", args=[recheck.pk])).content.decode()
    assert reverse("fieldwork:record_edit", args=[amendment.pk]) in detail and "继续填写更正记录" in detail


def test_a_recheck_amendment_submitted_leaves_the_drafts(amended_recheck, users):
    recheck, amendment = amended_recheck
    fill(amendment, users["inspector"])
    sign_all(amendment, users["inspector"])
    services.do_submit_record(amendment, acting_user=users["inspector"])
    html = signed_in(users["inspector"]).get(reverse("fieldwork:my_tasks")).content.decode()
    assert recheck.number not in html
    detail = signed_in(users["inspector"]).get(reverse("fieldwork:recheck_detail", args=[recheck.pk]))
    assert "继续填写更正记录" not in detail.content.decode()


def test_the_list_of_many_amended_rechecks_reads_in_constant_queries(amended_recheck, another_recheck, users,
                                                                      django_assert_max_num_queries):
    for _n in range(3):
        services.do_start_recheck_record(another_recheck(), acting_user=users["inspector"])
    client = signed_in(users["inspector"])
    client.get(reverse("fieldwork:my_tasks"))  # the first request of a session reads more (the session touched)
    with django_assert_max_num_queries(15):
        html = client.get(reverse("fieldwork:my_tasks")).content.decode()
    assert html.count("fw-recheck") == 4
